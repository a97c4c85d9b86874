/**
 * The import path the client and the Open Logprobs Response adapter have used for the wire readers. The readers
 * live in ./logged (one file per format family, ./logged/index for logged responses); new code imports from there.
 */
export { completionChoiceDelta, completionChunkDelta, responsesEventDelta } from './logged/openai';
export { parseLoggedResponse } from './logged';
export type { LoggedResponse } from './logged';
