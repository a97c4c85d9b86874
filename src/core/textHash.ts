/**
 * FNV-1a (32 bits) over UTF-16 code units: a fast fingerprint of text, computed incrementally as text is
 * inserted, to check later that a range still holds exactly that text (with its length compared too).
 */
export const EMPTY_HASH = 0x811c9dc5;

export function hashText(text: string, hash = EMPTY_HASH): number {
  let value = hash;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}
