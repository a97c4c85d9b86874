import * as vscode from 'vscode';
import type { LoggedResponse } from '../core/wireFormats';
import { parseLoggedResponse } from '../core/wireFormats';
import type { CompletionRunner, RunResult } from './runner';

/**
 * Open Logprobs Response: the active editor's text when it is a saved response, otherwise `uri` or a file the
 * user picks. A text that is no response gets a message saying what was expected.
 */
export async function openSavedResponse(runner: CompletionRunner, uri?: vscode.Uri): Promise<RunResult | undefined> {
  const active = uri ? undefined : vscode.window.activeTextEditor?.document;
  if (active) {
    const logged = tryParse(active.getText());
    if ('deltas' in logged) return runner.openLogged(logged, fileName(active.uri));
  }
  const [file] = uri ? [uri] : await vscode.window.showOpenDialog({
    title: 'Open a saved Chat Completions, Responses or Completions response, or an SSE transcript',
    canSelectMany: false,
    filters: { Responses: ['json', 'txt', 'sse', 'ndjson', 'jsonl'], 'All files': ['*'] },
  }) ?? [];
  if (!file) return undefined;
  const logged = tryParse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)));
  if ('deltas' in logged) return runner.openLogged(logged, fileName(file));
  void vscode.window.showErrorMessage(`Logprob Lens: ${fileName(file)} cannot be opened: ${logged.problem}`);
  return undefined;
}

/** Try a Sample: the recording shipped in media/, opened like a saved response. */
export async function openSample(runner: CompletionRunner, extensionUri: vscode.Uri): Promise<RunResult> {
  const sample = vscode.Uri.joinPath(extensionUri, 'media', 'sample-response.sse.txt');
  const logged = parseLoggedResponse(new TextDecoder().decode(await vscode.workspace.fs.readFile(sample)));
  return runner.openLogged(logged, 'sample: What is 4+4? (recorded from Azure OpenAI gpt-4o)');
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
