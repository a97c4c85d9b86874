import { lineAt, syntaxErrorAt } from './jsonText';

/**
 * The containers a logged response comes in, taken apart into JSON values with the line each starts on: one JSON
 * document, a server-sent-events transcript (`data:` lines), or JSON Lines / NDJSON (one value per line). What a
 * value means is decided elsewhere (./recognise).
 */

export interface LoggedEvent {
  readonly value: unknown;
  /** 1-based line of the text where the event starts. */
  readonly line: number;
}

/** Where reading stopped in a transcript whose first events could be read. */
export interface ReadingStop {
  readonly line: number;
  readonly problem: string;
}

export type Container = 'json' | 'sse' | 'lines';

export type Transcript =
  | { readonly container: 'json'; readonly value: unknown }
  | { readonly container: 'sse' | 'lines'; readonly events: readonly LoggedEvent[]; readonly stop?: ReadingStop }
  /** JSON whose syntax breaks at `stop`. */
  | { readonly container: 'malformed'; readonly stop: ReadingStop }
  /** Not JSON at all: what it is, in words. */
  | { readonly container: 'text'; readonly found: string };

const LINE_BREAK = /\r\n|\n|\r/;
const SSE_FIELD = /^(?:data|event|id|retry):/;

/** A short, single-line excerpt of untrusted text for a message. */
export function excerpt(text: string, length = 60): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

function notJson(text: string, offset: number, lineOffset = 0): ReadingStop {
  const line = lineAt(text, offset);
  const lineText = text.split(LINE_BREAK)[line - 1] ?? '';
  return { line: line + lineOffset, problem: `not valid JSON${lineText.trim() ? ` (“${excerpt(lineText, 40)}”)` : ''}` };
}

function tryParse(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** Server-sent events: `data:` lines joined per event (blank-line separated), `[DONE]` and comments skipped. */
function readSse(lines: readonly string[]): Transcript {
  const events: LoggedEvent[] = [];
  let data: string[] = [];
  let dataLine = 0;
  const dispatch = (): ReadingStop | undefined => {
    const payload = data.join('\n');
    data = [];
    if (payload.trim() === '' || payload.trim() === '[DONE]') return undefined;
    const parsed = tryParse(payload);
    if (parsed) {
      events.push({ value: parsed.value, line: dataLine });
      return undefined;
    }
    return notJson(payload, Math.max(0, syntaxErrorAt(payload)), dataLine - 1);
  };
  for (let i = 0; i <= lines.length; i++) {
    const line = lines[i];
    let stop: ReadingStop | undefined;
    if (line === undefined || line === '') stop = dispatch();
    else if (line.startsWith('data:')) {
      if (data.length === 0) dataLine = i + 1;
      data.push(line.slice(5).replace(/^ /, ''));
    }
    if (stop) return { container: 'sse', events, stop };
  }
  return { container: 'sse', events };
}

/** JSON Lines: each non-blank line one value. */
function readLines(lines: readonly string[]): Transcript {
  const events: LoggedEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const parsed = tryParse(line);
    if (!parsed) return { container: 'lines', events, stop: notJson(line, Math.max(0, syntaxErrorAt(line)), i) };
    events.push({ value: parsed.value, line: i + 1 });
  }
  return { container: 'lines', events };
}

/** Takes a logged response's text apart; never throws. */
export function readTranscript(text: string): Transcript {
  const whole = tryParse(text);
  if (whole) return { container: 'json', value: whole.value };
  const lines = text.split(LINE_BREAK);
  const firstLines = lines.filter((line) => line.trim() !== '').slice(0, 20);
  const opening = text.trimStart().charAt(0);
  if (firstLines.some((line) => SSE_FIELD.test(line)) && opening !== '{' && opening !== '[') return readSse(lines);
  const firstLine = firstLines[0] ?? '';
  if (firstLines.length > 1 && tryParse(firstLine)) return readLines(lines);
  if (opening === '{' || opening === '[') return { container: 'malformed', stop: notJson(text, Math.max(0, syntaxErrorAt(text))) };
  return { container: 'text', found: firstLine ? `text that is not JSON (first line: “${excerpt(firstLine)}”)` : 'an empty text' };
}
