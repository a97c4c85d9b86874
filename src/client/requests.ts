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
    maxRetries: 1,
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
export async function* streamChat(client: OpenAI, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChunkDelta> {
  let chunks = 0;
  try {
    for await (const delta of openStream(client, request, signal)) {
      chunks++;
      yield delta;
    }
  } catch (error) {
    throw toRequestError(error, signal);
  }
  if (signal.aborted) throw new RequestError('APIUserAbortError', 'Request was aborted.');
  if (chunks === 0) throw new RequestError('EmptyStream', 'The server sent no chat completion chunks.');
}

/** An SDK error reduced to the fields `describeFailure` reads, with a stable `name`. */
export class RequestError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status?: number,
    readonly error?: { readonly message?: string },
    override readonly cause?: { readonly code?: string; readonly message?: string },
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
    return new RequestError('APIError', error.message, error.status as number | undefined, { message });
  }
  if (error instanceof SyntaxError) return new RequestError('SyntaxError', error.message);
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

function openCompletionsStream(client: OpenAI, request: ChatRequest, signal: AbortSignal) {
  const { sampling } = request;
  return client.completions.create({
    model: request.model,
    // Legacy Completions have no system message: it goes before the prompt.
    prompt: request.systemPrompt ? `${request.systemPrompt}\n\n${request.prompt}` : request.prompt,
    stream: true,
    logprobs: Math.min(COMPLETIONS_MAX_LOGPROBS, request.topLogprobs),
    ...(sampling.temperature !== undefined ? { temperature: sampling.temperature } : {}),
    ...(sampling.topP !== undefined ? { top_p: sampling.topP } : {}),
    ...(sampling.maxTokens !== undefined ? { max_tokens: sampling.maxTokens } : {}),
    ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
    ...(sampling.stop && sampling.stop.length > 0 ? { stop: [...sampling.stop] } : {}),
    ...(sampling.presencePenalty !== undefined ? { presence_penalty: sampling.presencePenalty } : {}),
    ...(sampling.frequencyPenalty !== undefined ? { frequency_penalty: sampling.frequencyPenalty } : {}),
  }, { signal });
}

function openChatStream(client: OpenAI, request: ChatRequest, signal: AbortSignal) {
  const { sampling } = request;
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
  if (request.systemPrompt) messages.push({ role: 'system', content: request.systemPrompt });
  messages.push({ role: 'user', content: request.prompt });
  return client.chat.completions.create({
    model: request.model,
    messages,
    stream: true,
    logprobs: true,
    ...(request.topLogprobs > 0 ? { top_logprobs: request.topLogprobs } : {}),
    ...(sampling.temperature !== undefined ? { temperature: sampling.temperature } : {}),
    ...(sampling.topP !== undefined ? { top_p: sampling.topP } : {}),
    ...(sampling.maxTokens !== undefined ? { max_tokens: sampling.maxTokens } : {}),
    ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
    ...(sampling.stop && sampling.stop.length > 0 ? { stop: [...sampling.stop] } : {}),
    ...(sampling.presencePenalty !== undefined ? { presence_penalty: sampling.presencePenalty } : {}),
    ...(sampling.frequencyPenalty !== undefined ? { frequency_penalty: sampling.frequencyPenalty } : {}),
  }, { signal });
}
