/**
 * The ten colour buckets and the colour modes that fill them: what a token's colour says (its probability, its rank,
 * the margin to the runner-up, the entropy at its position, its surprisal), the value each mode reads from a token
 * and its alternatives, the mapping of values onto buckets (0 = most worth reviewing, 9 = least), legends, hover
 * text and the "uncertain" test that the status bar and the uncertainty navigation use.
 */
import { formatPercent } from './format';
import type { Alternative } from './logprob';
import { cleanLogprob } from './logprob';
import { findSampled } from './sampling';

/** Default upper bounds of the confidence buckets, in probability; bucket i holds p in [t(i-1), t(i)). */
export const DEFAULT_THRESHOLDS: readonly number[] = [0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95];
export const BUCKET_COUNT = DEFAULT_THRESHOLDS.length + 1;
/** Tokens below this probability count as uncertain (status bar, Next/Previous Uncertain Token). */
export const DEFAULT_UNCERTAIN_THRESHOLD = 0.5;

/** Bucket index of a probability: 0 is the least certain. */
export function bucketOf(probability: number, thresholds: readonly number[]): number {
  let bucket = 0;
  while (bucket < thresholds.length && probability >= thresholds[bucket]!) bucket++;
  return bucket;
}

/** "35–50 %" style label for the legend. */
export function bucketLabel(bucket: number, thresholds: readonly number[]): string {
  const percent = (p: number): string => `${+(p * 100).toFixed(2)}`;
  const low = bucket === 0 ? 0 : thresholds[bucket - 1]!;
  const high = bucket === thresholds.length ? 1 : thresholds[bucket]!;
  return bucket === thresholds.length ? `${percent(low)}–100 %` : `${percent(low)}–<${percent(high)} %`;
}

/**
 * Bucket for a token's rank (1 = the model's favourite) in rank mode, on the same ten-colour scale: GLTR's
 * top-10 / top-100 / top-1000 split, narrowed to what APIs return (at most 20 alternatives). `undefined` rank
 * means the token is not among the returned alternatives: less likely than all of them.
 */
export function rankBucket(rank: number | undefined): number {
  if (rank === undefined) return 0;
  if (rank <= 1) return 9;
  if (rank <= 3) return 7;
  if (rank <= 10) return 5;
  return 2;
}

export const RANK_LABELS: readonly string[] = ['not among the returned alternatives', '', 'rank 11–20', '', '', 'rank 4–10', '', 'rank 2–3', '', 'rank 1 (the model\'s first choice)'];

/**
 * What the colours show. `margin` (the gap between the two most likely tokens) points at near ties, the better
 * proxy for tokens a reader will want to change (research on AI-generated code found that highlighting
 * low-probability tokens did not help programmers, while highlighting likely edits did); `entropy` at positions
 * where the model spread its bets; `surprisal` is the probability in bits, which add up along a text.
 */
export type ColourMode = 'probability' | 'rank' | 'margin' | 'entropy' | 'surprisal';

export const COLOUR_MODES: readonly ColourMode[] = ['probability', 'rank', 'margin', 'entropy', 'surprisal'];

/** Defaults of a mode, as data: the settings expose them. */
export interface ModeDefaults {
  readonly title: string;
  /** Nine ascending boundaries between the ten buckets; empty for rank (a fixed split). */
  readonly thresholds: readonly number[];
  /** Whether higher values are more certain (towards bucket 9). */
  readonly higherIsCertain: boolean;
  /** Where "uncertain" starts: below it when higher is certain, at or above it otherwise. */
  readonly uncertain: number;
  /** Thresholds must lie strictly inside this range; rank has none to set. */
  readonly range?: readonly [number, number];
}

export const MODE_DEFAULTS: Readonly<Record<ColourMode, ModeDefaults>> = {
  probability: { title: 'Probability', thresholds: DEFAULT_THRESHOLDS, higherIsCertain: true, uncertain: DEFAULT_UNCERTAIN_THRESHOLD, range: [0, 1] },
  // GLTR's split, fixed (rankBucket). Uncertain from rank 2: the model preferred another token.
  rank: { title: 'Rank', thresholds: [], higherIsCertain: false, uncertain: 2 },
  // Points of probability between the two most likely tokens: under 10 is a near tie.
  margin: { title: 'Margin', thresholds: [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.65, 0.85], higherIsCertain: true, uncertain: 0.1, range: [0, 1] },
  // Entropy over the returned alternatives as a fraction of its most (log2 of their count).
  entropy: { title: 'Entropy', thresholds: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85], higherIsCertain: false, uncertain: 0.5, range: [0, 1] },
  // Bits: 1 bit is p = 50 %, 0.15 bits p ≈ 90 %, 7 bits p ≈ 0.8 %.
  surprisal: { title: 'Surprisal', thresholds: [0.15, 0.5, 1, 1.5, 2, 3, 4, 5, 7], higherIsCertain: false, uncertain: 1, range: [0, 64] },
};

/** Whether a mode reads the alternatives (rank, margin, entropy) or only the token's own logprob. */
export function readsAlternatives(mode: ColourMode): boolean {
  return mode === 'rank' || mode === 'margin' || mode === 'entropy';
}

/** A token as the modes read it (a `StoredToken` is one). */
export interface TokenView {
  readonly token: string;
  readonly logprob: number | null | undefined;
  readonly alternatives: readonly Alternative[];
}

/** A mode's value for a token or a placement. */
export interface Reading {
  /** Probability, rank (Infinity: not among the alternatives), margin (0–1), normalised entropy (0–1) or bits. */
  readonly value: number;
  /** The true value is at least this (entropy when the alternatives leave mass uncovered; margin when the runner-up may be a token that was not returned). */
  readonly atLeast: boolean;
  /** Entropy only: the entropy in bits over `count` alternatives. */
  readonly bits?: number;
  /** Rank and entropy: how many alternatives there were. */
  readonly count?: number;
}

/** Above this uncovered mass, an entropy reading is labelled a lower bound. */
const ENTROPY_UNCOVERED_NOTE = 0.001;

/**
 * A placement's reading: the tokens of one character together. Probability and surprisal take the joint
 * probability (a character split over two tokens is as likely as both); rank, margin and entropy take the worst
 * token. `undefined` (uncoloured) when a token lacks what the mode needs: a logprob, or alternatives for rank,
 * margin and entropy.
 */
export function placementValue(mode: ColourMode, tokens: readonly TokenView[]): Reading | undefined {
  if (tokens.length === 0) return undefined;
  if (mode === 'probability' || mode === 'surprisal') {
    let joint = 0;
    for (const token of tokens) {
      const logprob = cleanLogprob(token.logprob);
      if (logprob === undefined) return undefined;
      joint += logprob;
    }
    return { value: mode === 'probability' ? Math.exp(joint) : -joint / Math.LN2, atLeast: false };
  }
  let worst: Reading | undefined;
  for (const token of tokens) {
    const reading = tokenValue(mode, token);
    if (!reading) return undefined;
    if (!worst || isWorse(mode, reading.value, worst.value)) worst = reading;
  }
  return worst;
}

function isWorse(mode: ColourMode, value: number, than: number): boolean {
  return MODE_DEFAULTS[mode].higherIsCertain ? value < than : value > than;
}

/** One token's reading in a mode. */
export function tokenValue(mode: ColourMode, token: TokenView): Reading | undefined {
  const logprob = cleanLogprob(token.logprob);
  if (mode === 'probability') return logprob === undefined ? undefined : { value: Math.exp(logprob), atLeast: false };
  if (mode === 'surprisal') return logprob === undefined ? undefined : { value: -logprob / Math.LN2, atLeast: false };
  const { alternatives } = token;
  if (logprob === undefined || alternatives.length === 0) return undefined;
  // These run per token when a whole answer is recoloured: one pass each, exp only where needed.
  const sampled = findSampled(token.token, logprob, alternatives);
  const repeats = repeatsOf(alternatives);
  if (mode === 'rank') return rankReading(alternatives, repeats, sampled);
  if (mode === 'margin') return marginReading(alternatives, repeats, sampled >= 0 ? undefined : logprob);
  return entropyReading(alternatives, repeats, sampled >= 0 ? undefined : logprob);
}

/** Logprob of an alternative as the maths uses it: ≤ 0, −∞ when missing. */
function logprobOf(alternative: Alternative): number {
  return cleanLogprob(alternative.logprob) ?? Number.NEGATIVE_INFINITY;
}

/**
 * Per alternative, whether one listed before it has the same text and logprob (one token listed twice); `undefined`
 * when none has. Backends list alternatives most likely first, so when the logprobs strictly fall no two can be the
 * same and one pass decides: recolouring a 100k-token answer runs this per token.
 */
function repeatsOf(alternatives: readonly Alternative[]): readonly boolean[] | undefined {
  let falling = true;
  for (let i = 1; i < alternatives.length && falling; i++) falling = alternatives[i]!.logprob < alternatives[i - 1]!.logprob;
  if (falling) return undefined;
  const repeats = alternatives.map(({ token, logprob }, index) => {
    for (let i = 0; i < index; i++) if (alternatives[i]!.logprob === logprob && alternatives[i]!.token === token) return true;
    return false;
  });
  return repeats.includes(true) ? repeats : undefined;
}

/** Rank: 1 + the distinct alternatives strictly more likely than the sampled one; ∞ when it is not listed. */
function rankReading(alternatives: readonly Alternative[], repeats: readonly boolean[] | undefined, sampled: number): Reading {
  let count = 0;
  for (let i = 0; i < alternatives.length; i++) if (!repeats?.[i]) count++;
  if (sampled < 0) return { value: Number.POSITIVE_INFINITY, atLeast: false, count };
  const own = logprobOf(alternatives[sampled]!);
  let rank = 1;
  for (let i = 0; i < alternatives.length; i++) if (logprobOf(alternatives[i]!) > own && !repeats?.[i]) rank++;
  return { value: rank, atLeast: false, count };
}

/**
 * Margin: the most likely minus the runner-up. A token that was not returned is at most as likely as the least
 * likely listed one, so it can only be the runner-up when fewer than two tokens are known: then the margin takes
 * it at its largest (the uncovered mass, capped) and is a lower bound.
 */
function marginReading(alternatives: readonly Alternative[], repeats: readonly boolean[] | undefined, unlistedLogprob: number | undefined): Reading | undefined {
  let first = Number.NEGATIVE_INFINITY;
  let firstIndex = -1;
  let second = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < alternatives.length; i++) {
    const value = logprobOf(alternatives[i]!);
    if (value > first) {
      second = first;
      first = value;
      firstIndex = i;
    } else if (value > second && !(value === first && alternatives[i]!.token === alternatives[firstIndex]!.token)) second = value;
  }
  const listedSecond = second;
  if (unlistedLogprob !== undefined) {
    if (unlistedLogprob > first) [first, second] = [unlistedLogprob, first];
    else if (unlistedLogprob > second) second = unlistedLogprob;
  }
  if (second === listedSecond && Math.exp(second) > 0) return { value: Math.exp(first) - Math.exp(second), atLeast: false };
  const tailCap = tailCapOf(alternatives, repeats, unlistedLogprob);
  if (Math.exp(first) < tailCap) return undefined; // the most likely token may be one that was not returned
  const runnerUp = Math.max(Math.exp(second), tailCap);
  return { value: Math.exp(first) - runnerUp, atLeast: tailCap > Math.exp(second) };
}

/** The most a token that was not returned can have: the uncovered mass, and no more than the least listed one. */
function tailCapOf(alternatives: readonly Alternative[], repeats: readonly boolean[] | undefined, unlistedLogprob: number | undefined): number {
  let covered = unlistedLogprob === undefined ? 0 : Math.exp(unlistedLogprob);
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < alternatives.length; i++) {
    if (repeats?.[i]) continue;
    const probability = Math.exp(logprobOf(alternatives[i]!));
    covered += probability;
    if (probability > 0 && probability < smallest) smallest = probability;
  }
  return Math.min(covered > 1 - 1e-12 ? 0 : 1 - covered, smallest);
}

/**
 * Entropy of the returned alternatives renormalised, as a fraction of its most (log2 of their count). It is a lower
 * bound of the position's entropy when they are the top k: with c their mass and q their renormalised
 * probabilities, H = c·H(q) + c·log(1/c) + Σ_tail t·log(1/t), each tail t is at most the smallest p_k so the tail
 * term is at least (1 − c)·log(1/p_k), and H(q) ≤ log(c/p_k); together H ≥ H(q).
 */
function entropyReading(alternatives: readonly Alternative[], repeats: readonly boolean[] | undefined, unlistedLogprob: number | undefined): Reading {
  // H(q) = ln c − Σ p·ln p / c, in nats; the logprobs are the ln p, so no logarithm per alternative.
  let covered = 0;
  let weighted = 0;
  let count = 0;
  const add = (logprob: number): void => {
    const probability = Math.exp(logprob);
    if (probability === 0) return;
    covered += probability;
    weighted += probability * logprob;
    count++;
  };
  for (let i = 0; i < alternatives.length; i++) if (!repeats?.[i]) add(logprobOf(alternatives[i]!));
  if (unlistedLogprob !== undefined) add(unlistedLogprob);
  const bits = count > 1 ? Math.max(0, (Math.log(covered) - weighted / covered) / Math.LN2) : 0;
  const value = count > 1 ? Math.min(1, bits / Math.log2(count)) : 0;
  return { value, atLeast: 1 - covered > ENTROPY_UNCOVERED_NOTE, bits, count };
}

/** Bucket (0 = most worth reviewing … 9) of a mode's value; a value on a threshold goes to the bucket above it in value. */
export function bucketOfValue(mode: ColourMode, value: number, thresholds: readonly number[]): number {
  if (mode === 'rank') return rankBucket(Number.isFinite(value) ? value : undefined);
  if (MODE_DEFAULTS[mode].higherIsCertain) return bucketOf(value, thresholds);
  let bucket = BUCKET_COUNT - 1;
  for (const threshold of thresholds) if (value >= threshold) bucket--;
  return bucket;
}

/** Whether a value counts as uncertain in a mode (status bar count, Next / Previous / List Uncertain Token). */
export function isUncertain(mode: ColourMode, value: number, threshold: number): boolean {
  return MODE_DEFAULTS[mode].higherIsCertain ? value < threshold : value >= threshold;
}

/** What "uncertain" means in a mode, for titles and the status bar: "margin below 10 points (near ties)". */
export function describeUncertain(mode: ColourMode, threshold: number): string {
  const number = (value: number): string => `${+value.toFixed(2)}`;
  switch (mode) {
    case 'probability':
      return `probability below ${number(threshold * 100)} %`;
    case 'rank':
      return threshold <= 2 ? 'not the model\'s first choice' : `rank ${threshold} or below`;
    case 'margin':
      return `margin below ${number(threshold * 100)} points (near ties)`;
    case 'entropy':
      return `entropy ${number(threshold)} of the most or more`;
    case 'surprisal':
      return `surprisal ${number(threshold)} bit${threshold === 1 ? '' : 's'} or more`;
  }
}

/** Checks a mode's user thresholds: nine strictly ascending numbers inside the mode's range. */
export function validateModeThresholds(mode: ColourMode, value: unknown): string | undefined {
  const { range } = MODE_DEFAULTS[mode];
  if (!range) return `${mode} mode has a fixed split`;
  const [low, high] = range;
  if (!Array.isArray(value) || value.length !== DEFAULT_THRESHOLDS.length) return `needs exactly ${DEFAULT_THRESHOLDS.length} numbers`;
  for (let i = 0; i < value.length; i++) {
    const threshold: unknown = value[i];
    if (typeof threshold !== 'number' || !(threshold > low && threshold < high)) return `value ${i + 1} is not between ${low} and ${high}`;
    if (i > 0 && threshold <= (value[i - 1] as number)) return 'values must be strictly ascending';
  }
  return undefined;
}

/** Legend: one label per bucket, 0 first ('' for the buckets rank mode leaves unused). */
export function legendLabels(mode: ColourMode, thresholds: readonly number[]): string[] {
  if (mode === 'rank') return [...RANK_LABELS];
  if (mode === 'probability') return Array.from({ length: BUCKET_COUNT }, (_, bucket) => bucketLabel(bucket, thresholds));
  const number = (value: number): string => `${+value.toFixed(2)}`;
  const scale = mode === 'margin' ? 100 : 1;
  const unit = mode === 'margin' ? ' points' : mode === 'surprisal' ? ' bits' : ' of the most';
  return Array.from({ length: BUCKET_COUNT }, (_, bucket) => {
    // Bucket b holds values in [from, to): counted up from 0 when higher is certain, down from 9 otherwise.
    const lowIndex = MODE_DEFAULTS[mode].higherIsCertain ? bucket - 1 : BUCKET_COUNT - 2 - bucket;
    const from = lowIndex < 0 ? 0 : thresholds[lowIndex]! * scale;
    const to = lowIndex + 1 < thresholds.length ? thresholds[lowIndex + 1]! * scale : undefined;
    if (to === undefined) return mode === 'surprisal' ? `${number(from)}${unit} and above` : `${number(from)}–${number(scale)}${unit}`;
    return `${number(from)}–<${number(to)}${unit}${mode === 'margin' && bucket === 0 ? ' (near tie)' : ''}`;
  });
}

/** The reading as the hover shows it: "margin 3.2 points (near tie)", "entropy 0.44 of the most (≥ 1.02 bits over 5)". */
export function describeValue(mode: ColourMode, reading: Reading, uncertainThreshold = MODE_DEFAULTS[mode].uncertain): string {
  const { value, atLeast } = reading;
  const atLeastSign = atLeast ? '≥ ' : '';
  switch (mode) {
    case 'probability':
      return `probability ${formatPercent(value)}`;
    case 'surprisal':
      return `surprisal ${value.toFixed(2)} bits`;
    case 'rank':
      return Number.isFinite(value) ? `rank ${value} of ${reading.count}` : `not among the ${reading.count} alternatives`;
    case 'margin':
      return `margin ${atLeastSign}${(value * 100).toFixed(1)} points${isUncertain(mode, value, uncertainThreshold) ? ' (near tie)' : ''}`;
    case 'entropy':
      return `entropy ${value.toFixed(2)} of the most (${atLeastSign}${(reading.bits ?? 0).toFixed(2)} bits over ${reading.count} alternatives)`;
  }
}
