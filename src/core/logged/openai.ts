import type { ChunkDelta } from '../chatChunk';
import { attachTokenIds, EMPTY_DELTA, firstChoice } from '../chatChunk';
import type { Alternative, TokenEntry } from '../logprob';
import { wellFormedEntries } from '../logprob';
import { asArray, asObject, asString } from './json';

/**
 * The OpenAI wire formats besides chat chunks (those are in ../chatChunk): the Responses API and legacy
 * Completions, streamed and whole, and a whole Chat Completion. The client reads the SDK's parsed events with
 * them live; Open Logprobs Response reads saved ones. Nothing here trusts the shape it is given.
 */

function delta(text: string, tokens: readonly TokenEntry[], finishReason?: string): ChunkDelta {
  return { text, tokens, hasLogprobs: tokens.length > 0, finishReason };
}

/** Responses API stream event. Only `output_text.delta` carries full-precision logprobs (`done` events repeat them rounded). */
export function responsesEventDelta(event: unknown): ChunkDelta {
  const object = asObject(event);
  switch (object?.type) {
    case 'response.output_text.delta':
      return delta(asString(object.delta) ?? '', wellFormedEntries(object.logprobs));
    case 'response.refusal.delta':
      return delta(asString(object.delta) ?? '', []);
    case 'response.completed':
      return { ...EMPTY_DELTA, finishReason: 'stop' };
    case 'response.incomplete': {
      const reason = asString(asObject(asObject(object.response)?.incomplete_details)?.reason);
      return { ...EMPTY_DELTA, finishReason: reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content_filter' : 'incomplete' };
    }
    default:
      return EMPTY_DELTA;
  }
}

/** A whole (non-streamed) Responses API response: the text of its output messages and their logprobs. */
export function responsesResponseDeltas(response: unknown): ChunkDelta[] {
  const deltas: ChunkDelta[] = [];
  for (const item of asArray(asObject(response)?.output)) {
    for (const part of asArray(asObject(item)?.content)) {
      const content = asObject(part);
      if (content?.type !== 'output_text' && content?.type !== 'refusal') continue;
      deltas.push(delta(asString(content.text) ?? asString(content.refusal) ?? '', wellFormedEntries(content.logprobs)));
    }
  }
  const status = asString(asObject(response)?.status);
  if (deltas.length > 0) deltas.push({ ...EMPTY_DELTA, finishReason: status === 'incomplete' ? 'length' : 'stop' });
  return deltas;
}

/** `{token: logprob}` alternatives of legacy Completions, skipping values that are not numbers. */
function dictionaryAlternatives(value: unknown): Alternative[] {
  const alternatives: Alternative[] = [];
  for (const [token, logprob] of Object.entries(asObject(value) ?? {})) {
    if (typeof logprob === 'number') alternatives.push({ token, logprob });
  }
  return alternatives;
}

/**
 * Legacy Completions choice (streamed chunk or whole response): parallel arrays `tokens`, `token_logprobs`, and
 * `top_logprobs` as `{token: logprob}` objects, which may omit the sampled token. `text_offset` is not used:
 * its unit is not documented, and placement comes from the aligner. A position whose token is not a string is
 * dropped.
 */
export function completionChoiceDelta(choice: unknown): ChunkDelta {
  const object = asObject(choice);
  if (!object) return EMPTY_DELTA;
  const logprobs = asObject(object.logprobs);
  const values = asArray(logprobs?.token_logprobs);
  const tops = asArray(logprobs?.top_logprobs);
  const entries: TokenEntry[] = [];
  asArray(logprobs?.tokens).forEach((token, i) => {
    if (typeof token !== 'string') return;
    const value = values[i];
    entries.push({ token, logprob: typeof value === 'number' ? value : null, top_logprobs: dictionaryAlternatives(tops[i]) });
  });
  return delta(asString(object.text) ?? '', entries, asString(object.finish_reason));
}

export function completionChunkDelta(chunk: unknown): ChunkDelta {
  return completionChoiceDelta(firstChoice(asObject(chunk)?.choices));
}

/** A whole Chat Completion: the message of choice 0 (its content, or its refusal) and the tokens that go with it (with vLLM's `token_ids`). */
export function chatCompletionDeltas(response: unknown): ChunkDelta[] {
  const choice = firstChoice(asObject(response)?.choices);
  const message = asObject(choice?.message);
  if (!choice || !message) return [];
  const logprobs = asObject(choice.logprobs);
  const content = asString(message.content);
  const tokens = attachTokenIds(wellFormedEntries(content ? logprobs?.content : logprobs?.refusal ?? logprobs?.content), choice.token_ids);
  return [delta(content ?? asString(message.refusal) ?? '', tokens, asString(choice.finish_reason) ?? 'stop')];
}
