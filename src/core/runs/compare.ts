/**
 * Token-level comparison of two runs: their token sequences aligned by jsdiff (`diffArrays` over interned ids),
 * the first divergence and what each run thought of the other's choice there, and a summary (each side's
 * figures, the common prefix, the mean total variation distance between aligned tokens' top-k distributions).
 */
import { diffArrays } from 'diff';
import { formatPercent } from '../format';
import type { TokenFigures } from './metrics';
import { tokenFigures } from './metrics';
import type { RankedAlternatives, RunPlacements, RunTokens } from './runTokens';
import { rankedAlternatives, rankedScratch, tokenText } from './runTokens';

/** What a comparison reads of a run (a `RunRecord` is one). */
export interface ComparedRun {
  readonly tokens: RunTokens;
  readonly placements: RunPlacements;
}

/** A stretch of tokens: the same on both sides (aligned one to one), or different (not aligned). */
export interface TokenSegment {
  readonly same: boolean;
  readonly left: number;
  readonly leftCount: number;
  readonly right: number;
  readonly rightCount: number;
}

/** How likely one run's token was among the other run's alternatives at the same point. */
export type OtherChoice =
  | { readonly kind: 'listed'; readonly probability: number; readonly rank: number; readonly k: number }
  | { readonly kind: 'notListed'; readonly k: number }
  /** The run had no alternatives there, or had already ended. */
  | { readonly kind: 'unknown' };

/** Where the runs first differ: the token index in each (a run's length when it ended there). */
export interface Divergence {
  readonly left: number;
  readonly right: number;
  /** What each chose there; `undefined` when that run had ended. */
  readonly leftToken: string | undefined;
  readonly rightToken: string | undefined;
  /** The right run's choice among the left run's alternatives at the divergence, and the other way round. */
  readonly rightChoiceInLeft: OtherChoice;
  readonly leftChoiceInRight: OtherChoice;
}

export interface ComparisonSummary {
  readonly left: TokenFigures;
  readonly right: TokenFigures;
  /** Leading tokens both runs share, and the characters they cover. */
  readonly commonPrefix: { readonly tokens: number; readonly characters: number };
  /** Tokens aligned one to one (the same token on both sides). */
  readonly alignedTokens: number;
  /** Mean TVD over aligned tokens where both runs have alternatives (`TVD_LABEL`); `undefined` when there are none. */
  readonly meanTvd: number | undefined;
  readonly tvdTokens: number;
  /** `tokens`: a full token diff; `ends`: the runs differ too much, only their common start and end are aligned. */
  readonly alignment: 'tokens' | 'ends';
}

export interface RunComparison {
  readonly segments: readonly TokenSegment[];
  /** `undefined` when the runs have the same tokens. */
  readonly divergence: Divergence | undefined;
  readonly summary: ComparisonSummary;
}

/** How the distance is labelled wherever it is shown. */
export const TVD_LABEL = 'mean total variation distance between the two top-k distributions, each renormalised (computed over the returned alternatives)';

/**
 * Myers' diff costs grow with the square of the edit count: past this many token edits (~35 ms on a 2-core
 * machine, for two unrelated 10k-token runs) the runs are too different for a token alignment to mean much,
 * and only their common start and end are aligned. A budget, not a timeout, so a comparison is reproducible.
 */
export const MAX_TOKEN_EDITS = 600;

export function compareRuns(left: ComparedRun, right: ComparedRun, maxEdits = MAX_TOKEN_EDITS): RunComparison {
  const { leftIds, rightIds, count } = sharedIds(left.tokens, right.tokens);
  const { segments, alignment } = alignTokens(left.tokens, right.tokens, leftIds, rightIds, maxEdits);
  const prefix = segments[0]?.same && segments[0].left === 0 ? segments[0].leftCount : 0;
  const identical = segments.every((segment) => segment.same);
  const tvd = meanTvd(left.tokens, right.tokens, { leftIds, rightIds, count }, segments);
  return {
    segments,
    divergence: identical ? undefined : divergenceAt(left.tokens, right.tokens, prefix, leftIds, rightIds),
    summary: {
      left: tokenFigures(left.tokens),
      right: tokenFigures(right.tokens),
      commonPrefix: { tokens: prefix, characters: charactersBefore(left.placements, prefix) },
      alignedTokens: segments.reduce((sum, segment) => sum + (segment.same ? segment.leftCount : 0), 0),
      meanTvd: tvd.count > 0 ? tvd.sum / tvd.count : undefined,
      tvdTokens: tvd.count,
      alignment,
    },
  };
}

/** "12.3 % (rank 2 of 5)", "not among its top 5", "unknown": for the divergence hover. */
export function describeOtherChoice(choice: OtherChoice): string {
  switch (choice.kind) {
    case 'listed': return `${formatPercent(choice.probability)} (rank ${choice.rank} of ${choice.k})`;
    case 'notListed': return `not among its top ${choice.k}`;
    case 'unknown': return 'unknown (no alternatives there)';
  }
}

/** Both runs' token texts and alternative texts as ids in one space, so equal strings compare as equal numbers. */
function sharedIds(left: RunTokens, right: RunTokens): { leftIds: Int32Array; rightIds: Int32Array; count: number } {
  const ids = new Map<string, number>();
  const remap = (strings: readonly string[]): Int32Array => {
    const shared = new Int32Array(strings.length);
    for (let i = 0; i < strings.length; i++) {
      let id = ids.get(strings[i]!);
      if (id === undefined) ids.set(strings[i]!, id = ids.size);
      shared[i] = id;
    }
    return shared;
  };
  const leftIds = remap(left.strings);
  const rightIds = remap(right.strings);
  return { leftIds, rightIds, count: ids.size };
}

function alignTokens(left: RunTokens, right: RunTokens, leftIds: Int32Array, rightIds: Int32Array, maxEdits: number): { segments: TokenSegment[]; alignment: ComparisonSummary['alignment'] } {
  const a = Array.from(left.text, (id) => leftIds[id]!);
  const b = Array.from(right.text, (id) => rightIds[id]!);
  // Trim the common start and end first: Myers' cost, and the edit budget, then concern only what differs.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const segments: TokenSegment[] = [];
  const push = (same: boolean, l: number, leftCount: number, r: number, rightCount: number): void => {
    if (leftCount === 0 && rightCount === 0) return;
    const last = segments.at(-1);
    // A replacement comes as "removed" then "added": one changed segment.
    if (last && last.same === same) segments[segments.length - 1] = { ...last, leftCount: last.leftCount + leftCount, rightCount: last.rightCount + rightCount };
    else segments.push({ same, left: l, leftCount, right: r, rightCount });
  };
  push(true, 0, start, 0, start);
  let alignment: ComparisonSummary['alignment'] = 'tokens';
  const middleLeft = a.slice(start, a.length - end);
  const middleRight = b.slice(start, b.length - end);
  const changes = middleLeft.length > 0 && middleRight.length > 0 ? diffArrays(middleLeft, middleRight, { maxEditLength: maxEdits }) : undefined;
  if (changes) {
    let l = start;
    let r = start;
    for (const { added, removed, count } of changes) {
      push(!added && !removed, l, added ? 0 : count, r, removed ? 0 : count);
      if (!added) l += count;
      if (!removed) r += count;
    }
  } else {
    if (middleLeft.length > 0 && middleRight.length > 0) alignment = 'ends';
    push(false, start, middleLeft.length, start, middleRight.length);
  }
  push(true, a.length - end, end, b.length - end, end);
  return { segments, alignment };
}

function divergenceAt(left: RunTokens, right: RunTokens, at: number, leftIds: Int32Array, rightIds: Int32Array): Divergence {
  const leftToken = at < left.count ? tokenText(left, at) : undefined;
  const rightToken = at < right.count ? tokenText(right, at) : undefined;
  return {
    left: at,
    right: at,
    leftToken,
    rightToken,
    rightChoiceInLeft: otherChoice(left, at, leftIds, at < right.count ? rightIds[right.text[at]!]! : -1),
    leftChoiceInRight: otherChoice(right, at, rightIds, at < left.count ? leftIds[left.text[at]!]! : -1),
  };
}

/** Where `sharedId` stands among the run's alternatives at token `index`. */
function otherChoice(run: RunTokens, index: number, ids: Int32Array, sharedId: number): OtherChoice {
  if (index >= run.count || sharedId < 0) return { kind: 'unknown' };
  const ranked = rankedScratch();
  const k = rankedAlternatives(run, index, ranked);
  if (k === 0) return { kind: 'unknown' };
  for (let r = 0; r < k; r++) {
    if (ids[ranked.text[r]!] === sharedId) return { kind: 'listed', probability: Math.exp(ranked.logprob[r]!), rank: r + 1, k };
  }
  return { kind: 'notListed', k };
}

/** Characters of the answer covered by placements whose tokens all lie before token `tokens`. */
function charactersBefore(placements: RunPlacements, tokens: number): number {
  let characters = 0;
  for (let p = 0; p < placements.count && placements.firstToken[p]! + placements.tokenCount[p]! <= tokens; p++) characters = placements.end[p]!;
  return characters;
}

/**
 * Total variation distance between two tokens' top-k distributions: each renormalised over its distinct
 * returned alternatives, compared over the union of their tokens with a missing token at 0. 0 = the same
 * distribution, 1 = no token in common. Linear in k: probabilities are looked up by shared string id.
 */
export class DistributionDistance {
  private readonly probability: Float64Array;
  /** `round` marks a left token, `round + 1` one the right side also has. */
  private readonly mark: Int32Array;
  private round = 0;

  constructor(sharedIdCount: number) {
    this.probability = new Float64Array(sharedIdCount);
    this.mark = new Int32Array(sharedIdCount);
  }

  /** `left`/`right` hold probabilities (not logprobs) and sum to `leftTotal`/`rightTotal`; see `probabilities`. */
  totalVariation(
    left: RankedAlternatives, leftCount: number, leftIds: Int32Array, leftTotal: number,
    right: RankedAlternatives, rightCount: number, rightIds: Int32Array, rightTotal: number,
  ): number {
    this.round += 2;
    for (let a = 0; a < leftCount; a++) {
      const id = leftIds[left.text[a]!]!;
      this.probability[id] = left.logprob[a]! / leftTotal;
      this.mark[id] = this.round;
    }
    let distance = 0;
    for (let b = 0; b < rightCount; b++) {
      const id = rightIds[right.text[b]!]!;
      const q = right.logprob[b]! / rightTotal;
      if (this.mark[id] === this.round) {
        distance += Math.abs(this.probability[id]! - q);
        this.mark[id] = this.round + 1;
      } else distance += q;
    }
    for (let a = 0; a < leftCount; a++) {
      const id = leftIds[left.text[a]!]!;
      if (this.mark[id] === this.round) distance += this.probability[id]!;
    }
    return distance / 2;
  }
}

/** Turns ranked logprobs into probabilities in place; returns their sum. */
export function probabilities(ranked: RankedAlternatives, count: number): number {
  let total = 0;
  for (let k = 0; k < count; k++) total += ranked.logprob[k] = Math.exp(ranked.logprob[k]!);
  return total;
}

function meanTvd(
  left: RunTokens, right: RunTokens, { leftIds, rightIds, count: idCount }: { leftIds: Int32Array; rightIds: Int32Array; count: number }, segments: readonly TokenSegment[],
): { sum: number; count: number } {
  const distance = new DistributionDistance(idCount);
  const leftRanked = rankedScratch();
  const rightRanked = rankedScratch();
  let sum = 0;
  let count = 0;
  for (const segment of segments) {
    if (!segment.same) continue;
    for (let offset = 0; offset < segment.leftCount; offset++) {
      const leftCount = rankedAlternatives(left, segment.left + offset, leftRanked);
      const rightCount = rankedAlternatives(right, segment.right + offset, rightRanked);
      const leftTotal = probabilities(leftRanked, leftCount);
      const rightTotal = probabilities(rightRanked, rightCount);
      if (!(leftTotal > 0 && rightTotal > 0)) continue;
      sum += distance.totalVariation(leftRanked, leftCount, leftIds, leftTotal, rightRanked, rightCount, rightIds, rightTotal);
      count++;
    }
  }
  return { sum, count };
}
