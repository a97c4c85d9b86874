// Builders for the runs tests: a record from hand-written tokens laid end to end, with settings to override.
import type { RunInput, RunRecord } from '../../src/core/runs/runRecord';
import { createRunRecord } from '../../src/core/runs/runRecord';
import type { TokenInput } from '../../src/core/runs/runTokens';
import { placementColumns, tokensFromEntries } from '../../src/core/runs/runTokens';

/** A token whose alternatives are given as [text, probability] pairs (logprobs are their natural logs). */
export function token(text: string, probability: number | null, alternatives: [string, number][] = []): TokenInput {
  return {
    token: text,
    logprob: probability === null ? null : Math.log(probability),
    top_logprobs: alternatives.map(([alternative, p]) => ({ token: alternative, logprob: Math.log(p) })),
  };
}

/** A record whose tokens are placed one after another on their own text. */
export function recordOf(entries: readonly TokenInput[], overrides: Partial<RunInput> = {}): RunRecord {
  const placements = placementColumns();
  let text = '';
  entries.forEach((entry, i) => {
    placements.add(text.length, text.length + entry.token.length, i, 1);
    text += entry.token;
  });
  return createRunRecord({
    kind: 'completion',
    createdAt: Date.UTC(2025, 5, 14, 9, 41),
    document: { uri: 'file:///work/notes.md', name: 'notes.md' },
    offset: 10,
    request: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello.' }], topLogprobs: 5, sampling: { temperature: 0.7 } },
    endpoint: { profile: 'local', host: 'localhost:8000', model: 'qwen2.5-7b', apiStyle: 'chat' },
    outcome: 'done',
    timings: { firstTokenMs: 120, totalMs: 900 },
    text,
    tokens: tokensFromEntries(entries),
    placements: placements.build(),
    uncertainThreshold: 0.5,
    ...overrides,
  });
}
