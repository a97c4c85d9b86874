import * as assert from 'node:assert/strict';
import type { Distribution, SamplingSettings, TailGroup, TokenLike } from '../../src/core/sampling';
import { distributionOf, entropyBits, findSampled, NEUTRAL_SETTINGS, sampleWithTail, whatIf } from '../../src/core/sampling';
import { readFixture } from '../support/fixtures';
import { loggedAnswer } from '../support/logged';
import { seeded } from '../support/seeded';

const settings = (changes: Partial<SamplingSettings>): SamplingSettings => ({ ...NEUTRAL_SETTINGS, ...changes });
const alternatives = (...pairs: [string, number | null][]): TokenLike[] => pairs.map(([token, logprob]) => ({ token, logprob }));
/** A position whose alternatives have these probabilities (as logprobs), the sampled token being the first. */
const position = (...probabilities: number[]): Distribution => {
  const listed = probabilities.map((p, i) => ({ token: `t${i}`, logprob: Math.log(p) }));
  return distributionOf(listed[0], listed);
};
const close = (actual: number | undefined, expected: number, message?: string): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${message ?? ''} expected ${expected}, got ${actual}`);
};
const closeAll = (actual: readonly number[], expected: readonly number[]): void => {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, i) => close(value, expected[i]!, `[${i}]`));
};

describe('sampling: reading a position', () => {
  it('sorts candidates, finds the sampled token and measures what the alternatives leave uncovered', () => {
    const d = distributionOf({ token: 'b', logprob: Math.log(0.3) }, alternatives(['a', Math.log(0.5)], ['c', Math.log(0.1)], ['b', Math.log(0.3)]));
    assert.deepEqual(d.candidates.map((candidate) => candidate.token), ['a', 'b', 'c']);
    assert.equal(d.chosen, 1);
    close(d.covered, 0.9);
    close(d.others, 0.1); // 1 − (0.5 + 0.3 + 0.1)
    close(d.tailCap, 0.1); // min(others 0.1, least listed 0.1)
  });

  it('treats -9999, -Infinity and a missing logprob as probability 0, and keeps them out of the tail cap', () => {
    const d = distributionOf({ token: 'a', logprob: Math.log(0.9) }, alternatives(['a', Math.log(0.9)], ['x', -9999], ['y', null], ['z', Number.NEGATIVE_INFINITY]));
    assert.deepEqual(d.candidates.map((candidate) => candidate.probability), [0.9, 0, 0, 0]);
    close(d.others, 0.1);
    close(d.tailCap, 0.1, 'the cap is the least positive listed probability (0.9), capped by the others (0.1)');
    const result = whatIf(d, settings({ temperature: 0.5 }));
    assert.deepEqual(result.cuts, [undefined, 'zero', 'zero', 'zero']);
  });

  it('counts an alternative listed twice once, and the same text with another logprob as another token', () => {
    const d = distributionOf({ token: 'a', logprob: Math.log(0.5) }, alternatives(['a', Math.log(0.5)], ['a', Math.log(0.5)], ['b', Math.log(0.3)]));
    assert.equal(d.candidates.length, 2);
    close(d.covered, 0.8);
    // llama.cpp: five byte tokens all printed "�", the sampled one shown decoded (" щ") with the first one's logprob.
    const tokens = loggedAnswer(readFixture('llamacpp-oai-chat-stream-multibyte-issue.sse.txt')).deltas.flatMap((delta) => delta.tokens);
    const shch = tokens[1]!;
    assert.equal(shch.token, ' щ');
    const bytes = distributionOf(shch, shch.top_logprobs ?? []);
    assert.equal(bytes.candidates.length, 5);
    assert.equal(bytes.chosen, 0, 'found by its logprob -0.0000069141628955549095');
    assert.equal(bytes.candidates[0]!.listed, true);
  });

  it('keeps a sampled token that is not among its alternatives as an unlisted candidate (legacy completions)', () => {
    const body = loggedAnswer(readFixture('openai-legacy-completions-logprobs-issue38.json'));
    const goal = body.deltas[0]!.tokens[0]!;
    const d = distributionOf(goal, goal.top_logprobs ?? []);
    assert.equal(d.candidates.length, 6);
    assert.equal(d.chosen, 5, 'p = e^-10.029 = 0.0000441, below the five listed');
    assert.equal(d.candidates[5]!.listed, false);
    const cut = whatIf(d, settings({ topK: 5 }));
    assert.equal(cut.cuts[5], 'topK');
    assert.deepEqual(cut.chosen, { estimate: 0, low: 0, high: 0 });
    close(whatIf(d, NEUTRAL_SETTINGS).chosen?.estimate, Math.exp(-10.029023), 'neutral settings give the model\'s probability');
  });

  it('finds the sampled token by text (the closest logprob when listed twice), else by an equal logprob', () => {
    const listed = alternatives(['x', -1], ['a', -2], ['a', -0.5], ['b', -3]);
    assert.equal(findSampled('a', -0.5000001, listed), 2);
    assert.equal(findSampled('?', -3.0000001, listed), 3, 'within float32 rounding of b');
    assert.equal(findSampled('?', -4, listed), -1);
  });

  it('has no sampled token when its logprob is unknown', () => {
    const d = distributionOf({ token: 'a', logprob: Number.NaN }, alternatives(['a', Math.log(0.6)]));
    assert.equal(d.chosen, -1);
    assert.equal(whatIf(d, NEUTRAL_SETTINGS).chosen, undefined);
  });
});

describe('sampling: each sampler over the returned alternatives (0.5, 0.3, 0.2: nothing uncovered)', () => {
  const d = position(0.5, 0.3, 0.2);

  it('leaves neutral settings alone', () => {
    closeAll(whatIf(d, NEUTRAL_SETTINGS).probabilities, [0.5, 0.3, 0.2]);
  });

  it('sharpens at T = 0.5 and flattens at T = 2', () => {
    // T = 0.5 squares: 0.25, 0.09, 0.04, sum 0.38 → 0.6579, 0.2368, 0.1053.
    closeAll(whatIf(d, settings({ temperature: 0.5 })).probabilities, [0.25 / 0.38, 0.09 / 0.38, 0.04 / 0.38]);
    // T = 2 takes square roots: 0.70711, 0.54772, 0.44721, sum 1.70204 → 0.41545, 0.32180, 0.26275.
    closeAll(whatIf(d, settings({ temperature: 2 })).probabilities, [0.41544591325034014, 0.32180302065369965, 0.26275106609596016]);
  });

  it('is greedy at T = 0 (the limit T → 0⁺), the others cut by temperature', () => {
    const greedy = whatIf(d, settings({ temperature: 0 }));
    assert.deepEqual(greedy.probabilities, [1, 0, 0]);
    assert.deepEqual(greedy.cuts, [undefined, 'temperature', 'temperature']);
  });

  it('keeps the k most likely with top-k, renormalised', () => {
    const result = whatIf(d, settings({ topK: 2 }));
    closeAll(result.probabilities, [0.625, 0.375, 0]); // 0.5 / 0.8, 0.3 / 0.8
    assert.equal(result.cuts[2], 'topK');
    close(result.entropyBits, 0.954434002924965, 'H(0.625, 0.375)');
  });

  it('keeps the smallest prefix reaching p with top-p, 0.5 + 0.3 reaching 0.8 despite rounding', () => {
    closeAll(whatIf(d, settings({ topP: 0.8 })).probabilities, [0.625, 0.375, 0]);
    closeAll(whatIf(d, settings({ topP: 0.81 })).probabilities, [0.5, 0.3, 0.2]);
    const first = whatIf(d, settings({ topP: 0.5 }));
    closeAll(first.probabilities, [1, 0, 0]);
    assert.deepEqual(first.cuts, [undefined, 'topP', 'topP']);
  });

  it('keeps tokens at least min-p times as likely as the top one', () => {
    // min-p 0.5: keep p ≥ 0.25 → 0.5, 0.3.
    const result = whatIf(d, settings({ minP: 0.5 }));
    closeAll(result.probabilities, [0.625, 0.375, 0]);
    assert.equal(result.cuts[2], 'minP');
    closeAll(whatIf(d, settings({ minP: 0.39 })).probabilities, [0.5, 0.3, 0.2]);
  });

  it('applies temperature, then top-k, then top-p, then min-p, each on the renormalised result', () => {
    // Top-k 2 first gives 0.625, 0.375: top-p 0.6 then keeps only the first. On the original, 0.5 < 0.6 keeps two.
    closeAll(whatIf(d, settings({ topK: 2, topP: 0.6 })).probabilities, [1, 0, 0]);
    closeAll(whatIf(d, settings({ topP: 0.6 })).probabilities, [0.625, 0.375, 0]);
    // T = 0.5 first gives 0.658 ≥ 0.6: top-p 0.6 keeps one.
    closeAll(whatIf(d, settings({ temperature: 0.5, topP: 0.6 })).probabilities, [1, 0, 0]);
    // T = 2 then min-p 0.7: ratios √0.6 = 0.775 (kept) and √0.4 = 0.632 (cut) → 0.70711 / 1.25483, 0.54772 / 1.25483.
    closeAll(whatIf(d, settings({ temperature: 2, minP: 0.7 })).probabilities, [0.5635083268962915, 0.43649167310370834, 0]);
  });
});

describe('sampling: ties', () => {
  const tied = (first: string, second: string): Distribution =>
    distributionOf({ token: 'a', logprob: Math.log(0.4) }, alternatives([first, Math.log(0.4)], [second, Math.log(0.4)], ['c', Math.log(0.2)]));

  it('shares T = 0 equally between tokens tied for most likely', () => {
    closeAll(whatIf(tied('a', 'b'), settings({ temperature: 0 })).probabilities, [0.5, 0.5, 0]);
    assert.deepEqual(whatIf(tied('a', 'b'), settings({ temperature: 0 })).chosen, { estimate: 0.5, low: 0.5, high: 0.5 });
  });

  it('breaks ties for top-k and top-p in the order the backend listed them', () => {
    closeAll(whatIf(tied('a', 'b'), settings({ topK: 1 })).probabilities, [1, 0, 0]);
    const bFirst = tied('b', 'a');
    assert.equal(bFirst.candidates[bFirst.chosen]!.token, 'a');
    assert.equal(bFirst.chosen, 1);
    assert.equal(whatIf(bFirst, settings({ topK: 1 })).cuts[1], 'topK');
    assert.equal(whatIf(bFirst, settings({ topP: 0.4 })).cuts[1], 'topP');
  });
});

describe('sampling: the unknown tail', () => {
  it('is exact at neutral settings, whatever the tail', () => {
    const d = position(0.6); // one alternative, 0.4 unknown
    assert.deepEqual(whatIf(d, NEUTRAL_SETTINGS).chosen, { estimate: 0.6, low: 0.6, high: 0.6 });
    close(whatIf(d, NEUTRAL_SETTINGS).tail, 0.4);
  });

  it('cannot matter once top-k keeps only returned tokens', () => {
    assert.deepEqual(whatIf(position(0.6), settings({ topK: 1 })).chosen, { estimate: 1, low: 1, high: 1 });
  });

  it('bounds top-p by how much of the tail the nucleus must take', () => {
    // 0.6 alone does not reach 0.7. Many tiny tail tokens: the nucleus takes 0.1 of them → 0.6 / 0.7 = 0.857.
    // One tail token of 0.4 (the model the estimate uses): the nucleus takes it whole → 0.6 / 1.0.
    const result = whatIf(position(0.6), settings({ topP: 0.7 })).chosen!;
    close(result.high, 0.6 / 0.7);
    close(result.low, 0.6);
    close(result.estimate, 0.6);
    // 0.6 alone reaches 0.5: the tail cannot enter.
    assert.deepEqual(whatIf(position(0.6), settings({ topP: 0.5 })).chosen, { estimate: 1, low: 1, high: 1 });
  });

  it('bounds temperature below 1 by a lumped tail (most) and one spread over the vocabulary (least)', () => {
    // T = 0.5: the tail token's weight relative to 0.6 is (0.4 / 0.6)² = 4/9 → 1 / (1 + 4/9) = 9/13.
    // Spread over 262,143 tokens: 262,143 × ((0.4 / 262,143) / 0.6)² = (4/9) / 262,143 → 0.9999983.
    const result = whatIf(position(0.6), settings({ temperature: 0.5 })).chosen!;
    close(result.low, 9 / 13);
    close(result.estimate, 9 / 13);
    close(result.high, 1 / (1 + 4 / 9 / 262_143));
  });

  it('bounds temperature above 1 by the vocabulary size', () => {
    // T = 2: one tail token weighs √(0.4/0.6) = 0.8165 → 1 / 1.8165 = 0.5505 (high).
    // Spread over 262,143 tokens: √(262,143 × 0.4 / 0.6) = 418.04 → 1 / 419.04 = 0.00239 (low).
    const wide = whatIf(position(0.6), settings({ temperature: 2 })).chosen!;
    close(wide.high, 1 / (1 + Math.sqrt(0.4 / 0.6)));
    close(wide.low, 1 / (1 + Math.sqrt(262_143 * 0.4 / 0.6)));
    // A vocabulary of 3: two tail tokens of 0.2 at most spread → √0.6 / (√0.6 + 2√0.2) = 0.46410.
    close(whatIf(position(0.6), settings({ temperature: 2 }), 3).chosen!.low, Math.sqrt(0.6) / (Math.sqrt(0.6) + 2 * Math.sqrt(0.2)));
  });

  it('models the tail as copies of the least likely returned token for the estimate', () => {
    // 0.5, 0.2 listed; 0.3 unknown, each tail token at most 0.2 → one of 0.2 and one of 0.1.
    const result = whatIf(position(0.5, 0.2), settings({ temperature: 0.5 }));
    assert.deepEqual(result.tailModel.map((group) => group.count), [1, 1]);
    close(result.tailModel[0]!.probability, 0.2);
    close(result.tailModel[1]!.probability, 0.1);
    // Squares 0.25, 0.04 | 0.04, 0.01 → 0.25 / 0.34.
    close(result.chosen?.estimate, 0.25 / 0.34);
    close(result.tail, 0.05 / 0.34);
  });

  it('holds its bounds for random tails and settings', () => {
    // Seeded: the same 3,000 cases every run.
    const random = seeded(12345);
    const temperatures = [0, 0.3, 0.7, 1, 1.5, 2];
    for (let round = 0; round < 3000; round++) {
      const raw = Array.from({ length: 1 + Math.floor(random() * 5) }, () => random() ** 3 + 1e-6).sort((a, b) => b - a);
      const floor = raw.at(-1)!;
      const rawTail = Array.from({ length: Math.floor(random() * 4) }, () => ({ probability: floor * (random() < 0.3 ? 1 : random()), count: 1 + Math.floor(random() ** 2 * 40) }));
      const total = raw.reduce((sum, p) => sum + p, 0) + rawTail.reduce((sum, group) => sum + group.probability * group.count, 0);
      const listed = raw.map((p, i) => ({ token: `t${i}`, logprob: Math.log(p / total) }));
      const tail: TailGroup[] = rawTail.map((group) => ({ probability: group.probability / total, count: group.count }));
      const d = distributionOf(listed[Math.floor(random() * listed.length)], listed);
      const s = settings({
        temperature: random() < 0.2 ? random() * 2 : temperatures[Math.floor(random() * temperatures.length)]!,
        topK: random() < 0.5 ? 0 : 1 + Math.floor(random() * 8),
        topP: random() < 0.5 ? 1 : 0.05 + random() * 0.95,
        minP: random() < 0.5 ? 0 : random() * 0.5,
      });
      const vocabulary = listed.length + tail.reduce((sum, group) => sum + group.count, 0) + Math.floor(random() * 50);
      const exact = sampleWithTail(d, s, tail).probabilities[d.chosen]!;
      const { low, high } = whatIf(d, s, vocabulary).chosen!;
      assert.ok(exact >= low - 1e-9 && exact <= high + 1e-9, `case ${round}: ${exact} outside [${low}, ${high}] for ${JSON.stringify({ listed, tail, s })}`);
    }
  });
});

describe('sampling: entropy', () => {
  it('is in bits over the renormalised weights', () => {
    // −(0.5 log2 0.5 + 0.3 log2 0.3 + 0.2 log2 0.2) = 0.5 + 0.5211 + 0.4644 = 1.4855.
    close(entropyBits([0.5, 0.3, 0.2]), 1.4854752972273344);
    close(entropyBits([2, 1, 1]), 1.5, '0.5, 0.25, 0.25');
    assert.equal(entropyBits([]), 0);
    assert.equal(entropyBits([0, 0]), 0);
    assert.equal(entropyBits([1]), 0);
  });
});
