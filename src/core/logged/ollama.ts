import type { ChunkDelta } from '../chatChunk';
import { EMPTY_DELTA } from '../chatChunk';
import { wellFormedEntries } from '../logprob';
import type { Json } from './json';
import { asObject, asString } from './json';

/**
 * Ollama's native `/api/generate` (`response`) and `/api/chat` (`message.content`) chunks and whole responses: a
 * top-level `logprobs[]` in the OpenAI entry shape (Ollama 0.12.11 and later). `message.thinking` is reasoning,
 * not answer, and has no logprobs.
 */

export function ollamaEndpoint(object: Json): '/api/generate' | '/api/chat' | undefined {
  if (typeof object.done !== 'boolean') return undefined;
  if (typeof object.response === 'string') return '/api/generate';
  return asObject(object.message) ? '/api/chat' : undefined;
}

export function ollamaChunkDelta(chunk: unknown): ChunkDelta {
  const object = asObject(chunk);
  if (!object) return EMPTY_DELTA;
  const text = asString(object.response) ?? asString(asObject(object.message)?.content) ?? '';
  const tokens = wellFormedEntries(object.logprobs);
  return { text, tokens, hasLogprobs: tokens.length > 0, finishReason: object.done === true ? asString(object.done_reason) ?? 'stop' : undefined };
}
