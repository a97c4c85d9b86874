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
 * Myers' diff costs grow with the square of the edit count: past this many edits (~80 ms on a 2-core machine
 * for two unrelated 10k-token runs) the runs are too different for a token alignment to mean much.
 */
export const MAX_TOKEN_EDITS = 1000;

export function compareRuns(left: ComparedRun, right: ComparedRun, maxEdits = MAX_TOKEN_EDITS): RunComparison {
  const { leftIds, rightIds } = sharedIds(left.tokens, right.tokens);
  const { segments, alignment } = alignTokens(left.tokens, right.tokens, leftIds, rightIds, maxEdits);
  const prefix = segments[0]?.same && segments[0].left === 0 ? segments[0].leftCount : 0;
  const identical = segments.every((segment) => segment.same);
  const tvd = meanTvd(left.tokens, right.tokens, leftIds, rightIds, segments);
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
function sharedIds(left: RunTokens, right: RunTokens): { leftIds: Int32Array; rightIds: Int32Array } {
  const ids = new Map<string, number>();
  const remap = (strings: readonly string[]): Int32Array => Int32Array.from(strings, (value) => {
    let id = ids.get(value);
    if (id === undefined) ids.set(value, id = ids.size);
    return id;
  });
  return { leftIds: remap(left.strings), rightIds: remap(right.strings) };
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
 * distribution, 1 = no token in common.
 */
export function totalVariation(
  left: RankedAlternatives, leftCount: number, leftIds: Int32Array,
  right: RankedAlternatives, rightCount: number, rightIds: Int32Array,
): number {
  const leftTotal = massOf(left, leftCount);
  const rightTotal = massOf(right, rightCount);
  let distance = 0;
  for (let a = 0; a < leftCount; a++) {
    const p = Math.exp(left.logprob[a]!) / leftTotal;
    let q = 0;
    for (let b = 0; b < rightCount; b++) if (rightIds[right.text[b]!] === leftIds[left.text[a]!]) q = Math.exp(right.logprob[b]!) / rightTotal;
    distance += Math.abs(p - q);
  }
  for (let b = 0; b < rightCount; b++) {
    let listed = false;
    for (let a = 0; a < leftCount && !listed; a++) listed = leftIds[left.text[a]!] === rightIds[right.text[b]!];
    if (!listed) distance += Math.exp(right.logprob[b]!) / rightTotal;
  }
  return distance / 2;
}

function massOf(ranked: RankedAlternatives, count: number): number {
  let total = 0;
  for (let k = 0; k < count; k++) total += Math.exp(ranked.logprob[k]!);
  return total;
}

function meanTvd(left: RunTokens, right: RunTokens, leftIds: Int32Array, rightIds: Int32Array, segments: readonly TokenSegment[]): { sum: number; count: number } {
  const leftRanked = rankedScratch();
  const rightRanked = rankedScratch();
  let sum = 0;
  let count = 0;
  for (const segment of segments) {
    if (!segment.same) continue;
    for (let offset = 0; offset < segment.leftCount; offset++) {
      const leftCount = rankedAlternatives(left, segment.left + offset, leftRanked);
      const rightCount = rankedAlternatives(right, segment.right + offset, rightRanked);
      if (leftCount === 0 || rightCount === 0 || massOf(leftRanked, leftCount) === 0 || massOf(rightRanked, rightCount) === 0) continue;
      sum += totalVariation(leftRanked, leftCount, leftIds, rightRanked, rightCount, rightIds);
      count++;
    }
  }
  return { sum, count };
}
