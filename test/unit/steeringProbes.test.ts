import * as assert from 'node:assert/strict';
import { encode as o200kEncode } from 'gpt-tokenizer/encoding/o200k_base';
import type { ProbeOptions } from '../../src/client/probes';
import { probeCapabilities } from '../../src/client/probes';
import { createClient, streamChat } from '../../src/client/requests';
import { defaultCapabilities } from '../../src/core/capabilities';
import type { CompletionRequest } from '../../src/core/request';
import { completionsPrompt } from '../../src/core/request';
import { PREFILL_PROBE } from '../../src/core/steering';
import { encode } from '../../src/tokenizer/index';
import type { RecordedRequest } from '../support/replayServer';
import { useReplayServer } from '../support/useReplayServer';

type Body = Record<string, unknown> | undefined;
const lastMessage = (body: Body): { role?: string; content?: string } | undefined => (body?.messages as { role?: string; content?: string }[] | undefined)?.at(-1);
const isPrefillProbe = (body: Body): boolean => lastMessage(body)?.role === 'assistant' || (typeof body?.prompt === 'string' && body.prompt.endsWith(PREFILL_PROBE.forcedStart));

describe('Check Endpoint\'s capability probes, through the real client', () => {
  const replay = useReplayServer();

  const options = (preset: string, model: string, extra: Partial<ProbeOptions> = {}): ProbeOptions => ({
    model, apiStyle: 'chat', capabilities: defaultCapabilities({ preset, apiStyle: 'chat', model }), endpoint: replay.endpoint, endpointLabel: preset, encode, ...extra,
  });
  const probeWith = (probeOptions: ProbeOptions) => probeCapabilities(createClient(replay.endpoint), probeOptions, new AbortController().signal);
  const requestsWhere = (test: (request: RecordedRequest) => boolean): RecordedRequest[] => replay.server.requests.filter(test);

  it('finds what a llama.cpp server does: ids, continuation, a ban keyed by its id that works, n, scoring', async () => {
    // A server that answers each probe as llama.cpp does (hand-written answers, test/fixtures/steering/README.md).
    replay.server.chooseRecording = (path, body) => {
      if (path.endsWith('/completions') && !path.endsWith('/chat/completions')) return 'completions-echo-score';
      if (isPrefillProbe(body)) return 'steering-probe-countdown';
      if (body?.logit_bias !== undefined) return 'steering-llamacpp-okay';
      if (body?.n === 2) return 'steering-probe-two-choices';
      return 'steering-llamacpp-ok';
    };
    const probe = await probeWith(options('llama.cpp server', 'default'));
    assert.deepEqual({ ...probe, checkedAt: undefined }, {
      model: 'default', apiStyle: 'chat', checkedAt: undefined,
      logprobs: { ok: true, alternatives: 3 }, responseTokenIds: true,
      prefill: { style: 'trailing-assistant', continues: true, echoesPrefix: false },
      // "OK" is banned by its id 3925 and "Okay" comes back, with "OK" still at -0.0143: logprobs before the bias.
      logitBias: { ok: true, reflectedInLogprobs: false },
      n: { ok: true, streaming: true },
      promptScoring: 'completions-echo',
    });
    const [prefill] = requestsWhere((request) => isPrefillProbe(request.body));
    assert.deepEqual(lastMessage(prefill!.body), { role: 'assistant', content: 'Counting down: 10, 9, 8, 7,' });
    assert.deepEqual(prefill!.body!.chat_template_kwargs, { enable_thinking: false });
    const [banned] = requestsWhere((request) => request.body?.logit_bias !== undefined);
    assert.deepEqual(banned!.body!.logit_bias, [[3925, -100]]);
    assert.equal(requestsWhere((request) => request.body?.n === 2)[0]!.body!.stream, true);
  });

  it('asks vLLM for the sampled tokens\' ids, and bans the first token by the id it came with', async () => {
    // The one-token probe gets the vLLM stream (steering-vllm-paris: "The" came with token_ids [785]); the ban gets
    // another first token.
    replay.server.chooseRecording = (_path, body) => (body?.logit_bias !== undefined ? 'steering-llamacpp-okay' : 'steering-vllm-paris');
    const probe = await probeWith(options('vLLM', 'default'));
    assert.equal(probe.responseTokenIds, true);
    assert.deepEqual(probe.logitBias, { ok: true, reflectedInLogprobs: true });
    const [first] = replay.server.requests;
    assert.equal(first!.body!.return_token_ids, true);
    const [banned] = requestsWhere((request) => request.body?.logit_bias !== undefined);
    assert.deepEqual(banned!.body!.logit_bias, { 785: -100 });
  });

  it('finds that an OpenAI-like server continues nothing and ignores a ban keyed by the tokenizer\'s id', async () => {
    // The top-5 recording answers every probe: a fresh reply to the forced start, the same first token when banned.
    const probe = await probeWith(options('OpenAI', 'openai-chat-stream-top5-llamastack', { tokenizerEncoding: 'o200k_base' }));
    assert.deepEqual(probe.logprobs, { ok: true, alternatives: 5 });
    assert.equal(probe.responseTokenIds, false);
    assert.deepEqual(probe.prefill, { style: 'trailing-assistant', continues: false, echoesPrefix: false });
    assert.deepEqual(probe.logitBias, { ok: false });
    // "The", the recording's first token, as o200k_base encodes it, computed here by gpt-tokenizer itself.
    const [banned] = requestsWhere((request) => request.body?.logit_bias !== undefined);
    assert.deepEqual(banned!.body!.logit_bias, { [String(o200kEncode('The')[0])]: -100 });
  });

  it('concludes "no" where the server refuses a probe, and nothing where it fails otherwise', async () => {
    replay.server.chooseRecording = (_path, body) => {
      if (isPrefillProbe(body)) return 'fault:400-groq';
      if (body?.logit_bias !== undefined) return 'fault:500';
      if (body?.n === 2) return 'fault:context-too-long';
      return 'steering-llamacpp-ok';
    };
    const probe = await probeWith(options('llama.cpp server', 'default'));
    assert.deepEqual(probe.prefill, { style: 'trailing-assistant', continues: false, echoesPrefix: false });
    assert.equal(probe.logitBias, undefined, 'a 500 (after its retries) says nothing about logit_bias');
    assert.deepEqual(probe.n, { ok: false, streaming: false });
  });

  it('skips what an API style cannot ask: no prefill probe, no n and no bias on the Responses API', async () => {
    const probe = await probeWith({ ...options('OpenAI', 'openai-responses-logprobs-stream'), apiStyle: 'responses', capabilities: defaultCapabilities({ preset: 'OpenAI', apiStyle: 'responses', model: 'm' }) });
    assert.equal(probe.prefill, undefined);
    assert.equal(probe.n, undefined);
    assert.equal(probe.logitBias, undefined);
    assert.deepEqual(probe.logprobs?.ok, true);
    assert.equal(requestsWhere((request) => request.path.endsWith('/chat/completions')).length, 0);
  });
});

describe('forced starts on the wire', () => {
  const replay = useReplayServer();

  it('sends DeepSeek\'s prefix: true on the final assistant message, and nothing extra on the others', async () => {
    const request: CompletionRequest = {
      apiStyle: 'chat', model: 'azure-openai-chat-stream-top3-llamastack', topLogprobs: 3, sampling: {},
      messages: [{ role: 'user', content: 'What is 4+4?' }, { role: 'assistant', content: '4 + 4 equals', prefix: true }],
    };
    const client = createClient(replay.endpoint);
    for await (const delta of streamChat(client, request, new AbortController().signal)) void delta;
    assert.deepEqual(replay.server.requests[0]!.body!.messages, [{ role: 'user', content: 'What is 4+4?' }, { role: 'assistant', content: '4 + 4 equals', prefix: true }]);
  });

  it('writes a final assistant message right after the prompt in a legacy Completions prompt', () => {
    const base = [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'test' }];
    assert.equal(completionsPrompt(base), 'Be brief.\n\ntest');
    assert.equal(completionsPrompt([...base, { role: 'assistant', content: '_' }]), 'Be brief.\n\ntest_');
    assert.equal(completionsPrompt([{ role: 'assistant', content: 'alone' }]), 'alone');
  });
});
