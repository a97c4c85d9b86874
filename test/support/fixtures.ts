import * as fs from 'node:fs';
import * as path from 'node:path';

/** Root of the repository, from `out/test/support` (compiled) or `test/support` (source). */
export const repoRoot = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../../..' : '../..');
export const providerFixtures = path.join(repoRoot, 'test', 'fixtures', 'providers');
/** Hand-written transcripts for cases no recording has (see its README). */
export const syntheticFixtures = path.join(repoRoot, 'test', 'fixtures', 'synthetic');
/** Continuations and probe answers for steering (hand-written where no recording exists: see its README). */
export const steeringFixtures = path.join(repoRoot, 'test', 'fixtures', 'steering');

export function readFixture(name: string): string {
  return fs.readFileSync(path.join(providerFixtures, name), 'utf8');
}

export interface SseEvent {
  readonly event: string | undefined;
  readonly data: string;
}

/** Splits a recorded SSE transcript into its events (blank-line separated `event:` / `data:` lines). */
export function parseSseTranscript(transcript: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of transcript.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return events;
}

/** The JSON chunks of a chat transcript, without the closing `[DONE]`. */
export function chatChunks(name: string): unknown[] {
  return parseSseTranscript(readFixture(name))
    .filter((event) => event.data !== '[DONE]')
    .map((event) => JSON.parse(event.data) as unknown);
}

/** Chat Completions stream recordings among the provider fixtures. */
export function chatStreamFixtures(): string[] {
  return fs.readdirSync(providerFixtures).filter((name) => name.endsWith('.sse.txt') && !name.includes('responses'));
}
