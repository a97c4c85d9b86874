import { Answer } from '../../src/core/answer';
import { DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import type { ChunkDelta } from '../../src/core/chatChunk';

/** Streams deltas through an `Answer` as the runner does: the text inserted, and every placement's range. */
export function place(deltas: readonly ChunkDelta[]): { text: string; ranges: [number, number][]; answer: Answer } {
  const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
  let text = '';
  for (const delta of deltas) {
    const inserted = answer.append(delta.text, delta.tokens);
    answer.inserted(inserted.length);
    text += inserted;
  }
  text += answer.finish();
  const ranges: [number, number][] = [];
  for (let i = 0; i < answer.store.placementCount; i++) {
    const { start, end } = answer.store.placement(i);
    ranges.push([start, end]);
  }
  return { text, ranges, answer };
}

/** Ranges of tokens that spell a text one after another: each starts where the previous ended (UTF-16 units). */
export function consecutiveRanges(tokens: readonly string[]): [number, number][] {
  let at = 0;
  return tokens.map((token) => [at, (at += token.length)]);
}
