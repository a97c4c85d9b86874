import { asObject, asString } from './logged/json';
import type { Json } from './logged/json';
import type { TokenEntry } from './logprob';
import { isTokenId, wellFormedEntries } from './logprob';

/**
 * The parts of a Chat Completions stream chunk that carry text and logprobs (structurally the SDK's type), for
 * code that builds chunks. `chatChunkDelta` takes `unknown`: the SDK hands over whatever JSON the server sent.
 */
export interface ChatChunkLike {
  readonly choices?: readonly {
    readonly index?: number;
    readonly delta?: { readonly content?: string | null; readonly refusal?: string | null } | null;
    readonly logprobs?: {
      readonly content?: readonly TokenEntry[] | null;
      readonly refusal?: readonly TokenEntry[] | null;
    } | null;
    readonly finish_reason?: string | null;
    /** vLLM, with `return_token_ids`: the ids of the chunk's tokens, one per `logprobs.content` entry. */
    readonly token_ids?: readonly number[] | null;
  }[] | null;
}

/** What one chunk adds to the answer. */
export interface ChunkDelta {
  readonly text: string;
  readonly tokens: readonly TokenEntry[];
  /** Whether the chunk carried a logprobs array at all (false for servers that ignore `logprobs`). */
  readonly hasLogprobs: boolean;
  readonly finishReason: string | undefined;
}

export const EMPTY_DELTA: ChunkDelta = { text: '', tokens: [], hasLogprobs: false, finishReason: undefined };

/** The choice a reader follows: index 0, or the first choice when none says its index. */
export function firstChoice(choices: unknown): Json | undefined {
  if (!Array.isArray(choices)) return undefined;
  for (const candidate of choices) {
    const choice = asObject(candidate);
    if (choice && (choice.index ?? 0) === 0) return choice;
  }
  return undefined;
}

/**
 * Text and tokens of choice 0 in a chunk. A refusal streams in `delta.refusal` with its tokens in
 * `logprobs.refusal`; it is shown like content, since it is what the model said. Chunks with no choices
 * (Azure's first chunk, the usage chunk) and tool-call chunks add nothing; malformed parts are ignored.
 */
export function chatChunkDelta(chunk: unknown): ChunkDelta {
  const choice = firstChoice(asObject(chunk)?.choices);
  if (!choice) return EMPTY_DELTA;
  const delta = asObject(choice.delta);
  const content = asString(delta?.content);
  const refusal = asString(delta?.refusal);
  const logprobs = asObject(choice.logprobs);
  const wire = (content ? logprobs?.content : refusal ? logprobs?.refusal : logprobs?.content) ?? logprobs?.refusal;
  const tokens = attachTokenIds(wellFormedEntries(wire), choice.token_ids);
  return { text: content || refusal || '', tokens, hasLogprobs: tokens.length > 0, finishReason: asString(choice.finish_reason) };
}

/**
 * vLLM's `token_ids` (sent when the request has `return_token_ids`) given to the entries they belong to. vLLM builds
 * a chunk's `logprobs.content` and its `token_ids` from the same list of sampled ids, one entry per id in order
 * (chat_completion/serving.py: `_create_chat_logprobs(token_ids=output.token_ids, ...)` and
 * `token_ids=as_list(output.token_ids)`), so the k-th id is the k-th entry's. Untrusted: the ids are used only when
 * there are exactly as many as entries and each is a vocabulary id; otherwise the chunk's ids are dropped (a
 * count that differs means they cannot be paired safely: a tool parser that held tokens back, an entry dropped as
 * malformed). An id an entry already carries (llama.cpp's `id`) stays, and one that disagrees drops them too.
 * Alternatives get none: vLLM sends ids for the sampled tokens only.
 */
export function attachTokenIds(tokens: readonly TokenEntry[], tokenIds: unknown): readonly TokenEntry[] {
  if (!Array.isArray(tokenIds) || tokenIds.length !== tokens.length || tokens.length === 0) return tokens;
  for (let k = 0; k < tokens.length; k++) {
    const id: unknown = tokenIds[k];
    const own = tokens[k]!.id;
    if (!isTokenId(id) || (own !== undefined && own !== id)) return tokens;
  }
  return tokens.map((entry, k) => (entry.id === undefined ? { ...entry, id: tokenIds[k] as number } : entry));
}
