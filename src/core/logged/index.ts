import type { ChunkDelta } from '../chatChunk';
import type { TokenEntry } from '../logprob';
import { describeEvents, describeJson, FORMATS_READ } from './describe';
import type { Family, FamilyId } from './families';
import { familyOf } from './families';
import { harRequests, isHar } from './har';
import type { Json } from './json';
import { asObject } from './json';
import { firstKeysInArray } from './jsonText';
import type { LoggedEvent, ReadingStop } from './transcript';
import { readTranscript } from './transcript';
import { promptLogprobsOf, scoredPromptTokens } from './vllm';
import { isRunExport, readRunExport } from '../runs/export/json';
import type { RunRecord } from '../runs/runRecord';

/**
 * Open Logprobs Response, the pure part: a logged response's text in, what it holds out. The format is recognised
 * by shape (./families), whatever the container (./transcript), also when the body sits in a test cassette or a
 * logging wrapper, or in a HAR file. Anything else is refused in words that say what was found. Never throws.
 */

/** Stable id of a format: the family, `-stream` for a stream of events; `vllm-prompt` for a scored prompt. */
export type LoggedFormat = FamilyId | `${FamilyId}-stream` | 'vllm-prompt';

interface Recognised {
  readonly format: LoggedFormat;
  /** What the file is, in words for the document title: "llama.cpp /completion stream". */
  readonly label: string;
}

/** A model's answer, to be shown as if it had just streamed in. */
export interface LoggedAnswer extends Recognised {
  readonly kind: 'answer';
  readonly deltas: readonly ChunkDelta[];
  /** False when the response holds text but no logprobs (the server ignored the request for them). */
  readonly hasLogprobs: boolean;
  /** Set when a transcript broke off: the events before that line were read. */
  readonly stoppedAt?: ReadingStop;
}

/** A prompt scored by the model (vLLM `prompt_logprobs`): coloured in place like Score Selection. */
export interface LoggedScoredPrompt extends Recognised {
  readonly kind: 'scored-prompt';
  /** The prompt as its tokens spell it; the first prompt token has no entry and is not part of it. */
  readonly text: string;
  readonly tokens: readonly TokenEntry[];
  /** The answer generated after the prompt in the same response, when there is one. */
  readonly answer?: LoggedAnswer;
}

export interface LoggedHarEntry {
  /** Position in the HAR's `log.entries`. */
  readonly index: number;
  readonly method: string;
  readonly url: string;
  /** ISO 8601 as the HAR has it, or ''. */
  readonly started: string;
  readonly response: LoggedAnswer | LoggedScoredPrompt;
}

/** A HAR file: the requests whose responses this reads, for the user to choose one. */
export interface LoggedHar {
  readonly kind: 'har';
  readonly label: string;
  readonly entries: readonly LoggedHarEntry[];
}

export interface LoggedRefusal {
  readonly kind: 'refused';
  /** Full sentences naming what was found and what is read; untrusted excerpts are quoted, not yet neutralised. */
  readonly problem: string;
}

/** A run Logprob Lens exported as JSON: reopened exactly as it was (its own placements, no re-alignment). */
export interface LoggedRun {
  readonly kind: 'run';
  readonly label: string;
  readonly record: RunRecord;
}

export type LoggedResult = LoggedAnswer | LoggedScoredPrompt | LoggedHar | LoggedRun | LoggedRefusal;

/** Where reading stopped, in words: "Reading stopped at line 7: not valid JSON (“…”)". */
export function describeStop(stop: ReadingStop): string {
  return `Reading stopped at line ${stop.line}: ${stop.problem}`;
}

/** The largest logged response Open Logprobs Response reads. */
export const MAX_LOGGED_RESPONSE_BYTES = 50 * 1024 * 1024;

/** The refusal for a file of `bytes`, or `undefined` when it is within the limit. */
export function oversizeProblem(bytes: number): string | undefined {
  if (bytes <= MAX_LOGGED_RESPONSE_BYTES) return undefined;
  const megabytes = (value: number): string => `${(value / 1024 / 1024).toFixed(value % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  return `The file is ${megabytes(bytes)}; Open Logprobs Response reads files up to ${megabytes(MAX_LOGGED_RESPONSE_BYTES)}.`;
}

/** How deep wrappers (`response`, `body`, `data`, …) are looked into. */
const MAX_WRAPPER_DEPTH = 6;
/** Keys that hold the body in test cassettes (VCR.py, nock, Polly.JS) and logging middleware. */
const WRAPPER_KEYS = ['response', 'body', 'data', 'string', 'interactions'];
/** Elements of a non-stream array (a list of recordings) that are looked into. */
const MAX_WRAPPED_ELEMENTS = 16;

const refused = (problem: string): LoggedRefusal => ({ kind: 'refused', problem });
const notRead = (found: string): LoggedRefusal => refused(`This is not a response Logprob Lens reads: it is ${found}. It reads ${FORMATS_READ}.`);
const stoppedReading = (stop: ReadingStop): LoggedRefusal => refused(`${describeStop(stop)}.`);
const isOpenable = (result: LoggedResult | undefined): result is LoggedAnswer | LoggedScoredPrompt =>
  result?.kind === 'answer' || result?.kind === 'scored-prompt';

type Container = 'json' | 'sse' | 'lines' | 'array';
const STREAM_SUFFIX: Record<Exclude<Container, 'json'>, string> = { sse: 'stream', lines: 'stream (JSON Lines)', array: 'stream (JSON array)' };

function answerOf(family: Family, first: Json, events: readonly unknown[], container: Container, stoppedAt?: ReadingStop): LoggedResult {
  const deltas = events.flatMap((event) => family.read(event));
  const streamed = container !== 'json';
  const label = streamed ? `${family.streamName(first)} ${STREAM_SUFFIX[container]}` : `${family.wholeName(first)} response`;
  if (!deltas.some((delta) => delta.text.length > 0)) {
    return refused(`This ${label} holds no text (only tool calls or other non-text output, or an empty answer): there is nothing to colour.`);
  }
  return {
    kind: 'answer', format: streamed ? `${family.id}-stream` : family.id, label, deltas,
    hasLogprobs: deltas.some((delta) => delta.tokens.length > 0),
    ...(stoppedAt ? { stoppedAt } : {}),
  };
}

/** A stream of events of one family: the family of the first event that has a known shape. */
function readEvents(events: readonly unknown[], container: Exclude<Container, 'json'>, stoppedAt?: ReadingStop): LoggedResult | undefined {
  for (const event of events) {
    const family = familyOf(event);
    if (family) return answerOf(family, asObject(event)!, events, container, stoppedAt);
  }
  return undefined;
}

/** The first keys of the `prompt_logprobs` positions as a source text writes them, scanned once when first asked. */
type KeyOrder = () => readonly (string | null)[] | undefined;

function keyOrderOf(text: string): KeyOrder {
  let order: { readonly keys: readonly (string | null)[] | undefined } | undefined;
  return () => (order ??= { keys: firstKeysInArray(text, 'prompt_logprobs') }).keys;
}

function readScoredPrompt(object: Json, keyOrder: KeyOrder): LoggedResult | undefined {
  const prompt = promptLogprobsOf(object);
  if (!prompt) return undefined;
  const { text, tokens } = scoredPromptTokens(prompt, keyOrder);
  if (text.length === 0) return undefined;
  const family = familyOf(object);
  const answer = family && answerOf(family, object, [object], 'json');
  const api = prompt.api === 'chat' ? 'Chat Completions' : 'Completions';
  return {
    kind: 'scored-prompt', format: 'vllm-prompt', label: `vLLM prompt_logprobs (${api})`, text, tokens,
    ...(answer?.kind === 'answer' ? { answer } : {}),
  };
}

function readHar(value: unknown): LoggedResult {
  const requests = harRequests(value);
  const entries: LoggedHarEntry[] = [];
  for (const { body, ...request } of requests) {
    const response = readText(body, 1);
    if (isOpenable(response)) entries.push({ ...request, response });
  }
  if (entries.length === 0) {
    const found = requests.length === 0 ? 'no response with a body'
      : requests.length === 1 ? 'one response with a body, which is not a response Logprob Lens reads'
        : `${requests.length} responses with a body, and none of them is a response Logprob Lens reads`;
    return refused(`This HAR file has ${found}. It reads ${FORMATS_READ}.`);
  }
  return { kind: 'har', label: 'HAR file', entries };
}

/** The body inside a wrapper: a key that holds it (as JSON or as text), or one of a list of recordings. */
function readWrapped(value: unknown, keyOrder: KeyOrder, depth: number): LoggedResult | undefined {
  if (depth >= MAX_WRAPPER_DEPTH) return undefined;
  const object = asObject(value);
  const inner = object ? WRAPPER_KEYS.filter((key) => Object.hasOwn(object, key)).map((key) => object[key])
    : Array.isArray(value) ? value.slice(0, MAX_WRAPPED_ELEMENTS) : [];
  for (const candidate of inner) {
    const result = typeof candidate === 'string' ? readText(candidate, depth + 1) : readValue(candidate, keyOrder, depth + 1);
    if (isOpenable(result)) return result;
  }
  return undefined;
}

/** One JSON document: a HAR, a stream saved as an array, a whole response, or a wrapper around one. */
function readValue(value: unknown, keyOrder: KeyOrder, depth: number): LoggedResult | undefined {
  if (depth === 0 && isHar(value)) return readHar(value);
  const object = asObject(value);
  if (object) {
    const family = familyOf(object);
    return readScoredPrompt(object, keyOrder) ?? (family ? answerOf(family, object, [object], 'json') : readWrapped(object, keyOrder, depth));
  }
  if (Array.isArray(value)) return readEvents(value, 'array') ?? readWrapped(value, keyOrder, depth);
  return undefined;
}

function readText(text: string, depth: number): LoggedResult {
  const transcript = readTranscript(text);
  switch (transcript.container) {
    case 'malformed':
      return stoppedReading(transcript.stop);
    case 'text':
      return notRead(transcript.found);
    case 'json':
      if (isRunExport(transcript.value)) return readRun(transcript.value);
      return readValue(transcript.value, keyOrderOf(text), depth) ?? notRead(describeJson(transcript.value));
    default: {
      const { events, stop } = transcript;
      const values = events.map((event: LoggedEvent) => event.value);
      if (values.length === 0 && stop) return stoppedReading(stop);
      return readEvents(values, transcript.container, stop) ?? notRead(describeEvents(transcript.container, values));
    }
  }
}

function readRun(value: unknown): LoggedResult {
  try {
    const record = readRunExport(value);
    return { kind: 'run', label: `Logprob Lens run · ${record.endpoint.model || 'answer'}`, record };
  } catch (error) {
    return refused(`This Logprob Lens run export cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads a logged response's text: what it holds, or a refusal in words. Never throws. */
export function readLogged(text: string): LoggedResult {
  const tooLarge = oversizeProblem(text.length);
  if (tooLarge) return refused(tooLarge);
  return readText(text.replace(/^\uFEFF/, ''), 0);
}
