import type { Alternative } from './logprob';
import { formatLogprob, formatPercent, visibleToken } from './format';
import type { StoredToken } from './tokenStore';

/**
 * Markdown for a token's hover. Model text is untrusted: every token goes into a code span whose backtick fence
 * is longer than any backtick run inside it, with `|` escaped in table cells, so links, images, HTML and
 * `$(icons)` show as literal text. The adapter renders it with `isTrusted`, `supportHtml` and theme icons off.
 */
export function hoverMarkdown(tokens: readonly StoredToken[]): string {
  if (tokens.length === 1) return tokenSection(tokens[0]!, '');
  const joint = tokens.reduce<number | undefined>(
    (sum, token) => (sum === undefined || token.logprob === undefined ? undefined : sum + token.logprob), 0);
  const header = `**One character from ${tokens.length} tokens** · joint ${formatPercent(joint === undefined ? undefined : Math.exp(joint))}`
    + ` · logprob ${formatLogprob(joint)}\n\n`;
  return header + tokens.map((token, i) => tokenSection(token, `Token ${i + 1} of ${tokens.length}: `)).join('\n\n---\n\n');
}

function tokenSection(token: StoredToken, prefix: string): string {
  const probability = token.logprob === undefined ? undefined : Math.exp(token.logprob);
  const ranked = rankAlternatives(token.alternatives);
  const rankIndex = ranked.findIndex((alternative) => alternative.token === token.token);
  const rank = rankIndex >= 0 ? `rank ${rankIndex + 1} of ${ranked.length}`
    : ranked.length > 0 ? `not among the top ${ranked.length}` : 'no alternatives returned';
  const lines = [
    `${prefix}${codeSpan(visibleToken(token.token), false)} · **${formatPercent(probability)}** · logprob ${formatLogprob(token.logprob)} · ${rank}`,
  ];
  if (token.logprob === undefined) lines.push('', '_The model returned no logprob for this token._');
  if (ranked.length > 0) {
    lines.push('', '| | alternative | probability | logprob | |', '|:-:|:--|--:|--:|:--|');
    for (const alternative of ranked) {
      const p = Math.exp(alternative.logprob);
      const chosen = alternative.token === token.token ? '▶' : '';
      lines.push(`| ${chosen} | ${codeSpan(visibleToken(alternative.token), true)} | ${formatPercent(p)} | ${formatLogprob(alternative.logprob)} | ${bar(p)} |`);
    }
    const { coverage, entropyBits } = summarize(ranked);
    lines.push('', `Top ${ranked.length} cover ${formatPercent(coverage)} of the probability · entropy over the top ${ranked.length}`
      + ` (renormalised): ${entropyBits.toFixed(2)} bits`);
  }
  return lines.join('\n');
}

/** Alternatives by descending logprob, duplicates (same token string) kept once. */
export function rankAlternatives(alternatives: readonly Alternative[]): Alternative[] {
  const seen = new Set<string>();
  return [...alternatives]
    .sort((a, b) => b.logprob - a.logprob)
    .filter((alternative) => !seen.has(alternative.token) && seen.add(alternative.token));
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

/** A code span that no content can break out of (CommonMark: the fence must differ from every run inside). */
export function codeSpan(text: string, inTable: boolean): string {
  if (text.length === 0) return '_(empty)_';
  let longestRun = 0;
  for (const run of text.match(/`+/g) ?? []) longestRun = Math.max(longestRun, run.length);
  const fence = '`'.repeat(longestRun + 1);
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  const body = inTable ? padded.replace(/\|/g, '\\|') : padded;
  return `${fence}${body}${fence}`;
}

function bar(probability: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, probability)) * 10);
  return '█'.repeat(filled) + '░'.repeat(10 - filled);
}
