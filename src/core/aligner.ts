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
 * The longest surface that waits for text still to come. Real tokens are far shorter (the longest in common
 * vocabularies are about 128 bytes); a longer one is compared with the text there is and given up, so that a
 * hostile token cannot make every later piece of text re-read it.
 */
const MAX_WAITING_SURFACE = 1024;
/**
 * Unmatched text kept at most (UTF-16 units). A non-streamed response delivers its whole text before its tokens,
 * so this is far above any real answer; past it the oldest unmatched text is given up, uncoloured.
 */
export const MAX_PENDING_TEXT = 1 << 20;

/**
 * Places tokens on the answer text as both stream in. The text (the concatenated content) is the truth and is
 * never altered. A token's surface comes from its `bytes` when present (grouping tokens that end inside a
 * character until it is complete, so an emoji split over two tokens gets one range), otherwise from its string.
 * A surface that starts where the previous token ended is placed there; one that is not found within the resync
 * window is left unplaced (control tokens, held-back stop strings); lossy "\uFFFD" tokens take the gap up to the
 * next match.
 * The work per token is bounded by its own length plus the window, whatever the server sends: only the window is
 * searched, the pending text is read from its front without copying the rest, and both queues drop what they
 * have consumed without shifting what remains.
 */
export class TokenAligner {
  private readonly text = new PendingText();
  private readonly units: Unit[] = [];
  /** Index in `units` of the first unit not yet placed or given up. */
  private nextUnit = 0;
  /** The first pending unit waits for text: tokens queued behind it change nothing until text arrives. */
  private waiting = false;
  private pendingBytes: number[] = [];
  private pendingFirst = -1;
  private pendingCount = 0;
  private lossyFirst = -1;
  private lossyCount = 0;

  constructor(private readonly place: PlaceToken) {}

  /** Adds content text; call before adding the tokens that arrived with it. */
  appendText(text: string): void {
    if (text.length === 0) return;
    this.text.append(text);
    const excess = this.text.length - MAX_PENDING_TEXT;
    if (excess > 0) {
      // Text that no token has matched for a million characters: give up its oldest part, and the lossy tokens
      // whose extent it would have decided.
      this.text.consume(excess);
      this.lossyCount = 0;
    }
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
    if (!this.waiting) this.match(false);
  }

  /** The stream ended: place what can be placed, leave the rest uncoloured. */
  finish(): void {
    this.flushBytes();
    this.match(true);
    const rest = this.text.length;
    if (this.lossyCount > 0 && rest > 0 && rest <= 2 * this.lossyCount) {
      this.place(this.text.start, this.text.start + rest, this.lossyFirst, this.lossyCount);
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
    this.waiting = false;
    let next = this.nextUnit;
    for (; next < this.units.length; next++) {
      const unit = this.units[next]!;
      const { surface } = unit;
      if (surface.length === 0) continue;
      if (this.text.startsWith(surface)) {
        this.resolveLossy(0);
        this.advance(surface.length, unit);
        continue;
      }
      // All else a unit can match lies within the resync window after the front.
      const window = this.text.front(surface.length + RESYNC_WINDOW);
      // The text may not have caught up yet (a backend that sends the logprob row before the text).
      if (!final && surface.length > window.length && surface.length <= MAX_WAITING_SURFACE && surface.startsWith(window)) {
        this.waiting = true;
        break;
      }
      if (surface.includes(REPLACEMENT) && !window.startsWith(REPLACEMENT)) {
        // Lossy bytes (vLLM, Ollama): the real character is unknown here; the next match decides its extent.
        if (this.lossyCount === 0) this.lossyFirst = unit.firstToken;
        this.lossyCount = unit.firstToken + unit.tokenCount - this.lossyFirst;
        continue;
      }
      const found = window.indexOf(surface, 1);
      if (found > 0 && found <= RESYNC_WINDOW) {
        if (this.lossyCount > 0) this.resolveLossy(found);
        else this.text.consume(found);
        this.advance(surface.length, unit);
      }
      // Otherwise the token is not in the text (a control token, a held-back stop string): it stays unplaced.
    }
    this.dropUnits(next);
  }

  /** Forgets the units before `next`, compacting only when that moves at most as many as it frees. */
  private dropUnits(next: number): void {
    if (next === this.units.length) {
      this.units.length = 0;
      this.nextUnit = 0;
    } else if (next >= 1024 && next * 2 >= this.units.length) {
      this.units.splice(0, next);
      this.nextUnit = 0;
    } else this.nextUnit = next;
  }

  /** Gives the lossy tokens seen since the last match the `gap` characters before the next match. */
  private resolveLossy(gap: number): void {
    if (this.lossyCount === 0) return;
    if (gap > 0) {
      this.place(this.text.start, this.text.start + gap, this.lossyFirst, this.lossyCount);
      this.text.consume(gap);
    }
    this.lossyCount = 0;
  }

  private advance(length: number, unit: Unit): void {
    this.place(this.text.start, this.text.start + length, unit.firstToken, unit.tokenCount);
    this.text.consume(length);
  }
}

/**
 * The answer text not yet covered by a placement, kept as the pieces it arrived in. Appending never copies and
 * reading the front copies only what is read: one growing string would be flattened (copied whole) on the first
 * read after every append, which is quadratic when nothing matches and the text piles up.
 */
class PendingText {
  private readonly pieces: string[] = [];
  private first = 0;
  /** Characters of `pieces[first]` already consumed. */
  private consumed = 0;
  /** Characters pending. */
  length = 0;
  /** Offset in the answer text of the first pending character. */
  start = 0;

  append(text: string): void {
    this.pieces.push(text);
    this.length += text.length;
  }

  /** Whether the pending text starts with `text`; without a copy when the first piece holds it (the usual case). */
  startsWith(text: string): boolean {
    const piece = this.pieces[this.first];
    if (piece !== undefined && piece.length - this.consumed >= text.length) return piece.startsWith(text, this.consumed);
    return this.front(text.length) === text;
  }

  /** The first `count` pending characters, or all of them when fewer are pending. */
  front(count: number): string {
    let out = '';
    for (let i = this.first, from = this.consumed; i < this.pieces.length && out.length < count; i++, from = 0) {
      out += this.pieces[i]!.slice(from, from + count - out.length);
    }
    return out;
  }

  consume(count: number): void {
    this.length -= count;
    this.start += count;
    let left = this.consumed + count;
    while (this.first < this.pieces.length && left >= this.pieces[this.first]!.length) {
      left -= this.pieces[this.first]!.length;
      this.first++;
    }
    this.consumed = left;
    if (this.first === this.pieces.length) {
      this.pieces.length = 0;
      this.first = 0;
    } else if (this.first >= 1024 && this.first * 2 >= this.pieces.length) {
      this.pieces.splice(0, this.first);
      this.first = 0;
    }
  }
}

/** Whether the token string is exactly its bytes in ASCII: the common case, decoded without a TextDecoder. */
function spellsAscii(token: string, bytes: readonly number[]): boolean {
  if (token.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80 || token.charCodeAt(i) !== bytes[i]) return false;
  return true;
}
