import * as assert from 'node:assert/strict';
import { createClient, streamChat } from '../../src/client/requests';
import type { Capabilities } from '../../src/core/capabilities';
import { resolveCapabilities } from '../../src/core/capabilities';
import { promptMessages } from '../../src/core/request';
import type { EndpointIdentity } from '../../src/core/samplers';
import { applyWrites, recognisePreset, samplerBody, samplerSupport, samplingContext } from '../../src/core/samplers';
import type { InspectedSetting, SettingKey } from '../../src/core/settings/schema';
import { SETTINGS } from '../../src/core/settings/schema';
import type { LensSettings } from '../../src/core/settings/snapshot';
import { readLensSettings } from '../../src/core/settings/snapshot';
import type { ReplayServer } from '../support/replayServer';
import { startReplayServer } from '../support/replayServer';

const endpoint = (baseUrl: string, changes: Partial<EndpointIdentity> = {}): EndpointIdentity =>
  ({ baseUrl, profileName: undefined, preset: undefined, apiStyle: 'chat', model: 'm', ...changes });

/** The settings snapshot of one profile in `logprobLens.endpoints`, chosen as the endpoint, with top_k 40 and min_p 0.05. */
function profileSettings(name: string, profile: Record<string, unknown>): LensSettings {
  const levels: Partial<Record<SettingKey, InspectedSetting>> = {
    endpoints: { defaultValue: {}, globalValue: { [name]: profile } }, endpoint: { defaultValue: '', globalValue: name },
    topK: { defaultValue: null, globalValue: 40 }, minP: { defaultValue: null, globalValue: 0.05 },
  };
  return readLensSettings({ inspect: (key) => levels[key] ?? { defaultValue: SETTINGS[key].default }, trusted: true }).settings;
}

/** What steering's capabilitiesOf does (vscode/steering/capabilityStore.ts), with no probe stored. */
const steeringCapabilities = (settings: LensSettings): Capabilities =>
  resolveCapabilities({ preset: settings.preset, apiStyle: settings.apiStyle, model: settings.model }, undefined, settings.capabilityOverrides);

const VLLM_NOTE = 'vLLM reports the model\'s distribution before its sampler (temperature, top-k, top-p, min-p, penalties).';
const LLAMACPP_NOTE = 'llama.cpp reports the model\'s distribution before its sampler (unless post_sampling_probs is set).';

describe('samplers: which backend an endpoint is', () => {
  it('takes the profile\'s own preset first, whatever the profile is called and wherever it is', () => {
    assert.equal(recognisePreset(endpoint('http://gpu-box:9000/v1', { profileName: 'gpu-box', preset: 'vLLM' })), 'vLLM');
    assert.equal(recognisePreset(endpoint('https://llm.example.com/v1', { profileName: 'box', preset: 'llama.cpp server' })), 'llama.cpp server');
    assert.equal(recognisePreset(endpoint('http://localhost:11434/v1', { profileName: 'Ollama', preset: 'vLLM' })), 'vLLM', 'before its name and port');
  });

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

  it('reads the fields from the record the caller resolves, for the preset it recognised', () => {
    const asked: (string | undefined)[] = [];
    const support = samplerSupport(endpoint('http://127.0.0.1:9999/v1', { profileName: 'vLLM 2' }), (of) => {
      asked.push(of.preset);
      return { samplers: { topK: 'top_k' } } as Capabilities;
    });
    assert.deepEqual(asked, ['vLLM'], 'the preset its name tells, so that steering resolves vLLM\'s record');
    assert.deepEqual(support.fields, { topK: 'top_k', minP: undefined });
    assert.match(support.note, /^vLLM reports .* Not sent: min_p \(vLLM does not take it here\)\.$/);
  });

  it('tells the page what the backend takes', () => {
    const context = samplingContext({ temperature: 0.7, topP: null, topK: 40, minP: null }, samplerSupport(endpoint('http://127.0.0.1:8000/v1')));
    assert.deepEqual(context.accepts, { topK: true, minP: true });
    assert.equal(context.backendNote, VLLM_NOTE);
  });
});

describe('samplers: a profile whose name is not its preset', () => {
  let server: ReplayServer;
  beforeEach(async () => {
    server = await startReplayServer();
  });
  afterEach(() => server.close());

  /** The body streamChat sends for a request built as a run builds it (vscode/runs/completion.ts promptRequest). */
  async function sentBody(settings: LensSettings): Promise<Record<string, unknown>> {
    const extraBody = samplerBody(settings.samplers, samplerSupport(settings, steeringCapabilities).fields);
    const request = { apiStyle: settings.apiStyle, model: settings.model, messages: promptMessages('Say foo.', undefined), topLogprobs: 5, sampling: settings.sampling, extraBody };
    const client = createClient({ baseUrl: settings.baseUrl, apiKey: undefined, headers: {}, timeoutMs: 10_000 });
    for await (const delta of streamChat(client, request, new AbortController().signal)) assert.ok(delta);
    return server.requests[0]!.body!;
  }

  for (const [name, preset, note] of [['gpu-box', 'vLLM', VLLM_NOTE], ['box', 'llama.cpp server', LLAMACPP_NOTE]] as const) {
    it(`gives "${name}" with preset ${preset} top_k and min_p, in Apply and in the request, labelled as ${preset}`, async () => {
      const settings = profileSettings(name, { baseUrl: server.baseUrl, model: 'openai-chat-stream-logprobs-sayfoo', preset });
      const support = samplerSupport(settings, steeringCapabilities);
      assert.equal(support.preset, preset);
      const context = samplingContext({ temperature: 1, topP: null, topK: 40, minP: 0.05 }, support);
      assert.deepEqual(context.accepts, { topK: true, minP: true }, 'what Apply writes');
      assert.equal(context.backendNote, note);
      const body = await sentBody(settings);
      assert.equal(body.top_k, 40);
      assert.equal(body.min_p, 0.05);
    });
  }

  it('keeps Ollama\'s deviation: a profile with preset Ollama gets neither, and the note says why', async () => {
    const settings = profileSettings('home', { baseUrl: server.baseUrl, model: 'openai-chat-stream-logprobs-sayfoo', preset: 'Ollama' });
    const support = samplerSupport(settings, steeringCapabilities);
    assert.deepEqual(support.fields, { topK: undefined, minP: undefined });
    assert.match(support.note, /its OpenAI endpoint takes temperature and top_p, not top_k or min_p\. Not sent: top_k and min_p \(Ollama does not take them here\)\.$/);
    const body = await sentBody(settings);
    assert.equal('top_k' in body, false);
    assert.equal('min_p' in body, false);
  });

  it('without a preset, a profile of the user\'s own name on an unusual port is not recognised, and the note says how to tell it', async () => {
    const settings = profileSettings('gpu-box', { baseUrl: server.baseUrl, model: 'openai-chat-stream-logprobs-sayfoo' });
    const support = samplerSupport(settings, steeringCapabilities);
    assert.equal(support.preset, undefined);
    assert.match(support.note, /not recognised.*name one as the profile's "preset" in logprobLens\.endpoints\.$/);
    const body = await sentBody(settings);
    assert.equal('top_k' in body, false);
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
