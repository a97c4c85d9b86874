import type { RequestErrorInfo } from './request';
import { isRequestErrorInfo } from './request';

/** What went wrong with a request, in the user's words, and what to do about it. */
export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
}

export type FailureKind =
  | 'cancelled' | 'key-rejected' | 'model-not-found' | 'no-logprobs' | 'context-too-long' | 'rate-limited'
  | 'server-error' | 'connection-refused' | 'connection-lost' | 'timeout' | 'not-openai' | 'bad-request' | 'limit' | 'other';

export interface FailureContext {
  readonly host: string;
  readonly model: string;
  readonly hasKey: boolean;
  /** Secrets that must never appear in a message (the API key). */
  readonly secrets: readonly string[];
}

const LOGPROBS_REFUSED = /logprobs|top_logprobs/i;
const CONTEXT_TOO_LONG = /context.length|maximum context|too many tokens|context window|prompt is too long|exceeds the (?:maximum|context)/i;

/** Classifies a failed request into a message that says what happened and what to do. */
export function describeFailure(error: unknown, context: FailureContext): Failure {
  const info: RequestErrorInfo = isRequestErrorInfo(error) ? error
    : { kind: isAbort(error) ? 'aborted' : 'other', message: error instanceof Error ? error.message : String(error) };
  const failure = classify(info, context);
  return { kind: failure.kind, message: redact(failure.message, context.secrets) };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function classify(error: RequestErrorInfo, { host, model, hasKey }: FailureContext): Failure {
  switch (error.kind) {
    case 'aborted':
      return { kind: 'cancelled', message: 'Cancelled.' };
    case 'connection-lost':
      return { kind: 'connection-lost', message: `The connection to ${host} was cut in the middle of the answer.` };
    case 'idle-timeout':
      return { kind: 'timeout', message: `${host} stopped sending in the middle of the answer (${error.message.replace(/\.$/, '')}).` };
    case 'connect-timeout':
      return { kind: 'timeout', message: `${host} did not answer in time. Check that the server is up, or raise logprobLens.requestTimeoutSeconds.` };
    case 'limit':
      return { kind: 'limit', message: limitMessage(error, host) };
    case 'empty-stream':
      return { kind: 'not-openai', message: `${host} answered without a chat completion stream. Check that logprobLens.baseUrl points at an OpenAI-compatible API, usually ending in /v1.` };
    case 'invalid-json':
      return { kind: 'not-openai', message: `${host} sent data that is not valid JSON (${error.message.slice(0, 80)}). Some servers write -Infinity or NaN for logprobs; if the whole answer is unreadable, check that logprobLens.baseUrl points at the API, usually ending in /v1.` };
    case 'connection-failed':
      return connectionFailure(error, host);
    case 'http':
      return httpFailure(error, { host, model, hasKey });
    case 'other':
      return { kind: 'other', message: `The request to ${host} failed: ${error.message || 'unknown error'}` };
  }
}

function limitMessage({ limit, message }: RequestErrorInfo, host: string): string {
  const mb = (bytes: number): string => `${Math.round(bytes / (1024 * 1024))} MB`;
  switch (limit?.what) {
    case 'characters': return `${host} sent more than logprobLens.maxAnswerCharacters allows (${limit.value} characters); the rest of the answer was not read.`;
    case 'tokens': return `${host} sent more than logprobLens.maxAnswerTokens allows (${limit.value} tokens); the rest of the answer was not read.`;
    case 'duration': return `The request to ${host} took longer than logprobLens.maxRequestSeconds allows (${Math.round(limit.value / 1000)} s), so it was stopped.`;
    case 'event-size': return `${host} sent one event larger than ${mb(limit.value)}, which is no answer a model writes; the request was stopped.`;
    case 'body-size': return `${host} sent a response larger than ${mb(limit.value)}; the request was stopped.`;
    default: return `${host} sent more than Logprob Lens accepts (${message}).`;
  }
}

function connectionFailure(error: RequestErrorInfo, host: string): Failure {
  if (/redirect/i.test(error.causeMessage ?? '')) {
    return { kind: 'connection-refused', message: `${host} answered with a redirect, which Logprob Lens does not follow (it would send your prompt and key to another address). Put the final URL in logprobLens.baseUrl.` };
  }
  switch (error.causeCode) {
    case 'ECONNREFUSED':
      return { kind: 'connection-refused', message: `Could not connect to ${host}: connection refused. Is the server running, and is logprobLens.baseUrl right?` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'connection-refused', message: `Could not find the host ${host}. Check logprobLens.baseUrl and your network.` };
    default:
      return { kind: 'connection-refused', message: `Could not reach ${host}${error.causeCode ? ` (${error.causeCode})` : ''}. Check logprobLens.baseUrl and your network.` };
  }
}

function httpFailure(error: RequestErrorInfo, { host, model, hasKey }: Omit<FailureContext, 'secrets'>): Failure {
  const serverSays = serverMessage(error);
  const said = serverSays ? ` The server said: “${serverSays}”` : '';
  if (error.status === undefined) return { kind: 'server-error', message: `${host} stopped the answer with an error.${said}` };
  const { status } = error;
  if (status === 401 || (status === 403 && !LOGPROBS_REFUSED.test(serverSays))) {
    return {
      kind: 'key-rejected',
      message: hasKey
        ? `${host} rejected the API key (${status}). Run “Logprob Lens: Set API Key” to enter a valid key for this host.${said}`
        : `${host} needs an API key (${status}). Run “Logprob Lens: Set API Key”.${said}`,
    };
  }
  if (status === 404) {
    return { kind: 'model-not-found', message: `Model “${model}” was not found at ${host} (404). Check logprobLens.model and logprobLens.baseUrl (it usually ends in /v1).${said}` };
  }
  if ((status === 400 || status === 403 || status === 422) && LOGPROBS_REFUSED.test(serverSays)) {
    return { kind: 'no-logprobs', message: `Model “${model}” at ${host} does not return logprobs with these settings (${status}). Try fewer alternatives (logprobLens.topLogprobs) or a model that supports logprobs.${said}` };
  }
  if (status >= 400 && CONTEXT_TOO_LONG.test(serverSays)) {
    return { kind: 'context-too-long', message: `The prompt is too long for “${model}” (${status}). Select less text or lower logprobLens.maxTokens.${said}` };
  }
  if (status === 429) {
    const wait = error.retryAfterMs !== undefined && error.retryAfterMs > 0 ? ` and asks to wait ${formatWait(error.retryAfterMs)}` : '';
    return { kind: 'rate-limited', message: `${host} is rate-limiting requests (429)${wait}. Try again later.${said}` };
  }
  if (status >= 500) return { kind: 'server-error', message: `${host} had an internal error (${status}). Try again later.${said}` };
  return { kind: 'bad-request', message: `${host} refused the request (${status}).${said}` };
}

function formatWait(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;
}

function serverMessage(error: RequestErrorInfo): string {
  const message = error.serverMessage ?? '';
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/** Removes secrets, and anything shaped like an API key, from a text that will be shown or logged. */
export function redact(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) if (secret.length >= 4) clean = clean.split(secret).join('***');
  return clean.replace(/\b(sk|rk|gsk|xai|pk)-[A-Za-z0-9_*-]{8,}/g, '$1-***');
}
