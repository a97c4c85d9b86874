import { asObject, asString } from './logged/json';
import type { Json } from './logged/json';
import type { TokenEntry } from './logprob';
import { wellFormedEntries } from './logprob';

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
  const tokens = wellFormedEntries(wire);
  return { text: content || refusal || '', tokens, hasLogprobs: tokens.length > 0, finishReason: asString(choice.finish_reason) };
}
