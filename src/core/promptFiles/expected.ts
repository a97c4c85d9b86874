import { TokenAligner } from '../aligner';
import type { Capabilities } from '../capabilities';
import type { TokenEntry } from '../logprob';
import { cleanLogprob } from '../logprob';
import { alternativesAt, answerStartIndex, isShortLabel, tokenStartsLabel } from './labels';
import type { ChatMessage } from './model';
import { renderMessagesAsText } from './request';

/**
 * How likely the model found a case's expected answer, by the best method the endpoint offers, named beside the
 * number (docs/prompt-files.md explains each):
 * - prompt scoring: the expected answer is appended to the messages and the endpoint returns the logprob of every
 *   prompt token; the answer's probability is exp(sum of its tokens' logprobs). vLLM's `prompt_logprobs` scores it
 *   under the chat template, continuing the final assistant message (so the end-of-turn token is not included:
 *   the probability of the model writing this text, whatever follows); legacy Completions `echo` scores the
 *   messages rendered as plain text (`renderMessagesAsText`);
 * - first token: for a short label, the probability that the answer starts it, read from the alternatives at the
 *   answer's start (the classifier recipe, matching rule in labels.ts); no extra request;
 * - otherwise it cannot be computed here, and the reason says why.
 */

export type PromptScoring = 'vllm-prompt-logprobs' | 'completions-echo';

export interface ScoringCapabilities {
  /** How the endpoint can score a prompt, if at all (from Check Endpoint). */
  readonly promptScoring: PromptScoring | undefined;
  /** Whether it returns alternatives (`top_logprobs`) for generated tokens. */
  readonly hasAlternatives: boolean;
}

export type ExpectedMethod = PromptScoring | 'first-token' | 'unavailable';

/**
 * What the endpoint in use can do for the expected answer's probability, from its resolved capabilities
 * (core/capabilities.ts: the preset, Check Endpoint's probes, the profile's overrides).
 */
export function scoringCapabilities(capabilities: Pick<Capabilities, 'promptScoring' | 'logprobs'>): ScoringCapabilities {
  return {
    promptScoring: capabilities.promptScoring === 'none' ? undefined : capabilities.promptScoring,
    hasAlternatives: capabilities.logprobs !== 'no',
  };
}

/** The method's name as shown beside the number. */
export const EXPECTED_METHOD_NAMES: Readonly<Record<ExpectedMethod, string>> = {
  'vllm-prompt-logprobs': 'prompt scoring (vLLM prompt_logprobs)',
  'completions-echo': 'prompt scoring (Completions echo)',
  'first-token': 'first token among the alternatives',
  unavailable: 'cannot be computed here',
};

/** vLLM extension fields for a chat request that scores its own messages (vllm `ChatCompletionRequest`). */
export const VLLM_SCORING_BODY = {
  stream: false, max_tokens: 1, prompt_logprobs: 0, add_generation_prompt: false, continue_final_message: true,
} as const;

/** What to ask for: an extra scoring request, nothing extra (read the answer's own first token), or nothing at all. */
export type ExpectedProbabilityPlan =
  | { readonly method: 'vllm-prompt-logprobs'; readonly expected: string; readonly messages: readonly ChatMessage[]; readonly body: typeof VLLM_SCORING_BODY }
  | { readonly method: 'completions-echo'; readonly expected: string; readonly prompt: string; readonly answerStart: number }
  | { readonly method: 'first-token'; readonly expected: string }
  | { readonly method: 'unavailable'; readonly reason: string };

export interface ExpectedProbability {
  readonly method: ExpectedMethod;
  /** `undefined` when unknown (see `below` and `note`). */
  readonly probability: number | undefined;
  readonly logprob: number | undefined;
  /** First token only: the label was not among the returned alternatives, so its probability is below this. */
  readonly below?: number;
  /** Prompt scoring: the tokens that carry the expected answer, with their logprobs. */
  readonly tokens?: readonly { readonly token: string; readonly logprob: number }[];
  /** What the number means, or why there is none. */
  readonly note: string;
}

/** Chooses the method for one case: prompt scoring when the endpoint can, else the first token for a short label. */
export function planExpectedProbability(messages: readonly ChatMessage[], expected: string | undefined, capabilities: ScoringCapabilities): ExpectedProbabilityPlan {
  if (expected === undefined || expected.trim() === '') return { method: 'unavailable', reason: 'The case has no expected value.' };
  if (capabilities.promptScoring === 'vllm-prompt-logprobs') {
    return { method: 'vllm-prompt-logprobs', expected, messages: [...messages, { role: 'assistant', content: expected }], body: VLLM_SCORING_BODY };
  }
  if (capabilities.promptScoring === 'completions-echo') {
    const prefix = `${renderMessagesAsText(messages)} `;
    return { method: 'completions-echo', expected, prompt: prefix + expected, answerStart: prefix.length };
  }
  if (!isShortLabel(expected)) {
    return { method: 'unavailable', reason: 'The expected answer is longer than a label, and this endpoint cannot score a prompt (vLLM prompt_logprobs or Completions echo).' };
  }
  if (!capabilities.hasAlternatives) {
    return { method: 'unavailable', reason: 'This endpoint returns no alternatives and cannot score a prompt.' };
  }
  return { method: 'first-token', expected };
}

export function unavailable(reason: string): ExpectedProbability {
  return { method: 'unavailable', probability: undefined, logprob: undefined, note: reason };
}

/**
 * The expected answer's probability from a scored prompt's tokens: those whose text overlaps the answer are
 * summed. Echo: the prompt text is known, the answer at `answerStart`. vLLM: the prompt is the chat template's, known
 * only through its tokens; the answer is its last occurrence there.
 */
export function expectedFromScoredPrompt(plan: Extract<ExpectedProbabilityPlan, { method: PromptScoring }>, scored: readonly TokenEntry[]): ExpectedProbability {
  const text = plan.method === 'completions-echo' ? plan.prompt : scored.map((token) => token.token).join('');
  const start = plan.method === 'completions-echo' ? plan.answerStart : text.lastIndexOf(plan.expected);
  if (start < 0) return unavailable('The scored prompt’s tokens do not spell the expected answer (the chat template changed it, or a character was split across tokens).');
  const end = start + plan.expected.length;
  const covering = tokensCovering(text, scored, start, end);
  if (covering.indices.length === 0) return unavailable('No scored token covers the expected answer.');
  const tokens: { token: string; logprob: number }[] = [];
  for (const index of covering.indices) {
    const logprob = cleanLogprob(scored[index]!.logprob);
    if (logprob === undefined) return unavailable('The endpoint returned no logprob for a token of the expected answer.');
    tokens.push({ token: scored[index]!.token, logprob });
  }
  const logprob = tokens.reduce((sum, token) => sum + token.logprob, 0);
  const edges = covering.from < start || covering.to > end
    ? ` Its tokens also cover “${text.slice(covering.from, start)}” before it or “${text.slice(end, covering.to)}” after it, which the tokenizer joined to it.`
    : '';
  return {
    method: plan.method, probability: Math.exp(logprob), logprob, tokens,
    note: `Probability of the model writing the expected answer (${tokens.length} tokens), its end-of-answer token not included.${edges}`,
  };
}

/** Indices of the tokens placed over [start, end) of the text, and the span they cover. */
function tokensCovering(text: string, tokens: readonly TokenEntry[], start: number, end: number): { indices: number[]; from: number; to: number } {
  const indices: number[] = [];
  let from = start;
  let to = end;
  const aligner = new TokenAligner((placeStart, placeEnd, first, count) => {
    if (placeStart >= end || placeEnd <= start) return;
    from = Math.min(from, placeStart);
    to = Math.max(to, placeEnd);
    for (let i = first; i < first + count; i++) indices.push(i);
  });
  aligner.appendText(text);
  tokens.forEach((token, i) => aligner.addToken(i, token));
  aligner.finish();
  return { indices, from, to };
}

/** The first-token method: the probability that the answer starts the expected label, from the answer's own tokens. */
export function expectedFromFirstToken(expected: string, answerTokens: readonly TokenEntry[]): ExpectedProbability {
  const start = answerStartIndex(answerTokens);
  if (start < 0) return unavailable('The answer has no tokens.');
  const alternatives = alternativesAt(answerTokens[start]!);
  if ((answerTokens[start]!.top_logprobs ?? []).length === 0 || alternatives.length === 0) return unavailable('The endpoint returned no alternatives for the answer’s first token.');
  const matching = alternatives.filter((alternative) => tokenStartsLabel(alternative.token, expected));
  const where = start > 0 ? ` (token ${start + 1}, after the leading whitespace)` : '';
  if (matching.length === 0) {
    const below = Math.exp(alternatives.at(-1)!.logprob);
    return { method: 'first-token', probability: undefined, logprob: undefined, below, note: `Not among the ${alternatives.length} alternatives returned at the answer’s start${where}: below the least likely of them.` };
  }
  const probability = Math.min(1, matching.reduce((sum, alternative) => sum + Math.exp(alternative.logprob), 0));
  return {
    method: 'first-token', probability, logprob: Math.log(probability),
    note: `Probability that the answer starts with the expected label${where}: exact for a one-token label, an upper bound for a longer one.`,
  };
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json | undefined => (value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Json : undefined);

/**
 * vLLM's `prompt_logprobs` (one `{token id: {logprob, rank, decoded_token}}` per prompt token, the first `null`)
 * as token entries. The prompt token at a position is the one `prompt_token_ids` names, or the only entry when
 * the request asked for `prompt_logprobs: 0`. `undefined` when a position cannot be read that way.
 */
export function promptLogprobTokens(response: unknown): TokenEntry[] | undefined {
  const object = asObject(response);
  const positions = object?.prompt_logprobs;
  if (!Array.isArray(positions)) return undefined;
  const ids = Array.isArray(object!.prompt_token_ids) ? object!.prompt_token_ids as unknown[] : [];
  const tokens: TokenEntry[] = [];
  for (let i = 0; i < positions.length; i++) {
    const entries = asObject(positions[i]);
    if (!entries) {
      tokens.push({ token: '', logprob: null });
      continue;
    }
    const keys = Object.keys(entries);
    const key = ids[i] !== undefined && String(ids[i]) in entries ? String(ids[i]) : keys.length === 1 ? keys[0]! : undefined;
    const entry = key === undefined ? undefined : asObject(entries[key]);
    if (!entry) return undefined;
    tokens.push({ token: typeof entry.decoded_token === 'string' ? entry.decoded_token : '', logprob: typeof entry.logprob === 'number' ? entry.logprob : null });
  }
  return tokens;
}
