import { asObject } from './json';
import { excerpt } from './transcript';

/** Words for what a text turned out to be, for the refusal of one that is no response this reads. */

export const FORMATS_READ = 'OpenAI Chat Completions, Responses API and legacy Completions; llama.cpp /completion; '
  + 'Gemini generateContent and streamGenerateContent; Ollama /api/generate and /api/chat; vLLM prompt_logprobs; '
  + 'each as JSON, an SSE transcript, JSON Lines or a JSON array of events, also inside a test cassette or a HAR file';

const KEYS_SHOWN = 6;

function keysOf(object: Record<string, unknown>): string {
  const keys = Object.keys(object);
  const shown = keys.slice(0, KEYS_SHOWN).map((key) => excerpt(key, 30)).join(', ');
  return keys.length > KEYS_SHOWN ? `${shown}, … (${keys.length} keys)` : shown;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const PLURALS: Record<string, string> = { null: 'nulls', array: 'arrays', object: 'objects', string: 'strings', number: 'numbers', boolean: 'booleans' };

/** "JSON with keys: a, b, c", "an array of 12 numbers", "a JSON string", … */
export function describeJson(value: unknown): string {
  const object = asObject(value);
  if (object) return Object.keys(object).length === 0 ? 'an empty JSON object' : `JSON with keys: ${keysOf(object)}`;
  if (!Array.isArray(value)) return value === null ? 'JSON null' : `a JSON ${kindOf(value)}`;
  if (value.length === 0) return 'an empty JSON array';
  const kinds = new Set(value.map(kindOf));
  const [kind] = kinds;
  if (kinds.size > 1 || kind === undefined) return `an array of ${value.length} values of mixed kinds`;
  const first = asObject(value[0]);
  return `an array of ${value.length} ${PLURALS[kind]}${first ? ` (the first with keys: ${keysOf(first)})` : ''}`;
}

/** "an SSE transcript of 3 events, the first JSON with keys: …" */
export function describeEvents(container: 'sse' | 'lines', values: readonly unknown[]): string {
  const what = container === 'sse' ? `an SSE transcript of ${values.length} events` : `${values.length} JSON lines`;
  return values.length === 0 ? `${what}` : `${what}, the first ${describeJson(values[0])}`;
}
