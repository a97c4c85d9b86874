import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoggedResult } from '../../src/core/logged';
import { readLogged } from '../../src/core/logged';
import { repoRoot } from '../support/fixtures';
import { place } from '../support/placement';
import { seeded } from '../support/seeded';

/**
 * Open Logprobs Response against damaged files: every fixture, truncated and mutated as text and as JSON, some
 * thousands of cases from a fixed seed. Each read returns a result or a refusal in words and never throws, and
 * every answer it returns goes through alignment and the token store without an exception either.
 */

const FIXTURE_DIRS = ['providers', 'synthetic', 'logged'].map((folder) => path.join(repoRoot, 'test', 'fixtures', folder));
const fixtures = FIXTURE_DIRS.flatMap((dir) => fs.readdirSync(dir).filter((name) => !name.endsWith('.md')).map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') })));

const NOISE = ['{', '}', '[', ']', '"', ':', ',', '\n', '\n\n', 'data: ', 'null', '-Infinity', 'NaN', '1e999', '"\\u0000"', '\\', '[[[[[[[[', '"token"', '-9999', '\uFFFD', '\uD800'];
const VALUES: unknown[] = [null, 0, -1, 1e308, -1e30, '', 'x', '\u202e', true, [], {}, [null], { token: 1 }, { logprob: 'x' }, '[x](command:x)'];

function textMutation(text: string, random: () => number): string {
  const at = Math.floor(random() * (text.length + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  switch (Math.floor(random() * 5)) {
    case 0: return text.slice(0, at);
    case 1: return text.slice(0, at) + pick(NOISE) + text.slice(at);
    case 2: return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 40));
    case 3: return text.slice(0, at) + pick(NOISE) + text.slice(at + 1);
    default: return text.slice(0, at) + text.slice(Math.floor(random() * text.length));
  }
}

/** Replaces one value somewhere in the JSON (or one JSON line / SSE event) by a value of another kind. */
function structuralMutation(text: string, random: () => number): string | undefined {
  const mutate = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return VALUES[Math.floor(random() * VALUES.length)];
    const keys = Object.keys(value);
    if (keys.length === 0) return VALUES[Math.floor(random() * VALUES.length)];
    const key = keys[Math.floor(random() * keys.length)]!;
    const copy = (Array.isArray(value) ? [...value as unknown[]] : { ...value }) as Record<string, unknown>;
    copy[key] = random() < 0.3 ? VALUES[Math.floor(random() * VALUES.length)] : mutate(copy[key]);
    return copy;
  };
  try {
    return JSON.stringify(mutate(JSON.parse(text)));
  } catch {
    const lines = text.split('\n');
    const line = Math.floor(random() * lines.length);
    const match = /^(data: )?(.*)$/.exec(lines[line]!)!;
    try {
      lines[line] = (match[1] ?? '') + JSON.stringify(mutate(JSON.parse(match[2]!)));
      return lines.join('\n');
    } catch {
      return undefined;
    }
  }
}

function assertSound(result: LoggedResult, input: string): void {
  switch (result.kind) {
    case 'refused':
      assert.ok(result.problem.length > 0 && /[.]$/.test(result.problem), `a refusal in full words for ${JSON.stringify(input.slice(0, 80))}`);
      return;
    case 'har':
      for (const entry of result.entries) assertSound(entry.response, input);
      return;
    case 'scored-prompt':
      place([{ text: result.text, tokens: result.tokens, hasLogprobs: true, finishReason: 'stop' }]);
      if (result.answer) place(result.answer.deltas);
      return;
    case 'run':
      assert.ok(result.record.text.length >= 0);
      return;
    default:
      assert.ok(result.label.length > 0);
      place(result.deltas);
  }
}

describe('Open Logprobs Response survives damaged files (seeded fuzz)', () => {
  const CASES_PER_FIXTURE = 100;

  it(`reads ${CASES_PER_FIXTURE} mutations of each of the ${fixtures.length} fixtures without throwing`, () => {
    let cases = 0;
    for (const [number, fixture] of fixtures.entries()) {
      const random = seeded(0x5eed + number);
      for (let i = 0; i < CASES_PER_FIXTURE; i++) {
        const input = i % 2 === 0 ? textMutation(fixture.text, random) : structuralMutation(fixture.text, random) ?? textMutation(fixture.text, random);
        let result: LoggedResult;
        try {
          result = readLogged(input);
          assertSound(result, input);
        } catch (error) {
          assert.fail(`${fixture.name}, case ${i} (seed ${0x5eed + number}): ${error instanceof Error ? error.stack : String(error)}`);
        }
        cases++;
      }
    }
    assert.ok(cases >= 3000, `${cases} cases`);
  });

  it('survives hostile nesting and lone surrogates', () => {
    for (const input of ['['.repeat(100_000), `${'{"body":'.repeat(10_000)}1${'}'.repeat(10_000)}`, '"\uD800"', `data: ${'['.repeat(50_000)}\n\n`]) {
      assertSound(readLogged(input), input);
    }
  });
});
