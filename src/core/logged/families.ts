import type { ChunkDelta } from '../chatChunk';
import { chatChunkDelta, firstChoice } from '../chatChunk';
import { geminiDelta, isGeminiEvent } from './gemini';
import type { Json } from './json';
import { asObject } from './json';
import { isLlamaCppEvent, llamaCppDelta } from './llamaCpp';
import { ollamaChunkDelta, ollamaEndpoint } from './ollama';
import { chatCompletionDeltas, completionChunkDelta, responsesEventDelta, responsesResponseDeltas } from './openai';

/**
 * The format families a logged response is recognised as, by shape. Each reads a streamed event and a whole
 * response alike (a whole response is a stream of one), and names itself for the document title.
 */

export type FamilyId = 'chat' | 'responses' | 'completions' | 'llamacpp' | 'gemini' | 'ollama';

export interface Family {
  readonly id: FamilyId;
  /** Whether one event or response has this family's shape. */
  matches(object: Json): boolean;
  read(value: unknown): readonly ChunkDelta[];
  /** Name of a whole response / of a stream, from the first event that matched. */
  wholeName(first: Json): string;
  streamName(first: Json): string;
}

const isResponsesEvent = (object: Json): boolean => typeof object.type === 'string' && object.type.startsWith('response.');

function isChatCompletion(object: Json): boolean {
  const choice = firstChoice(object.choices);
  return object.object === 'chat.completion' || (object.object !== 'chat.completion.chunk' && asObject(choice?.message) !== undefined);
}

const named = (name: string) => ({ wholeName: () => name, streamName: () => name });

export const FAMILIES: readonly Family[] = [
  {
    id: 'chat',
    matches: (object) => {
      const choice = firstChoice(object.choices);
      return (typeof object.object === 'string' && object.object.startsWith('chat.completion'))
        || asObject(choice?.delta) !== undefined || asObject(choice?.message) !== undefined;
    },
    read: (value) => {
      const object = asObject(value);
      return object && isChatCompletion(object) ? chatCompletionDeltas(object) : [chatChunkDelta(value)];
    },
    ...named('OpenAI Chat Completions'),
  },
  {
    id: 'completions',
    matches: (object) => object.object === 'text_completion' || typeof firstChoice(object.choices)?.text === 'string',
    read: (value) => [completionChunkDelta(value)],
    ...named('OpenAI legacy Completions'),
  },
  {
    id: 'responses',
    matches: (object) => isResponsesEvent(object) || object.object === 'response' || (Array.isArray(object.output) && !('choices' in object)),
    read: (value) => {
      const object = asObject(value);
      return object && isResponsesEvent(object) ? [responsesEventDelta(object)] : responsesResponseDeltas(value);
    },
    ...named('OpenAI Responses API'),
  },
  {
    id: 'llamacpp',
    matches: isLlamaCppEvent,
    read: (value) => [llamaCppDelta(value)],
    ...named('llama.cpp /completion'),
  },
  {
    id: 'gemini',
    matches: isGeminiEvent,
    read: (value) => [geminiDelta(value)],
    wholeName: () => 'Gemini generateContent',
    streamName: () => 'Gemini streamGenerateContent',
  },
  {
    id: 'ollama',
    matches: (object) => ollamaEndpoint(object) !== undefined,
    read: (value) => [ollamaChunkDelta(value)],
    wholeName: (first) => `Ollama ${ollamaEndpoint(first) ?? '/api/generate'}`,
    streamName: (first) => `Ollama ${ollamaEndpoint(first) ?? '/api/generate'}`,
  },
];

export function familyOf(value: unknown): Family | undefined {
  const object = asObject(value);
  return object && FAMILIES.find((family) => family.matches(object));
}
