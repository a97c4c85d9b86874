import * as assert from 'node:assert/strict';
import { Answer, NO_BUCKET } from '../../src/core/answer';
import { BUCKET_COUNT, DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import { StringTable } from '../../src/core/columns';
import { hoverMarkdown } from '../../src/core/hoverMarkdown';
import type { TokenEntry } from '../../src/core/logprob';
import { TokenSlot } from '../../src/core/tokenStore';

const entry = (token: string, logprob: number | null, alternatives: TokenEntry['top_logprobs'] = []): TokenEntry =>
  ({ token, logprob, bytes: null, top_logprobs: alternatives });

/** "Hello world again" placed at document offset 100, tokens at 0-5, 5-11, 11-17 relative. */
function answerAt(start = 100): Answer {
  const answer = new Answer(start, '\n', DEFAULT_THRESHOLDS);
  const text = answer.append('Hello world again', [entry('Hello', -0.01), entry(' world', -2), entry(' again', -0.3)]);
  answer.inserted(text.length);
  answer.finish();
  return answer;
}

describe('token store: look-up and edits', () => {
  it('finds the token at a document offset by binary search, a token end included', () => {
    const answer = answerAt();
    assert.equal(answer.placementAt(100), 0);
    assert.equal(answer.placementAt(104), 0);
    assert.equal(answer.placementAt(105), 1, 'where one token ends and the next starts, the next wins');
    assert.equal(answer.placementAt(117), 2);
    assert.equal(answer.placementAt(99), -1);
    assert.equal(answer.placementAt(118), -1);
  });

  it('shifts the whole answer for an edit above it, without touching its tokens', () => {
    const answer = answerAt();
    assert.equal(answer.applyEdit(10, 0, 7), 'before');
    assert.equal(answer.start, 107);
    assert.equal(answer.placementAt(112), 1);
    assert.equal(answer.applyEdit(0, 20, 0), 'before');
    assert.equal(answer.start, 87);
    assert.equal(answer.store.validPlacementCount, 3);
  });

  it('ignores edits below it', () => {
    const answer = answerAt();
    assert.equal(answer.applyEdit(117, 0, 3), 'after');
    assert.equal(answer.end, 117);
  });

  it('uncolours a token the user edits and shifts the ones after it', () => {
    const answer = answerAt();
    assert.equal(answer.applyEdit(107, 1, 3), 'inside'); // "wXXrld"
    assert.equal(answer.store.isValid(1), false);
    assert.equal(answer.store.validPlacementCount, 2);
    assert.equal(answer.placementAt(108), -1, 'the edited token has no hover');
    assert.equal(answer.placementAt(113), 2);
    assert.equal(answer.length, 19);
    const spans = answer.spans(BUCKET_COUNT);
    assert.deepEqual(spans.flat().sort((a, b) => a - b), [100, 105, 113, 119]);
  });

  it('keeps a token when the user types right at its edge', () => {
    const answer = answerAt();
    answer.applyEdit(105, 0, 1);
    assert.equal(answer.store.validPlacementCount, 3);
    assert.equal(answer.placementAt(106), 1);
  });

  it('merges adjacent tokens of one bucket into one span', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    answer.inserted(answer.append('aaab', [entry('a', 0), entry('a', 0), entry('a', -5), entry('b', 0)]).length);
    const spans = answer.spans(BUCKET_COUNT);
    assert.deepEqual(spans[9], [0, 2, 3, 4]);
    assert.deepEqual(spans[0], [2, 3]);
  });

  it('leaves a token with no logprob uncoloured', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    answer.inserted(answer.append('ab', [entry('a', null), entry('b', -0.1)]).length);
    assert.equal(answer.bucketOfPlacement(0), NO_BUCKET);
    assert.equal(answer.spans(BUCKET_COUNT).flat().length, 2);
  });
});

describe('statistics', () => {
  it('computes perplexity as exp(-mean logprob), mean probability and uncertain tokens', () => {
    const answer = answerAt();
    const stats = answer.stats(0.5);
    const mean = (-0.01 - 2 - 0.3) / 3;
    assert.ok(Math.abs(stats.perplexity! - Math.exp(-mean)) < 1e-12);
    assert.ok(Math.abs(stats.meanProbability! - (Math.exp(-0.01) + Math.exp(-2) + Math.exp(-0.3)) / 3) < 1e-12);
    assert.equal(stats.tokens, 3);
    assert.equal(stats.uncertain, 1);
    assert.deepEqual(answer.uncertainPlacements(0.5), [1]);
  });

  it('survives logprob 0, -9999, null and tiny positive values without NaN or p > 1', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    answer.append('abcd', [entry('a', 0), entry('b', -9999), entry('c', null), entry('d', 1e-7)]);
    const stats = answer.stats(0.5);
    assert.equal(stats.tokens, 3);
    // By hand: logprobs 0, -9999 and 0 (1e-7 clamped); probabilities 1, 0 (e^-9999 underflows) and 1.
    assert.equal(stats.meanProbability, 2 / 3);
    // exp(9999 / 3) = exp(3333) is past the largest double (about exp(709.8)): infinite, not NaN.
    assert.equal(stats.perplexity, Number.POSITIVE_INFINITY);
    assert.equal(answer.bucketOfPlacement(0), 9);
    assert.equal(answer.bucketOfPlacement(1), 0);
    assert.equal(answer.bucketOfPlacement(3), 9);
    assert.equal(answer.store.token(3).logprob, 0, 'a positive logprob is clamped to 0');
  });

  it('gives a logprob of -1e30 bucket 0 and shows it in the hover as 0 %, never NaN', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    answer.append('ab', [entry('a', -1e30, [{ token: 'b', logprob: -0.1 }, { token: 'a', logprob: -1e30 }]), entry('b', -0.1)]);
    answer.finish();
    assert.equal(answer.bucketOfPlacement(0), 0);
    // By hand: probabilities e^-1e30 = 0 and e^-0.1 = 0.904837 (between the thresholds 0.8 and 0.95: bucket 8);
    // exp(1e30 / 2) is past the largest double.
    assert.equal(answer.bucketOfPlacement(1), 8);
    const stats = answer.stats(0.5);
    assert.equal(stats.meanProbability, Math.exp(-0.1) / 2);
    assert.equal(stats.perplexity, Number.POSITIVE_INFINITY);
    assert.equal(stats.uncertain, 1);
    const markdown = hoverMarkdown([answer.store.token(0)]);
    assert.ok(!/NaN|Infinity/.test(markdown), markdown);
    assert.match(markdown, /^`a` · \*\*0 %\*\* · logprob -1\.00e\+30 · rank 2 of 2$/m);
    assert.match(markdown, /^\| ▶ \| `a` \| 0 % \| -1\.00e\+30 \| ░{10} \|$/m, 'the same value in the table, where it is stored as a 32-bit float');
    // The renormalised distribution is (1, 0): no uncertainty among the listed alternatives, and 0 log 0 counts as 0.
    assert.match(markdown, /Top 2 cover 90\.48 % of the probability · entropy over the top 2 \(renormalised\): 0\.00 bits/);
  });

  it('has no perplexity without tokens', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    answer.append('no logprobs here', []);
    assert.equal(answer.stats(0.5).perplexity, undefined);
  });

  it('stores alternatives and reads them back, also into a reused slot, which the rank mode reads', () => {
    const answer = new Answer(0, '\n', [], 'rank');
    // The sampled token's string and its alternative's are equal, but separate strings (one built at run time).
    answer.append('xyab', [
      entry(['x', 'y'].join(''), -0.7, [{ token: 'zz', logprob: -0.1 }, { token: 'xy', logprob: -0.7 }, { token: 'w', logprob: -2.5 }]),
      entry('ab', -0.1, [{ token: 'a', logprob: -0.05 }, { token: 'zz', logprob: -3 }]),
    ]);
    const stored = answer.store.token(0);
    assert.deepEqual(stored.alternatives.map((alternative) => alternative.token), ['zz', 'xy', 'w']);
    assert.ok(Math.abs(stored.alternatives[2]!.logprob - -2.5) < 1e-6);
    const slot = new TokenSlot();
    answer.store.readInto(1, slot);
    assert.deepEqual({ ...slot, alternatives: [...slot.alternatives] }, { token: 'ab', logprob: -0.1, alternatives: [{ token: 'a', logprob: -0.05000000074505806 }, { token: 'zz', logprob: -3 }] },
      'alternatives\' logprobs are stored as float32: -0.05 reads back as its nearest float32');
    answer.store.readInto(0, slot, false);
    assert.deepEqual({ ...slot, alternatives: [...slot.alternatives] }, { token: 'xy', logprob: -0.7, alternatives: [] }, 'the same slot, without alternatives');
    answer.inserted(4);
    answer.finish();
    // "xy" is 2nd of three (rank 2–3: bucket 7); "ab" is not among its alternatives (bucket 0).
    assert.deepEqual([answer.bucketOfPlacement(0), answer.bucketOfPlacement(1)], [7, 0]);
  });

  it('finds the placement of a token, also one of several that make one character', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    // "a", then 💙 from two byte tokens (one placement of two tokens), then "b", whose text has not arrived.
    answer.append('a💙', [entry('a', -0.1), { token: '\\xf0\\x9f', logprob: -1, bytes: [240, 159] }, { token: '\\x92\\x99', logprob: -0.5, bytes: [146, 153] }, entry('b', -0.2)]);
    assert.deepEqual([0, 1, 2, 3, -1, 4].map((index) => answer.store.placementOfToken(index)), [0, 1, 1, -1, -1, -1]);
  });

  it('interns strings in a table that stores each distinct string once', () => {
    const table = new StringTable();
    const ids = [' the', ',', ' the', [' ', 'the'].join(''), ',', 'new'].map((text) => table.intern(text));
    assert.deepEqual(ids, [0, 1, 0, 0, 1, 2], 'ids are handed out in order, so "new" getting 2 means two strings were stored before it');
    assert.equal(table.lookup(0), ' the');
    assert.equal(table.lookup(2), 'new');
  });
});
