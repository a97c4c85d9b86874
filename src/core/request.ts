/**
 * The request contract: what the extension asks of an endpoint, and how a request can fail. The client
 * (src/client, the only code that touches the `openai` SDK) implements it; adapters and the core speak only these
 * types, so nothing depends on SDK class names, which do not survive minification.
 */

/** Which API an endpoint is asked through. */
export type ApiStyle = 'chat' | 'responses' | 'completions';

/** Where a request goes and how it authenticates. */
export interface EndpointOptions {
  /** Base URL without a trailing slash, e.g. `http://localhost:11434/v1`. */
  readonly baseUrl: string;
  /** `undefined` for local servers that need no key: no Authorization header is sent then. */
  readonly apiKey: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** How long to wait for the server to start answering. */
  readonly timeoutMs: number;
  /** Azure OpenAI's classic deployment URLs (`/openai/deployments/<name>/...?api-version=`). */
  readonly azure?: { readonly deployment: string; readonly apiVersion: string } | undefined;
}

/** Sampling settings; an unset one leaves the server's default. */
export interface Sampling {
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly maxTokens?: number | undefined;
  readonly seed?: number | undefined;
  readonly stop?: readonly string[] | undefined;
  readonly presencePenalty?: number | undefined;
  readonly frequencyPenalty?: number | undefined;
}

export type Role = 'system' | 'user' | 'assistant';

export interface Message {
  readonly role: Role;
  readonly content: string;
  /**
   * On a final assistant message: DeepSeek's and Mistral's "prefix completion", which makes the server continue
   * this text as the start of its answer (a branch's forced start: see steering.ts). Not an OpenAI field.
   */
  readonly prefix?: true;
}

/** One generation request with logprobs. */
export interface CompletionRequest {
  readonly apiStyle: ApiStyle;
  readonly model: string;
  /** The conversation. Legacy Completions send it as one text prompt (`completionsPrompt`). */
  readonly messages: readonly Message[];
  /** Alternatives per token (`top_logprobs`). */
  readonly topLogprobs: number;
  readonly sampling: Sampling;
  /** Backend-specific body fields (vLLM's `continue_final_message`, `top_k`, `logit_bias`, ...), sent as they are. */
  readonly extraBody?: Readonly<Record<string, unknown>> | undefined;
  /**
   * Ask vLLM for the sampled tokens' ids (`return_token_ids`, chat only). Set from the endpoint's capabilities
   * (steering.ts `withTokenIds`) and not part of a recorded run: like `logprobs: true`, it is how the answer is
   * read, not what the model is asked, so a re-run on another endpoint never carries it there.
   */
  readonly returnTokenIds?: boolean | undefined;
}

/** The messages of a prompt selected in the editor, with the optional system prompt first. */
export function promptMessages(prompt: string, systemPrompt: string | undefined): Message[] {
  return systemPrompt ? [{ role: 'system', content: systemPrompt }, { role: 'user', content: prompt }] : [{ role: 'user', content: prompt }];
}

/**
 * A conversation as one raw prompt for legacy Completions, which have no roles: the messages' texts in order,
 * separated by a blank line. A final assistant message is the forced start of the answer (a branch's prefix), and
 * an answer begins right after its prompt: it follows the rest with no separator, so that
 * `completionsPrompt([...messages, assistant]) === completionsPrompt(messages) + assistant.content`.
 */
export function completionsPrompt(messages: readonly Message[]): string {
  const last = messages.at(-1);
  if (last?.role === 'assistant' && messages.length > 1) return completionsPrompt(messages.slice(0, -1)) + last.content;
  return messages.map((message) => message.content).join('\n\n');
}

/** How a request failed, as the client reports it. */
export type RequestErrorKind =
  /** The user (or a stop: Undo, tab closed) aborted it. */
  | 'aborted'
  /** Headers arrived, then nothing for longer than the idle timeout. */
  | 'idle-timeout'
  /** The server did not start answering within the request timeout. */
  | 'connect-timeout'
  /** No connection: refused, unknown host, a redirect (refused on purpose), TLS. */
  | 'connection-failed'
  /** The connection was cut while the answer streamed. */
  | 'connection-lost'
  /** An HTTP error status; `status` and `serverMessage` say more. */
  | 'http'
  /** The body was not valid JSON (some servers write -Infinity or NaN). */
  | 'invalid-json'
  /** A 200 that was not an event stream of the expected kind. */
  | 'empty-stream'
  /** The answer or one of its events passed a size or time limit. */
  | 'limit'
  | 'other';

/** The fields of a request error that messages are made from. */
export interface RequestErrorInfo {
  readonly kind: RequestErrorKind;
  readonly message: string;
  readonly status?: number | undefined;
  /** What the server said (`error.message` of its JSON body), untrusted. */
  readonly serverMessage?: string | undefined;
  /** The innermost cause's code (`ECONNREFUSED`) and message (undici's "unexpected redirect"). */
  readonly causeCode?: string | undefined;
  readonly causeMessage?: string | undefined;
  /** What the server's `retry-after` (or `retry-after-ms`) asked for. */
  readonly retryAfterMs?: number | undefined;
  /** For `limit`: which limit, and its value. */
  readonly limit?: RequestLimit | undefined;
}

/** A bound on one answer: its characters, tokens and duration (ms), one event's size and a body's size (bytes). */
export interface RequestLimit {
  readonly what: 'characters' | 'tokens' | 'duration' | 'event-size' | 'body-size';
  readonly value: number;
}

const KINDS: ReadonlySet<string> = new Set<RequestErrorKind>(['aborted', 'idle-timeout', 'connect-timeout', 'connection-failed', 'connection-lost', 'http', 'invalid-json', 'empty-stream', 'limit', 'other']);

export function isRequestErrorInfo(value: unknown): value is RequestErrorInfo {
  const candidate = value as { kind?: unknown; message?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.kind === 'string' && KINDS.has(candidate.kind)
    && typeof candidate.message === 'string';
}
