import * as assert from 'node:assert/strict';
import type { StreamOptions } from '../../src/client/requests';
import { createClient, MAX_EVENT_BYTES, RequestError, retryDelayMs, streamChat } from '../../src/client/requests';
import type { EndpointOptions } from '../../src/core/request';
import type { ChunkDelta } from '../../src/core/chatChunk';
import type { Failure } from '../../src/core/failure';
import { describeFailure } from '../../src/core/failure';
import { closedPort } from '../support/ports';
import { useReplayServer } from '../support/useReplayServer';

/** What a run would keep and say: the text and tokens that arrived, the finish reason, and the failure. */
interface Outcome {
  readonly text: string;
  readonly tokens: number;
  readonly finishReason: string | undefined;
  readonly failure: Failure | undefined;
  readonly ms: number;
  readonly retries: number[];
}

const KEY = 'sk-test-fault-key-0123456789';

describe('faults from the server: each classified, what arrived kept (the robustness matrix, server layer)', function () {
  this.timeout(30_000);
  const replay = useReplayServer({ apiKey: KEY, timeoutMs: 5000 });

  async function run(model: string, options: { idleTimeoutMs?: number; abortAfterMs?: number; endpoint?: EndpointOptions; limits?: StreamOptions['limits'] } = {}): Promise<Outcome> {
    const controller = new AbortController();
    const began = performance.now();
    const retries: number[] = [];
    let text = '';
    let tokens = 0;
    let finishReason: string | undefined;
    let failure: Failure | undefined;
    const timer = options.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), options.abortAfterMs);
    try {
      const deltas = streamChat(createClient(options.endpoint ?? replay.endpoint), { apiStyle: 'chat', model, messages: [{ role: 'user', content: 'hi' }], topLogprobs: 5, sampling: {} }, controller.signal,
        { idleTimeoutMs: options.idleTimeoutMs ?? 2000, limits: options.limits, onRetry: (wait) => retries.push(wait) });
      for await (const delta of deltas as AsyncIterable<ChunkDelta>) {
        text += delta.text;
        tokens += delta.tokens.length;
        finishReason = delta.finishReason ?? finishReason;
      }
    } catch (error) {
      failure = describeFailure(error, { host: new URL(replay.endpoint.baseUrl).host, model, hasKey: true, secrets: [KEY] });
    } finally {
      clearTimeout(timer);
    }
    if (failure) assert.ok(!failure.message.includes(KEY) && !failure.message.includes('0123456789'), `no key in “${failure.message}”`);
    return { text, tokens, finishReason, failure, ms: performance.now() - began, retries };
  }

  const FULL = 'The smallest continent by land area is Australia.';

  for (const [model, kind, pattern] of [
    ['fault:401', 'key-rejected', /rejected the API key \(401\)/],
    ['fault:401-empty', 'key-rejected', /rejected the API key \(401\)/],
    ['fault:403', 'key-rejected', /\(403\)/],
    ['fault:403-logprobs', 'no-logprobs', /does not return logprobs/],
    ['fault:404-html', 'model-not-found', /was not found .*\(404\)/],
    ['fault:logprobs-unsupported', 'no-logprobs', /Try fewer alternatives/],
    ['fault:400-vllm-max', 'no-logprobs', /max allowed: 20/],
    ['fault:400-ollama-range', 'no-logprobs', /between 0 and 20/],
    ['fault:400-groq', 'no-logprobs', /not supported/],
    ['fault:context-too-long', 'context-too-long', /too long/],
    ['fault:html', 'not-openai', /without a chat completion stream/],
  ] as const) {
    it(`${model}: ${kind}, nothing inserted, no retry`, async () => {
      const outcome = await run(model);
      assert.equal(outcome.failure?.kind, kind, outcome.failure?.message);
      assert.match(outcome.failure.message, pattern);
      assert.equal(outcome.text, '');
      assert.equal(replay.server.requests.length, 1, 'not retried');
    });
  }

  for (const model of ['fault:500', 'fault:502', 'fault:503']) {
    it(`${model}: retried twice with backoff, then a server error`, async () => {
      const outcome = await run(model);
      assert.equal(outcome.failure?.kind, 'server-error');
      assert.equal(replay.server.requests.length, 3);
      assert.equal(outcome.retries.length, 2);
    });
  }

  it('429 with a short retry-after: waits as asked, then succeeds', async () => {
    const outcome = await run('fault:429-then-ok');
    assert.equal(outcome.failure, undefined);
    assert.equal(outcome.text, FULL);
    assert.deepEqual(outcome.retries, [1000]);
  });

  it('503 then OK: one retry, the answer arrives whole', async () => {
    const outcome = await run('fault:503-then-ok');
    assert.equal(outcome.text, FULL);
    assert.equal(replay.server.requests.length, 2);
  });

  it('429 with an absurd retry-after: no waiting, a clear message', async () => {
    const outcome = await run('fault:429-absurd');
    assert.equal(outcome.failure?.kind, 'rate-limited');
    assert.match(outcome.failure.message, /asks to wait 24\.0 h/);
    assert.ok(outcome.ms < 2000);
    assert.equal(replay.server.requests.length, 1);
  });

  it('a wait for a retry is cancelled at once', async () => {
    const outcome = await run('fault:429-short', { abortAfterMs: 300 });
    assert.equal(outcome.failure?.kind, 'cancelled');
    assert.ok(outcome.ms < 550, `took ${outcome.ms.toFixed(0)} ms`);
  });

  it('connection refused: said so, not retried', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}/v1`;
    const outcome = await run('x', { endpoint: { ...replay.endpoint, baseUrl: closed } });
    assert.equal(outcome.failure?.kind, 'connection-refused');
    assert.deepEqual(outcome.retries, []);
  });

  it('socket reset after three chunks: the text that arrived is kept, the failure said, never re-requested', async () => {
    const outcome = await run('fault:reset-after-3');
    assert.equal(outcome.text, 'The smallest');
    assert.equal(outcome.tokens, 2);
    assert.equal(outcome.failure?.kind, 'connection-lost');
    assert.match(outcome.failure.message, /connection to 127\.0\.0\.1:\d+ was cut in the middle of the answer\.$/);
    assert.equal(replay.server.requests.length, 1, 'no automatic re-request once text arrived');
  });

  it('a clean end without finish_reason: all text kept, no finish reason (the run marks it incomplete)', async () => {
    const outcome = await run('fault:no-finish');
    assert.equal(outcome.text, FULL);
    assert.equal(outcome.finishReason, undefined);
    assert.equal(outcome.failure, undefined);
  });

  it('headers then silence: the idle watchdog stops it and keeps what arrived', async () => {
    const outcome = await run('fault:silence-after-3', { idleTimeoutMs: 500 });
    assert.equal(outcome.failure?.kind, 'timeout');
    assert.match(outcome.failure.message, /stopped sending in the middle of the answer/);
    assert.equal(outcome.text, 'The smallest');
    assert.ok(outcome.ms < 2500);
  });

  it('one token per 300 ms is slow but fine under a 1 s watchdog (one per 5 s under the default 30 s, scaled down)', async () => {
    replay.server.paceMs = 300;
    const outcome = await run('fault:length', { idleTimeoutMs: 1000 });
    assert.equal(outcome.failure, undefined);
    assert.equal(outcome.text, FULL);
  });

  it('-Infinity mid-stream: what arrived is kept, the bad data is named', async () => {
    const outcome = await run('fault:bad-json-after-3');
    assert.equal(outcome.text, 'The smallest');
    assert.equal(outcome.failure?.kind, 'not-openai');
    assert.match(outcome.failure.message, /not valid JSON/);
  });

  it('an error event mid-stream: what arrived is kept, the server message shown', async () => {
    const outcome = await run('fault:error-event-after-3');
    assert.equal(outcome.text, 'The smallest');
    assert.match(outcome.failure!.message, /The server had an error while processing your request/);
  });

  it('choices: [] chunks, chunks without delta and content: null change nothing', async () => {
    const outcome = await run('fault:empty-choices');
    assert.equal(outcome.failure, undefined);
    assert.equal(outcome.text, FULL);
    assert.equal(outcome.tokens, 9);
  });

  it('finish_reason length and content_filter come through', async () => {
    assert.equal((await run('fault:length')).finishReason, 'length');
    assert.equal((await run('fault:content-filter')).finishReason, 'content_filter');
  });

  it('10,000 tiny chunks and one huge chunk arrive whole', async () => {
    const tiny = await run('fault:tiny-chunks');
    assert.equal(tiny.text.length, 10_000);
    assert.equal(tiny.tokens, 10_000);
    const huge = await run('fault:huge-chunk');
    assert.equal(huge.tokens, 40_000);
    assert.ok(huge.text.length > 100_000);
  });

  it('an event larger than the cap stops the request without reading the rest (memory stays bounded)', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const huge = await run('fault:huge-line', { idleTimeoutMs: 10_000 });
    assert.equal(huge.failure?.kind, 'limit');
    assert.match(huge.failure.message, /one event larger than 16 MB/);
    assert.equal(huge.text, '');
    // The server had 20 MB to send; what the client held is bounded by the cap, not by the server.
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 4 * MAX_EVENT_BYTES, 'heap grew by less than four caps');
  });

  it('empty keep-alive chunks do not hold a stalled stream open: the idle watchdog still fires', async () => {
    const stalled = await run('fault:keepalive-forever', { idleTimeoutMs: 800 });
    assert.equal(stalled.failure?.kind, 'timeout');
    assert.equal(stalled.text, 'One two three');
    assert.ok(stalled.ms < 5000, `stopped after ${stalled.ms.toFixed(0)} ms`);
  });

  it('an answer that never ends stops at the character, token and time limits, keeping what arrived', async () => {
    const generous = { maxCharacters: 1e9, maxTokens: 1e9, maxDurationMs: 1e9 };
    const byCharacters = await run('fault:endless', { limits: { ...generous, maxCharacters: 3000 } });
    assert.equal(byCharacters.failure?.kind, 'limit');
    assert.match(byCharacters.failure.message, /logprobLens\.maxAnswerCharacters allows \(3000 characters\)/);
    assert.ok(byCharacters.text.length <= 3000 && byCharacters.text.length > 2990, `${byCharacters.text.length} characters kept`);
    const byTokens = await run('fault:endless', { limits: { ...generous, maxTokens: 500 } });
    assert.match(byTokens.failure?.message ?? '', /logprobLens\.maxAnswerTokens allows \(500 tokens\)/);
    assert.equal(byTokens.tokens, 500);
    const byTime = await run('fault:endless', { limits: { ...generous, maxDurationMs: 700 } });
    assert.match(byTime.failure?.message ?? '', /took longer than logprobLens\.maxRequestSeconds allows/);
    assert.ok(byTime.text.length > 0 && byTime.ms < 3000, `stopped after ${byTime.ms.toFixed(0)} ms`);
  });

  it('retries only what is worth retrying, at most twice, never past 20 s', () => {
    const error = (status: number, retryAfterMs?: number): RequestError => new RequestError({ kind: 'http', message: 'x', status, retryAfterMs });
    assert.equal(retryDelayMs(error(429, 1000), 0), 1000);
    assert.equal(retryDelayMs(error(429, 60_000), 0), undefined);
    assert.equal(retryDelayMs(error(429), 2), undefined);
    assert.equal(retryDelayMs(error(400), 0), undefined);
    assert.equal(retryDelayMs(error(503), 1), 1000);
  });
});
