import { ChunkedColumn, float64Column, GrowableColumn, int32Column, StringTable, uint8Column } from './columns';
import type { Alternative, TokenEntry } from './logprob';
import { lastAtOrBelow } from './search';
import { cleanLogprob } from './logprob';

/**
 * The token columns of a store in one piece, as a recorded run keeps them: `altStart` has one entry more than
 * tokens (token i's alternatives are `altStart[i] .. altStart[i + 1]`).
 */
export interface StoreColumns {
  readonly strings: readonly string[];
  readonly text: Int32Array;
  /** NaN where the backend gave no logprob. */
  readonly logprob: Float64Array;
  readonly altStart: Int32Array;
  readonly altText: Int32Array;
  readonly altLogprob: Float32Array;
}

/** Placements in columns: UTF-16 offsets relative to the answer's start, sorted by offset. */
export interface PlacementColumns {
  readonly count: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly firstToken: Int32Array;
  readonly tokenCount: Int32Array;
}

/** A token as the hover and the statistics read it back from the columns. */
export interface StoredToken {
  readonly token: string;
  readonly logprob: number | undefined;
  readonly alternatives: readonly Alternative[];
}

/** A token read back into reused objects (`TokenStore.readInto`); valid until the next read into it. */
export class TokenSlot implements StoredToken {
  token = '';
  logprob: number | undefined;
  readonly alternatives: { token: string; logprob: number }[] = [];
}

/** Where a token (or a group of tokens that together make one character) sits in the answer text. */
export interface Placement {
  /** UTF-16 offsets relative to the start of the answer. */
  readonly start: number;
  readonly end: number;
  readonly firstToken: number;
  readonly tokenCount: number;
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
  private strings = new StringTable();
  private tokenText: GrowableColumn<Int32Array> = int32Column();
  private tokenLogprob: GrowableColumn<Float64Array> = float64Column();
  private altStart: GrowableColumn<Int32Array> = int32Column();
  private altCount: GrowableColumn<Uint8Array> = uint8Column();
  private altText: ChunkedColumn<Int32Array> = new ChunkedColumn((n) => new Int32Array(n));
  private altLogprob: ChunkedColumn<Float32Array> = new ChunkedColumn((n) => new Float32Array(n));

  /** Offsets relative to their chunk's base in `chunkShift`. */
  private readonly placeStart = int32Column();
  private readonly placeEnd = int32Column();
  private readonly chunkShift = int32Column();
  private readonly placeFirst = int32Column();
  private readonly placeCount = int32Column();
  /** 1 while the placed text is as the model wrote it; 0 once the user edited it. */
  private readonly placeValid = uint8Column();
  private liveCount = 0;

  /**
   * A store holding a recorded run's tokens and placements (offsets relative to the answer), adopting the token
   * columns without copying: restoring a 100k-token answer costs a few milliseconds, not a re-parse.
   */
  static fromColumns(columns: StoreColumns, placements: PlacementColumns): TokenStore {
    const store = new TokenStore();
    const count = columns.text.length;
    store.strings = StringTable.of(columns.strings);
    store.tokenText = GrowableColumn.of(columns.text, (n) => new Int32Array(n));
    store.tokenLogprob = GrowableColumn.of(columns.logprob, (n) => new Float64Array(n));
    store.altStart = GrowableColumn.of(columns.altStart.slice(0, count), (n) => new Int32Array(n));
    const altCount = new Uint8Array(count);
    for (let i = 0; i < count; i++) altCount[i] = Math.min(255, columns.altStart[i + 1]! - columns.altStart[i]!);
    store.altCount = GrowableColumn.of(altCount, (n) => new Uint8Array(n));
    store.altText = ChunkedColumn.of(columns.altText, (n) => new Int32Array(n));
    store.altLogprob = ChunkedColumn.of(columns.altLogprob, (n) => new Float32Array(n));
    for (let p = 0; p < placements.count; p++) {
      store.addPlacement(placements.start[p]!, placements.end[p]!, placements.firstToken[p]!, placements.tokenCount[p]!);
    }
    return store;
  }

  /** The token columns as contiguous copies (recording a run: a copy of typed arrays, not one object per token). */
  columns(): StoreColumns {
    const count = this.tokenText.length;
    const altStart = new Int32Array(count + 1);
    for (let i = 0; i < count; i++) altStart[i] = this.altStart.get(i);
    altStart[count] = this.altText.length;
    return {
      strings: [...this.strings.all],
      text: this.tokenText.toArray(),
      logprob: this.tokenLogprob.toArray(),
      altStart,
      altText: this.altText.toArray(),
      altLogprob: this.altLogprob.toArray(),
    };
  }

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
    const index = this.tokenText.push(this.strings.intern(entry.token));
    this.tokenLogprob.push(cleanLogprob(entry.logprob) ?? Number.NaN);
    this.altStart.push(this.altText.length);
    const alternatives = entry.top_logprobs ?? [];
    const count = Math.min(alternatives.length, 255);
    this.altCount.push(count);
    for (let i = 0; i < count; i++) {
      const alternative = alternatives[i]!;
      this.altText.push(this.strings.intern(alternative.token));
      this.altLogprob.push(cleanLogprob(alternative.logprob) ?? Number.NEGATIVE_INFINITY);
    }
    return index;
  }

  token(index: number): StoredToken {
    const logprob = this.tokenLogprob.get(index);
    const first = this.altStart.get(index);
    const alternatives: Alternative[] = [];
    for (let i = first; i < first + this.altCount.get(index); i++) {
      alternatives.push({ token: this.strings.lookup(this.altText.get(i)), logprob: this.altLogprob.get(i) });
    }
    return { token: this.strings.lookup(this.tokenText.get(index)), logprob: Number.isNaN(logprob) ? undefined : logprob, alternatives };
  }

  /**
   * Reads token `index` into `slot`, reusing the slot's objects: recolouring reads every token of an answer, and
   * a fresh object per alternative (20 per token) costs as much as the colour modes' maths on them. Without
   * `withAlternatives` the slot's alternatives are left empty.
   */
  readInto(index: number, slot: TokenSlot, withAlternatives = true): void {
    const logprob = this.tokenLogprob.get(index);
    const first = this.altStart.get(index);
    const count = withAlternatives ? this.altCount.get(index) : 0;
    slot.token = this.strings.lookup(this.tokenText.get(index));
    slot.logprob = Number.isNaN(logprob) ? undefined : logprob;
    slot.alternatives.length = count;
    for (let i = 0; i < count; i++) {
      const alternative = slot.alternatives[i] ?? (slot.alternatives[i] = { token: '', logprob: 0 });
      alternative.token = this.strings.lookup(this.altText.get(first + i));
      alternative.logprob = this.altLogprob.get(first + i);
    }
  }

  tokenLogprobAt(index: number): number | undefined {
    const logprob = this.tokenLogprob.get(index);
    return Number.isNaN(logprob) ? undefined : logprob;
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

  /** The placement holding token `index`, or -1 when the token is not placed (its text has not arrived). */
  placementOfToken(index: number): number {
    const placement = lastAtOrBelow(this.placeFirst.length, this.firstTokenAt, index);
    return placement >= 0 && index < this.placeFirst.get(placement) + this.placeCount.get(placement) ? placement : -1;
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
  private readonly firstTokenAt = (index: number): number => this.placeFirst.get(index);
}
