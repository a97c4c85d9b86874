import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoggedHarEntry } from '../../src/core/logged';
import { readLogged } from '../../src/core/logged';
import { documentName, harEntryRow, LOGGED_FILE_EXTENSIONS, LOGGED_FILE_WHEN } from '../../src/core/logged/presentation';
import { Commands } from '../../src/vscode/commandIds';
import { repoRoot } from '../support/fixtures';

/** How Open Logprobs Response names what it opens, lists HAR requests, and which files its menus offer. */

const loggedFixtures = path.join(repoRoot, 'test', 'fixtures', 'logged');

describe('Open Logprobs Response: names, HAR rows and menus', () => {
  it('names a document by its format, path separators written as ∕ so the tab shows the whole label', () => {
    assert.equal(documentName('llama.cpp /completion stream'), 'llama.cpp \u2215completion stream');
    assert.equal(documentName('Ollama /api/chat stream (JSON Lines)', 2), 'Ollama \u2215api\u2215chat stream (JSON Lines) (2)');
    assert.equal(documentName('Gemini generateContent response', 1), 'Gemini generateContent response');
    assert.equal(documentName('a\\b', 3), 'a\u2215b (3)');
  });

  it('gives every fixture a document name that is one path segment', () => {
    for (const name of fs.readdirSync(loggedFixtures).filter((file) => file !== 'README.md')) {
      const result = readLogged(fs.readFileSync(path.join(loggedFixtures, name), 'utf8'));
      const labels = result.kind === 'har' ? result.entries.map((entry) => entry.response.label) : result.kind === 'refused' ? [] : [result.label];
      assert.ok(labels.length > 0, `${name} is read`);
      for (const label of labels) assert.doesNotMatch(documentName(label), /[/\\]/, name);
    }
  });

  it('lists a HAR request by method and URL, start time and format', () => {
    const har = readLogged(fs.readFileSync(path.join(loggedFixtures, 'devtools-capture.har'), 'utf8'));
    assert.equal(har.kind, 'har');
    // The fixture's entries 1 and 2 (its log.entries[].request and startedDateTime, by hand).
    assert.deepEqual(har.kind === 'har' && har.entries.map(harEntryRow), [
      { label: 'POST https://api.openai.com/v1/chat/completions', description: '2025-11-20T09:14:05.311Z', detail: 'OpenAI Chat Completions stream' },
      { label: 'POST http://127.0.0.1:8080/completion', description: '2025-11-20T09:14:09.002Z', detail: 'llama.cpp /completion stream' },
    ]);
  });

  it('shows a HAR file\'s hostile method, URL and time literally: no icon, no link, one line', () => {
    const response = { kind: 'answer', format: 'chat', label: 'OpenAI Chat Completions response', deltas: [], hasLogprobs: true } as const;
    const entry: LoggedHarEntry = { index: 0, method: '$(zap)', url: 'https://x.example/[x](command:git.clone)\n$(alert)', started: '$(clock)\u202e', response };
    assert.deepEqual(harEntryRow(entry), {
      label: '\\$(zap) https://x.example/[x] (command: git.clone) \\$(alert)',
      description: '\\$(clock)',
      detail: 'OpenAI Chat Completions response',
    });
  });

  it('offers Open with Logprob Lens in the explorer and on editor tabs for exactly the logged-file extensions, and not in the palette', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    const entry = (menu: string) => manifest.contributes.menus[menu]!.find((item) => item.command === Commands.openWith);
    assert.equal(entry('explorer/context')?.when, `!explorerResourceIsFolder && ${LOGGED_FILE_WHEN}`);
    assert.equal(entry('editor/title/context')?.when, LOGGED_FILE_WHEN);
    assert.equal(entry('commandPalette')?.when, 'false');
    // The clause's regular expression, as VS Code evaluates it against `resourceExtname`.
    const [, source, flags] = /=~ \/(.*)\/(\w*)$/.exec(LOGGED_FILE_WHEN)!;
    const matches = new RegExp(source!, flags);
    assert.deepEqual(['.json', '.jsonl', '.ndjson', '.sse', '.txt', '.har', '.HAR', '.JSON'].filter((extension) => !matches.test(extension)), []);
    assert.deepEqual(['.js', '.jsonc', '.md', '', '.har.gz', 'json'].filter((extension) => matches.test(extension)), []);
    assert.deepEqual([...LOGGED_FILE_EXTENSIONS], ['json', 'jsonl', 'ndjson', 'sse', 'txt', 'har']);
  });
});
