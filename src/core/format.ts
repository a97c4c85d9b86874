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

/** "-0.1054", "-9999", "-1.00e+30": a huge value (a server's stand-in for −∞) with no digits of float noise. */
export function formatLogprob(logprob: number | undefined): string {
  if (logprob === undefined || Number.isNaN(logprob)) return 'n/a';
  if (logprob === Number.NEGATIVE_INFINITY) return '-∞';
  if (logprob === 0) return '0';
  if (Math.abs(logprob) >= 1e6) return logprob.toPrecision(3);
  return Math.abs(logprob) >= 100 ? logprob.toFixed(0) : logprob.toFixed(4);
}

export function formatPerplexity(perplexity: number | undefined): string {
  if (perplexity === undefined) return 'n/a';
  if (!Number.isFinite(perplexity)) return '∞';
  return perplexity >= 1000 ? perplexity.toExponential(2) : perplexity.toFixed(2);
}

const SHOWN_AS_SYMBOL: Record<string, string> = { ' ': '␣', '\n': '↵', '\r': '␍', '\t': '⇥' };

/**
 * Characters a reader cannot see, or cannot tell apart, shown as ⟨U+XXXX⟩:
 * - Cc controls, Cf format characters (zero-width, bidi controls that could reorder what the user reads, the tag
 *   characters U+E0000–E007F that can spell hidden ASCII), Cs lone surrogates;
 * - Zl/Zp U+2028/U+2029, which break lines in some renderers; Zs spaces other than U+0020 (no-break, em,
 *   ideographic...), which look like a space or like nothing and are different tokens;
 * - Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt; the Unicode Standard §5.21), which renderers
 *   draw as nothing: variation selectors U+FE00–FE0F and U+E0100–E01EF (which can carry hidden bytes), the Hangul
 *   fillers U+115F, U+1160, U+3164 and U+FFA0, the combining grapheme joiner, Mongolian selectors, and the rest.
 * The engine's own Unicode data decides membership, so the classes stay current with it.
 */
const SHOWN_AS_CODE_POINT = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Zs}\p{Default_Ignorable_Code_Point}]/u;

/** How much of a token's visible form is shown (UTF-16 units) before it is cut with an ellipsis. */
export const VISIBLE_TOKEN_LENGTH = 80;

/**
 * A token with its whitespace and invisible characters shown: spaces as ␣, newlines as ↵, other invisible or
 * confusable characters as ⟨U+XXXX⟩ (see SHOWN_AS_CODE_POINT). A token whose visible form is longer than
 * `maxLength` is cut with "…" followed by its full length in characters, e.g. `aaaa…⟨1200 characters⟩`.
 */
export function visibleToken(token: string, maxLength = VISIBLE_TOKEN_LENGTH): string {
  let out = '';
  for (const character of token) {
    const shown = SHOWN_AS_SYMBOL[character]
      ?? (SHOWN_AS_CODE_POINT.test(character) ? `⟨U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩` : character);
    if (out.length + shown.length > maxLength) return `${out}…⟨${characterCount(token)} characters⟩`;
    out += shown;
  }
  return out;
}

/** Unicode characters (code points) in a string, counted without copying it. */
function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    count++;
  }
  return count;
}
