import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NO_BUCKET } from '../../../src/core/answer';
import type { ReplayServer } from '../../support/replayServer';
import { providerFixtures } from '../../support/fixtures';
import { closeAll, complete, editorWith, hoverAt, lens, notificationsFrom, TOP5, TOP5_TEXT, useServer, waitFor } from './helpers';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('logprobLens');

describe('API styles, profiles, scoring and logged responses in a real editor', () => {
  let server: ReplayServer;
  before(async () => {
    server = await useServer(TOP5);
  });
  after(async () => {
    for (const key of ['apiStyle', 'endpoints', 'endpoint', 'colourBy']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    await server.close();
  });
  afterEach(async () => {
    await config().update('apiStyle', undefined, vscode.ConfigurationTarget.Global);
    await config().update('model', TOP5, vscode.ConfigurationTarget.Global);
    await closeAll();
  });

  it('completes through the Responses API', async () => {
    await config().update('apiStyle', 'responses', vscode.ConfigurationTarget.Global);
    await config().update('model', 'openai-responses-logprobs-stream', vscode.ConfigurationTarget.Global);
    const editor = await editorWith('What is the capital of Minas Gerais?');
    const result = await complete();
    assert.equal(result.outcome, 'done', result.message);
    assert.equal(editor.document.getText().slice(result.answerStart, result.answerEnd), 'The capital of Minas Gerais is Belo Horizonte.');
    assert.equal(result.placements, 9);
    assert.equal(server.requests.at(-1)!.path, '/v1/responses');
  });

  it('completes through legacy Completions', async () => {
    await config().update('apiStyle', 'completions', vscode.ConfigurationTarget.Global);
    await config().update('model', 'openai-legacy-completions-logprobs-issue38', vscode.ConfigurationTarget.Global);
    const editor = await editorWith('test');
    const result = await complete();
    assert.equal(result.outcome, 'truncated', 'the recording ends with finish_reason "length"');
    assert.equal(editor.document.getText().slice(result.answerStart, result.answerEnd), ' goal');
    assert.match(await hoverAt(editor.document, result.answerStart! + 2), /not among the top 5/);
  });

  it('uses a named endpoint profile, which a workspace may pick by name, saying so at its first request', async () => {
    const model = 'azure-openai-chat-stream-top3-llamastack';
    await config().update('endpoints', { replay: { baseUrl: server.baseUrl, model } }, vscode.ConfigurationTarget.Global);
    await config().update('endpoint', 'replay', vscode.ConfigurationTarget.Workspace);
    try {
      const shown = await notificationsFrom();
      const editor = await editorWith('What is 4+4?');
      const result = await complete();
      assert.equal(result.outcome, 'done', result.message);
      assert.equal(editor.document.getText().slice(result.answerStart, result.answerEnd), '4 + 4 = 8');
      assert.equal(server.requests.at(-1)!.body!.model, model);
      const announcement = `info: Logprob Lens: This workspace's settings chose the endpoint “replay”: your text goes to ${model} at ${new URL(server.baseUrl).host}.`;
      assert.deepEqual(shown().filter((line) => line.includes('chose the endpoint')), [announcement]);
      await editorWith('What is 4+4?');
      assert.equal((await complete()).outcome, 'done');
      assert.deepEqual(shown().filter((line) => line.includes('chose the endpoint')), [announcement], 'said once, not at every request');
    } finally {
      await config().update('endpoint', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('Select Endpoint saves the choice in the user settings and says plainly when the workspace\'s choice wins', async () => {
    await config().update('endpoints', {
      mine: { baseUrl: server.baseUrl, model: TOP5 }, replay: { baseUrl: server.baseUrl, model: 'azure-openai-chat-stream-top3-llamastack' },
    }, vscode.ConfigurationTarget.Global);
    await config().update('endpoint', 'replay', vscode.ConfigurationTarget.Workspace);
    try {
      const shown = await notificationsFrom();
      const selecting = vscode.commands.executeCommand<string | undefined>('logprobLens.selectEndpoint');
      // The first row of the quick pick is the user's first profile, “mine”: accept it once the pick is open.
      const said = (): string | undefined => shown().find((line) => line.includes('Saved “mine”'));
      await waitFor('the message about the workspace\'s choice', () => {
        if (!said()) void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return said() !== undefined;
      });
      assert.equal(said(), 'info: Logprob Lens: Saved “mine” in your user settings, but this workspace\'s settings choose “replay”, and they win here.');
      await vscode.commands.executeCommand('notifications.clearAll');
      assert.equal(await selecting, 'mine');
      assert.equal(config().inspect('endpoint')?.globalValue, 'mine');
      assert.equal(config().inspect('endpoint')?.workspaceValue, 'replay', 'the workspace file is left alone unless asked');
    } finally {
      await config().update('endpoint', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('refuses a profile name the user never defined, saying so', async () => {
    await config().update('endpoint', 'nowhere', vscode.ConfigurationTarget.Global);
    try {
      await editorWith('What is 4+4?');
      const result = await complete();
      assert.equal(result.outcome, 'refused');
      assert.match(result.message ?? '', /names “nowhere”, which your user settings' logprobLens\.endpoints do not define/);
    } finally {
      await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  for (const [apiStyle, model] of [['chat', TOP5], ['responses', 'openai-responses-logprobs-stream'], ['completions', 'openai-legacy-completions-logprobs-issue38']] as const) {
    it(`Check Endpoint reports what works in the ${apiStyle} style`, async () => {
      await config().update('apiStyle', apiStyle, vscode.ConfigurationTarget.Global);
      await config().update('model', model, vscode.ConfigurationTarget.Global);
      const report = await vscode.commands.executeCommand<{ ok: boolean; lines: string[] }>('logprobLens.checkEndpoint');
      assert.ok(report.ok, report.lines.join('\n'));
      assert.match(report.lines[1]!, /^✔ \d+ models listed; “.+” is among them/);
      assert.match(report.lines[2]!, /^✔ streaming works .* logprobs come back with \d+ alternative/);
      assert.equal(report.lines.length, 4);
    });
  }

  it('Check Endpoint says why a server gives no logprobs', async () => {
    await config().update('model', 'watsonx-openai-compat-chat-stream-logprobs-ignored-llamastack', vscode.ConfigurationTarget.Global);
    const report = await vscode.commands.executeCommand<{ ok: boolean; lines: string[] }>('logprobLens.checkEndpoint');
    assert.equal(report.ok, false);
    assert.match(report.lines[2]!, /^✘ streaming works and text came back .* but no logprobs/);
  });

  it('Score Selection colours the selected text itself, the first token uncoloured, and inserts nothing', async () => {
    await config().update('model', 'completions-echo-score', vscode.ConfigurationTarget.Global);
    const text = 'Prompt: The quick brown fox';
    const editor = await editorWith(text, new vscode.Selection(0, 8, 0, text.length));
    const result = await vscode.commands.executeCommand<{ outcome: string; placements: number; message: string }>('logprobLens.scoreSelection');
    assert.equal(result.outcome, 'done', result.message);
    assert.equal(editor.document.getText(), text);
    assert.equal(result.placements, 4);
    const [tracked] = (await lens()).tracker.answers(editor.document);
    assert.equal(tracked!.answer.bucketOfPlacement(0), NO_BUCKET);
    assert.notEqual(tracked!.answer.bucketOfPlacement(1), NO_BUCKET);
    // " quick" (-6.2) ranks third of " first" (-2.3), " best" (-2.9) and itself in completions-echo-score.json.
    assert.match(await hoverAt(editor.document, 8 + 5), /^`␣quick` · \*\*0\.203 %\*\* · logprob -6\.2000 · rank 3 of 3$/m);
    assert.match(await hoverAt(editor.document, 8), /returned no logprob/);
    assert.equal(server.requests.at(-1)!.body!.echo, true);
  });

  it('Score Selection names the backends that can score when this one cannot', async () => {
    await config().update('model', 'fault:logprobs-unsupported', vscode.ConfigurationTarget.Global);
    await editorWith('Some text', new vscode.Selection(0, 0, 0, 9));
    const result = await vscode.commands.executeCommand<{ outcome: string; message: string }>('logprobLens.scoreSelection');
    assert.equal(result.outcome, 'failed');
    assert.match(result.message, /needs legacy Completions with echo, which vLLM and OpenAI's completion models/);
  });

  it('Open Logprobs Response colours a saved Responses API JSON without any request', async () => {
    const before = server.requests.length;
    const saved = fs.readFileSync(path.join(providerFixtures, 'openai-responses-logprobs-nonstream.json'), 'utf8');
    await editorWith(saved);
    const result = await vscode.commands.executeCommand<{ outcome: string; documentUri: string; placements: number }>('logprobLens.openResponse');
    assert.equal(result.outcome, 'done');
    const opened = vscode.workspace.textDocuments.find((document) => document.uri.toString() === result.documentUri)!;
    assert.equal(opened.getText(), 'The capital of Minas Gerais is Belo Horizonte.');
    assert.equal(result.placements, 9);
    assert.equal(server.requests.length, before, 'no network');
  });

  it('Try a Sample opens the recorded sample, coloured', async () => {
    const result = await vscode.commands.executeCommand<{ outcome: string; documentUri: string; placements: number }>('logprobLens.trySample');
    const opened = vscode.workspace.textDocuments.find((document) => document.uri.toString() === result.documentUri)!;
    assert.equal(opened.getText(), '4 + 4 = 8');
    assert.equal(result.placements, 7);
    assert.match(await hoverAt(opened, 6), /`␣equals` \| 37\.60 %/);
  });

  it('colours by rank when logprobLens.colourBy is rank', async () => {
    const editor = await editorWith('What is the smallest continent?');
    await complete();
    const [tracked] = (await lens()).tracker.answers(editor.document);
    await config().update('colourBy', 'rank', vscode.ConfigurationTarget.Global);
    try {
      for (let i = 0; i < tracked!.answer.store.placementCount; i++) assert.equal(tracked!.answer.bucketOfPlacement(i), 9, 'every token was the first choice');
    } finally {
      await config().update('colourBy', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.ok(editor.document.getText().includes(TOP5_TEXT));
  });
});
