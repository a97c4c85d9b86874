/** One sampled token as a backend reported it, normalised across wire formats. */
export interface TokenEntry {
  readonly token: string;
  /** Natural-log probability; `null` when the backend gave none (e.g. the first token of a scored prompt). */
  readonly logprob: number | null;
  /** True UTF-8 bytes of the token, when the backend sent them. */
  readonly bytes: readonly number[] | null;
  readonly alternatives: readonly Alternative[];
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
