import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { localMachine } from '../../../src/vscode/endpoints/firstRun';
import type { Answer } from '../../../src/core/answer';
import type { TrackedAnswer } from '../../../src/vscode/editor/trackedAnswer';
import type { ReplayServer } from '../../support/replayServer';
import {
  complete, editorWith, lens, notificationsFrom, PROMPT, removeWorkspaceSettings, replaySuite, TOP5_TEXT, useModel, waitFor, writeWorkspaceSettings,
} from './helpers';

/** The document of these tests: the prompt, then a line of the user's that must survive whatever happens. */
const BEFORE = `${PROMPT}\nnext line`;
/** What `fault:reset-after-3` leaves: the first two tokens of the top-5 recording, then the connection is cut. */
const CUT_ANSWER = 'The smallest';

describe('the user\'s text is never damaged, and bad settings or a hostile server cannot break the editor', () => {
  const suite = replaySuite();
  let server: ReplayServer;
  beforeEach(() => {
    server = suite.server;
  });

  describe('Remove, after an incomplete answer', () => {
    async function incompleteAnswer(): Promise<{ editor: vscode.TextEditor; tracked: TrackedAnswer }> {
      await useModel('fault:reset-after-3');
      const editor = await editorWith(BEFORE);
      const result = await complete();
      assert.equal(result.outcome, 'incomplete', result.message);
      assert.equal(editor.document.getText(), `${PROMPT}\n\n${CUT_ANSWER}\nnext line`);
      const [tracked] = (await lens()).tracker.answers(editor.document);
      assert.ok(tracked);
      return { editor, tracked };
    }

    /** Remove refuses: the document stays exactly as it was, and the user is told why. */
    async function assertRefused(editor: vscode.TextEditor, tracked: TrackedAnswer, why: string): Promise<void> {
      const text = editor.document.getText();
      const shown = await notificationsFrom();
      assert.equal(await (await lens()).completions.removeAnswer(editor.document, tracked), false);
      assert.equal(editor.document.getText(), text);
      assert.deepEqual(shown(), [`info: Logprob Lens: The answer was not removed: ${why}. Select it and delete it yourself if you want it gone.`]);
    }

    it('deletes exactly the answer and the blank line before it while both are as inserted', async () => {
      const { editor, tracked } = await incompleteAnswer();
      assert.equal(await (await lens()).completions.removeAnswer(editor.document, tracked), true);
      assert.equal(editor.document.getText(), BEFORE);
      assert.equal((await lens()).tracker.answers(editor.document).length, 0);
    });

    it('refuses after an edit of the blank line before the answer', async () => {
      const { editor, tracked } = await incompleteAnswer();
      assert.ok(await editor.edit((builder) => builder.insert(new vscode.Position(1, 0), 'my note')));
      await assertRefused(editor, tracked, 'it, or the blank line before it, was edited since');
      assert.equal(editor.document.getText(), `${PROMPT}\nmy note\n${CUT_ANSWER}\nnext line`);
    });

    it('refuses after an edit inside the answer', async () => {
      const { editor, tracked } = await incompleteAnswer();
      assert.ok(await editor.edit((builder) => builder.insert(new vscode.Position(2, 3), ' very')));
      await assertRefused(editor, tracked, 'it, or the blank line before it, was edited since');
      assert.equal(editor.document.getText(), `${PROMPT}\n\nThe very smallest\nnext line`);
    });

    it('refuses after Clear Colours, also once the user typed above the answer', async () => {
      const { editor, tracked } = await incompleteAnswer();
      await vscode.commands.executeCommand('logprobLens.clearColours');
      assert.ok(await editor.edit((builder) => builder.insert(new vscode.Position(0, 0), 'Question:\n')));
      await assertRefused(editor, tracked, 'it is no longer tracked (its colours were cleared or the document closed)');
      assert.equal(editor.document.getText(), `Question:\n${PROMPT}\n\n${CUT_ANSWER}\nnext line`);
    });
  });

  describe('Undo of an answer: one step, or two when the tab was hidden at the end or the document saved meanwhile', () => {
    /** Starts a run at a token every 500 ms and waits for its first words. */
    async function slowRun(): Promise<{ editor: vscode.TextEditor; running: Promise<unknown>; answer: Answer }> {
      const editor = await editorWith(BEFORE);
      const api = await lens();
      server.paceMs = 500;
      const running = complete();
      await waitFor('the first words', () => (api.tracker.answers(editor.document)[0]?.answer.length ?? 0) >= 'The smallest'.length, 15_000);
      return { editor, running, answer: api.tracker.answers(editor.document)[0]!.answer };
    }

    /** A slow run whose document is hidden behind another file while two tokens arrive. */
    async function streamWhileHidden(): Promise<{ editor: vscode.TextEditor; running: Promise<unknown>; shownBefore: number }> {
      const { editor, running, answer } = await slowRun();
      await editorWith('another file');
      // An insertion under way when the tab switched may still land: count from the next token on.
      const tokens = answer.store.tokenCount;
      await waitFor('a token while hidden', () => answer.store.tokenCount > tokens);
      const shownBefore = answer.length;
      await waitFor('another token while hidden', () => answer.store.tokenCount > tokens + 1);
      assert.equal(answer.length, shownBefore, 'the text waited while the document was hidden');
      assert.ok(shownBefore < TOP5_TEXT.length);
      return { editor, running, shownBefore };
    }

    it('one Undo removes the answer when its tab was shown again before the end', async () => {
      const { editor, running } = await streamWhileHidden();
      await vscode.window.showTextDocument(editor.document);
      await running;
      assert.equal(editor.document.getText(), `${PROMPT}\n\n${TOP5_TEXT}\nnext line`);
      await vscode.commands.executeCommand('undo');
      assert.equal(editor.document.getText(), BEFORE);
    });

    it('takes two Undo steps when the tab is still hidden at the end (as the README says)', async () => {
      const { editor, running, shownBefore } = await streamWhileHidden();
      await running;
      assert.equal(editor.document.getText(), `${PROMPT}\n\n${TOP5_TEXT}\nnext line`, 'the rest went in at the end, hidden');
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('undo');
      assert.equal(editor.document.getText(), `${PROMPT}\n\n${TOP5_TEXT.slice(0, shownBefore)}\nnext line`, 'the first step: what went in at the end');
      await vscode.commands.executeCommand('undo');
      assert.equal(editor.document.getText(), BEFORE);
    });

    it('takes two Undo steps when the document was saved during the stream (as the README says)', async () => {
      const { editor, running, answer } = await slowRun();
      // Right after a token landed, so that the save starts well before the next one (500 ms later).
      const length = answer.length;
      await waitFor('the next token', () => answer.length > length);
      const saved = editor.document.getText();
      // A save (the user's, or auto save between two slow tokens) ends the undo step in VS Code itself.
      await editor.document.save();
      assert.ok(saved.length < `${PROMPT}\n\n${TOP5_TEXT}\nnext line`.length, 'saved in the middle of the answer');
      await running;
      assert.equal(editor.document.getText(), `${PROMPT}\n\n${TOP5_TEXT}\nnext line`);
      await vscode.commands.executeCommand('undo');
      assert.equal(editor.document.getText(), saved, 'the first step: what came after the save');
      await vscode.commands.executeCommand('undo');
      assert.equal(editor.document.getText(), BEFORE);
    });
  });

  it('survives wrong-typed and absurd workspace settings: requests work, numbers are clamped, one warning names each', async () => {
    const shown = await notificationsFrom();
    // Each value and, by hand from the table in src/core/settings/schema.ts, what is used instead.
    await writeWorkspaceSettings({
      // 10^12 ms would overflow a timer (Node fires it at once): clamped, the watchdogs must still let a slow stream through.
      'logprobLens.idleTimeoutSeconds': 1e9,
      'logprobLens.maxRequestSeconds': 1e9,
      'logprobLens.maxAnswerCharacters': -5,
      'logprobLens.topLogprobs': 'five',
      'logprobLens.temperature': 99,
      'logprobLens.maxTokens': 'lots',
      'logprobLens.seed': 1.5,
      'logprobLens.stop': 'END',
      'logprobLens.bucketThresholds': [0.5],
      'logprobLens.colourBy': 42,
      'logprobLens.output': true,
      'logprobLens.uncertainThreshold': -3,
    }, 'logprobLens.topLogprobs');
    try {
      server.paceMs = 30;
      for (let run = 0; run < 2; run++) {
        const editor = await editorWith(PROMPT);
        const result = await complete();
        assert.equal(result.outcome, 'done', result.message);
        assert.equal(editor.document.getText(), `${PROMPT}\n\n${TOP5_TEXT}`, 'below the selection (output: the default)');
        assert.equal(result.placements, 9);
        const body = server.requests.at(-1)!.body!;
        assert.deepEqual([body.top_logprobs, body.temperature, body.max_tokens, body.seed, body.stop], [5, 2, 1024, 2, undefined]);
        const [tracked] = (await lens()).tracker.answers(editor.document);
        // Default thresholds: "The" (99.97 %) is in the top bucket.
        assert.equal(tracked!.answer.bucketOfPlacement(0), 9);
      }
      const warnings = shown().filter((line) => line.startsWith('warning: '));
      assert.deepEqual(warnings.sort(), [
        'logprobLens.bucketThresholds needs exactly 9 numbers; using the default ([0.01,0.05,0.1,0.2,0.35,0.5,0.65,0.8,0.95]).',
        'logprobLens.colourBy must be one of probability, rank, margin, entropy, surprisal; using the default ("probability").',
        'logprobLens.idleTimeoutSeconds = 1000000000 is outside numbers from 1 to 3600; using 3600.',
        'logprobLens.maxAnswerCharacters = -5 is outside whole numbers from 1000 to 100000000; using 1000.',
        'logprobLens.maxRequestSeconds = 1000000000 is outside numbers from 10 to 86400; using 86400.',
        'logprobLens.maxTokens must be a number or null; using the default (1024).',
        'logprobLens.output must be one of belowSelection, newEditor; using the default ("belowSelection").',
        'logprobLens.seed = 1.5 is outside whole numbers from -9007199254740991 to 9007199254740991; using 2.',
        'logprobLens.stop must be a list of texts; using the default ([]).',
        'logprobLens.temperature = 99 is outside numbers from 0 to 2; using 2.',
        'logprobLens.topLogprobs must be a number; using the default (5).',
        'logprobLens.uncertainThreshold must be above 0; using the default (0.5).',
      ].map((text) => `warning: Logprob Lens: ${text}`).sort(), 'one warning per setting, however often the settings are read');
    } finally {
      await removeWorkspaceSettings('logprobLens.topLogprobs');
    }
  });

  it('ends an answer that never ends at maxAnswerCharacters, keeping the text and naming the limit', async () => {
    const config = vscode.workspace.getConfiguration('logprobLens');
    await config.update('maxAnswerCharacters', 1000, vscode.ConfigurationTarget.Global);
    try {
      await useModel('fault:endless');
      const editor = await editorWith(PROMPT);
      const result = await complete();
      // The fault sends " word" and "," by turns, one token each: 166 pairs are 996 characters, the next " word"
      // would make 1001, so it is not read.
      assert.equal(result.outcome, 'incomplete');
      assert.equal(result.message, `The answer is incomplete: ${new URL(server.baseUrl).host} sent more than logprobLens.maxAnswerCharacters allows (1000 characters); the rest of the answer was not read. What arrived (332 tokens) is kept.`);
      assert.equal(editor.document.getText(), `${PROMPT}\n\n${' word,'.repeat(166)}`);
      assert.equal((await lens()).tracker.answers(editor.document)[0]!.state, 'incomplete');
    } finally {
      await config.update('maxAnswerCharacters', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Open Logprobs Response refuses a file over its size limit, naming the limit, and opens nothing', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!;
    const file = vscode.Uri.joinPath(folder.uri, `big-${process.pid}.json`);
    // 51 MiB of "x": one over the 50 MiB the command reads (MAX_LOGGED_RESPONSE_BYTES).
    fs.writeFileSync(file.fsPath, Buffer.alloc(51 * 1024 * 1024, 'x'));
    try {
      const shown = await notificationsFrom();
      const opened = vscode.workspace.textDocuments.length;
      const result = await vscode.commands.executeCommand<{ outcome: string; tokens: number } | undefined>('logprobLens.openResponse', file);
      assert.equal(result?.outcome, 'refused');
      assert.equal(result.tokens, 0);
      assert.deepEqual(shown(), [`error: Logprob Lens: ${path.basename(file.fsPath)} cannot be opened: The file is 51 MB; Open Logprobs Response reads files up to 50 MB.`]);
      assert.equal(vscode.workspace.textDocuments.length, opened, 'no editor was opened');
    } finally {
      fs.rmSync(file.fsPath, { force: true });
    }
  });

  it('names the machine first-run discovery searched: where the extension runs, which is this computer unless the window is remote', () => {
    // package.json extensionKind ["ui", "workspace"]: on the user's machine when it can be, else on the remote side.
    assert.equal(localMachine(vscode.ExtensionKind.UI, 'ssh-remote'), 'this computer');
    assert.equal(localMachine(vscode.ExtensionKind.Workspace, undefined), 'this computer');
    assert.equal(localMachine(vscode.ExtensionKind.Workspace, 'ssh-remote'), 'the remote machine (ssh-remote)');
  });
});
