import * as assert from 'node:assert/strict';
import type { EndpointIdentity } from '../../src/core/samplers';
import { applyWrites, recognisePreset, samplerBody, samplerSupport, samplingContext } from '../../src/core/samplers';
import type { InspectedSetting } from '../../src/core/settings/schema';

const endpoint = (baseUrl: string, changes: Partial<EndpointIdentity> = {}): EndpointIdentity => ({ baseUrl, profileName: undefined, apiStyle: 'chat', model: 'm', ...changes });

describe('samplers: which backend an endpoint is', () => {
  it('recognises services by their host, whatever the profile is called', () => {
    assert.equal(recognisePreset(endpoint('https://api.openai.com/v1')), 'OpenAI');
    assert.equal(recognisePreset(endpoint('https://my-resource.openai.azure.com/openai', { profileName: 'vLLM' })), 'Azure OpenAI');
    assert.equal(recognisePreset(endpoint('https://openrouter.ai/api/v1')), 'OpenRouter');
    assert.equal(recognisePreset(endpoint('https://api.together.xyz/v1')), 'Together');
    assert.equal(recognisePreset(endpoint('https://api.deepseek.com/v1')), 'DeepSeek');
  });

  it('recognises a profile made from a preset by its name, numbered or not', () => {
    assert.equal(recognisePreset(endpoint('http://127.0.0.1:9000/v1', { profileName: 'vLLM' })), 'vLLM');
    assert.equal(recognisePreset(endpoint('http://gpu-box:9000/v1', { profileName: 'llama.cpp server 2' })), 'llama.cpp server');
    assert.equal(recognisePreset(endpoint('http://127.0.0.1:9000/v1', { profileName: 'my vLLM' })), undefined, 'a name of the user\'s own');
  });

  it('recognises local servers on their default ports, on loopback hosts only', () => {
    assert.equal(recognisePreset(endpoint('http://localhost:11434/v1')), 'Ollama');
    assert.equal(recognisePreset(endpoint('http://127.0.0.1:8080/v1')), 'llama.cpp server');
    assert.equal(recognisePreset(endpoint('http://[::1]:8000/v1')), 'vLLM');
    assert.equal(recognisePreset(endpoint('http://localhost:1234/v1')), 'LM Studio');
    assert.equal(recognisePreset(endpoint('https://models.example.com:8000/v1')), undefined, 'port 8000 elsewhere says nothing');
    assert.equal(recognisePreset(endpoint('http://127.0.0.1:9999/v1')), undefined);
    assert.equal(recognisePreset(endpoint('not a url')), undefined);
  });
});

describe('samplers: what each backend takes', () => {
  it('sends top_k and min_p to vLLM, llama.cpp, Together and OpenRouter under their own fields', () => {
    for (const baseUrl of ['http://127.0.0.1:8000/v1', 'http://127.0.0.1:8080/v1', 'https://api.together.xyz/v1', 'https://openrouter.ai/api/v1']) {
      assert.deepEqual(samplerSupport(endpoint(baseUrl)).fields, { topK: 'top_k', minP: 'min_p' }, baseUrl);
    }
    assert.deepEqual(samplerBody({ topK: 40, minP: 0.05 }, samplerSupport(endpoint('http://127.0.0.1:8000/v1')).fields), { top_k: 40, min_p: 0.05 });
    assert.deepEqual(samplerBody({ topK: 40, minP: undefined }, { topK: 'top_k', minP: 'min_p' }), { top_k: 40 });
  });

  it('sends neither to OpenAI, Ollama\'s OpenAI endpoint, the Responses API or an unknown server, and says why', () => {
    const ollama = samplerSupport(endpoint('http://localhost:11434/v1'));
    assert.deepEqual(ollama.fields, { topK: undefined, minP: undefined });
    assert.equal(samplerBody({ topK: 40, minP: 0.05 }, ollama.fields), undefined);
    assert.match(ollama.note, /^Whether Ollama reports .* Not sent: top_k and min_p \(Ollama does not take them here\)\.$/);
    assert.match(samplerSupport(endpoint('https://api.openai.com/v1')).note, /^OpenAI's logprobs .* Not sent: top_k and min_p \(OpenAI does not take them here\)\.$/);
    // LM Studio takes top_k on its chat endpoint (capabilities.ts), but the preset uses the Responses API.
    assert.deepEqual(samplerSupport(endpoint('http://localhost:1234/v1', { apiStyle: 'chat' })).fields, { topK: 'top_k', minP: undefined });
    assert.match(samplerSupport(endpoint('http://localhost:1234/v1', { apiStyle: 'responses' })).note, /Not sent: top_k and min_p \(the Responses API has no such field\)/);
    const unknown = samplerSupport(endpoint('http://127.0.0.1:9999/v1'));
    assert.equal(unknown.preset, undefined);
    assert.match(unknown.note, /not recognised.*sent to llama\.cpp server, vLLM, OpenRouter, Together/);
  });

  it('reads the fields from a record the caller resolved (a probe or an override)', () => {
    const support = samplerSupport(endpoint('http://127.0.0.1:9999/v1'), { samplers: { topK: 'top_k' } } as Parameters<typeof samplerSupport>[1]);
    assert.deepEqual(support.fields, { topK: 'top_k', minP: undefined });
    assert.match(support.note, /Not sent: min_p\./);
  });

  it('tells the page what the backend takes', () => {
    const context = samplingContext({ temperature: 0.7, topP: null, topK: 40, minP: null }, samplerSupport(endpoint('http://127.0.0.1:8000/v1')));
    assert.deepEqual(context.accepts, { topK: true, minP: true });
    assert.equal(context.backendNote, 'vLLM reports the model\'s distribution before its sampler (temperature, top-k, top-p, min-p, penalties).');
  });
});

describe('samplers: where Apply writes', () => {
  const none = (): InspectedSetting => ({ defaultValue: null });
  const all = { topK: true, minP: true };

  it('writes what changed into the user\'s settings, and leaves what is already in effect', () => {
    const inspected: Record<string, InspectedSetting> = { temperature: { defaultValue: null, globalValue: 0.5 } };
    const writes = applyWrites({ temperature: 0.5, topP: 0.9, topK: 40, minP: null }, all, (key) => inspected[key] ?? none(), true);
    assert.deepEqual(writes, [{ key: 'topP', value: 0.9, target: 'user' }, { key: 'topK', value: 40, target: 'user' }]);
  });

  it('writes into a trusted workspace that sets the parameter, since its value is the one in effect', () => {
    const inspected: Record<string, InspectedSetting> = { temperature: { defaultValue: null, globalValue: 1, workspaceValue: 0.2 } };
    const inspect = (key: string): InspectedSetting => inspected[key] ?? none();
    assert.deepEqual(applyWrites({ temperature: 0.7, topP: null, topK: null, minP: null }, all, inspect, true), [{ key: 'temperature', value: 0.7, target: 'workspace' }]);
    // Untrusted, the workspace's value of a restricted setting is ignored: the user's 1 is in effect, and is replaced.
    assert.deepEqual(applyWrites({ temperature: 0.7, topP: null, topK: null, minP: null }, all, inspect, false), [{ key: 'temperature', value: 0.7, target: 'user' }]);
  });

  it('removes a value for the server\'s default, or writes null where the user\'s value would show through', () => {
    const inspect = (key: string): InspectedSetting => (key === 'topP' ? { defaultValue: null, globalValue: 0.9 }
      : key === 'temperature' ? { defaultValue: null, globalValue: 0.8, workspaceValue: 0.3 } : none());
    assert.deepEqual(applyWrites({ temperature: null, topP: null, topK: null, minP: null }, all, inspect, true), [
      { key: 'temperature', value: null, target: 'workspace' },
      { key: 'topP', value: undefined, target: 'user' },
    ]);
  });

  it('leaves top_k and min_p alone when the backend does not take them', () => {
    const inspected: Record<string, InspectedSetting> = { topK: { defaultValue: null, globalValue: 50 } };
    const writes = applyWrites({ temperature: 1, topP: null, topK: null, minP: null }, { topK: false, minP: false }, (key) => inspected[key] ?? none(), true);
    assert.deepEqual(writes, [{ key: 'temperature', value: 1, target: 'user' }], 'the user\'s top_k 50 may be meant for another endpoint');
  });
});
