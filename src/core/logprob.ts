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
  /** The model's token id (llama.cpp, Gemini, vLLM's `token_ids`), kept for logit bias. */
  readonly id?: number;
}

export interface Alternative {
  readonly token: string;
  readonly logprob: number;
  readonly id?: number;
}

/** The largest id the token store's Int32 columns hold: no vocabulary comes near it. */
export const MAX_TOKEN_ID = 0x7fffffff;

/** A vocabulary id as a server may send one: an integer from 0 to MAX_TOKEN_ID. */
export function isTokenId(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TOKEN_ID;
}

/**
 * A logprob that is safe to compute with: never NaN, never above 0 (servers send tiny positive values from
 * float error), `undefined` when unknown. `-9999` (OpenAI's "not in the top 20") stays as it is: p = 0.
 */
export function cleanLogprob(value: number | null | undefined): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return undefined;
  return value > 0 ? 0 : value;
}

/**
 * The logprob of a probability sent as such (llama.cpp's `prob`): p = 0 is -Infinity (the token was cut by the
 * sampler), p above 1 (float error) is 0; `undefined` when the value is not a number.
 */
export function logprobOfProbability(probability: unknown): number | undefined {
  if (typeof probability !== 'number' || Number.isNaN(probability) || probability < 0) return undefined;
  return probability >= 1 ? 0 : Math.log(probability);
}

/*
 * Untrusted entries. Every reader hands the aligner and the token store only entries that pass these checks, so a
 * hostile or broken server (a number as `token`, a string as `logprob`, an object as `top_logprobs`) costs one
 * dropped entry, never an exception. Well-formed input, the overwhelming case, is returned as it came: the live
 * chat path receives one token per chunk and must not pay for copies.
 */

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';
const isOptionalId = (id: unknown): boolean => id === undefined || (typeof id === 'number' && Number.isInteger(id));

function areBytes(values: readonly unknown[]): boolean {
  for (const value of values) if (typeof value !== 'number' || !(value >= 0 && value <= 255 && value % 1 === 0)) return false;
  return true;
}

function isWellFormedAlternative(value: unknown): value is Alternative {
  return isObject(value) && typeof value.token === 'string' && typeof value.logprob === 'number' && isOptionalId(value.id);
}

function areWellFormedAlternatives(values: readonly unknown[]): boolean {
  for (const value of values) if (!isWellFormedAlternative(value)) return false;
  return true;
}

/** What is wrong with an entry: `undefined` when it is well-formed, 'drop' when it cannot be used at all, 'repair' otherwise. */
function entryDefect(value: unknown): 'drop' | 'repair' | undefined {
  if (!isObject(value) || typeof value.token !== 'string') return 'drop';
  if (value.logprob !== null && typeof value.logprob !== 'number') return 'drop';
  const { bytes, top_logprobs: alternatives } = value;
  if (alternatives != null && !Array.isArray(alternatives)) return 'drop';
  if (bytes != null && !(Array.isArray(bytes) && areBytes(bytes))) return 'repair';
  if (!isOptionalId(value.id)) return 'repair';
  if (Array.isArray(alternatives) && !areWellFormedAlternatives(alternatives)) return 'repair';
  return undefined;
}

/** A copy of a usable entry without its malformed parts: bad bytes, a bad id and bad alternatives are left out. */
function repairEntry(value: Record<string, unknown>): TokenEntry {
  const alternatives = Array.isArray(value.top_logprobs) ? value.top_logprobs.filter(isWellFormedAlternative) : undefined;
  const bytes = Array.isArray(value.bytes) && areBytes(value.bytes) ? value.bytes as number[] : undefined;
  return {
    token: value.token as string,
    logprob: value.logprob as number | null,
    ...(bytes ? { bytes } : {}),
    ...(alternatives ? { top_logprobs: alternatives } : {}),
    ...(isOptionalId(value.id) && value.id !== undefined ? { id: value.id as number } : {}),
  };
}

/**
 * The usable entries of an untrusted `logprobs` list: the same array when all are well-formed (no copy), otherwise
 * a copy without the entries that cannot be used and with the malformed parts of the others left out. Anything
 * that is not an array gives no entries.
 */
export function wellFormedEntries(list: unknown): readonly TokenEntry[] {
  if (!Array.isArray(list)) return [];
  let firstDefect = 0;
  while (firstDefect < list.length && entryDefect(list[firstDefect]) === undefined) firstDefect++;
  if (firstDefect === list.length) return list as TokenEntry[];
  const entries = list.slice(0, firstDefect) as TokenEntry[];
  for (let i = firstDefect; i < list.length; i++) {
    const value: unknown = list[i];
    const defect = entryDefect(value);
    if (defect === undefined) entries.push(value as TokenEntry);
    else if (defect === 'repair') entries.push(repairEntry(value as Record<string, unknown>));
  }
  return entries;
}
