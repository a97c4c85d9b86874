import { ChunkedColumn, float64Column, GrowableColumn, int32Column, StringTable, uint8Column } from './columns';
import type { Alternative, TokenEntry } from './logprob';
import { lastAtOrBelow } from './search';
import { cleanLogprob, isTokenId } from './logprob';

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
  /** Vocabulary ids of the tokens and of the alternatives (-1 unknown), when a backend sent any. */
  readonly ids?: Int32Array | undefined;
  readonly altIds?: Int32Array | undefined;
  /** The bytes of the tokens whose bytes are not the UTF-8 of their text (pieces of characters), by token index. */
  readonly bytes?: ReadonlyMap<number, readonly number[]> | undefined;
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
  /** The model's token id, where the response sent one (llama.cpp) and this answer gave its text only one id. */
  readonly id?: number;
  /** True bytes, kept only where they are not the UTF-8 of `token` (a piece of a character, spelled `\xf0\x9f`). */
  readonly bytes?: readonly number[];
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

const NO_ID = -1;
const AMBIGUOUS = -2;

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
  private strings = new StringTable();
  private tokenText: GrowableColumn<Int32Array> = int32Column();
  private tokenLogprob: GrowableColumn<Float64Array> = float64Column();
  private altStart: GrowableColumn<Int32Array> = int32Column();
  private altCount: GrowableColumn<Uint8Array> = uint8Column();
  private altText: ChunkedColumn<Int32Array> = new ChunkedColumn((n) => new Int32Array(n));
  private altLogprob: ChunkedColumn<Float32Array> = new ChunkedColumn((n) => new Float32Array(n));
  /**
   * The vocabulary id of each interned string (indexed like the string table): a vocabulary gives a text one id,
   * so ids cost nothing per token. NO_ID until a response sends one; AMBIGUOUS once two ids came for one text (a
   * lossy "�" stands for many byte tokens): then the text has no id here.
   */
  private stringIds: GrowableColumn<Int32Array> = int32Column();
  /** Tokens whose bytes are not the UTF-8 of their text: rare (pieces of characters), so kept sparsely. */
  private irregularBytes = new Map<number, readonly number[]>();

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
    store.stringIds = GrowableColumn.of(new Int32Array(columns.strings.length).fill(NO_ID), (n) => new Int32Array(n));
    const { ids, altIds } = columns;
    if (ids) for (let i = 0; i < count; i++) store.noteId(columns.text[i]!, ids[i]!);
    if (altIds) for (let i = 0; i < altIds.length; i++) store.noteId(columns.altText[i]!, altIds[i]!);
    store.irregularBytes = new Map(columns.bytes);
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
    const text = this.tokenText.toArray();
    const altText = this.altText.toArray();
    const idOf = (stringId: number): number => Math.max(-1, this.stringIds.get(stringId));
    const anyId = this.stringIds.raw.subarray(0, this.stringIds.length).some((id) => id >= 0);
    return {
      strings: [...this.strings.all],
      text,
      logprob: this.tokenLogprob.toArray(),
      altStart,
      altText,
      altLogprob: this.altLogprob.toArray(),
      ids: anyId ? text.map(idOf) : undefined,
      altIds: anyId ? altText.map(idOf) : undefined,
      bytes: new Map(this.irregularBytes),
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

  private internWithId(text: string, id: number | undefined): number {
    const interned = this.strings.intern(text);
    if (interned === this.stringIds.length) this.stringIds.push(NO_ID);
    if (id !== undefined) this.noteId(interned, id);
    return interned;
  }

  /** What a response said of an interned string's id: its first id, or ambiguous once another comes. */
  private noteId(interned: number, id: number): void {
    if (!isTokenId(id)) return;
    const known = this.stringIds.get(interned);
    if (known === NO_ID) this.stringIds.set(interned, id);
    else if (known !== id) this.stringIds.set(interned, AMBIGUOUS);
  }

  /** A string of another store interned here with what that store knew of its id (an ambiguous text stays so). */
  private internFrom(source: TokenStore, stringId: number): number {
    const id = source.stringIds.get(stringId);
    const interned = this.internWithId(source.strings.lookup(stringId), id >= 0 ? id : undefined);
    if (id === AMBIGUOUS) this.stringIds.set(interned, AMBIGUOUS);
    return interned;
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
