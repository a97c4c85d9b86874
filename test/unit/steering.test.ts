import * as assert from 'node:assert/strict';
import type { Capabilities } from '../../src/core/capabilities';
import { defaultCapabilities } from '../../src/core/capabilities';
import type { ChunkDelta } from '../../src/core/chatChunk';
import type { CompletionRequest } from '../../src/core/request';
import { completionsPrompt } from '../../src/core/request';
import type { BranchPlan } from '../../src/core/steering';
import {
  ContinuationFilter, PREFILL_PROBE, continuationText, planBranch, prefillProbeRequest, readPrefillProbe, tokenText,
} from '../../src/core/steering';
import { createClient, streamChat } from '../../src/client/requests';
import type { ReplayServer } from '../support/replayServer';
import { startReplayServer } from '../support/replayServer';

// The recorded OpenAI answer "The smallest continent by land area is Australia." (top5-llamastack fixture):
// branch at its 8th token " Australia", choosing the alternative " Oceania" instead.
const question = 'What is the smallest continent?';
const textBefore = 'The smallest continent by land area is';
const alternative = { token: ' Oceania', bytes: [32, 79, 99, 101, 97, 110, 105, 97] };
const base = (overrides: Partial<CompletionRequest> = {}): CompletionRequest => ({
  apiStyle: 'chat', model: 'm', topLogprobs: 5, sampling: { temperature: 0.7, maxTokens: 64 },
  messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: question }], ...overrides,
});
const caps = (preset: string, apiStyle: CompletionRequest['apiStyle'] = 'chat'): Capabilities => defaultCapabilities({ preset, apiStyle, model: 'm' });
const endpoint = { baseUrl: 'http://localhost:8000/v1', label: 'Local' };

function request(plan: BranchPlan): Extract<BranchPlan, { kind: 'request' }> {
  assert.equal(plan.kind, 'request', plan.kind === 'refused' ? plan.reason : '');
  return plan;
}

describe('branch requests: continuing an answer from an alternative', () => {
  it('legacy Completions: the prompt, then the prefix with no separator where the answer began', () => {
    const original = base({ apiStyle: 'completions' });
    const plan = request(planBranch(original, { textBefore, alternative }, caps('OpenAI', 'completions'), endpoint));
    // Hand-computed: the original prompt was "Be brief.\n\nWhat is the smallest continent?" and the answer followed it.
    assert.equal(completionsPrompt(plan.request.messages), 'Be brief.\n\nWhat is the smallest continent?The smallest continent by land area is Oceania');
    assert.equal(plan.prefix, 'The smallest continent by land area is Oceania');
    assert.equal(plan.forcedText, ' Oceania');
    assert.equal(plan.request.apiStyle, 'completions');
    assert.deepEqual(plan.request.sampling, original.sampling);
  });

  it('refuses Completions-style continuation of an answer that came from a chat request', () => {
    const plan = planBranch(base(), { textBefore, alternative }, { ...caps('vLLM'), prefill: 'completions-prompt' }, endpoint);
    assert.deepEqual(plan, { kind: 'refused', reason: 'Legacy Completions continue a raw prompt, but this answer came from a chat request: its chat template would be lost.' });
  });

  it('vLLM: a final assistant message, continue_final_message and no generation prompt, the user\'s extras kept', () => {
    const plan = request(planBranch(base({ extraBody: { top_k: 40, add_generation_prompt: true } }), { textBefore, alternative }, caps('vLLM'), endpoint));
    assert.deepEqual(plan.request.messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: question },
      { role: 'assistant', content: 'The smallest continent by land area is Oceania' },
    ]);
    assert.deepEqual(plan.request.extraBody, { top_k: 40, continue_final_message: true, add_generation_prompt: false });
    assert.equal(plan.baseUrl, undefined);
  });

  it('llama.cpp: a trailing assistant message with thinking off, merged into the user\'s template kwargs', () => {
    const plan = request(planBranch(base({ extraBody: { chat_template_kwargs: { reasoning_effort: 'low' }, repeat_penalty: 1.1 } }), { textBefore, alternative }, caps('llama.cpp server'), endpoint));
    assert.deepEqual(plan.request.messages.at(-1), { role: 'assistant', content: 'The smallest continent by land area is Oceania' });
    assert.deepEqual(plan.request.extraBody, { chat_template_kwargs: { reasoning_effort: 'low', enable_thinking: false }, repeat_penalty: 1.1 });
  });

  it('Ollama: a trailing assistant message and nothing else', () => {
    const original = base();
    const plan = request(planBranch(original, { textBefore, alternative }, caps('Ollama'), endpoint));
    assert.equal(plan.request.messages.length, 3);
    assert.deepEqual(plan.request.messages[2], { role: 'assistant', content: 'The smallest continent by land area is Oceania' });
    assert.equal(plan.request.extraBody, undefined);
  });

  it('DeepSeek: prefix true on the final assistant message, sent to the /beta base URL of the same origin', () => {
    const plan = request(planBranch(base(), { textBefore, alternative }, caps('DeepSeek'), { baseUrl: 'https://api.deepseek.com/v1', label: 'DeepSeek' }));
    assert.deepEqual(plan.request.messages.at(-1), { role: 'assistant', content: 'The smallest continent by land area is Oceania', prefix: true });
    assert.equal(plan.baseUrl, 'https://api.deepseek.com/beta');
    const proxied = request(planBranch(base(), { textBefore, alternative }, caps('DeepSeek'), { baseUrl: 'https://proxy.example/deepseek', label: 'Proxy' }));
    assert.equal(proxied.baseUrl, undefined);
  });

  it('OpenAI chat and Responses: no request, the reason and who can', () => {
    for (const apiStyle of ['chat', 'responses'] as const) {
      const plan = planBranch(base({ apiStyle }), { textBefore, alternative }, caps('OpenAI', apiStyle), { baseUrl: 'https://api.openai.com/v1', label: 'OpenAI' });
      assert.equal(plan.kind, 'refused');
      const reason = (plan as { reason: string }).reason;
      assert.match(reason, new RegExp(`^Continue from here needs an assistant prefill or legacy Completions, and OpenAI \\(${apiStyle === 'chat' ? 'Chat Completions' : 'Responses API'}\\) has neither`));
      assert.match(reason, /vLLM, DeepSeek, or a Completions-capable model/);
    }
  });

  it('replaces a trailing assistant message of a branch base instead of stacking a second one', () => {
    const earlier = base({ messages: [{ role: 'user', content: question }, { role: 'assistant', content: 'The smallest' }] });
    const plan = request(planBranch(earlier, { textBefore, alternative }, caps('vLLM'), endpoint));
    assert.deepEqual(plan.request.messages.map((message) => message.role), ['user', 'assistant']);
  });

  it('refuses an alternative that is part of a character, a lossy "�", or a special token', () => {
    const refusal = (token: { token: string; bytes?: number[] }): string => {
      const plan = planBranch(base(), { textBefore, alternative: token }, caps('vLLM'), endpoint);
      assert.equal(plan.kind, 'refused');
      return (plan as { reason: string }).reason;
    };
    assert.match(refusal({ token: '\\xf0\\x9f', bytes: [0xf0, 0x9f] }), /part of a character/);
    assert.match(refusal({ token: 'bytes:\\xe2\\x80' }), /part of a character/);
    assert.match(refusal({ token: '�' }), /true bytes are lost/);
    assert.match(refusal({ token: '<|endoftext|>' }), /special token/);
    assert.match(refusal({ token: '<end_of_turn>' }), /special token/);
    assert.match(refusal({ token: '' }), /empty/);
  });

  it('sends the alternative\'s true bytes, not its display text', () => {
    // OpenAI spells an emoji completed by one token with its true bytes: 💙 = F0 9F 92 99.
    assert.equal(tokenText({ token: '\\xf0\\x9f\\x92\\x99', bytes: [0xf0, 0x9f, 0x92, 0x99] }), '💙');
  });
});

describe('branch requests on the wire, through the real client', () => {
  let server: ReplayServer;
  beforeEach(async () => {
    server = await startReplayServer();
  });
  afterEach(() => server.close());

  async function send(request: CompletionRequest): Promise<Record<string, unknown>> {
    const client = createClient({ baseUrl: server.baseUrl, apiKey: undefined, headers: {}, timeoutMs: 10_000 });
    try {
      for await (const delta of streamChat(client, request, new AbortController().signal)) void delta;
    } catch {
      // The body is what is tested; some recordings do not match the endpoint style.
    }
    return server.requests.at(-1)!.body!;
  }
  const replay = (overrides: Partial<CompletionRequest> = {}): CompletionRequest => base({ model: 'openai-chat-stream-top5-llamastack', ...overrides });

  it('legacy Completions: the prompt string ends with the prefix', async () => {
    const plan = request(planBranch(replay({ apiStyle: 'completions' }), { textBefore, alternative }, caps('OpenAI', 'completions'), endpoint));
    const body = await send(plan.request);
    assert.equal(server.requests.at(-1)!.path, '/v1/completions');
    assert.equal(body.prompt, 'Be brief.\n\nWhat is the smallest continent?The smallest continent by land area is Oceania');
  });

  it('vLLM: the final message and both flags in the body', async () => {
    const body = await send(request(planBranch(replay(), { textBefore, alternative }, caps('vLLM'), endpoint)).request);
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'Be brief.' }, { role: 'user', content: question },
      { role: 'assistant', content: 'The smallest continent by land area is Oceania' },
    ]);
    assert.equal(body.continue_final_message, true);
    assert.equal(body.add_generation_prompt, false);
    assert.equal(body.logprobs, true);
  });

  it('llama.cpp: the trailing message and enable_thinking false as a JSON boolean', async () => {
    const body = await send(request(planBranch(replay(), { textBefore, alternative }, caps('llama.cpp server'), endpoint)).request);
    assert.deepEqual((body.messages as unknown[]).at(-1), { role: 'assistant', content: 'The smallest continent by land area is Oceania' });
    assert.deepEqual(body.chat_template_kwargs, { enable_thinking: false });
  });
});

describe('the continuation to insert after the prefix', () => {
  const delta = (text: string, tokens: string[] = [], finishReason?: string): ChunkDelta =>
    ({ text, tokens: tokens.map((token) => ({ token, logprob: -0.1 })), hasLogprobs: tokens.length > 0, finishReason });
  const run = (filter: ContinuationFilter, deltas: ChunkDelta[]): { text: string; tokens: string[] } => {
    const out = [...deltas.map((d) => filter.push(d)), filter.end()];
    return { text: out.map((d) => d.text).join(''), tokens: out.flatMap((d) => d.tokens.map((t) => t.token)) };
  };

  it('passes a server\'s continuation through unchanged when it does not repeat the prefix', () => {
    const filter = new ContinuationFilter('The answer is', false);
    assert.deepEqual(run(filter, [delta(' Oceania', [' Oceania']), delta('.', ['.'], 'stop')]), { text: ' Oceania.', tokens: [' Oceania', '.'] });
  });

  it('drops a repeated prefix split across chunks, with the tokens that spell it', () => {
    const filter = new ContinuationFilter('The answer is', true);
    const result = run(filter, [delta('The', ['The']), delta(' ans', [' ans']), delta('wer is', ['wer', ' is']), delta(' 42', [' 42'], 'stop')]);
    assert.deepEqual(result, { text: ' 42', tokens: [' 42'] });
  });

  it('keeps the new part of a chunk that ends the repeated prefix', () => {
    const filter = new ContinuationFilter('The answer is', true);
    assert.deepEqual(run(filter, [delta('The answer is 42.', ['The', ' answer', ' is', ' 42', '.'])]), { text: ' 42.', tokens: [' 42', '.'] });
  });

  it('releases everything held when the stream turns out not to repeat the prefix', () => {
    const filter = new ContinuationFilter('The answer is', true);
    assert.deepEqual(run(filter, [delta('The', ['The']), delta(' end', [' end'])]), { text: 'The end', tokens: ['The', ' end'] });
    const short = new ContinuationFilter('The answer is', true);
    assert.deepEqual(run(short, [delta('The ans', ['The', ' ans'], 'length')]), { text: 'The ans', tokens: ['The', ' ans'] });
  });

  it('gives the whole continuation of a finished answer', () => {
    assert.equal(continuationText('The answer is 42', 'The answer is', true), ' 42');
    assert.equal(continuationText(' 42', 'The answer is', false), ' 42');
  });
});

describe('the prefill probe', () => {
  it('asks to continue a start no fresh reply begins with', () => {
    const probe = prefillProbeRequest(caps('vLLM'), 'm', 'chat', 'http://localhost:8000/v1')!;
    assert.deepEqual(probe.request.messages, [{ role: 'user', content: 'Count down from 10 to 1, separated by commas.' }, { role: 'assistant', content: 'Counting down: 10, 9, 8, 7,' }]);
    assert.equal(probe.request.sampling.temperature, 0);
    assert.equal(prefillProbeRequest(caps('OpenAI'), 'm', 'chat', 'https://api.openai.com/v1'), undefined);
  });

  it('reads a continuation, a repeated start and a fresh reply apart', () => {
    assert.deepEqual(readPrefillProbe('trailing-assistant', ' 6, 5'), { style: 'trailing-assistant', continues: true, echoesPrefix: false });
    assert.deepEqual(readPrefillProbe('trailing-assistant', `${PREFILL_PROBE.forcedStart} 6,`), { style: 'trailing-assistant', continues: true, echoesPrefix: true });
    assert.deepEqual(readPrefillProbe('trailing-assistant', '10, 9, 8'), { style: 'trailing-assistant', continues: false, echoesPrefix: false });
    assert.deepEqual(readPrefillProbe('trailing-assistant', 'Sure! 10'), { style: 'trailing-assistant', continues: false, echoesPrefix: false });
  });
});
