/**
 * Steering requests: continuing an answer from a chosen alternative (the branch request for each prefill style,
 * and the text to insert from the streamed continuation), and logit bias (the per-profile list, the ids or strings
 * each backend takes, the request body, and what the hover says about a biased token). Pure: the tokenizer that
 * turns text into OpenAI ids lives in its own lazily loaded bundle (src/tokenizer), whose ids are passed in.
 */
import type { Capabilities, OpenAiEncoding, PrefillStyle } from './capabilities';
import { explainMissing } from './capabilities';
import type { ChunkDelta } from './chatChunk';
import type { TokenEntry } from './logprob';
import type { ApiStyle, CompletionRequest, Message } from './request';
import type { StoredToken } from './tokenStore';
import { bytesSpelledInToken } from './utf8';

/** A token or alternative as a response gave it; `id` where the backend sends one (llama.cpp; vLLM's sampled tokens). */
export interface TokenLike {
  readonly token: string;
  readonly bytes?: readonly number[] | null;
  readonly id?: number;
}

export type Refusal = { readonly kind: 'refused'; readonly reason: string };
const refuse = (reason: string): Refusal => ({ kind: 'refused', reason });

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const ESCAPED_BYTES = /^(?:\\x[0-9a-fA-F]{2})+$/;

/**
 * The exact text of a token, or why it has none: a piece of a multi-byte character (true bytes that do not
 * decode, `bytes:\xe2\x80` spellings) or a lossy "�" cannot be sent as text or looked up by text.
 */
export function tokenText(token: TokenLike): string | Refusal {
  if (token.token.length === 0 && (token.bytes?.length ?? 0) === 0) return refuse('This token is empty.');
  if (bytesSpelledInToken(token.token) !== undefined) return refuse('This token is part of a character (its bytes are spelled out), not text of its own.');
  if (token.bytes && token.bytes.length > 0) {
    try {
      return strictUtf8.decode(Uint8Array.from(token.bytes));
    } catch {
      return refuse('This token is part of a character (its bytes end inside one), not text of its own.');
    }
  }
  // OpenAI spells a piece of a character as escapes (`\xf0\x9f\x92`) next to its true bytes; without the bytes
  // (an alternative, as the store keeps it) the same spelling could also be literal text: neither is sent.
  if (ESCAPED_BYTES.test(token.token)) return refuse('This token is spelled as bytes (part of a character), not as text of its own.');
  if (token.token.includes('\uFFFD')) return refuse('The server sent this token as "�": its true bytes are lost.');
  return token.token;
}

/** Where a branch starts: the answer's text before the chosen token, as the model produced it, and the choice. */
export interface BranchPoint {
  /** Model text, not document text: no end-of-line conversion, exactly the concatenated streamed deltas. */
  readonly textBefore: string;
  readonly alternative: TokenLike;
}

export type BranchPlan =
  | {
    readonly kind: 'request';
    readonly request: CompletionRequest;
    /** The chosen alternative's text: inserted first, styled as chosen by the user. */
    readonly forcedText: string;
    /** textBefore + forcedText: what the server continues. */
    readonly prefix: string;
    /** Feed the stream through `new ContinuationFilter(prefix, echoesPrefix)`. */
    readonly echoesPrefix: boolean;
    /** Send to this base URL instead of the profile's (same origin, so the same key): DeepSeek's /beta. */
    readonly baseUrl?: string;
  }
  | Refusal;

/**
 * The request that continues `base` (the request that produced the answer, without any forced start; a branch
 * of a branch passes its own base) from `point`, for the endpoint's prefill style; or why it cannot be asked.
 */
export function planBranch(base: CompletionRequest, point: BranchPoint, capabilities: Capabilities, endpoint: { readonly baseUrl: string; readonly label: string }): BranchPlan {
  const forced = tokenText(point.alternative);
  if (typeof forced !== 'string') return forced;
  if (/^<\|[^|\s]{1,40}\|>$|^<(?:\/?s|eos|end_of_turn)>$/.test(forced)) {
    return refuse('This alternative is a special token (an end of text or turn): continuing from it would end the answer here.');
  }
  const prefix = point.textBefore + forced;
  const shaped = prefillRequest(base, prefix, capabilities, endpoint);
  if (shaped.kind === 'refused') return shaped;
  return { kind: 'request', request: shaped.request, forcedText: forced, prefix, echoesPrefix: capabilities.prefillEchoesPrefix, ...(shaped.baseUrl !== undefined ? { baseUrl: shaped.baseUrl } : {}) };
}

/** `base` asked to continue `prefix`, per prefill style. */
function prefillRequest(base: CompletionRequest, prefix: string, capabilities: Capabilities, endpoint: { readonly baseUrl: string; readonly label: string })
  : { readonly kind: 'shaped'; readonly request: CompletionRequest; readonly baseUrl?: string } | Refusal {
  const messages = base.messages.at(-1)?.role === 'assistant' ? base.messages.slice(0, -1) : base.messages;
  if (messages.length === 0) return refuse('The original request has no messages to continue from.');
  const assistant = (extra: Partial<Message> = {}): Message => ({ role: 'assistant', content: prefix, ...extra });
  const shaped = (request: CompletionRequest, baseUrl?: string) => ({ kind: 'shaped' as const, request, ...(baseUrl !== undefined ? { baseUrl } : {}) });
  switch (capabilities.prefill) {
    case 'completions-prompt': {
      if (base.apiStyle !== 'completions') return refuse('Legacy Completions continue a raw prompt, but this answer came from a chat request: its chat template would be lost.');
      // completionsPrompt puts a final assistant message right after the prompt, where the answer began:
      // completionsPrompt(result) === completionsPrompt(base) + prefix.
      return shaped({ ...base, messages: [...messages, assistant()] });
    }
    case 'vllm-continue-final-message':
      // vLLM defaults add_generation_prompt to true and rejects it together with continue_final_message.
      return shaped({ ...base, messages: [...messages, assistant()], extraBody: { ...base.extraBody, continue_final_message: true, add_generation_prompt: false } });
    case 'trailing-assistant':
      return shaped({ ...base, messages: [...messages, assistant()], extraBody: capabilities.prefillNeedsThinkingOff ? withThinkingOff(base.extraBody) : base.extraBody });
    case 'deepseek-prefix':
      return shaped({ ...base, messages: [...messages, assistant({ prefix: true })] }, deepSeekBetaBaseUrl(endpoint.baseUrl));
    case 'mistral-prefix':
      return shaped({ ...base, messages: [...messages, assistant({ prefix: true })] });
    case 'none':
      return refuse(explainMissing('continue', capabilities, { endpointLabel: endpoint.label, apiStyle: base.apiStyle })!);
  }
}

/**
 * llama.cpp answers a prefill with HTTP 400 while the template's thinking mode is on; `enable_thinking: false` (a
 * JSON boolean: a string is rejected) is ignored by templates without it. The user's other template kwargs stay.
 */
function withThinkingOff(extraBody: CompletionRequest['extraBody']): Record<string, unknown> {
  const kwargs = extraBody?.chat_template_kwargs;
  const existing = kwargs !== null && typeof kwargs === 'object' && !Array.isArray(kwargs) ? kwargs : {};
  return { ...extraBody, chat_template_kwargs: { ...existing, enable_thinking: false } };
}

/** DeepSeek's prefix completion is a beta feature served under `https://api.deepseek.com/beta`. */
function deepSeekBetaBaseUrl(baseUrl: string): string | undefined {
  try {
    const url = new URL(baseUrl);
    if (url.hostname !== 'api.deepseek.com') return undefined;
    return `${url.origin}/beta`;
  } catch {
    return undefined;
  }
}

/**
 * The request a branch starts from: the one that produced the answer, without the logit bias it was sent with
 * (the list in force when the branch is sent is merged then, as for every run).
 */
export function branchBase(request: CompletionRequest): CompletionRequest {
  if (request.extraBody?.logit_bias === undefined) return request;
  return { ...request, extraBody: Object.fromEntries(Object.entries(request.extraBody).filter(([key]) => key !== 'logit_bias')) };
}

/** A stored token as an entry for another answer's store: a branch copies its prefix this way, colours and all. */
export function storedEntry(stored: StoredToken): TokenEntry {
  return {
    token: stored.token, logprob: stored.logprob ?? null, top_logprobs: stored.alternatives,
    ...(stored.bytes ? { bytes: stored.bytes } : {}), ...(stored.id !== undefined ? { id: stored.id } : {}),
  };
}

/**
 * The forced token of a branch: the chosen alternative (or, without one, the token itself: its tail is sampled
 * anew), with the probability the model gave it and the alternatives it had at that place.
 */
export function forcedEntry(at: StoredToken, alternative: number | undefined): TokenEntry {
  if (alternative === undefined) return storedEntry(at);
  const chosen = at.alternatives[alternative]!;
  return { token: chosen.token, logprob: chosen.logprob, top_logprobs: at.alternatives, ...(chosen.id !== undefined ? { id: chosen.id } : {}) };
}

/**
 * Turns a branch's streamed deltas into what is inserted after the prefix. Backends that repeat the prefix
 * before the continuation (found by the prefill probe) have that repetition held back and dropped, with the
 * tokens that spell it; if the stream turns out not to repeat it after all, everything held is released.
 */
export class ContinuationFilter {
  private held: ChunkDelta | undefined;
  private stripping: boolean;

  constructor(private readonly prefix: string, echoesPrefix: boolean) {
    this.stripping = echoesPrefix && prefix.length > 0;
  }

  push(delta: ChunkDelta): ChunkDelta {
    if (!this.stripping) return delta;
    const combined = this.held ? joinDeltas(this.held, delta) : delta;
    if (combined.text.startsWith(this.prefix)) {
      this.stripping = false;
      this.held = undefined;
      return { ...combined, text: combined.text.slice(this.prefix.length), tokens: dropEchoedTokens(combined.tokens, this.prefix) };
    }
    if (this.prefix.startsWith(combined.text) && combined.finishReason === undefined) {
      this.held = combined;
      return { text: '', tokens: [], hasLogprobs: false, finishReason: undefined };
    }
    return this.release(combined);
  }

  /** At the end of the stream: whatever was held (a stream that ended before the prefix was complete). */
  end(): ChunkDelta {
    return this.release(this.held ?? { text: '', tokens: [], hasLogprobs: false, finishReason: undefined });
  }

  private release(delta: ChunkDelta): ChunkDelta {
    this.stripping = false;
    this.held = undefined;
    return delta;
  }
}

/** The whole continuation text of a finished branch answer (the streaming form is ContinuationFilter). */
export function continuationText(streamed: string, prefix: string, echoesPrefix: boolean): string {
  const filter = new ContinuationFilter(prefix, echoesPrefix);
  return filter.push({ text: streamed, tokens: [], hasLogprobs: false, finishReason: 'stop' }).text + filter.end().text;
}

/** Two deltas as one: the text and tokens of both, the second's finish reason. */
export function joinDeltas(a: ChunkDelta, b: ChunkDelta): ChunkDelta {
  return { text: a.text + b.text, tokens: [...a.tokens, ...b.tokens], hasLogprobs: a.hasLogprobs || b.hasLogprobs, finishReason: b.finishReason };
}

/** Leading tokens that spell the repeated prefix; a token that runs past its end is kept (it carries new text). */
function dropEchoedTokens<T extends { readonly token: string }>(tokens: readonly T[], prefix: string): T[] {
  let rest = prefix;
  let first = 0;
  while (first < tokens.length && rest.length > 0 && tokens[first]!.token.length > 0 && rest.startsWith(tokens[first]!.token)) {
    rest = rest.slice(tokens[first]!.token.length);
    first++;
  }
  return tokens.slice(first);
}

/**
 * OpenAI's encoding for a model name, after tiktoken's model.py (MODEL_TO_ENCODING / MODEL_PREFIX_TO_ENCODING,
 * main as of 2026): o200k_base for gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and the o1/o3/o4 families; cl100k_base for
 * gpt-4, gpt-3.5-turbo, the -002 base models and the embeddings. Fine-tunes (`ft:gpt-4o-mini:...`) and OpenRouter
 * names (`openai/gpt-4o`) map like their base; anything else is unknown (never guessed: a wrong id biases some
 * other token).
 */
export function encodingForModel(model: string): OpenAiEncoding | undefined {
  const name = model.trim().toLowerCase().replace(/^openai\//, '').replace(/^ft:/, '');
  if (/^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4)(?:$|[-.:])/.test(name)) return 'o200k_base';
  if (/^(?:gpt-4|gpt-3\.5-turbo|gpt-35-turbo|text-embedding-3|text-embedding-ada-002|davinci-002|babbage-002)(?:$|[-:])/.test(name)) return 'cl100k_base';
  return undefined;
}

export const BAN_BIAS = -100;
export const DEFAULT_BOOST_BIAS = 5;
/** Ours, to keep requests small and the Show Logit Bias list readable. */
export const MAX_BIAS_ENTRIES = 300;

/** A finite bias within OpenAI's documented range (-100..100); `fallback` for anything else. */
export function clampBias(value: unknown, fallback = DEFAULT_BOOST_BIAS): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(100, Math.max(-100, value)) : fallback;
}

export type BiasSource = 'response-id' | 'tokenizer' | 'string-key';

/** One token of the per-profile logit-bias list. */
export interface LogitBiasEntry {
  /** The token's exact text. */
  readonly text: string;
  readonly bias: number;
  readonly source: BiasSource;
  /** The token's ids: one from a response; one or more from the tokenizer (a text that is several tokens). */
  readonly ids?: readonly number[];
  /** What the ids index: `model:<name>` for ids a response sent, the encoding for tokenizer ids. */
  readonly vocabulary?: string;
}

export type BiasKeyPlan =
  | { readonly kind: 'response-id'; readonly text: string; readonly id: number; readonly vocabulary: string }
  | { readonly kind: 'tokenizer'; readonly text: string; readonly encoding: OpenAiEncoding }
  | { readonly kind: 'string-key'; readonly text: string }
  | Refusal;

export interface BiasContext {
  readonly model: string;
  readonly apiStyle: ApiStyle;
  readonly endpointLabel: string;
  /** The profile's `tokenizerEncoding` override, for model names that say nothing (Azure deployments). */
  readonly tokenizerEncoding?: OpenAiEncoding | undefined;
}

/**
 * How a token can be keyed in `logit_bias` here: the id the response sent, else OpenAI's tokenizer when the model
 * uses it (the adapter loads src/tokenizer and passes the ids to `biasEntry`), else the text where the server takes
 * strings (llama.cpp); otherwise why Ban and Boost are off for it.
 */
export function planBiasKey(token: TokenLike, capabilities: Capabilities, context: BiasContext): BiasKeyPlan {
  if (capabilities.logitBias === 'none') return refuse(explainMissing('logit-bias', capabilities, { endpointLabel: context.endpointLabel, apiStyle: context.apiStyle })!);
  const text = tokenText(token);
  if (Number.isInteger(token.id) && token.id! >= 0) return { kind: 'response-id', text: typeof text === 'string' ? text : token.token, id: token.id!, vocabulary: `model:${context.model}` };
  if (typeof text !== 'string') return text;
  if (capabilities.openAiVocabulary) {
    const encoding = context.tokenizerEncoding ?? encodingForModel(context.model);
    if (encoding !== undefined) return { kind: 'tokenizer', text, encoding };
    if (capabilities.logitBias !== 'token-ids-or-strings') {
      return refuse(`No OpenAI tokenizer is known for the model name "${context.model}" (o200k_base: gpt-4o, gpt-4.1, gpt-5, o1/o3/o4; `
        + 'cl100k_base: gpt-4, gpt-3.5-turbo). If it runs one of these, set "tokenizerEncoding" in this endpoint\'s "capabilities".');
    }
  }
  if (capabilities.logitBias === 'token-ids-or-strings') return { kind: 'string-key', text };
  if (capabilities.responseTokenIds === 'vllm-return-token-ids') {
    return refuse(`${context.endpointLabel} takes token ids in logit_bias, and sends them for the tokens it sampled when asked (return_token_ids, `
      + 'vLLM 0.10.2 or later), never for the alternatives: this token came without one. Ban or Boost it in an answer where the model wrote it.');
  }
  return refuse(`${context.endpointLabel} takes token ids in logit_bias, but it sent no id for this token and its tokenizer is not OpenAI's, so the id cannot be computed here.`);
}

/** The list entry for a planned key; `tokenizerIds` are the tokenizer's ids for a 'tokenizer' plan. */
export function biasEntry(plan: Exclude<BiasKeyPlan, Refusal>, bias: number, tokenizerIds?: readonly number[]): LogitBiasEntry | Refusal {
  const clamped = clampBias(bias);
  switch (plan.kind) {
    case 'response-id':
      return { text: plan.text, bias: clamped, source: 'response-id', ids: [plan.id], vocabulary: plan.vocabulary };
    case 'tokenizer':
      if (!tokenizerIds || tokenizerIds.length === 0 || !tokenizerIds.every((id) => Number.isInteger(id) && id >= 0)) {
        return refuse('The tokenizer returned no ids for this text.');
      }
      return { text: plan.text, bias: clamped, source: 'tokenizer', ids: [...tokenizerIds], vocabulary: plan.encoding };
    case 'string-key':
      return { text: plan.text, bias: clamped, source: 'string-key' };
  }
}

/** The list with `entry` added; an entry for the same text and vocabulary is replaced (Ban then Boost = Boost). */
export function addBias(list: readonly LogitBiasEntry[], entry: LogitBiasEntry): LogitBiasEntry[] | Refusal {
  const rest = list.filter((existing) => existing.text !== entry.text || existing.vocabulary !== entry.vocabulary);
  if (rest.length >= MAX_BIAS_ENTRIES) return refuse(`The logit-bias list holds at most ${MAX_BIAS_ENTRIES} tokens: remove some with Show Logit Bias.`);
  return [...rest, entry];
}

export function removeBias(list: readonly LogitBiasEntry[], index: number): LogitBiasEntry[] {
  return list.filter((_, i) => i !== index);
}

/** What to send: `extraBody` to merge into the request, the entries it carries, and the ones left out with why. */
export interface LogitBiasBody {
  readonly extraBody: { readonly logit_bias?: Record<string, number> | (readonly [number | string, number])[] };
  readonly applied: readonly LogitBiasEntry[];
  readonly skipped: readonly { readonly entry: LogitBiasEntry; readonly reason: string }[];
}

/**
 * The `logit_bias` for the next run: OpenAI's object of id strings, or llama.cpp's array form (`[[id, bias],
 * ["text", bias]]`: its object form reads an all-digit key such as "42" as an id, the array form never does).
 * Ids are used only for the vocabulary they came from; of a text that is several tokens, only the first id is
 * biased: that keeps the model from starting this spelling without also moving every text that shares the others.
 */
export function logitBiasBody(list: readonly LogitBiasEntry[], capabilities: Capabilities, context: BiasContext): LogitBiasBody {
  if (list.length === 0) return { extraBody: {}, applied: [], skipped: [] };
  if (capabilities.logitBias === 'none') {
    const reason = explainMissing('logit-bias', capabilities, { endpointLabel: context.endpointLabel, apiStyle: context.apiStyle })!;
    return { extraBody: {}, applied: [], skipped: list.map((entry) => ({ entry, reason })) };
  }
  const currentEncoding = capabilities.openAiVocabulary ? context.tokenizerEncoding ?? encodingForModel(context.model) : undefined;
  const keys: [number | string, number][] = [];
  const applied: LogitBiasEntry[] = [];
  const skipped: { entry: LogitBiasEntry; reason: string }[] = [];
  for (const entry of list) {
    const idsValid = entry.ids !== undefined && entry.ids.length > 0
      && (entry.vocabulary === `model:${context.model}` || (currentEncoding !== undefined && entry.vocabulary === currentEncoding));
    if (idsValid) keys.push([entry.ids[0]!, entry.bias]);
    else if (capabilities.logitBias === 'token-ids-or-strings') keys.push([entry.text, entry.bias]);
    else {
      skipped.push({ entry, reason: entry.source === 'string-key'
        ? 'it was added as text, and this server takes token ids only'
        : `its id belongs to ${describeVocabulary(entry.vocabulary)}, not to this endpoint's model "${context.model}"` });
      continue;
    }
    applied.push(entry);
  }
  if (keys.length === 0) return { extraBody: {}, applied, skipped };
  const logitBias = capabilities.logitBias === 'token-ids-or-strings' ? keys : Object.fromEntries(keys.map(([key, bias]) => [String(key), bias]));
  return { extraBody: { logit_bias: logitBias }, applied, skipped };
}

/** `request` asking for the sampled tokens' ids where the endpoint sends them only when asked (vLLM's `return_token_ids`). */
export function withTokenIds(request: CompletionRequest, capabilities: Capabilities): CompletionRequest {
  const asks = capabilities.responseTokenIds === 'vllm-return-token-ids' && request.apiStyle === 'chat';
  return asks === (request.returnTokenIds === true) ? request : { ...request, returnTokenIds: asks };
}

/** `request` with the list's `logit_bias` merged into its extra body (unchanged when nothing applies). */
export function withLogitBias(request: CompletionRequest, body: LogitBiasBody): CompletionRequest {
  return body.extraBody.logit_bias === undefined ? request : { ...request, extraBody: { ...request.extraBody, ...body.extraBody } };
}

function describeVocabulary(vocabulary: string | undefined): string {
  if (vocabulary === undefined) return 'no vocabulary';
  return vocabulary.startsWith('model:') ? `the model "${vocabulary.slice(6)}"` : `the ${vocabulary} encoding`;
}

/** The entry that applied to a token of a run (by id where both have one, else by text). */
export function findBias(token: TokenLike, applied: readonly LogitBiasEntry[]): LogitBiasEntry | undefined {
  for (let i = applied.length - 1; i >= 0; i--) {
    const entry = applied[i]!;
    if (Number.isInteger(token.id) && entry.source === 'response-id' ? entry.ids?.[0] === token.id : entry.text === token.token) return entry;
  }
  return undefined;
}

/** A bias as written in messages: "+5", "-100". */
export function signedBias(bias: number): string {
  return bias > 0 ? `+${bias}` : `${bias}`;
}

/** "banned", "boosted" or "lowered". */
export function biasVerb(bias: number): string {
  return bias <= BAN_BIAS ? 'banned' : bias > 0 ? 'boosted' : 'lowered';
}

/** How an entry is keyed, in words (no model text): "id 2212 in o200k_base", "sent as text". */
export function describeBiasKey(entry: LogitBiasEntry): string {
  const ids = entry.ids ?? [];
  if (entry.source === 'string-key' || ids.length === 0) return 'sent as text';
  if (entry.source === 'response-id') return `id ${ids[0]} (from a response of ${describeVocabulary(entry.vocabulary)})`;
  return ids.length === 1 ? `id ${ids[0]} in ${entry.vocabulary}` : `${ids.length} tokens in ${entry.vocabulary} (${ids.join(', ')}): only the first is biased`;
}

/** Only where the ids a response sent belong to the model the next run asks (the same name) is a token keyed by them. */
export function keyable(token: TokenLike, idsUsable: boolean): TokenLike {
  return idsUsable || token.id === undefined ? token : { token: token.token, ...(token.bytes ? { bytes: token.bytes } : {}) };
}

/** What the user is told after Ban or Boost: what was added, how it is keyed, and what the hover will show. */
export function biasAddedMessage(entry: LogitBiasEntry, capabilities: Capabilities, endpointLabel: string, tokenLabelText: string): string {
  const verb = biasVerb(entry.bias);
  const lines = [`${verb[0]!.toUpperCase()}${verb.slice(1)} “${tokenLabelText}” for the next runs on ${endpointLabel} (logit bias ${signedBias(entry.bias)}, ${describeBiasKey(entry)}).`];
  if (entry.source === 'string-key') lines.push('The server biases every token of that text.');
  if (capabilities.logprobsReflectBias === 'no') lines.push('The probabilities the next answers show are from before the bias: this backend\'s logprobs do not reflect it.');
  return lines.join(' ');
}

/** What the hover adds for a token that was biased in the run (no model text: the hover shows the token already). */
export function biasHoverNote(entry: LogitBiasEntry, capabilities: Capabilities): string {
  const signed = signedBias(entry.bias);
  const lines = [entry.bias <= BAN_BIAS ? `**Banned** in this run (logit bias ${signed}).` : `**${entry.bias > 0 ? 'Boosted' : 'Lowered'}** in this run (logit bias ${signed}).`];
  if (entry.source === 'tokenizer' && (entry.ids?.length ?? 0) > 1) {
    lines.push(`Its text is ${entry.ids!.length} tokens in ${entry.vocabulary}; only the first (${entry.ids![0]}) was biased, which keeps this spelling from starting without changing every text that shares the others.`);
  }
  if (entry.source === 'string-key') lines.push('Sent as text: the server biased every token of that text.');
  if (capabilities.logprobsReflectBias === 'no') lines.push(LOGPROBS_IGNORE_BIAS_NOTE);
  else if (capabilities.logprobsReflectBias === 'unknown') lines.push('Whether the probabilities shown include the bias is not known for this backend.');
  return lines.join(' ');
}

export const LOGPROBS_IGNORE_BIAS_NOTE = 'The probabilities shown are from before the bias: this backend\'s returned logprobs do not reflect logit bias.';

/** What the hover says on the token a branch was forced to start with. */
export const FORCED_TOKEN_NOTE = '**Chosen by you**: the answer was continued from this token. Its probability is the one the model gave it in the original answer.';

/** The stored list read back from global state: malformed entries are dropped, never fatal. */
export function readBiasList(value: unknown): LogitBiasEntry[] {
  if (!Array.isArray(value)) return [];
  const entries: LogitBiasEntry[] = [];
  for (const raw of value.slice(0, MAX_BIAS_ENTRIES)) {
    const candidate = raw as Partial<Record<keyof LogitBiasEntry, unknown>> | null;
    if (candidate === null || typeof candidate !== 'object' || typeof candidate.text !== 'string' || typeof candidate.bias !== 'number') continue;
    if (candidate.source !== 'response-id' && candidate.source !== 'tokenizer' && candidate.source !== 'string-key') continue;
    const ids = Array.isArray(candidate.ids) && candidate.ids.length > 0 && candidate.ids.every((id) => Number.isInteger(id) && (id as number) >= 0) ? candidate.ids as number[] : undefined;
    if (candidate.source !== 'string-key' && (ids === undefined || typeof candidate.vocabulary !== 'string')) continue;
    entries.push({
      text: candidate.text, bias: clampBias(candidate.bias), source: candidate.source,
      ...(ids !== undefined ? { ids } : {}), ...(typeof candidate.vocabulary === 'string' ? { vocabulary: candidate.vocabulary } : {}),
    });
  }
  return entries;
}

/** The prefill probe: a forced start no fresh reply begins with, whose continuation is predictable. */
export const PREFILL_PROBE = { question: 'Count down from 10 to 1, separated by commas.', forcedStart: 'Counting down: 10, 9, 8, 7,', next: '6' } as const;

/**
 * Check Endpoint's prefill request in the style `capabilities` name (undefined for 'none'). Where the default is
 * 'none' on a chat endpoint, probe `{ ...capabilities, prefill: 'trailing-assistant' }`: most servers that continue
 * a final assistant message need nothing else.
 */
export function prefillProbeRequest(capabilities: Capabilities, model: string, apiStyle: ApiStyle, baseUrl: string): { readonly request: CompletionRequest; readonly baseUrl?: string } | undefined {
  const base: CompletionRequest = { apiStyle, model, messages: [{ role: 'user', content: PREFILL_PROBE.question }], topLogprobs: 0, sampling: { temperature: 0, maxTokens: 4 } };
  const shaped = prefillRequest(base, PREFILL_PROBE.forcedStart, capabilities, { baseUrl, label: '' });
  return shaped.kind === 'shaped' ? { request: shaped.request, ...(shaped.baseUrl !== undefined ? { baseUrl: shaped.baseUrl } : {}) } : undefined;
}

/** Reads the prefill probe's streamed text: a continuation starts with "6"; a repeating server sends the start first. */
export function readPrefillProbe(style: PrefillStyle, text: string): { readonly style: PrefillStyle; readonly continues: boolean; readonly echoesPrefix: boolean } {
  const trimmed = text.trimStart();
  const echoesPrefix = trimmed.startsWith(PREFILL_PROBE.forcedStart);
  const rest = echoesPrefix ? trimmed.slice(PREFILL_PROBE.forcedStart.length).trimStart() : trimmed;
  return { style, continues: rest.startsWith(PREFILL_PROBE.next), echoesPrefix };
}

/** The one-token request the logit-bias probe sends twice (the second time with the first token banned). */
export function oneTokenProbeRequest(model: string, apiStyle: ApiStyle): CompletionRequest {
  return { apiStyle, model, messages: [{ role: 'user', content: 'Say OK.' }], topLogprobs: 5, sampling: { temperature: 0, maxTokens: 1 } };
}

/** Reads the two answers: did the ban change the token, and did its returned logprob move with the bias? */
export function readLogitBiasProbe(
  first: { readonly token: string; readonly logprob: number },
  second: { readonly token: string; readonly top_logprobs?: readonly { readonly token: string; readonly logprob: number }[] | null },
): { readonly ok: boolean; readonly reflectedInLogprobs?: boolean } {
  if (second.token === first.token) return { ok: false };
  const banned = second.top_logprobs?.find((alternative) => alternative.token === first.token);
  return { ok: true, reflectedInLogprobs: !(banned !== undefined && banned.logprob > first.logprob - 1) };
}
