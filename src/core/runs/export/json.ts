/**
 * The JSON export of a run: lossless, documented in docs/run-format.md, recognised by Open Logprobs Response
 * (`isRunExport`) and read back to the same text, tokens and placements (`readRunExport`), so the reopened
 * answer has identical colours and hovers. Tokens are in OpenAI's `TokenLogprob` shape so other tools read them.
 */
import { RunDecodeError } from '../bytes';
import type { RunMeta, RunRecord } from '../runRecord';
import { hashText, metaOf, readRunMeta, RUN_RECORD_VERSION } from '../runRecord';
import type { RunPlacements, TokenInput } from '../runTokens';
import { checkPlacements, float32Decimal, placementColumns, recordedToken, RunTokensBuilder } from '../runTokens';

/** The `format` marker of a run export. */
export const RUN_EXPORT_FORMAT = 'logprob-lens/run';

/** A run export as written: `version` is the record version. */
export interface RunExport {
  readonly format: typeof RUN_EXPORT_FORMAT;
  readonly version: number;
  readonly run: RunMeta;
  readonly text: string;
  readonly tokens: readonly ExportedToken[];
  /** `[start, end, firstToken, tokenCount]`: UTF-16 offsets in `text`, sorted. */
  readonly placements: readonly (readonly [number, number, number, number])[];
}

interface ExportedToken {
  readonly token: string;
  readonly logprob: number | null;
  readonly bytes?: readonly number[];
  readonly id?: number;
  readonly top_logprobs: readonly { readonly token: string; readonly logprob: number | null; readonly id?: number }[];
}

/** Whether a parsed JSON value is a run export (any version): the cheap test for Open Logprobs Response. */
export function isRunExport(value: unknown): value is { readonly format: typeof RUN_EXPORT_FORMAT; readonly version: number } {
  const candidate = value as { format?: unknown; version?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && candidate.format === RUN_EXPORT_FORMAT && typeof candidate.version === 'number';
}

/** The export as JSON text: the metadata indented, then one token per line (readable, and diffs well). */
export function runToJson(record: RunRecord): string {
  const tokens: string[] = [];
  for (let i = 0; i < record.tokens.count; i++) tokens.push(JSON.stringify(exportedToken(record, i)));
  const placements: string[] = [];
  const { start, end, firstToken, tokenCount } = record.placements;
  for (let p = 0; p < record.placements.count; p++) placements.push(`[${start[p]},${end[p]},${firstToken[p]},${tokenCount[p]}]`);
  const indent = (json: string): string => json.replace(/\n/g, '\n  ');
  return [
    '{',
    `  "format": ${JSON.stringify(RUN_EXPORT_FORMAT)},`,
    `  "version": ${RUN_RECORD_VERSION},`,
    `  "run": ${indent(JSON.stringify(metaOf(record), null, 2))},`,
    `  "text": ${JSON.stringify(record.text)},`,
    `  "tokens": [${tokens.length > 0 ? `\n    ${tokens.join(',\n    ')}\n  ` : ''}],`,
    `  "placements": [${placements.join(',')}]`,
    '}',
    '',
  ].join('\n');
}

function exportedToken(record: RunRecord, index: number): ExportedToken {
  const token = recordedToken(record.tokens, index);
  return {
    ...token,
    top_logprobs: token.top_logprobs.map((alternative) => ({ ...alternative, logprob: float32Decimal(alternative.logprob) })),
  };
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const corrupt = (why: string): RunDecodeError => new RunDecodeError('corrupt', `This run export is invalid: ${why}.`);

/** Reads a run export back to a record. Throws only `RunDecodeError` (foreign, newer or invalid, with the reason). */
export function readRunExport(value: unknown): RunRecord {
  if (!isRunExport(value)) throw new RunDecodeError('foreign', 'This is not a Logprob Lens run export (no "format": "logprob-lens/run").');
  if (value.version > RUN_RECORD_VERSION) throw new RunDecodeError('newer', `This run export was written by a newer Logprob Lens (version ${value.version}).`);
  const { run, text, tokens, placements } = value as unknown as Json;
  if (isObject(run) && typeof run.version === 'number' && run.version > RUN_RECORD_VERSION) {
    throw new RunDecodeError('newer', `This run was written by a newer Logprob Lens (record version ${run.version}).`);
  }
  const meta = readRunMeta(run);
  if (typeof meta === 'string') throw corrupt(meta);
  if (typeof text !== 'string') throw corrupt('"text" is not a string');
  if (text.length !== meta.place.length || hashText(text) !== meta.place.textHash) throw corrupt('"text" does not match the run\'s text hash');
  if (!Array.isArray(tokens)) throw corrupt('"tokens" is not an array');
  const builder = new RunTokensBuilder();
  tokens.forEach((token, i) => builder.add(readToken(token, i)));
  const built = builder.build();
  const read = readPlacements(placements);
  const problem = checkPlacements(read, text.length, built.count);
  if (problem) throw corrupt(problem);
  return { ...meta, text, tokens: built, placements: read };
}

function readToken(value: unknown, index: number): TokenInput {
  const where = `token ${index}`;
  if (!isObject(value) || typeof value.token !== 'string') throw corrupt(`${where} has no text`);
  if (value.logprob !== null && typeof value.logprob !== 'number') throw corrupt(`${where} has a logprob that is not a number`);
  const bytes = value.bytes;
  if (bytes !== undefined && bytes !== null && (!Array.isArray(bytes) || bytes.some((byte) => !Number.isInteger(byte) || byte < 0 || byte > 255))) {
    throw corrupt(`${where} has bytes that are not bytes`);
  }
  if (!Array.isArray(value.top_logprobs)) throw corrupt(`${where} has no "top_logprobs" array`);
  const top = value.top_logprobs.map((alternative: unknown) => {
    if (!isObject(alternative) || typeof alternative.token !== 'string' || (alternative.logprob !== null && typeof alternative.logprob !== 'number')) {
      throw corrupt(`${where} has a malformed alternative`);
    }
    return { token: alternative.token, logprob: alternative.logprob ?? Number.NEGATIVE_INFINITY, ...(typeof alternative.id === 'number' ? { id: alternative.id } : {}) };
  });
  return {
    token: value.token,
    logprob: value.logprob,
    bytes: Array.isArray(bytes) ? bytes as number[] : null,
    ...(typeof value.id === 'number' ? { id: value.id } : {}),
    top_logprobs: top,
  };
}

function readPlacements(value: unknown): RunPlacements {
  if (!Array.isArray(value)) throw corrupt('"placements" is not an array');
  const columns = placementColumns();
  for (const placement of value as unknown[]) {
    if (!Array.isArray(placement) || placement.length !== 4 || placement.some((n) => !Number.isSafeInteger(n) || (n as number) < 0 || (n as number) > 0x7fffffff)) {
      throw corrupt('a placement is not four offsets');
    }
    const [start, end, firstToken, tokenCount] = placement as number[];
    columns.add(start!, end!, firstToken!, tokenCount!);
  }
  return columns.build();
}
