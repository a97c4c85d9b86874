import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { complete, editorWith, notificationsFrom, PROMPT, replaySuite, useModel } from './helpers';

/**
 * HOSTILE_SERVER_MESSAGE (test/support/replayServer.ts) as a notification must show it, worked out by hand from
 * the rules of `plainMessage` (src/core/untrusted.ts): the zero-width space removed (so "command:" is whole again,
 * and then defused), the line break made one space, every `](` broken as `] (`, and a space after each `command:`.
 * VS Code's notification link grammar (`[label](target)`, no space between) then finds nothing: not the command,
 * not the https link.
 */
const INERT_MESSAGE = 'Session expired. [Renew key] (command: workbench.action.terminal.new) or [read more] (https://attacker.example/renew) - command: workbench.action.openSettings';
/** HOSTILE_ANSWER (`[OK](command:workbench.action.quit)`) by the same rules. */
const INERT_ANSWER = '[OK] (command: workbench.action.quit)';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('logprobLens');

/** Completes PROMPT in a new document with `model`: how it ended, the document's text, and what the user was told. */
async function completeWith(model: string): Promise<{ outcome: string; text: string; said: string[] }> {
  await useModel(model);
  const editor = await editorWith(PROMPT);
  const shown = await notificationsFrom();
  const { outcome } = await complete();
  return { outcome, text: editor.document.getText(), said: shown() };
}

describe('a server\'s text never becomes a link or markup in a notification (issue 9)', () => {
  const suite = replaySuite();
  const host = (): string => new URL(suite.server.baseUrl).host;
  afterEach(async () => {
    await config().update('apiStyle', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows a 4xx body\'s Markdown links and command URI as text in the error', async () => {
    const { outcome, text, said } = await completeWith('fault:400-hostile');
    assert.equal(outcome, 'failed');
    assert.equal(text, PROMPT);
    assert.deepEqual(said, [`error: Logprob Lens: ${host()} refused the request (400). The server said: “${INERT_MESSAGE}”`]);
  });

  it('shows an error event in the middle of a chat stream as text, keeping what arrived', async () => {
    const { outcome, text, said } = await completeWith('fault:hostile-error-event-after-3');
    assert.equal(outcome, 'incomplete');
    // The recording's first three chunks: the role, "The", " smallest".
    assert.equal(text, `${PROMPT}\n\nThe smallest`);
    assert.deepEqual(said, [
      `warning: Logprob Lens: The answer is incomplete: ${host()} stopped the answer with an error. The server said: “${INERT_MESSAGE}”. What arrived (2 tokens) is kept.`,
    ]);
  });

  it('shows a Responses API error event as text, keeping what arrived', async () => {
    await config().update('apiStyle', 'responses', vscode.ConfigurationTarget.Global);
    const { outcome, text, said } = await completeWith('fault:responses-hostile-error');
    assert.equal(outcome, 'incomplete');
    assert.equal(suite.server.requests.at(-1)!.path, '/v1/responses');
    // The Responses recording's first three text deltas: "The", " capital", " of".
    assert.equal(text, `${PROMPT}\n\nThe capital of`);
    assert.deepEqual(said, [
      `warning: Logprob Lens: The answer is incomplete: ${host()} stopped the answer with an error. The server said: “${INERT_MESSAGE}”. What arrived (3 tokens) is kept.`,
    ]);
  });

  describe('Check Endpoint', () => {
    const cases = [
      { what: 'a 4xx body', apiStyle: 'chat', model: 'fault:400-hostile', says: () => `a one-token request with logprobs failed: ${host()} refused the request (400). The server said: “${INERT_MESSAGE}”` },
      { what: 'a Responses error event', apiStyle: 'responses', model: 'fault:responses-hostile-error', says: () => `a one-token request with logprobs failed: ${host()} stopped the answer with an error. The server said: “${INERT_MESSAGE}”` },
      { what: 'the answer it quotes (text without logprobs)', apiStyle: 'chat', model: 'fault:hostile-text-no-logprobs', says: () => `streaming works and text came back (“${INERT_ANSWER}”), but no logprobs: this server or model ignores the logprobs parameter` },
    ] as const;
    for (const { what, apiStyle, model, says } of cases) {
      it(`shows ${what} as text in its result`, async () => {
        await config().update('apiStyle', apiStyle, vscode.ConfigurationTarget.Global);
        await useModel(model);
        const shown = await notificationsFrom();
        const report = await vscode.commands.executeCommand<{ ok: boolean; lines: string[] }>('logprobLens.checkEndpoint');
        assert.equal(report.ok, false);
        assert.deepEqual(shown(), [`warning: Logprob Lens: ${host()}: ${says()}`]);
      });
    }
  });
});
