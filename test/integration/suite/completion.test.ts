import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NO_BUCKET } from '../../../src/core/answer';
import type { ReplayServer } from '../../support/replayServer';
import { startReplayServer } from '../../support/replayServer';
import { complete, editorWith, hoverAt, lens, PROMPT, replaySuite, TOP5, TOP5_TEXT, useModel, waitFor } from './helpers';

describe('Complete Selection in a real editor', () => {
  const suite = replaySuite();
  let server: ReplayServer;
  beforeEach(() => {
    server = suite.server;
  });

  it('loads the SDK only on the first request', async () => {
    const api = await lens();
    assert.equal(api.sdkLoaded(), false);
    await editorWith(PROMPT);
    await complete();
    assert.equal(api.sdkLoaded(), true);
  });

  it('inserts exactly the recorded answer on new lines after the selection, keeping the selection', async () => {
    const editor = await editorWith(`${PROMPT}\nnext line`);
    const selected = editor.selection;
    const result = await complete();
    assert.equal(result.outcome, 'done', result.message);
    assert.equal(editor.document.getText(), `${PROMPT}\n\n${TOP5_TEXT}\nnext line`);
    assert.equal(editor.document.getText(new vscode.Range(editor.document.positionAt(result.answerStart!), editor.document.positionAt(result.answerEnd!))), TOP5_TEXT);
    assert.ok(editor.selection.isEqual(selected), 'the selection did not move');
    const body = server.requests.at(-1)!.body!;
    assert.deepEqual(body.messages, [{ role: 'user', content: PROMPT }]);
    assert.equal(body.logprobs, true);
    assert.equal(body.top_logprobs, 5);
  });

  it('gives every token a bucket and shows perplexity in the status bar', async () => {
    const editor = await editorWith(PROMPT);
    const result = await complete();
    const api = await lens();
    const [tracked] = api.tracker.answers(editor.document);
    assert.ok(tracked);
    assert.equal(result.tokens, 9);
    assert.equal(tracked.answer.store.placementCount, 9);
    for (let i = 0; i < 9; i++) assert.notEqual(tracked.answer.bucketOfPlacement(i), NO_BUCKET);
    assert.match(api.statusText(), /9 tok · ppl \d+\.\d\d · \d+ uncertain/);
  });

  it('shows the recorded alternatives in the hover of a token', async () => {
    const editor = await editorWith(PROMPT);
    const result = await complete();
    const australia = result.answerStart! + TOP5_TEXT.indexOf(' Australia') + 3;
    const markdown = await hoverAt(editor.document, australia);
    assert.match(markdown, /`␣Australia`/);
    assert.match(markdown, /rank 1 of 5/);
    assert.match(markdown, /entropy over the top 5/);
    const first = await hoverAt(editor.document, result.answerStart!);
    assert.match(first, /`The` · \*\*99\.97 %\*\*/);
    assert.match(first, /\| {2}\| `Australia` \| 0\.0335 % \|/);
  });

  it('keeps colours on their tokens when the user edits above the answer', async () => {
    const editor = await editorWith(PROMPT);
    const result = await complete();
    await editor.edit((builder) => builder.insert(new vscode.Position(0, 0), 'Question:\n'));
    const api = await lens();
    const [tracked] = api.tracker.answers(editor.document);
    assert.equal(tracked!.answer.start, result.answerStart! + 10);
    const markdown = await hoverAt(editor.document, tracked!.answer.start + TOP5_TEXT.indexOf(' Australia') + 3);
    assert.match(markdown, /`␣Australia`/);
  });

  it('uncolours a token the user edits', async () => {
    const editor = await editorWith(PROMPT);
    const result = await complete();
    const offset = result.answerStart! + TOP5_TEXT.indexOf('continent') + 2;
    await editor.edit((builder) => builder.insert(editor.document.positionAt(offset), 'XX'));
    assert.equal(await hoverAt(editor.document, offset), '');
    const api = await lens();
    assert.equal(api.tracker.answers(editor.document)[0]!.answer.store.validPlacementCount, 8);
  });

  it('Clear Colours forgets the answer; Toggle Colours hides and shows them', async () => {
    const editor = await editorWith(PROMPT);
    const result = await complete();
    const api = await lens();
    assert.equal(await vscode.commands.executeCommand('logprobLens.toggleColours'), false);
    assert.equal(await hoverAt(editor.document, result.answerStart!), '');
    assert.equal(await vscode.commands.executeCommand('logprobLens.toggleColours'), true);
    assert.notEqual(await hoverAt(editor.document, result.answerStart!), '');
    await vscode.commands.executeCommand('logprobLens.clearColours');
    assert.equal(api.tracker.answers(editor.document).length, 0);
    assert.equal(await hoverAt(editor.document, result.answerStart!), '');
    assert.ok(editor.document.getText().includes(TOP5_TEXT), 'clearing colours keeps the text');
  });

  it('one Undo removes the whole answer', async () => {
    const editor = await editorWith(`${PROMPT}\nnext line`);
    server.paceMs = 20;
    await complete();
    assert.ok(editor.document.getText().includes(TOP5_TEXT));
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), `${PROMPT}\nnext line`);
  });

  it('Cancel stops the stream and keeps what arrived', async () => {
    const editor = await editorWith(PROMPT);
    server.paceMs = 400;
    const api = await lens();
    const running = complete();
    await waitFor('the first words', () => (api.tracker.answers(editor.document)[0]?.answer.length ?? 0) >= 'The smallest'.length, 15_000);
    const cancelledAt = Date.now();
    await vscode.commands.executeCommand('logprobLens.cancel');
    const result = await running;
    assert.ok(Date.now() - cancelledAt < 1000, 'stopped promptly');
    assert.equal(result.outcome, 'cancelled');
    const kept = editor.document.getText().slice(result.answerStart, result.answerEnd);
    assert.ok(kept.length > 0 && TOP5_TEXT.startsWith(kept) && kept.length < TOP5_TEXT.length, `kept “${kept}”`);
  });

  it('inserts an answer without logprobs uncoloured and says why', async () => {
    await useModel('watsonx-openai-compat-chat-stream-logprobs-ignored-llamastack');
    const editor = await editorWith('What is 6+6?');
    const result = await complete();
    assert.equal(result.outcome, 'done');
    assert.match(result.message ?? '', /returned no logprobs/);
    assert.ok(editor.document.getText().length > 'What is 6+6?'.length);
    assert.equal(result.tokens, 0);
  });

  it('explains a failure and inserts nothing', async () => {
    await useModel('fault:logprobs-unsupported');
    const editor = await editorWith(PROMPT);
    const result = await complete();
    assert.equal(result.outcome, 'failed');
    assert.match(result.message ?? '', /does not return logprobs/);
    assert.equal(editor.document.getText(), PROMPT);
  });

  it('Re-run Last Request inserts a second answer after the first', async () => {
    const editor = await editorWith(PROMPT);
    await complete();
    const second = await vscode.commands.executeCommand<{ outcome: string }>('logprobLens.rerunLast');
    assert.equal(second.outcome, 'done');
    assert.equal(editor.document.getText(), `${PROMPT}\n\n${TOP5_TEXT}\n\n${TOP5_TEXT}`);
    assert.equal((await lens()).tracker.answers(editor.document).length, 2);
  });

  it('ignores a workspace .vscode/settings.json that points the endpoint elsewhere', async function () {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) assert.fail('the integration tests run with a workspace folder open');
    const decoy = await startReplayServer();
    const settingsFile = path.join(folder.uri.fsPath, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    // uncertainThreshold is a workspace-settable setting in the same file: once it shows, the file was read.
    fs.writeFileSync(settingsFile, JSON.stringify({
      'logprobLens.baseUrl': decoy.baseUrl, 'logprobLens.model': 'fault:401', 'logprobLens.headers': { 'x-leak': '1' },
      'logprobLens.requestTimeoutSeconds': 1, 'logprobLens.uncertainThreshold': 0.42,
    }));
    try {
      await waitFor('the workspace settings file to load', () => vscode.workspace.getConfiguration('logprobLens').get('uncertainThreshold') === 0.42);
      await editorWith(PROMPT);
      const before = server.requests.length;
      const result = await complete();
      assert.equal(result.outcome, 'done', result.message);
      assert.equal(decoy.requests.length, 0, 'the workspace endpoint got no request');
      assert.equal(server.requests.length, before + 1);
      assert.equal(server.requests.at(-1)!.headers['x-leak'], undefined);
      // Nested objects too: a workspace defining a profile of its own and choosing it gets a refusal, not a request.
      fs.writeFileSync(settingsFile, JSON.stringify({
        'logprobLens.endpoints': { evil: { baseUrl: decoy.baseUrl, model: TOP5 } }, 'logprobLens.endpoint': 'evil', 'logprobLens.uncertainThreshold': 0.43,
      }));
      await waitFor('the second settings file to load', () => vscode.workspace.getConfiguration('logprobLens').get('uncertainThreshold') === 0.43);
      await editorWith(PROMPT);
      const refused = await complete();
      assert.equal(refused.outcome, 'refused');
      assert.match(refused.message ?? '', /names “evil”, which your user settings' logprobLens\.endpoints do not define/);
      assert.equal(decoy.requests.length, 0, 'still no request to the workspace endpoint');
    } finally {
      fs.rmSync(path.dirname(settingsFile), { recursive: true, force: true });
      await decoy.close();
    }
  });
});
