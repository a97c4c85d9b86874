import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Answer, NO_BUCKET } from '../../src/core/answer';
import type { ColourMode, Reading, TokenView } from '../../src/core/buckets';
import {
  bucketOfValue, COLOUR_MODES, DEFAULT_THRESHOLDS, describeUncertain, describeValue, isUncertain, legendLabels, MODE_DEFAULTS, placementValue,
  rankBucket, tokenValue, validateModeThresholds,
} from '../../src/core/buckets';
import type { TokenEntry } from '../../src/core/logprob';
import { completionChoiceDelta } from '../../src/core/logged/openai';
import { readFixture, syntheticFixtures } from '../support/fixtures';
import { loggedAnswer } from '../support/logged';

const entry = (token: string, logprob: number, alternatives: [string, number][]): TokenEntry =>
  ({ token, logprob, top_logprobs: alternatives.map(([text, value]) => ({ token: text, logprob: value })) });

/** The tokens of a recorded response, as the modes read them. */
function recordedTokens(fixture: string): TokenView[] {
  return loggedAnswer(readFixture(fixture)).deltas.flatMap((delta) => delta.tokens)
    .map((token) => ({ token: token.token, logprob: token.logprob, alternatives: token.top_logprobs ?? [] }));
}

const close = (actual: number | undefined, expected: number, message?: string): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${message ?? ''} expected ${expected}, got ${actual}`);
};
const buckets = (token: TokenView): Record<ColourMode, number | undefined> => Object.fromEntries(COLOUR_MODES.map((mode) => {
  const reading = tokenValue(mode, token);
  return [mode, reading && bucketOfValue(mode, reading.value, MODE_DEFAULTS[mode].thresholds)];
})) as Record<ColourMode, number | undefined>;

describe('colour modes on recorded tokens', () => {
  it('reads a confident token (OpenAI " by": 96.2 %, runner-up " is" 3.7 %)', () => {
    const by = recordedTokens('openai-chat-stream-top5-llamastack.sse.txt')[3]!;
    assert.equal(by.token, ' by');
    // p = e^-0.0390393 = 0.961713; surprisal 0.0390393 / ln 2 = 0.0563 bits; margin 0.961713 − e^-3.289039 (0.037290)
    // = 0.924423; entropy of the five renormalised = 0.24109 bits, / log2 5 = 0.10383.
    close(tokenValue('probability', by)?.value, 0.9617129248997317);
    close(tokenValue('surprisal', by)?.value, 0.056321786787927444);
    close(tokenValue('margin', by)?.value, 0.9244232712702565);
    close(tokenValue('entropy', by)?.value, 0.10383027751041317);
    close(tokenValue('entropy', by)?.bits, 0.24108643845137978);
    assert.equal(tokenValue('rank', by)?.value, 1);
    // Buckets: p ≥ 0.95 → 9; 0.056 bits < 0.15 → 9; margin ≥ 0.85 → 9; rank 1 → 9; entropy in [0.1, 0.2) → 7.
    assert.deepEqual(buckets(by), { probability: 9, surprisal: 9, margin: 9, rank: 9, entropy: 7 });
  });

  it('reads a two-way choice (Azure " =" 62.0 % against " equals" 37.6 %)', () => {
    const equals = recordedTokens('azure-openai-chat-stream-top3-llamastack.sse.txt')[4]!;
    assert.equal(equals.token, ' =');
    // margin 0.619860 − 0.375964 = 0.243896 → [0.2, 0.3) → bucket 5; surprisal 0.478262 / ln 2 = 0.68999 bits →
    // [0.5, 1) → bucket 7; p in [0.5, 0.65) → 6; entropy 0.99131 bits / log2 3 = 0.62545 → [0.6, 0.7) → bucket 2.
    close(tokenValue('margin', equals)?.value, 0.24389571220839346);
    close(tokenValue('entropy', equals)?.value, 0.6254500730683695);
    assert.deepEqual(buckets(equals), { probability: 6, surprisal: 7, margin: 5, rank: 9, entropy: 2 });
    assert.equal(describeValue('margin', tokenValue('margin', equals)!), 'margin 24.4 points');
  });

  it('reads llama.cpp\'s "ё" (67.4 % against "еч" 32.6 %)', () => {
    const yo = recordedTokens('llamacpp-oai-chat-stream-multibyte-issue.sse.txt')[2]!;
    // margin 0.673689 − 0.326195 = 0.347494 → [0.3, 0.45) → bucket 6; entropy 0.91257 / log2 5 = 0.39302 → 5.
    close(tokenValue('margin', yo)?.value, 0.3474942045495343);
    assert.deepEqual(buckets(yo), { probability: 7, surprisal: 7, margin: 6, rank: 9, entropy: 5 });
  });

  it('reads a sampled token that is not among its alternatives (legacy completions " goal")', () => {
    const body = JSON.parse(readFixture('openai-legacy-completions-logprobs-issue38.json')) as { choices: unknown[] };
    const goal = completionChoiceDelta(body.choices[0]).tokens[0]!;
    const view: TokenView = { token: goal.token, logprob: goal.logprob, alternatives: goal.top_logprobs ?? [] };
    // Not listed: rank ∞ → bucket 0. Margin between the listed "_" 0.121958 and "/" 0.079845 = 0.042113 → [0.02, 0.05)
    // → bucket 1, a near tie. The six known hold 36.7 %: the entropy 2.18119 bits / log2 6 = 0.84380 is a lower bound.
    assert.equal(tokenValue('rank', view)?.value, Number.POSITIVE_INFINITY);
    close(tokenValue('margin', view)?.value, 0.04211250259819514);
    const entropy = tokenValue('entropy', view)!;
    close(entropy.value, 0.8437982716541683);
    assert.equal(entropy.atLeast, true);
    assert.deepEqual(buckets(view), { probability: 0, surprisal: 0, margin: 1, rank: 0, entropy: 1 });
    assert.equal(describeValue('margin', tokenValue('margin', view)!), 'margin 4.2 points (near tie)');
    assert.equal(describeValue('rank', tokenValue('rank', view)!), 'not among the 5 alternatives');
    assert.equal(describeValue('entropy', entropy), 'entropy 0.84 of the most (≥ 2.18 bits over 6 alternatives)');
  });

  it('leaves rank, margin and entropy uncoloured without alternatives (Responses API), probability coloured', () => {
    const first = recordedTokens('openai-responses-logprobs-stream.sse.txt')[0]!;
    assert.equal(first.alternatives.length, 0);
    for (const mode of ['rank', 'margin', 'entropy'] as const) assert.equal(tokenValue(mode, first), undefined, mode);
    close(tokenValue('probability', first)?.value, Math.exp(-1.9361264946837764e-7));
  });

  it('buckets every recorded token in every mode into 0–9, or leaves it uncoloured', () => {
    const fixtures = ['openai-chat-stream-top5-llamastack.sse.txt', 'azure-openai-chat-stream-top3-llamastack.sse.txt',
      'llamacpp-oai-chat-stream-multibyte-issue.sse.txt', 'openai-responses-logprobs-stream.sse.txt', 'openai-chat-stream-logprobs-refusal.sse.txt'];
    for (const fixture of fixtures) {
      for (const token of recordedTokens(fixture)) {
        for (const [mode, bucket] of Object.entries(buckets(token))) {
          assert.ok(bucket === undefined || (Number.isInteger(bucket) && bucket >= 0 && bucket <= 9), `${fixture} ${mode}: ${bucket}`);
        }
      }
    }
  });
});

describe('colour modes: edge cases of one position', () => {
  it('takes a runner-up that was not returned into account when one alternative is all there is', () => {
    // p = 0.7 alone: the other 0.3 may be one token → margin at least 0.7 − 0.3 = 0.4.
    const reading = tokenValue('margin', { token: 'a', logprob: Math.log(0.7), alternatives: [{ token: 'a', logprob: Math.log(0.7) }] });
    close(reading?.value, 0.4);
    assert.equal(reading?.atLeast, true);
  });

  it('does not call a token listed twice a tie with itself', () => {
    const twice = { token: 'a', logprob: Math.log(0.6), alternatives: [{ token: 'a', logprob: Math.log(0.6) }, { token: 'a', logprob: Math.log(0.6) }, { token: 'b', logprob: Math.log(0.3) }] };
    close(tokenValue('margin', twice)?.value, 0.3);
    assert.equal(tokenValue('rank', twice)?.value, 1);
    close(tokenValue('entropy', twice)?.bits, 0.9182958340544896, 'H(2/3, 1/3), not over three entries');
  });

  it('treats -9999 and -Infinity alternatives as probability 0', () => {
    const sentinel = { token: 'a', logprob: Math.log(0.9), alternatives: [{ token: 'a', logprob: Math.log(0.9) }, { token: 'x', logprob: -9999 }, { token: 'y', logprob: Number.NEGATIVE_INFINITY }] };
    // Runner-up: max(0, a tail token up to 0.1) → margin ≥ 0.8. Entropy over the one positive alternative: 0.
    close(tokenValue('margin', sentinel)?.value, 0.8);
    assert.equal(tokenValue('entropy', sentinel)?.value, 0);
  });
});

describe('colour modes: placements of several tokens', () => {
  // One character from two tokens: " =" (62.0 %, margin 0.2439) and " " (97.1 %, margin 0.9414).
  const tokens = recordedTokens('azure-openai-chat-stream-top3-llamastack.sse.txt').slice(4, 6);

  it('joins probability and surprisal, takes the worst for margin, rank and entropy', () => {
    // Joint: e^(-0.478262 − 0.029750) = e^-0.508013 = 0.601686; surprisal 0.508013 / ln 2 = 0.73291 bits.
    close(placementValue('probability', tokens)?.value, Math.exp(-0.47826242446899414 - 0.029750484973192215));
    close(placementValue('surprisal', tokens)?.value, (0.47826242446899414 + 0.029750484973192215) / Math.LN2);
    close(placementValue('margin', tokens)?.value, 0.24389571220839346);
    close(placementValue('entropy', tokens)?.value, 0.6254500730683695);
    assert.equal(placementValue('rank', tokens)?.value, 1);
  });

  it('is uncoloured when one token lacks what the mode needs', () => {
    const bare: TokenView = { token: 'x', logprob: -0.1, alternatives: [] };
    assert.equal(placementValue('margin', [...tokens, bare]), undefined);
    assert.equal(placementValue('probability', [{ token: 'x', logprob: null, alternatives: [] }]), undefined);
    close(placementValue('probability', [...tokens, bare])?.value, Math.exp(-0.47826242446899414 - 0.029750484973192215 - 0.1));
    assert.equal(placementValue('rank', []), undefined);
  });
});

describe('colour modes: buckets, thresholds, legend, uncertainty', () => {
  it('puts a value on a threshold into the bucket above it in value, whichever way the mode runs', () => {
    const { margin, surprisal } = MODE_DEFAULTS;
    assert.equal(bucketOfValue('margin', 0.02, margin.thresholds), 1);
    assert.equal(bucketOfValue('margin', 0.0199, margin.thresholds), 0);
    assert.equal(bucketOfValue('surprisal', 7, surprisal.thresholds), 0, '7 bits and above: least certain');
    assert.equal(bucketOfValue('surprisal', 6.99, surprisal.thresholds), 1);
    assert.equal(bucketOfValue('surprisal', 0.149, surprisal.thresholds), 9);
    assert.equal(bucketOfValue('surprisal', 0.15, surprisal.thresholds), 8);
    assert.equal(bucketOfValue('rank', Number.POSITIVE_INFINITY, []), 0);
    assert.equal(bucketOfValue('rank', 3, []), 7);
    assert.equal(bucketOfValue('probability', 0.5, DEFAULT_THRESHOLDS), 6);
  });

  it('maps ranks to buckets (GLTR)', () => {
    assert.deepEqual([1, 2, 3, 4, 10, 11, 20, undefined].map(rankBucket), [9, 7, 7, 5, 5, 2, 2, 0]);
  });

  it('says which values are uncertain in each mode', () => {
    assert.equal(isUncertain('probability', 0.49, 0.5), true);
    assert.equal(isUncertain('probability', 0.5, 0.5), false);
    assert.equal(isUncertain('margin', 0.099, 0.1), true);
    assert.equal(isUncertain('entropy', 0.5, 0.5), true);
    assert.equal(isUncertain('surprisal', 0.99, 1), false);
    assert.equal(isUncertain('rank', 1, MODE_DEFAULTS.rank.uncertain), false);
    assert.equal(isUncertain('rank', 2, MODE_DEFAULTS.rank.uncertain), true);
    assert.equal(isUncertain('rank', Number.POSITIVE_INFINITY, MODE_DEFAULTS.rank.uncertain), true);
  });

  it('labels the legend per mode, bucket 0 first', () => {
    const margin = legendLabels('margin', MODE_DEFAULTS.margin.thresholds);
    assert.equal(margin[0], '0–<2 points (near tie)');
    assert.equal(margin[5], '20–<30 points');
    assert.equal(margin[9], '85–100 points');
    const surprisal = legendLabels('surprisal', MODE_DEFAULTS.surprisal.thresholds);
    assert.equal(surprisal[0], '7 bits and above');
    assert.equal(surprisal[8], '0.15–<0.5 bits');
    assert.equal(surprisal[9], '0–<0.15 bits');
    const entropy = legendLabels('entropy', MODE_DEFAULTS.entropy.thresholds);
    assert.equal(entropy[0], '0.85–1 of the most');
    assert.equal(entropy[9], '0–<0.05 of the most');
    assert.equal(legendLabels('probability', DEFAULT_THRESHOLDS)[0], '0–<1 %');
    assert.equal(legendLabels('rank', [])[9], 'rank 1 (the model\'s first choice)');
  });

  it('describes readings for the hover', () => {
    const reading = (value: number, extra: Partial<Reading> = {}): Reading => ({ value, atLeast: false, ...extra });
    assert.equal(describeValue('margin', reading(0.032)), 'margin 3.2 points (near tie)');
    assert.equal(describeValue('margin', reading(0.4, { atLeast: true })), 'margin ≥ 40.0 points');
    assert.equal(describeValue('surprisal', reading(3.0589)), 'surprisal 3.06 bits');
    assert.equal(describeValue('probability', reading(0.42)), 'probability 42.00 %');
    assert.equal(describeValue('rank', reading(3, { count: 5 })), 'rank 3 of 5');
  });

  it('says what uncertain means in each mode', () => {
    assert.equal(describeUncertain('probability', 0.5), 'probability below 50 %');
    assert.equal(describeUncertain('rank', MODE_DEFAULTS.rank.uncertain), 'not the model\'s first choice');
    assert.equal(describeUncertain('margin', 0.1), 'margin below 10 points (near ties)');
    assert.equal(describeUncertain('entropy', 0.5), 'entropy 0.5 of the most or more');
    assert.equal(describeUncertain('surprisal', 1), 'surprisal 1 bit or more');
    assert.equal(describeUncertain('surprisal', 2.5), 'surprisal 2.5 bits or more');
  });

  it('validates thresholds against each mode\'s range', () => {
    for (const mode of COLOUR_MODES) {
      if (mode !== 'rank') assert.equal(validateModeThresholds(mode, MODE_DEFAULTS[mode].thresholds), undefined, mode);
    }
    assert.match(validateModeThresholds('surprisal', [0.1, 0.5, 1, 2, 3, 4, 5, 6, 80]) ?? '', /between 0 and 64/);
    assert.match(validateModeThresholds('margin', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1]) ?? '', /between 0 and 1/);
    assert.match(validateModeThresholds('entropy', [0.1, 0.2, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) ?? '', /ascending/);
    assert.match(validateModeThresholds('entropy', 'low') ?? '', /exactly 9/);
    assert.match(validateModeThresholds('rank', [1, 2, 3, 4, 5, 6, 7, 8, 9]) ?? '', /fixed/);
  });
});

describe('rank colouring in an answer', () => {
  it('colours by the rank of the sampled token among the alternatives (GLTR)', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS, 'rank');
    answer.inserted(answer.append('abcd', [
      entry('a', -0.1, [['a', -0.1], ['x', -3]]),
      entry('b', -2, [['x', -0.5], ['y', -1], ['b', -2]]),
      entry('c', -9, [['x', -1], ['y', -2]]),
      entry('d', -1, []),
    ]).length);
    assert.equal(answer.bucketOfPlacement(0), 9, 'rank 1');
    assert.equal(answer.bucketOfPlacement(1), 7, 'rank 3');
    assert.equal(answer.bucketOfPlacement(2), 0, 'not among the alternatives');
    assert.equal(answer.bucketOfPlacement(3), NO_BUCKET, 'no alternatives: no rank to show');
  });

  it('switches between modes without losing anything', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    answer.inserted(answer.append('b', [entry('b', -2, [['x', -0.5], ['y', -1], ['b', -2]])]).length);
    assert.equal(answer.bucketOfPlacement(0), 3, 'p = 13.5 %');
    answer.setColouring(DEFAULT_THRESHOLDS, 'rank');
    assert.equal(answer.bucketOfPlacement(0), 7);
    answer.setColouring(DEFAULT_THRESHOLDS, 'probability');
    assert.equal(answer.bucketOfPlacement(0), 3);
  });
});

describe('colour modes in an answer: the top-5 recording', () => {
  // Its nine tokens: The, ␣smallest, ␣continent, ␣by, ␣land, ␣area, ␣is, ␣Australia, ".". Margins (the top two listed
  // probabilities' difference): 0.999329, 0.99999996, 0.999999999, 0.924423, 0.968070, 0.999991, 0.999996, 0.999999,
  // 0.999850. Surprisal −logprob / ln 2 in bits: ␣by 0.056322, ␣land 0.023307, every other below 0.0005.
  // Entropy over the five, as a fraction of log2 5: ␣by 0.10383, ␣land 0.05152, every other below 0.002.
  const answerOf = (thresholds: readonly number[], mode: ColourMode): Answer => {
    const answer = new Answer(0, '\n', thresholds, mode);
    for (const delta of loggedAnswer(readFixture('openai-chat-stream-top5-llamastack.sse.txt')).deltas) answer.inserted(answer.append(delta.text, delta.tokens).length);
    answer.inserted(answer.finish().length);
    return answer;
  };
  const bucketsOf = (answer: Answer): number[] => Array.from({ length: answer.store.placementCount }, (_, i) => answer.bucketOfPlacement(i));
  const marginThresholds = [0.93, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995, 0.999, 0.9999];

  it('colours by margin with the thresholds given, and finds the near ties', () => {
    const answer = answerOf(marginThresholds, 'margin');
    // 0.999329 is at or above 0.999 (8 thresholds) → 8; ␣by's 0.924 is below 0.93 → 0; ␣land's 0.968 ≥ 0.96 → 3;
    // "." 0.999850 → 8; the rest ≥ 0.9999 → 9.
    assert.deepEqual(bucketsOf(answer), [8, 9, 9, 0, 3, 9, 9, 9, 8]);
    assert.deepEqual(answer.uncertainPlacements(0.97), [3, 4], 'margins below 0.97: ␣by and ␣land');
    assert.equal(answer.stats(0.97).uncertain, 2);
  });

  it('recolours the same answer for another mode, and back', () => {
    const answer = answerOf(marginThresholds, 'margin');
    const version = answer.layoutVersion;
    answer.setColouring(MODE_DEFAULTS.entropy.thresholds, 'entropy');
    assert.ok(answer.layoutVersion > version, 'drawn ranges are stale');
    // ␣by 0.1038 is in [0.1, 0.2) → 9 − 2 = 7; ␣land 0.0515 in [0.05, 0.1) → 8; the rest below 0.05 → 9.
    assert.deepEqual(bucketsOf(answer), [9, 9, 9, 7, 8, 9, 9, 9, 9]);
    assert.deepEqual(answer.uncertainPlacements(0.05), [3, 4], 'entropy ≥ 0.05 of the most');
    answer.setColouring(MODE_DEFAULTS.surprisal.thresholds, 'surprisal');
    assert.deepEqual(answer.uncertainPlacements(0.05), [3], 'only ␣by carries 0.05 bits or more');
    assert.equal(describeValue('surprisal', answer.placementReading(3)!), 'surprisal 0.06 bits');
    answer.setColouring(marginThresholds, 'margin');
    assert.deepEqual(bucketsOf(answer), [8, 9, 9, 0, 3, 9, 9, 9, 8]);
    assert.equal(answer.colourMode, 'margin');
  });

  it('leaves an edited token out of the uncertain ones', () => {
    const answer = answerOf(marginThresholds, 'margin');
    const by = answer.store.placement(3);
    answer.applyEdit(by.start + 1, 0, 1);
    assert.deepEqual(answer.uncertainPlacements(0.97), [4]);
  });
});

describe('scored text', () => {
  it('places echoed prompt tokens on the text as it is in the document, CRLF included, the first uncoloured', () => {
    const body = JSON.parse(fs.readFileSync(path.join(syntheticFixtures, 'completions-echo-score.json'), 'utf8')) as { choices: unknown[] };
    const scored = completionChoiceDelta(body.choices[0]);
    const answer = new Answer(10, 'asIs', DEFAULT_THRESHOLDS);
    answer.inserted(answer.append('The quick brown fox', []).length);
    answer.append('', scored.tokens);
    answer.finish();
    assert.equal(answer.length, 19, 'nothing inserted');
    assert.equal(answer.store.placementCount, 4, 'the generated token after the text is not placed');
    assert.equal(answer.bucketOfPlacement(0), NO_BUCKET, 'the first token has no logprob');
  });

  it('leaves CRLF text alone in asIs mode', () => {
    const answer = new Answer(0, 'asIs', DEFAULT_THRESHOLDS);
    assert.equal(answer.append('a\r\nb\n', []), 'a\r\nb\n');
    assert.equal(answer.finish(), '');
  });
});
