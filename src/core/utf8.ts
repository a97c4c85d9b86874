const decoder = new TextDecoder('utf-8');

/** Decodes UTF-8 bytes; invalid sequences become U+FFFD, as every backend's own decoder does. */
export function decodeUtf8(bytes: readonly number[]): string {
  return decoder.decode(Uint8Array.from(bytes));
}

/** Whether the bytes end inside a multi-byte character (so the next token completes it). */
export function endsInsideCharacter(bytes: readonly number[]): boolean {
  // Walk back over at most three continuation bytes to the lead byte of the last character.
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back;
  }
  return false;
}

/**
 * Bytes spelled out in a token's text by backends that cannot send a partial character as a string:
 * legacy Completions `bytes:\xe2\x80`, old llama.cpp `byte: \x89`. `undefined` for ordinary tokens.
 */
export function bytesSpelledInToken(token: string): number[] | undefined {
  const match = /^bytes?: ?((?:\\x[0-9a-fA-F]{2})+)$/.exec(token);
  if (!match) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < match[1]!.length; i += 4) bytes.push(parseInt(match[1]!.slice(i + 2, i + 4), 16));
  return bytes;
}
