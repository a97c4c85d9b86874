/**
 * The run record: one answer with everything needed to find, restore, compare, re-run and share it. Owns the
 * record's types, the only constructors of its request and endpoint parts (which copy known fields and nothing
 * else, so a key or a header value cannot get in), the text hash, and the checks that read a record's metadata
 * back from storage or an export.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiStyle, Role } from '../request';
import type { RunKind, RunOutcome } from '../runOutcome';
import { RUN_KINDS } from '../runOutcome';
import { computeRunMetrics } from './metrics';
import type { RunPlacements, RunTokens } from './runTokens';

/** Version of the record's shape; a reader refuses records from a newer version. */
export const RUN_RECORD_VERSION = 1;

export const RUN_OUTCOMES: readonly RunOutcome[] = ['done', 'truncated', 'filtered', 'cancelled', 'incomplete', 'failed'];
const API_STYLES: readonly ApiStyle[] = ['chat', 'responses', 'completions'];
const ROLES: readonly Role[] = ['system', 'user', 'assistant'];

export interface RecordedMessage {
  readonly role: Role;
  readonly content: string;
}

/** Sampling settings as sent; an absent one was left to the server. */
export interface RecordedSampling {
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

declare const madeByRecordRequest: unique symbol;

/**
 * The request as sent, without anything that authenticates it. It has no field for a key, a header or a URL,
 * and only `recordRequest` makes one (the brand): it copies the known fields and drops credential-named extra
 * fields, so a request object that carries more (an SDK options bag, a profile) cannot leak into history.
 */
export interface RunRequest {
  /** The conversation: the system prompt first when there is one; a final assistant message is a prefill. */
  readonly messages: readonly RecordedMessage[];
  /** Alternatives asked per token (`top_logprobs`). */
  readonly topLogprobs: number;
  readonly sampling: RecordedSampling;
  /** Backend-specific body fields as sent (`logit_bias`, `continue_final_message`, `top_k`, ...). */
  readonly extraBody: Readonly<Record<string, JsonValue>>;
  readonly [madeByRecordRequest]: true;
}

/** The endpoint by name: never its URL (a query string can hold a key), its headers or its key. */
export interface RunEndpoint {
  /** The profile's name in `logprobLens.endpoints`, when one was used. */
  readonly profile?: string;
  /** `host[:port]` of the base URL. */
  readonly host: string;
  readonly model: string;
  readonly apiStyle: ApiStyle;
}

export interface RunDocument {
  readonly uri: string;
  /** What the Runs view shows: the file name, or "Untitled-1". */
  readonly name: string;
}

/** Where the answer was when recorded: document offsets (UTF-16) and a hash of its text there. */
export interface RunPlace {
  readonly offset: number;
  readonly length: number;
  readonly textHash: string;
}

export interface RunTimings {
  readonly firstTokenMs?: number;
  readonly totalMs?: number;
}

export interface RunMetrics {
  /** Tokens with a logprob. */
  readonly tokens: number;
  /** May be Infinity (a token at OpenAI's -9999), written as `null` in JSON. */
  readonly perplexity?: number;
  readonly meanProbability?: number;
  /** Placements (a character split over tokens counts once) with a probability below `below`. */
  readonly uncertain: { readonly below: number; readonly count: number };
  /** Mean over tokens with alternatives of the entropy (bits) of their renormalised alternatives. */
  readonly meanEntropyBits?: number;
}

/** A branch: this run continues `runId` from an alternative at `tokenIndex`. */
export interface RunParent {
  readonly runId: string;
  readonly tokenIndex: number;
}

/** Membership of a set of runs made together: a sample set, or the cases of one prompt-file run. */
export interface RunGroup {
  readonly id: string;
  readonly kind: 'samples' | 'promptFile';
  /** 0-based position in the set, and the set's size. */
  readonly index: number;
  readonly size: number;
  /** "sample 3", or the test case's name. */
  readonly label: string;
}

/** Everything about a run except its text and tokens: what the history index keeps in memory. */
export interface RunMeta {
  readonly version: number;
  readonly id: string;
  readonly kind: RunKind;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly document: RunDocument;
  readonly place: RunPlace;
  /** Hash of the non-system messages: runs of the same prompt share it. */
  readonly promptHash: string;
  readonly request: RunRequest;
  readonly endpoint: RunEndpoint;
  readonly outcome: RunOutcome;
  readonly timings: RunTimings;
  readonly metrics: RunMetrics;
  readonly parent?: RunParent;
  readonly group?: RunGroup;
}

export interface RunRecord extends RunMeta {
  /** The answer text as it was in the document (its line endings). */
  readonly text: string;
  readonly tokens: RunTokens;
  readonly placements: RunPlacements;
}

/** The request fields a recorder reads: structurally the client's request, which may carry more (ignored). */
export interface RequestInput {
  readonly messages: readonly { readonly role: string; readonly content: string }[];
  readonly topLogprobs: number;
  readonly sampling: { readonly [K in keyof RecordedSampling]?: RecordedSampling[K] | undefined };
  readonly extraBody?: Readonly<Record<string, unknown>> | undefined;
}

export interface EndpointInput {
  readonly profile?: string | undefined;
  /** The endpoint's host (and port), as `URL.host` gives it: anything else is recorded as no host. */
  readonly host: string;
  readonly model: string;
  readonly apiStyle?: ApiStyle | undefined;
}

export interface RunInput {
  readonly id?: string;
  readonly kind: RunKind;
  readonly createdAt?: number;
  readonly document: RunDocument;
  /** Document offset of the answer's first character. */
  readonly offset: number;
  readonly request: RequestInput;
  readonly endpoint: EndpointInput;
  readonly outcome: RunOutcome;
  readonly timings?: RunTimings;
  readonly parent?: RunParent;
  readonly group?: RunGroup;
  readonly text: string;
  readonly tokens: RunTokens;
  readonly placements: RunPlacements;
  /** The "uncertain" threshold in use (`DEFAULT_UNCERTAIN_BELOW` unless the user changed it). */
  readonly uncertainThreshold: number;
}

/** Builds a record: fresh id, text hash, prompt hash and metrics computed here, request and endpoint copied safely. */
export function createRunRecord(input: RunInput): RunRecord {
  const createdAt = input.createdAt ?? Date.now();
  const request = recordRequest(input.request);
  return {
    version: RUN_RECORD_VERSION,
    id: input.id ?? newRunId(createdAt),
    kind: input.kind,
    createdAt,
    document: { uri: input.document.uri, name: input.document.name },
    place: { offset: input.offset, length: input.text.length, textHash: hashText(input.text) },
    promptHash: promptHash(request),
    request,
    endpoint: recordEndpoint(input.endpoint),
    outcome: input.outcome,
    timings: pickNumbers(input.timings ?? {}, ['firstTokenMs', 'totalMs']),
    metrics: computeRunMetrics(input.tokens, input.placements, input.uncertainThreshold),
    ...(input.parent ? { parent: { runId: input.parent.runId, tokenIndex: input.parent.tokenIndex } } : {}),
    ...(input.group ? { group: { ...input.group } } : {}),
    text: input.text,
    tokens: input.tokens,
    placements: input.placements,
  };
}

/** The record's metadata alone (what the history index and the storage index hold). */
export function metaOf(record: RunRecord): RunMeta {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !BODY_FIELDS.has(key))) as unknown as RunMeta;
}

const BODY_FIELDS: ReadonlySet<string> = new Set<keyof RunRecord>(['text', 'tokens', 'placements']);

/** Copies what may be recorded of a request: messages, sampling, alternatives, and extra fields not named like credentials. */
export function recordRequest(input: RequestInput): RunRequest {
  const sampling = pickNumbers(input.sampling, ['temperature', 'topP', 'maxTokens', 'seed', 'presencePenalty', 'frequencyPenalty']);
  const stop = input.sampling.stop?.filter((value) => typeof value === 'string');
  const request: Omit<RunRequest, typeof madeByRecordRequest> = {
    messages: input.messages.map((message) => ({ role: ROLES.includes(message.role as Role) ? message.role as Role : 'user', content: message.content })),
    topLogprobs: input.topLogprobs,
    sampling: stop && stop.length > 0 ? { ...sampling, stop: [...stop] } : sampling,
    extraBody: withoutCredentials(input.extraBody ?? {}) as Readonly<Record<string, JsonValue>>,
  };
  return request as RunRequest;
}

export function recordEndpoint(input: EndpointInput): RunEndpoint {
  // Not a host: recorded as none rather than the string, which could hold anything (a path, a query with a key).
  const host = HOST.test(input.host) ? input.host : '';
  return { ...(input.profile ? { profile: input.profile } : {}), host, model: input.model, apiStyle: input.apiStyle ?? 'chat' };
}

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Field names that carry credentials, in any case or style (`api_key`, `apiKey`, `Authorization`, `x-api-key`,
 * `extra_headers`, `access_token`): matched on the last word so `max_tokens` or `logit_bias` stay.
 */
const CREDENTIAL_NAME = /(?:^|[-_])(?:key|apikey|secret|password|passwd|token|auth|authorization|bearer|credentials?|cookie|headers?)$/;

function withoutCredentials(value: unknown): JsonValue | undefined {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) return value.map((item) => withoutCredentials(item) ?? null);
  if (typeof value !== 'object') return undefined;
  const copy: Record<string, JsonValue> = {};
  for (const [name, field] of Object.entries(value)) {
    const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    if (CREDENTIAL_NAME.test(words)) continue;
    const clean = withoutCredentials(field);
    if (clean !== undefined) copy[name] = clean;
  }
  return copy;
}

function pickNumbers<K extends string>(source: { readonly [P in K]?: number | undefined }, keys: readonly K[]): { [P in K]?: number } {
  const picked: { [P in K]?: number } = {};
  for (const key of keys) {
    const value = source[key];
    if (typeof value === 'number' && Number.isFinite(value)) picked[key] = value;
  }
  return picked;
}

/**
 * Hash of an answer's text for restore: SHA-256 (Node's native implementation, faster here than a JavaScript
 * FNV or cyrb53 loop: ~0.5 ms for 460 KB), first 64 bits in hex. Not for security: it only says "same text".
 */
export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

/** Same prompt = same non-system messages; the system prompt is a setting whose change is described. */
export function promptHash(request: Pick<RunRequest, 'messages'>): string {
  return hashText(JSON.stringify(request.messages.filter((message) => message.role !== 'system')));
}

/** The system prompt, if the request had one. */
export function systemPromptOf(request: Pick<RunRequest, 'messages'>): string | undefined {
  return request.messages.find((message) => message.role === 'system')?.content;
}

/** The prompt text a user recognises: the last user message (or the last message). */
export function promptTextOf(request: Pick<RunRequest, 'messages'>): string {
  const user = request.messages.filter((message) => message.role === 'user');
  return (user.at(-1) ?? request.messages.at(-1))?.content ?? '';
}

/** Time-ordered ids (file names sort by age): base-36 milliseconds, then 48 random bits. */
export function newRunId(createdAt = Date.now()): string {
  return `${Math.max(0, Math.floor(createdAt)).toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
}

/** A run id is safe as a file name: letters, digits, `-` and `_` only. */
export const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * Reads a record's metadata from parsed JSON (storage, an export), checking every field; returns what is wrong
 * otherwise. The request goes through `recordRequest` again, so a hand-edited file cannot add credentials.
 */
export function readRunMeta(value: unknown): RunMeta | string {
  if (!isObject(value)) return 'the run is not an object';
  if (typeof value.version !== 'number') return 'the run has no version';
  if (value.version > RUN_RECORD_VERSION) return `the run was written by a newer Logprob Lens (version ${value.version})`;
  if (typeof value.id !== 'string' || !RUN_ID.test(value.id)) return 'the run id is missing or not a safe name';
  if (!RUN_KINDS.includes(value.kind as RunKind)) return `unknown run kind ${JSON.stringify(value.kind)}`;
  if (!RUN_OUTCOMES.includes(value.outcome as RunOutcome)) return `unknown outcome ${JSON.stringify(value.outcome)}`;
  if (typeof value.createdAt !== 'number' || !Number.isFinite(value.createdAt)) return 'the run has no time';
  const { document, place, request, endpoint, timings, metrics, parent, group } = value;
  if (!isObject(document) || typeof document.uri !== 'string' || typeof document.name !== 'string') return 'the document is missing';
  if (!isObject(place) || !isCount(place.offset) || !isCount(place.length) || typeof place.textHash !== 'string') return 'the answer\'s place is missing';
  const readRequest = readRequestInput(request);
  if (typeof readRequest === 'string') return readRequest;
  if (!isObject(endpoint) || typeof endpoint.host !== 'string' || typeof endpoint.model !== 'string' || !API_STYLES.includes(endpoint.apiStyle as ApiStyle)) return 'the endpoint is missing';
  if (endpoint.profile !== undefined && typeof endpoint.profile !== 'string') return 'the endpoint profile is not a name';
  const readMetrics = readRunMetrics(metrics);
  if (typeof readMetrics === 'string') return readMetrics;
  if (parent !== undefined && (!isObject(parent) || typeof parent.runId !== 'string' || !isCount(parent.tokenIndex))) return 'the parent run is malformed';
  if (group !== undefined && (!isObject(group) || typeof group.id !== 'string' || (group.kind !== 'samples' && group.kind !== 'promptFile')
    || !isCount(group.index) || !isCount(group.size) || typeof group.label !== 'string')) return 'the run group is malformed';
  const recorded = recordRequest(readRequest);
  return {
    version: value.version,
    id: value.id,
    kind: value.kind as RunKind,
    createdAt: value.createdAt,
    document: { uri: document.uri, name: document.name },
    place: { offset: place.offset, length: place.length, textHash: place.textHash },
    promptHash: promptHash(recorded),
    request: recorded,
    endpoint: { ...(typeof endpoint.profile === 'string' ? { profile: endpoint.profile } : {}), host: endpoint.host, model: endpoint.model, apiStyle: endpoint.apiStyle as ApiStyle },
    outcome: value.outcome as RunOutcome,
    timings: pickNumbers(isObject(timings) ? timings as { firstTokenMs?: number; totalMs?: number } : {}, ['firstTokenMs', 'totalMs']),
    metrics: readMetrics,
    ...(isObject(parent) ? { parent: { runId: parent.runId as string, tokenIndex: parent.tokenIndex as number } } : {}),
    ...(isObject(group) ? { group: { id: group.id as string, kind: group.kind as RunGroup['kind'], index: group.index as number, size: group.size as number, label: group.label as string } } : {}),
  };
}

function readRequestInput(request: unknown): RequestInput | string {
  if (!isObject(request) || !Array.isArray(request.messages) || !isCount(request.topLogprobs) || !isObject(request.sampling)) return 'the request is missing';
  for (const message of request.messages as unknown[]) {
    if (!isObject(message) || typeof message.content !== 'string' || !ROLES.includes(message.role as Role)) return 'a request message is malformed';
  }
  const stop = request.sampling.stop;
  if (stop !== undefined && (!Array.isArray(stop) || stop.some((item) => typeof item !== 'string'))) return 'the stop sequences are malformed';
  if (request.extraBody !== undefined && !isObject(request.extraBody)) return 'the extra request fields are malformed';
  return request as unknown as RequestInput;
}

function readRunMetrics(metrics: unknown): RunMetrics | string {
  if (!isObject(metrics) || !isCount(metrics.tokens) || !isObject(metrics.uncertain)
    || typeof metrics.uncertain.below !== 'number' || !isCount(metrics.uncertain.count)) return 'the metrics are missing';
  return {
    tokens: metrics.tokens,
    uncertain: { below: metrics.uncertain.below, count: metrics.uncertain.count },
    ...pickNumbers(metrics as { perplexity?: number; meanProbability?: number; meanEntropyBits?: number }, ['perplexity', 'meanProbability', 'meanEntropyBits']),
    // JSON writes an infinite perplexity (a token at -9999) as null.
    ...(metrics.perplexity === null ? { perplexity: Number.POSITIVE_INFINITY } : {}),
  };
}
