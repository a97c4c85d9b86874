import OpenAI, { AzureOpenAI } from 'openai';
import type { ChunkDelta } from '../core/chatChunk';
import { chatChunkDelta } from '../core/chatChunk';
import type { CompletionRequest, EndpointOptions, Message, RequestErrorInfo, RequestErrorKind, RequestLimit, Sampling } from '../core/request';
import { completionsPrompt } from '../core/request';
import type { AnswerLimits } from '../core/settings/snapshot';
import { completionChoiceDelta, completionChunkDelta, responsesEventDelta } from '../core/logged/openai';


/** The most alternatives legacy Completions return (`logprobs` is capped at 5). */
export const COMPLETIONS_MAX_LOGPROBS = 5;

/**
 * An SDK client bound to one endpoint. `baseURL`, `apiKey` and the log level are explicit, and the SDK reads no
 * environment at all (OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_CUSTOM_HEADERS, OPENAI_LOG, ...
 * would otherwise redirect requests, add headers or log them); redirects are refused (a redirect would re-send the
 * prompt and the key to another host); bodies are size-capped; retries only happen before any text arrives.
 */
export function createClient(endpoint: EndpointOptions): OpenAI {
  const options = {
    apiKey: endpoint.apiKey ?? 'no-key',
    organization: null,
    project: null,
    defaultHeaders: endpoint.apiKey === undefined ? { ...endpoint.headers, Authorization: null } : { ...endpoint.headers },
    timeout: endpoint.timeoutMs,
    // Retries are ours (streamChat): bounded, cancellable at once, and never after text has arrived.
    maxRetries: 0,
    logLevel: 'off' as const,
    fetch: sizeCappedFetch,
    fetchOptions: { redirect: 'error' as const },
  };
  return withoutEnvironment(() => (endpoint.azure
    ? new AzureOpenAI({ ...options, endpoint: endpoint.baseUrl.replace(/\/openai(?:\/v1)?$/, ''), deployment: endpoint.azure.deployment, apiVersion: endpoint.azure.apiVersion })
    : new OpenAI({ ...options, baseURL: endpoint.baseUrl })));
}

/** The environment variables the SDK's constructors read: none of them may reach a request. */
const SDK_ENVIRONMENT = /^(?:OPENAI|AZURE_OPENAI)_/;

/** Runs the (synchronous) SDK constructor with its environment variables hidden, then puts them back. */
function withoutEnvironment<T>(construct: () => T): T {
  const hidden = Object.entries(process.env).filter(([name]) => SDK_ENVIRONMENT.test(name));
  for (const [name] of hidden) delete process.env[name];
  try {
    return construct();
  } finally {
    for (const [name, value] of hidden) process.env[name] = value;
  }
}

/** Longest line of an event stream (one event's data), and largest whole body, that a server may send. */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024;
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A body over its cap errors the stream the SDK reads, with a `limit` error: memory stays bounded by the cap. */
async function sizeCappedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (!response.body) return response;
  const eventStream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
  let sinceNewline = 0;
  let total = 0;
  const guard = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      total += chunk.length;
      const firstNewline = chunk.indexOf(10);
      const lastNewline = chunk.lastIndexOf(10);
      const longestHere = sinceNewline + (firstNewline >= 0 ? firstNewline : chunk.length);
      sinceNewline = lastNewline >= 0 ? chunk.length - lastNewline - 1 : sinceNewline + chunk.length;
      if (eventStream && Math.max(longestHere, sinceNewline) > MAX_EVENT_BYTES) controller.error(limitError({ what: 'event-size', value: MAX_EVENT_BYTES }));
      else if (!eventStream && total > MAX_BODY_BYTES) controller.error(limitError({ what: 'body-size', value: MAX_BODY_BYTES }));
      else controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(guard), { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * Streams one completion with logprobs, yielding what each event adds. Abort with `signal`. Errors are rethrown
 * as `RequestError`s: the SDK's class names do not survive minification, its abort ends a stream silently, and a
 * 200 that is not an event stream yields nothing at all. The HTTP stream is closed however the iteration ends.
 */
export async function* streamChat(client: OpenAI, request: CompletionRequest, signal: AbortSignal, options: StreamOptions = {}): AsyncGenerator<ChunkDelta> {
  const watch = new StreamWatch(options, signal);
  try {
    for (let attempt = 0; ; attempt++) {
      const controller = watch.startAttempt();
      let chunks = 0;
      try {
        for await (const delta of watch.guard(openStream(client, request, controller.signal))) {
          chunks++;
          yield delta;
        }
      } catch (error) {
        const failure = watch.failure ?? toRequestError(error, signal);
        const wait = chunks === 0 && watch.failure === undefined ? retryDelayMs(failure, attempt) : undefined;
        if (wait === undefined) throw failure;
        options.onRetry?.(wait, failure);
        await sleep(wait, signal);
        continue;
      } finally {
        controller.abort();
      }
      if (watch.failure) throw watch.failure;
      if (signal.aborted) throw abortError();
      if (chunks === 0) throw new RequestError({ kind: 'empty-stream', message: 'The server sent no chat completion chunks.' });
      return;
    }
  } finally {
    watch.dispose();
  }
}

export interface StreamOptions {
  readonly idleTimeoutMs?: number | undefined;
  /** Bounds on one answer; past one, the stream stops with a `limit` error. */
  readonly limits?: AnswerLimits | undefined;
  /** Told before each wait for a retry (429, 5xx, a dropped connection), with the wait and what failed. */
  readonly onRetry?: ((waitMs: number, failure: RequestError) => void) | undefined;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Retries before any text arrived; a server asking for a longer wait than this gets an error instead. */
const MAX_RETRIES = 2;
const MAX_RETRY_WAIT_MS = 20_000;

/**
 * The watchdogs of one streamed answer: the idle timeout (re-armed only by events that carry text, tokens or a
 * finish reason, so empty keep-alive chunks cannot hold a stalled stream open forever), the wall-time limit, and
 * the size limits. The first to trip aborts the attempt under way and is what the stream fails with.
 */
class StreamWatch {
  failure: RequestError | undefined;
  private controller: AbortController | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly deadline: ReturnType<typeof setTimeout> | undefined;
  private readonly idleTimeoutMs: number;
  private characters = 0;
  private tokens = 0;

  constructor(private readonly options: StreamOptions, private readonly signal: AbortSignal) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    const maxDurationMs = options.limits?.maxDurationMs;
    if (maxDurationMs !== undefined) this.deadline = setTimeout(() => this.trip(limitError({ what: 'duration', value: maxDurationMs })), maxDurationMs);
  }

  /** A controller for the next attempt, aborted by the caller's signal and by the watchdogs. */
  startAttempt(): AbortController {
    const controller = new AbortController();
    this.controller = controller;
    if (this.signal.aborted) controller.abort();
    else this.signal.addEventListener('abort', () => controller.abort(), { once: true, signal: controller.signal });
    if (this.failure) controller.abort();
    this.armIdle();
    return controller;
  }

  async *guard(deltas: AsyncIterable<ChunkDelta>): AsyncGenerator<ChunkDelta> {
    for await (const delta of deltas) {
      if (delta.text.length > 0 || delta.tokens.length > 0 || delta.finishReason !== undefined) this.armIdle();
      this.characters += delta.text.length;
      this.tokens += delta.tokens.length;
      const limits = this.options.limits;
      if (limits && this.characters > limits.maxCharacters) this.trip(limitError({ what: 'characters', value: limits.maxCharacters }));
      else if (limits && this.tokens > limits.maxTokens) this.trip(limitError({ what: 'tokens', value: limits.maxTokens }));
      if (this.failure) throw this.failure;
      yield delta;
    }
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.deadline);
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.trip(idleError(this.idleTimeoutMs)), this.idleTimeoutMs);
  }

  private trip(failure: RequestError): void {
    this.failure ??= failure;
    this.controller?.abort();
  }
}

/** How long to wait before retrying, or undefined when this failure is not worth a retry. */
export function retryDelayMs(failure: RequestError, attempt: number): number | undefined {
  if (attempt >= MAX_RETRIES) return undefined;
  const retryable = failure.status === 429 || failure.status === 500 || failure.status === 502 || failure.status === 503
    || (failure.kind === 'connection-failed' && failure.causeCode !== 'ECONNREFUSED' && !/redirect/i.test(failure.causeMessage ?? ''));
  if (!retryable) return undefined;
  const asked = failure.retryAfterMs;
  if (asked !== undefined) return asked <= MAX_RETRY_WAIT_MS ? Math.max(0, asked) : undefined;
  return Math.min(MAX_RETRY_WAIT_MS, 500 * 2 ** attempt);
}

/** A wait that ends at once when the signal aborts (then it throws the abort). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** An SDK error reduced to the request contract's fields (`RequestErrorInfo`), with a kind that survives minification. */
export class RequestError extends Error implements RequestErrorInfo {
  readonly kind: RequestErrorKind;
  readonly status: number | undefined;
  readonly serverMessage: string | undefined;
  readonly causeCode: string | undefined;
  readonly causeMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly limit: RequestLimit | undefined;

  constructor(info: RequestErrorInfo) {
    super(info.message);
    this.name = 'RequestError';
    this.kind = info.kind;
    this.status = info.status;
    this.serverMessage = info.serverMessage;
    this.causeCode = info.causeCode;
    this.causeMessage = info.causeMessage;
    this.retryAfterMs = info.retryAfterMs;
    this.limit = info.limit;
  }
}

function toRequestError(error: unknown, signal: AbortSignal): RequestError {
  const ours = ownError(error);
  if (ours) return ours;
  if (signal.aborted || error instanceof OpenAI.APIUserAbortError) return abortError();
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new RequestError({ kind: 'connect-timeout', message: error.message });
  if (error instanceof OpenAI.APIConnectionError) return new RequestError({ kind: 'connection-failed', message: error.message, ...rootCause(error) });
  if (error instanceof OpenAI.APIError) {
    const body = error.error as { message?: unknown } | undefined;
    const message = typeof body?.message === 'string' ? body.message : error.message;
    return new RequestError({ kind: 'http', message: error.message, status: error.status as number | undefined, serverMessage: message, retryAfterMs: retryAfter(error.headers as Headers | undefined) });
  }
  if (error instanceof SyntaxError) return new RequestError({ kind: 'invalid-json', message: error.message });
  // undici reports a connection cut while the body streams as a TypeError "terminated" (cause ECONNRESET or
  // UND_ERR_SOCKET); the SDK passes it through.
  const cause = rootCause(error);
  if (error instanceof TypeError && (error.message === 'terminated' || /ECONNRESET|UND_ERR_SOCKET|EPIPE/.test(cause.causeCode ?? ''))) {
    return new RequestError({ kind: 'connection-lost', message: error.message, ...cause });
  }
  return new RequestError({ kind: 'other', message: error instanceof Error ? error.message : String(error) });
}

/** A RequestError of ours (a size limit tripped inside the body stream), however the SDK or undici wrapped it. */
function ownError(error: unknown): RequestError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof RequestError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The innermost `cause` with a code or a message: ECONNREFUSED, or undici's "unexpected redirect". */
function rootCause(error: unknown): { causeCode?: string; causeMessage?: string } {
  let found: { causeCode?: string; causeMessage?: string } = {};
  let current: unknown = (error as { cause?: unknown }).cause;
  for (let depth = 0; current && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    found = { causeCode: typeof code === 'string' ? code : found.causeCode, causeMessage: typeof message === 'string' ? message : found.causeMessage };
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

const abortError = (): RequestError => new RequestError({ kind: 'aborted', message: 'Request was aborted.' });
const limitError = (limit: RequestLimit): RequestError => new RequestError({ kind: 'limit', message: `over the ${limit.what} limit (${limit.value})`, limit });
const idleError = (idleTimeoutMs: number): RequestError => new RequestError({ kind: 'idle-timeout', message: `No data for ${Math.round(idleTimeoutMs / 1000)} s.` });

/** The deltas of one streamed answer in the request's API style. */
async function* openStream(client: OpenAI, request: CompletionRequest, signal: AbortSignal): AsyncGenerator<ChunkDelta> {
  switch (request.apiStyle ?? 'chat') {
    case 'chat':
      for await (const chunk of await openChatStream(client, request, signal)) yield chatChunkDelta(chunk);
      return;
    case 'responses':
      for await (const event of await openResponsesStream(client, request, signal)) {
        if (event.type === 'error') throw new RequestError({ kind: 'http', message: event.message, serverMessage: event.message });
        if (event.type === 'response.failed') {
          const message = event.response.error?.message ?? 'The response failed.';
          throw new RequestError({ kind: 'http', message, serverMessage: message });
        }
        yield responsesEventDelta(event);
      }
      return;
    case 'completions':
      for await (const chunk of await openCompletionsStream(client, request, signal)) yield completionChunkDelta(chunk);
      return;
  }
}

/**
 * Scores text with legacy Completions: `echo` returns the prompt's own tokens with their logprobs (the first has
 * none). One token is generated because some servers refuse `max_tokens: 0`; it lies past the text and is ignored.
 */
export async function scoreText(client: OpenAI, request: { readonly model: string; readonly prompt: string; readonly topLogprobs: number }, signal: AbortSignal): Promise<ChunkDelta> {
  try {
    const response = await client.completions.create({
      model: request.model, prompt: request.prompt, echo: true, max_tokens: 1, temperature: 0,
      logprobs: Math.min(COMPLETIONS_MAX_LOGPROBS, Math.max(0, request.topLogprobs)),
    }, { signal });
    if (!Array.isArray(response.choices)) throw new RequestError({ kind: 'empty-stream', message: 'No choices in the response.' });
    return completionChoiceDelta(response.choices[0]);
  } catch (error) {
    throw toRequestError(error, signal);
  }
}

/**
 * A chat request whose answer is not streamed and is returned whole, as the server sent it: for vLLM's prompt
 * scoring (`prompt_logprobs`, which vLLM refuses on a stream), whose fields the SDK does not know. `extraBody`
 * carries them (and `stream: false`); the caller reads the body with core/promptFiles/expected.ts.
 */
export async function scoreChatPrompt(client: OpenAI, request: { readonly model: string; readonly messages: readonly Message[]; readonly extraBody: Readonly<Record<string, unknown>> }, signal: AbortSignal): Promise<unknown> {
  try {
    return await client.chat.completions.create({
      model: request.model,
      messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
      ...request.extraBody,
      stream: false,
    }, { signal });
  } catch (error) {
    throw toRequestError(error, signal);
  }
}

function openResponsesStream(client: OpenAI, request: CompletionRequest, signal: AbortSignal) {
  const { sampling } = request;
  const instructions = request.messages.filter((message) => message.role === 'system').map((message) => message.content).join('\n\n');
  const turns = request.messages.filter((message) => message.role !== 'system');
  const only = turns.length === 1 && turns[0]!.role === 'user' ? turns[0]!.content : undefined;
  return client.responses.create({
    model: request.model,
    input: only ?? turns.map((message) => ({ role: message.role, content: message.content })),
    ...(instructions ? { instructions } : {}),
    stream: true,
    include: ['message.output_text.logprobs'],
    top_logprobs: request.topLogprobs,
    store: false,
    ...(sampling.temperature !== undefined ? { temperature: sampling.temperature } : {}),
    ...(sampling.topP !== undefined ? { top_p: sampling.topP } : {}),
    ...(sampling.maxTokens !== undefined ? { max_output_tokens: sampling.maxTokens } : {}),
    ...request.extraBody,
  }, { signal });
}

/** The sampling settings that are set, in the names Chat Completions and legacy Completions share. */
function samplingParams(sampling: Sampling) {
  return {
    ...(sampling.temperature !== undefined ? { temperature: sampling.temperature } : {}),
    ...(sampling.topP !== undefined ? { top_p: sampling.topP } : {}),
    ...(sampling.maxTokens !== undefined ? { max_tokens: sampling.maxTokens } : {}),
    ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
    ...(sampling.stop && sampling.stop.length > 0 ? { stop: [...sampling.stop] } : {}),
    ...(sampling.presencePenalty !== undefined ? { presence_penalty: sampling.presencePenalty } : {}),
    ...(sampling.frequencyPenalty !== undefined ? { frequency_penalty: sampling.frequencyPenalty } : {}),
  };
}

function openCompletionsStream(client: OpenAI, request: CompletionRequest, signal: AbortSignal) {
  return client.completions.create({
    model: request.model,
    prompt: completionsPrompt(request.messages),
    stream: true,
    logprobs: Math.min(COMPLETIONS_MAX_LOGPROBS, request.topLogprobs),
    ...samplingParams(request.sampling),
    ...request.extraBody,
  }, { signal });
}

/**
 * The messages in Chat Completions' shape. `prefix: true` (DeepSeek's and Mistral's prefix completion) is not in
 * the SDK's types: the SDK sends a message object as it is, so the field reaches the server.
 */
function chatMessages(request: CompletionRequest): OpenAI.Chat.ChatCompletionMessageParam[] {
  return request.messages.map((message) => (message.prefix
    ? { role: message.role, content: message.content, prefix: true } as OpenAI.Chat.ChatCompletionMessageParam
    : { role: message.role, content: message.content }));
}

/** A Chat Completions body with logprobs, streamed or not. */
function chatBody<S extends boolean>(request: CompletionRequest, stream: S) {
  return {
    model: request.model,
    messages: chatMessages(request),
    stream,
    logprobs: true,
    ...(request.topLogprobs > 0 ? { top_logprobs: request.topLogprobs } : {}),
    ...samplingParams(request.sampling),
    ...(request.returnTokenIds ? { return_token_ids: true } : {}),
    ...request.extraBody,
  };
}

function openChatStream(client: OpenAI, request: CompletionRequest, signal: AbortSignal) {
  return client.chat.completions.create(chatBody(request, true), { signal });
}

/**
 * One chat request answered as a whole, its body as the server sent it (fields the SDK does not know, such as
 * vLLM's `prompt_logprobs`, included): Check Endpoint's probes read what a stream does not carry.
 */
export async function requestChat(client: OpenAI, request: CompletionRequest, signal: AbortSignal): Promise<unknown> {
  try {
    return await client.chat.completions.create(chatBody(request, false), { signal });
  } catch (error) {
    throw toRequestError(error, signal);
  }
}

/** The choice indices the chunks of one streamed chat request carry (the `n` probe asks for two). */
export async function streamedChoiceIndices(client: OpenAI, request: CompletionRequest, signal: AbortSignal): Promise<Set<number>> {
  const indices = new Set<number>();
  try {
    for await (const chunk of await openChatStream(client, request, signal)) {
      const choices: unknown = (chunk as { choices?: unknown }).choices;
      if (!Array.isArray(choices)) continue;
      for (const choice of choices as unknown[]) {
        const index = (choice as { index?: unknown } | null)?.index;
        if (typeof index === 'number') indices.add(index);
      }
    }
  } catch (error) {
    throw toRequestError(error, signal);
  }
  return indices;
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date, in milliseconds. */
function retryAfter(headers: Headers | undefined): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds)) return milliseconds;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? date - Date.now() : undefined;
}
