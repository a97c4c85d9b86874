/**
 * The storage form of a run: a compact binary file. Layout (docs/run-format.md, "Storage file"):
 *
 *   magic 89 4C 4C 52 ("\x89LLR") · format version (1 byte)
 *   meta:  varint length · JSON of the record's metadata (UTF-8) · CRC-32
 *   body:  varint length · columns · CRC-32
 *
 * The columns are a string table (every distinct token text once, then the answer text, decoded in one call),
 * varints for string ids, counts and placements, and little-endian floats: float64 for the sampled tokens,
 * float32 for alternatives (the live store's precision, so a restore is exact). Not compressed: deflate saved
 * ~18 % on 100k tokens × 20 alternatives but cost ~250 ms to write and ~40 ms to read, and the file is within
 * the 150 B/token budget without it. Damage, a foreign file or a newer version is a `RunDecodeError` with a
 * reason, never another error.
 */
import { crc32 } from 'node:zlib';
import { ByteReader, ByteWriter, RunDecodeError } from './bytes';
import type { RunMeta, RunRecord } from './runRecord';
import { hashText, metaOf, readRunMeta, RUN_RECORD_VERSION } from './runRecord';
import type { RunPlacements, RunTokens } from './runTokens';
import { checkPlacements } from './runTokens';

export { RunDecodeError } from './bytes';

const MAGIC = [0x89, 0x4c, 0x4c, 0x52];
export const RUN_FILE_VERSION = 1;

/** Encodes a run (~60 ms for 100k tokens × 20 alternatives): call it after the stream, never per chunk. */
export function encodeRun(record: RunRecord): Uint8Array {
  const out = new ByteWriter();
  for (const byte of MAGIC) out.byte(byte);
  out.byte(RUN_FILE_VERSION);
  section(out, new TextEncoder().encode(JSON.stringify(metaOf(record))));
  section(out, writeBody(record));
  return out.result().slice();
}

/** Decodes a whole run. Throws only `RunDecodeError`. */
export function decodeRun(bytes: Uint8Array): RunRecord {
  return guarded(() => {
    const reader = new ByteReader(bytes);
    const meta = readMeta(reader);
    const { text, tokens, placements } = readBody(new ByteReader(readSection(reader, 'columns')));
    if (reader.remaining !== 0) throw new RunDecodeError('corrupt', 'The run file has bytes after its end.');
    if (text.length !== meta.place.length || hashText(text) !== meta.place.textHash) {
      throw new RunDecodeError('corrupt', 'The answer text does not match the run\'s metadata.');
    }
    return { ...meta, text, tokens, placements };
  });
}

/** Decodes only the metadata (to rebuild an index without reading tokens). Throws only `RunDecodeError`. */
export function decodeRunMeta(bytes: Uint8Array): RunMeta {
  return guarded(() => readMeta(new ByteReader(bytes)));
}

function guarded<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof RunDecodeError) throw error;
    throw new RunDecodeError('corrupt', `The run file is damaged (${error instanceof Error ? error.message : String(error)}).`);
  }
}

function section(out: ByteWriter, content: Uint8Array): void {
  out.varint(content.length);
  out.bytes(content);
  const check = crc32(content);
  for (let shift = 0; shift < 32; shift += 8) out.byte((check >>> shift) & 0xff);
}

function readSection(reader: ByteReader, what: string): Uint8Array {
  const content = reader.bytes(reader.varint());
  const check = reader.bytes(4);
  if (crc32(content) !== (check[0]! | check[1]! << 8 | check[2]! << 16 | check[3]! << 24) >>> 0) {
    throw new RunDecodeError('corrupt', `The run file's ${what} fail their checksum.`);
  }
  return content;
}

function readMeta(reader: ByteReader): RunMeta {
  if (reader.remaining < MAGIC.length + 1 || MAGIC.some((byte) => reader.byte() !== byte)) {
    throw new RunDecodeError('foreign', 'This is not a Logprob Lens run file.');
  }
  const version = reader.byte();
  if (version > RUN_FILE_VERSION) throw new RunDecodeError('newer', `This run file was written by a newer Logprob Lens (format ${version}).`);
  if (version < 1) throw new RunDecodeError('corrupt', `Unknown run file format ${version}.`);
  const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readSection(reader, 'metadata')));
  const recordVersion = (parsed as { version?: unknown } | null)?.version;
  if (typeof recordVersion === 'number' && recordVersion > RUN_RECORD_VERSION) {
    throw new RunDecodeError('newer', `This run was written by a newer Logprob Lens (record version ${recordVersion}).`);
  }
  const meta = readRunMeta(parsed);
  if (typeof meta === 'string') throw new RunDecodeError('corrupt', `The run's metadata is invalid: ${meta}.`);
  return meta;
}

function writeBody({ text, tokens, placements }: RunRecord): Uint8Array {
  const out = new ByteWriter();
  writeStrings(out, tokens.strings, text);
  const n = tokens.count;
  out.varint(n);
  out.varints(tokens.text);
  out.floats(tokens.logprob);
  out.varint(tokens.altText.length);
  for (let i = 0; i < n; i++) out.byte(tokens.altStart[i + 1]! - tokens.altStart[i]!);
  out.varints(tokens.altText);
  out.floats(tokens.altLogprob);
  out.byte(tokens.ids ? 1 : 0);
  if (tokens.ids && tokens.altIds) {
    out.varints(tokens.ids.map((id) => id + 1));
    out.varints(tokens.altIds.map((id) => id + 1));
  }
  out.varint(tokens.bytes.size);
  let previous = 0;
  for (const [index, bytes] of [...tokens.bytes].sort((a, b) => a[0] - b[0])) {
    out.varint(index - previous);
    previous = index;
    out.varint(bytes.length);
    out.bytes(Uint8Array.from(bytes));
  }
  writePlacements(out, placements);
  return out.result();
}

function readBody(reader: ByteReader): { text: string; tokens: RunTokens; placements: RunPlacements } {
  const { strings, text } = readStrings(reader);
  const n = reader.count(10);
  const tokenText = reader.varints(n, strings.length);
  const logprob = reader.floats64(n);
  const altTotal = reader.count(5);
  const altStart = new Int32Array(n + 1);
  const altCounts = reader.bytes(n);
  for (let i = 0; i < n; i++) altStart[i + 1] = altStart[i]! + altCounts[i]!;
  if (altStart[n] !== altTotal) throw new RunDecodeError('corrupt', 'The alternatives do not add up.');
  const altText = reader.varints(altTotal, strings.length);
  const altLogprob = reader.floats32(altTotal);
  let ids: Int32Array | undefined;
  let altIds: Int32Array | undefined;
  if (reader.byte() === 1) {
    ids = reader.varints(n, 0x7fffffff).map((id) => id - 1);
    altIds = reader.varints(altTotal, 0x7fffffff).map((id) => id - 1);
  }
  const bytes = new Map<number, readonly number[]>();
  const entries = reader.count(2);
  for (let e = 0, index = 0; e < entries; e++) {
    index += reader.varint();
    if (index >= n || (e > 0 && bytes.has(index))) throw new RunDecodeError('corrupt', 'Token bytes point past the tokens.');
    bytes.set(index, [...reader.bytes(reader.varint())]);
  }
  const placements = readPlacements(reader);
  const problem = checkPlacements(placements, text.length, n);
  if (problem) throw new RunDecodeError('corrupt', `The token places are invalid: ${problem}.`);
  if (reader.remaining !== 0) throw new RunDecodeError('corrupt', 'The run\'s columns have bytes after their end.');
  return { text, tokens: { count: n, strings, text: tokenText, logprob, altStart, altText, altLogprob, ids, altIds, bytes }, placements };
}

/**
 * All strings and the answer text in one block, decoded in one call and cut by UTF-16 lengths. UTF-8 unless the
 * block holds a lone surrogate (which UTF-8 cannot carry); then UTF-16LE, so any JavaScript string round-trips.
 */
function writeStrings(out: ByteWriter, strings: readonly string[], text: string): void {
  out.varint(strings.length);
  for (const value of strings) out.varint(value.length);
  out.varint(text.length);
  const block = strings.join('') + text;
  const wellFormed = !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(block);
  const encoded = wellFormed ? new TextEncoder().encode(block) : utf16le(block);
  out.byte(wellFormed ? 0 : 1);
  out.varint(encoded.length);
  out.bytes(encoded);
}

function readStrings(reader: ByteReader): { strings: string[]; text: string } {
  const count = reader.count(1);
  const lengths: number[] = [];
  for (let i = 0; i < count; i++) lengths.push(reader.varint());
  const textLength = reader.varint();
  const encoding = reader.byte();
  if (encoding > 1) throw new RunDecodeError('corrupt', 'Unknown string encoding.');
  const bytes = reader.bytes(reader.varint());
  if (encoding === 1 && bytes.length % 2 !== 0) throw new RunDecodeError('corrupt', 'The string table has half a character.');
  // Buffer keeps lone surrogates in UTF-16 (TextDecoder would replace them).
  const block = encoding === 0 ? new TextDecoder('utf-8', { fatal: true }).decode(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf16le');
  const strings: string[] = [];
  let at = 0;
  for (const length of lengths) {
    strings.push(block.slice(at, at + length));
    at += length;
  }
  if (at + textLength !== block.length) throw new RunDecodeError('corrupt', 'The string table does not add up.');
  return { strings, text: block.slice(at) };
}

function utf16le(text: string): Uint8Array {
  return Buffer.from(text, 'utf16le');
}

/**
 * Placements as four columns of zigzag deltas (start from the previous start, length, first token from the
 * previous first token, token count): placements are sorted and back to back, so nearly every value is one byte.
 */
function writePlacements(out: ByteWriter, placements: RunPlacements): void {
  const { count, start, end, firstToken, tokenCount } = placements;
  out.varint(count);
  out.varints(start.map((value, p) => zigzag(value - (p > 0 ? start[p - 1]! : 0))));
  out.varints(end.map((value, p) => value - start[p]!));
  out.varints(firstToken.map((value, p) => zigzag(value - (p > 0 ? firstToken[p - 1]! : 0))));
  out.varints(tokenCount);
}

function readPlacements(reader: ByteReader): RunPlacements {
  const count = reader.count(4);
  const start = reader.varints(count, 0x7fffffff);
  const end = reader.varints(count, 0x7fffffff);
  const firstToken = reader.varints(count, 0x7fffffff);
  const tokenCount = reader.varints(count, 0x7fffffff);
  for (let p = 0; p < count; p++) {
    start[p] = unzigzag(start[p]!) + (p > 0 ? start[p - 1]! : 0);
    end[p] = start[p]! + end[p]!;
    firstToken[p] = unzigzag(firstToken[p]!) + (p > 0 ? firstToken[p - 1]! : 0);
  }
  return { count, start, end, firstToken, tokenCount };
}

/** Signed to unsigned, small magnitudes first: 0, -1, 1, -2 → 0, 1, 2, 3 (int32 only). */
const zigzag = (value: number): number => (value << 1) ^ (value >> 31);
const unzigzag = (value: number): number => (value >>> 1) ^ -(value & 1);
