import * as assert from 'node:assert/strict';
import { compareRuns, describeOtherChoice, DistributionDistance, probabilities } from '../../src/core/runs/compare';
import { rankedAlternatives, rankedScratch, tokensFromEntries } from '../../src/core/runs/runTokens';
import { sampleSummaryText, summarizeSamples } from '../../src/core/runs/samples';
import { recordOf, token } from './runsHelpers';

/** TVD between the alternatives of two one-token runs, through the same code path as a comparison. */
function tvdOf(left: [string, number][], right: [string, number][]): number {
  const a = tokensFromEntries([token('x', 0.5, left)]);
  const b = tokensFromEntries([token('x', 0.5, right)]);
  const ids = new Map<string, number>();
  const shared = (strings: readonly string[]): Int32Array => Int32Array.from(strings, (s) => (ids.has(s) ? ids.get(s)! : ids.set(s, ids.size).size - 1));
  const ra = rankedScratch();
  const rb = rankedScratch();
  const leftIds = shared(a.strings);
  const rightIds = shared(b.strings);
  const leftCount = rankedAlternatives(a, 0, ra);
  const rightCount = rankedAlternatives(b, 0, rb);
  return new DistributionDistance(ids.size).totalVariation(ra, leftCount, leftIds, probabilities(ra, leftCount), rb, rightCount, rightIds, probabilities(rb, rightCount));
}

/** Alternatives are float32 (as in the live store): equal to about 7 digits. */
const close = (actual: number | undefined, expected: number): void => assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6, `${actual} ≠ ${expected}`);

describe('runs: total variation distance', () => {
  it('is half the L1 distance over the union of returned tokens, a missing token at 0', () => {
    // ½ (|.5 − .4| + |.3 − .4| + |.2 − 0| + |0 − .2|) = ½ · 0.6 = 0.3
    close(tvdOf([['a', 0.5], ['b', 0.3], ['c', 0.2]], [['a', 0.4], ['b', 0.4], ['d', 0.2]]), 0.3);
  });

  it('renormalises each side over its returned alternatives first', () => {
    // Left .4/.4 → .5/.5; right .9/.1 over a/c. ½ (|.5 − .9| + |.5 − 0| + |0 − .1|) = ½ · 1.0 = 0.5
    close(tvdOf([['a', 0.4], ['b', 0.4]], [['a', 0.9], ['c', 0.1]]), 0.5);
    close(tvdOf([['a', 0.6], ['b', 0.2]], [['a', 0.3], ['b', 0.1]]), 0);
    close(tvdOf([['a', 1]], [['b', 1]]), 1);
  });
});

describe('runs: comparing two runs', () => {
  const left = recordOf([
    token('The', 0.9, [['The', 0.9], ['A', 0.1]]),
    token(' cat', 0.6, [[' cat', 0.6], [' dog', 0.3], [' cow', 0.1]]),
    token(' sat', 0.5, [[' sat', 0.5], [' ran', 0.5]]),
    token('.', 0.99),
  ]);
  const right = recordOf([
    token('The', 0.8, [['The', 0.8], ['A', 0.2]]),
    token(' dog', 0.7, [[' dog', 0.7], [' bird', 0.2], [' fish', 0.1]]),
    token(' sat', 0.5, [[' sat', 0.5], [' lay', 0.5]]),
    token('.', 0.9, [['.', 0.9], ['!', 0.1]]),
  ]);

  it('aligns the tokens and finds the first divergence with what each run thought of the other\'s choice', () => {
    const { segments, divergence } = compareRuns(left, right);
    assert.deepEqual(segments.map((s) => [s.same, s.left, s.leftCount, s.right, s.rightCount]), [[true, 0, 1, 0, 1], [false, 1, 1, 1, 1], [true, 2, 2, 2, 2]]);
    assert.deepEqual({ ...divergence, rightChoiceInLeft: undefined, leftChoiceInRight: undefined }, {
      left: 1, right: 1, leftToken: ' cat', rightToken: ' dog', rightChoiceInLeft: undefined, leftChoiceInRight: undefined,
    });
    const inLeft = divergence!.rightChoiceInLeft;
    assert.ok(inLeft.kind === 'listed');
    close(inLeft.probability, 0.3);
    assert.deepEqual([inLeft.rank, inLeft.k], [2, 3]);
    assert.deepEqual(divergence!.leftChoiceInRight, { kind: 'notListed', k: 3 });
    assert.equal(describeOtherChoice(inLeft), '30.00 % (rank 2 of 3)');
    assert.equal(describeOtherChoice(divergence!.leftChoiceInRight), 'not among its top 3');
  });

  it('sums up both sides, the common prefix and the mean TVD over aligned tokens with alternatives on both sides', () => {
    const { summary } = compareRuns(left, right);
    close(summary.left.perplexity, (0.9 * 0.6 * 0.5 * 0.99) ** -0.25);
    close(summary.right.meanProbability, (0.8 + 0.7 + 0.5 + 0.9) / 4);
    assert.deepEqual(summary.commonPrefix, { tokens: 1, characters: 3 });
    assert.equal(summary.alignedTokens, 3);
    // "The": ½ (.1 + .1) = 0.1; " sat": ½ (0 + .5 + .5) = 0.5; "." has no alternatives on the left: left out.
    assert.equal(summary.tvdTokens, 2);
    close(summary.meanTvd, 0.3);
    assert.equal(summary.alignment, 'tokens');
  });

  it('has no divergence for the same tokens, and marks where one run simply ended', () => {
    assert.equal(compareRuns(left, left).divergence, undefined);
    const shorter = recordOf([token('The', 0.9), token(' cat', 0.6)]);
    const { divergence, segments } = compareRuns(shorter, left);
    assert.deepEqual(divergence, { left: 2, right: 2, leftToken: undefined, rightToken: ' sat', rightChoiceInLeft: { kind: 'unknown' }, leftChoiceInRight: { kind: 'unknown' } });
    assert.deepEqual(segments.map((s) => [s.same, s.leftCount, s.rightCount]), [[true, 2, 2], [false, 0, 2]]);
  });

  it('aligns only the common start and end when the runs differ past the edit budget', () => {
    const a = recordOf(['a', 'b', 'c', 'd', 'e'].map((t) => token(t, 0.5)));
    const b = recordOf(['a', 'x', 'y', 'z', 'e'].map((t) => token(t, 0.5)));
    const within = compareRuns(a, b, 10);
    assert.equal(within.summary.alignment, 'tokens');
    const beyond = compareRuns(a, b, 1);
    assert.equal(beyond.summary.alignment, 'ends');
    assert.deepEqual(beyond.segments.map((s) => [s.same, s.left, s.leftCount, s.right, s.rightCount]), [[true, 0, 1, 0, 1], [false, 1, 3, 1, 3], [true, 4, 1, 4, 1]]);
  });
});

describe('runs: sample sets', () => {
  it('counts distinct answers by trimmed exact text and the share of the most frequent', () => {
    const summary = summarizeSamples([
      { text: 'Paris', perplexity: 1.2 },
      { text: ' Paris\n', perplexity: 1.5 },
      { text: 'Lyon', perplexity: 3 },
      { text: 'paris', perplexity: undefined },
    ]);
    assert.equal(summary.count, 4);
    assert.equal(summary.distinct, 3, 'case matters: "paris" is another answer');
    assert.deepEqual(summary.mostFrequent, { text: 'Paris', count: 2, share: 0.5, index: 0 });
    assert.deepEqual(summary.answers.map((answer) => [answer.sameAs, answer.perplexity]), [[0, 1.2], [0, 1.5], [2, 3], [3, undefined]]);
  });

  it('takes the earliest answer on a tie, and has a zero share for an empty set', () => {
    assert.deepEqual(summarizeSamples([{ text: 'B', perplexity: 1 }, { text: 'A', perplexity: 1 }]).mostFrequent, { text: 'B', count: 1, share: 0.5, index: 0 });
    assert.deepEqual(summarizeSamples([]).mostFrequent, { text: '', count: 0, share: 0, index: 0 });
  });

  it('says in words how consistent the samples are, and each one\'s perplexity', () => {
    const text = sampleSummaryText(summarizeSamples([
      { text: 'Lyon', perplexity: 3 }, { text: 'Paris', perplexity: 1.2 }, { text: 'Paris ', perplexity: 1.5 }, { text: 'Paris', perplexity: 1.25 },
    ]));
    assert.equal(text, "Summary: 4 samples, 2 distinct answers; the most frequent (sample 2's) came 3 of 4 times (75 %).\n"
      + 'Perplexity by sample: 1: 3.00 · 2: 1.20 · 3: 1.50 (= 2) · 4: 1.25 (= 2).');
    assert.equal(sampleSummaryText(summarizeSamples([{ text: 'A', perplexity: 1 }, { text: 'A', perplexity: 1 }])),
      'Summary: 2 samples, all 2 samples are the same answer.\nPerplexity by sample: 1: 1.00 · 2: 1.00 (= 1).');
  });
});
