import type { Alternative } from './logprob';
import { formatLogprob, formatPercent, visibleToken } from './format';
import type { StoredToken } from './tokenStore';

/**
 * What a hover adds to each token's section (the steering actions and notes): our own markdown only, never text
 * from the model. `token` is the index in the hover's `tokens`; `alternative` indexes that token's alternatives
 * as stored (before ranking).
 */
export interface HoverRows {
  /** Paragraphs after the token's first line. */
  tokenLines(token: number): readonly string[];
  /** The last cell of an alternative's row: one line, no unescaped `|`. */
  alternativeCell(token: number, alternative: number): string;
}

/**
 * Markdown for a token's hover. Model text is untrusted: every token goes into a code span that no text can
 * leave (see `codeSpan`), so links, images, HTML and `$(icons)` show as literal text. The adapter renders it with
 * `supportHtml` and theme icons off, trusting only our own commands (`rows` holds their links). `colourValue` (our
 * own words, `describeValue`) ends it: what the colour says in a mode other than probability.
 */
export function hoverMarkdown(tokens: readonly StoredToken[], rows?: HoverRows, colourValue?: string): string {
  if (colourValue !== undefined) return `${hoverMarkdown(tokens, rows)}\n\nColour: ${colourValue}`;
  if (tokens.length === 1) return tokenSection(tokens[0]!, '', 0, rows);
  const joint = tokens.reduce<number | undefined>(
    (sum, token) => (sum === undefined || token.logprob === undefined ? undefined : sum + token.logprob), 0);
  const header = `**One character from ${tokens.length} tokens** · joint ${formatPercent(joint === undefined ? undefined : Math.exp(joint))}`
    + ` · logprob ${formatLogprob(joint)}\n\n`;
  return header + tokens.map((token, i) => tokenSection(token, `Token ${i + 1} of ${tokens.length}: `, i, rows)).join('\n\n---\n\n');
}

function tokenSection(token: StoredToken, prefix: string, index: number, rows: HoverRows | undefined): string {
  const probability = token.logprob === undefined ? undefined : Math.exp(token.logprob);
  const ranked = rankedAlternatives(token.alternatives);
  const rankIndex = ranked.findIndex(({ alternative }) => alternative.token === token.token);
  const rank = rankIndex >= 0 ? `rank ${rankIndex + 1} of ${ranked.length}`
    : ranked.length > 0 ? `not among the top ${ranked.length}` : 'no alternatives returned';
  const lines = [
    `${prefix}${codeSpan(visibleToken(token.token), false)} · **${formatPercent(probability)}** · logprob ${formatLogprob(token.logprob)} · ${rank}`,
  ];
  for (const line of rows?.tokenLines(index) ?? []) lines.push('', line);
  if (token.logprob === undefined) lines.push('', '_The model returned no logprob for this token._');
  if (ranked.length > 0) {
    // The actions column shows only when some row has an action: no empty column where steering is not possible.
    const cells = ranked.map(({ index: stored }) => rows?.alternativeCell(index, stored) ?? '');
    const actions = cells.some((cell) => cell !== '');
    lines.push('', `| | alternative | probability | logprob | |${actions ? ' |' : ''}`, `|:-:|:--|--:|--:|:--|${actions ? ':--|' : ''}`);
    for (const [row, { alternative }] of ranked.entries()) {
      const p = Math.exp(alternative.logprob);
      const chosen = alternative.token === token.token ? '▶' : '';
      const cell = actions ? ` ${cells[row]} |` : '';
      lines.push(`| ${chosen} | ${codeSpan(visibleToken(alternative.token), true)} | ${formatPercent(p)} | ${formatLogprob(alternative.logprob)} | ${bar(p)} |${cell}`);
    }
    const { coverage, entropyBits } = summarize(ranked.map(({ alternative }) => alternative));
    lines.push('', `Top ${ranked.length} cover ${formatPercent(coverage)} of the probability · entropy over the top ${ranked.length}`
      + ` (renormalised): ${entropyBits.toFixed(2)} bits`);
  }
  return lines.join('\n');
}

/** Alternatives by descending logprob, duplicates (same token string) kept once. */
export function rankAlternatives(alternatives: readonly Alternative[]): Alternative[] {
  return rankedAlternatives(alternatives).map(({ alternative }) => alternative);
}

/** As `rankAlternatives`, each with its index in the list as given (the index hover links carry). */
export function rankedAlternatives(alternatives: readonly Alternative[]): { alternative: Alternative; index: number }[] {
  const seen = new Set<string>();
  return alternatives.map((alternative, index) => ({ alternative, index }))
    .sort((a, b) => b.alternative.logprob - a.alternative.logprob)
    .filter(({ alternative }) => !seen.has(alternative.token) && seen.add(alternative.token));
}

/** Probability mass the listed alternatives cover, and the entropy (bits) of their renormalised distribution. */
export function summarize(alternatives: readonly Alternative[]): { coverage: number; entropyBits: number } {
  const probabilities = alternatives.map((alternative) => Math.exp(alternative.logprob));
  const coverage = Math.min(1, probabilities.reduce((sum, p) => sum + p, 0));
  const total = probabilities.reduce((sum, p) => sum + p, 0);
  let entropyBits = 0;
  if (total > 0) {
    for (const p of probabilities) {
      const q = p / total;
      if (q > 0) entropyBits -= q * Math.log2(q);
    }
  }
  return { coverage, entropyBits };
}

/**
 * A code span no text can leave. CommonMark: the fence is longer than every backtick run inside, and text that
 * starts or ends with a backtick is padded with a space, which the renderer strips again.
 * In a table cell the span must also survive the row splitter, which runs before any inline parsing. VS Code
 * renders hovers with marked, whose `splitCells` (VS Code src/vs/base/common/marked/marked.js at commit
 * 11203b1c) ends a cell at every `|` preceded by an even number of backslashes, inside a code span or not, then
 * turns each `\|` of a cell into `|`. So every `|` is written `\|`. A `|` right after a backslash cannot be
 * written so that `\|` shows (that needs an odd run of backslashes, of which the unescape removes just one), so
 * it shows as ⟨U+007C⟩, in the notation of `visibleToken`. The newer, code-span-aware `splitCells` of marked
 * (markedjs/marked src/helpers.ts at commit 0589781a) reads a backslash before the closing fence as escaping it,
 * so text ending in a backslash is padded too.
 * Each token thus stays in its own cell and its own span, whatever the other cells hold (our own command links
 * included). `text` is a visible form (`visibleToken`): no line breaks, no spaces.
 */
export function codeSpan(text: string, inTable: boolean): string {
  if (text.length === 0) return '_(empty)_';
  let longestRun = 0;
  for (const run of text.match(/`+/g) ?? []) longestRun = Math.max(longestRun, run.length);
  const fence = '`'.repeat(longestRun + 1);
  const body = inTable ? text.replace(/\\\|/g, '\\⟨U+007C⟩').replace(/\|/g, '\\|') : text;
  const padded = /^`|[`\\]$/.test(body) ? ` ${body} ` : body;
  return `${fence}${padded}${fence}`;
}

function bar(probability: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, probability)) * 10);
  return '█'.repeat(filled) + '░'.repeat(10 - filled);
}
