import OpenAI from 'openai';
import type { ChunkDelta } from '../core/chatChunk';
import { chatChunkDelta } from '../core/chatChunk';

export interface Endpoint {
  readonly baseUrl: string;
  /** `undefined` for local servers that need no key: no Authorization header is sent then. */
  readonly apiKey: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
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
  return new OpenAI({
    baseURL: endpoint.baseUrl,
    apiKey: endpoint.apiKey ?? 'no-key',
    defaultHeaders: endpoint.apiKey === undefined ? { ...endpoint.headers, Authorization: null } : { ...endpoint.headers },
    timeout: endpoint.timeoutMs,
    maxRetries: 1,
    logLevel: 'off',
    fetchOptions: { redirect: 'error' },
  });
}

/**
 * Streams one chat completion with logprobs, yielding what each chunk adds. Abort with `signal`. Errors are
 * rethrown as `RequestError`s: the SDK's class names do not survive minification, its abort ends a stream
 * silently, and a 200 that is not an event stream yields nothing at all.
 */
export async function* streamChat(client: OpenAI, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChunkDelta> {
  let chunks = 0;
  try {
    for await (const chunk of await openChatStream(client, request, signal)) {
      chunks++;
      yield chatChunkDelta(chunk);
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
