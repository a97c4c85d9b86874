import { TokenAligner } from './aligner';
import type { ColourMode, Reading, TokenView } from './buckets';
import { bucketOfValue, isUncertain, placementValue, readsAlternatives } from './buckets';
import { float64Column, uint8Column } from './columns';
import type { Eol } from './eol';
import { EolTranslator } from './eol';
import type { TokenEntry } from './logprob';
import { TokenSlot, TokenStore } from './tokenStore';

/** Bucket value of a placement whose probability is unknown: it stays uncoloured. */
export const NO_BUCKET = 255;

export interface AnswerStats {
  /** Tokens the model sent logprobs for. */
  readonly tokens: number;
  /** exp(-mean logprob); `undefined` without tokens. */
  readonly perplexity: number | undefined;
  readonly meanProbability: number | undefined;
  /** Coloured tokens still as the model wrote them that are uncertain in the colour mode (`isUncertain`). */
  readonly uncertain: number;
}

/** Where an edit fell relative to an answer. */
export type EditEffect = 'before' | 'after' | 'inside';

/**
 * One generated answer in a document: the text inserted so far, its tokens and their placements, kept in step
 * with the document as it is edited. Offsets here are document offsets (UTF-16 code units).
 */
export class Answer {
  readonly store: TokenStore;
  private readonly aligner: TokenAligner;
  private readonly eol: EolTranslator;
  /** The colour mode's value of each placement (`placementValue`); NaN when it has none. */
  private readonly values = float64Column();
  private readonly buckets = uint8Column();
  /** Document offset of the first character of the answer. */
  start: number;
  /** Length in the document of the answer text inserted so far. */
  length = 0;
  /** Changes whenever placements move or change colour (not when text is appended): drawn ranges are stale then. */
  layoutVersion = 0;
  /** How much the user's edits inside the answer moved its end: tokens aligned later land after those edits. */
  private editShift = 0;
  /** Reused by `valueOf`: `slots[n]` holds n tokens, for placements of n tokens. */
  private readonly slots: TokenSlot[][] = [];

  /** `thresholds`: the colour mode's nine bucket boundaries (none for rank). `store`: a recorded run's, when restored. */
  constructor(start: number, eol: Eol, private thresholds: readonly number[], private mode: ColourMode = 'probability', store = new TokenStore()) {
    this.store = store;
    this.start = start;
    this.eol = new EolTranslator(eol);
    this.aligner = new TokenAligner((from, to, first, count) => {
      this.store.addPlacement(this.eol.toDocument(from) + this.editShift, this.eol.toDocument(to) + this.editShift, first, count);
      const value = this.valueOf(this.store.placementCount - 1);
      this.values.push(value);
      this.buckets.push(this.bucketFor(value));
    });
  }

  /**
   * A finished answer rebuilt from a recorded run: the store as it was recorded (placements relative to `start`),
   * `length` characters of text already in the document, colours computed now; nothing streams into it.
   */
  static restored(start: number, length: number, store: TokenStore, thresholds: readonly number[], mode: ColourMode): Answer {
    const answer = new Answer(start, 'asIs', thresholds, mode, store);
    answer.length = length;
    for (let i = 0; i < store.placementCount; i++) {
      const value = answer.valueOf(i);
      answer.values.push(value);
      answer.buckets.push(answer.bucketFor(value));
    }
    return answer;
  }

  get colourMode(): ColourMode {
    return this.mode;
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

  /** Recolours for new thresholds or a new colour mode (values are read again only when the mode changes). */
  setColouring(thresholds: readonly number[], mode: ColourMode): void {
    const modeChanged = mode !== this.mode;
    this.thresholds = thresholds;
    this.mode = mode;
    for (let i = 0; i < this.store.placementCount; i++) {
      if (modeChanged) this.values.set(i, this.valueOf(i));
      this.buckets.set(i, this.bucketFor(this.values.get(i)));
    }
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

  /** The text of a placement's tokens together, as the model sent them. */
  placementText(placement: number): string {
    const { firstToken, tokenCount } = this.store.placement(placement);
    let text = '';
    for (let i = firstToken; i < firstToken + tokenCount; i++) text += this.store.token(i).token;
    return text;
  }

  /** The colour mode's reading of a placement, with what the hover says beside the value; undefined when uncoloured. */
  placementReading(placement: number): Reading | undefined {
    const tokens: TokenView[] = [];
    const { firstToken, tokenCount } = this.store.placement(placement);
    for (let i = firstToken; i < firstToken + tokenCount; i++) tokens.push(this.store.token(i));
    return placementValue(this.mode, tokens);
  }

  /** Valid placements that are uncertain in the colour mode (`isUncertain` against `threshold`), in text order. */
  uncertainPlacements(threshold: number): number[] {
    const found: number[] = [];
    for (let i = 0; i < this.store.placementCount; i++) {
      const value = this.values.get(i);
      if (!Number.isNaN(value) && this.store.isValid(i) && isUncertain(this.mode, value, threshold)) found.push(i);
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

  /** `placementReading(placement).value`, without allocating: it runs for every placement when the mode changes. */
  private valueOf(placement: number): number {
    const { firstToken, tokenCount } = this.store.placement(placement);
    const tokens = this.slots[tokenCount] ??= Array.from({ length: tokenCount }, () => new TokenSlot());
    const withAlternatives = readsAlternatives(this.mode);
    for (let i = 0; i < tokenCount; i++) this.store.readInto(firstToken + i, tokens[i]!, withAlternatives);
    return placementValue(this.mode, tokens)?.value ?? Number.NaN;
  }

  private bucketFor(value: number): number {
    return Number.isNaN(value) ? NO_BUCKET : bucketOfValue(this.mode, value, this.thresholds);
  }
}
