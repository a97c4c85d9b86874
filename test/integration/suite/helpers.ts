import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LogprobLensApi } from '../../../src/extension';
import type { RunResult } from '../../../src/vscode/runs/result';
import type { ReplayServer } from '../../support/replayServer';
import { startReplayServer } from '../../support/replayServer';

export const EXTENSION_ID = 'logprob-lens.logprob-lens';
export const TOP5 = 'openai-chat-stream-top5-llamastack';
export const TOP5_TEXT = 'The smallest continent by land area is Australia.';
export const PROMPT = 'What is the smallest continent?';

/**
 * Registers the hooks of a suite that talks to one replay server: started before, closed after, and each test
 * left as it found things (pace 0, the top-5 recording, no open editors). Read `server` inside tests.
 */
export function replaySuite(): { readonly server: ReplayServer } {
  let server: ReplayServer | undefined;
  before(async () => {
    server = await useServer(TOP5);
  });
  after(() => server?.close());
  afterEach(async () => {
    if (server) server.paceMs = 0;
    await useModel(TOP5);
    await closeAll();
  });
  return {
    get server(): ReplayServer {
      assert.ok(server, 'the replay server runs once the suite has started');
      return server;
    },
  };
}

export async function lens(): Promise<LogprobLensApi> {
  const extension = vscode.extensions.getExtension<LogprobLensApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

/** Points the user settings at a fresh replay server and the given recording. */
export async function useServer(model: string, paceMs = 0): Promise<ReplayServer> {
  const server = await startReplayServer({ paceMs });
  const config = vscode.workspace.getConfiguration('logprobLens');
  await config.update('baseUrl', server.baseUrl, vscode.ConfigurationTarget.Global);
  await config.update('model', model, vscode.ConfigurationTarget.Global);
  return server;
}

export async function useModel(model: string): Promise<void> {
  await vscode.workspace.getConfiguration('logprobLens').update('model', model, vscode.ConfigurationTarget.Global);
}

let fileCount = 0;

/**
 * A new file in the workspace holding `text`, shown, with `selection` selected (default: the whole first line).
 * Files, not untitled documents: VS Code may hand back a just-closed untitled document instead of a new one.
 */
export async function editorWith(text: string, selection?: vscode.Selection): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with a workspace folder open');
  const uri = vscode.Uri.joinPath(folder.uri, `test-${process.pid}-${++fileCount}.txt`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
  editor.selection = selection ?? new vscode.Selection(0, 0, 0, document.lineAt(0).text.length);
  return editor;
}

export async function complete(): Promise<RunResult> {
  return await vscode.commands.executeCommand<RunResult>('logprobLens.completeSelection');
}

/**
 * Types `text` at `position` as a user does, with the editor's own `type` command: a keystroke is never refused,
 * while an edit sent from the extension host is whenever one of the answer's insertions lands first.
 */
export async function typeAt(editor: vscode.TextEditor, position: vscode.Position, text: string): Promise<void> {
  const shown = await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  shown.selection = new vscode.Selection(position, position);
  await vscode.commands.executeCommand('type', { text });
}

export async function closeAll(): Promise<void> {
  // Saved first, so closing asks nothing.
  await vscode.workspace.saveAll(false);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The hover markdown VS Code's own hover machinery produces at a position. */
export async function hoverAt(document: vscode.TextDocument, offset: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, document.positionAt(offset));
  return hovers.flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : content.value))).join('\n');
}

function workspaceSettingsFile(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with a workspace folder open');
  return path.join(folder.uri.fsPath, '.vscode', 'settings.json');
}

const workspaceValueOf = (key: string): unknown => vscode.workspace.getConfiguration().inspect(key)?.workspaceValue;

/**
 * Writes the workspace folder's `.vscode/settings.json` as a repository would, and waits until VS Code has read
 * it: until `marker`, one of its keys that a workspace may set, shows its new value.
 */
export async function writeWorkspaceSettings(values: Record<string, unknown>, marker: string): Promise<void> {
  const file = workspaceSettingsFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(values));
  const wanted = JSON.stringify(values[marker]);
  await waitFor(`the workspace settings to load (${marker})`, () => JSON.stringify(workspaceValueOf(marker)) === wanted);
}

/** Removes the workspace settings again and waits until VS Code no longer reports `marker` from them. */
export async function removeWorkspaceSettings(marker: string): Promise<void> {
  fs.rmSync(path.dirname(workspaceSettingsFile()), { recursive: true, force: true });
  await waitFor(`the workspace settings to unload (${marker})`, () => workspaceValueOf(marker) === undefined);
}

/** The notifications shown from now on (`severity: text`, as the user read them): call the returned function to list them. */
export async function notificationsFrom(): Promise<() => string[]> {
  const shown = (await lens()).test?.notifications;
  assert.ok(shown, 'the test API is there in test mode');
  const start = shown.length;
  return () => shown.slice(start);
}
