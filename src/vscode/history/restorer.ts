import * as vscode from 'vscode';
import { Answer } from '../../core/answer';
import { planRestore, restoredStore } from '../../core/runs/restore';
import type { RunRecord } from '../../core/runs/runRecord';
import { promptTextOf } from '../../core/runs/runRecord';
import type { AnswerTracker } from '../editor/answerTracker';
import { TrackedAnswer } from '../editor/trackedAnswer';
import { Disposable } from '../lifetime';
import type { RunJournal } from '../runs/journal';
import type { SettingsService } from '../settings';
import type { RunHistoryService } from './runHistory';
import { RUN_SCHEME, runIdOf } from './runDocuments';

/** At most this many of a document's newest runs are tried on opening it. */
const MAX_RESTORED = 20;

/**
 * Gives recorded answers their colours, hovers and status back: in a document that opens (after a window
 * reload or a restart) the answers whose text is still there, at the recorded place or found once nearby; and
 * in the read-only documents of recorded runs (Open, Compare). Answers whose text changed are not coloured.
 */
export class RunRestorer extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly restoring = new Map<string, Promise<number>>();

  constructor(
    private readonly history: RunHistoryService,
    private readonly tracker: AnswerTracker,
    private readonly settings: SettingsService,
    private readonly journal: RunJournal,
  ) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(RUN_SCHEME, this));
    this.register(vscode.workspace.onDidOpenTextDocument((document) => void this.restore(document)));
    void history.whenReady().then(() => {
      for (const document of vscode.workspace.textDocuments) void this.restore(document);
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = runIdOf(uri);
    const record = id === undefined ? undefined : await this.history.read(id);
    return record?.text ?? 'This run is no longer in the history.';
  }

  /** Restores what can be restored in a document; returns how many answers got their colours back. */
  async restore(document: vscode.TextDocument): Promise<number> {
    // One restore per document at a time: opening a document and a caller can ask at once.
    const key = document.uri.toString();
    const running = this.restoring.get(key);
    if (running) return running.then(() => 0);
    const restoring = this.restoreNow(document).finally(() => this.restoring.delete(key));
    this.restoring.set(key, restoring);
    return restoring;
  }

  private async restoreNow(document: vscode.TextDocument): Promise<number> {
    await this.history.whenReady();
    if (document.isClosed) return 0;
    const runId = runIdOf(document.uri);
    if (runId !== undefined) {
      const record = await this.history.read(runId);
      return record && document.getText() === record.text && !this.tracked(document, record.id) ? this.add(document, record, 0) : 0;
    }
    const metas = this.history.forDocument(document.uri.toString()).filter((meta) => !this.tracked(document, meta.id)).slice(0, MAX_RESTORED);
    if (metas.length === 0) return 0;
    const version = document.version;
    const records = (await Promise.all(metas.map((meta) => this.history.read(meta.id)))).filter((record): record is RunRecord => record !== undefined);
    // The document changed while the runs were read: try again on the text as it is now.
    if (document.version !== version) return this.restoreNow(document);
    const byId = new Map(records.map((record) => [record.id, record]));
    let restored = 0;
    for (const { id, offset } of planRestore(document.getText(), records)) {
      if (this.overlapsTracked(document, offset, byId.get(id)!.text.length)) continue;
      restored += this.add(document, byId.get(id)!, offset);
    }
    return restored;
  }

  private add(document: vscode.TextDocument, record: RunRecord, offset: number): number {
    const { thresholds, colourBy } = this.settings.current;
    const answer = Answer.restored(offset, record.text.length, restoredStore(record.tokens, record.placements), thresholds, colourBy);
    const tracked = new TrackedAnswer(answer, record.endpoint.model, record.endpoint.host, promptTextOf(record.request), 0, record.id);
    tracked.finish(record.outcome);
    this.tracker.add(document, tracked);
    this.journal.answerRestored({ tracked, record });
    return 1;
  }

  private tracked(document: vscode.TextDocument, id: string): boolean {
    return this.tracker.answers(document).some((tracked) => tracked.id === id);
  }

  private overlapsTracked(document: vscode.TextDocument, start: number, length: number): boolean {
    return this.tracker.answers(document).some(({ answer }) => start < answer.end && answer.start < start + length);
  }
}
