import * as assert from 'node:assert/strict';
import { checkEndpoint, probeServer } from '../../src/client/check';
import { createClient, scoreText, streamChat } from '../../src/client/requests';
import type { CompletionRequest, EndpointOptions } from '../../src/core/request';
import { promptMessages } from '../../src/core/request';
import type { ChunkDelta } from '../../src/core/chatChunk';
import { describeFailure } from '../../src/core/failure';
import { closedPort } from '../support/ports';
import { startReplayServer } from '../support/replayServer';
import { useReplayServer } from '../support/useReplayServer';

const request = (model: string, { systemPrompt, ...overrides }: Partial<CompletionRequest> & { systemPrompt?: string } = {}): CompletionRequest =>
  ({ apiStyle: 'chat', model, messages: promptMessages('What is the smallest continent?', systemPrompt), topLogprobs: 5, sampling: {}, ...overrides });

async function collect(endpoint: EndpointOptions, chat: CompletionRequest, signal = new AbortController().signal): Promise<ChunkDelta[]> {
  const deltas: ChunkDelta[] = [];
  for await (const delta of streamChat(createClient(endpoint), chat, signal)) deltas.push(delta);
  return deltas;
}

async function failureOf(endpoint: EndpointOptions, chat: CompletionRequest): Promise<ReturnType<typeof describeFailure>> {
  try {
    await collect(endpoint, chat);
  } catch (error) {
    return describeFailure(error, { host: new URL(endpoint.baseUrl).host, model: chat.model, hasKey: endpoint.apiKey !== undefined, secrets: endpoint.apiKey ? [endpoint.apiKey] : [] });
  }
  assert.fail('the request should have failed');
}

describe('client against a local OpenAI-compatible server, through the real SDK', () => {
  const replay = useReplayServer();

  it('streams the recorded answer and its logprobs', async () => {
    const deltas = await collect(replay.endpoint, request('openai-chat-stream-top5-llamastack'));
    assert.equal(deltas.map((delta) => delta.text).join(''), 'The smallest continent by land area is Australia.');
    const tokens = deltas.flatMap((delta) => delta.tokens);
    assert.equal(tokens.length, 9);
    assert.equal(tokens[8]!.token, '.');
    assert.equal(tokens[0]!.top_logprobs![1]!.token, 'Australia');
    assert.equal(deltas.at(-2)?.finishReason, 'stop');
  });

  it('asks for logprobs, the number of alternatives and the sampling settings', async () => {
    await collect(replay.endpoint, request('openai-chat-stream-logprobs-sayfoo', {
      systemPrompt: 'Be brief.', topLogprobs: 7,
      sampling: { temperature: 0.2, topP: 0.9, maxTokens: 64, seed: 42, stop: ['\n\n'], presencePenalty: 0.5, frequencyPenalty: -0.5 },
    }));
    const body = replay.server.requests[0]!.body!;
    assert.equal(replay.server.requests[0]!.path, '/v1/chat/completions');
    assert.deepEqual(body.messages, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is the smallest continent?' }]);
    assert.equal(body.stream, true);
    assert.equal(body.logprobs, true);
    assert.equal(body.top_logprobs, 7);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.top_p, 0.9);
    assert.equal(body.max_tokens, 64);
    assert.equal(body.seed, 42);
    assert.deepEqual(body.stop, ['\n\n']);
    assert.equal(body.presence_penalty, 0.5);
    assert.equal(body.frequency_penalty, -0.5);
  });

  it('sends no Authorization header without a key, and the key as a bearer token with one', async () => {
    await collect(replay.endpoint, request('openai-chat-stream-logprobs-sayfoo'));
    assert.equal(replay.server.requests[0]!.headers.authorization, undefined);
    await collect({ ...replay.endpoint, apiKey: 'sk-test-key-1234' }, request('openai-chat-stream-logprobs-sayfoo'));
    assert.equal(replay.server.requests[1]!.headers.authorization, 'Bearer sk-test-key-1234');
  });

  it('ignores OPENAI_BASE_URL and OPENAI_LOG in the environment', async () => {
    const decoy = await startReplayServer();
    const saved = { base: process.env.OPENAI_BASE_URL, log: process.env.OPENAI_LOG };
    process.env.OPENAI_BASE_URL = decoy.baseUrl;
    process.env.OPENAI_LOG = 'debug';
    const logged: unknown[] = [];
    const originalLog = console.log;
    console.log = (...args: unknown[]) => { logged.push(args); };
    try {
      await collect({ ...replay.endpoint, apiKey: 'sk-secret-value-999' }, request('openai-chat-stream-logprobs-sayfoo'));
    } finally {
      console.log = originalLog;
      if (saved.base === undefined) delete process.env.OPENAI_BASE_URL; else process.env.OPENAI_BASE_URL = saved.base;
      if (saved.log === undefined) delete process.env.OPENAI_LOG; else process.env.OPENAI_LOG = saved.log;
      await decoy.close();
    }
    assert.equal(decoy.requests.length, 0);
    assert.equal(replay.server.requests.length, 1);
    assert.equal(logged.length, 0);
  });

  it('lets nothing from the environment reach a request: no base URL, organization, project, custom header or key', async () => {
    const decoy = await startReplayServer();
    const environment = {
      OPENAI_BASE_URL: decoy.baseUrl, OPENAI_ORG_ID: 'org-from-env', OPENAI_PROJECT_ID: 'proj-from-env', OPENAI_API_KEY: 'sk-env-key-000000000',
      OPENAI_CUSTOM_HEADERS: 'Authorization: Bearer sk-from-env-header\nX-Env-Header: yes', OPENAI_ADMIN_KEY: 'sk-admin-env', OPENAI_LOG: 'debug',
      AZURE_OPENAI_API_KEY: 'azure-env-key', OPENAI_API_VERSION: '1999-01-01',
    };
    const saved = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
    Object.assign(process.env, environment);
    try {
      await collect(replay.endpoint, request('openai-chat-stream-logprobs-sayfoo'));
      await collect({ ...replay.endpoint, apiKey: 'sk-stored-key-1234' }, request('openai-chat-stream-logprobs-sayfoo'));
      // Azure's constructor refuses a base URL next to an endpoint: the environment's must not reach it.
      const azure = createClient({ ...replay.endpoint, baseUrl: `${replay.server.baseUrl.replace(/\/v1$/, '')}/openai`, apiKey: 'azure-stored-key', azure: { deployment: 'openai-chat-stream-logprobs-sayfoo', apiVersion: '2024-10-21' } });
      for await (const delta of streamChat(azure, request('openai-chat-stream-logprobs-sayfoo'), new AbortController().signal)) assert.ok(delta);
      assert.equal(process.env.OPENAI_ORG_ID, 'org-from-env', 'the environment is left as it was');
    } finally {
      for (const [name, value] of Object.entries(saved)) if (value === undefined) delete process.env[name]; else process.env[name] = value;
      await decoy.close();
    }
    assert.equal(decoy.requests.length, 0);
    const [keyless, keyed, azure] = replay.server.requests;
    assert.equal(keyless!.headers.authorization, undefined);
    assert.equal(keyed!.headers.authorization, 'Bearer sk-stored-key-1234');
    assert.equal(azure!.headers['api-key'], 'azure-stored-key');
    assert.equal(azure!.path, '/openai/deployments/openai-chat-stream-logprobs-sayfoo/chat/completions');
    for (const sent of replay.server.requests) {
      assert.equal(sent.headers['openai-organization'], undefined);
      assert.equal(sent.headers['openai-project'], undefined);
      assert.equal(sent.headers['x-env-header'], undefined);
      assert.ok(!JSON.stringify(sent.headers).includes('env'), JSON.stringify(sent.headers));
    }
  });

  it('stops within a quarter of a second when aborted, keeping what arrived', async () => {
    replay.server.paceMs = 200;
    const controller = new AbortController();
    const deltas: ChunkDelta[] = [];
    let abortedAt = 0;
    const consumer = (async () => {
      for await (const delta of streamChat(createClient(replay.endpoint), request('openai-chat-stream-top5-llamastack'), controller.signal)) {
        deltas.push(delta);
        if (deltas.length === 3) {
          abortedAt = performance.now();
          controller.abort();
        }
      }
    })();
    const error = await consumer.then(() => undefined, (thrown: unknown) => thrown);
    const stoppedAfter = performance.now() - abortedAt;
    assert.ok(stoppedAfter < 250, `stopped after ${stoppedAfter.toFixed(0)} ms`);
    assert.equal(describeFailure(error, { host: 'h', model: 'm', hasKey: false, secrets: [] }).kind, 'cancelled');
    assert.equal(deltas.map((delta) => delta.text).join(''), 'The smallest');
  });

  it('streams a Responses API answer, asking for output_text logprobs', async () => {
    const deltas = await collect(replay.endpoint, request('openai-responses-logprobs-stream', { apiStyle: 'responses', systemPrompt: 'Be brief.', topLogprobs: 3 }));
    assert.equal(deltas.map((delta) => delta.text).join(''), 'The capital of Minas Gerais is Belo Horizonte.');
    assert.equal(deltas.flatMap((delta) => delta.tokens).length, 9);
    const { path, body } = replay.server.requests[0]!;
    assert.equal(path, '/v1/responses');
    assert.deepEqual(body!.include, ['message.output_text.logprobs']);
    assert.equal(body!.top_logprobs, 3);
    assert.equal(body!.instructions, 'Be brief.');
    assert.equal(body!.input, 'What is the smallest continent?');
  });

  it('streams a legacy Completions answer, capping alternatives at 5', async () => {
    const deltas = await collect(replay.endpoint, request('openai-legacy-completions-logprobs-issue38', { apiStyle: 'completions', topLogprobs: 20 }));
    assert.equal(deltas.map((delta) => delta.text).join(''), ' goal');
    assert.equal(deltas.flatMap((delta) => delta.tokens)[0]!.top_logprobs!.length, 5);
    assert.equal(replay.server.requests[0]!.path, '/v1/completions');
    assert.equal(replay.server.requests[0]!.body!.logprobs, 5);
  });

  it('scores text with echo, the first token without a logprob', async () => {
    const scored = await scoreText(createClient(replay.endpoint), { model: 'completions-echo-score', prompt: 'The quick brown fox', topLogprobs: 5 }, new AbortController().signal);
    assert.equal(replay.server.requests[0]!.body!.echo, true);
    assert.equal(replay.server.requests[0]!.body!.max_tokens, 1);
    assert.equal(scored.tokens.length, 5);
    assert.equal(scored.tokens[0]!.logprob, null);
    assert.equal(scored.tokens[1]!.token, ' quick');
  });

  it('explains a rejected key without ever showing it', async () => {
    const key = 'sk-test-abcdefghijklmnopqrstu1234';
    const failure = await failureOf({ ...replay.endpoint, apiKey: key }, request('fault:401'));
    assert.equal(failure.kind, 'key-rejected');
    assert.match(failure.message, /127\.0\.0\.1:\d+ rejected the API key \(401\)/);
    assert.ok(!failure.message.includes(key));
    assert.ok(!failure.message.includes('abcdefghij'));
  });

  it('explains an unknown model, a model without logprobs, a prompt too long, a server error', async () => {
    assert.equal((await failureOf(replay.endpoint, request('no-such-model'))).kind, 'model-not-found');
    const noLogprobs = await failureOf(replay.endpoint, request('fault:logprobs-unsupported'));
    assert.equal(noLogprobs.kind, 'no-logprobs');
    assert.match(noLogprobs.message, /does not return logprobs/);
    assert.equal((await failureOf(replay.endpoint, request('fault:context-too-long'))).kind, 'context-too-long');
    assert.equal((await failureOf(replay.endpoint, request('fault:500'))).kind, 'server-error');
  });

  it('explains a refused connection', async () => {
    const port = await closedPort();
    const failure = await failureOf({ ...replay.endpoint, baseUrl: `http://127.0.0.1:${port}/v1` }, request('openai-chat-stream-logprobs-sayfoo'));
    assert.equal(failure.kind, 'connection-refused');
    assert.match(failure.message, /connection refused/);
  });

  it('refuses to follow a redirect', async () => {
    const decoy = await startReplayServer();
    replay.server.redirectTarget = decoy.baseUrl;
    const failure = await failureOf(replay.endpoint, request('fault:redirect')).finally(() => decoy.close());
    assert.equal(decoy.requests.length, 0, 'the redirect target was never asked');
    assert.equal(failure.kind, 'connection-refused');
    assert.match(failure.message, /redirect, which Logprob Lens does not follow/);
  });

  it('explains a 200 that is not an event stream', async () => {
    const failure = await failureOf(replay.endpoint, request('fault:html'));
    assert.equal(failure.kind, 'not-openai');
  });
});

describe('local server discovery and the endpoint check, through the real SDK', () => {
  const replay = useReplayServer({ timeoutMs: 5000 });

  it('finds a server and its models on a loopback port, and nobody on a closed one', async () => {
    const models = await probeServer(replay.server.baseUrl, 2000);
    assert.ok(models?.includes('openai-chat-stream-top5-llamastack'));
    const port = await closedPort();
    assert.equal(await probeServer(`http://127.0.0.1:${port}/v1`, 2000), undefined);
  });

  it('checks models, logprobs and scoring, each on its own', async () => {
    const client = createClient(replay.endpoint);
    const steps = await checkEndpoint(client, { model: 'completions-echo-score', apiStyle: 'completions', topLogprobs: 5 }, new AbortController().signal);
    assert.deepEqual(steps.map((step) => [step.step, step.ok]), [['models', true], ['logprobs', true], ['scoring', true]]);
    const refused = await checkEndpoint(client, { model: 'fault:logprobs-unsupported', apiStyle: 'chat', topLogprobs: 5 }, new AbortController().signal);
    assert.deepEqual(refused.map((step) => [step.step, step.ok]), [['models', true], ['logprobs', false], ['scoring', false]]);
    assert.equal(describeFailure(refused[1]!.error, { host: 'h', model: 'm', hasKey: false, secrets: [] }).kind, 'no-logprobs');
  });
});
