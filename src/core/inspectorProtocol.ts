/**
 * The messages between the extension and the token inspector webview, both ways, and their strict validators.
 * Messages cross as JSON, so numbers are finite: a logprob of −∞ travels as `null`. Whatever arrives from the other
 * side is checked before use (the webview renders model text; the extension acts on what the webview asks): a
 * message with a wrong type, a non-finite or out-of-range number, an unknown kind or key, or an array past its cap
 * is refused whole, and the parsers never throw.
 */
import type { ColourMode } from './buckets';
import { COLOUR_MODES } from './buckets';
import type { SamplingSettings } from './sampling';

/** The settings "Apply to next run" writes; `null` leaves the parameter out of the request (server default). */
export interface SettingsToApply {
  /** 0–2. */
  readonly temperature: number | null;
  /** (0, 1]. */
  readonly topP: number | null;
  /** Integer 1–1000; sent only to backends that take it. */
  readonly topK: number | null;
  /** [0, 1]; sent only to backends that take it. */
  readonly minP: number | null;
}

export interface InspectedAlternative {
  readonly token: string;
  /** `null`: −∞ or unknown (probability 0). */
  readonly logprob: number | null;
}

/** One token of the placement at the cursor. */
export interface InspectedMember {
  readonly token: string;
  /** `null` when the backend gave none. */
  readonly logprob: number | null;
  readonly alternatives: readonly InspectedAlternative[];
}

/** The token at the cursor: a placement, that is one token or several that together make one character. */
export interface InspectedToken {
  readonly answerId: string;
  readonly placement: number;
  readonly members: readonly InspectedMember[];
  readonly mode: ColourMode;
  /** The mode's value as the hover words it (`describeValue`), e.g. "margin 3.2 points (near tie)". */
  readonly valueText: string;
  /** Its colour bucket 0–9, `null` when uncoloured. */
  readonly bucket: number | null;
}

/** The whole answer, one entry per placement, for the strip. */
export interface AnswerStrip {
  readonly answerId: string;
  readonly mode: ColourMode;
  /** Bucket 0–9 per placement; 255 for a placement without a value (`NO_BUCKET`). */
  readonly buckets: readonly number[];
  /** Per placement, what its mark reads aloud (a short visible form of the token and its value); may be empty. */
  readonly labels: readonly string[];
  /** The placement at the cursor, or -1. */
  readonly current: number;
}

/** What the backend does with sampling parameters, for the controls and the note above them. */
export interface SamplingContext {
  /** The settings the next run would use now. */
  readonly settings: SettingsToApply;
  /** Parameters the backend accepts besides temperature and top_p. */
  readonly accepts: { readonly topK: boolean; readonly minP: boolean };
  /** Whether the backend's logprobs come before or after its own sampler, e.g. `BACKEND_SAMPLING.vllm.note`. */
  readonly backendNote: string;
}

export type HostMessage =
  | { readonly kind: 'token'; readonly token: InspectedToken | null }
  | { readonly kind: 'strip'; readonly strip: AnswerStrip | null }
  | { readonly kind: 'sampling'; readonly sampling: SamplingContext };

/** Which token a `rendered` message is about; `null` for the empty page. */
export interface RenderedToken {
  readonly answerId: string;
  readonly placement: number;
}

export type WebviewMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'apply'; readonly settings: SettingsToApply }
  | { readonly kind: 'reveal'; readonly answerId: string; readonly placement: number }
  /** A token message was put on the page, in `ms` (its own performance.now() delta, layout included): the benchmark's page half. */
  | { readonly kind: 'rendered'; readonly token: RenderedToken | null; readonly ms: number };

export type BackendFamily = 'openai' | 'vllm' | 'llamacpp' | 'ollama' | 'other';

/**
 * Per backend: whether its logprobs are before its sampler (the inspector's note; which samplers a backend takes is
 * capabilities.ts's, see samplers.ts). Sources: vLLM's V1 sampler computes the returned logprobs from the raw logits
 * by default (`logprobs_mode` raw_logprobs, vllm-project/vllm `vllm/v1/sample/sampler.py` @3e342658); llama.cpp's
 * server reports probabilities before sampling unless `post_sampling_probs` is set (design note wire-formats.md);
 * Ollama does not document it. OpenAI documents neither way; the design notes (wire-formats.md) call it unconfirmed.
 */
export const BACKEND_SAMPLING: Readonly<Record<BackendFamily, { readonly note: string }>> = {
  openai: { note: 'OpenAI\'s logprobs are reported to be the model\'s own, unchanged by temperature and top_p (OpenAI does not document it).' },
  vllm: { note: 'vLLM reports the model\'s distribution before its sampler (temperature, top-k, top-p, min-p, penalties).' },
  llamacpp: { note: 'llama.cpp reports the model\'s distribution before its sampler (unless post_sampling_probs is set).' },
  ollama: { note: 'Whether Ollama reports its distribution before or after its sampler is not documented; its OpenAI endpoint takes temperature and top_p, not top_k or min_p.' },
  other: { note: 'Whether this backend reports its distribution before or after its sampler is not known.' },
};

/** The controls' starting point from the next run's settings: a parameter left to the server starts neutral. */
export function samplingFromSettings(settings: SettingsToApply): SamplingSettings {
  return { temperature: settings.temperature ?? 1, topK: settings.topK ?? 0, topP: settings.topP ?? 1, minP: settings.minP ?? 0 };
}

/** What "Apply" sends for the controls: neutral values and parameters the backend does not take are left out. */
export function settingsToApply(controls: SamplingSettings, accepts: SamplingContext['accepts']): SettingsToApply {
  return {
    temperature: controls.temperature,
    topP: controls.topP < 1 ? controls.topP : null,
    topK: accepts.topK && controls.topK > 0 ? controls.topK : null,
    minP: accepts.minP && controls.minP > 0 ? controls.minP : null,
  };
}

/** Caps: what no real message comes near. */
export const LIMITS = {
  tokenLength: 4096,
  alternatives: 256,
  members: 16,
  placements: 2_000_000,
  labelLength: 200,
  textLength: 1000,
  topK: 1000,
  /** A render time past a minute is no measurement. */
  renderMs: 60_000,
} as const;

/** A message from the webview, checked; `undefined` when it is anything but a well-formed known message. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  return neverThrowing(readWebviewMessage, value);
}

/** A message from the extension, checked the same way (the webview renders its model text). */
export function parseHostMessage(value: unknown): HostMessage | undefined {
  return neverThrowing(readHostMessage, value);
}

/** JSON never holds getters or proxies; a caller that passes one gets `undefined`, not an exception. */
function neverThrowing<T>(read: (value: unknown) => T | undefined, value: unknown): T | undefined {
  try {
    return read(value);
  } catch {
    return undefined;
  }
}

function readWebviewMessage(value: unknown): WebviewMessage | undefined {
  const message = record(value);
  switch (message?.kind) {
    case 'ready':
      return keys(message, ['kind']) ? { kind: 'ready' } : undefined;
    case 'apply': {
      const settings = keys(message, ['kind', 'settings']) ? parseSettings(message.settings) : undefined;
      return settings && { kind: 'apply', settings };
    }
    case 'reveal':
      if (!keys(message, ['kind', 'answerId', 'placement']) || !isAnswerId(message.answerId) || !isIndex(message.placement)) return undefined;
      return { kind: 'reveal', answerId: message.answerId, placement: message.placement };
    case 'rendered': {
      if (!keys(message, ['kind', 'token', 'ms']) || !isNumberIn(message.ms, 0, LIMITS.renderMs)) return undefined;
      const token = message.token === null ? null : record(message.token);
      if (token === undefined || (token && (!keys(token, ['answerId', 'placement']) || !isAnswerId(token.answerId) || !isIndex(token.placement)))) return undefined;
      return { kind: 'rendered', token: token && { answerId: token.answerId as string, placement: token.placement as number }, ms: message.ms };
    }
    default:
      return undefined;
  }
}

function readHostMessage(value: unknown): HostMessage | undefined {
  const message = record(value);
  switch (message?.kind) {
    case 'token': {
      if (!keys(message, ['kind', 'token'])) return undefined;
      const token = message.token === null ? null : parseToken(message.token);
      return token === undefined ? undefined : { kind: 'token', token };
    }
    case 'strip': {
      if (!keys(message, ['kind', 'strip'])) return undefined;
      const strip = message.strip === null ? null : parseStrip(message.strip);
      return strip === undefined ? undefined : { kind: 'strip', strip };
    }
    case 'sampling': {
      const sampling = keys(message, ['kind', 'sampling']) ? parseSamplingContext(message.sampling) : undefined;
      return sampling && { kind: 'sampling', sampling };
    }
    default:
      return undefined;
  }
}

function parseSettings(value: unknown): SettingsToApply | undefined {
  const settings = record(value);
  if (!settings || !keys(settings, ['temperature', 'topP', 'topK', 'minP'])) return undefined;
  const { temperature, topP, topK, minP } = settings;
  if (!nullOr(temperature, (t) => isNumberIn(t, 0, 2))) return undefined;
  if (!nullOr(topP, (p) => isNumberIn(p, 0, 1) && p > 0)) return undefined;
  if (!nullOr(topK, (k) => Number.isInteger(k) && isNumberIn(k, 1, LIMITS.topK))) return undefined;
  if (!nullOr(minP, (p) => isNumberIn(p, 0, 1))) return undefined;
  return { temperature, topP, topK, minP } as SettingsToApply;
}

function parseToken(value: unknown): InspectedToken | undefined {
  const token = record(value);
  if (!token || !keys(token, ['answerId', 'placement', 'members', 'mode', 'valueText', 'bucket'])) return undefined;
  const { answerId, placement, members, mode, valueText, bucket } = token;
  if (!isAnswerId(answerId) || !isIndex(placement) || !isMode(mode) || !isText(valueText, LIMITS.textLength)) return undefined;
  if (!nullOr(bucket, (b) => Number.isInteger(b) && isNumberIn(b, 0, 9))) return undefined;
  if (!Array.isArray(members) || members.length === 0 || members.length > LIMITS.members) return undefined;
  const parsed: InspectedMember[] = [];
  for (const member of members) {
    const checked = parseMember(member);
    if (!checked) return undefined;
    parsed.push(checked);
  }
  return { answerId, placement, members: parsed, mode, valueText, bucket: bucket as number | null };
}

function parseMember(value: unknown): InspectedMember | undefined {
  const member = record(value);
  if (!member || !keys(member, ['token', 'logprob', 'alternatives'])) return undefined;
  const { token, logprob, alternatives } = member;
  if (!isText(token, LIMITS.tokenLength) || !nullOr(logprob, isFiniteNumber)) return undefined;
  if (!Array.isArray(alternatives) || alternatives.length > LIMITS.alternatives) return undefined;
  const parsed: InspectedAlternative[] = [];
  for (const item of alternatives) {
    const alternative = record(item);
    if (!alternative || !keys(alternative, ['token', 'logprob'])) return undefined;
    if (!isText(alternative.token, LIMITS.tokenLength) || !nullOr(alternative.logprob, isFiniteNumber)) return undefined;
    parsed.push({ token: alternative.token, logprob: alternative.logprob as number | null });
  }
  return { token, logprob: logprob as number | null, alternatives: parsed };
}

function parseStrip(value: unknown): AnswerStrip | undefined {
  const strip = record(value);
  if (!strip || !keys(strip, ['answerId', 'mode', 'buckets', 'labels', 'current'])) return undefined;
  const { answerId, mode, buckets, labels, current } = strip;
  if (!isAnswerId(answerId) || !isMode(mode) || !Array.isArray(buckets) || !Array.isArray(labels)) return undefined;
  if (buckets.length > LIMITS.placements || (labels.length !== 0 && labels.length !== buckets.length)) return undefined;
  if (!Number.isInteger(current) || !isNumberIn(current, -1, buckets.length - 1)) return undefined;
  for (const bucket of buckets) if (!(bucket === 255 || (Number.isInteger(bucket) && isNumberIn(bucket, 0, 9)))) return undefined;
  for (const label of labels) if (!isText(label, LIMITS.labelLength)) return undefined;
  return { answerId, mode, buckets: buckets as number[], labels: labels as string[], current };
}

function parseSamplingContext(value: unknown): SamplingContext | undefined {
  const context = record(value);
  if (!context || !keys(context, ['settings', 'accepts', 'backendNote'])) return undefined;
  const settings = parseSettings(context.settings);
  const accepts = record(context.accepts);
  if (!settings || !accepts || !keys(accepts, ['topK', 'minP']) || typeof accepts.topK !== 'boolean' || typeof accepts.minP !== 'boolean') return undefined;
  if (!isText(context.backendNote, LIMITS.textLength)) return undefined;
  return { settings, accepts: { topK: accepts.topK, minP: accepts.minP }, backendNote: context.backendNote };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}

/** Exactly these own keys, no more and no fewer. */
function keys(value: Record<string, unknown>, expected: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === expected.length && expected.every((key) => Object.hasOwn(value, key));
}

function nullOr<T>(value: unknown, check: (value: number) => boolean): value is T | null {
  return value === null || (typeof value === 'number' && check(value));
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNumberIn(value: unknown, min: number, max: number): value is number {
  return isFiniteNumber(value) && value >= min && value <= max;
}

function isIndex(value: unknown): value is number {
  return Number.isInteger(value) && isNumberIn(value, 0, 2 ** 31 - 1);
}

function isText(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}

function isAnswerId(value: unknown): value is string {
  return typeof value === 'string' && /^[\w.:-]{1,128}$/.test(value);
}

function isMode(value: unknown): value is ColourMode {
  return typeof value === 'string' && (COLOUR_MODES as readonly string[]).includes(value);
}
