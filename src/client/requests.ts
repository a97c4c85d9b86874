import OpenAI, { AzureOpenAI } from 'openai';
import type { ChunkDelta } from '../core/chatChunk';
import { chatChunkDelta } from '../core/chatChunk';
import { completionChoiceDelta, completionChunkDelta, responsesEventDelta } from '../core/wireFormats';

import type { ApiStyle } from '../core/presets';

/** The most alternatives legacy Completions return (`logprobs` is capped at 5). */
export const COMPLETIONS_MAX_LOGPROBS = 5;

export interface Endpoint {
  readonly baseUrl: string;
  /** `undefined` for local servers that need no key: no Authorization header is sent then. */
  readonly apiKey: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Azure OpenAI's classic deployment URLs (`/openai/deployments/<name>/...?api-version=`). */
  readonly azure?: { readonly deployment: string; readonly apiVersion: string } | undefined;
}

export interface Sampling {
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly maxTokens?: number | undefined;
  readonly seed?: number | undefined;
  readonly stop?: readonly string[] | undefined;
  readonly presencePenalty?: number | undefined;
  readonly frequencyPenalty?: number | undefined;
}

export interface ChatRequest {
  readonly apiStyle?: ApiStyle;
  readonly model: string;
  readonly prompt: string;
  readonly systemPrompt?: string | undefined;
  readonly topLogprobs: number;
  readonly sampling: Sampling;
}

/**
 * An SDK client bound to one endpoint. `baseURL`, `apiKey` and the log level are explicit so that
 * OPENAI_BASE_URL / OPENAI_LOG in the environment change nothing; redirects are refused (a redirect would
 * re-send the prompt and the key to another host); retries only happen before any text arrives.
 */
export function createClient(endpoint: Endpoint): OpenAI {
  const options = {
    apiKey: endpoint.apiKey ?? 'no-key',
    defaultHeaders: endpoint.apiKey === undefined ? { ...endpoint.headers, Authorization: null } : { ...endpoint.headers },
    timeout: endpoint.timeoutMs,
    // Retries are ours (streamChat): bounded, cancellable at once, and never after text has arrived.
    maxRetries: 0,
    logLevel: 'off' as const,
    fetchOptions: { redirect: 'error' as const },
  };
  if (endpoint.azure) {
    return new AzureOpenAI({ ...options, endpoint: endpoint.baseUrl.replace(/\/openai(?:\/v1)?$/, ''), deployment: endpoint.azure.deployment, apiVersion: endpoint.azure.apiVersion });
  }
  return new OpenAI({ ...options, baseURL: endpoint.baseUrl });
}

/**
 * Streams one chat completion with logprobs, yielding what each chunk adds. Abort with `signal`. Errors are
 * rethrown as `RequestError`s: the SDK's class names do not survive minification, its abort ends a stream
 * silently, and a 200 that is not an event stream yields nothing at all.
 */
export async function* streamChat(client: OpenAI, request: ChatRequest, signal: AbortSignal, options: StreamOptions = {}): AsyncGenerator<ChunkDelta> {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    // Our own controller, so the watchdog can stop the SDK's read; the caller's signal stops it too.
    const controller = new AbortController();
    const forward = (): void => controller.abort();
    signal.addEventListener('abort', forward);
    let chunks = 0;
    let idle = false;
    try {
      const iterator = openStream(client, request, controller.signal)[Symbol.asyncIterator]();
      for (;;) {
        const timer = setTimeout(() => {
          idle = true;
          controller.abort();
        }, idleTimeoutMs);
        let next: IteratorResult<ChunkDelta>;
        try {
          next = await iterator.next();
        } finally {
          clearTimeout(timer);
        }
        if (next.done) break;
        chunks++;
        yield next.value;
      }
    } catch (error) {
      if (idle) throw new RequestError('IdleTimeout', `No data for ${Math.round(idleTimeoutMs / 1000)} s.`);
      const failure = toRequestError(error, signal);
      const wait = chunks === 0 ? retryDelayMs(failure, attempt) : undefined;
      if (wait === undefined) throw failure;
      options.onRetry?.(wait, failure);
      await sleep(wait, signal);
      continue;
    } finally {
      signal.removeEventListener('abort', forward);
    }
    if (idle) throw new RequestError('IdleTimeout', `No data for ${Math.round(idleTimeoutMs / 1000)} s.`);
    if (signal.aborted) throw new RequestError('APIUserAbortError', 'Request was aborted.');
    if (chunks === 0) throw new RequestError('EmptyStream', 'The server sent no chat completion chunks.');
    return;
  }
}

export interface StreamOptions {
  readonly idleTimeoutMs?: number | undefined;
  /** Told before each wait for a retry (429, 5xx, a dropped connection), with the wait and what failed. */
  readonly onRetry?: ((waitMs: number, failure: RequestError) => void) | undefined;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Retries before any text arrived; a server asking for a longer wait than this gets an error instead. */
const MAX_RETRIES = 2;
const MAX_RETRY_WAIT_MS = 20_000;

/** How long to wait before retrying, or undefined when this failure is not worth a retry. */
export function retryDelayMs(failure: RequestError, attempt: number): number | undefined {
  if (attempt >= MAX_RETRIES) return undefined;
  const retryable = failure.status === 429 || failure.status === 500 || failure.status === 502 || failure.status === 503
    || (failure.name === 'APIConnectionError' && failure.cause?.code !== 'ECONNREFUSED' && !/redirect/i.test(failure.cause?.message ?? ''));
  if (!retryable) return undefined;
  const asked = failure.retryAfterMs;
  if (asked !== undefined) return asked <= MAX_RETRY_WAIT_MS ? Math.max(0, asked) : undefined;
  return Math.min(MAX_RETRY_WAIT_MS, 500 * 2 ** attempt);
}

/** A wait that ends at once when the signal aborts (then it throws the abort). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new RequestError('APIUserAbortError', 'Request was aborted.'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RequestError('APIUserAbortError', 'Request was aborted.'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** An SDK error reduced to the fields `describeFailure` reads, with a stable `name`. */
export class RequestError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status?: number,
    readonly error?: { readonly message?: string },
    override readonly cause?: { readonly code?: string; readonly message?: string },
    /** What the server's `retry-after` (or `retry-after-ms`) asked for. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

function toRequestError(error: unknown, signal: AbortSignal): RequestError {
  if (error instanceof RequestError) return error;
  if (signal.aborted || error instanceof OpenAI.APIUserAbortError) return new RequestError('APIUserAbortError', 'Request was aborted.');
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new RequestError('APIConnectionTimeoutError', error.message);
  if (error instanceof OpenAI.APIConnectionError) return new RequestError('APIConnectionError', error.message, undefined, undefined, rootCause(error));
  if (error instanceof OpenAI.APIError) {
    const body = error.error as { message?: unknown } | undefined;
    const message = typeof body?.message === 'string' ? body.message : error.message;
    return new RequestError('APIError', error.message, error.status as number | undefined, { message }, undefined, retryAfter(error.headers as Headers | undefined));
  }
  if (error instanceof SyntaxError) return new RequestError('SyntaxError', error.message);
  // undici reports a connection cut while the body streams as a TypeError "terminated" (cause ECONNRESET or
  // UND_ERR_SOCKET); the SDK passes it through.
  const cause = rootCause(error);
  if (error instanceof TypeError && (error.message === 'terminated' || /ECONNRESET|UND_ERR_SOCKET|EPIPE/.test(cause.code ?? ''))) {
    return new RequestError('ConnectionLost', error.message, undefined, undefined, cause);
  }
  return new RequestError('Error', error instanceof Error ? error.message : String(error));
}

/** The innermost `cause` with a code or a message: ECONNREFUSED, or undici's "unexpected redirect". */
function rootCause(error: unknown): { code?: string; message?: string } {
  let found: { code?: string; message?: string } = {};
  let current: unknown = (error as { cause?: unknown }).cause;
  for (let depth = 0; current && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    found = { code: typeof code === 'string' ? code : found.code, message: typeof message === 'string' ? message : found.message };
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/** The deltas of one streamed answer in the request's API style. */
async function* openStream(client: OpenAI, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChunkDelta> {
  switch (request.apiStyle ?? 'chat') {
    case 'chat':
      for await (const chunk of await openChatStream(client, request, signal)) yield chatChunkDelta(chunk);
      return;
    case 'responses':
      for await (const event of await openResponsesStream(client, request, signal)) {
        if (event.type === 'error') throw new RequestError('APIError', event.message, undefined, { message: event.message });
        if (event.type === 'response.failed') {
          const message = event.response.error?.message ?? 'The response failed.';
          throw new RequestError('APIError', message, undefined, { message });
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
export async function scoreText(client: OpenAI, request: Pick<ChatRequest, 'model' | 'prompt' | 'topLogprobs'>, signal: AbortSignal): Promise<ChunkDelta> {
  try {
    const response = await client.completions.create({
      model: request.model, prompt: request.prompt, echo: true, max_tokens: 1, temperature: 0,
      logprobs: Math.min(COMPLETIONS_MAX_LOGPROBS, Math.max(0, request.topLogprobs)),
    }, { signal });
    if (!Array.isArray(response.choices)) throw new RequestError('EmptyStream', 'No choices in the response.');
    return completionChoiceDelta(response.choices[0]);
  } catch (error) {
    throw toRequestError(error, signal);
  }
}

function openResponsesStream(client: OpenAI, request: ChatRequest, signal: AbortSignal) {
  const { sampling } = request;
  return client.responses.create({
    model: request.model,
    input: request.prompt,
    ...(request.systemPrompt ? { instructions: request.systemPrompt } : {}),
    stream: true,
    include: ['message.output_text.logprobs'],
    top_logprobs: request.topLogprobs,
    store: false,
    ...(sampling.temperature !== undefined ? { temperature: sampling.temperature } : {}),
    ...(sampling.topP !== undefined ? { top_p: sampling.topP } : {}),
    ...(sampling.maxTokens !== undefined ? { max_output_tokens: sampling.maxTokens } : {}),
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

function openCompletionsStream(client: OpenAI, request: ChatRequest, signal: AbortSignal) {
  return client.completions.create({
    model: request.model,
    // Legacy Completions have no system message: it goes before the prompt.
    prompt: request.systemPrompt ? `${request.systemPrompt}\n\n${request.prompt}` : request.prompt,
    stream: true,
    logprobs: Math.min(COMPLETIONS_MAX_LOGPROBS, request.topLogprobs),
    ...samplingParams(request.sampling),
  }, { signal });
}

function openChatStream(client: OpenAI, request: ChatRequest, signal: AbortSignal) {
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
  if (request.systemPrompt) messages.push({ role: 'system', content: request.systemPrompt });
  messages.push({ role: 'user', content: request.prompt });
  return client.chat.completions.create({
    model: request.model,
    messages,
    stream: true,
    logprobs: true,
    ...(request.topLogprobs > 0 ? { top_logprobs: request.topLogprobs } : {}),
    ...samplingParams(request.sampling),
  }, { signal });
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
