import * as assert from 'node:assert/strict';
import type { ProbeResult } from '../../src/core/capabilities';
import {
  PRESET_CAPABILITIES, UNKNOWN_CAPABILITIES, applyOverrides, defaultCapabilities, explainMissing, mergeProbe, presetsWith,
  readCapabilityOverrides, readProbeResult, resolveCapabilities,
} from '../../src/core/capabilities';
import { PRESETS } from '../../src/core/presets';

describe('capabilities: defaults before any probe', () => {
  it('has a record for every preset, and nothing for a name that is not one', () => {
    assert.deepEqual(Object.keys(PRESET_CAPABILITIES).sort(), PRESETS.map((preset) => preset.name).sort());
    assert.deepEqual(defaultCapabilities({ preset: 'Not a preset', apiStyle: 'chat', model: 'x' }), UNKNOWN_CAPABILITIES);
    assert.deepEqual(defaultCapabilities({ apiStyle: 'chat', model: 'x' }), UNKNOWN_CAPABILITIES);
  });

  it('knows each documented continuation method on chat (steering-formats.md A)', () => {
    const prefill = (preset: string): string => defaultCapabilities({ preset, apiStyle: 'chat', model: 'm' }).prefill;
    assert.equal(prefill('vLLM'), 'vllm-continue-final-message');
    assert.equal(prefill('llama.cpp server'), 'trailing-assistant');
    assert.equal(prefill('Ollama'), 'trailing-assistant');
    assert.equal(prefill('DeepSeek'), 'deepseek-prefix');
    assert.equal(prefill('OpenAI'), 'none');
    assert.equal(prefill('Azure OpenAI'), 'none');
    assert.equal(defaultCapabilities({ preset: 'llama.cpp server', apiStyle: 'chat', model: 'm' }).prefillNeedsThinkingOff, true);
  });

  it('makes legacy Completions a raw-prompt continuation, with echo scoring only where servers allow echo', () => {
    const openAi = defaultCapabilities({ preset: 'OpenAI', apiStyle: 'completions', model: 'gpt-3.5-turbo-instruct' });
    assert.equal(openAi.prefill, 'completions-prompt');
    assert.equal(openAi.promptScoring, 'completions-echo');
    assert.equal(openAi.maxTopLogprobs, 5); // legacy `logprobs` is capped at 5
    // llama.cpp answers echo with "Only no echo is supported"; Ollama has no echo.
    assert.equal(defaultCapabilities({ preset: 'llama.cpp server', apiStyle: 'completions', model: 'm' }).promptScoring, 'none');
    assert.equal(defaultCapabilities({ preset: 'Ollama', apiStyle: 'completions', model: 'm' }).prefill, 'completions-prompt');
  });

  it('takes prefill, logit_bias, n and samplers away on the Responses API', () => {
    const responses = defaultCapabilities({ preset: 'OpenAI', apiStyle: 'responses', model: 'gpt-4o' });
    assert.equal(responses.prefill, 'none');
    assert.equal(responses.logitBias, 'none');
    assert.equal(responses.n, 'no');
  });

  it('applies the model: OpenAI reasoning models and deepseek-reasoner return no logprobs', () => {
    const logprobs = (preset: string, model: string): string => defaultCapabilities({ preset, apiStyle: 'chat', model }).logprobs;
    for (const model of ['o1', 'o1-mini', 'o3-mini', 'o4-mini-2025-04-16', 'gpt-5', 'gpt-5-mini', 'gpt-5.1']) assert.equal(logprobs('OpenAI', model), 'no', model);
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-nano', 'gpt-5-chat-latest', 'omni-moderation-latest']) assert.equal(logprobs('OpenAI', model), 'yes', model);
    assert.equal(logprobs('DeepSeek', 'deepseek-reasoner'), 'no');
    assert.equal(logprobs('DeepSeek', 'deepseek-chat'), 'yes');
    // A local model that happens to be called o3 is not OpenAI's.
    assert.equal(logprobs('Ollama', 'o3'), 'yes');
  });

  it('gives OpenRouter OpenAI\'s vocabulary only for openai/* models', () => {
    assert.equal(defaultCapabilities({ preset: 'OpenRouter', apiStyle: 'chat', model: 'openai/gpt-4o-mini' }).openAiVocabulary, true);
    assert.equal(defaultCapabilities({ preset: 'OpenRouter', apiStyle: 'chat', model: 'meta-llama/llama-3.3-70b-instruct' }).openAiVocabulary, false);
  });

  it('is plain JSON (stored per profile name)', () => {
    for (const record of Object.values(PRESET_CAPABILITIES)) assert.deepEqual(JSON.parse(JSON.stringify(record)), Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)));
  });
});

describe('capabilities: overrides from the profile', () => {
  it('keeps the valid fields and names each bad one', () => {
    const { overrides, problems } = readCapabilityOverrides({ prefill: 'trailing-assistant', logitBias: 'strings', tokenizerEncoding: 'o200k_base', maxTopLogprobs: 5000, colour: 'red' }, 'endpoints["local"].capabilities');
    assert.deepEqual(overrides, { prefill: 'trailing-assistant', tokenizerEncoding: 'o200k_base' });
    assert.deepEqual(problems, [
      'endpoints["local"].capabilities.logitBias must be one of token-ids, token-ids-or-strings, none',
      'endpoints["local"].capabilities.maxTopLogprobs must be an integer from 0 to 1000',
      'endpoints["local"].capabilities.colour is not a known capability',
    ]);
    assert.deepEqual(readCapabilityOverrides({ responseTokenIds: 'none' }, 'x'), { overrides: { responseTokenIds: 'none' }, problems: [] });
    assert.deepEqual(readCapabilityOverrides({ responseTokenIds: true }, 'x').problems, ['x.responseTokenIds must be one of logprob-entries, vllm-return-token-ids, none']);
    assert.deepEqual(readCapabilityOverrides(undefined, 'x'), { overrides: {}, problems: [] });
    assert.deepEqual(readCapabilityOverrides([], 'x').problems, ['x is not an object']);
  });

  it('win over defaults and probes; a tokenizer encoding means OpenAI\'s vocabulary', () => {
    const context = { preset: 'OpenAI', apiStyle: 'chat' as const, model: 'prod-deployment' };
    const probe: ProbeResult = { model: 'prod-deployment', apiStyle: 'chat', checkedAt: '2026-01-01T00:00:00Z', prefill: { style: 'trailing-assistant', continues: false, echoesPrefix: false } };
    const record = resolveCapabilities(context, probe, { prefill: 'mistral-prefix' });
    assert.equal(record.prefill, 'mistral-prefix');
    assert.equal(applyOverrides(UNKNOWN_CAPABILITIES, { tokenizerEncoding: 'cl100k_base' }).openAiVocabulary, true);
  });
});

describe('capabilities: probe results', () => {
  const base = { model: 'm', apiStyle: 'chat' as const, checkedAt: '2026-01-01T00:00:00Z' };

  it('turns a continuing prefill probe into the style, and a failed one into none', () => {
    const continued = mergeProbe(UNKNOWN_CAPABILITIES, { ...base, prefill: { style: 'trailing-assistant', continues: true, echoesPrefix: true } });
    assert.equal(continued.prefill, 'trailing-assistant');
    assert.equal(continued.prefillEchoesPrefix, true);
    const ollama = PRESET_CAPABILITIES.Ollama!;
    assert.equal(mergeProbe(ollama, { ...base, prefill: { style: 'trailing-assistant', continues: false, echoesPrefix: false } }).prefill, 'none');
  });

  it('turns logit bias off when the ban did nothing, and records whether logprobs moved with it', () => {
    const vllm = PRESET_CAPABILITIES.vLLM!;
    assert.equal(mergeProbe(vllm, { ...base, logitBias: { ok: false } }).logitBias, 'none');
    assert.equal(mergeProbe(vllm, { ...base, logitBias: { ok: true, reflectedInLogprobs: true } }).logprobsReflectBias, 'yes');
    assert.equal(mergeProbe(vllm, { ...base, logitBias: { ok: true, reflectedInLogprobs: false } }).logprobsReflectBias, 'no');
  });

  it('records a lower alternative cap, n and token ids', () => {
    const merged = mergeProbe(UNKNOWN_CAPABILITIES, { ...base, logprobs: { ok: true, alternatives: 5 }, n: { ok: true, streaming: false }, responseTokenIds: true });
    assert.equal(merged.maxTopLogprobs, 5);
    assert.equal(merged.n, 'yes');
    assert.equal(merged.nWithStreaming, 'no');
    assert.equal(merged.responseTokenIds, 'logprob-entries');
  });

  it('keeps vLLM\'s way of asking for ids when they came back, and stops asking when they did not', () => {
    const vllm = PRESET_CAPABILITIES.vLLM!;
    assert.equal(vllm.responseTokenIds, 'vllm-return-token-ids');
    assert.equal(mergeProbe(vllm, { ...base, responseTokenIds: true }).responseTokenIds, 'vllm-return-token-ids');
    // A vLLM older than 0.10.2 ignores return_token_ids: no ids, so it is not asked again.
    assert.equal(mergeProbe(vllm, { ...base, responseTokenIds: false }).responseTokenIds, 'none');
    // Only chat chunks are read for vLLM's token_ids.
    for (const apiStyle of ['completions', 'responses'] as const) assert.equal(defaultCapabilities({ preset: 'vLLM', apiStyle, model: 'm' }).responseTokenIds, 'none', apiStyle);
    assert.equal(defaultCapabilities({ preset: 'llama.cpp server', apiStyle: 'completions', model: 'm' }).responseTokenIds, 'logprob-entries');
    assert.equal(PRESET_CAPABILITIES.OpenAI!.responseTokenIds, 'none');
  });

  it('ignores a probe of another model or API style', () => {
    const probe: ProbeResult = { ...base, model: 'other', logprobs: { ok: false, alternatives: 0 } };
    assert.equal(resolveCapabilities({ preset: 'vLLM', apiStyle: 'chat', model: 'm' }, probe).logprobs, 'yes');
  });

  it('reads stored results back, dropping malformed fields and refusing malformed records', () => {
    const stored: ProbeResult = { ...base, logprobs: { ok: true, alternatives: 20 }, prefill: { style: 'deepseek-prefix', continues: true, echoesPrefix: false }, logitBias: { ok: true, reflectedInLogprobs: false }, responseTokenIds: false, n: { ok: false, streaming: false }, promptScoring: 'none' };
    assert.deepEqual(readProbeResult(JSON.parse(JSON.stringify(stored))), stored);
    assert.deepEqual(readProbeResult({ ...base, prefill: { style: 'rm -rf', continues: true, echoesPrefix: false }, n: 'yes' }), base);
    assert.equal(readProbeResult({ ...base, apiStyle: 'grpc' }), undefined);
    assert.equal(readProbeResult('{"model":"m"}'), undefined);
    assert.equal(readProbeResult(null), undefined);
  });
});

describe('capabilities: explaining what is missing before sending', () => {
  it('names the setups that can continue an answer, and says nothing where it works', () => {
    const openAi = defaultCapabilities({ preset: 'OpenAI', apiStyle: 'chat', model: 'gpt-4o' });
    const message = explainMissing('continue', openAi, { endpointLabel: 'OpenAI', apiStyle: 'chat' })!;
    assert.match(message, /^Continue from here needs an assistant prefill or legacy Completions, and OpenAI \(Chat Completions\) has neither\./);
    for (const name of ['Ollama', 'llama.cpp server', 'vLLM', 'DeepSeek', 'Completions-capable model']) assert.ok(message.includes(name), name);
    assert.equal(explainMissing('continue', PRESET_CAPABILITIES.vLLM!, { endpointLabel: 'vLLM', apiStyle: 'chat' }), undefined);
  });

  it('names the backends with logit_bias, and those that score text', () => {
    const ollama = PRESET_CAPABILITIES.Ollama!;
    const bias = explainMissing('logit-bias', ollama, { endpointLabel: 'Local Ollama', apiStyle: 'chat' })!;
    assert.match(bias, /Local Ollama \(Chat Completions\) does not take/);
    for (const name of ['OpenAI', 'llama.cpp server', 'vLLM']) assert.ok(bias.includes(name), name);
    assert.ok(!bias.includes('Ollama,'));
    assert.match(explainMissing('prompt-scoring', ollama, { endpointLabel: 'Ollama', apiStyle: 'chat' })!, /vLLM returns them \(prompt_logprobs\)/);
  });

  it('lists exactly the presets whose defaults have a feature', () => {
    assert.deepEqual(presetsWith('continue'), ['Ollama', 'llama.cpp server', 'vLLM', 'DeepSeek']);
    assert.deepEqual(presetsWith('logit-bias'), ['OpenAI', 'Azure OpenAI', 'llama.cpp server', 'vLLM', 'OpenRouter', 'Together']);
  });
});
