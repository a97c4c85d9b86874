import type { CapabilityOverrides } from './capabilities';
import { PRESET_CAPABILITIES, readCapabilityOverrides } from './capabilities';
import type { ApiStyle } from './request';
import { DEFAULT_BASE_URL, DEFAULT_MODEL } from './settings/schema';

/** A named endpoint, as stored in the user's `logprobLens.endpoints`. */
export interface EndpointProfile {
  readonly baseUrl: string;
  readonly model: string;
  readonly apiStyle?: ApiStyle;
  readonly headers?: Readonly<Record<string, string>>;
  /** Azure OpenAI classic deployment URLs. */
  readonly azureDeployment?: string;
  readonly azureApiVersion?: string;
  /** The preset it was made from (a `PRESETS` name): what the endpoint can do before Check Endpoint probes it. */
  readonly preset?: string;
  /** What the user knows about the server better than the preset (capabilities.ts `CapabilityOverrides`). */
  readonly capabilities?: CapabilityOverrides;
}

export interface Preset {
  readonly name: string;
  readonly profile: EndpointProfile;
  readonly needsKey: boolean;
  /** What to tell the user when they pick it. */
  readonly note: string;
}

/** Ready-made endpoints for the backends people run; `model` is only a suggestion, asked for on adding. */
export const PRESETS: readonly Preset[] = [
  { name: 'OpenAI', needsKey: true, note: 'Reasoning models (o1, o3, gpt-5) refuse logprobs; gpt-4o and gpt-4.1 families return them.', profile: { baseUrl: DEFAULT_BASE_URL, model: DEFAULT_MODEL, apiStyle: 'chat' } },
  { name: 'Azure OpenAI', needsKey: true, note: 'Replace <resource> with your resource name; the model is your deployment name.', profile: { baseUrl: 'https://<resource>.openai.azure.com/openai', model: 'gpt-4o', apiStyle: 'chat', azureDeployment: 'gpt-4o', azureApiVersion: '2024-10-21' } },
  { name: 'Ollama', needsKey: false, note: 'Needs Ollama 0.12.11 or newer for logprobs; at most 20 alternatives.', profile: { baseUrl: 'http://localhost:11434/v1', model: 'llama3.2', apiStyle: 'chat' } },
  { name: 'llama.cpp server', needsKey: false, note: 'The model is whatever llama-server loaded.', profile: { baseUrl: 'http://localhost:8080/v1', model: 'default', apiStyle: 'chat' } },
  { name: 'vLLM', needsKey: false, note: 'At most 20 alternatives unless vLLM runs with --max-logprobs. vLLM can also score text (Score Selection).', profile: { baseUrl: 'http://localhost:8000/v1', model: 'Qwen/Qwen2.5-7B-Instruct', apiStyle: 'chat' } },
  { name: 'LM Studio', needsKey: false, note: 'Uses the Responses API: LM Studio\'s chat endpoint ignores logprobs.', profile: { baseUrl: 'http://localhost:1234/v1', model: 'local-model', apiStyle: 'responses' } },
  { name: 'OpenRouter', needsKey: true, note: 'Whether logprobs come back depends on the provider OpenRouter routes to.', profile: { baseUrl: 'https://openrouter.ai/api/v1', model: 'openai/gpt-4o-mini', apiStyle: 'chat' } },
  { name: 'Together', needsKey: true, note: 'Up to 20 alternatives.', profile: { baseUrl: 'https://api.together.xyz/v1', model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', apiStyle: 'chat' } },
  { name: 'DeepSeek', needsKey: true, note: 'deepseek-chat returns logprobs; deepseek-reasoner does not.', profile: { baseUrl: 'https://api.deepseek.com/v1', model: 'deepseek-chat', apiStyle: 'chat' } },
];

/** Local servers on their default loopback ports, looked for on first run. */
export const LOCAL_SERVERS: readonly { readonly preset: string; readonly baseUrl: string }[] = [
  { preset: 'Ollama', baseUrl: 'http://127.0.0.1:11434/v1' },
  { preset: 'llama.cpp server', baseUrl: 'http://127.0.0.1:8080/v1' },
  { preset: 'vLLM', baseUrl: 'http://127.0.0.1:8000/v1' },
  { preset: 'LM Studio', baseUrl: 'http://127.0.0.1:1234/v1' },
];

/**
 * The preset of a hosted endpoint, from its host (api.openai.com is OpenAI wherever the URL came from). Local
 * servers share hosts and ports are only defaults, so they are never guessed: a profile says its preset.
 */
export function presetForUrl(baseUrl: string): string | undefined {
  const host = hostOf(baseUrl);
  if (host === undefined) return undefined;
  if (host.endsWith('.openai.azure.com')) return 'Azure OpenAI';
  return PRESETS.find((preset) => preset.needsKey && hostOf(preset.profile.baseUrl) === host)?.name;
}

/**
 * The preset a profile was probably made from, by its name, for profiles that do not record one: Select Endpoint
 * names a profile after its preset ("vLLM", "vLLM 2"). Used only when the settings know no preset.
 */
export function presetOfProfileName(profileName: string | undefined): string | undefined {
  const name = profileName?.replace(/ \d+$/, '');
  return name !== undefined && Object.hasOwn(PRESET_CAPABILITIES, name) ? name : undefined;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Checks a profile read from settings; returns it typed, or why it cannot be used. A wrong `preset` or
 * `capabilities` field does not make the profile unusable: each is left out, with a line in `problems`.
 */
export function readProfile(name: string, value: unknown, problems: string[] = []): EndpointProfile | string {
  if (value === null || typeof value !== 'object') return `logprobLens.endpoints["${name}"] is not an object`;
  const profile = value as Record<string, unknown>;
  if (typeof profile.baseUrl !== 'string' || profile.baseUrl.length === 0) return `logprobLens.endpoints["${name}"] has no baseUrl`;
  if (typeof profile.model !== 'string' || profile.model.length === 0) return `logprobLens.endpoints["${name}"] has no model`;
  const apiStyle = profile.apiStyle ?? 'chat';
  if (apiStyle !== 'chat' && apiStyle !== 'responses' && apiStyle !== 'completions') return `logprobLens.endpoints["${name}"].apiStyle must be chat, responses or completions`;
  const headers = profile.headers !== null && typeof profile.headers === 'object'
    ? Object.fromEntries(Object.entries(profile.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
    : {};
  const where = `logprobLens.endpoints["${name}"]`;
  const preset = profile.preset === undefined || (typeof profile.preset === 'string' && Object.hasOwn(PRESET_CAPABILITIES, profile.preset)) ? profile.preset : undefined;
  if (profile.preset !== undefined && preset === undefined) problems.push(`${where}.preset must be one of ${Object.keys(PRESET_CAPABILITIES).join(', ')}`);
  const { overrides, problems: capabilityProblems } = readCapabilityOverrides(profile.capabilities, `${where}.capabilities`);
  problems.push(...capabilityProblems);
  return {
    baseUrl: profile.baseUrl.trim().replace(/\/+$/, ''),
    model: profile.model.trim(),
    apiStyle,
    headers,
    ...(typeof profile.azureDeployment === 'string' ? { azureDeployment: profile.azureDeployment } : {}),
    ...(typeof profile.azureApiVersion === 'string' ? { azureApiVersion: profile.azureApiVersion } : {}),
    ...(preset !== undefined ? { preset } : {}),
    ...(Object.keys(overrides).length > 0 ? { capabilities: overrides } : {}),
  };
}
