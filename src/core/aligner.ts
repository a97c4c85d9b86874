import type { TokenEntry } from './logprob';
import { bytesSpelledInToken, decodeUtf8, endsInsideCharacter } from './utf8';

/** Receives each placement in text order: UTF-16 offsets into the answer text, and the tokens it covers. */
export type PlaceToken = (start: number, end: number, firstToken: number, tokenCount: number) => void;

/** One or more tokens that together spell a whole-character string. */
interface Unit {
  readonly surface: string;
  readonly firstToken: number;
  readonly tokenCount: number;
}

const REPLACEMENT = '\uFFFD';
/** How far ahead a token is looked for when it does not start where the previous one ended. */
const RESYNC_WINDOW = 16;
/** A partial character never needs more than four tokens; past that the bytes are not UTF-8 and are flushed. */
const MAX_GROUP = 4;

/**
 * Places tokens on the answer text as both stream in. The text (the concatenated content) is the truth and is
 * never altered. A token's surface comes from its `bytes` when present (grouping tokens that end inside a
 * character until it is complete, so an emoji split over two tokens gets one range), otherwise from its string.
 * A surface that starts where the previous token ended is placed there; one that is not found nearby is left
 * unplaced (control tokens, held-back stop strings); lossy "\uFFFD" tokens take the gap up to the next match.
 * Only the unmatched tail of the text is kept, so the work per token does not grow with the answer.
 */
export class TokenAligner {
  private tail = '';
  private tailOffset = 0;
  private readonly units: Unit[] = [];
  private pendingBytes: number[] = [];
  private pendingFirst = -1;
  private pendingCount = 0;
  private lossyFirst = -1;
  private lossyCount = 0;

  constructor(private readonly place: PlaceToken) {}

  /** Adds content text; call before adding the tokens that arrived with it. */
  appendText(text: string): void {
    if (text.length === 0) return;
    this.tail += text;
    this.match(false);
  }

  addToken(index: number, entry: TokenEntry): void {
    const bytes = entry.bytes && entry.bytes.length > 0 ? entry.bytes : bytesSpelledInToken(entry.token);
    if (!bytes || (this.pendingCount === 0 && spellsAscii(entry.token, bytes))) {
      this.flushBytes();
      this.units.push({ surface: entry.token, firstToken: index, tokenCount: 1 });
    } else {
      if (this.pendingCount === 0) this.pendingFirst = index;
      for (const byte of bytes) this.pendingBytes.push(byte);
      this.pendingCount++;
      if (!endsInsideCharacter(this.pendingBytes) || this.pendingCount >= MAX_GROUP) this.flushBytes();
    }
    this.match(false);
  }

  /** The stream ended: place what can be placed, leave the rest uncoloured. */
  finish(): void {
    this.flushBytes();
    this.match(true);
    if (this.lossyCount > 0 && this.tail.length > 0 && this.tail.length <= 2 * this.lossyCount) {
      this.place(this.tailOffset, this.tailOffset + this.tail.length, this.lossyFirst, this.lossyCount);
    }
    this.lossyCount = 0;
  }

  private flushBytes(): void {
    if (this.pendingCount === 0) return;
    this.units.push({ surface: decodeUtf8(this.pendingBytes), firstToken: this.pendingFirst, tokenCount: this.pendingCount });
    this.pendingBytes = [];
    this.pendingCount = 0;
  }

  private match(final: boolean): void {
    let next = 0;
    for (; next < this.units.length; next++) {
      const unit = this.units[next]!;
      const { surface } = unit;
      if (surface.length === 0) continue;
      if (this.tail.startsWith(surface)) {
        this.resolveLossy(0);
        this.advance(surface.length, unit);
        continue;
      }
      // The text may not have caught up yet (a backend that sends the logprob row before the text).
      if (!final && surface.length > this.tail.length && surface.startsWith(this.tail)) break;
      if (surface.includes(REPLACEMENT) && !this.tail.startsWith(REPLACEMENT)) {
        // Lossy bytes (vLLM, Ollama): the real character is unknown here; the next match decides its extent.
        if (this.lossyCount === 0) this.lossyFirst = unit.firstToken;
        this.lossyCount = unit.firstToken + unit.tokenCount - this.lossyFirst;
        continue;
      }
      const found = this.tail.indexOf(surface, 1);
      if (found > 0 && found <= RESYNC_WINDOW) {
        if (this.lossyCount > 0) this.resolveLossy(found);
        else this.skip(found);
        this.advance(surface.length, unit);
      }
      // Otherwise the token is not in the text (a control token, a held-back stop string): it stays unplaced.
    }
    this.units.splice(0, next);
  }

  /** Gives the lossy tokens seen since the last match the `gap` characters before the next match. */
  private resolveLossy(gap: number): void {
    if (this.lossyCount === 0) return;
    if (gap > 0) {
      this.place(this.tailOffset, this.tailOffset + gap, this.lossyFirst, this.lossyCount);
      this.skip(gap);
    }
    this.lossyCount = 0;
  }

  private advance(length: number, unit: Unit): void {
    this.place(this.tailOffset, this.tailOffset + length, unit.firstToken, unit.tokenCount);
    this.skip(length);
  }

  private skip(length: number): void {
    this.tail = this.tail.slice(length);
    this.tailOffset += length;
  }
}

/** Whether the token string is exactly its bytes in ASCII: the common case, decoded without a TextDecoder. */
function spellsAscii(token: string, bytes: readonly number[]): boolean {
  if (token.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80 || token.charCodeAt(i) !== bytes[i]) return false;
  return true;
}
