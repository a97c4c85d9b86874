/**
 * One sampled token: OpenAI's `TokenLogprob` shape, which every backend's format is read into. Chat chunks are
 * used as they arrive, without copying (20 alternatives per token make copies the largest cost per token).
 */
export interface TokenEntry {
  readonly token: string;
  /** Natural-log probability; `null` when the backend gave none (e.g. the first token of a scored prompt). */
  readonly logprob: number | null;
  /** True UTF-8 bytes of the token, when the backend sent them. */
  readonly bytes?: readonly number[] | null;
  /** The most likely tokens at this position, as the backend listed them. */
  readonly top_logprobs?: readonly Alternative[] | null;
}

export interface Alternative {
  readonly token: string;
  readonly logprob: number;
}

/**
 * A logprob that is safe to compute with: never NaN, never above 0 (servers send tiny positive values from
 * float error), `undefined` when unknown. `-9999` (OpenAI's "not in the top 20") stays as it is: p = 0.
 */
export function cleanLogprob(value: number | null | undefined): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return undefined;
  return value > 0 ? 0 : value;
}

/** Probability in [0, 1] of a logprob, or `undefined` when the logprob is unknown. */
export function probabilityOf(logprob: number | null | undefined): number | undefined {
  const clean = cleanLogprob(logprob);
  return clean === undefined ? undefined : Math.exp(clean);
}
