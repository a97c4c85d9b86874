import OpenAI, { AzureOpenAI } from 'openai';
import type { ChunkDelta } from '../core/chatChunk';
import { chatChunkDelta } from '../core/chatChunk';
import type { CompletionRequest, EndpointOptions, RequestErrorInfo, RequestErrorKind, Sampling } from '../core/request';
import { completionsPrompt } from '../core/request';
import { completionChoiceDelta, completionChunkDelta, responsesEventDelta } from '../core/wireFormats';


/** The most alternatives legacy Completions return (`logprobs` is capped at 5). */
export const COMPLETIONS_MAX_LOGPROBS = 5;

/**
 * An SDK client bound to one endpoint. `baseURL`, `apiKey` and the log level are explicit so that
 * OPENAI_BASE_URL / OPENAI_LOG in the environment change nothing; redirects are refused (a redirect would
 * re-send the prompt and the key to another host); retries only happen before any text arrives.
 */
export function createClient(endpoint: EndpointOptions): OpenAI {
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
export async function* streamChat(client: OpenAI, request: CompletionRequest, signal: AbortSignal, options: StreamOptions = {}): AsyncGenerator<ChunkDelta> {
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
      if (idle) throw idleError(idleTimeoutMs);
      const failure = toRequestError(error, signal);
      const wait = chunks === 0 ? retryDelayMs(failure, attempt) : undefined;
      if (wait === undefined) throw failure;
      options.onRetry?.(wait, failure);
      await sleep(wait, signal);
      continue;
    } finally {
      signal.removeEventListener('abort', forward);
    }
    if (idle) throw idleError(idleTimeoutMs);
    if (signal.aborted) throw abortError();
    if (chunks === 0) throw new RequestError({ kind: 'empty-stream', message: 'The server sent no chat completion chunks.' });
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

  constructor(info: RequestErrorInfo) {
    super(info.message);
    this.name = 'RequestError';
    this.kind = info.kind;
    this.status = info.status;
    this.serverMessage = info.serverMessage;
    this.causeCode = info.causeCode;
    this.causeMessage = info.causeMessage;
    this.retryAfterMs = info.retryAfterMs;
  }
}

function toRequestError(error: unknown, signal: AbortSignal): RequestError {
  if (error instanceof RequestError) return error;
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

function openChatStream(client: OpenAI, request: CompletionRequest, signal: AbortSignal) {
  return client.chat.completions.create({
    model: request.model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    stream: true,
    logprobs: true,
    ...(request.topLogprobs > 0 ? { top_logprobs: request.topLogprobs } : {}),
    ...samplingParams(request.sampling),
    ...request.extraBody,
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
