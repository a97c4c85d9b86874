import * as vscode from 'vscode';
import { Answer } from '../../core/answer';
import type { LoggedResponse } from '../../core/wireFormats';
import { parseLoggedResponse } from '../../core/wireFormats';
import { TrackedAnswer } from '../editor/trackedAnswer';
import { documentEol, openUntitled } from '../editor/documents';
import { showError } from '../notify';
import type { SettingsService } from '../settings';
import type { AnswerRunDeps, AnswerSource } from './answerRun';
import { announce, fillAnswer } from './answerRun';
import { Inserter } from './inserter';
import type { RunLifecycle } from './lifecycle';
import type { RunResult } from './result';

export interface LoggedResponseDeps extends AnswerRunDeps {
  readonly lifecycle: RunLifecycle;
  readonly settings: SettingsService;
}

/**
 * Open Logprobs Response: the active editor's text when it is a logged response, otherwise `uri` or a file the
 * user picks. A text that is no response gets a message saying what was expected.
 */
export async function openLoggedResponse(deps: LoggedResponseDeps, uri?: vscode.Uri): Promise<RunResult | undefined> {
  const active = uri ? undefined : vscode.window.activeTextEditor?.document;
  if (active) {
    const logged = tryParse(active.getText());
    if ('deltas' in logged) return openLogged(deps, logged, fileName(active.uri));
  }
  const [file] = uri ? [uri] : await vscode.window.showOpenDialog({
    title: 'Open a saved Chat Completions, Responses or Completions response, or an SSE transcript',
    canSelectMany: false,
    filters: { Responses: ['json', 'txt', 'sse', 'ndjson', 'jsonl'], 'All files': ['*'] },
  }) ?? [];
  if (!file) return undefined;
  const logged = tryParse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)));
  if ('deltas' in logged) return openLogged(deps, logged, fileName(file));
  void showError(`${fileName(file)} cannot be opened: ${logged.problem}`);
  return undefined;
}

/** Try a Sample: the recording shipped in media/, opened like a logged response. */
export async function openSample(deps: LoggedResponseDeps, extensionUri: vscode.Uri): Promise<RunResult> {
  const sample = vscode.Uri.joinPath(extensionUri, 'media', 'sample-response.sse.txt');
  const logged = parseLoggedResponse(new TextDecoder().decode(await vscode.workspace.fs.readFile(sample)));
  return openLogged(deps, logged, 'sample: What is 4+4? (recorded from Azure OpenAI gpt-4o)');
}

/** A logged response's text, coloured, in a new editor. No network. */
async function openLogged(deps: LoggedResponseDeps, logged: LoggedResponse, name: string): Promise<RunResult> {
  const { thresholds, colourBy } = deps.settings.current;
  const { deltas } = logged;
  const source: AnswerSource = {
    kind: 'logged',
    model: name,
    host: 'a logged response',
    expectsFinish: false,
    logLine: `open ${name} (${logged.format}, ${deltas.length} events)`,
    // eslint-disable-next-line @typescript-eslint/require-await -- the same interface as the network source
    open: async function* () { yield* deltas; },
    describe: (error) => ({ kind: 'other', message: error instanceof Error ? error.message : String(error) }),
  };
  const document = await openUntitled('plaintext', 'here');
  return deps.lifecycle.run(document, `Logprob Lens: ${name}`, async (run) => {
    const answer = new Answer(0, documentEol(document), thresholds, colourBy);
    const tracked = new TrackedAnswer(answer, name, source.host, name);
    const filled = await fillAnswer(run, deps, document, tracked, source, new Inserter(tracked, { document, offset: 0, separator: '' }));
    return announce(filled, source, document, tracked, undefined, {});
  });
}

function tryParse(text: string): LoggedResponse | { problem: string } {
  try {
    return parseLoggedResponse(text);
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

function fileName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || 'response';
}
