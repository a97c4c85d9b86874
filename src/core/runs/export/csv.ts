/**
 * The CSV export of a run: one row per token (RFC 4180: CRLF between rows, a field quoted when it holds a comma,
 * a quote or a line break, quotes doubled). Columns: index, start, end, token, logprob, probability, rank,
 * entropy_bits, alternatives. Spreadsheet formula injection is defused as OWASP advises (see docs/run-format.md).
 */
import type { RunRecord } from '../runRecord';
import { entropyBits, float32Decimal, rankedAlternatives, rankedScratch, rankIn, tokenLogprob, tokenText } from '../runTokens';

export const CSV_COLUMNS = ['index', 'start', 'end', 'token', 'logprob', 'probability', 'rank', 'entropy_bits', 'alternatives'] as const;

/**
 * One row per token. `start`/`end` are UTF-16 offsets in the answer text of the token's placement (tokens that
 * together make one character share it; an unplaced token has none). `rank` is 1-based among the distinct
 * alternatives, empty when the token is not among them or there are none. `alternatives` is a JSON array of
 * `{"token", "logprob"}` by descending logprob (the float32 values, shortest), exact text (never defused).
 */
export function runToCsv(record: RunRecord): string {
  const { tokens, placements } = record;
  const start = new Int32Array(tokens.count).fill(-1);
  const end = new Int32Array(tokens.count).fill(-1);
  for (let p = 0; p < placements.count; p++) {
    for (let i = placements.firstToken[p]!; i < placements.firstToken[p]! + placements.tokenCount[p]!; i++) {
      start[i] = placements.start[p]!;
      end[i] = placements.end[p]!;
    }
  }
  const ranked = rankedScratch();
  const rows = [CSV_COLUMNS.join(',')];
  for (let i = 0; i < tokens.count; i++) {
    const count = rankedAlternatives(tokens, i, ranked);
    const logprob = tokenLogprob(tokens, i);
    const alternatives: { token: string; logprob: number | null }[] = [];
    for (let k = 0; k < count; k++) alternatives.push({ token: tokens.strings[ranked.text[k]!]!, logprob: float32Decimal(ranked.logprob[k]!) });
    rows.push([
      String(i),
      start[i]! >= 0 ? String(start[i]) : '',
      end[i]! >= 0 ? String(end[i]) : '',
      csvField(defuseFormula(tokenText(tokens, i))),
      logprob === undefined ? '' : String(logprob),
      logprob === undefined ? '' : String(Math.exp(logprob)),
      String(rankIn(tokens, i, ranked, count) ?? ''),
      // Six digits: computed from float32 alternatives, more would be noise.
      count > 0 ? String(Number(entropyBits(ranked, count).toPrecision(6))) : '',
      csvField(JSON.stringify(alternatives)),
    ].join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

/** RFC 4180: quoted (quotes doubled) when the field holds a comma, a quote, CR or LF, or starts or ends with a space. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first, OWASP's list) gets a
 * leading apostrophe, which spreadsheets show as text and do not display. Applied to the token column only:
 * the numbers are ours, and the alternatives cell starts with "[". The exact token is in the JSON export.
 */
export function defuseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
