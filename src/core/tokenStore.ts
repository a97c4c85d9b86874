import { ChunkedColumn, float64Column, int32Column, StringTable, uint8Column } from './columns';
import type { Alternative, TokenEntry } from './logprob';
import { lastAtOrBelow } from './search';
import { cleanLogprob } from './logprob';

/** A token as the hover and the statistics read it back from the columns. */
export interface StoredToken {
  readonly token: string;
  readonly logprob: number | undefined;
  readonly alternatives: readonly Alternative[];
  /** The model's token id, where the response sent one (llama.cpp) and this answer gave its text only one id. */
  readonly id?: number;
  /** True bytes, kept only where they are not the UTF-8 of `token` (a piece of a character, spelled `\xf0\x9f`). */
  readonly bytes?: readonly number[];
}

/** Where a token (or a group of tokens that together make one character) sits in the answer text. */
export interface Placement {
  /** UTF-16 offsets relative to the start of the answer. */
  readonly start: number;
  readonly end: number;
  readonly firstToken: number;
  readonly tokenCount: number;
}

const NO_ID = -1;
const AMBIGUOUS = -2;
const MAX_ID = 0x7fffffff;

function withId<T extends object>(value: T, id: number): T & { id?: number } {
  return id >= 0 ? { ...value, id } : value;
}

const utf8 = new TextEncoder();

/**
 * Whether `bytes` are not the UTF-8 of `token`: backends spell a piece of a character as escapes (OpenAI's
 * `\xf0\x9f\x92`) or as "�", and only then do the two differ; other tokens skip the comparison.
 */
function isIrregular(token: string, bytes: readonly number[]): boolean {
  if (!token.includes('\\') && !token.includes('\uFFFD')) return false;
  const encoded = utf8.encode(token);
  return encoded.length !== bytes.length || encoded.some((byte, i) => byte !== bytes[i]);
}

/** Placements per shift chunk: an edit moves the placements after it by updating one base per chunk. */
const SHIFT_BITS = 10;
const SHIFT_CHUNK = 1 << SHIFT_BITS;

/**
 * Columnar store of one answer's tokens and their placements. Placements are kept sorted by offset (alignment is
 * monotone), which makes position look-ups a binary search. Their offsets are stored relative to a base per
 * chunk of 1,024 placements, so a keystroke in a 100k-token answer shifts ~100 bases, not 100k offsets.
 */
export class TokenStore {
  private readonly strings = new StringTable();
  private readonly tokenText = int32Column();
  private readonly tokenLogprob = float64Column();
  private readonly altStart = int32Column();
  private readonly altCount = uint8Column();
  private readonly altText = new ChunkedColumn((n) => new Int32Array(n));
  private readonly altLogprob = new ChunkedColumn((n) => new Float32Array(n));
  /**
   * The vocabulary id of each interned string (indexed like the string table): a vocabulary gives a text one id,
   * so ids cost nothing per token. NO_ID until a response sends one; AMBIGUOUS once two ids came for one text (a
   * lossy "�" stands for many byte tokens): then the text has no id here.
   */
  private readonly stringIds = int32Column();
  /** Tokens whose bytes are not the UTF-8 of their text: rare (pieces of characters), so kept sparsely. */
  private readonly irregularBytes = new Map<number, readonly number[]>();

  /** Offsets relative to their chunk's base in `chunkShift`. */
  private readonly placeStart = int32Column();
  private readonly placeEnd = int32Column();
  private readonly chunkShift = int32Column();
  private readonly placeFirst = int32Column();
  private readonly placeCount = int32Column();
  /** 1 while the placed text is as the model wrote it; 0 once the user edited it. */
  private readonly placeValid = uint8Column();
  private liveCount = 0;

  get tokenCount(): number {
    return this.tokenText.length;
  }

  get placementCount(): number {
    return this.placeStart.length;
  }

  /** Placements still showing the model's text. */
  get validPlacementCount(): number {
    return this.liveCount;
  }

  addToken(entry: TokenEntry): number {
    const text = this.internWithId(entry.token, entry.id);
    const index = this.tokenText.push(text);
    this.tokenLogprob.push(cleanLogprob(entry.logprob) ?? Number.NaN);
    if (entry.bytes && entry.bytes.length > 0 && isIrregular(entry.token, entry.bytes)) this.irregularBytes.set(index, entry.bytes);
    this.altStart.push(this.altText.length);
    const alternatives = entry.top_logprobs ?? [];
    const count = Math.min(alternatives.length, 255);
    this.altCount.push(count);
    for (let i = 0; i < count; i++) {
      const alternative = alternatives[i]!;
      this.altText.push(this.internWithId(alternative.token, alternative.id));
      this.altLogprob.push(cleanLogprob(alternative.logprob) ?? Number.NEGATIVE_INFINITY);
    }
    return index;
  }

  /**
   * Appends token `index` of another store, alternatives, ids and bytes included, column by column: a branch
   * copies its prefix this way without building an object per token and alternative.
   */
  copyToken(source: TokenStore, index: number): number {
    const copied = this.tokenText.push(this.internFrom(source, source.tokenText.get(index)));
    this.tokenLogprob.push(source.tokenLogprob.get(index));
    const bytes = source.irregularBytes.get(index);
    if (bytes) this.irregularBytes.set(copied, bytes);
    this.altStart.push(this.altText.length);
    const first = source.altStart.get(index);
    const count = source.altCount.get(index);
    this.altCount.push(count);
    for (let i = first; i < first + count; i++) {
      this.altText.push(this.internFrom(source, source.altText.get(i)));
      this.altLogprob.push(source.altLogprob.get(i));
    }
    return copied;
  }

  /** What the aligner places a token by: its text, and its true bytes where they differ. */
  surface(index: number): TokenEntry {
    return { token: this.strings.lookup(this.tokenText.get(index)), logprob: null, bytes: this.irregularBytes.get(index) ?? null };
  }

  token(index: number): StoredToken {
    const logprob = this.tokenLogprob.get(index);
    const first = this.altStart.get(index);
    const alternatives: Alternative[] = [];
    for (let i = first; i < first + this.altCount.get(index); i++) {
      const text = this.altText.get(i);
      alternatives.push(withId({ token: this.strings.lookup(text), logprob: this.altLogprob.get(i) }, this.stringIds.get(text)));
    }
    const text = this.tokenText.get(index);
    const bytes = this.irregularBytes.get(index);
    return withId({
      token: this.strings.lookup(text), logprob: Number.isNaN(logprob) ? undefined : logprob, alternatives, ...(bytes ? { bytes } : {}),
    }, this.stringIds.get(text));
  }

  /** The placement holding a token, or -1 when the token was never placed (a control token, a held-back stop). */
  placementOfToken(token: number): number {
    // Placements cover tokens in order: the last one starting at or before the token holds it, if any does.
    const placement = lastAtOrBelow(this.placeFirst.length, (index) => this.placeFirst.get(index), token);
    return placement >= 0 && token < this.placeFirst.get(placement) + this.placeCount.get(placement) ? placement : -1;
  }

  private internWithId(text: string, id: number | undefined): number {
    const interned = this.strings.intern(text);
    if (interned === this.stringIds.length) this.stringIds.push(NO_ID);
    if (id !== undefined && id >= 0 && id <= MAX_ID) {
      const known = this.stringIds.get(interned);
      if (known === NO_ID) this.stringIds.set(interned, id);
      else if (known !== id) this.stringIds.set(interned, AMBIGUOUS);
    }
    return interned;
  }

  /** A string of another store interned here with what that store knew of its id (an ambiguous text stays so). */
  private internFrom(source: TokenStore, stringId: number): number {
    const id = source.stringIds.get(stringId);
    const interned = this.internWithId(source.strings.lookup(stringId), id >= 0 ? id : undefined);
    if (id === AMBIGUOUS) this.stringIds.set(interned, AMBIGUOUS);
    return interned;
  }

  /**
   * Rank (1-based) of the sampled token among its alternatives by logprob; `undefined` when it is not among
   * them, `null` when the backend returned no alternatives at all.
   */
  rankOf(index: number): number | null | undefined {
    const count = this.altCount.get(index);
    if (count === 0) return null;
    const first = this.altStart.get(index);
    const text = this.tokenText.get(index);
    let chosen = Number.NaN;
    for (let i = first; i < first + count; i++) if (this.altText.get(i) === text) chosen = this.altLogprob.get(i);
    if (Number.isNaN(chosen)) return undefined;
    let rank = 1;
    for (let i = first; i < first + count; i++) if (this.altLogprob.get(i) > chosen && this.altText.get(i) !== text) rank++;
    return rank;
  }

  tokenLogprobAt(index: number): number | undefined {
    const logprob = this.tokenLogprob.get(index);
    return Number.isNaN(logprob) ? undefined : logprob;
  }

  /** Joint logprob of a placement: a character split over two tokens is as likely as both together. */
  placementLogprob(placement: number): number | undefined {
    const first = this.placeFirst.get(placement);
    let sum = 0;
    for (let i = first; i < first + this.placeCount.get(placement); i++) {
      const logprob = this.tokenLogprob.get(i);
      if (Number.isNaN(logprob)) return undefined;
      sum += logprob;
    }
    return sum;
  }

  addPlacement(start: number, end: number, firstToken: number, tokenCount: number): void {
    const index = this.placeStart.length;
    if ((index & (SHIFT_CHUNK - 1)) === 0) this.chunkShift.push(0);
    const shift = this.chunkShift.get(index >> SHIFT_BITS);
    this.placeStart.push(start - shift);
    this.placeEnd.push(end - shift);
    this.placeFirst.push(firstToken);
    this.placeCount.push(tokenCount);
    this.placeValid.push(1);
    this.liveCount++;
  }

  placement(index: number): Placement {
    const shift = this.chunkShift.get(index >> SHIFT_BITS);
    return {
      start: this.placeStart.get(index) + shift,
      end: this.placeEnd.get(index) + shift,
      firstToken: this.placeFirst.get(index),
      tokenCount: this.placeCount.get(index),
    };
  }

  isValid(placement: number): boolean {
    return this.placeValid.get(placement) === 1;
  }

  /** Index of the valid placement containing `offset` (start inclusive, end inclusive), or -1. */
  placementAt(offset: number): number {
    // `high` ends as the last placement starting at or before offset.
    const high = lastAtOrBelow(this.placeStart.length, this.startAt, offset);
    // Walk back over those that still reach it: a position at a token's end belongs to that token only when no
    // valid token starts there.
    for (let i = high; i >= 0 && this.endAt(i) >= offset; i--) {
      if (this.placeValid.get(i) === 1) return i;
    }
    return -1;
  }

  /**
   * Applies a document edit expressed relative to the answer start: placements after it shift, placements it
   * touches lose their colour (the text is no longer the model's). Insertion at a token's edge keeps the token.
   */
  applyEdit(start: number, removed: number, inserted: number): void {
    const end = start + removed;
    const delta = inserted - removed;
    const count = this.placeStart.length;
    const starts = this.placeStart.raw;
    const ends = this.placeEnd.raw;
    let i = lastAtOrBelow(count, this.endAt, start) + 1;
    for (; i < count && this.startAt(i) < end; i++) {
      // The edit touches this token: collapse it onto the edit so the offsets stay sorted for the binary searches.
      const relative = start - this.chunkShift.get(i >> SHIFT_BITS);
      starts[i] = relative;
      ends[i] = relative;
      if (this.placeValid.get(i) === 1) {
        this.placeValid.set(i, 0);
        this.liveCount--;
      }
    }
    if (delta === 0 || i >= count) return;
    // The rest of this chunk moves one by one, the chunks after it by their base.
    const chunkEnd = Math.min(count, ((i >> SHIFT_BITS) + 1) << SHIFT_BITS);
    for (; i < chunkEnd; i++) {
      starts[i] = starts[i]! + delta;
      ends[i] = ends[i]! + delta;
    }
    if (i >= count) return;
    const shifts = this.chunkShift.raw;
    for (let chunk = i >> SHIFT_BITS; chunk < this.chunkShift.length; chunk++) shifts[chunk] = shifts[chunk]! + delta;
  }

  private readonly startAt = (index: number): number => this.placeStart.get(index) + this.chunkShift.get(index >> SHIFT_BITS);
  private readonly endAt = (index: number): number => this.placeEnd.get(index) + this.chunkShift.get(index >> SHIFT_BITS);
}
