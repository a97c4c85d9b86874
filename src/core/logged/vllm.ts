import type { Alternative, TokenEntry } from '../logprob';
import type { Json } from './json';
import { asArray, asNumber, asObject, asString } from './json';

/**
 * vLLM's `prompt_logprobs`: the model's logprobs for the prompt itself, top-level in a Chat Completions response
 * and on each choice of a Completions response. One entry per prompt token: `null` for the first (nothing comes
 * before it, so its text is not known either), then `{token_id: {logprob, rank, decoded_token}}` holding the prompt
 * token and the top-k. The prompt token is named by `prompt_token_ids` when the response has them (vLLM's
 * `return_token_ids`); otherwise it is the key vLLM writes first, read from the source text, since JavaScript
 * objects list integer-like keys in numeric order whatever the text said.
 */

export interface PromptLogprobs {
  readonly list: readonly unknown[];
  readonly tokenIds: readonly unknown[] | undefined;
  readonly api: 'chat' | 'completions';
}

export function promptLogprobsOf(object: Json): PromptLogprobs | undefined {
  if (Array.isArray(object.prompt_logprobs)) return { list: object.prompt_logprobs, tokenIds: asArray(object.prompt_token_ids), api: 'chat' };
  const choice = asObject(asArray(object.choices)[0]);
  if (choice && Array.isArray(choice.prompt_logprobs)) return { list: choice.prompt_logprobs, tokenIds: asArray(choice.prompt_token_ids), api: 'completions' };
  return undefined;
}

export interface ScoredPromptTokens {
  /** The prompt as its tokens spell it (without the first token, which has no entry). */
  readonly text: string;
  readonly tokens: readonly TokenEntry[];
}

function alternativeOf(id: string, value: unknown): (Alternative & { rank: number }) | undefined {
  const object = asObject(value);
  const token = asString(object?.decoded_token);
  const logprob = asNumber(object?.logprob);
  if (token === undefined || logprob === undefined) return undefined;
  const numeric = Number(id);
  return { token, logprob, rank: asNumber(object?.rank) ?? Number.POSITIVE_INFINITY, ...(Number.isInteger(numeric) ? { id: numeric } : {}) };
}

/** The key of the prompt token in one position: `prompt_token_ids` when the response has them, then source order, then the only key. */
function promptKey(position: Json, sourceKey: string | null | undefined, tokenId: unknown): string | undefined {
  if (typeof tokenId === 'number' && Object.hasOwn(position, String(tokenId))) return String(tokenId);
  if (sourceKey != null && Object.hasOwn(position, sourceKey)) return sourceKey;
  const keys = Object.keys(position);
  return keys.length === 1 ? keys[0] : undefined;
}

/**
 * The scored prompt. `sourceOrder` gives the first key of each position as the source text has it; it is asked
 * only when a position holds more than the prompt token and no token id names it. Positions whose prompt token
 * is unknown are left out.
 */
export function scoredPromptTokens(prompt: PromptLogprobs, sourceOrder: () => readonly (string | null)[] | undefined): ScoredPromptTokens {
  const tokens: TokenEntry[] = [];
  let text = '';
  prompt.list.forEach((value, i) => {
    const position = asObject(value);
    if (!position) return;
    const order = Object.keys(position).length > 1 && typeof prompt.tokenIds?.[i] !== 'number' ? sourceOrder() : undefined;
    const key = promptKey(position, order?.length === prompt.list.length ? order[i] : undefined, prompt.tokenIds?.[i]);
    const chosen = key === undefined ? undefined : alternativeOf(key, position[key]);
    if (!chosen) return;
    const alternatives = Object.entries(position)
      .map(([id, entry]) => alternativeOf(id, entry))
      .filter((alternative) => alternative !== undefined)
      .sort((a, b) => a.rank - b.rank)
      .map(({ rank: _rank, ...alternative }) => alternative);
    tokens.push({ token: chosen.token, logprob: chosen.logprob, top_logprobs: alternatives, ...(chosen.id === undefined ? {} : { id: chosen.id }) });
    text += chosen.token;
  });
  return { text, tokens };
}
