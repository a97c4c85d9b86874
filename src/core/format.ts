/** "92.31 %", "0.0042 %", "<0.0001 %": readable at every scale, never NaN or above 100. */
export function formatPercent(probability: number | undefined): string {
  if (probability === undefined || Number.isNaN(probability)) return 'n/a';
  const percent = Math.min(100, Math.max(0, probability * 100));
  if (percent === 0) return '0 %';
  if (percent >= 99.995 && percent < 100) return '>99.99 %'; // never round a near-certainty up to 100
  if (percent >= 10) return `${percent.toFixed(2)} %`;
  if (percent >= 0.01) return `${percent.toPrecision(3)} %`;
  if (percent >= 0.0001) return `${percent.toFixed(4)} %`;
  return '<0.0001 %';
}

export function formatLogprob(logprob: number | undefined): string {
  if (logprob === undefined || Number.isNaN(logprob)) return 'n/a';
  if (logprob === Number.NEGATIVE_INFINITY) return '-∞';
  if (logprob === 0) return '0';
  return Math.abs(logprob) >= 100 ? logprob.toFixed(0) : logprob.toFixed(4);
}

export function formatPerplexity(perplexity: number | undefined): string {
  if (perplexity === undefined) return 'n/a';
  if (!Number.isFinite(perplexity)) return '∞';
  return perplexity >= 1000 ? perplexity.toExponential(2) : perplexity.toFixed(2);
}

const VISIBLE: Record<string, string> = { ' ': '␣', '\n': '↵', '\r': '␍', '\t': '⇥' };

/**
 * A token with its whitespace and invisible characters shown: spaces as ␣, newlines as ↵, control, zero-width
 * and bidi characters as ⟨U+XXXX⟩ (a bidi override in a hover could otherwise reorder what the user reads).
 */
export function visibleToken(token: string): string {
  let out = '';
  for (const character of token) {
    const code = character.codePointAt(0)!;
    if (VISIBLE[character] !== undefined) out += VISIBLE[character];
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0) || isInvisible(code)) {
      out += `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
    } else out += character;
  }
  return out;
}

function isInvisible(code: number): boolean {
  return (code >= 0x200b && code <= 0x200f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2060 && code <= 0x2069)
    || code === 0xfeff || code === 0x00ad || code === 0x061c;
}
