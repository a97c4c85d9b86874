/**
 * Check Endpoint's capability probes (the `PROBES` table in core/capabilities.ts): tiny requests at temperature 0
 * whose answers say what an endpoint does, read by the pure readers of core/steering.ts into a `ProbeResult`.
 * A probe the server refuses (HTTP 400, 404, 405, 422) concludes "no"; one that fails otherwise (a timeout, a
 * dropped connection, a 5xx) concludes nothing, so its field stays absent and the preset's default stands.
 */
import type OpenAI from 'openai';
import type { Capabilities, OpenAiEncoding, ProbeResult, PromptScoring } from '../core/capabilities';
import type { TokenEntry } from '../core/logprob';
import type { ApiStyle, CompletionRequest, EndpointOptions } from '../core/request';
import type { BiasContext } from '../core/steering';
import { BAN_BIAS, biasEntry, logitBiasBody, oneTokenProbeRequest, planBiasKey, prefillProbeRequest, readLogitBiasProbe, readPrefillProbe, withTokenIds } from '../core/steering';
import { createClient, requestChat, RequestError, scoreText, streamChat, streamedChoiceIndices } from './requests';

export interface ProbeOptions {
  readonly model: string;
  readonly apiStyle: ApiStyle;
  /** What is known before probing (the preset's defaults and the profile's overrides). */
  readonly capabilities: Capabilities;
  readonly endpoint: EndpointOptions;
  readonly endpointLabel: string;
  readonly tokenizerEncoding?: OpenAiEncoding | undefined;
  /** OpenAI token ids of a text (the tokenizer bundle, which only the extension loads). */
  readonly encode: (text: string, encoding: OpenAiEncoding) => Promise<readonly number[]>;
}

/** Longest wait for one probe: a server that cannot answer one token in this time tells nothing. */
const PROBE_TIMEOUT_MS = 20_000;
/** What the logprobs probe asks for: the most alternatives any preset allows. */
const PROBE_ALTERNATIVES = 20;

/** Runs every probe that applies to the API style, one after the other, and records what each concluded. */
export async function probeCapabilities(client: OpenAI, options: ProbeOptions, signal: AbortSignal): Promise<ProbeResult> {
  const { model, apiStyle } = options;
  // Asked for ids as runs ask for them, so the logit-bias probe can key the first token by its id (vLLM's too).
  const oneToken = withTokenIds({ ...oneTokenProbeRequest(model, apiStyle), topLogprobs: PROBE_ALTERNATIVES }, options.capabilities);
  const first = await conclude(signal, (probe) => tokensOf(client, oneToken, probe));
  const logprobs = first === undefined ? undefined : logprobsProbe(first);
  const firstToken = first?.[0];
  return {
    model, apiStyle, checkedAt: new Date().toISOString(),
    ...(logprobs ?? {}),
    ...await optional('prefill', () => conclude(signal, (probe) => prefillProbe(client, options, probe), prefillRefused(options.capabilities))),
    ...await optional('logitBias', () => (firstToken ? logitBiasProbe(client, options, oneToken, firstToken, signal) : Promise.resolve(undefined))),
    ...(apiStyle === 'chat' ? await optional('n', () => conclude(signal, (probe) => nProbe(client, oneToken, probe), { ok: false, streaming: false })) : {}),
    ...await optional('promptScoring', () => scoringProbe(client, options, signal)),
  };
}

async function optional<K extends keyof ProbeResult>(field: K, run: () => Promise<ProbeResult[K] | undefined>): Promise<Partial<ProbeResult>> {
  const value = await run();
  return value === undefined ? {} : { [field]: value };
}

/**
 * Runs one probe with its own time limit. Its value, or `refused` when the server turned the request down (a
 * conclusion too), or `undefined` when it failed in a way that says nothing about the feature.
 */
async function conclude<T>(signal: AbortSignal, probe: (signal: AbortSignal) => Promise<T>, refused?: T): Promise<T | undefined> {
  try {
    return await probe(AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]));
  } catch (error) {
    if (signal.aborted) throw error;
    return refused !== undefined && isRefusal(error) ? refused : undefined;
  }
}

function isRefusal(error: unknown): boolean {
  return error instanceof RequestError && error.kind === 'http' && [400, 404, 405, 422].includes(error.status ?? 0);
}

async function tokensOf(client: OpenAI, request: CompletionRequest, signal: AbortSignal): Promise<TokenEntry[]> {
  return (await streamed(client, request, signal)).tokens;
}

async function streamed(client: OpenAI, request: CompletionRequest, signal: AbortSignal): Promise<{ text: string; tokens: TokenEntry[] }> {
  let text = '';
  const tokens: TokenEntry[] = [];
  for await (const delta of streamChat(client, request, signal, { idleTimeoutMs: PROBE_TIMEOUT_MS })) {
    text += delta.text;
    tokens.push(...delta.tokens);
  }
  return { text, tokens };
}

/**
 * Logprobs came back, with how many alternatives at most; and whether every sampled token carried its id (the
 * alternatives need not: vLLM sends ids for the sampled tokens only, and Ban keys a sampled token by its id).
 */
function logprobsProbe(tokens: readonly TokenEntry[]): Pick<ProbeResult, 'logprobs' | 'responseTokenIds'> {
  const alternatives = Math.max(0, ...tokens.map((token) => token.top_logprobs?.length ?? 0));
  return {
    logprobs: { ok: tokens.length > 0, alternatives },
    ...(tokens.length > 0 ? { responseTokenIds: tokens.every((token) => Number.isInteger(token.id)) } : {}),
  };
}

/** The style the prefill probe tries: the endpoint's own, or a trailing assistant message where chat has none. */
function prefillStyle(capabilities: Capabilities, apiStyle: ApiStyle): Capabilities | undefined {
  if (capabilities.prefill !== 'none') return capabilities;
  return apiStyle === 'chat' ? { ...capabilities, prefill: 'trailing-assistant' } : undefined;
}

function prefillRefused(capabilities: Capabilities): ProbeResult['prefill'] {
  return { style: capabilities.prefill === 'none' ? 'trailing-assistant' : capabilities.prefill, continues: false, echoesPrefix: false };
}

async function prefillProbe(client: OpenAI, options: ProbeOptions, signal: AbortSignal): Promise<ProbeResult['prefill']> {
  const style = prefillStyle(options.capabilities, options.apiStyle);
  const planned = style && prefillProbeRequest(style, options.model, options.apiStyle, options.endpoint.baseUrl);
  if (!style || !planned) return undefined;
  const target = planned.baseUrl === undefined ? client : createClient({ ...options.endpoint, baseUrl: planned.baseUrl });
  const { text } = await streamed(target, planned.request, signal);
  return readPrefillProbe(style.prefill, text);
}

/**
 * Bans the first probe's token (keyed as Ban would key it; an endpoint of unknown bias keys is tried with the
 * ids its response sent) and asks again: did the token change, and did its returned logprob move with the bias?
 */
async function logitBiasProbe(client: OpenAI, options: ProbeOptions, request: CompletionRequest, first: TokenEntry, signal: AbortSignal): Promise<ProbeResult['logitBias']> {
  const capabilities: Capabilities = options.capabilities.logitBias === 'none' && Number.isInteger(first.id)
    ? { ...options.capabilities, logitBias: 'token-ids' } : options.capabilities;
  const context: BiasContext = { model: options.model, apiStyle: options.apiStyle, endpointLabel: options.endpointLabel, tokenizerEncoding: options.tokenizerEncoding };
  const plan = planBiasKey(first, capabilities, context);
  if (plan.kind === 'refused' || first.logprob === null) return undefined;
  const ids = plan.kind === 'tokenizer' ? await options.encode(plan.text, plan.encoding) : undefined;
  const entry = biasEntry(plan, BAN_BIAS, ids);
  if ('kind' in entry) return undefined;
  const body = logitBiasBody([entry], capabilities, context);
  if (body.extraBody.logit_bias === undefined) return undefined;
  const banned = await conclude(signal, (probe) => tokensOf(client, { ...request, extraBody: body.extraBody }, probe), []);
  if (banned === undefined) return undefined;
  return banned.length === 0 ? { ok: false } : readLogitBiasProbe({ token: first.token, logprob: first.logprob }, banned[0]!);
}

/** Two choices in one request: streamed (chunks for index 1), or only when not streamed. */
async function nProbe(client: OpenAI, request: CompletionRequest, signal: AbortSignal): Promise<ProbeResult['n']> {
  const twice: CompletionRequest = { ...request, topLogprobs: 0, extraBody: { n: 2 } };
  if ((await streamedChoiceIndices(client, twice, signal)).has(1)) return { ok: true, streaming: true };
  const whole = await requestChat(client, twice, signal) as { choices?: unknown };
  return { ok: Array.isArray(whole.choices) && whole.choices.length >= 2, streaming: false };
}

/** Score Selection's echo on legacy Completions first (what it uses); on chat, else vLLM's `prompt_logprobs`. */
async function scoringProbe(client: OpenAI, options: ProbeOptions, signal: AbortSignal): Promise<PromptScoring | undefined> {
  const echo = await conclude(signal, async (probe) => (await scoreText(client, { model: options.model, prompt: 'The quick brown fox', topLogprobs: 1 }, probe)).tokens.length > 0, false);
  if (echo) return 'completions-echo';
  if (options.apiStyle !== 'chat') return echo === false ? 'none' : undefined;
  const request: CompletionRequest = { ...oneTokenProbeRequest(options.model, 'chat'), topLogprobs: 0, extraBody: { prompt_logprobs: 1 } };
  const scored = await conclude(signal, async (probe) => Array.isArray((await requestChat(client, request, probe) as { prompt_logprobs?: unknown }).prompt_logprobs), false);
  if (scored) return 'vllm-prompt-logprobs';
  return scored === false && echo === false ? 'none' : undefined;
}
