/**
 * A run's tokens and their places in the answer text, kept in columns (typed arrays and one string table), not
 * as objects: a 100k-token run with 20 alternatives is 2M alternatives, which as objects would take ~330 MB.
 * Owns the builders from token entries and from a live `TokenStore`, the per-token accessors the exports and the
 * comparison share, and the one definition of "a token's alternatives" they all use (the hover's).
 */
import { Answer } from '../answer';
import { DEFAULT_THRESHOLDS } from '../buckets';
import type { ChunkDelta } from '../chatChunk';
import { GrowableColumn, int32Column, StringTable } from '../columns';
import type { Eol } from '../eol';
import type { TokenEntry } from '../logprob';
import { cleanLogprob } from '../logprob';
import { lastAtOrBelow } from '../search';
import type { PlacementColumns, StoreColumns, TokenStore } from '../tokenStore';

/** An alternative as recorded: the token id too when the backend sent one (llama.cpp, vLLM). */
export interface RecordedAlternative {
  readonly token: string;
  readonly logprob: number;
  readonly id?: number;
}

/** A token as recorded, in OpenAI's `TokenLogprob` shape (what the JSON export writes and other tools read). */
export interface RecordedToken {
  readonly token: string;
  readonly logprob: number | null;
  /** Only when they are not the UTF-8 of `token` (a token that ends inside a character). */
  readonly bytes?: readonly number[];
  readonly id?: number;
  readonly top_logprobs: readonly RecordedAlternative[];
}

/** What the builders accept: a wire token as every reader hands it over (ids where the backend sends them). */
export type TokenInput = TokenEntry;

/**
 * Token columns. Precision is the live store's: float64 for the sampled token's logprob (colours, statistics),
 * float32 for alternatives, so a restored answer is bit-identical to the one that streamed.
 */
export interface RunTokens extends StoreColumns {
  readonly count: number;
  /** Token ids (-1 unknown); `undefined` when the backend sent none. */
  readonly ids: Int32Array | undefined;
  readonly altIds: Int32Array | undefined;
  /** Bytes of the tokens whose bytes are not the UTF-8 of their text (partial characters), by token index. */
  readonly bytes: ReadonlyMap<number, readonly number[]>;
}

/** Where tokens sit in the answer text: UTF-16 offsets relative to the answer's start, sorted by offset. */
export type RunPlacements = PlacementColumns;

const encoder = new TextEncoder();
const float32Column = (): GrowableColumn<Float32Array> => new GrowableColumn((n) => new Float32Array(n));
const float64Column = (): GrowableColumn<Float64Array> => new GrowableColumn((n) => new Float64Array(n));

/** Appends tokens to columns; `build()` returns them trimmed. */
export class RunTokensBuilder {
  private readonly table = new StringTable();
  private readonly strings: string[] = [];
  private readonly text = int32Column();
  private readonly logprob = float64Column();
  private readonly altStart = int32Column();
  private readonly altText = int32Column();
  private readonly altLogprob = float32Column();
  private readonly ids = int32Column();
  private readonly altIds = int32Column();
  private anyId = false;
  private readonly bytes = new Map<number, readonly number[]>();

  constructor() {
    this.altStart.push(0);
  }

  add(entry: TokenInput): void {
    const index = this.text.push(this.intern(entry.token));
    this.logprob.push(cleanLogprob(entry.logprob) ?? Number.NaN);
    this.ids.push(this.idOf(entry.id));
    const bytes = entry.bytes;
    if (bytes && bytes.length > 0 && !isUtf8Of(entry.token, bytes)) this.bytes.set(index, [...bytes]);
    for (const alternative of (entry.top_logprobs ?? []).slice(0, 255)) {
      this.altText.push(this.intern(alternative.token));
      this.altLogprob.push(cleanLogprob(alternative.logprob) ?? Number.NEGATIVE_INFINITY);
      this.altIds.push(this.idOf(alternative.id));
    }
    this.altStart.push(this.altText.length);
  }

  build(): RunTokens {
    return {
      count: this.text.length,
      strings: this.strings,
      text: this.text.raw.slice(0, this.text.length),
      logprob: this.logprob.raw.slice(0, this.logprob.length),
      altStart: this.altStart.raw.slice(0, this.altStart.length),
      altText: this.altText.raw.slice(0, this.altText.length),
      altLogprob: this.altLogprob.raw.slice(0, this.altLogprob.length),
      ids: this.anyId ? this.ids.raw.slice(0, this.ids.length) : undefined,
      altIds: this.anyId ? this.altIds.raw.slice(0, this.altIds.length) : undefined,
      bytes: this.bytes,
    };
  }

  private intern(value: string): number {
    const id = this.table.intern(value);
    if (id === this.strings.length) this.strings.push(value);
    return id;
  }

  private idOf(id: number | null | undefined): number {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0x7fffffff) return -1;
    this.anyId = true;
    return id;
  }
}

export function tokensFromEntries(entries: Iterable<TokenInput>): RunTokens {
  const builder = new RunTokensBuilder();
  for (const entry of entries) builder.add(entry);
  return builder.build();
}

/** Copies a live answer's tokens: a copy of its typed-array columns. */
export function tokensFromStore(store: TokenStore): RunTokens {
  return tokensFromColumns(store.columns());
}

/** A run's tokens from a live store's columns, with the ids and partial-character bytes it keeps. */
export function tokensFromColumns(columns: StoreColumns): RunTokens {
  return { ...columns, count: columns.text.length, ids: columns.ids, altIds: columns.altIds, bytes: columns.bytes ?? new Map() };
}

/** A live answer's placements that still show the model's text (edited ones are left out: they stay uncoloured). */
export function placementsFromStore(store: TokenStore): RunPlacements {
  const columns = placementColumns();
  for (let i = 0; i < store.placementCount; i++) {
    if (!store.isValid(i)) continue;
    const { start, end, firstToken, tokenCount } = store.placement(i);
    columns.add(start, end, firstToken, tokenCount);
  }
  return columns.build();
}

/** Growing placement columns, for the builders and the decoders. */
export function placementColumns(): { add(start: number, end: number, firstToken: number, tokenCount: number): void; build(): RunPlacements } {
  const start = int32Column();
  const end = int32Column();
  const firstToken = int32Column();
  const tokenCount = int32Column();
  return {
    add(from, to, first, count) {
      start.push(from);
      end.push(to);
      firstToken.push(first);
      tokenCount.push(count);
    },
    build: () => ({
      count: start.length,
      start: start.raw.slice(0, start.length),
      end: end.raw.slice(0, end.length),
      firstToken: firstToken.raw.slice(0, firstToken.length),
      tokenCount: tokenCount.raw.slice(0, tokenCount.length),
    }),
  };
}

/**
 * What is wrong with placements read from a file, if anything: they must lie in the text, be sorted by start
 * and not overlap (the store's binary search relies on it), and cover existing tokens.
 */
export function checkPlacements(placements: RunPlacements, textLength: number, tokenCount: number): string | undefined {
  let previousEnd = 0;
  for (let p = 0; p < placements.count; p++) {
    const start = placements.start[p]!;
    const end = placements.end[p]!;
    const first = placements.firstToken[p]!;
    const count = placements.tokenCount[p]!;
    if (start < previousEnd || end < start || end > textLength) return `place ${p} (${start}-${end}) is outside the text or overlaps the previous one`;
    if (first < 0 || count < 1 || first + count > tokenCount) return `place ${p} covers tokens that do not exist`;
    previousEnd = end;
  }
  return undefined;
}

/** An answer's text (with the document's line endings), tokens and placements. */
export interface PlacedAnswer {
  readonly text: string;
  readonly tokens: RunTokens;
  readonly placements: RunPlacements;
  /** The last finish reason the deltas carried. */
  readonly finishReason: string | undefined;
}

/**
 * Places the deltas of an answer as the editor does (the same aligner and line-ending translation), for runs
 * that did not stream into a document: a saved response, a sample, an imported file, a test.
 */
export function placeDeltas(deltas: readonly ChunkDelta[], eol: Eol = '\n'): PlacedAnswer {
  const answer = new Answer(0, eol, DEFAULT_THRESHOLDS);
  const builder = new RunTokensBuilder();
  let text = '';
  let finishReason: string | undefined;
  for (const delta of deltas) {
    const inserted = answer.append(delta.text, delta.tokens);
    for (const token of delta.tokens) builder.add(token);
    answer.inserted(inserted.length);
    text += inserted;
    finishReason = delta.finishReason ?? finishReason;
  }
  const rest = answer.finish();
  answer.inserted(rest.length);
  text += rest;
  return { text, tokens: builder.build(), placements: placementsFromStore(answer.store), finishReason };
}

/** The placement holding token `index`, or -1 when the token is not placed. */
export function placementOfToken(placements: RunPlacements, index: number): number {
  const candidate = lastAtOrBelow(placements.count, (placement) => placements.firstToken[placement]!, index);
  return candidate >= 0 && index < placements.firstToken[candidate]! + placements.tokenCount[candidate]! ? candidate : -1;
}

/** Token i as an object, with its alternatives as the backend listed them. */
export function recordedToken(tokens: RunTokens, index: number): RecordedToken {
  const top: RecordedAlternative[] = [];
  for (let j = tokens.altStart[index]!; j < tokens.altStart[index + 1]!; j++) {
    const id = tokens.altIds?.[j] ?? -1;
    top.push(id >= 0
      ? { token: tokens.strings[tokens.altText[j]!]!, logprob: tokens.altLogprob[j]!, id }
      : { token: tokens.strings[tokens.altText[j]!]!, logprob: tokens.altLogprob[j]! });
  }
  const logprob = tokens.logprob[index]!;
  const id = tokens.ids?.[index] ?? -1;
  const bytes = tokens.bytes.get(index);
  return {
    token: tokens.strings[tokens.text[index]!]!,
    logprob: Number.isNaN(logprob) ? null : logprob,
    ...(bytes ? { bytes } : {}),
    ...(id >= 0 ? { id } : {}),
    top_logprobs: top,
  };
}

export function tokenText(tokens: RunTokens, index: number): string {
  return tokens.strings[tokens.text[index]!]!;
}

export function tokenLogprob(tokens: RunTokens, index: number): number | undefined {
  const logprob = tokens.logprob[index]!;
  return Number.isNaN(logprob) ? undefined : logprob;
}

/**
 * A token's alternatives as the hover ranks them: by descending logprob (ties in the backend's order), the same
 * text listed once at its best logprob. Fills `into` (reused across calls) and returns how many there are.
 */
export function rankedAlternatives(tokens: RunTokens, index: number, into: RankedAlternatives): number {
  if (into.seen.length < tokens.strings.length) into.seen = new Int32Array(tokens.strings.length);
  const row = ++into.row;
  let count = 0;
  for (let j = tokens.altStart[index]!; j < tokens.altStart[index + 1]!; j++) {
    const text = tokens.altText[j]!;
    const logprob = tokens.altLogprob[j]!;
    let duplicate = -1;
    // A text not seen in this row is new: the search for a repeat (rare) only runs for texts seen before.
    if (into.seen[text] === row) for (let k = 0; k < count; k++) if (into.text[k] === text) duplicate = k;
    into.seen[text] = row;
    if (duplicate >= 0) {
      if (logprob > into.logprob[duplicate]!) removeAt(into, duplicate, count--);
      else continue;
    }
    // Insertion sort: at most 255 entries, stable, no allocation.
    let at = count;
    while (at > 0 && into.logprob[at - 1]! < logprob) {
      into.text[at] = into.text[at - 1]!;
      into.logprob[at] = into.logprob[at - 1]!;
      at--;
    }
    into.text[at] = text;
    into.logprob[at] = logprob;
    count++;
  }
  return count;
}

/** Scratch space for `rankedAlternatives`, reused from token to token of one run. */
export interface RankedAlternatives {
  readonly text: Int32Array;
  readonly logprob: Float64Array;
  /** Per string id, the last row it was listed in: finds repeats without comparing every pair. */
  seen: Int32Array;
  row: number;
}

export const rankedScratch = (): RankedAlternatives => ({ text: new Int32Array(256), logprob: new Float64Array(256), seen: new Int32Array(0), row: 0 });

function removeAt(into: RankedAlternatives, at: number, count: number): void {
  into.text.copyWithin(at, at + 1, count);
  into.logprob.copyWithin(at, at + 1, count);
}

/** 1-based rank of the token among its ranked alternatives; `undefined` when absent, `null` without alternatives. */
export function rankIn(tokens: RunTokens, index: number, ranked: RankedAlternatives, count: number): number | null | undefined {
  if (count === 0) return null;
  const text = tokens.text[index]!;
  for (let k = 0; k < count; k++) if (ranked.text[k] === text) return k + 1;
  return undefined;
}

/**
 * Entropy in bits of ranked alternatives renormalised to sum to 1 (the hover's "entropy over the top k").
 * With q = p / T: H = −Σ q ln q = ln T − Σ p ln p / T, so one exp per alternative and no log of each.
 */
export function entropyBits(ranked: RankedAlternatives, count: number): number {
  let total = 0;
  let weighted = 0;
  for (let k = 0; k < count; k++) {
    const logprob = ranked.logprob[k]!;
    const p = Math.exp(logprob);
    if (p === 0) continue;
    total += p;
    weighted += p * logprob;
  }
  if (!(total > 0)) return 0;
  return Math.max(0, Math.log(total) - weighted / total) / Math.LN2;
}

/**
 * A short decimal (8 or 9 digits, trailing zeros dropped) that reads back as the same float32 (alternatives are
 * float32): -0.02, not -0.019999999552965164. `null` for -Infinity (no logprob), which JSON cannot write.
 */
export function float32Decimal(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  // 8 digits suffice for ~98 % of float32 values (9 always do); trailing zeros vanish in the number.
  const candidate = Number(value.toPrecision(8));
  return Math.fround(candidate) === value ? candidate : Number(value.toPrecision(9));
}

/** Whether `bytes` are exactly the UTF-8 encoding of `text` (then they need not be kept). */
function isUtf8Of(text: string, bytes: readonly number[]): boolean {
  let ascii = text.length === bytes.length;
  for (let i = 0; ascii && i < text.length; i++) ascii = text.charCodeAt(i) === bytes[i] && bytes[i]! < 0x80;
  if (ascii) return true;
  const encoded = encoder.encode(text);
  return encoded.length === bytes.length && encoded.every((byte, i) => byte === bytes[i]);
}

export type { StoreColumns };
