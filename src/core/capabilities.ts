/**
 * What an endpoint can do for steering, known before anything is sent: logprobs and their cap, prompt scoring,
 * how an answer is continued from a forced prefix, which `logit_bias` keys it takes, whether responses carry token
 * ids, `n`, extra samplers, and whether the returned logprobs reflect bias and temperature. Defaults come from an
 * explicit table keyed by preset name (each fact with its source; docs/steering.md has the same table with
 * confidence), adjusted for the API style and the model, then merged with Check Endpoint's probe results and the
 * user's per-profile overrides. Everything here is plain JSON, so the adapter can store it per profile name.
 */
import type { ApiStyle } from './request';

export type Support = 'yes' | 'no' | 'unknown';

/** How an endpoint scores a given text (prompt logprobs). */
export type PromptScoring = 'completions-echo' | 'vllm-prompt-logprobs' | 'none';

/** How a request makes the server continue a forced start of the answer (see steering.ts for each shape). */
export type PrefillStyle =
  | 'completions-prompt'
  | 'vllm-continue-final-message'
  | 'trailing-assistant'
  | 'deepseek-prefix'
  | 'mistral-prefix'
  | 'none';

/** Which keys `logit_bias` takes: token ids (OpenAI's object), or ids and strings (llama.cpp's array form). */
export type LogitBiasKeys = 'token-ids' | 'token-ids-or-strings' | 'none';

/**
 * Where the returned tokens' vocabulary ids come from: each logprob entry's `id`, on tokens and alternatives, sent
 * unasked (llama.cpp); vLLM's `token_ids` beside the entries, sent only when the request has `return_token_ids`
 * (sampled tokens only: alternatives have none); or nowhere.
 */
export type TokenIdSource = 'logprob-entries' | 'vllm-return-token-ids' | 'none';

/** The body field name of each extra sampler, where the backend reads one. */
export interface SamplerFields {
  readonly topK?: string;
  readonly minP?: string;
  readonly repetitionPenalty?: string;
}

export interface Capabilities {
  readonly logprobs: Support;
  /** Most alternatives per token; `undefined` when the backend states no cap. */
  readonly maxTopLogprobs: number | undefined;
  readonly promptScoring: PromptScoring;
  readonly prefill: PrefillStyle;
  /** Whether the continuation's stream repeats the forced prefix before the new text. */
  readonly prefillEchoesPrefix: boolean;
  /** llama.cpp refuses a prefill while the template's thinking mode is on (HTTP 400). */
  readonly prefillNeedsThinkingOff: boolean;
  readonly logitBias: LogitBiasKeys;
  /** Whether the model uses OpenAI's tokenizers, so ids can be computed locally from the model name. */
  readonly openAiVocabulary: boolean;
  /** Which returned tokens carry their vocabulary id, and whether the request must ask for them. */
  readonly responseTokenIds: TokenIdSource;
  readonly n: Support;
  readonly nWithStreaming: Support;
  readonly samplers: SamplerFields;
  /** Whether the returned logprobs are after the bias / the temperature (otherwise the model's raw distribution). */
  readonly logprobsReflectBias: Support;
  readonly logprobsReflectTemperature: Support;
}

/** Nothing known: what an endpoint from no preset gets before a probe. */
export const UNKNOWN_CAPABILITIES: Capabilities = {
  logprobs: 'unknown', maxTopLogprobs: 20, promptScoring: 'none', prefill: 'none', prefillEchoesPrefix: false,
  prefillNeedsThinkingOff: false, logitBias: 'none', openAiVocabulary: false, responseTokenIds: 'none', n: 'unknown',
  nWithStreaming: 'unknown', samplers: {}, logprobsReflectBias: 'unknown', logprobsReflectTemperature: 'unknown',
};

/**
 * Chat Completions defaults per preset (presets.ts names). Sources, abbreviated; design/steering-formats.md and
 * docs/steering.md cite them in full with confidence.
 */
export const PRESET_CAPABILITIES: Readonly<Record<string, Capabilities>> = {
  OpenAI: {
    ...UNKNOWN_CAPABILITIES,
    logprobs: 'yes', // wire-formats.md; reasoning models refuse: modelRules
    // No prefill field in openai-node's request types @7b7d6ca; a trailing assistant message is a finished turn.
    prefill: 'none',
    logitBias: 'token-ids', // openai-node chat/completions/completions.ts: `{ [token id]: -100..100 }`
    openAiVocabulary: true,
    responseTokenIds: 'none', // TokenLogprob = {token, logprob, bytes, top_logprobs}
    n: 'yes', nWithStreaming: 'yes', // ChatCompletionChunk.Choice.index
    // Carlini et al. 2024 (arXiv 2403.06634): OpenAI "removed the ability for logit bias to impact the top logprobs".
    logprobsReflectBias: 'no',
  },
  'Azure OpenAI': {
    ...UNKNOWN_CAPABILITIES,
    // Azure serves OpenAI's models through the same request types; the model name is the deployment's.
    logprobs: 'yes', prefill: 'none', logitBias: 'token-ids', openAiVocabulary: true, n: 'yes', nWithStreaming: 'yes',
    logprobsReflectBias: 'no',
  },
  Ollama: {
    ...UNKNOWN_CAPABILITIES,
    logprobs: 'yes', // >= 0.12.11 (PR #12899); top_logprobs 0..20
    // A trailing assistant message is left open by the built-in renderers (model/renderers/*.go: `prefill` skips the
    // end-of-turn) and by hub templates with `{{ if not $last }}`; /v1 converts to the same api.ChatRequest.
    prefill: 'trailing-assistant',
    logitBias: 'none', // openai/openai.go ChatCompletionRequest has no logit_bias
    n: 'no', nWithStreaming: 'no', // no `n` field: ignored
    samplers: {}, // /v1 maps only temperature, top_p, seed, stop, penalties: top_k/min_p need native /api/chat options
    // llm/llama_server.go asks the embedded llama-server for n_probs without post_sampling_probs: raw distribution.
    logprobsReflectTemperature: 'no',
  },
  'llama.cpp server': {
    ...UNKNOWN_CAPABILITIES,
    logprobs: 'yes', maxTopLogprobs: undefined, // n_probs = top_logprobs ?? 20, clamped to the vocabulary only
    // server-common.cpp oaicompat_chat_params_parse: a final assistant message is popped and appended raw after the
    // generation prompt (default since PR #13174); 400 "incompatible with enable_thinking" otherwise.
    prefill: 'trailing-assistant', prefillNeedsThinkingOff: true,
    logitBias: 'token-ids-or-strings', // server-task.cpp params_from_json_cmpl: [[id, bias]] and [["text", bias]]
    responseTokenIds: 'logprob-entries', // logprobs.content[] = {id, token, bytes, logprob, top_logprobs: [{id, ...}]}
    n: 'unknown', nWithStreaming: 'unknown', // newer builds: n_cmpl <= --parallel slots; older: one choice only
    samplers: { topK: 'top_k', minP: 'min_p', repetitionPenalty: 'repeat_penalty' }, // unknown keys are copied through
    // server-context.cpp populate_token_probs: softmax of the raw logits unless post_sampling_probs.
    logprobsReflectBias: 'no', logprobsReflectTemperature: 'no',
  },
  vLLM: {
    ...UNKNOWN_CAPABILITIES,
    logprobs: 'yes', maxTopLogprobs: 20, // --max-logprobs, default 20
    promptScoring: 'vllm-prompt-logprobs', // chat_completion/protocol.py `prompt_logprobs` (non-streaming only)
    prefill: 'vllm-continue-final-message', // `continue_final_message: true` + `add_generation_prompt: false`
    logitBias: 'token-ids', // `dict[str, float]`, keys int()-converted
    // `return_token_ids: true` (PR #22587, v0.10.2+) adds `choices[].token_ids`, one per logprobs.content entry
    // (chat_completion/serving.py); unknown fields are ignored since PR #10463 (v0.6.5), so older servers answer as before.
    responseTokenIds: 'vllm-return-token-ids',
    n: 'yes', nWithStreaming: 'yes',
    samplers: { topK: 'top_k', minP: 'min_p', repetitionPenalty: 'repetition_penalty' },
    // config/model.py logprobs_mode default "raw_logprobs": before any logits processor, temperature, top-k/top-p.
    logprobsReflectBias: 'no', logprobsReflectTemperature: 'no',
  },
  'LM Studio': {
    ...UNKNOWN_CAPABILITIES,
    logprobs: 'yes', // through /v1/responses; its chat endpoint ignores logprobs (wire-formats.md)
    samplers: { topK: 'top_k', repetitionPenalty: 'repeat_penalty' }, // lmstudio-ai/docs chat-completions.md
  },
  OpenRouter: {
    ...UNKNOWN_CAPABILITIES,
    // Logprobs, prefill and logit_bias are forwarded to the routed provider when it supports them
    // (openrouter.ai/docs/api-reference/parameters): the probe decides; ids only for openai/* models (modelRules).
    logitBias: 'token-ids',
    samplers: { topK: 'top_k', minP: 'min_p', repetitionPenalty: 'repetition_penalty' },
  },
  Together: {
    ...UNKNOWN_CAPABILITIES,
    logprobs: 'yes', // together-typescript chat/completions.ts: logprobs 0..20
    logitBias: 'token-ids', // `{ [key: string]: number }`, but no local tokenizer for its models
    n: 'yes',
    samplers: { topK: 'top_k', minP: 'min_p', repetitionPenalty: 'repetition_penalty' },
  },
  DeepSeek: {
    ...UNKNOWN_CAPABILITIES,
    logprobs: 'yes', // deepseek-chat; deepseek-reasoner refuses: modelRules
    // api-docs.deepseek.com guides/chat_prefix_completion: last message {role: assistant, prefix: true}, /beta URL.
    prefill: 'deepseek-prefix',
  },
};

export interface CapabilityContext {
  /** The preset the profile was made from (presets.ts name), if known. */
  readonly preset?: string | undefined;
  readonly apiStyle: ApiStyle;
  readonly model: string;
}

/** Defaults before any probe: the preset's chat record, adjusted for the API style and the model. */
export function defaultCapabilities(context: CapabilityContext): Capabilities {
  const preset = context.preset !== undefined ? PRESET_CAPABILITIES[context.preset] : undefined;
  return modelRules(apiStyleRules(preset ?? UNKNOWN_CAPABILITIES, context), context);
}

/** Servers that answer legacy Completions with `echo` scoring (steering-formats.md C). */
const ECHO_SCORING_PRESETS: ReadonlySet<string> = new Set(['OpenAI', 'Azure OpenAI', 'vLLM', 'Together']);

function apiStyleRules(chat: Capabilities, context: CapabilityContext): Capabilities {
  switch (context.apiStyle) {
    case 'chat':
      return chat;
    case 'completions':
      // A raw prompt is the universal prefill: prompt + prefix, no template. Legacy `logprobs` is capped at 5.
      // vLLM's `token_ids` are read from chat chunks only (with echo, legacy logprobs also cover the prompt).
      return {
        ...chat, prefill: 'completions-prompt', responseTokenIds: withoutVllmIds(chat.responseTokenIds), prefillEchoesPrefix: false, prefillNeedsThinkingOff: false,
        maxTopLogprobs: Math.min(5, chat.maxTopLogprobs ?? 5),
        promptScoring: context.preset !== undefined && ECHO_SCORING_PRESETS.has(context.preset) ? 'completions-echo' : 'none',
      };
    case 'responses':
      // ResponseCreateParams (openai-node) has no prefill, no logit_bias, no n and no extra samplers.
      return {
        ...chat, prefill: 'none', logitBias: 'none', n: 'no', nWithStreaming: 'no', samplers: {}, promptScoring: 'none',
        responseTokenIds: withoutVllmIds(chat.responseTokenIds),
      };
  }
}

const withoutVllmIds = (source: TokenIdSource): TokenIdSource => (source === 'vllm-return-token-ids' ? 'none' : source);

/** OpenAI's reasoning models refuse logprobs (presets.ts note; wire-formats.md); so does deepseek-reasoner. */
const OPENAI_REASONING_MODEL = /^(?:openai\/)?(?:o[1-9](?:-|$)|gpt-5(?:$|[.-](?!.*chat)))/;
const OPENAI_PRESETS: ReadonlySet<string> = new Set(['OpenAI', 'Azure OpenAI', 'OpenRouter']);

function modelRules(record: Capabilities, context: CapabilityContext): Capabilities {
  const model = context.model.trim();
  const preset = context.preset ?? '';
  let result = record;
  if ((OPENAI_PRESETS.has(preset) && OPENAI_REASONING_MODEL.test(model)) || (preset === 'DeepSeek' && model === 'deepseek-reasoner')) {
    result = { ...result, logprobs: 'no' };
  }
  // OpenRouter forwards to the model's own provider: OpenAI's tokenizer (and bias semantics) only for openai/*.
  if (preset === 'OpenRouter' && model.startsWith('openai/')) {
    result = { ...result, openAiVocabulary: true, logprobsReflectBias: 'no' };
  }
  return result;
}

/** What the user may set per profile (e.g. `"capabilities": { "prefill": "trailing-assistant" }`). */
export interface CapabilityOverrides {
  readonly prefill?: PrefillStyle;
  readonly prefillEchoesPrefix?: boolean;
  readonly logitBias?: LogitBiasKeys;
  /** The OpenAI encoding of a model whose name says nothing (an Azure deployment called "prod"). */
  readonly tokenizerEncoding?: OpenAiEncoding;
  readonly maxTopLogprobs?: number;
  readonly promptScoring?: PromptScoring;
  /** `none` for a server that refuses `return_token_ids` (vLLM 0.4.2 to 0.6.4 reject every field they do not know). */
  readonly responseTokenIds?: TokenIdSource;
}

/** The OpenAI encodings the tokenizer bundle carries. */
export type OpenAiEncoding = 'o200k_base' | 'cl100k_base';

const PREFILL_STYLES: readonly PrefillStyle[] = ['completions-prompt', 'vllm-continue-final-message', 'trailing-assistant', 'deepseek-prefix', 'mistral-prefix', 'none'];
const BIAS_KEYS: readonly LogitBiasKeys[] = ['token-ids', 'token-ids-or-strings', 'none'];
const SCORINGS: readonly PromptScoring[] = ['completions-echo', 'vllm-prompt-logprobs', 'none'];
const ENCODINGS: readonly OpenAiEncoding[] = ['o200k_base', 'cl100k_base'];
const TOKEN_ID_SOURCES: readonly TokenIdSource[] = ['logprob-entries', 'vllm-return-token-ids', 'none'];

/**
 * Reads a profile's `capabilities` setting: the valid fields, and a problem line (naming `where`) for each field
 * that is unknown or has a wrong value, so one typo never discards the rest.
 */
export function readCapabilityOverrides(value: unknown, where: string): { overrides: CapabilityOverrides; problems: string[] } {
  const problems: string[] = [];
  if (value === undefined) return { overrides: {}, problems };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { overrides: {}, problems: [`${where} is not an object`] };
  const overrides: Record<string, unknown> = {};
  const oneOf = <T>(key: string, allowed: readonly T[], raw: unknown): void => {
    if (allowed.includes(raw as T)) overrides[key] = raw;
    else problems.push(`${where}.${key} must be one of ${allowed.join(', ')}`);
  };
  for (const [key, raw] of Object.entries(value)) {
    switch (key) {
      case 'prefill': oneOf(key, PREFILL_STYLES, raw); break;
      case 'logitBias': oneOf(key, BIAS_KEYS, raw); break;
      case 'promptScoring': oneOf(key, SCORINGS, raw); break;
      case 'tokenizerEncoding': oneOf(key, ENCODINGS, raw); break;
      case 'responseTokenIds': oneOf(key, TOKEN_ID_SOURCES, raw); break;
      case 'prefillEchoesPrefix': oneOf(key, [true, false], raw); break;
      case 'maxTopLogprobs':
        if (Number.isInteger(raw) && (raw as number) >= 0 && (raw as number) <= 1000) overrides[key] = raw;
        else problems.push(`${where}.maxTopLogprobs must be an integer from 0 to 1000`);
        break;
      default: problems.push(`${where}.${key} is not a known capability`);
    }
  }
  return { overrides, problems };
}

/** The user's overrides win over defaults and probes: they know their server (a prefill-enabled template, say). */
export function applyOverrides(record: Capabilities, overrides: CapabilityOverrides): Capabilities {
  const { tokenizerEncoding, ...rest } = overrides;
  return { ...record, ...rest, ...(tokenizerEncoding !== undefined ? { openAiVocabulary: true } : {}) };
}

/** Defaults, then what Check Endpoint measured for this model, then the user's overrides. */
export function resolveCapabilities(context: CapabilityContext, probe?: ProbeResult, overrides: CapabilityOverrides = {}): Capabilities {
  const measured = probe !== undefined && probe.model === context.model && probe.apiStyle === context.apiStyle
    ? mergeProbe(defaultCapabilities(context), probe) : defaultCapabilities(context);
  return applyOverrides(measured, overrides);
}

/**
 * What Check Endpoint measured for one profile and model (stored by the adapter in global state under the
 * profile's name; never in the repository). Each field is present only when its probe ran to a conclusion.
 */
export interface ProbeResult {
  readonly model: string;
  readonly apiStyle: ApiStyle;
  /** ISO time of the check. */
  readonly checkedAt: string;
  /** Logprobs came back (alternatives: the most per token, with 20 asked). */
  readonly logprobs?: { readonly ok: boolean; readonly alternatives: number };
  readonly prefill?: { readonly style: PrefillStyle; readonly continues: boolean; readonly echoesPrefix: boolean };
  /** The banned first token changed (ok), and whether its returned logprob moved with the bias. */
  readonly logitBias?: { readonly ok: boolean; readonly reflectedInLogprobs?: boolean };
  /** Every sampled token came with its id (alternatives need none: vLLM sends ids for sampled tokens only). */
  readonly responseTokenIds?: boolean;
  readonly n?: { readonly ok: boolean; readonly streaming: boolean };
  readonly promptScoring?: PromptScoring;
}

/** A probe result folded into a record: measured facts replace defaults; a failed probe turns a feature off. */
export function mergeProbe(record: Capabilities, probe: ProbeResult): Capabilities {
  let merged = record;
  if (probe.logprobs) {
    merged = { ...merged, logprobs: probe.logprobs.ok ? 'yes' : 'no' };
    if (probe.logprobs.ok && probe.logprobs.alternatives < 20) merged = { ...merged, maxTopLogprobs: probe.logprobs.alternatives };
  }
  if (probe.prefill) {
    const { style, continues, echoesPrefix } = probe.prefill;
    if (continues) merged = { ...merged, prefill: style, prefillEchoesPrefix: echoesPrefix };
    else if (style === merged.prefill) merged = { ...merged, prefill: 'none' };
  }
  if (probe.logitBias) {
    if (!probe.logitBias.ok) merged = { ...merged, logitBias: 'none' };
    else if (probe.logitBias.reflectedInLogprobs !== undefined) {
      merged = { ...merged, logprobsReflectBias: probe.logitBias.reflectedInLogprobs ? 'yes' : 'no' };
    }
  }
  if (probe.responseTokenIds !== undefined) {
    // Ids that came back keep the way they were asked for; ids that came unasked are in the entries.
    const source = merged.responseTokenIds === 'none' ? 'logprob-entries' : merged.responseTokenIds;
    merged = { ...merged, responseTokenIds: probe.responseTokenIds ? source : 'none' };
  }
  if (probe.n) merged = { ...merged, n: probe.n.ok ? 'yes' : 'no', nWithStreaming: probe.n.ok && probe.n.streaming ? 'yes' : 'no' };
  if (probe.promptScoring !== undefined) merged = { ...merged, promptScoring: probe.promptScoring };
  return merged;
}

/** A stored probe result read back from global state; `undefined` for anything malformed (then re-probe). */
export function readProbeResult(value: unknown): ProbeResult | undefined {
  const candidate = value as Partial<Record<keyof ProbeResult, unknown>> | null;
  if (candidate === null || typeof candidate !== 'object') return undefined;
  if (typeof candidate.model !== 'string' || typeof candidate.checkedAt !== 'string') return undefined;
  if (candidate.apiStyle !== 'chat' && candidate.apiStyle !== 'responses' && candidate.apiStyle !== 'completions') return undefined;
  const isBool = (x: unknown): x is boolean => typeof x === 'boolean';
  const logprobs = candidate.logprobs as { ok?: unknown; alternatives?: unknown } | undefined;
  const prefill = candidate.prefill as { style?: unknown; continues?: unknown; echoesPrefix?: unknown } | undefined;
  const bias = candidate.logitBias as { ok?: unknown; reflectedInLogprobs?: unknown } | undefined;
  const n = candidate.n as { ok?: unknown; streaming?: unknown } | undefined;
  return {
    model: candidate.model, apiStyle: candidate.apiStyle, checkedAt: candidate.checkedAt,
    ...(logprobs && isBool(logprobs.ok) && Number.isInteger(logprobs.alternatives) ? { logprobs: { ok: logprobs.ok, alternatives: logprobs.alternatives as number } } : {}),
    ...(prefill && PREFILL_STYLES.includes(prefill.style as PrefillStyle) && isBool(prefill.continues) && isBool(prefill.echoesPrefix)
      ? { prefill: { style: prefill.style as PrefillStyle, continues: prefill.continues, echoesPrefix: prefill.echoesPrefix } } : {}),
    ...(bias && isBool(bias.ok) ? { logitBias: { ok: bias.ok, ...(isBool(bias.reflectedInLogprobs) ? { reflectedInLogprobs: bias.reflectedInLogprobs } : {}) } } : {}),
    ...(isBool(candidate.responseTokenIds) ? { responseTokenIds: candidate.responseTokenIds } : {}),
    ...(n && isBool(n.ok) && isBool(n.streaming) ? { n: { ok: n.ok, streaming: n.streaming } } : {}),
    ...(SCORINGS.includes(candidate.promptScoring as PromptScoring) ? { promptScoring: candidate.promptScoring as PromptScoring } : {}),
  };
}

/** The features a command can need. */
export type Feature = 'continue' | 'logit-bias' | 'prompt-scoring' | 'logprobs' | 'n';

/** Preset names whose chat defaults have a feature: the backends a refusal names. */
export function presetsWith(feature: Feature): string[] {
  return Object.entries(PRESET_CAPABILITIES).filter(([, record]) => has(record, feature)).map(([name]) => name);
}

function has(record: Capabilities, feature: Feature): boolean {
  switch (feature) {
    case 'continue': return record.prefill !== 'none';
    case 'logit-bias': return record.logitBias !== 'none';
    case 'prompt-scoring': return record.promptScoring !== 'none';
    case 'logprobs': return record.logprobs !== 'no';
    case 'n': return record.n !== 'no';
  }
}

/**
 * The message to show before sending anything when a feature is missing, naming the setups that have it;
 * `undefined` when the endpoint has it (or may have it: "unknown" is tried, and the server's answer shown).
 */
export function explainMissing(feature: Feature, capabilities: Capabilities, context: { readonly endpointLabel: string; readonly apiStyle: ApiStyle }): string | undefined {
  if (has(capabilities, feature)) return undefined;
  const here = `${context.endpointLabel} (${context.apiStyle === 'chat' ? 'Chat Completions' : context.apiStyle === 'responses' ? 'Responses API' : 'legacy Completions'})`;
  const others = (list: string[]): string => list.join(', ');
  switch (feature) {
    case 'continue':
      return `Continue from here needs an assistant prefill or legacy Completions, and ${here} has neither. It works with `
        + `${others(presetsWith('continue'))}, or a Completions-capable model (API style "completions"). If this server does `
        + 'continue a final assistant message, set "prefill" in this endpoint\'s "capabilities", or run Check Endpoint.';
    case 'logit-bias':
      return `Ban and Boost need logit_bias, which ${here} does not take. It works with ${others(presetsWith('logit-bias'))} `
        + '(Chat Completions or legacy Completions; the Responses API has no logit_bias).';
    case 'prompt-scoring':
      return `Scoring text needs prompt logprobs, which ${here} does not return. vLLM returns them (prompt_logprobs), and `
        + 'legacy Completions with echo do (OpenAI\'s gpt-3.5-turbo-instruct, davinci-002; vLLM; Together).';
    case 'logprobs':
      return `${here} does not return logprobs for this model (reasoning models refuse them). Models that do: gpt-4o, `
        + `gpt-4.1 and their minis on OpenAI, deepseek-chat, and local servers (${others(['Ollama', 'llama.cpp server', 'vLLM'])}).`;
    case 'n':
      return `Several samples in one request need \`n\`, which ${here} ignores. It works with ${others(presetsWith('n'))}; `
        + 'elsewhere the samples are sent one request at a time.';
  }
}

/** What decided an endpoint's record: Check Endpoint's result for this model (when it applies) and the profile's overrides. */
export interface CapabilityFacts {
  readonly probe?: ProbeResult | undefined;
  readonly overrides?: CapabilityOverrides | undefined;
}

/**
 * What a command says before it sends anything, when the endpoint lacks what it needs (explainMissing), or
 * `undefined` to go ahead. An endpoint of no known preset that nothing measured has no prompt scoring only for
 * want of knowledge (the record has no "unknown" for it), so Score Selection tries it and shows the server's
 * answer. When Check Endpoint decided, the message says so: a changed server is measured again.
 */
export function missingBeforeSending(feature: Feature, capabilities: Capabilities, context: CapabilityContext & { readonly endpointLabel: string }, facts: CapabilityFacts = {}): string | undefined {
  const probed = facts.probe !== undefined && facts.probe.model === context.model && facts.probe.apiStyle === context.apiStyle ? facts.probe : undefined;
  const measured = probed !== undefined && PROBED_BY[feature].some((field) => probed[field] !== undefined);
  if (feature === 'prompt-scoring' && context.preset === undefined && !measured && facts.overrides?.promptScoring === undefined) return undefined;
  const message = explainMissing(feature, capabilities, context);
  if (message === undefined || !measured) return message;
  return `${message} (Check Endpoint found this on ${probed.checkedAt.slice(0, 10)}; run it again after changing the server.)`;
}

/** The probe fields that decide each feature. */
const PROBED_BY: Readonly<Record<Feature, readonly (keyof ProbeResult)[]>> = {
  'continue': ['prefill'],
  'logit-bias': ['logitBias'],
  'prompt-scoring': ['promptScoring'],
  'logprobs': ['logprobs'],
  'n': ['n'],
};

/** Check Endpoint's report of a probe, one line per conclusion (what did not conclude is said too). */
export function describeProbe(probe: ProbeResult): string[] {
  const mark = (ok: boolean): string => (ok ? '✔' : '✘');
  const lines: string[] = [];
  if (probe.logprobs) lines.push(`${mark(probe.logprobs.ok)} logprobs${probe.logprobs.ok ? ` with up to ${probe.logprobs.alternatives} alternatives (20 asked)` : ': none came back'}`);
  if (probe.responseTokenIds !== undefined) lines.push(`${mark(probe.responseTokenIds)} token ids in responses${probe.responseTokenIds ? '' : ': none (Ban and Boost need a tokenizer or text keys here)'}`);
  if (probe.prefill) {
    const { style, continues, echoesPrefix } = probe.prefill;
    lines.push(continues
      ? `✔ continues a forced start (${PREFILL_WORDS[style]})${echoesPrefix ? ', repeating it first (the repetition is dropped)' : ''}`
      : `✘ does not continue a forced start (${PREFILL_WORDS[style]} tried)`);
  } else lines.push('– continuing a forced start: not concluded (no answer, or no way to ask in this API style)');
  if (probe.logitBias) {
    const { ok, reflectedInLogprobs } = probe.logitBias;
    lines.push(ok
      ? `✔ logit_bias works; the returned logprobs ${reflectedInLogprobs ? 'include' : 'do not include'} the bias`
      : '✘ logit_bias changed nothing (a banned token came back)');
  } else lines.push('– logit_bias: not concluded (no way to key a token here, or no answer)');
  if (probe.n) lines.push(probe.n.ok ? `✔ n > 1 works${probe.n.streaming ? ', streamed' : ', but not streamed'}` : '✘ n > 1: one answer per request');
  if (probe.promptScoring !== undefined) {
    lines.push(probe.promptScoring === 'none' ? '✘ no prompt scoring' : `✔ prompt scoring (${probe.promptScoring === 'completions-echo' ? 'legacy Completions with echo' : 'vLLM prompt_logprobs'})`);
  }
  return lines;
}

const PREFILL_WORDS: Readonly<Record<PrefillStyle, string>> = {
  'completions-prompt': 'raw prompt and prefix',
  'vllm-continue-final-message': 'continue_final_message',
  'trailing-assistant': 'a final assistant message',
  'deepseek-prefix': 'prefix: true',
  'mistral-prefix': 'prefix: true',
  'none': 'none',
};

/**
 * The probes Check Endpoint runs (the adapter sends them; steering.ts builds the prefill and bias ones and reads
 * their answers). Each line: what to send, and how to read the answer into ProbeResult.
 */
export const PROBES: readonly { readonly field: keyof ProbeResult; readonly send: string; readonly read: string }[] = [
  { field: 'logprobs', send: 'one-token request "Say OK.", temperature 0, max_tokens 1, top_logprobs 20 (the existing logprobs step)', read: 'ok = tokens came back; alternatives = most alternatives on a token' },
  { field: 'responseTokenIds', send: 'the same answer (asked with `return_token_ids` where the record says vLLM: withTokenIds)', read: 'true when every sampled token has an id (in its entry, or vLLM\'s `token_ids`); alternatives need none' },
  { field: 'prefill', send: 'prefillProbeRequest (steering.ts): user "Count down from 10 to 1, separated by commas.", forced start "Counting down: 10, 9, 8, 7,", temperature 0, max_tokens 4, in the profile\'s style (trailing-assistant where that is none on chat)', read: 'readPrefillProbe: continues when the text (leading spaces trimmed) starts with "6"; echoesPrefix when it starts with the forced start (no fresh reply does)' },
  { field: 'logitBias', send: 'logitBiasProbeRequests: the one-token request, then the same with logit_bias banning (-100) the first answer\'s token id', read: 'readLogitBiasProbe(first, second): ok when the banned token is no longer chosen; reflectedInLogprobs when its logprob among the alternatives dropped by more than 1' },
  { field: 'n', send: 'the one-token request with extra body `n: 2`, streamed (needs the client to count choice indices)', read: 'ok and streaming when chunks arrive for choice index 1; ok without streaming only if a non-streamed retry returns 2 choices' },
  { field: 'promptScoring', send: 'completions style: the existing Score Selection step (echo); chat on vLLM: non-streamed request with extra body `prompt_logprobs: 1`', read: '"completions-echo" when echo returns prompt tokens; "vllm-prompt-logprobs" when the body has a `prompt_logprobs` array' },
];
