import { TokenAligner } from './aligner';
import type { ColourMode } from './buckets';
import { bucketOf, rankBucket } from './buckets';
import { uint8Column } from './columns';
import type { Eol } from './eol';
import { EolTranslator } from './eol';
import type { TokenEntry } from './logprob';
import { TokenStore } from './tokenStore';

/** Bucket value of a placement whose probability is unknown: it stays uncoloured. */
export const NO_BUCKET = 255;

export interface AnswerStats {
  /** Tokens the model sent logprobs for. */
  readonly tokens: number;
  /** exp(-mean logprob); `undefined` without tokens. */
  readonly perplexity: number | undefined;
  readonly meanProbability: number | undefined;
  /** Coloured tokens still as the model wrote them whose probability is below the threshold. */
  readonly uncertain: number;
}

/** Where an edit fell relative to an answer. */
export type EditEffect = 'before' | 'after' | 'inside';

/**
 * One generated answer in a document: the text inserted so far, its tokens and their placements, kept in step
 * with the document as it is edited. Offsets here are document offsets (UTF-16 code units).
 */
export class Answer {
  readonly store = new TokenStore();
  private readonly aligner: TokenAligner;
  private readonly eol: EolTranslator;
  private readonly buckets = uint8Column();
  /** Document offset of the first character of the answer. */
  start: number;
  /** Length in the document of the answer text inserted so far. */
  length = 0;
  /** Changes whenever placements move or change colour (not when text is appended): drawn ranges are stale then. */
  layoutVersion = 0;
  /** How much the user's edits inside the answer moved its end: tokens aligned later land after those edits. */
  private editShift = 0;

  private mode: ColourMode = 'probability';

  constructor(start: number, eol: Eol, private thresholds: readonly number[], mode: ColourMode = 'probability') {
    this.mode = mode;
    this.start = start;
    this.eol = new EolTranslator(eol);
    this.aligner = new TokenAligner((from, to, first, count) => {
      this.store.addPlacement(this.eol.toDocument(from) + this.editShift, this.eol.toDocument(to) + this.editShift, first, count);
      this.buckets.push(this.bucketFor(this.store.placementCount - 1));
    });
  }

  get end(): number {
    return this.start + this.length;
  }

  /**
   * Takes a delta of model content and its tokens; returns the text to insert at `end` (the caller inserts it
   * and then calls `inserted`). Placements are available as soon as their text has arrived.
   */
  append(content: string, tokens: readonly TokenEntry[]): string {
    const text = this.eol.translate(content);
    this.aligner.appendText(content);
    for (const token of tokens) this.aligner.addToken(this.store.addToken(token), token);
    return text;
  }

  /** As `append`, with the first `count` tokens of another answer's store as the tokens (a branch's prefix). */
  appendCopied(content: string, source: TokenStore, count: number): string {
    const text = this.eol.translate(content);
    this.aligner.appendText(content);
    for (let i = 0; i < count; i++) this.aligner.addToken(this.store.copyToken(source, i), source.surface(i));
    return text;
  }

  /** The stream ended: the last held-back characters to insert, and placement of what remains. */
  finish(): string {
    const text = this.eol.flush();
    this.aligner.finish();
    return text;
  }

  /** Records that `length` characters were inserted at the answer's end. */
  inserted(length: number): void {
    this.length += length;
  }

  /**
   * Hands back the last insertion, which turned out to be the user's text (same place, same text, typed first):
   * it stays where it is, after the answer; the first insertion's blank line too, so the answer starts after it.
   */
  disown(length: number, separatorLength: number): void {
    this.length -= length;
    if (separatorLength > 0) this.start += length + separatorLength;
    this.layoutVersion++;
  }

  /** Keeps the answer in step with an edit of the document (offsets before the edit). */
  applyEdit(offset: number, removed: number, inserted: number): EditEffect {
    const editEnd = offset + removed;
    if (editEnd <= this.start) {
      this.start += inserted - removed;
      this.layoutVersion++;
      return 'before';
    }
    if (offset >= this.end) return 'after';
    this.layoutVersion++;
    const relativeStart = Math.max(0, offset - this.start);
    const relativeEnd = Math.min(this.length, editEnd - this.start);
    this.store.applyEdit(relativeStart, relativeEnd - relativeStart, inserted);
    this.length += inserted - (relativeEnd - relativeStart);
    this.editShift += inserted - (relativeEnd - relativeStart);
    // An edit that straddles the start pulls the answer's start back to it; its new text counts as edited answer.
    if (offset < this.start) this.start = offset;
    return 'inside';
  }

  /** Recolours for new thresholds or a new colour mode. */
  setColouring(thresholds: readonly number[], mode: ColourMode): void {
    this.thresholds = thresholds;
    this.mode = mode;
    for (let i = 0; i < this.store.placementCount; i++) this.buckets.set(i, this.bucketFor(i));
    this.layoutVersion++;
  }

  bucketOfPlacement(placement: number): number {
    return this.buckets.get(placement);
  }

  /** Placement at a document offset, or -1. */
  placementAt(offset: number): number {
    if (offset < this.start || offset > this.end) return -1;
    return this.store.placementAt(offset - this.start);
  }

  /**
   * Document ranges per bucket as flat [start, end, start, end, ...] arrays, adjacent same-bucket tokens merged:
   * one `setDecorations` call per bucket then covers the whole answer.
   */
  spans(bucketCount: number, into: number[][] = Array.from({ length: bucketCount }, () => [])): number[][] {
    this.spansFrom(0, into);
    return into;
  }

  /**
   * The spans of placements from `from` on (see `spans`), for drawing a streaming answer incrementally. Every
   * span but the last is final; the last may still grow with placements to come. Returns its bucket (-1 if no
   * span) and the placement it starts at, which is where the next call resumes.
   */
  spansFrom(from: number, into: number[][]): { lastBucket: number; resumeAt: number } {
    const { store } = this;
    let openBucket = -1;
    let openFirst = from;
    let openStart = 0;
    let openEnd = 0;
    for (let i = from; i < store.placementCount; i++) {
      const bucket = this.buckets.get(i);
      if (bucket === NO_BUCKET || !store.isValid(i)) continue;
      const { start, end } = store.placement(i);
      if (end > this.length) break; // aligned, but its text is not in the document yet
      if (bucket === openBucket && start === openEnd) {
        openEnd = end;
        continue;
      }
      if (openBucket >= 0) into[openBucket]!.push(this.start + openStart, this.start + openEnd);
      openBucket = bucket;
      openFirst = i;
      openStart = start;
      openEnd = end;
    }
    if (openBucket >= 0) into[openBucket]!.push(this.start + openStart, this.start + openEnd);
    return { lastBucket: openBucket, resumeAt: openFirst };
  }

  /** Valid placements whose probability is below `threshold`, as document offsets, in text order. */
  uncertainPlacements(threshold: number): number[] {
    const found: number[] = [];
    for (let i = 0; i < this.store.placementCount; i++) {
      if (!this.store.isValid(i)) continue;
      const logprob = this.store.placementLogprob(i);
      if (logprob !== undefined && Math.exp(logprob) < threshold) found.push(i);
    }
    return found;
  }

  stats(uncertainThreshold: number): AnswerStats {
    const { store } = this;
    let tokens = 0;
    let logprobSum = 0;
    let probabilitySum = 0;
    for (let i = 0; i < store.tokenCount; i++) {
      const logprob = store.tokenLogprobAt(i);
      if (logprob === undefined) continue;
      tokens++;
      logprobSum += logprob;
      probabilitySum += Math.exp(logprob);
    }
    return {
      tokens,
      perplexity: tokens > 0 ? Math.exp(-logprobSum / tokens) : undefined,
      meanProbability: tokens > 0 ? probabilitySum / tokens : undefined,
      uncertain: this.uncertainPlacements(uncertainThreshold).length,
    };
  }

  private bucketFor(placement: number): number {
    const logprob = this.store.placementLogprob(placement);
    if (logprob === undefined) return NO_BUCKET;
    if (this.mode === 'probability') return bucketOf(Math.exp(logprob), this.thresholds);
    // Rank mode: the worst-ranked token of the placement decides; without alternatives there is no rank to show.
    const { firstToken, tokenCount } = this.store.placement(placement);
    let worst = 0;
    for (let i = firstToken; i < firstToken + tokenCount; i++) {
      const rank = this.store.rankOf(i);
      if (rank === null) return NO_BUCKET;
      worst = Math.max(worst, rank ?? Number.POSITIVE_INFINITY);
    }
    return rankBucket(Number.isFinite(worst) ? worst : undefined);
  }
}
