/**
 * What-if sampling over the alternatives a backend returned for one position: temperature, top-k, top-p and min-p
 * applied to the returned logprobs, the entropy of the result, and how much the unknown rest of the vocabulary (the
 * "others", 1 − Σp of what was returned) can change the answer.
 *
 * Order of the samplers: temperature → top-k → top-p → min-p, each filter renormalising what it keeps. This is the
 * order of Hugging Face Transformers (`GenerationMixin._get_logits_processor`, src/transformers/generation/utils.py,
 * appends the temperature, top-k, top-p and min-p warpers in that order). Servers differ: vLLM's V1 sampler applies
 * min-p right after temperature, before top-k/top-p (vllm-project/vllm `vllm/v1/sample/sampler.py` @3e342658,
 * docstring steps 7b–7d), which gives another result only when top-p and min-p are both set; llama.cpp's default
 * chain applies temperature last, after top_k;typ_p;top_p;min_p (ggml-org/llama.cpp `common/common.h` @001d906a,
 * `common_params_sampling::samplers`).
 *
 * Definitions (each tested against hand-computed cases in test/unit/sampling.test.ts):
 * - Temperature T > 0 scales logprobs by 1/T and renormalises. T = 0 is the limit T → 0⁺: all probability on the
 *   most likely token; tokens tied for most likely share it equally (a server's argmax picks one of them by an
 *   order the response does not show).
 * - Top-k keeps the k most likely tokens (k = 0: off).
 * - Top-p keeps the smallest prefix of the tokens, most likely first, whose cumulative probability reaches p (1: off);
 *   a cumulative within 1e-12 of p counts as reaching it, so 0.5 + 0.3 reaches 0.8 despite binary rounding.
 * - Min-p keeps the tokens whose probability is at least min_p × the most likely one's (0: off).
 * - Ties are ordered as the backend listed the tokens (its own ranking), and every token that was not returned ranks
 *   after every returned one: the backend returned its top k, so its own tie-break already put them there.
 * - Alternatives listed twice with the same text and logprob are one token. The same text with another logprob is
 *   another token (byte tokens that several backends all print as "�").
 * - `-9999` (OpenAI's "not in the top 20", vLLM's clamp of −∞), `-Infinity` and missing logprobs are probability 0.
 *
 * The unknown tail: the tokens that were not returned hold `others` of the probability, each at most as likely as
 * the least likely returned token (`tailCap`), and there are at most `vocabularySize` tokens in all. The point
 * estimate models that tail as the fewest tokens it can be: copies of a token as likely as `tailCap` (the tail
 * "continues like the last returned token"), which is exact whenever the settings are neutral. `ChosenRange` gives
 * the bounds that hold for every tail shape within those constraints.
 */
import { cleanLogprob } from './logprob';

export interface SamplingSettings {
  /** 0 is greedy (the limit T → 0⁺); 1 leaves the distribution as it is. */
  readonly temperature: number;
  /** Keep the k most likely tokens; 0 is off. */
  readonly topK: number;
  /** Keep the smallest set whose probability reaches p; 1 is off. */
  readonly topP: number;
  /** Keep tokens at least this fraction as likely as the most likely one; 0 is off. */
  readonly minP: number;
}

export const NEUTRAL_SETTINGS: SamplingSettings = { temperature: 1, topK: 0, topP: 1, minP: 0 };

/** The order in which `whatIf` applies the samplers, as the inspector states it. */
export const SAMPLER_ORDER_TEXT = 'temperature → top-k → top-p → min-p';

/**
 * A bound on the vocabulary size, for how thinly the unknown tail can spread (it matters at temperatures above 1):
 * 2^18, above o200k (GPT-4o), Llama 3 (128k), Qwen 2.5 (152k) and Gemma (256k).
 */
export const DEFAULT_VOCABULARY_BOUND = 262_144;

/** Why a token's probability is 0 under the settings. */
export type Cut = 'zero' | 'temperature' | 'topK' | 'topP' | 'minP';

/** A token that may be sampled at this position, as far as the response tells. */
export interface Candidate {
  readonly token: string;
  /** ≤ 0; `-Infinity` when the backend gave none. */
  readonly logprob: number;
  readonly probability: number;
  /** False for the sampled token when it is not among the returned alternatives (it is known all the same). */
  readonly listed: boolean;
}

export interface Distribution {
  /** By descending probability; ties in the order the backend listed them. */
  readonly candidates: readonly Candidate[];
  /** Index of the sampled token among `candidates`, or -1 when its logprob is unknown. */
  readonly chosen: number;
  /** Probability the candidates hold together (at most 1). */
  readonly covered: number;
  /** Probability of every token that was not returned: 1 − covered. */
  readonly others: number;
  /** The most a token that was not returned can have. */
  readonly tailCap: number;
}

export interface TokenLike {
  readonly token: string;
  readonly logprob: number | null | undefined;
}

/**
 * Reads one position: the sampled token and its returned alternatives (see `findSampled` for how the sampled token
 * is found among them; when it is not, it is a candidate all the same, marked unlisted).
 */
export function distributionOf(sampled: TokenLike | undefined, alternatives: readonly TokenLike[]): Distribution {
  const listed: Candidate[] = [];
  // The candidate each alternative is (a repeat maps to its first listing).
  const candidateOf: Candidate[] = [];
  for (const alternative of alternatives) {
    const logprob = cleanLogprob(alternative.logprob) ?? Number.NEGATIVE_INFINITY;
    let candidate = listed.find((seen) => seen.logprob === logprob && seen.token === alternative.token);
    if (!candidate) {
      candidate = { token: alternative.token, logprob, probability: Math.exp(logprob), listed: true };
      listed.push(candidate);
    }
    candidateOf.push(candidate);
  }
  const sampledLogprob = cleanLogprob(sampled?.logprob);
  let chosen: Candidate | undefined;
  if (sampled && sampledLogprob !== undefined) {
    chosen = candidateOf[findSampled(sampled.token, sampledLogprob, alternatives)]
      ?? { token: sampled.token, logprob: sampledLogprob, probability: Math.exp(sampledLogprob), listed: false };
  }
  const candidates = chosen && !chosen.listed ? [...listed, chosen] : listed;
  // Stable: equal probabilities keep the backend's order, and the unlisted sampled token (last) stays after them.
  candidates.sort((a, b) => b.probability - a.probability);
  const covered = Math.min(1, candidates.reduce((sum, candidate) => sum + candidate.probability, 0));
  // Below 1e-12 the remainder is the rounding of the sum, not a tail (it would grow visibly at T = 2).
  const others = covered > 1 - 1e-12 ? 0 : 1 - covered;
  let smallestListed = Number.POSITIVE_INFINITY;
  for (const candidate of listed) if (candidate.probability > 0) smallestListed = Math.min(smallestListed, candidate.probability);
  return { candidates, chosen: chosen ? candidates.indexOf(chosen) : -1, covered, others, tailCap: Math.min(others, smallestListed) };
}

/**
 * Index of the sampled token among its alternatives, or -1: by its text (the closest logprob when the text is
 * listed several times), else by an equal logprob (llama.cpp prints a partial UTF-8 token as "�" among the
 * alternatives and decoded in the token). "Equal" is within a relative 1e-6: stored alternatives are float32.
 */
export function findSampled(token: string, logprob: number, alternatives: readonly TokenLike[]): number {
  let byText = -1;
  let byTextDistance = Number.POSITIVE_INFINITY;
  for (let i = 0; i < alternatives.length; i++) {
    if (alternatives[i]!.token !== token) continue;
    const distance = Math.abs((cleanLogprob(alternatives[i]!.logprob) ?? Number.NEGATIVE_INFINITY) - logprob);
    if (byText < 0 || distance < byTextDistance) {
      byText = i;
      byTextDistance = distance;
    }
  }
  if (byText >= 0) return byText;
  const tolerance = 1e-6 * Math.max(1, Math.abs(logprob));
  return alternatives.findIndex((alternative) => Math.abs((cleanLogprob(alternative.logprob) ?? Number.NEGATIVE_INFINITY) - logprob) <= tolerance);
}

/** Entropy in bits of the distribution the weights describe once renormalised; 0 for an empty or all-zero one. */
export function entropyBits(weights: readonly number[]): number {
  let total = 0;
  for (const weight of weights) total += weight;
  if (!(total > 0)) return 0;
  let bits = 0;
  for (const weight of weights) {
    const q = weight / total;
    if (q > 0) bits -= q * Math.log2(q);
  }
  return bits;
}

/** A run of `count` tokens that were not returned, each of probability `probability`. */
export interface TailGroup {
  readonly probability: number;
  readonly count: number;
}

export interface SampledPosition {
  /** Per candidate (same order as the distribution's): its probability under the settings, 0 when cut. */
  readonly probabilities: readonly number[];
  /** Per candidate: which sampler removed it, `undefined` when it survives. */
  readonly cuts: readonly (Cut | undefined)[];
  /** Probability the tail tokens hold together under the settings. */
  readonly tail: number;
}

/**
 * Applies the settings to the candidates plus a concrete tail (the exact result for that tail). `whatIf` calls it
 * with the modelled tail; tests call it with arbitrary tails to check the bounds.
 */
export function sampleWithTail(distribution: Distribution, settings: SamplingSettings, tail: readonly TailGroup[]): SampledPosition {
  const groups: Group[] = distribution.candidates.map((candidate, index) => ({
    logprob: candidate.logprob, count: 1, candidate: index, order: candidate.listed ? 0 : 2,
  }));
  for (const group of tail) {
    if (group.count > 0 && group.probability > 0) groups.push({ logprob: Math.log(group.probability), count: group.count, candidate: -1, order: 1 });
  }
  groups.sort((a, b) => b.logprob - a.logprob || a.order - b.order || a.candidate - b.candidate);
  const kept = runSamplers(groups, settings);
  const probabilities = new Array<number>(distribution.candidates.length).fill(0);
  const cuts = new Array<Cut | undefined>(distribution.candidates.length).fill(undefined);
  let tailShare = 0;
  groups.forEach((group, i) => {
    const share = kept.weights[i]! * kept.counts[i]! / kept.total;
    if (group.candidate < 0) tailShare += kept.total > 0 ? share : 0;
    else {
      probabilities[group.candidate] = kept.total > 0 ? share : 0;
      cuts[group.candidate] = kept.cuts[i];
    }
  });
  return { probabilities, cuts, tail: tailShare };
}

interface Group {
  readonly logprob: number;
  readonly count: number;
  /** Index among the candidates; -1 for the tail. */
  readonly candidate: number;
  /** Tie-break at equal logprob: listed (0), then the tail (1), then an unlisted sampled token (2). */
  readonly order: number;
}

/** Weights per token (relative to the most likely), kept counts and cut reasons per group, groups sorted. */
function runSamplers(groups: readonly Group[], settings: SamplingSettings): { weights: number[]; counts: number[]; cuts: (Cut | undefined)[]; total: number } {
  const top = groups.length > 0 ? groups[0]!.logprob : Number.NEGATIVE_INFINITY;
  const weights = groups.map((group) => (top === Number.NEGATIVE_INFINITY ? 0 : temper(group.logprob - top, settings.temperature)));
  const counts = groups.map((group) => group.count);
  const cuts = groups.map((group, i): Cut | undefined => (Math.exp(group.logprob) === 0 ? 'zero' : weights[i] === 0 ? 'temperature' : undefined));
  const cut = (i: number, reason: Cut): void => {
    counts[i] = 0;
    cuts[i] ??= reason;
  };
  if (settings.topK > 0) {
    let room = settings.topK;
    groups.forEach((_, i) => {
      counts[i] = Math.min(counts[i]!, room);
      room -= counts[i];
      if (counts[i] === 0) cut(i, 'topK');
    });
  }
  let total = weightedSum(weights, counts);
  if (settings.topP < 1) {
    const target = settings.topP * total;
    let cumulative = 0;
    groups.forEach((_, i) => {
      if (counts[i] === 0 || weights[i] === 0) return;
      if (cumulative >= target - 1e-12 * total) return cut(i, 'topP');
      const needed = Math.max(1, Math.ceil((target - cumulative) / weights[i]! - 1e-9));
      counts[i] = Math.min(counts[i]!, needed);
      cumulative += counts[i] * weights[i]!;
    });
  }
  if (settings.minP > 0) {
    // The most likely token survives every filter: its weight is the largest still kept.
    const largest = weights.find((weight, i) => counts[i]! > 0 && weight > 0) ?? 0;
    groups.forEach((_, i) => {
      if (counts[i]! > 0 && weights[i]! < settings.minP * largest) cut(i, 'minP');
    });
  }
  total = weightedSum(weights, counts);
  return { weights, counts, cuts, total };
}

function weightedSum(weights: readonly number[], counts: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i]! * counts[i]!;
  return sum;
}

/**
 * A probability ratio (as a log, ≤ 0) after temperature: its 1/T power, with T = 0 as the limit T → 0⁺ (1 for a tie
 * with the top, within the rounding of a logprob's round trip through `exp` and `log`).
 */
function temper(logRatio: number, temperature: number): number {
  if (temperature === 0) return logRatio >= -1e-12 ? 1 : 0;
  return Math.exp(logRatio / temperature);
}

/** The sampled token's probability under the settings: the modelled tail's value and the bounds over every tail. */
export interface ChosenRange {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

export interface WhatIf extends SampledPosition {
  /** Undefined when the sampled token's logprob is unknown. */
  readonly chosen: ChosenRange | undefined;
  /** Entropy (bits) of the candidates' probabilities under the settings, renormalised over them. */
  readonly entropyBits: number;
  /** The tail model behind the estimate: `count` tokens as likely as `tailCap`, and one holding the remainder. */
  readonly tailModel: readonly TailGroup[];
}

/** The what-if for one position: each candidate under the settings, the tail's share, the sampled token's range. */
export function whatIf(distribution: Distribution, settings: SamplingSettings, vocabularySize = DEFAULT_VOCABULARY_BOUND): WhatIf {
  const tailModel = modelledTail(distribution);
  const sampled = sampleWithTail(distribution, settings, tailModel);
  const { chosen } = distribution;
  let range: ChosenRange | undefined;
  if (chosen >= 0) {
    const estimate = sampled.probabilities[chosen]!;
    const bounds = chosenBounds(distribution, settings, vocabularySize);
    // The estimate is one admissible tail, so it lies within the bounds; clamping only absorbs rounding.
    range = { estimate, low: Math.min(bounds.low, estimate), high: Math.max(bounds.high, estimate) };
  }
  return { ...sampled, chosen: range, entropyBits: entropyBits(sampled.probabilities), tailModel };
}

/** The fewest tokens the tail can be: copies of a token as likely as the cap, plus one for the remainder. */
function modelledTail({ others, tailCap }: Distribution): TailGroup[] {
  if (!(others > 0 && tailCap > 0)) return [];
  const full = Math.floor(others / tailCap + 1e-9);
  const remainder = others - full * tailCap;
  return remainder > others * 1e-9 ? [{ probability: tailCap, count: full }, { probability: remainder, count: 1 }] : [{ probability: tailCap, count: full }];
}

export function isNeutral(settings: SamplingSettings): boolean {
  return settings.temperature === 1 && !(settings.topK > 0) && !(settings.topP < 1) && !(settings.minP > 0);
}

/**
 * Bounds on the sampled token's probability under the settings over every tail the response allows: tokens each at
 * most `tailCap`, together `others`, at most `vocabularySize` tokens in all. Every tail token ranks after the known
 * ones, so the tail acts through two numbers: its weight that top-k lets through (σ, see `tailWeights`), and the
 * part of it that ends in the result (F). Top-p's nucleus over the known tokens only grows with σ, and the sampled
 * token's final probability is w / (known weight kept + F), so:
 * - high: the least σ that still keeps the sampled token (a larger σ may be needed to keep it), the known tokens
 *   the nucleus needs at that σ, and the least F (what the nucleus must take from the tail when min-p is off);
 * - low: 0 when the least σ lets top-p cut the sampled token; else the most σ, its nucleus, and the most F (all of
 *   σ, or the spill past the known tokens plus one tail token, or the tail tokens min-p can keep).
 * test/unit/sampling.test.ts checks these bounds against random concrete tails.
 */
function chosenBounds(distribution: Distribution, settings: SamplingSettings, vocabularySize: number): { low: number; high: number } {
  const sampled = distribution.candidates[distribution.chosen]!;
  if (isNeutral(settings)) return { low: sampled.probability, high: sampled.probability };
  const known = distribution.candidates.filter((candidate) => candidate.probability > 0);
  const rank = known.indexOf(sampled);
  if (rank < 0) return { low: 0, high: 0 };
  if (!known.some((candidate) => candidate.listed)) return { low: 0, high: 1 };
  const { temperature, topK, topP, minP } = settings;
  const topLog = known[0]!.logprob;
  // Top-k: the known tokens it keeps, and how many tail tokens it lets through.
  const keptKnown = topK > 0 ? Math.min(known.length, topK) : known.length;
  const tailSlots = topK > 0 ? Math.max(0, topK - known.length) : Number.POSITIVE_INFINITY;
  const nucleus = new KnownNucleus(known.slice(0, keptKnown).map((candidate) => temper(candidate.logprob - topLog, temperature)), topP, minP);
  if (rank >= keptKnown || nucleus.weights[rank]! < minP) return { low: 0, high: 0 };
  const tail = tailWeights(distribution, known.length, tailSlots, temperature, topLog, vocabularySize);
  if (!nucleus.keeps(rank, tail.max)) return { low: 0, high: 0 };
  const tailPassesMinP = distribution.others > 0 && tailSlots > 0 && tail.capWeight > 0 && tail.capWeight >= minP;
  const weight = nucleus.weights[rank]!;

  const keptAtLeast = nucleus.keeps(rank, tail.min);
  const leastTail = keptAtLeast ? tail.min : Math.max(tail.min, nucleus.tailWeightToKeep(rank));
  const highLength = keptAtLeast ? Math.max(nucleus.length(tail.min), rank + 1) : rank + 1;
  const leastTailKept = tailPassesMinP && minP === 0 ? Math.min(leastTail, nucleus.spill(leastTail)) : 0;
  const high = Math.min(1, weight / (nucleus.keptWeight(highLength) + leastTailKept));

  // An unlisted sampled token below the cap may rank after tail tokens, which top-k or top-p may then prefer.
  const mayBeOutranked = !sampled.listed && sampled.probability < distribution.tailCap && (topK > 0 || topP < 1);
  if (!keptAtLeast || mayBeOutranked) return { low: 0, high };
  let mostTailKept = 0;
  if (tailPassesMinP) {
    const spill = nucleus.spill(tail.max);
    mostTailKept = topP >= 1 ? tail.max : spill > 0 ? Math.min(tail.max, spill + tail.capWeight) : 0;
    if (minP > 0) mostTailKept = Math.min(mostTailKept, Math.floor(distribution.others / tokenProbabilityAtMinP(minP, temperature, topLog)) * tail.capWeight);
  }
  const low = Math.min(1, weight / (nucleus.keptWeight(nucleus.length(tail.max)) + mostTailKept));
  return { low, high };
}

/** The known tokens' weights after temperature and top-k, and what top-p and min-p do to them given a tail weight. */
class KnownNucleus {
  private readonly total: number;

  constructor(readonly weights: readonly number[], private readonly topP: number, private readonly minP: number) {
    this.total = weights.reduce((sum, weight) => sum + weight, 0);
  }

  /** Whether top-p keeps the token at `rank`: the tokens before it do not reach p of the whole. */
  keeps(rank: number, tailWeight: number): boolean {
    const whole = this.total + tailWeight;
    return this.topP >= 1 || this.before(rank) < this.topP * whole - 1e-12 * whole;
  }

  /** The tail weight above which top-p keeps the token at `rank`. */
  tailWeightToKeep(rank: number): number {
    return this.before(rank) / this.topP - this.total;
  }

  /** How many known tokens the nucleus holds. */
  length(tailWeight: number): number {
    if (this.topP >= 1) return this.weights.length;
    const target = this.topP * (this.total + tailWeight) * (1 - 1e-12);
    let cumulative = 0;
    for (let i = 0; i < this.weights.length; i++) {
      cumulative += this.weights[i]!;
      if (cumulative >= target) return i + 1;
    }
    return this.weights.length;
  }

  /** Weight of the first `length` known tokens that min-p keeps. */
  keptWeight(length: number): number {
    let sum = 0;
    for (let i = 0; i < length; i++) if (this.weights[i]! >= this.minP) sum += this.weights[i]!;
    return sum;
  }

  /** Tail weight the nucleus must take once the known tokens are all in it (0 when they reach p alone). */
  spill(tailWeight: number): number {
    return Math.max(0, this.topP * (this.total + tailWeight) - this.total);
  }

  private before(rank: number): number {
    let sum = 0;
    for (let i = 0; i < rank; i++) sum += this.weights[i]!;
    return sum;
  }
}

/** Probability of a tail token whose weight after temperature is exactly `minP` of the top token's. */
function tokenProbabilityAtMinP(minP: number, temperature: number, topLog: number): number {
  return temperature === 0 ? Math.exp(topLog) : Math.exp(topLog + temperature * Math.log(minP));
}

/**
 * Least and most total weight (relative to the top token, after temperature) of the tail tokens that top-k lets
 * through (`slots` of them), over every tail shape. Below T = 1 the weight is convex in probability: lumping at
 * the cap is the most, spreading over the whole vocabulary the least. Above T = 1 it is concave: an equal split
 * over as many tokens as allowed is the most; the least is the smaller of spreading and lumping.
 */
function tailWeights(distribution: Distribution, knownCount: number, slots: number, temperature: number, topLog: number, vocabularySize: number): { min: number; max: number; capWeight: number } {
  const { others: mass, tailCap: cap } = distribution;
  const weightOf = (probability: number): number => (probability > 0 ? temper(Math.log(probability) - topLog, temperature) : 0);
  const capWeight = weightOf(cap);
  if (!(mass > 0 && cap > 0) || slots === 0) return { min: 0, max: 0, capWeight };
  const full = Math.floor(mass / cap + 1e-9);
  const remainder = Math.max(0, mass - full * cap);
  const tokens = Math.max(vocabularySize - knownCount, Math.ceil(mass / cap - 1e-9));
  const lumped = Math.min(slots, full) * capWeight + (slots > full ? weightOf(remainder) : 0);
  const spreadCount = Math.min(slots, tokens);
  const spread = spreadCount * weightOf(mass / tokens);
  if (temperature <= 1) return { min: spread, max: lumped, capWeight };
  const equalSplit = spreadCount * cap <= mass ? spreadCount * capWeight : spreadCount * weightOf(mass / spreadCount);
  return { min: Math.min(spread, lumped), max: equalSplit, capWeight };
}
