import type { ChunkDelta } from '../chatChunk';
import type { Alternative, TokenEntry } from '../logprob';
import { logprobOfProbability, wellFormedEntries } from '../logprob';
import type { Json } from './json';
import { asArray, asNumber, asObject, asString } from './json';

/**
 * llama.cpp server's native `/completion` (and `/infill`), streamed events and whole responses alike: `content`
 * and `completion_probabilities`, one entry per token, in any of the three shapes builds have sent:
 * - current: `{id, token, bytes, logprob, top_logprobs: [{id, token, bytes, logprob}]}`;
 * - `post_sampling_probs: true`: `prob` and `top_probs` (probabilities after the sampler chain, 0 for a token it cut);
 * - old builds and forks (ik_llama.cpp): `{content, probs: [{tok_str, prob}]}`, the sampled token's probability
 *   only among the alternatives; partial characters as `byte: \xNN` (the aligner reads those).
 */

export function isLlamaCppEvent(object: Json): boolean {
  return Array.isArray(object.completion_probabilities)
    || (typeof object.content === 'string' && typeof object.stop === 'boolean' && !('choices' in object));
}

/** A logprob from whichever of `logprob` / `prob` the entry carries. */
function valueOf(object: Json): number | undefined {
  return asNumber(object.logprob) ?? logprobOfProbability(object.prob);
}

function alternativeOf(value: unknown): Alternative | undefined {
  const object = asObject(value);
  const token = asString(object?.token) ?? asString(object?.tok_str);
  const logprob = object && valueOf(object);
  if (token === undefined || logprob === undefined) return undefined;
  const id = asNumber(object?.id);
  return id === undefined ? { token, logprob } : { token, logprob, id };
}

function entryOf(value: unknown): unknown {
  const object = asObject(value);
  if (!object) return undefined;
  const token = asString(object.token) ?? asString(object.content) ?? asString(object.tok_str);
  const alternatives = asArray(object.top_logprobs ?? object.top_probs ?? object.probs)
    .map(alternativeOf).filter((alternative) => alternative !== undefined);
  // Old builds give the sampled token's probability only in its own list.
  const logprob = valueOf(object) ?? alternatives.find((alternative) => alternative.token === token)?.logprob ?? null;
  return {
    token, logprob, top_logprobs: alternatives,
    ...(object.bytes === undefined ? {} : { bytes: object.bytes }),
    ...(object.id === undefined ? {} : { id: object.id }),
  };
}

function finishReasonOf(object: Json): string | undefined {
  if (object.stop !== true) return undefined;
  return object.stop_type === 'limit' || object.stopped_limit === true ? 'length' : 'stop';
}

export function llamaCppDelta(event: unknown): ChunkDelta {
  const object = asObject(event) ?? {};
  const tokens: readonly TokenEntry[] = wellFormedEntries(asArray(object.completion_probabilities).map(entryOf));
  return { text: asString(object.content) ?? '', tokens, hasLogprobs: tokens.length > 0, finishReason: finishReasonOf(object) };
}
