import * as vscode from 'vscode';
import type { LoggedHar, LoggedHarEntry, LoggedResult } from '../../core/logged';
import { oversizeProblem, readLogged } from '../../core/logged';
import { harEntryRow, LOGGED_FILE_EXTENSIONS } from '../../core/logged/presentation';
import { literalLabel } from '../../core/untrusted';
import { readBytes } from '../files';
import { showError } from '../notify';
import type { LoggedOrigin, LoggedRunDeps } from './loggedRuns';
import { openAnswer, openRun, openScoredPrompt } from './loggedRuns';
import type { RunResult } from './result';
import { refused } from './result';

/**
 * Open Logprobs Response and Open with Logprob Lens: where a logged response's text comes from (a file a menu or
 * the user names, the active editor, the sample) and what it turns out to be (`readLogged`): an answer or a
 * scored prompt opens (./loggedRuns), a HAR file offers its requests, anything else is refused in words with
 * nothing opened. No request is made.
 */

/**
 * The command. `target`: the file a menu (or a caller) names; without one, the active editor's text when it is a
 * response Logprob Lens reads, else a file the user picks. `options`: `{ harEntry: n }` opens the request at index
 * `n` of a HAR file's `log.entries` instead of asking which (a menu passes the selected files there: ignored).
 */
export async function openLoggedResponse(deps: LoggedRunDeps, target?: unknown, options?: unknown): Promise<RunResult | undefined> {
  const harEntry = harEntryOf(options);
  if (target instanceof vscode.Uri) return openFile(deps, target, harEntry);
  const active = vscode.window.activeTextEditor?.document;
  if (active) {
    const result = readLogged(active.getText());
    if (result.kind !== 'refused') return openResult(deps, result, originOf(active.uri), harEntry);
  }
  const [file] = await vscode.window.showOpenDialog({
    title: 'Open a saved response: JSON, JSON Lines, an SSE transcript or a HAR file',
    canSelectMany: false,
    filters: { 'Saved responses': [...LOGGED_FILE_EXTENSIONS], 'All files': ['*'] },
  }) ?? [];
  return file ? openFile(deps, file, harEntry) : undefined;
}

/** Try a Sample: the recording shipped in media/, opened like a logged response. */
export async function openSample(deps: LoggedRunDeps, extensionUri: vscode.Uri): Promise<RunResult | undefined> {
  const sample = vscode.Uri.joinPath(extensionUri, 'media', 'sample-response.sse.txt');
  const text = new TextDecoder().decode(await readBytes(sample));
  return openResult(deps, readLogged(text), { name: 'sample: What is 4+4? (recorded from Azure OpenAI gpt-4o)', folder: savableFolder() }, undefined);
}

async function openFile(deps: LoggedRunDeps, uri: vscode.Uri, harEntry: number | undefined): Promise<RunResult | undefined> {
  const origin = originOf(uri);
  const read = await fileText(uri);
  return 'problem' in read ? refuseOpening(origin, read.problem) : openResult(deps, readLogged(read.text), origin, harEntry);
}

/**
 * A file's text: as the editor has it when it is open (unsaved edits included), else from disk. The size is
 * checked first, so a file over the limit is never read.
 */
async function fileText(uri: vscode.Uri): Promise<{ readonly text: string } | { readonly problem: string }> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open) return { text: open.getText() };
  try {
    const tooLarge = oversizeProblem((await vscode.workspace.fs.stat(uri)).size);
    return tooLarge ? { problem: tooLarge } : { text: new TextDecoder().decode(await readBytes(uri)) };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

async function openResult(deps: LoggedRunDeps, result: LoggedResult, origin: LoggedOrigin, harEntry: number | undefined): Promise<RunResult | undefined> {
  switch (result.kind) {
    case 'refused':
      return refuseOpening(origin, result.problem);
    case 'har': {
      if (harEntry === undefined) {
        const entry = result.entries.length === 1 ? result.entries[0] : await pickEntry(result, origin);
        return entry && openEntry(deps, entry, origin);
      }
      const entry = result.entries.find((candidate) => candidate.index === harEntry);
      return entry ? openEntry(deps, entry, origin)
        : refuseOpening(origin, `its entry ${harEntry} is not a response Logprob Lens reads (the entries it reads: ${result.entries.map(({ index }) => index).join(', ')}).`);
    }
    case 'answer':
      return openAnswer(deps, result, origin);
    case 'scored-prompt':
      return openScoredPrompt(deps, result, origin);
    case 'run':
      return openRun(deps, result, origin);
  }
}

function openEntry(deps: LoggedRunDeps, { index, response }: LoggedHarEntry, origin: LoggedOrigin): Promise<RunResult> {
  const from = { ...origin, name: `${origin.name} entry ${index}` };
  return response.kind === 'answer' ? openAnswer(deps, response, from) : openScoredPrompt(deps, response, from);
}

async function pickEntry(har: LoggedHar, origin: LoggedOrigin): Promise<LoggedHarEntry | undefined> {
  const picked = await vscode.window.showQuickPick(har.entries.map((entry) => ({ ...harEntryRow(entry), entry })), {
    title: literalLabel(`${origin.name}: ${har.entries.length} responses Logprob Lens reads`),
    placeHolder: 'The request whose response to open',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.entry;
}

/** Says why nothing was opened; the problem may quote the file, so it goes through the inert notification. */
function refuseOpening(origin: LoggedOrigin, problem: string): RunResult {
  const message = `${origin.name} cannot be opened: ${problem}`;
  void showError(message);
  return refused(message);
}

function harEntryOf(options: unknown): number | undefined {
  const value: unknown = typeof options === 'object' && options !== null && 'harEntry' in options ? options.harEntry : undefined;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/**
 * Schemes whose paths name the same file on the workspace's machine, where VS Code saves an untitled document
 * associated with a path (`file`, or `vscode-remote` for a remote workspace); elsewhere the path means nothing.
 */
const SAVABLE_SCHEMES = new Set(['file', 'vscode-remote']);

function originOf(uri: vscode.Uri): LoggedOrigin {
  return {
    name: uri.path.split('/').pop() || 'response',
    folder: SAVABLE_SCHEMES.has(uri.scheme) ? vscode.Uri.joinPath(uri, '..') : savableFolder(),
  };
}

function savableFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.find((folder) => SAVABLE_SCHEMES.has(folder.uri.scheme))?.uri;
}
