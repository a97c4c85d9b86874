import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProbeResult } from '../../src/core/capabilities';
import { PRESET_CAPABILITIES, describeProbe, missingBeforeSending, resolveCapabilities } from '../../src/core/capabilities';
import { presetForUrl, readProfile } from '../../src/core/presets';
import type { InspectedSetting, SettingKey } from '../../src/core/settings/schema';
import { SETTINGS } from '../../src/core/settings/schema';
import { readLensSettings } from '../../src/core/settings/snapshot';
import { repoRoot } from '../support/fixtures';

function source(levels: Partial<Record<SettingKey, InspectedSetting>>) {
  return { inspect: (key: SettingKey): InspectedSetting => ({ defaultValue: SETTINGS[key].default, ...levels[key] }), trusted: true };
}

const checkedAt = '2026-03-01T10:00:00.000Z';

describe('profiles: the preset and what the user knows about the server', () => {
  it('reads a profile\'s preset and capability overrides, and reports each bad field without losing the profile', () => {
    const problems: string[] = [];
    const profile = readProfile('local', {
      baseUrl: 'http://localhost:8080/v1/', model: 'qwen', preset: 'llama.cpp server',
      capabilities: { prefill: 'vllm-continue-final-message', logitBias: 'maybe', tokenizerEncoding: 'o200k_base' },
    }, problems);
    assert.deepEqual(profile, {
      baseUrl: 'http://localhost:8080/v1', model: 'qwen', apiStyle: 'chat', headers: {}, preset: 'llama.cpp server',
      capabilities: { prefill: 'vllm-continue-final-message', tokenizerEncoding: 'o200k_base' },
    });
    assert.deepEqual(problems, ['logprobLens.endpoints["local"].capabilities.logitBias must be one of token-ids, token-ids-or-strings, none']);
    const unknown: string[] = [];
    const typo = readProfile('typo', { baseUrl: 'http://localhost:1/v1', model: 'm', preset: 'Llama.cpp' }, unknown);
    assert.equal(typeof typo === 'object' && typo.preset, undefined);
    assert.match(unknown[0]!, /^logprobLens\.endpoints\["typo"\]\.preset must be one of OpenAI, Azure OpenAI, Ollama, llama\.cpp server, vLLM/);
  });

  it('knows a hosted endpoint by its host, and never guesses a local server from a port', () => {
    assert.equal(presetForUrl('https://api.openai.com/v1'), 'OpenAI');
    assert.equal(presetForUrl('https://API.DeepSeek.com/beta'), 'DeepSeek');
    assert.equal(presetForUrl('https://openrouter.ai/api/v1'), 'OpenRouter');
    assert.equal(presetForUrl('https://api.together.xyz/v1'), 'Together');
    assert.equal(presetForUrl('https://contoso.openai.azure.com/openai'), 'Azure OpenAI');
    assert.equal(presetForUrl('http://localhost:11434/v1'), undefined);
    assert.equal(presetForUrl('http://127.0.0.1:8000/v1'), undefined);
    assert.equal(presetForUrl('not a url'), undefined);
  });

  it('puts the preset, the overrides, the branch output and the boost into the settings snapshot', () => {
    const endpoints = { local: { baseUrl: 'http://localhost:8000/v1', model: 'm', preset: 'vLLM', capabilities: { prefillEchoesPrefix: true } } };
    const { settings, problems } = readLensSettings(source({
      endpoints: { globalValue: endpoints }, endpoint: { globalValue: 'local' }, branchOutput: { globalValue: 'beside' }, boostBias: { globalValue: 300 },
    }));
    assert.equal(settings.preset, 'vLLM');
    assert.deepEqual(settings.capabilityOverrides, { prefillEchoesPrefix: true });
    assert.equal(settings.branchOutput, 'beside');
    assert.equal(settings.boostBias, 100);
    assert.deepEqual(problems, ['logprobLens.boostBias = 300 is outside numbers from 0 to 100; using 100.']);
    const defaults = readLensSettings(source({})).settings;
    assert.equal(defaults.preset, 'OpenAI', 'the default endpoint is api.openai.com');
    assert.equal(defaults.branchOutput, 'replace');
    assert.equal(defaults.boostBias, 5);
  });

  it('declares the same preset names in package.json as the capability table has', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { additionalProperties: { properties: Record<string, { enum?: string[] }> } }> } };
    };
    const endpoint = manifest.contributes.configuration.properties['logprobLens.endpoints']!.additionalProperties.properties;
    assert.deepEqual(endpoint.preset!.enum, Object.keys(PRESET_CAPABILITIES));
  });
});

describe('capabilities: said before sending', () => {
  const context = (preset: string | undefined, model = 'm') => ({ preset, apiStyle: 'chat' as const, model, endpointLabel: 'Local' });

  it('tries scoring on an endpoint nothing is known about, and refuses it where the preset or a probe says none', () => {
    const unknown = resolveCapabilities(context(undefined));
    assert.equal(missingBeforeSending('prompt-scoring', unknown, context(undefined)), undefined);
    const ollama = resolveCapabilities(context('Ollama'));
    assert.match(missingBeforeSending('prompt-scoring', ollama, context('Ollama'))!, /^Scoring text needs prompt logprobs, which Local \(Chat Completions\) does not return\./);
    const probe: ProbeResult = { model: 'm', apiStyle: 'chat', checkedAt, promptScoring: 'none' };
    const measured = resolveCapabilities(context(undefined), probe);
    assert.match(missingBeforeSending('prompt-scoring', measured, context(undefined), { probe })!, /\(Check Endpoint found this on 2026-03-01; run it again after changing the server\.\)$/);
  });

  it('refuses a continuation on OpenAI chat before sending, naming who can, and goes ahead on vLLM', () => {
    const openAi = resolveCapabilities(context('OpenAI', 'gpt-4o'));
    assert.match(missingBeforeSending('continue', openAi, context('OpenAI', 'gpt-4o'))!, /It works with Ollama, llama\.cpp server, vLLM, DeepSeek, or a Completions-capable model/);
    assert.equal(missingBeforeSending('continue', resolveCapabilities(context('vLLM')), context('vLLM')), undefined);
  });

  it('says which probe decided, and only for a probe of this model', () => {
    const probe: ProbeResult = { model: 'other', apiStyle: 'chat', checkedAt, logprobs: { ok: false, alternatives: 0 } };
    const capabilities = resolveCapabilities(context('vLLM'), probe);
    assert.equal(missingBeforeSending('logprobs', capabilities, context('vLLM'), { probe }), undefined);
  });

  it('reports each probe\'s conclusion in a line, and what did not conclude', () => {
    const probe: ProbeResult = {
      model: 'm', apiStyle: 'chat', checkedAt, logprobs: { ok: true, alternatives: 20 }, responseTokenIds: true,
      prefill: { style: 'trailing-assistant', continues: true, echoesPrefix: false }, n: { ok: false, streaming: false }, promptScoring: 'none',
    };
    assert.deepEqual(describeProbe(probe), [
      '✔ logprobs with up to 20 alternatives (20 asked)',
      '✔ token ids in responses',
      '✔ continues a forced start (a final assistant message)',
      '– logit_bias: not concluded (no way to key a token here, or no answer)',
      '✘ n > 1: one answer per request',
      '✘ no prompt scoring',
    ]);
  });
});
