import { ChunkedColumn, float64Column, int32Column, StringTable, uint8Column } from './columns';
import type { Alternative, TokenEntry } from './logprob';
import { cleanLogprob } from './logprob';

/** A token as the hover and the statistics read it back from the columns. */
export interface StoredToken {
  readonly token: string;
  readonly logprob: number | undefined;
  readonly alternatives: readonly Alternative[];
}

/** Where a token (or a group of tokens that together make one character) sits in the answer text. */
export interface Placement {
  /** UTF-16 offsets relative to the start of the answer. */
  readonly start: number;
  readonly end: number;
  readonly firstToken: number;
  readonly tokenCount: number;
}

/**
 * Columnar store of one answer's tokens and their placements. Placements are kept sorted by offset (alignment is
 * monotone), which makes position look-ups a binary search and edit shifting a loop over typed arrays.
 */
export class TokenStore {
  private readonly strings = new StringTable();
  private readonly tokenText = int32Column();
  private readonly tokenLogprob = float64Column();
  private readonly altStart = int32Column();
  private readonly altCount = uint8Column();
  private readonly altText = new ChunkedColumn((n) => new Int32Array(n));
  private readonly altLogprob = new ChunkedColumn((n) => new Float32Array(n));

  private readonly placeStart = int32Column();
  private readonly placeEnd = int32Column();
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
    this.placeStart.push(start);
    this.placeEnd.push(end);
    this.placeFirst.push(firstToken);
    this.placeCount.push(tokenCount);
    this.placeValid.push(1);
    this.liveCount++;
  }

  placement(index: number): Placement {
    return {
      start: this.placeStart.get(index),
      end: this.placeEnd.get(index),
      firstToken: this.placeFirst.get(index),
      tokenCount: this.placeCount.get(index),
    };
  }

  isValid(placement: number): boolean {
    return this.placeValid.get(placement) === 1;
  }

  /** Index of the valid placement containing `offset` (start inclusive, end inclusive), or -1. */
  placementAt(offset: number): number {
    const starts = this.placeStart.raw;
    let low = 0;
    let high = this.placeStart.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (starts[middle]! <= offset) low = middle + 1;
      else high = middle - 1;
    }
    // `high` is the last placement starting at or before offset. Walk back over those that still reach it: a
    // position at a token's end belongs to that token only when no valid token starts there.
    for (let i = high; i >= 0 && this.placeEnd.get(i) >= offset; i--) {
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
    const starts = this.placeStart.raw;
    const ends = this.placeEnd.raw;
    const count = this.placeStart.length;
    // Binary search for the first placement that ends after the edit start.
    let low = 0;
    let high = count;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (ends[middle]! <= start) low = middle + 1;
      else high = middle;
    }
    let i = low;
    for (; i < count && starts[i]! < end; i++) {
      // The edit touches this token: collapse it onto the edit so the offsets stay sorted for the binary searches.
      starts[i] = start;
      ends[i] = start;
      if (this.placeValid.get(i) === 1) {
        this.placeValid.set(i, 0);
        this.liveCount--;
      }
    }
    // Everything after the edit moves by the same amount: the hot loop of a keystroke in a long answer.
    if (delta !== 0) {
      for (; i < count; i++) {
        starts[i] = starts[i]! + delta;
        ends[i] = ends[i]! + delta;
      }
    }
  }
}
