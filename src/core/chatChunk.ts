import type { TokenEntry } from './logprob';

/** The parts of a Chat Completions stream chunk that carry text and logprobs (structurally the SDK's type). */
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

/**
 * Text and tokens of choice 0 in a chunk. A refusal streams in `delta.refusal` with its tokens in
 * `logprobs.refusal`; it is shown like content, since it is what the model said. Chunks with no choices
 * (Azure's first chunk, the usage chunk) and tool-call chunks add nothing.
 */
export function chatChunkDelta(chunk: ChatChunkLike): ChunkDelta {
  const choice = chunk.choices?.find((candidate) => (candidate.index ?? 0) === 0);
  if (!choice) return EMPTY_DELTA;
  const content = choice.delta?.content;
  const refusal = choice.delta?.refusal;
  const text = content || refusal || '';
  const wire = (content ? choice.logprobs?.content : refusal ? choice.logprobs?.refusal : choice.logprobs?.content)
    ?? choice.logprobs?.refusal ?? null;
  return {
    text,
    tokens: wire ?? [],
    hasLogprobs: Array.isArray(wire) && wire.length > 0,
    finishReason: choice.finish_reason ?? undefined,
  };
}
