import type { ChunkDelta } from './chatChunk';
import { chatChunkDelta, EMPTY_DELTA } from './chatChunk';
import type { Alternative, TokenEntry } from './logprob';

/**
 * Readers for every wire format that carries logprobs, each turning one event or response into what it adds to
 * the answer. Pure: the client feeds them the SDK's parsed objects, Open Logprobs Response feeds them saved JSON.
 */

type Json = Record<string, unknown>;

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asObject = (value: unknown): Json | undefined => (value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Json : undefined);
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Responses API stream event. Only `output_text.delta` carries full-precision logprobs (`done` events repeat them rounded). */
export function responsesEventDelta(event: unknown): ChunkDelta {
  const object = asObject(event);
  switch (object?.type) {
    case 'response.output_text.delta': {
      const tokens = asArray(object.logprobs) as TokenEntry[];
      return { text: asString(object.delta) ?? '', tokens, hasLogprobs: tokens.length > 0, finishReason: undefined };
    }
    case 'response.refusal.delta':
      return { text: asString(object.delta) ?? '', tokens: [], hasLogprobs: false, finishReason: undefined };
    case 'response.completed':
      return { ...EMPTY_DELTA, finishReason: 'stop' };
    case 'response.incomplete': {
      const reason = asString(asObject(asObject(object.response)?.incomplete_details)?.reason);
      return { ...EMPTY_DELTA, finishReason: reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content_filter' : 'incomplete' };
    }
    default:
      return EMPTY_DELTA;
  }
}

/** A whole (non-streamed) Responses API response: the text of its output messages and their logprobs. */
export function responsesResponseDeltas(response: unknown): ChunkDelta[] {
  const deltas: ChunkDelta[] = [];
  for (const item of asArray(asObject(response)?.output)) {
    for (const part of asArray(asObject(item)?.content)) {
      const content = asObject(part);
      if (content?.type !== 'output_text' && content?.type !== 'refusal') continue;
      const tokens = asArray(content.logprobs) as TokenEntry[];
      deltas.push({ text: asString(content.text) ?? asString(content.refusal) ?? '', tokens, hasLogprobs: tokens.length > 0, finishReason: undefined });
    }
  }
  const status = asString(asObject(response)?.status);
  if (deltas.length > 0) deltas.push({ ...EMPTY_DELTA, finishReason: status === 'incomplete' ? 'length' : 'stop' });
  return deltas;
}

/**
 * Legacy Completions choice (streamed chunk or whole response): parallel arrays `tokens`, `token_logprobs`, and
 * `top_logprobs` as `{token: logprob}` objects, which may omit the sampled token. `text_offset` is not used:
 * its unit is not documented, and placement comes from the aligner.
 */
export function completionChoiceDelta(choice: unknown): ChunkDelta {
  const object = asObject(choice);
  if (!object) return EMPTY_DELTA;
  const logprobs = asObject(object.logprobs);
  const tokens = asArray(logprobs?.tokens);
  const values = asArray(logprobs?.token_logprobs);
  const tops = asArray(logprobs?.top_logprobs);
  const entries: TokenEntry[] = tokens.map((token, i) => ({
    token: asString(token) ?? '',
    logprob: typeof values[i] === 'number' ? values[i] : null,
    top_logprobs: Object.entries(asObject(tops[i]) ?? {})
      .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
      .map(([token, logprob]): Alternative => ({ token, logprob })),
  }));
  return { text: asString(object.text) ?? '', tokens: entries, hasLogprobs: entries.length > 0, finishReason: asString(object.finish_reason) ?? undefined };
}

export function completionChunkDelta(chunk: unknown): ChunkDelta {
  const choice = asArray(asObject(chunk)?.choices).find((candidate) => (asObject(candidate)?.index ?? 0) === 0);
  return completionChoiceDelta(choice);
}

/** Ollama's native `/api/generate` and `/api/chat` chunks: a top-level `logprobs[]` in the OpenAI entry shape. */
export function ollamaChunkDelta(chunk: unknown): ChunkDelta {
  const object = asObject(chunk);
  if (!object) return EMPTY_DELTA;
  const text = asString(object.response) ?? asString(asObject(object.message)?.content) ?? '';
  const tokens = asArray(object.logprobs) as TokenEntry[];
  return { text, tokens, hasLogprobs: tokens.length > 0, finishReason: object.done === true ? asString(object.done_reason) ?? 'stop' : undefined };
}

/** The kinds of saved response Open Logprobs Response understands. */
export type LoggedFormat = 'chat' | 'chat-stream' | 'responses' | 'responses-stream' | 'completions' | 'completions-stream' | 'ollama';

export interface LoggedResponse {
  readonly format: LoggedFormat;
  readonly deltas: readonly ChunkDelta[];
}

/**
 * Reads a saved response: a Chat Completions, Responses or legacy Completions JSON body, or an SSE transcript
 * of any of them, or Ollama's native NDJSON. Wrappers that keep the body under `response` (test cassettes,
 * logging middleware) are unwrapped. Throws an Error saying what it expected when the text is none of these.
 */
export function parseLoggedResponse(text: string): LoggedResponse {
  const trimmed = text.trim();
  if (/^(?:data|event):/m.test(trimmed.split('\n', 20).join('\n')) && !trimmed.startsWith('{')) return parseSse(trimmed);
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch {
    const lines = trimmed.split(/\r?\n/).filter((line) => line.trim().length > 0);
    const chunks = lines.map((line) => { try { return JSON.parse(line) as unknown; } catch { return undefined; } });
    if (chunks.length > 0 && chunks.every((chunk) => asObject(chunk) && ('response' in asObject(chunk)! || 'message' in asObject(chunk)!) && 'done' in asObject(chunk)!)) {
      return { format: 'ollama', deltas: chunks.map(ollamaChunkDelta) };
    }
    throw new Error('This is neither JSON nor an SSE transcript (lines starting with “data:”).');
  }
  return parseBody(body);
}

function parseBody(body: unknown): LoggedResponse {
  const object = asObject(body);
  if (Array.isArray(body)) {
    // An array of stream chunks, as some loggers save them.
    const first = asObject(body[0]);
    if (first?.object === 'chat.completion.chunk') return { format: 'chat-stream', deltas: body.map((chunk) => chatChunkDelta(chunk as never)) };
    if (typeof first?.type === 'string') return { format: 'responses-stream', deltas: body.map(responsesEventDelta) };
  }
  if (!object) throw new Error('Expected a JSON object.');
  if (object.object === 'response' || (Array.isArray(object.output) && !('choices' in object))) {
    return { format: 'responses', deltas: responsesResponseDeltas(object) };
  }
  const choices = asArray(object.choices);
  if (choices.length > 0) {
    const choice = asObject(choices[0]);
    if (asObject(choice?.message)) {
      const message = asObject(choice!.message)!;
      const logprobs = asObject(choice!.logprobs);
      const content = asString(message.content);
      const tokens = asArray(content ? logprobs?.content : logprobs?.refusal ?? logprobs?.content) as TokenEntry[];
      return {
        format: 'chat',
        deltas: [{ text: content ?? asString(message.refusal) ?? '', tokens, hasLogprobs: tokens.length > 0, finishReason: asString(choice!.finish_reason) ?? 'stop' }],
      };
    }
    if (typeof choice?.text === 'string') return { format: 'completions', deltas: [completionChoiceDelta(choice)] };
  }
  if (asObject(object.response)) return parseBody(object.response);
  if ('response' in object && 'done' in object) return { format: 'ollama', deltas: [ollamaChunkDelta(object)] };
  throw new Error('This JSON is not a Chat Completions, Responses or Completions response (no “choices” or “output”).');
}

function parseSse(text: string): LoggedResponse {
  const events: unknown[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block.split(/\r?\n/).filter((line) => line.startsWith('data:')).map((line) => line.slice(5).replace(/^ /, '')).join('\n');
    if (!data || data === '[DONE]') continue;
    try {
      events.push(JSON.parse(data));
    } catch {
      throw new Error(`An SSE event is not valid JSON: ${data.slice(0, 80)}`);
    }
  }
  const first = asObject(events.find((event) => asObject(event)));
  if (typeof first?.type === 'string' && first.type.startsWith('response.')) return { format: 'responses-stream', deltas: events.map(responsesEventDelta) };
  if (first?.object === 'text_completion') return { format: 'completions-stream', deltas: events.map(completionChunkDelta) };
  return { format: 'chat-stream', deltas: events.map((event) => chatChunkDelta(event as never)) };
}
