// The lazily loaded half of the extension: the `openai` SDK and what uses it. Bundled as dist/client.js and
// `require`d on the first request, so activation never pays for the SDK.
export { checkEndpoint, probeServer } from './check';
export type { CheckStep } from './check';
export { probeCapabilities } from './probes';
export type { ProbeOptions } from './probes';
export { COMPLETIONS_MAX_LOGPROBS, createClient, scoreChatPrompt, scoreText, streamChat } from './requests';
