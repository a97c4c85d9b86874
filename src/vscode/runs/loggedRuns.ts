import * as vscode from 'vscode';
import { Answer } from '../../core/answer';
import type { ChunkDelta } from '../../core/chatChunk';
import { EolTranslator } from '../../core/eol';
import type { LoggedAnswer, LoggedRun, LoggedScoredPrompt } from '../../core/logged';
import { describeStop } from '../../core/logged';
import { documentName } from '../../core/logged/presentation';
import type { ReadingStop } from '../../core/logged/transcript';
import { restoredStore } from '../../core/runs/restore';
import { promptTextOf } from '../../core/runs/runRecord';
import { plainMessage } from '../../core/untrusted';
import { TrackedAnswer } from '../editor/trackedAnswer';
import { appendText, documentEol, openUntitled } from '../editor/documents';
import { showWarning } from '../notify';
import type { SettingsService } from '../settings';
import type { AnswerRunDeps, AnswerSource, FilledAnswer } from './answerRun';
import { announce, fillAnswer, TEXT_IN_PLACE } from './answerRun';
import { Inserter } from './inserter';
import type { RunContext, RunLifecycle } from './lifecycle';
import type { RunResult } from './result';

/**
 * A logged response, once read, as a run of its own (kind `logged`, no request): a new editor titled by the
 * format, the answer streamed in from memory, or a scored prompt coloured in place like Score Selection.
 */

export interface LoggedRunDeps extends AnswerRunDeps {
  readonly lifecycle: RunLifecycle;
  readonly settings: SettingsService;
}

/** Where a logged response came from. */
export interface LoggedOrigin {
  /** The file's name (or the sample's), for messages and the log. */
  readonly name: string;
  /** The folder the opened document is named in, where Save writes it without asking; none for a bare name. */
  readonly folder: vscode.Uri | undefined;
}

const HOST = 'a saved response';

/** An answer, streamed into a new editor; a transcript that broke off says at which line. */
export async function openAnswer(deps: LoggedRunDeps, logged: LoggedAnswer, origin: LoggedOrigin): Promise<RunResult> {
  const document = await openNamed(logged.label, origin.folder);
  return deps.lifecycle.run(document, progressTitle(logged.label, origin), async (run) => {
    const { filled, source, tracked } = await fillLoggedAnswer(run, deps, document, logged, origin, 0);
    return announce(filled, source, document, tracked, undefined, {});
  });
}

/**
 * A prompt the model scored: its text is put in first, as the user's text is before Score Selection, then its
 * tokens are placed on it. The answer of the same response, if any, follows it directly, as the model saw them.
 */
export async function openScoredPrompt(deps: LoggedRunDeps, scored: LoggedScoredPrompt, origin: LoggedOrigin): Promise<RunResult> {
  const document = await openNamed(scored.label, origin.folder);
  const { thresholds, colourBy } = deps.settings.current;
  const eol = documentEol(document);
  const prompt = new Answer(0, eol, thresholds, colourBy);
  prompt.append(scored.text, []);
  // The whole text in the document's line endings (the answer holds a trailing "\r" back until the stream ends).
  const translator = new EolTranslator(eol);
  const text = translator.translate(scored.text) + translator.flush();
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, new vscode.Position(0, 0), text);
  await vscode.workspace.applyEdit(edit);
  prompt.inserted(text.length);
  return deps.lifecycle.run(document, progressTitle(scored.label, origin), async (run) => {
    const tracked = new TrackedAnswer(prompt, origin.name, HOST, origin.name);
    const source = loggedSource(origin, scored.label, [{ text: '', tokens: scored.tokens, hasLogprobs: true, finishReason: 'stop' }]);
    const filled = await fillAnswer(run, deps, document, tracked, source, TEXT_IN_PLACE);
    const result = announce(filled, source, document, tracked, undefined, {});
    if (scored.answer && filled.outcome === 'done') await fillLoggedAnswer(run, deps, document, scored.answer, origin, prompt.end);
    return result;
  });
}

/**
 * A run Logprob Lens exported: its text put in as it was, and its tokens back on it exactly as recorded (its own
 * placements: nothing is aligned again), so colours and hovers are those of the run. A copy: not recorded again.
 */
export async function openRun(deps: LoggedRunDeps, logged: LoggedRun, origin: LoggedOrigin): Promise<RunResult> {
  const { record } = logged;
  const document = await openNamed(logged.label, origin.folder);
  const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document === document);
  // The recorded offsets count the recorded line endings: the document takes the same ones.
  const crlf = record.text.includes('\r\n');
  await editor?.edit((builder) => builder.setEndOfLine(crlf ? vscode.EndOfLine.CRLF : vscode.EndOfLine.LF));
  await appendText(document, record.text);
  const result: RunResult = { outcome: record.outcome, documentUri: document.uri.toString(), answerStart: 0, answerEnd: record.text.length, tokens: record.tokens.count, placements: record.placements.count };
  if (document.getText() !== record.text) {
    const message = 'The run\'s text could not be put in with its own line endings, so it is shown uncoloured.';
    void showWarning(message);
    return { ...result, message, placements: 0 };
  }
  const { thresholds, colourBy } = deps.settings.current;
  const answer = Answer.restored(0, record.text.length, restoredStore(record.tokens, record.placements), thresholds, colourBy);
  const tracked = new TrackedAnswer(answer, record.endpoint.model, record.endpoint.host || HOST, promptTextOf(record.request));
  tracked.finish(record.outcome);
  deps.tracker.add(document, tracked);
  deps.log.info(`open ${origin.name} (${logged.label}, ${record.tokens.count} tokens)`);
  return result;
}

async function fillLoggedAnswer(run: RunContext, deps: LoggedRunDeps, document: vscode.TextDocument, logged: LoggedAnswer, origin: LoggedOrigin,
  offset: number): Promise<{ filled: FilledAnswer; source: AnswerSource; tracked: TrackedAnswer }> {
  const { thresholds, colourBy } = deps.settings.current;
  const answer = new Answer(offset, documentEol(document), thresholds, colourBy);
  const tracked = new TrackedAnswer(answer, origin.name, HOST, origin.name);
  const source = loggedSource(origin, logged.label, logged.deltas, logged.stoppedAt);
  const filled = await fillAnswer(run, deps, document, tracked, source, new Inserter(tracked, { document, offset, separator: '' }));
  return { filled, source, tracked };
}

function loggedSource(origin: LoggedOrigin, label: string, deltas: readonly ChunkDelta[], stoppedAt?: ReadingStop): AnswerSource {
  return {
    kind: 'logged',
    model: origin.name,
    host: HOST,
    expectsFinish: false,
    logLine: `open ${origin.name} (${label}, ${deltas.length} events)`,
    // eslint-disable-next-line @typescript-eslint/require-await -- the same interface as the network source
    open: async function* () {
      yield* deltas;
      // A transcript that broke off ends like a stream that broke: what came before is kept, the line is named.
      if (stoppedAt) throw new Error(describeStop(stoppedAt));
    },
    describe: (error) => ({ kind: 'other', message: error instanceof Error ? error.message : String(error) }),
  };
}

function progressTitle(label: string, origin: LoggedOrigin): string {
  return `Logprob Lens: ${label} from ${plainMessage(origin.name)}`;
}

/** How many names ("label", "label (2)", …) are tried before a plain untitled document is taken. */
const MAX_COPIES = 50;

/**
 * A new untitled document titled by the format: an untitled document takes its title from its first line unless
 * it is associated with a path, and then shows that path's name. A name already open, or taken by a file in
 * `folder` (VS Code then refuses it), gets the next copy number.
 */
async function openNamed(label: string, folder: vscode.Uri | undefined): Promise<vscode.TextDocument> {
  for (let copy = 1; copy <= MAX_COPIES; copy++) {
    const name = documentName(label, copy);
    const uri = vscode.Uri.from({ scheme: 'untitled', path: folder ? vscode.Uri.joinPath(folder, name).path : name });
    if (vscode.workspace.textDocuments.some((document) => document.uri.toString() === uri.toString())) continue;
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(uri);
    } catch {
      continue;
    }
    await vscode.window.showTextDocument(document, { preview: false });
    return document;
  }
  return openUntitled('plaintext', 'here');
}
