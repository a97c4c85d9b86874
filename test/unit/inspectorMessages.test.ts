import * as assert from 'node:assert/strict';
import { Answer, NO_BUCKET } from '../../src/core/answer';
import { MODE_DEFAULTS } from '../../src/core/buckets';
import { answerStripOf, inspectedToken } from '../../src/core/inspectorMessages';
import { LIMITS, parseHostMessage } from '../../src/core/inspectorProtocol';
import type { TokenEntry } from '../../src/core/logprob';
import { loggedAnswer } from '../support/logged';
import { readFixture } from '../support/fixtures';

/** The Azure recording "4 + 4 = 8", in margin mode: " =" is its fifth token, 62.0 % against " equals" 37.6 %. */
function azureAnswer(): Answer {
  const answer = new Answer(0, '\n', MODE_DEFAULTS.margin.thresholds, 'margin');
  for (const delta of loggedAnswer(readFixture('azure-openai-chat-stream-top3-llamastack.sse.txt')).deltas) answer.inserted(answer.append(delta.text, delta.tokens).length);
  answer.inserted(answer.finish().length);
  return answer;
}

function answerOf(text: string, tokens: TokenEntry[]): Answer {
  const answer = new Answer(0, '\n', MODE_DEFAULTS.probability.thresholds);
  answer.inserted(answer.append(text, tokens).length);
  answer.inserted(answer.finish().length);
  return answer;
}

describe('inspector messages from an answer', () => {
  it('describes the token at a placement with its alternatives, value and bucket, as the page accepts it', () => {
    const answer = azureAnswer();
    const placement = answer.placementAt(answer.placementText(0).length + answer.placementText(1).length + answer.placementText(2).length + answer.placementText(3).length);
    assert.equal(answer.placementText(placement), ' =');
    const token = inspectedToken('answer-1', answer, placement, 0.1);
    assert.deepEqual(token.members.map((member) => member.token), [' =']);
    assert.deepEqual(token.members[0]!.alternatives.map((alternative) => alternative.token), [' =', ' equals', ' is']);
    assert.ok(Math.abs(token.members[0]!.logprob! - -0.47826242446899414) < 1e-12);
    // margin 0.619860 − 0.375964 = 0.243896: 24.4 points, bucket 5 ([0.2, 0.3)), not a near tie below 0.1.
    assert.equal(token.valueText, 'margin 24.4 points');
    assert.equal(token.bucket, 5);
    assert.deepEqual(parseHostMessage({ kind: 'token', token }), { kind: 'token', token });
  });

  it('sends −∞ and missing logprobs as null, and cuts what passes the protocol\'s limits', () => {
    const long = 'x'.repeat(LIMITS.tokenLength + 10);
    const answer = answerOf(`${long}b`, [
      { token: long, logprob: -0.5, top_logprobs: [{ token: long, logprob: -0.5 }, { token: 'y', logprob: Number.NEGATIVE_INFINITY }] },
      { token: 'b', logprob: null, top_logprobs: [] },
    ]);
    const first = inspectedToken('a', answer, 0, 0.5);
    assert.equal(first.members[0]!.token.length, LIMITS.tokenLength);
    assert.equal(first.members[0]!.alternatives[1]!.logprob, null, '−∞ has no JSON form');
    assert.ok(parseHostMessage({ kind: 'token', token: first }));
    const second = inspectedToken('a', answer, 1, 0.5);
    assert.deepEqual([second.members[0]!.logprob, second.bucket, second.valueText], [null, null, 'no probability value for this token']);
    assert.ok(parseHostMessage({ kind: 'token', token: second }));
  });

  it('gives the strip every placement\'s bucket, none for an edited one, and its visible text', () => {
    const answer = answerOf('ab c', [
      { token: 'ab', logprob: Math.log(0.9), top_logprobs: [] },
      { token: ' c', logprob: Math.log(0.03), top_logprobs: [] },
    ]);
    // p = 0.9 → bucket 8 ([0.8, 0.95)); p = 0.03 → bucket 1 ([0.01, 0.05)).
    assert.deepEqual(answerStripOf('a', answer, 1), { answerId: 'a', mode: 'probability', buckets: [8, 1], labels: ['ab', '␣c'], current: 1 });
    answer.applyEdit(1, 0, 1);
    const strip = answerStripOf('a', answer, 5);
    assert.deepEqual([strip.buckets, strip.current], [[NO_BUCKET, 1], -1]);
    assert.ok(parseHostMessage({ kind: 'strip', strip }));
  });

  it('leaves out the labels of a long answer', () => {
    const tokens = Array.from({ length: 6000 }, (): TokenEntry => ({ token: 'w', logprob: -0.1, top_logprobs: [] }));
    const strip = answerStripOf('a', answerOf('w'.repeat(6000), tokens), 0);
    assert.deepEqual([strip.buckets.length, strip.labels.length], [6000, 0]);
  });
});
