import type { ChunkDelta } from '../chatChunk';
import type { Alternative } from '../logprob';
import { wellFormedEntries } from '../logprob';
import type { Json } from './json';
import { asArray, asNumber, asObject, asString } from './json';

/**
 * Gemini `generateContent` and `streamGenerateContent` (AI Studio and Vertex AI; each streamed chunk has the shape
 * of a whole response): the text of candidate 0's parts and its `logprobsResult`, whose `chosenCandidates[i]` is
 * the sampled token at step i and `topCandidates[i].candidates` the alternatives there (absent unless `logprobs`
 * was asked for: the chosen token still colours). Thought parts (`thought: true`) are reasoning, not answer.
 */

export function isGeminiEvent(object: Json): boolean {
  return Array.isArray(object.candidates) || (asObject(object.usageMetadata) !== undefined && typeof object.modelVersion === 'string');
}

function candidateOf(value: unknown): { token: string; logprob: number; id?: number } | undefined {
  const object = asObject(value);
  const token = asString(object?.token);
  const logprob = asNumber(object?.logProbability);
  if (token === undefined || logprob === undefined) return undefined;
  const id = asNumber(object?.tokenId);
  return id === undefined ? { token, logprob } : { token, logprob, id };
}

const FINISH_REASONS: Record<string, string> = {
  STOP: 'stop', MAX_TOKENS: 'length', SAFETY: 'content_filter', RECITATION: 'content_filter', BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter', SPII: 'content_filter', IMAGE_SAFETY: 'content_filter',
};

export function geminiDelta(event: unknown): ChunkDelta {
  const candidates = asArray(asObject(event)?.candidates);
  const candidate = asObject(candidates.find((value) => (asObject(value)?.index ?? 0) === 0));
  const text = asArray(asObject(candidate?.content)?.parts)
    .map((part) => asObject(part))
    .filter((part) => part?.thought !== true)
    .map((part) => asString(part?.text) ?? '')
    .join('');
  const result = asObject(candidate?.logprobsResult);
  const tops = asArray(result?.topCandidates);
  const entries = asArray(result?.chosenCandidates).map((chosen, step) => {
    const entry = candidateOf(chosen);
    const alternatives: Alternative[] | undefined = Array.isArray(asObject(tops[step])?.candidates)
      ? asArray(asObject(tops[step])?.candidates).map(candidateOf).filter((alternative) => alternative !== undefined)
      : undefined;
    return entry && alternatives ? { ...entry, top_logprobs: alternatives } : entry;
  });
  const tokens = wellFormedEntries(entries.filter((entry) => entry !== undefined));
  const reason = asString(candidate?.finishReason);
  return { text, tokens, hasLogprobs: tokens.length > 0, finishReason: reason ? FINISH_REASONS[reason] ?? reason.toLowerCase() : undefined };
}
