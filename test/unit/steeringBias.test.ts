import * as assert from 'node:assert/strict';
import { encode as o200kEncode } from 'gpt-tokenizer/encoding/o200k_base';
import type { Capabilities } from '../../src/core/capabilities';
import { defaultCapabilities } from '../../src/core/capabilities';
import type { ChatChunkLike } from '../../src/core/chatChunk';
import { chatChunkDelta } from '../../src/core/chatChunk';
import type { BiasContext, LogitBiasEntry, TokenLike } from '../../src/core/steering';
import {
  BAN_BIAS, LOGPROBS_IGNORE_BIAS_NOTE, MAX_BIAS_ENTRIES, addBias, biasAddedMessage, biasEntry, biasHoverNote, branchBase, clampBias,
  describeBiasKey, encodingForModel, findBias, keyable, logitBiasBody, planBiasKey, readBiasList, readLogitBiasProbe, removeBias,
  withLogitBias, withTokenIds,
} from '../../src/core/steering';
import type { TokenEntry } from '../../src/core/logprob';
import type { CompletionRequest } from '../../src/core/request';
import { encode } from '../../src/tokenizer/index';
import { createClient, streamChat } from '../../src/client/requests';
import { chatChunks } from '../support/fixtures';
import { startReplayServer } from '../support/replayServer';

const caps = (preset: string, model: string): Capabilities => defaultCapabilities({ preset, apiStyle: 'chat', model });
const context = (model: string, label = 'Endpoint'): BiasContext => ({ model, apiStyle: 'chat', endpointLabel: label });
const tokensOf = (fixture: string): readonly TokenLike[] => chatChunks(fixture).flatMap((chunk) => chatChunkDelta(chunk as ChatChunkLike).tokens as readonly TokenLike[]);

/** The whole Ban/Boost path as the adapter runs it: plan, tokenizer ids if needed, entry. */
async function entryFor(token: TokenLike, bias: number, capabilities: Capabilities, biasContext: BiasContext): Promise<LogitBiasEntry> {
  const plan = planBiasKey(token, capabilities, biasContext);
  assert.notEqual(plan.kind, 'refused', plan.kind === 'refused' ? plan.reason : '');
  if (plan.kind === 'refused') throw new Error(plan.reason);
  const ids = plan.kind === 'tokenizer' ? await encode(plan.text, plan.encoding) : undefined;
  const entry = biasEntry(plan, bias, ids);
  if ('kind' in entry) throw new Error(entry.reason);
  return entry;
}

describe('logit bias: OpenAI models, ids from the tokenizer', () => {
  it('maps model names to encodings as tiktoken does, and refuses unknown names', () => {
    for (const model of ['gpt-4o', 'gpt-4o-mini-2024-07-18', 'chatgpt-4o-latest', 'gpt-4.1-nano', 'gpt-4.5-preview', 'gpt-5', 'gpt-5.1', 'o1', 'o3-mini', 'o4-mini', 'ft:gpt-4o-mini:org::abc', 'openai/gpt-4o']) {
      assert.equal(encodingForModel(model), 'o200k_base', model);
    }
    for (const model of ['gpt-4', 'gpt-4-turbo', 'gpt-4-0613', 'gpt-3.5-turbo', 'gpt-3.5-turbo-instruct', 'gpt-35-turbo', 'davinci-002', 'text-embedding-3-small']) {
      assert.equal(encodingForModel(model), 'cl100k_base', model);
    }
    for (const model of ['llama3.2', 'gpt-oss-20b', 'prod-deployment', 'o10', 'gpt-40', '']) assert.equal(encodingForModel(model), undefined, model);
  });

  it('bans " great" with id 2212 on gpt-4o and 2294 on gpt-4 (OpenAI cookbook: "tiktoken is great!")', async () => {
    // How_to_count_tokens_with_tiktoken.ipynb: o200k_base [83, 8251, 2488, 382, 2212, 0]; cl100k_base [83, 1609, 5963, 374, 2294, 0].
    const great = { token: ' great', bytes: [32, 103, 114, 101, 97, 116] };
    const o200k = await entryFor(great, BAN_BIAS, caps('OpenAI', 'gpt-4o'), context('gpt-4o'));
    assert.deepEqual(logitBiasBody([o200k], caps('OpenAI', 'gpt-4o'), context('gpt-4o')).extraBody, { logit_bias: { 2212: -100 } });
    const cl100k = await entryFor(great, BAN_BIAS, caps('OpenAI', 'gpt-4'), context('gpt-4'));
    assert.deepEqual(logitBiasBody([cl100k], caps('OpenAI', 'gpt-4'), context('gpt-4')).extraBody, { logit_bias: { 2294: -100 } });
  });

  it('sends exactly the recorded tokens\' ids, computed here by the o200k tokenizer directly', async () => {
    const tokens = tokensOf('openai-chat-stream-top5-llamastack.sse.txt'); // a gpt-4o-2024-08-06 answer
    const australia = tokens.find((token) => token.token === ' Australia')!;
    const alternative = tokens[0] as TokenLike & { top_logprobs: TokenLike[] };
    const according = alternative.top_logprobs.find((token) => token.token === 'According')!;
    const capabilities = caps('OpenAI', 'gpt-4o');
    const list = [await entryFor(australia, BAN_BIAS, capabilities, context('gpt-4o')), await entryFor(according, 5, capabilities, context('gpt-4o'))];
    const expected = { [String(o200kEncode(' Australia')[0])]: -100, [String(o200kEncode('According')[0])]: 5 };
    assert.equal(o200kEncode(' Australia').length, 1);
    assert.deepEqual(logitBiasBody(list, capabilities, context('gpt-4o')).extraBody, { logit_bias: expected });

    const server = await startReplayServer();
    try {
      const client = createClient({ baseUrl: server.baseUrl, apiKey: undefined, headers: {}, timeoutMs: 10_000 });
      const body = logitBiasBody(list, capabilities, context('gpt-4o')).extraBody;
      for await (const delta of streamChat(client, { apiStyle: 'chat', model: 'openai-chat-stream-top5-llamastack', messages: [{ role: 'user', content: 'x' }], topLogprobs: 5, sampling: {}, extraBody: body }, new AbortController().signal)) void delta;
      assert.deepEqual(server.requests[0]!.body!.logit_bias, expected);
    } finally {
      await server.close();
    }
  });

  it('biases only the first id of a text that is several tokens, and the hover says so', async () => {
    // tiktoken tests/test_encoding.py: cl100k_base encodes "👍" as [9468, 239, 235].
    const entry = await entryFor({ token: '👍' }, BAN_BIAS, caps('OpenAI', 'gpt-4'), context('gpt-4'));
    assert.deepEqual(entry.ids, [9468, 239, 235]);
    assert.deepEqual(logitBiasBody([entry], caps('OpenAI', 'gpt-4'), context('gpt-4')).extraBody, { logit_bias: { 9468: -100 } });
    assert.match(biasHoverNote(entry, caps('OpenAI', 'gpt-4')), /Its text is 3 tokens in cl100k_base; only the first \(9468\) was biased/);
  });

  it('refuses a model name with no known tokenizer, and accepts the profile\'s encoding override', async () => {
    const azure = caps('Azure OpenAI', 'prod-deployment');
    const plan = planBiasKey({ token: ' great' }, azure, context('prod-deployment'));
    assert.equal(plan.kind, 'refused');
    assert.match((plan as { reason: string }).reason, /No OpenAI tokenizer is known for the model name "prod-deployment".*set "tokenizerEncoding"/);
    const withOverride = { ...context('prod-deployment'), tokenizerEncoding: 'o200k_base' as const };
    const entry = await entryFor({ token: ' great' }, BAN_BIAS, azure, withOverride);
    assert.deepEqual(logitBiasBody([entry], azure, withOverride).extraBody, { logit_bias: { 2212: -100 } });
  });

  it('refuses a token that is part of a character: it has no text to look up', () => {
    const plan = planBiasKey({ token: '\\xf0\\x9f\\x92', bytes: [0xf0, 0x9f, 0x92] }, caps('OpenAI', 'gpt-4o'), context('gpt-4o'));
    assert.match((plan as { reason: string }).reason, /part of a character/);
  });
});

describe('logit bias: ids from the response, and string keys (llama.cpp)', () => {
  const llamaCpp = caps('llama.cpp server', 'default');

  it('keys recorded tokens by the ids the server sent, in the array form, even a partial-character alternative', async () => {
    const tokens = tokensOf('llamacpp-oai-chat-stream-multibyte-issue.sse.txt');
    const sampled = tokens[0]!; // "овые", id 129377
    const partial = (tokens[1] as TokenLike & { top_logprobs: TokenLike[] }).top_logprobs[1]!; // "�", bytes [169], id 102
    const list = [await entryFor(sampled, BAN_BIAS, llamaCpp, context('default')), await entryFor(partial, 5, llamaCpp, context('default'))];
    assert.deepEqual(list.map((entry) => entry.source), ['response-id', 'response-id']);
    assert.deepEqual(logitBiasBody(list, llamaCpp, context('default')).extraBody, { logit_bias: [[129377, -100], [102, 5]] });
  });

  it('sends the text where no id came back, in the array form so "42" stays text', async () => {
    const entry = await entryFor({ token: '42' }, 5, llamaCpp, context('default'));
    assert.equal(entry.source, 'string-key');
    assert.deepEqual(logitBiasBody([entry], llamaCpp, context('default')).extraBody, { logit_bias: [['42', 5]] });
    assert.match(biasHoverNote(entry, llamaCpp), /Sent as text: the server biased every token of that text\./);
  });

  it('falls back to the text when the ids belong to another model', async () => {
    const entry = await entryFor({ token: ' Paris', id: 12366 }, BAN_BIAS, llamaCpp, context('qwen'));
    assert.deepEqual(logitBiasBody([entry], llamaCpp, context('llama')).extraBody, { logit_bias: [[' Paris', -100]] });
  });
});

describe('logit bias: where it cannot be sent', () => {
  it('refuses on Ollama and names the backends that take it', () => {
    const plan = planBiasKey({ token: ' Paris' }, caps('Ollama', 'llama3.2'), context('llama3.2', 'Ollama'));
    assert.match((plan as { reason: string }).reason, /^Ban and Boost need logit_bias, which Ollama \(Chat Completions\) does not take\. It works with OpenAI, Azure OpenAI, llama\.cpp server, vLLM/);
  });

  it('sends nothing, and says why, for entries an endpoint cannot use', async () => {
    const o200k = await entryFor({ token: ' great' }, BAN_BIAS, caps('OpenAI', 'gpt-4o'), context('gpt-4o'));
    const onGpt4 = logitBiasBody([o200k], caps('OpenAI', 'gpt-4'), context('gpt-4'));
    assert.deepEqual(onGpt4.extraBody, {});
    assert.deepEqual(onGpt4.skipped.map((skip) => skip.reason), ['its id belongs to the o200k_base encoding, not to this endpoint\'s model "gpt-4"']);
    const onOllama = logitBiasBody([o200k], caps('Ollama', 'llama3.2'), context('llama3.2', 'Ollama'));
    assert.deepEqual(onOllama.extraBody, {});
    assert.equal(onOllama.skipped.length, 1);
    const textOnVllm = logitBiasBody([{ text: ' great', bias: 5, source: 'string-key' }], caps('vLLM', 'm'), context('m'));
    assert.deepEqual(textOnVllm.skipped.map((skip) => skip.reason), ['it was added as text, and this server takes token ids only']);
    assert.deepEqual(logitBiasBody([], caps('OpenAI', 'gpt-4o'), context('gpt-4o')), { extraBody: {}, applied: [], skipped: [] });
  });

  it('bans a vLLM sampled token by the id it came with, and refuses an alternative that came without one, saying why', async () => {
    const model = 'Qwen/Qwen2.5-7B-Instruct';
    // steering-vllm-paris.sse.txt: " Paris" came with token_ids [12095]; its alternative " located" with none.
    const paris = tokensOf('../steering/steering-vllm-paris.sse.txt')[5]!;
    const entry = await entryFor(paris, BAN_BIAS, caps('vLLM', model), context(model, 'vLLM'));
    assert.deepEqual(entry, { text: ' Paris', bias: -100, source: 'response-id', ids: [12095], vocabulary: `model:${model}` });
    assert.deepEqual(logitBiasBody([entry], caps('vLLM', model), context(model)).extraBody, { logit_bias: { 12095: -100 } });
    const located = (paris as TokenEntry).top_logprobs![1]!;
    assert.equal(located.token, ' located');
    const plan = planBiasKey(located, caps('vLLM', model), context(model, 'vLLM'));
    assert.match((plan as { reason: string }).reason, /^vLLM takes token ids in logit_bias, and sends them for the tokens it sampled when asked \(return_token_ids, vLLM 0\.10\.2 or later\), never for the alternatives: this token came without one\./);
  });
});

describe('token ids asked for where a backend sends them only when asked', () => {
  const request = (apiStyle: CompletionRequest['apiStyle'] = 'chat'): CompletionRequest => ({ apiStyle, model: 'm', topLogprobs: 5, sampling: {}, messages: [{ role: 'user', content: 'x' }] });

  it('asks vLLM\'s chat, and nothing else', () => {
    assert.equal(withTokenIds(request(), caps('vLLM', 'm')).returnTokenIds, true);
    for (const [preset, apiStyle] of [['vLLM', 'completions'], ['vLLM', 'responses'], ['OpenAI', 'chat'], ['llama.cpp server', 'chat'], ['Together', 'chat']] as const) {
      const unasked = request(apiStyle);
      assert.equal(withTokenIds(unasked, defaultCapabilities({ preset, apiStyle, model: 'm' })), unasked, `${preset} ${apiStyle}`);
    }
    // A request made for vLLM, sent to an endpoint that does not take the field, no longer asks.
    assert.equal(withTokenIds({ ...request(), returnTokenIds: true }, caps('OpenAI', 'gpt-4o')).returnTokenIds, false);
    assert.equal(withTokenIds(request(), { ...caps('vLLM', 'm'), responseTokenIds: 'none' }).returnTokenIds, undefined);
  });

  it('sends return_token_ids to vLLM and not to OpenAI, and the next request bans by the id that came back', async () => {
    const server = await startReplayServer();
    try {
      const client = createClient({ baseUrl: server.baseUrl, apiKey: undefined, headers: {}, timeoutMs: 10_000 });
      const model = 'steering-vllm-paris';
      const vllm = caps('vLLM', model);
      const run = async (sent: CompletionRequest): Promise<TokenEntry[]> => {
        const tokens: TokenEntry[] = [];
        for await (const delta of streamChat(client, sent, new AbortController().signal)) tokens.push(...delta.tokens);
        return tokens;
      };
      const tokens = await run(withTokenIds({ ...request(), model }, vllm));
      assert.equal(server.requests[0]!.body!.return_token_ids, true);
      const entry = await entryFor(tokens[5]!, BAN_BIAS, vllm, context(model, 'vLLM'));
      await run(withLogitBias(withTokenIds({ ...request(), model }, vllm), logitBiasBody([entry], vllm, context(model))));
      assert.deepEqual(server.requests[1]!.body!.logit_bias, { 12095: -100 });
      assert.equal(server.requests[1]!.body!.return_token_ids, true);
      await run(withTokenIds({ ...request(), model }, caps('OpenAI', 'gpt-4o')));
      assert.equal('return_token_ids' in server.requests[2]!.body!, false);
    } finally {
      await server.close();
    }
  });
});

describe('logit bias: the list and the hover', () => {
  const entry = (text: string, bias: number): LogitBiasEntry => ({ text, bias, source: 'tokenizer', ids: [1], vocabulary: 'o200k_base' });

  it('replaces an entry for the same text (Ban then Boost is Boost), removes by index, and has a cap', () => {
    const list = addBias([entry(' a', -100), entry(' b', -100)], entry(' a', 5)) as LogitBiasEntry[];
    assert.deepEqual(list.map((e) => [e.text, e.bias]), [[' b', -100], [' a', 5]]);
    assert.deepEqual(removeBias(list, 0).map((e) => e.text), [' a']);
    const full = Array.from({ length: MAX_BIAS_ENTRIES }, (_, i) => entry(`t${i}`, 5));
    assert.equal((addBias(full, entry('one more', 5)) as { kind: string }).kind, 'refused');
  });

  it('keeps biases within -100..100 and falls back on nonsense', () => {
    assert.equal(clampBias(250), 100);
    assert.equal(clampBias(-1e9), -100);
    assert.equal(clampBias(Number.NaN), 5);
    assert.equal(clampBias('5'), 5);
  });

  it('reads a stored list back, dropping malformed entries', () => {
    const good = [entry(' a', -100), { text: 'x', bias: 3, source: 'string-key' } as LogitBiasEntry];
    assert.deepEqual(readBiasList(JSON.parse(JSON.stringify(good))), good);
    assert.deepEqual(readBiasList([{ text: 'x', bias: 1, source: 'tokenizer' }, { text: 'y', bias: 1, source: 'magic' }, null, 7, { text: 'z', bias: 1, source: 'response-id', ids: [-1], vocabulary: 'model:m' }]), []);
    assert.deepEqual(readBiasList({ text: 'x' }), []);
  });

  it('finds the entry that applied to a token, by id or by text', () => {
    const applied: LogitBiasEntry[] = [{ text: ' x', bias: -100, source: 'response-id', ids: [42], vocabulary: 'model:m' }, entry(' y', 5)];
    assert.equal(findBias({ token: 'other text', id: 42 }, applied)?.bias, -100);
    assert.equal(findBias({ token: ' y' }, applied)?.bias, 5);
    assert.equal(findBias({ token: ' z' }, applied), undefined);
  });

  it('says in the hover that it was biased, and whether the shown logprobs include the bias', () => {
    assert.equal(biasHoverNote(entry(' a', -100), caps('OpenAI', 'gpt-4o')), `**Banned** in this run (logit bias -100). ${LOGPROBS_IGNORE_BIAS_NOTE}`);
    assert.match(biasHoverNote(entry(' a', 5), caps('vLLM', 'm')), /^\*\*Boosted\*\* in this run \(logit bias \+5\)\. The probabilities shown are from before the bias/);
    assert.match(biasHoverNote(entry(' a', -3), caps('Together', 'm')), /^\*\*Lowered\*\*.*is not known for this backend\.$/);
  });
});

describe('logit bias: into every next request, and in words', () => {
  const request = (extraBody?: Record<string, unknown>): CompletionRequest => ({
    apiStyle: 'chat', model: 'gpt-4o', topLogprobs: 5, sampling: {}, messages: [{ role: 'user', content: 'What is 4+4?' }], ...(extraBody ? { extraBody } : {}),
  });

  it('merges the list\'s body into a request\'s extra body, keeping what was there, and leaves it alone when nothing applies', async () => {
    const equals = await entryFor({ token: ' equals' }, BAN_BIAS, caps('OpenAI', 'gpt-4o'), context('gpt-4o'));
    const body = logitBiasBody([equals], caps('OpenAI', 'gpt-4o'), context('gpt-4o'));
    // " equals" in o200k_base, by gpt-tokenizer directly.
    assert.deepEqual(withLogitBias(request({ top_k: 40 }), body).extraBody, { top_k: 40, logit_bias: { [String(o200kEncode(' equals')[0])]: -100 } });
    const nothing = request({ top_k: 40 });
    assert.equal(withLogitBias(nothing, logitBiasBody([], caps('OpenAI', 'gpt-4o'), context('gpt-4o'))), nothing);
  });

  it('starts a branch from the request without the bias it was sent with (the list in force then is merged again)', () => {
    assert.deepEqual(branchBase(request({ logit_bias: { 1: -100 }, top_k: 40 })).extraBody, { top_k: 40 });
    const plain = request();
    assert.equal(branchBase(plain), plain);
  });

  it('uses a response\'s ids only for the model that sent them', () => {
    assert.deepEqual(keyable({ token: ' by', id: 555 }, false), { token: ' by' });
    assert.deepEqual(keyable({ token: ' by', id: 555, bytes: [32, 98, 121] }, true), { token: ' by', id: 555, bytes: [32, 98, 121] });
  });

  it('says how each entry is keyed, and what Ban added, with the several-token case', async () => {
    const thumbs = await entryFor({ token: '👍' }, BAN_BIAS, caps('OpenAI', 'gpt-4'), context('gpt-4'));
    // cl100k_base spells "👍" as three tokens (OpenAI cookbook "How to count tokens with tiktoken": 9468, 239, 235).
    assert.equal(describeBiasKey(thumbs), '3 tokens in cl100k_base (9468, 239, 235): only the first is biased');
    assert.equal(describeBiasKey({ text: 'x', bias: 5, source: 'string-key' }), 'sent as text');
    assert.equal(describeBiasKey({ text: 'x', bias: 5, source: 'response-id', ids: [44022], vocabulary: 'model:default' }), 'id 44022 (from a response of the model "default")');
    assert.equal(biasAddedMessage(thumbs, caps('OpenAI', 'gpt-4'), 'OpenAI', '👍'),
      `Banned “👍” for the next runs on OpenAI (logit bias -100, 3 tokens in cl100k_base (9468, 239, 235): only the first is biased). The probabilities the next answers show are from before the bias: this backend's logprobs do not reflect it.`);
  });
});

describe('the logit-bias probe', () => {
  it('reads whether the ban changed the token and whether the logprobs moved', () => {
    const first = { token: 'OK', logprob: -0.01 };
    assert.deepEqual(readLogitBiasProbe(first, { token: 'OK' }), { ok: false });
    // OpenAI after the ban: another token chosen, the banned one still listed near its old logprob.
    assert.deepEqual(readLogitBiasProbe(first, { token: 'Ok', top_logprobs: [{ token: 'OK', logprob: -0.02 }, { token: 'Ok', logprob: -4.6 }] }), { ok: true, reflectedInLogprobs: false });
    assert.deepEqual(readLogitBiasProbe(first, { token: 'Ok', top_logprobs: [{ token: 'Ok', logprob: -0.3 }] }), { ok: true, reflectedInLogprobs: true });
  });
});
