import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { parseSseTranscript, providerFixtures, syntheticFixtures } from './fixtures';

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
  /** When set, replays this recording whatever model is asked for (the UI test switches answers this way). */
  transcriptOverride: string | undefined;
  /** Where the model `fault:redirect` sends the client (a 307, which would re-send the body). */
  redirectTarget: string;
  close(): Promise<void>;
}

export interface ReplayServerOptions {
  readonly paceMs?: number;
}

type Fault = (response: http.ServerResponse) => void;

const jsonError = (status: number, message: string, code: string | null = null): Fault => (response) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } }));
};

/** Recorded error bodies (wording from the providers' real messages, see wire-formats.md). */
export const FAULTS: Record<string, Fault> = {
  'fault:401': jsonError(401, 'Incorrect API key provided: sk-test-*********************1234. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_api_key'),
  'fault:logprobs-unsupported': jsonError(400, "Unsupported parameter: 'logprobs' is not supported with this model.", 'unsupported_parameter'),
  'fault:context-too-long': jsonError(400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 210000 tokens.", 'context_length_exceeded'),
  'fault:500': jsonError(500, 'The server had an error while processing your request.'),
  'fault:html': (response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><html><body>Welcome to nginx!</body></html>');
  },
};

export async function startReplayServer(options: ReplayServerOptions = {}): Promise<ReplayServer> {
  const requests: RecordedRequest[] = [];
  const dirs = [providerFixtures, syntheticFixtures];
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
      const model = state.transcriptOverride ?? (typeof body?.model === 'string' ? body.model : '');
      if (model === 'fault:redirect') {
        response.writeHead(307, { location: `${state.redirectTarget}/chat/completions` });
        response.end();
        return;
      }
      const fault = FAULTS[model];
      if (fault) {
        fault(response);
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
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };

  function replay(response: http.ServerResponse, transcript: string): void {
    const events = parseSseTranscript(transcript);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let next = 0;
    let closed = false;
    response.on('close', () => { closed = true; });
    const send = (): void => {
      if (closed) return;
      if (next >= events.length) {
        response.end();
        return;
      }
      const event = events[next++]!;
      response.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`);
      setTimeout(send, state.paceMs);
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
