import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { parseSseTranscript, providerFixtures, steeringFixtures, syntheticFixtures } from './fixtures';
import { answerPromptCase, PROMPT_CASES_MODEL } from './promptCaseAnswers';

/**
 * A small OpenAI-compatible server for tests, on 127.0.0.1 and a random port. It replays recorded real responses
 * (the provider fixtures) at a chosen pace: a stand-in for the network, not for any code of ours. The request's
 * `model` picks the recording: `openai-chat-stream-top5-llamastack` replays that fixture's `.sse.txt`.
 * Models named `fault:...` answer with a fault instead (see `FAULTS`).
 */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Record<string, unknown> | undefined;
}

export interface ReplayServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Milliseconds between two replayed events. */
  paceMs: number;
  /** Faults that answer differently the second time remember here that they were seen. */
  readonly faultsSeen: Set<string>;
  /** When set, replays this recording whatever model is asked for (the UI test switches answers this way). */
  transcriptOverride: string | undefined;
  /**
   * When set, names the recording for each request from its path and body, like a server that answers a forced
   * start or a banned token differently; `undefined` from it falls back to the model name.
   */
  chooseRecording: ((path: string, body: Record<string, unknown> | undefined) => string | undefined) | undefined;
  /** Where the model `fault:redirect` sends the client (a 307, which would re-send the body). */
  redirectTarget: string;
  /** Completion requests being answered now, and the most at once since the server started (or was reset). */
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

export interface ReplayServerOptions {
  readonly paceMs?: number;
}

type Fault = (response: http.ServerResponse) => void;

/**
 * What a hostile server writes in its errors (hand-written): a Markdown link to a command, a link to a site, a
 * bare `command:` URI with a zero-width space inside (removing it must not make a link), and a line break. The
 * models `fault:400-hostile`, `fault:hostile-error-event-after-N` and `fault:responses-hostile-error` send it.
 */
export const HOSTILE_SERVER_MESSAGE = 'Session expired.\n[Renew key](command:workbench.action.terminal.new) or [read more](https://attacker.example/renew) - comm\u200band:workbench.action.openSettings';
/** The answer of `fault:hostile-text-no-logprobs` (hand-written): a command link short enough to be quoted whole. */
export const HOSTILE_ANSWER = '[OK](command:workbench.action.quit)';

const jsonError = (status: number, message: string, code: string | null = null): Fault => (response) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } }));
};

const status = (code: number, body?: string, headers: http.OutgoingHttpHeaders = {}): Fault => (response) => {
  response.writeHead(code, { ...(body?.startsWith('<') ? { 'content-type': 'text/html' } : body ? { 'content-type': 'application/json' } : {}), ...headers });
  response.end(body ?? '');
};

/** Error answers, with the providers' real error messages where known (see wire-formats.md). */
export const FAULTS: Record<string, Fault> = {
  'fault:401-empty': status(401),
  'fault:403': jsonError(403, 'Project does not have access to this model.', 'model_not_allowed'),
  'fault:403-logprobs': jsonError(403, 'You are not allowed to request logprobs from this model', null),
  'fault:404-html': status(404, '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>'),
  'fault:400-vllm-max': jsonError(400, 'Requested sample logprobs of 21, which is greater than max allowed: 20', null),
  'fault:400-ollama-range': jsonError(400, 'top_logprobs must be between 0 and 20', null),
  'fault:400-groq': jsonError(400, '`logprobs` is not supported with this model', null),
  'fault:429-short': (response) => {
    response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
    response.end(JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }));
  },
  'fault:429-absurd': (response) => {
    response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '86400' });
    response.end(JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }));
  },
  'fault:502': status(502, '<html><body><h1>502 Bad Gateway</h1></body></html>'),
  'fault:503': jsonError(503, 'The engine is currently overloaded, please try again later'),
  'fault:401': jsonError(401, 'Incorrect API key provided: sk-test-*********************1234. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_api_key'),
  'fault:logprobs-unsupported': jsonError(400, "Unsupported parameter: 'logprobs' is not supported with this model.", 'unsupported_parameter'),
  'fault:context-too-long': jsonError(400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 210000 tokens.", 'context_length_exceeded'),
  'fault:500': jsonError(500, 'The server had an error while processing your request.'),
  // A hostile server: its 401 message holds a command link (the UI test checks that the notification shows no link).
  'fault:401-link': jsonError(401, 'Renew key: [Renew](command:workbench.action.terminal.new)', 'invalid_api_key'),
  'fault:400-hostile': jsonError(400, HOSTILE_SERVER_MESSAGE),
  // A server that ignores logprobs and answers with a command link (Check Endpoint quotes the text it got).
  'fault:hostile-text-no-logprobs': (response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(`data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: HOSTILE_ANSWER }, logprobs: null, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
  },
  // The top-5 recording, whole, after 2 s: longer than the shortest request timeout allowed (1 s).
  'fault:slow-start': (response) => {
    setTimeout(() => {
      if (response.destroyed) return;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(parseSseTranscript(fs.readFileSync(path.join(providerFixtures, 'openai-chat-stream-top5-llamastack.sse.txt'), 'utf8'))
        .map((event) => `data: ${event.data}\n\n`).join(''));
    }, 2000);
  },
  'fault:html': (response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><html><body>Welcome to nginx!</body></html>');
  },
};

export async function startReplayServer(options: ReplayServerOptions = {}): Promise<ReplayServer> {
  const requests: RecordedRequest[] = [];
  const dirs = [providerFixtures, syntheticFixtures, steeringFixtures];
  const sockets = new Set<Socket>();
  /** The recording a model name stands for: an SSE transcript, or a JSON body (unwrapped from a cassette). */
  const recordingFor = (model: string): { sse: string } | { json: unknown } | undefined => {
    if (!/^[\w.-]+$/.test(model)) return undefined;
    for (const dir of dirs) {
      const sse = path.join(dir, `${model}.sse.txt`);
      if (fs.existsSync(sse)) return { sse: fs.readFileSync(sse, 'utf8') };
      const json = path.join(dir, `${model}.json`);
      if (fs.existsSync(json)) {
        const body = JSON.parse(fs.readFileSync(json, 'utf8')) as Record<string, unknown>;
        return { json: '_source' in body && typeof body.response === 'object' ? body.response : body };
      }
    }
    return undefined;
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        body = raw ? JSON.parse(raw) as Record<string, unknown> : undefined;
      } catch {
        body = undefined;
      }
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: request.method ?? '', path: url.pathname, headers: request.headers, body });
      if (request.method === 'GET' && url.pathname.endsWith('/models')) {
        const models = dirs.flatMap((dir) => fs.readdirSync(dir))
          .filter((name) => !name.includes('.meta.') && /\.(?:sse\.txt|json)$/.test(name))
          .map((name) => name.replace(/\.(?:sse\.txt|json)$/, ''));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'replay' })) }));
        return;
      }
      if (request.method !== 'POST' || !/\/(?:chat\/completions|completions|responses)$/.test(url.pathname)) {
        jsonError(404, `No route ${request.method ?? ''} ${url.pathname}`)(response);
        return;
      }
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      response.on('close', () => state.inFlight--);
      const model = state.transcriptOverride ?? state.chooseRecording?.(url.pathname, body) ?? (typeof body?.model === 'string' ? body.model : '');
      if (model === PROMPT_CASES_MODEL) {
        answerPromptCase(url.pathname, body, response, (events) => replayEvents(response, events, 'end'));
        return;
      }
      if (model === 'fault:redirect') {
        response.writeHead(307, { location: `${state.redirectTarget}/chat/completions` });
        response.end();
        return;
      }
      // `fault:429-short` answers 429 (retry-after: 1) once per server, then the recording: a retry succeeds.
      if (model === 'fault:429-then-ok' || model === 'fault:503-then-ok') {
        const first = !state.faultsSeen.has(model);
        state.faultsSeen.add(model);
        if (first) {
          const code = model === 'fault:429-then-ok' ? 429 : 503;
          response.writeHead(code, { 'content-type': 'application/json', 'retry-after': '1' });
          response.end(JSON.stringify({ error: { message: code === 429 ? 'Rate limit reached for requests' : 'The engine is currently overloaded' } }));
          return;
        }
        replay(response, readRecording('openai-chat-stream-top5-llamastack'));
        return;
      }
      if (model === 'fault:responses-hostile-error') {
        replayEvents(response, responsesErrorAfterThreeDeltas(readRecording('openai-responses-logprobs-stream')), 'end');
        return;
      }
      const endless = STREAMING_FAULTS[model];
      if (endless) {
        endless(response);
        return;
      }
      const fault = FAULTS[model];
      if (fault) {
        fault(response);
        return;
      }
      const faulty = faultyStream(model, readRecording('openai-chat-stream-top5-llamastack'));
      if (faulty) {
        replayEvents(response, faulty.events, faulty.end);
        return;
      }
      const recording = recordingFor(model);
      if (!recording) {
        jsonError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'model_not_found')(response);
        return;
      }
      if ('sse' in recording) {
        replay(response, recording.sse);
      } else if (body?.stream === true) {
        // A recorded whole body, served as the one-event stream a server would send for it.
        replay(response, `data: ${JSON.stringify(recording.json)}\n\ndata: [DONE]\n\n`);
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(recording.json));
      }
    });
  });

  const state: ReplayServer = {
    baseUrl: '',
    requests,
    paceMs: options.paceMs ?? 0,
    redirectTarget: 'http://127.0.0.1:9/v1',
    transcriptOverride: undefined,
    chooseRecording: undefined,
    faultsSeen: new Set<string>(),
    inFlight: 0,
    maxInFlight: 0,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };

  function readRecording(model: string): string {
    return fs.readFileSync(path.join(providerFixtures, `${model}.sse.txt`), 'utf8');
  }

  function replay(response: http.ServerResponse, transcript: string): void {
    const events = parseSseTranscript(transcript).map((event) => `${event.event ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`);
    replayEvents(response, events, 'end');
  }

  /** Writes raw SSE events at the server's pace, then ends, resets the connection, or falls silent. */
  function replayEvents(response: http.ServerResponse, events: readonly string[], end: StreamEnd, paceMs = state.paceMs): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    response.flushHeaders();
    let next = 0;
    let closed = false;
    response.on('close', () => { closed = true; });
    const send = (): void => {
      if (closed) return;
      if (next >= events.length) {
        if (end === 'end') response.end();
        else if (end === 'reset') response.socket?.destroy();
        return; // 'silence': headers sent, nothing more, until the client gives up
      }
      response.write(events[next++]!);
      // A server ends the response with its last event, not one pace later (in-flight counts depend on it).
      if (next >= events.length && end === 'end') response.end();
      else if (paceMs > 0) setTimeout(send, paceMs);
      else setImmediate(send);
    };
    send();
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { baseUrl: `http://127.0.0.1:${port}/v1` });
}

type StreamEnd = 'end' | 'reset' | 'silence';

const chunk = (content: string, logprob: number): string => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null,
  logprobs: { content: [{ token: content, logprob, bytes: [...Buffer.from(content)], top_logprobs: [] }] } }] })}\n\n`;

/**
 * Hostile streams that never end by themselves: `fault:huge-line` (one event of 20 MB, written 1 MB at a time),
 * `fault:keepalive-forever` (three tokens, then an empty chunk every 100 ms), `fault:endless` (tokens as fast as
 * the socket takes them). Each stops when the client closes the connection.
 */
const STREAMING_FAULTS: Record<string, (response: http.ServerResponse) => void> = {
  'fault:huge-line': (response) => writeUntilClosed(response, (sent) => (sent === 0 ? 'data: {"choices":[{"index":0,"delta":{"content":"' : sent < 20 ? 'x'.repeat(1 << 20) : undefined), 0),
  'fault:keepalive-forever': (response) => writeUntilClosed(response, (sent) => (sent < 3 ? chunk(['One', ' two', ' three'][sent]!, -0.5) : 'data: {"object":"chat.completion.chunk","choices":[]}\n\n'), 100),
  'fault:endless': (response) => writeUntilClosed(response, (sent) => chunk(sent % 2 === 0 ? ' word' : ',', -1), 0),
};

/** Writes `next(n)` for n = 0, 1, ... every `paceMs` until it returns undefined (then ends) or the client leaves. */
function writeUntilClosed(response: http.ServerResponse, next: (sent: number) => string | undefined, paceMs: number): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let sent = 0;
  let closed = false;
  response.on('close', () => { closed = true; });
  const write = (): void => {
    if (closed) return;
    const text = next(sent++);
    if (text === undefined) {
      response.end();
      return;
    }
    // Waits for the socket to drain, so a fast writer does not pile up memory in the server.
    const drained = response.write(text);
    if (!drained) response.once('drain', () => setTimeout(write, paceMs));
    else setTimeout(write, paceMs);
  };
  write();
}

/**
 * Streams that go wrong, derived from a real recording (the top-5 chat stream): `fault:reset-after-3` (socket
 * reset after three events), `fault:no-finish`, `fault:silence-after-3`, `fault:bad-json-after-3` (a chunk with
 * `-Infinity`), `fault:error-event-after-3`, `fault:hostile-error-event-after-3` (the same with
 * `HOSTILE_SERVER_MESSAGE`), `fault:empty-choices`, `fault:length`, `fault:content-filter`, `fault:tiny-chunks`
 * (10,000 one-character chunks) and `fault:huge-chunk` (one chunk of 200,000 characters).
 */
export function faultyStream(model: string, transcript: string): { events: string[]; end: StreamEnd } | undefined {
  const match = /^fault:([a-z-]+?)(?:-after-(\d+))?$/.exec(model);
  if (!match) return undefined;
  const [, kind, after] = match;
  const n = Number(after ?? 3);
  const raw = parseSseTranscript(transcript).map((event) => event.data);
  const chunks = raw.filter((data) => data !== '[DONE]');
  const sse = (data: string): string => `data: ${data}\n\n`;
  const isFinish = (data: string): boolean => /"finish_reason": ?"/.test(data);
  switch (kind) {
    case 'reset':
      return { events: chunks.slice(0, n).map(sse), end: 'reset' };
    case 'silence':
      return { events: chunks.slice(0, n).map(sse), end: 'silence' };
    case 'no-finish':
      return { events: chunks.filter((data) => !isFinish(data)).map(sse), end: 'end' };
    case 'bad-json':
      return { events: [...chunks.slice(0, n).map(sse), sse('{"choices":[{"index":0,"delta":{"content":" x"},"logprobs":{"content":[{"token":" x","logprob":-Infinity}]}}]}')], end: 'end' };
    case 'error-event':
      return { events: [...chunks.slice(0, n).map(sse), sse('{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}')], end: 'end' };
    case 'hostile-error-event':
      return { events: [...chunks.slice(0, n).map(sse), sse(JSON.stringify({ error: { message: HOSTILE_SERVER_MESSAGE, type: 'server_error' } }))], end: 'end' };
    case 'empty-choices': {
      const noise = [sse('{"id":"x","object":"chat.completion.chunk","choices":[]}'), sse('{"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"finish_reason":null}]}'),
        sse('{"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":null},"logprobs":null,"finish_reason":null}]}')];
      return { events: [...chunks.flatMap((data) => [...noise, sse(data)]), sse('[DONE]')], end: 'end' };
    }
    case 'length':
    case 'content-filter': {
      const reason = kind === 'length' ? 'length' : 'content_filter';
      return { events: [...chunks.map((data) => sse(isFinish(data) ? data.replace(/"finish_reason": ?"stop"/, `"finish_reason": "${reason}"`) : data)), sse('[DONE]')], end: 'end' };
    }
    case 'tiny-chunks': {
      const events: string[] = [];
      for (let i = 0; i < 10_000; i++) {
        const token = String.fromCharCode(97 + (i % 26));
        events.push(sse(JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: token }, finish_reason: null,
          logprobs: { content: [{ token, logprob: -(i % 7) / 3, bytes: [token.charCodeAt(0)], top_logprobs: [] }] } }] })));
      }
      events.push(sse(JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }] })), sse('[DONE]'));
      return { events, end: 'end' };
    }
    case 'huge-chunk': {
      const tokens = Array.from({ length: 40_000 }, (_, i) => ['word', ' ', 'text', '.\n'][i % 4]!);
      const content = tokens.join('');
      return {
        events: [sse(JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: 'stop',
          logprobs: { content: tokens.map((token, i) => ({ token, logprob: -(i % 5) / 2, bytes: [...Buffer.from(token)], top_logprobs: [] })) } }] })), sse('[DONE]')],
        end: 'end',
      };
    }
    default:
      return undefined;
  }
}

/**
 * The Responses recording cut after its third `response.output_text.delta` ("The capital of"), then an `error`
 * event carrying `HOSTILE_SERVER_MESSAGE`, shaped as the SDK's `ResponseErrorEvent` (openai-node 7.57
 * resources/responses/responses.d.ts: type, code, message, param, sequence_number) and named `event: error`.
 */
function responsesErrorAfterThreeDeltas(transcript: string): string[] {
  const events = parseSseTranscript(transcript);
  const third = events.flatMap((event, i) => (event.event === 'response.output_text.delta' ? [i] : []))[2]!;
  const error = { type: 'error', code: 'server_error', message: HOSTILE_SERVER_MESSAGE, param: null, sequence_number: third + 1 };
  return [...events.slice(0, third + 1), { event: 'error', data: JSON.stringify(error) }].map((event) => `event: ${event.event ?? 'message'}\ndata: ${event.data}\n\n`);
}
