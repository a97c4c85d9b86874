import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { NO_BUCKET } from '../../../src/core/answer';
import type { ReplayServer } from '../../support/replayServer';
import { startReplayServer } from '../../support/replayServer';
import { complete, editorWith, hoverAt, lens, PROMPT, removeWorkspaceSettings, replaySuite, TOP5, TOP5_TEXT, useModel, waitFor, writeWorkspaceSettings } from './helpers';

describe('Complete Selection in a real editor', () => {
  const suite = replaySuite();
  let server: ReplayServer;
  beforeEach(() => {
    server = suite.server;
  });

  it('loads the command-only bundle on the first command and the SDK on the first request, never at activation', async () => {
    const api = await lens();
    assert.equal(api.commandsLoaded(), false);
    assert.equal(api.sdkLoaded(), false);
    await editorWith(PROMPT);
    await complete();
    assert.equal(api.commandsLoaded(), true);
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

  it('one Undo removes the whole answer, also one streamed fast in 10,000 pieces', async () => {
    const editor = await editorWith(`${PROMPT}\nnext line`);
    await complete();
    assert.equal(editor.document.getText(), `${PROMPT}\n\n${TOP5_TEXT}\nnext line`);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), `${PROMPT}\nnext line`);
    // 10,000 one-letter chunks as fast as the socket takes them: many insertions, still one undo step.
    await useModel('fault:tiny-chunks');
    editor.selection = new vscode.Selection(0, 0, 0, PROMPT.length);
    const result = await complete();
    assert.equal(result.outcome, 'done', result.message);
    const letters = Array.from({ length: 10_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    assert.equal(editor.document.getText(), `${PROMPT}\n\n${letters}\nnext line`);
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

  it('ignores a workspace .vscode/settings.json that points the endpoint elsewhere', async () => {
    const decoy = await startReplayServer();
    const api = await lens();
    // The user's model answers only after 2 s: the workspace's 1 s request timeout, if it applied, would stop it.
    await useModel('fault:slow-start');
    // uncertainThreshold is not application-scoped: it applies, and shows that the file was read.
    await writeWorkspaceSettings({
      'logprobLens.baseUrl': decoy.baseUrl, 'logprobLens.model': 'fault:401', 'logprobLens.apiStyle': 'responses',
      'logprobLens.headers': { 'x-leak': '1' }, 'logprobLens.requestTimeoutSeconds': 1, 'logprobLens.uncertainThreshold': 0.97,
    }, 'logprobLens.uncertainThreshold');
    try {
      await editorWith(PROMPT);
      const before = server.requests.length;
      const result = await complete();
      assert.equal(result.outcome, 'done', result.message);
      assert.equal(decoy.requests.length, 0, 'the workspace endpoint got no request');
      assert.equal(server.requests.length, before + 1);
      const sent = server.requests.at(-1)!;
      assert.equal(sent.path, '/v1/chat/completions', 'the user\'s API style (chat), not the workspace\'s (responses)');
      assert.equal(sent.body!.model, 'fault:slow-start', 'the user\'s model');
      assert.equal(sent.headers['x-leak'], undefined);
      // The recording's " by" has p = e^-0.03904 = 96.17 %, its other tokens 98.4 % or more: one is under 0.97.
      await waitFor('the status bar to count one uncertain token', () => / · 1 uncertain/.test(api.statusText()));

      // Nested objects too: a workspace defining a profile of its own and choosing it gets a refusal, not a request.
      await writeWorkspaceSettings({
        'logprobLens.endpoints': { evil: { baseUrl: decoy.baseUrl, model: TOP5 } }, 'logprobLens.endpoint': 'evil', 'logprobLens.uncertainThreshold': 0.975,
      }, 'logprobLens.uncertainThreshold');
      await editorWith(PROMPT);
      const refused = await complete();
      assert.equal(refused.outcome, 'refused');
      assert.equal(refused.message, 'logprobLens.endpoint names “evil”, which your user settings\' logprobLens.endpoints do not define.');
      assert.equal(decoy.requests.length, 0, 'still no request to the workspace endpoint');
      assert.equal(server.requests.length, before + 1, 'nor to the user\'s');
    } finally {
      await removeWorkspaceSettings('logprobLens.uncertainThreshold');
      await decoy.close();
    }
  });
});
