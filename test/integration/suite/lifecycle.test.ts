import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunResult } from '../../../src/vscode/runs/result';
import type { ReplayServer } from '../../support/replayServer';
import { startReplayServer } from '../../support/replayServer';
import { complete, editorWith, hoverAt, lens, PROMPT, replaySuite, TOP5, TOP5_TEXT, typeAt, useModel, waitFor } from './helpers';

/** Starts a completion and waits until the first words are in the document (wrapped: an async function returning the promise would wait for it). */
async function startSlow(editor: vscode.TextEditor): Promise<{ running: Promise<RunResult> }> {
  const api = await lens();
  const running = complete();
  await waitFor('the first words', () => (api.tracker.answers(editor.document)[0]?.answer.length ?? 0) >= 'The smallest'.length, 15_000);
  return { running };
}

/**
 * Starts a completion of 10,000 one-letter chunks sent as fast as the socket takes them (the inserter always has
 * text queued) and waits until the first hundred letters are in.
 */
async function startFast(): Promise<{ editor: vscode.TextEditor; running: Promise<RunResult> }> {
  await useModel('fault:tiny-chunks');
  const editor = await editorWith(PROMPT);
  const api = await lens();
  const running = complete();
  await waitFor('the first hundred letters', () => (api.tracker.answers(editor.document)[0]?.answer.length ?? 0) >= 100);
  return { editor, running };
}

describe('faults, editor lifecycle and security in a real editor (the robustness matrix, editor layer)', () => {
  const suite = replaySuite();
  let server: ReplayServer;
  beforeEach(() => {
    server = suite.server;
  });

  it('follows the insertion point when the user types above it during the stream', async () => {
    const editor = await editorWith(PROMPT);
    server.paceMs = 150;
    const { running } = await startSlow(editor);
    await typeAt(editor, new vscode.Position(0, 0), 'Question:\n');
    const result = await running;
    assert.equal(result.outcome, 'done');
    assert.equal(editor.document.getText(), `Question:\n${PROMPT}\n\n${TOP5_TEXT}`);
    assert.match(await hoverAt(editor.document, result.answerStart! + TOP5_TEXT.indexOf(' Australia') + 2), /`␣Australia`/);
  });

  it('stops when the user types inside the answer, keeping the text, theirs included', async () => {
    const editor = await editorWith(PROMPT);
    server.paceMs = 300;
    const { running } = await startSlow(editor);
    const api = await lens();
    const start = api.tracker.answers(editor.document)[0]!.answer.start;
    await typeAt(editor, editor.document.positionAt(start + 2), 'X');
    const result = await running;
    assert.equal(result.outcome, 'cancelled');
    const kept = editor.document.getText().slice(start);
    assert.ok(kept.startsWith('ThXe smallest'), kept);
    assert.ok(kept.length < TOP5_TEXT.length);
  });

  it('keeps streaming into a document whose tab was switched away from', async () => {
    const editor = await editorWith(PROMPT);
    server.paceMs = 120;
    const { running } = await startSlow(editor);
    await editorWith('another file');
    const result = await running;
    assert.equal(result.outcome, 'done', result.message);
    assert.equal(editor.document.getText(), `${PROMPT}\n\n${TOP5_TEXT}`);
    await vscode.window.showTextDocument(editor.document);
    assert.match(await hoverAt(editor.document, result.answerStart!), /`The`/);
  });

  it('stops the request when the document is closed', async () => {
    const editor = await editorWith(PROMPT);
    server.paceMs = 400;
    const { running } = await startSlow(editor);
    const closedAt = Date.now();
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    const result = await running;
    assert.equal(result.outcome, 'cancelled');
    assert.ok(Date.now() - closedAt < 1500, 'stopped promptly');
  });

  it('keeps CRLF documents CRLF and places tokens right in them', async () => {
    const editor = await editorWith(`${PROMPT}\r\nnext line`);
    assert.equal(editor.document.eol, vscode.EndOfLine.CRLF);
    const result = await complete();
    assert.equal(editor.document.getText(), `${PROMPT}\r\n\r\n${TOP5_TEXT}\r\nnext line`);
    assert.match(await hoverAt(editor.document, result.answerStart! + TOP5_TEXT.indexOf(' Australia') + 2), /`␣Australia`/);
  });

  it('takes a reversed selection as the same prompt, and the primary selection of several', async () => {
    const text = `${PROMPT}\nsecond line\nthird line`;
    const editor = await editorWith(text, new vscode.Selection(0, PROMPT.length, 0, 0));
    await complete();
    assert.deepEqual((server.requests.at(-1)!.body!.messages as { content: string }[])[0]!.content, PROMPT);
    assert.ok(editor.document.getText().startsWith(`${PROMPT}\n\n${TOP5_TEXT}\nsecond line`));
    // Lines now: prompt, blank, answer, second line, third line. The primary selection is the first one.
    editor.selections = [new vscode.Selection(3, 0, 3, 11), new vscode.Selection(0, 0, 0, 4)];
    await complete();
    assert.equal((server.requests.at(-1)!.body!.messages as { content: string }[])[0]!.content, 'second line');
  });

  it('refuses a read-only editor, sending nothing', async () => {
    const provider = vscode.workspace.registerTextDocumentContentProvider('logprob-lens-readonly', { provideTextDocumentContent: () => PROMPT });
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse('logprob-lens-readonly:/prompt.txt'));
      const editor = await vscode.window.showTextDocument(document);
      editor.selection = new vscode.Selection(0, 0, 0, PROMPT.length);
      const before = server.requests.length;
      const result = await complete();
      assert.equal(result.outcome, 'refused');
      assert.match(result.message ?? '', /read-only/);
      assert.equal(server.requests.length, before);
    } finally {
      provider.dispose();
    }
  });

  it('works in an untitled document', async () => {
    const document = await vscode.workspace.openTextDocument({ content: PROMPT });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, PROMPT.length);
    const result = await complete();
    assert.equal(result.outcome, 'done');
    assert.equal(document.getText(), `${PROMPT}\n\n${TOP5_TEXT}`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('sends a 200,000-character selection whole and says clearly when it is too long, inserting nothing', async () => {
    await useModel('fault:context-too-long');
    const long = 'lorem ipsum '.repeat(16_667).slice(0, 200_000);
    const editor = await editorWith(long, new vscode.Selection(0, 0, 0, 200_000));
    const result = await complete();
    assert.equal(result.outcome, 'failed');
    assert.match(result.message ?? '', /too long/);
    assert.equal(editor.document.getText(), long);
    assert.equal((server.requests.at(-1)!.body!.messages as { content: string }[])[0]!.content.length, 200_000);
  });

  it('sends binary and NUL-heavy text exactly as it is', async () => {
    const binary = 'a\u0000b\u0001\u0002\u001b[31m\uFFFD\u0000end';
    // An untitled document: VS Code refuses to open a file with NUL bytes as text.
    const document = await vscode.workspace.openTextDocument({ content: binary });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, binary.length);
    const result = await complete();
    assert.equal(result.outcome, 'done');
    assert.equal((server.requests.at(-1)!.body!.messages as { content: string }[])[0]!.content, binary);
    assert.equal(document.getText(), `${binary}\n\n${TOP5_TEXT}`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('refuses a second request in the same document while one runs, saying so', async () => {
    const editor = await editorWith(PROMPT);
    server.paceMs = 200;
    const { running: first } = await startSlow(editor);
    const second = await complete();
    assert.equal(second.outcome, 'refused');
    assert.match(second.message ?? '', /already working in this document/);
    assert.equal((await first).outcome, 'done');
  });

  it('keeps a broken stream\'s text, coloured and marked incomplete, and can remove it', async () => {
    await useModel('fault:reset-after-3');
    const editor = await editorWith(PROMPT);
    const result = await complete();
    assert.equal(result.outcome, 'incomplete');
    assert.match(result.message ?? '', /^The answer is incomplete: The connection to .* was cut in the middle of the answer\. What arrived \(2 tokens\) is kept\.$/);
    assert.equal(editor.document.getText(), `${PROMPT}\n\nThe smallest`);
    const api = await lens();
    const [tracked] = api.tracker.answers(editor.document);
    assert.equal(tracked!.state, 'incomplete');
    assert.equal(tracked!.answer.store.validPlacementCount, 2);
    assert.match(api.statusText(), /\$\(warning\)/);
    assert.ok(await api.completions.removeAnswer(editor.document, tracked!));
    assert.equal(editor.document.getText(), PROMPT);
    assert.equal(server.requests.filter((request) => request.body?.model === 'fault:reset-after-3').length, 1, 'never re-requested');
  });

  it('marks a stream that ended without finish_reason incomplete, and length as truncated', async () => {
    await useModel('fault:no-finish');
    await editorWith(PROMPT);
    assert.equal((await complete()).outcome, 'incomplete');
    await useModel('fault:length');
    await editorWith(PROMPT);
    const truncated = await complete();
    assert.equal(truncated.outcome, 'truncated');
    assert.match(truncated.message ?? '', /token limit/);
  });

  it('cancels during a wait for a retry at once', async () => {
    await useModel('fault:429-short');
    const editor = await editorWith(PROMPT);
    const running = complete();
    await waitFor('the 429', () => server.requests.some((request) => request.body?.model === 'fault:429-short'));
    const cancelledAt = Date.now();
    await vscode.commands.executeCommand('logprobLens.cancel', editor.document);
    const result = await running;
    assert.equal(result.outcome, 'cancelled');
    assert.ok(Date.now() - cancelledAt < 500, `took ${Date.now() - cancelledAt} ms`);
    assert.equal(editor.document.getText(), PROMPT);
  });

  it('Undo during a fast stream takes the partial answer back and stops the request: nothing arrives after it', async () => {
    const { editor, running } = await startFast();
    await vscode.commands.executeCommand('undo');
    const result = await running;
    assert.equal(result.outcome, 'cancelled');
    assert.ok(result.tokens < 10_000, `stopped in the middle (${result.tokens} tokens)`);
    assert.equal(editor.document.getText(), PROMPT, 'the document is exactly as before, with nothing inserted after the undo');
  });

  it('Cancel during a fast stream keeps what arrived, and returns once the document is final', async () => {
    const { editor, running } = await startFast();
    assert.equal(await vscode.commands.executeCommand('logprobLens.cancel'), true);
    const afterCancel = editor.document.getText();
    const result = await running;
    assert.equal(result.outcome, 'cancelled');
    assert.equal(editor.document.getText(), afterCancel, 'nothing was inserted after Cancel returned');
    const answer = afterCancel.slice(PROMPT.length + 2);
    assert.ok(answer.length >= 100 && answer.length < 10_000, `stopped in the middle (${answer.length} letters)`);
    assert.equal(answer, Array.from({ length: answer.length }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''), 'what arrived, whole and in order');
  });

  it('stops when the user types inside a fast stream, and nothing lands after the keystroke', async () => {
    const { editor, running } = await startFast();
    const start = PROMPT.length + 2;
    await typeAt(editor, editor.document.positionAt(start + 2), 'X');
    const afterKeystroke = editor.document.getText();
    const result = await running;
    assert.equal(result.outcome, 'cancelled');
    assert.equal(editor.document.getText(), afterKeystroke, 'nothing was inserted after the keystroke');
    // What is there: the letters a, b, c, ... as the fault sends them, with the X after the second.
    const answer = afterKeystroke.slice(start);
    assert.equal(answer.slice(0, 3), 'abX');
    const letters = answer.slice(0, 2) + answer.slice(3);
    assert.ok(letters.length >= 100 && letters.length < 10_000, `${letters.length} letters`);
    assert.equal(letters, Array.from({ length: letters.length }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
  });

  it('answers in a notebook cell', async () => {
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, PROMPT, 'plaintext'),
    ]));
    await vscode.window.showNotebookDocument(notebook);
    const cell = notebook.cellAt(0).document;
    await waitFor('the cell editor', () => vscode.window.visibleTextEditors.some((candidate) => candidate.document === cell));
    const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document === cell)!;
    editor.selection = new vscode.Selection(0, 0, 0, PROMPT.length);
    const result = await (await lens()).completions.completeSelection(editor);
    assert.equal(result.outcome, 'done', result.message);
    assert.equal(cell.getText(), `${PROMPT}\n\n${TOP5_TEXT}`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('never writes the key to the log or a message', async () => {
    const api = await lens();
    assert.ok(api.test, 'the test API is there in test mode');
    const key = 'sk-test-never-log-me-0123456789';
    await api.test.keys.set(new URL(server.baseUrl).origin, key);
    try {
      await useModel('fault:401');
      await editorWith(PROMPT);
      const rejected = await complete();
      assert.equal(rejected.outcome, 'failed');
      assert.ok(!rejected.message!.includes(key));
      assert.equal(server.requests.at(-1)!.headers.authorization, `Bearer ${key}`);
      await useModel(TOP5);
      await editorWith(PROMPT);
      await complete();
      assert.ok(api.test.logLines.length > 4);
      for (const line of [...api.test.logLines, ...api.test.notifications]) assert.ok(!line.includes(key) && !line.includes('0123456789'), line);
    } finally {
      await api.test.keys.clear(new URL(server.baseUrl).origin);
    }
  });

  it('sends a key only to the origin, and the profile, it was stored for', async () => {
    const api = await lens();
    assert.ok(api.test, 'the test API is there in test mode');
    const config = vscode.workspace.getConfiguration('logprobLens');
    const origin = new URL(server.baseUrl).origin;
    const otherPort = await startReplayServer();
    const originKey = 'sk-test-for-the-origin-0123456789';
    const profileKey = 'sk-test-for-the-profile-0123456789';
    await api.test.keys.set(origin, originKey);
    const authorizationOf = async (to: ReplayServer): Promise<string | undefined> => {
      await editorWith(PROMPT);
      const before = to.requests.length;
      const result = await complete();
      assert.equal(result.outcome, 'done', result.message);
      assert.equal(to.requests.length, before + 1, 'the request went to the expected server');
      return to.requests.at(-1)!.headers.authorization;
    };
    try {
      assert.equal(await authorizationOf(server), `Bearer ${originKey}`, 'its own origin');
      await config.update('baseUrl', otherPort.baseUrl, vscode.ConfigurationTarget.Global);
      assert.equal(await authorizationOf(otherPort), undefined, 'another port of the same host');
      await config.update('baseUrl', server.baseUrl.replace('127.0.0.1', 'localhost'), vscode.ConfigurationTarget.Global);
      assert.equal(await authorizationOf(server), undefined, 'the same server under another host name: another origin');
      await config.update('baseUrl', server.baseUrl, vscode.ConfigurationTarget.Global);
      await config.update('endpoints', { local: { baseUrl: server.baseUrl, model: TOP5 } }, vscode.ConfigurationTarget.Global);
      await config.update('endpoint', 'local', vscode.ConfigurationTarget.Global);
      assert.equal(await authorizationOf(server), undefined, 'a profile at the very same origin');
      await api.test.keys.set(`local@${origin}`, profileKey);
      assert.equal(await authorizationOf(server), `Bearer ${profileKey}`, 'the profile\'s own key');
      await config.update('endpoint', undefined, vscode.ConfigurationTarget.Global);
      assert.equal(await authorizationOf(server), `Bearer ${originKey}`, 'and the origin\'s key again without the profile');
    } finally {
      await config.update('baseUrl', server.baseUrl, vscode.ConfigurationTarget.Global);
      await config.update('endpoint', undefined, vscode.ConfigurationTarget.Global);
      await config.update('endpoints', undefined, vscode.ConfigurationTarget.Global);
      await api.test.keys.clear(origin);
      await api.test.keys.clear(`local@${origin}`);
      await otherPort.close();
    }
  });
});
