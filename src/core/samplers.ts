/**
 * top_k and min_p, the samplers beyond temperature and top_p: which backend an endpoint is (as far as its settings
 * tell), which of the two it takes and under which body field, the body they add to a request, what the inspector
 * says about the backend's numbers, and where Apply writes sampling settings so that the next run uses them.
 * A backend that does not take a parameter never gets it: OpenAI refuses an unknown body field with HTTP 400, and
 * Ollama's OpenAI endpoint drops top_k and min_p without a word (docs.ollama.com/api/openai-compatibility lists
 * temperature and top_p among its request fields, neither of these; its native /api/chat takes them as options).
 */
import type { Capabilities } from './capabilities';
import { defaultCapabilities, PRESET_CAPABILITIES } from './capabilities';
import { isLoopback } from './endpoint';
import type { BackendFamily, SamplingContext, SettingsToApply } from './inspectorProtocol';
import { BACKEND_SAMPLING } from './inspectorProtocol';
import { LOCAL_SERVERS, presetForUrl, presetOfProfileName } from './presets';
import type { ApiStyle } from './request';
import type { InspectedSetting } from './settings/schema';
import { effectiveValue, SETTINGS } from './settings/schema';

/** The user's top_k and min_p; `undefined` leaves the server's default. */
export interface ExtraSamplers {
  readonly topK: number | undefined;
  readonly minP: number | undefined;
}

/** What the settings say about where requests go. */
export interface EndpointIdentity {
  readonly baseUrl: string;
  readonly profileName: string | undefined;
  /** The settings' preset: the profile's `preset` field, else the hosted service its URL names (snapshot.ts). */
  readonly preset: string | undefined;
  readonly apiStyle: ApiStyle;
  readonly model: string;
}

/**
 * The preset (presets.ts name) behind an endpoint, as steering knows it, then by heuristics: the profile's own
 * `preset`; else the host of a known service; else the profile's name, which Select Endpoint gives a profile made
 * from a preset ("vLLM", "vLLM 2"); else a local server's default port on a loopback host. `undefined` when
 * nothing tells. The port is a guess steering does not make (presetForUrl): a wrong guess there shapes a
 * continuation wrongly, while here it at worst sends a field the server ignores or refuses, and the note says which.
 */
export function recognisePreset(endpoint: Pick<EndpointIdentity, 'preset' | 'baseUrl' | 'profileName'>): string | undefined {
  return endpoint.preset ?? presetForUrl(endpoint.baseUrl) ?? presetOfProfileName(endpoint.profileName) ?? localServerAt(endpoint.baseUrl);
}

/** The local server whose default port a loopback URL uses. */
function localServerAt(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  if (!isLoopback(url.hostname)) return undefined;
  return LOCAL_SERVERS.find((server) => new URL(server.baseUrl).port === url.port)?.preset;
}

/** What an endpoint does with sampling parameters: the body fields of the extra samplers it takes, and the inspector's note. */
export interface SamplerSupport {
  readonly preset: string | undefined;
  /** Body field names; absent for a parameter the backend does not take. */
  readonly fields: { readonly topK?: string | undefined; readonly minP?: string | undefined };
  /** Whether its logprobs are before its sampler, and what is not sent to it and why. */
  readonly note: string;
}

const FAMILIES: Readonly<Record<string, BackendFamily>> = {
  OpenAI: 'openai', 'Azure OpenAI': 'openai', vLLM: 'vllm', 'llama.cpp server': 'llamacpp', Ollama: 'ollama',
};

/**
 * The extra samplers an endpoint takes, from its capabilities (capabilities.ts, sources in docs/steering.md)
 * resolved for the recognised preset: by `capabilitiesOf` when given (steering's record: the preset's defaults,
 * Check Endpoint's probes, the profile's overrides), else the preset's defaults for the API style.
 */
export function samplerSupport<E extends EndpointIdentity>(endpoint: E, capabilitiesOf?: (endpoint: E) => Capabilities): SamplerSupport {
  const preset = recognisePreset(endpoint);
  const { samplers } = capabilitiesOf?.({ ...endpoint, preset }) ?? defaultCapabilities({ preset, apiStyle: endpoint.apiStyle, model: endpoint.model });
  const fields = { topK: samplers.topK, minP: samplers.minP };
  const missing = [fields.topK ? undefined : 'top_k', fields.minP ? undefined : 'min_p'].filter((name) => name !== undefined);
  const backendNote = BACKEND_SAMPLING[(preset !== undefined ? FAMILIES[preset] : undefined) ?? 'other'].note;
  return { preset, fields, note: missing.length === 0 ? backendNote : `${backendNote} ${notSent(missing, preset, endpoint.apiStyle)}` };
}

function notSent(missing: readonly string[], preset: string | undefined, apiStyle: ApiStyle): string {
  const what = missing.join(' and ');
  if (apiStyle === 'responses') return `Not sent: ${what} (the Responses API has no such field).`;
  if (preset !== undefined) return `Not sent: ${what} (${preset} does not take ${missing.length > 1 ? 'them' : 'it'} here).`;
  const takers = Object.entries(PRESET_CAPABILITIES).filter(([, record]) => record.samplers.topK && record.samplers.minP).map(([name]) => name);
  return `Not sent: ${what}. This endpoint's backend is not recognised, and a server that does not know a field may refuse `
    + `the request; they are sent to ${takers.join(', ')}: name one as the profile's "preset" in logprobLens.endpoints.`;
}

/** The body fields the user's extra samplers add to a request; `undefined` when there are none to send. */
export function samplerBody(samplers: ExtraSamplers, fields: SamplerSupport['fields']): Record<string, number> | undefined {
  const body: Record<string, number> = {};
  if (fields.topK && samplers.topK !== undefined) body[fields.topK] = samplers.topK;
  if (fields.minP && samplers.minP !== undefined) body[fields.minP] = samplers.minP;
  return Object.keys(body).length > 0 ? body : undefined;
}

/** The inspector's sampling context: the next run's settings, the samplers the backend takes, and its note. */
export function samplingContext(settings: SettingsToApply, support: SamplerSupport): SamplingContext {
  return { settings, accepts: { topK: support.fields.topK !== undefined, minP: support.fields.minP !== undefined }, backendNote: support.note };
}

/** The sampling settings Apply writes. */
export type AppliedKey = 'temperature' | 'topP' | 'topK' | 'minP';

export interface SettingWrite {
  readonly key: AppliedKey;
  /** `undefined` removes the value at that level. */
  readonly value: number | null | undefined;
  readonly target: 'user' | 'workspace';
}

/**
 * What Apply writes so that the next run uses the settings: each changed parameter in the user's settings, unless
 * the workspace sets it and its value is in effect (a trusted workspace: these settings are restricted), where a
 * user value would be overridden; then in the workspace's. `null` (the server's default) removes the value at
 * that level, or writes `null` when the user's level below it would otherwise apply. top_k and min_p are written
 * only when the backend takes them: the setting may be meant for another endpoint.
 */
export function applyWrites(wanted: SettingsToApply, accepts: SamplingContext['accepts'], inspect: (key: AppliedKey) => InspectedSetting | undefined,
  trusted: boolean): SettingWrite[] {
  const keys: AppliedKey[] = ['temperature', 'topP', ...(accepts.topK ? ['topK' as const] : []), ...(accepts.minP ? ['minP' as const] : [])];
  const writes: SettingWrite[] = [];
  for (const key of keys) {
    const inspected = inspect(key);
    const { value: current, level } = effectiveValue(SETTINGS[key], inspected, trusted);
    const value = wanted[key];
    if (current === value) continue;
    const target = level === 'workspace' || level === 'workspace folder' ? 'workspace' : 'user';
    const userValue = inspected?.globalValue;
    const removes = value === null && (target === 'user' || userValue === undefined || userValue === null);
    writes.push({ key, value: removes ? undefined : value, target });
  }
  return writes;
}
