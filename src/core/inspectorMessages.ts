/**
 * What the extension tells the token inspector about an answer: the token at a placement (its tokens with their
 * alternatives, the colour mode's value and bucket) and the strip of the whole answer, read from the answer's
 * columns and kept within the protocol's limits, so that the page's validator never refuses a real answer.
 */
import type { Answer } from './answer';
import { NO_BUCKET } from './answer';
import { describeValue } from './buckets';
import { visibleToken } from './format';
import type { AnswerStrip, InspectedMember, InspectedToken } from './inspectorProtocol';
import { LIMITS } from './inspectorProtocol';

/** Up to this many placements, each mark of the strip carries its token for a screen reader. */
const LABELLED_PLACEMENTS = 5000;

/** The token message for a placement; `uncertainThreshold` words the value ("(near tie)"). */
export function inspectedToken(answerId: string, answer: Answer, placement: number, uncertainThreshold: number): InspectedToken {
  const { firstToken, tokenCount } = answer.store.placement(placement);
  const members: InspectedMember[] = [];
  for (let i = firstToken; i < firstToken + Math.min(tokenCount, LIMITS.members); i++) {
    const { token, logprob, alternatives } = answer.store.token(i);
    members.push({
      token: token.slice(0, LIMITS.tokenLength),
      logprob: finiteOrNull(logprob),
      alternatives: alternatives.slice(0, LIMITS.alternatives).map((alternative) => ({ token: alternative.token.slice(0, LIMITS.tokenLength), logprob: finiteOrNull(alternative.logprob) })),
    });
  }
  const mode = answer.colourMode;
  const reading = answer.placementReading(placement);
  const bucket = answer.bucketOfPlacement(placement);
  return {
    answerId, placement, members, mode,
    valueText: reading ? describeValue(mode, reading, uncertainThreshold) : `no ${mode} value for this token`,
    bucket: bucket === NO_BUCKET ? null : bucket,
  };
}

/** The strip: every placement's bucket (an edited one has none), labelled while the answer is not too long. */
export function answerStripOf(answerId: string, answer: Answer, current: number): AnswerStrip {
  const { store } = answer;
  const count = store.placementCount;
  const buckets = new Array<number>(count);
  for (let i = 0; i < count; i++) buckets[i] = store.isValid(i) ? answer.bucketOfPlacement(i) : NO_BUCKET;
  const labels = count > LABELLED_PLACEMENTS ? [] : Array.from({ length: count }, (_, i) => visibleToken(answer.placementText(i)));
  return { answerId, mode: answer.colourMode, buckets, labels, current: current < count ? current : -1 };
}

/** JSON has no −∞: a logprob the backend did not give, or −∞, travels as `null` (probability 0). */
function finiteOrNull(logprob: number | undefined): number | null {
  return logprob !== undefined && Number.isFinite(logprob) ? logprob : null;
}
