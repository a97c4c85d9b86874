import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NO_BUCKET } from '../../../src/core/answer';
import type { RunResult } from '../../../src/vscode/runs/result';
import { providerFixtures, repoRoot, syntheticFixtures } from '../../support/fixtures';
import { consecutiveRanges } from '../../support/placement';
import { editorWith, hoverAt, lens, replaySuite, waitFor } from './helpers';

/**
 * Open Logprobs Response and Open with Logprob Lens in a real editor, on every fixture of test/fixtures/logged:
 * the exact text, every token's range and hover, the format in the tab title, no request; refusals that leave
 * nothing behind. Expected texts and tokens are read from the raw fixtures or written out by hand from them.
 */

const loggedFixtures = path.join(repoRoot, 'test', 'fixtures', 'logged');
const loggedUri = (name: string): vscode.Uri => vscode.Uri.file(path.join(loggedFixtures, name));
const rawJson = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(loggedFixtures, name), 'utf8')) as T;

interface GeminiFile { candidates: { logprobsResult: { chosenCandidates: { token: string }[] } }[] }
const geminiTokens = (name: string): string[] => rawJson<GeminiFile>(name).candidates[0]!.logprobsResult.chosenCandidates.map((candidate) => candidate.token);

/** A run of tokens placed one after another; an answer after a scored prompt may hold none (no logprobs). */
interface Part { readonly text: string; readonly tokens: readonly string[] }
const tokens = (...spelled: string[]): Part => ({ text: spelled.join(''), tokens: spelled });

// The llama.cpp excerpts hold "овые", " щ", "ё" (4, 2 and 1 UTF-16 units); the old `probs` stream sends the
// second as its last byte ("byte: \x89"), which still takes its whole character.
const LLAMA = tokens('овые', ' щ', 'ё');
// The chosen-only Gemini response; its two stream forms are that response cut into three chunks.
const GEMINI = tokens(...geminiTokens('gemini-generate-content-chosen-only-litellm.json'));

/** `truncated`: the fixture's response ended at its token limit (`stop_type: "limit"`, `MAX_TOKENS`, `done_reason: "length"`). */
const EXPECTED: Record<string, { readonly title: string; readonly parts: readonly Part[]; readonly truncated?: true }> = {
  'llamacpp-completion-stream-b6488-issue.sse.txt': { title: 'llama.cpp ∕completion stream', parts: [LLAMA] },
  'llamacpp-completion-stream-probs-ikllama-issue.sse.txt': { title: 'llama.cpp ∕completion stream', parts: [LLAMA] },
  'llamacpp-completion-whole.json': { title: 'llama.cpp ∕completion response', parts: [LLAMA], truncated: true },
  'llamacpp-completion-post-sampling.json': { title: 'llama.cpp ∕completion response', parts: [LLAMA] },
  'llamacpp-completion-probs-pr4714.json': { title: 'llama.cpp ∕completion response', parts: [tokens(' to', ' be', ' happy')] },
  'gemini-generate-content-chosen-only-litellm.json': { title: 'Gemini generateContent response', parts: [GEMINI] },
  'gemini-generate-content-top-candidates-litellm.json': {
    title: 'Gemini generateContent response', parts: [tokens(...geminiTokens('gemini-generate-content-top-candidates-litellm.json'))], truncated: true,
  },
  'gemini-stream-generate-content.sse.txt': { title: 'Gemini streamGenerateContent stream', parts: [GEMINI] },
  'gemini-stream-generate-content-array.json': { title: 'Gemini streamGenerateContent stream (JSON array)', parts: [GEMINI] },
  'openai-responses-events.jsonl': {
    title: 'OpenAI Responses API stream (JSON Lines)', parts: [tokens('The', ' capital', ' of', ' Minas', ' Gerais', ' is', ' Belo', ' Horizonte', '.')],
  },
  'ollama-chat-stream.ndjson': { title: 'Ollama ∕api∕chat stream (JSON Lines)', parts: [tokens('The')] },
  'ollama-chat-whole.json': { title: 'Ollama ∕api∕chat response', parts: [tokens('Okay')], truncated: true },
  'ollama-generate-stream.ndjson': { title: 'Ollama ∕api∕generate stream (JSON Lines)', parts: [tokens('Okay')], truncated: true },
  // Scored prompts: the prompt without its first token (which has no logprob), then the answer (no logprobs).
  'vllm-completions-prompt-logprobs.json': {
    title: 'vLLM prompt_logprobs (Completions)', parts: [tokens(' step', ' of', ' boiling', ' water'), { text: ' is', tokens: [] }],
  },
  'vllm-chat-prompt-logprobs.json': {
    title: 'vLLM prompt_logprobs (Chat Completions)',
    parts: [tokens('user', '\n', 'Hi', '<|im_end|>', '\n', '<|im_start|>', 'assistant', '\n'), { text: 'Hello! How can I help you today?', tokens: [] }],
  },
};

async function openLogged(target?: vscode.Uri, options?: unknown, command = 'logprobLens.openResponse'): Promise<{ result: RunResult; document: vscode.TextDocument }> {
  const result = await vscode.commands.executeCommand<RunResult>(command, target, options);
  assert.ok(result, 'the command opened something');
  assert.notEqual(result.outcome, 'refused', result.message);
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === result.documentUri);
  assert.ok(document, `the document ${result.documentUri} is open`);
  return { result, document };
}

function tabTitle(document: vscode.TextDocument): string | undefined {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs)
    .find((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === document.uri.toString())?.label;
}

/** Every placement of every answer in the document, as document offsets, and whether each is coloured. */
async function placements(document: vscode.TextDocument): Promise<{ ranges: [number, number][]; uncoloured: number }> {
  const ranges: [number, number][] = [];
  let uncoloured = 0;
  for (const { answer } of (await lens()).tracker.answers(document)) {
    for (let i = 0; i < answer.store.placementCount; i++) {
      const { start, end } = answer.store.placement(i);
      ranges.push([answer.start + start, answer.start + end]);
      if (answer.bucketOfPlacement(i) === NO_BUCKET) uncoloured++;
    }
  }
  return { ranges, uncoloured };
}

function expectedRanges(parts: readonly Part[]): [number, number][] {
  let offset = 0;
  return parts.flatMap((part) => {
    const ranges = consecutiveRanges(part.tokens).map(([start, end]): [number, number] => [offset + start, offset + end]);
    offset += part.text.length;
    return ranges;
  });
}

/** What is open: documents by URI and tabs by title, to show that a refusal left nothing behind. */
function openNow(): { documents: string[]; tabs: string[] } {
  return {
    documents: vscode.workspace.textDocuments.map((document) => document.uri.toString()),
    tabs: vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label)).sort(),
  };
}

function assertNothingLeft(before: ReturnType<typeof openNow>): void {
  const after = openNow();
  assert.deepEqual(after.documents.filter((uri) => !before.documents.includes(uri)), [], 'no new document');
  assert.deepEqual(after.tabs, before.tabs, 'no new tab');
}

/** Replaces one of `vscode.window`'s functions for the length of `body` (the extension shares this API object). */
async function replacing<K extends 'showErrorMessage' | 'showQuickPick' | 'showOpenDialog', T>(name: K, replacement: unknown, body: () => Thenable<T>): Promise<T> {
  const window = vscode.window as unknown as Record<K, unknown>;
  const original = window[name];
  window[name] = replacement;
  try {
    return await body();
  } finally {
    window[name] = original;
  }
}

async function workspaceFile(name: string, text: string): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with a workspace folder open');
  const uri = vscode.Uri.joinPath(folder.uri, name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

describe('Open Logprobs Response: every logged format in a real editor', () => {
  const suite = replaySuite();
  // A closed untitled document lingers a moment; the next one of its format would be named "… (2)" meanwhile.
  afterEach(() => waitFor('closed documents to be gone', () => !vscode.workspace.textDocuments.some((document) => document.uri.scheme === 'untitled')));

  it('has an expectation for every logged fixture but the HAR file', () => {
    const fixtures = fs.readdirSync(loggedFixtures).filter((name) => name !== 'README.md' && !name.endsWith('.har'));
    assert.deepEqual(fixtures.sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, { title, parts, truncated }] of Object.entries(EXPECTED)) {
    it(`${name}: exact text, every token placed, coloured and hovered, titled “${title}”, no request`, async () => {
      const requests = suite.server.requests.length;
      const { result, document } = await openLogged(loggedUri(name));
      assert.deepEqual([result.outcome, result.message], truncated ? ['truncated', 'The response stopped at the token limit it was generated with.'] : ['done', undefined]);
      assert.equal(document.getText(), parts.map((part) => part.text).join(''));
      assert.equal(tabTitle(document), title);
      const { ranges, uncoloured } = await placements(document);
      assert.deepEqual(ranges, expectedRanges(parts));
      assert.equal(uncoloured, 0, 'every token is coloured');
      for (const [start] of ranges) assert.match(await hoverAt(document, start), / · logprob -?\d/, `the token at ${start} has a hover`);
      assert.equal(suite.server.requests.length, requests, 'no request');
    });
  }

  it('opens the HAR request a caller names by its index in log.entries, titled by its format', async () => {
    const llama = await openLogged(loggedUri('devtools-capture.har'), { harEntry: 2 });
    assert.deepEqual([llama.document.getText(), tabTitle(llama.document)], [LLAMA.text, 'llama.cpp ∕completion stream']);
    assert.deepEqual((await placements(llama.document)).ranges, consecutiveRanges(LLAMA.tokens));
    const chat = await openLogged(loggedUri('devtools-capture.har'), { harEntry: 1 });
    // openai-chat-stream-logprobs-sayfoo.sse.txt: "Foo" then "!".
    assert.deepEqual([chat.document.getText(), tabTitle(chat.document)], ['Foo!', 'OpenAI Chat Completions stream']);
    assert.deepEqual((await placements(chat.document)).ranges, [[0, 3], [3, 4]]);
  });

  it('offers a HAR file\'s readable requests from the explorer menu in a quick pick, and opens the one chosen', async () => {
    let shown: { items: readonly vscode.QuickPickItem[]; options: vscode.QuickPickOptions | undefined } | undefined;
    const pick = (items: readonly vscode.QuickPickItem[], options?: vscode.QuickPickOptions): Thenable<vscode.QuickPickItem | undefined> => {
      shown = { items, options };
      return Promise.resolve(items[1]);
    };
    const har = loggedUri('devtools-capture.har');
    // The explorer passes the clicked file and the selected ones.
    const { document } = await replacing('showQuickPick', pick, () => openLogged(har, [har], 'logprobLens.openWith'));
    assert.deepEqual(shown?.items.map(({ label, description, detail }) => [label, description, detail]), [
      ['POST https://api.openai.com/v1/chat/completions', '2025-11-20T09:14:05.311Z', 'OpenAI Chat Completions stream'],
      ['POST http://127.0.0.1:8080/completion', '2025-11-20T09:14:09.002Z', 'llama.cpp /completion stream'],
    ]);
    assert.equal(shown?.options?.title, 'devtools-capture.har: 2 responses Logprob Lens reads');
    assert.deepEqual([document.getText(), tabTitle(document)], [LLAMA.text, 'llama.cpp ∕completion stream']);
  });

  it('refuses a HAR entry that holds no response it reads, leaving nothing behind', async () => {
    const before = openNow();
    const result = await vscode.commands.executeCommand<RunResult>('logprobLens.openResponse', loggedUri('devtools-capture.har'), { harEntry: 0 });
    assert.deepEqual([result.outcome, result.message], ['refused',
      'devtools-capture.har cannot be opened: its entry 0 is not a response Logprob Lens reads (the entries it reads: 1, 2).']);
    assertNothingLeft(before);
  });

  it('takes the active editor\'s text when it is a response, without asking for a file', async () => {
    await editorWith(fs.readFileSync(path.join(loggedFixtures, 'ollama-chat-whole.json'), 'utf8'));
    const asked = (): never => assert.fail('no file is asked for');
    const { document } = await replacing('showOpenDialog', asked, () => openLogged());
    assert.deepEqual([document.getText(), tabTitle(document)], ['Okay', 'Ollama ∕api∕chat response']);
  });

  it('asks for a file when the active editor holds no response, and opens nothing when none is chosen', async () => {
    await editorWith('What is the smallest continent?');
    const before = openNow();
    let filters: Record<string, string[]> | undefined;
    const dialog = (options: vscode.OpenDialogOptions): Thenable<undefined> => {
      filters = options.filters;
      return Promise.resolve(undefined);
    };
    const result = await replacing('showOpenDialog', dialog, () => vscode.commands.executeCommand<RunResult | undefined>('logprobLens.openResponse'));
    assert.equal(result, undefined);
    assert.deepEqual(filters, { 'Saved responses': ['json', 'jsonl', 'ndjson', 'sse', 'txt', 'har'], 'All files': ['*'] });
    assertNothingLeft(before);
  });

  it('refuses an unrecognised file in words, naming what it found, and leaves nothing behind', async () => {
    const uri = await workspaceFile('notes.json', '{"a": 1, "b": [], "c": null}');
    const before = openNow();
    const result = await vscode.commands.executeCommand<RunResult>('logprobLens.openWith', uri, [uri]);
    assert.equal(result.outcome, 'refused');
    assert.match(result.message ?? '', /^notes\.json cannot be opened: This is not a response Logprob Lens reads: it is JSON with keys: a, b, c\. It reads OpenAI Chat Completions, /);
    assertNothingLeft(before);
  });

  it('refuses a file over the size limit by its size, naming the limit, and leaves nothing behind', async () => {
    const uri = await workspaceFile('huge.jsonl', '');
    // A sparse file of 60 MiB: its size is known without writing (or reading) its bytes.
    fs.truncateSync(uri.fsPath, 60 * 1024 * 1024);
    try {
      const before = openNow();
      const result = await vscode.commands.executeCommand<RunResult>('logprobLens.openResponse', uri);
      assert.deepEqual([result.outcome, result.message], ['refused', 'huge.jsonl cannot be opened: The file is 60 MB; Open Logprobs Response reads files up to 50 MB.']);
      assertNothingLeft(before);
    } finally {
      await vscode.workspace.fs.delete(uri);
    }
  });

  it('keeps the events before a broken line, coloured, and names the line', async () => {
    // openai-chat-stream-logprobs-sayfoo.sse.txt with its "!" event (line 5) cut in the middle of its JSON.
    const lines = fs.readFileSync(path.join(providerFixtures, 'openai-chat-stream-logprobs-sayfoo.sse.txt'), 'utf8').split('\n');
    assert.match(lines[4]!, /"content":"!"/);
    const uri = await workspaceFile('broken.sse', [...lines.slice(0, 4), lines[4]!.slice(0, 60)].join('\n'));
    const { result, document } = await openLogged(uri);
    assert.equal(result.outcome, 'incomplete');
    assert.equal(document.getText(), 'Foo');
    assert.deepEqual((await placements(document)).ranges, [[0, 3]]);
    assert.match(result.message ?? '', /^The answer is incomplete: Reading stopped at line 5: not valid JSON \(“\{"id":"chatcmpl-.*”\)\. What arrived \(1 tokens\) is kept\.$/);
  });

  it('opens a response without logprobs uncoloured, and says so', async () => {
    const { result, document } = await openLogged(vscode.Uri.file(path.join(providerFixtures, 'watsonx-openai-compat-chat-stream-logprobs-ignored-llamastack.sse.txt')));
    assert.deepEqual([result.outcome, document.getText(), result.placements], ['done', '6 + 6 = 12.', 0]);
    assert.equal(result.message, 'This response holds no logprobs, so the text is not coloured.');
  });

  it('shows hostile tokens of a logged response literally in the hover', async () => {
    const { document } = await openLogged(vscode.Uri.file(path.join(syntheticFixtures, 'hostile-token.sse.txt')));
    const hostile = ' [x](command:workbench.action.terminal.new)';
    const at = document.getText().indexOf(hostile);
    assert.ok(at > 0, 'the hostile token is in the text');
    assert.match(await hoverAt(document, at + 2), /^`␣\[x\]\(command:workbench\.action\.terminal\.new\)` · /m);
  });

  it('makes a refusal that quotes a link to a command inert in the notification', async () => {
    const uri = await workspaceFile('hostile.json', '{"[run](command:git.clone)": 1}');
    const shown: string[] = [];
    const capture = (message: string): Thenable<undefined> => {
      shown.push(message);
      return Promise.resolve(undefined);
    };
    const before = openNow();
    const result = await replacing('showErrorMessage', capture, () => vscode.commands.executeCommand<RunResult>('logprobLens.openResponse', uri));
    assert.equal(result.outcome, 'refused');
    assert.equal(shown.length, 1);
    assert.ok(shown[0]!.startsWith('Logprob Lens: hostile.json cannot be opened: This is not a response Logprob Lens reads: it is JSON with keys: [run] (command: git.clone). It reads '), shown[0]);
    assert.doesNotMatch(shown[0]!, /\]\(|command:\S/);
    assertNothingLeft(before);
  });

  it('Try a Sample opens the recorded sample titled by its format', async () => {
    const { document } = await openLogged(undefined, undefined, 'logprobLens.trySample');
    assert.deepEqual([document.getText(), tabTitle(document)], ['4 + 4 = 8', 'OpenAI Chat Completions stream']);
  });
});
