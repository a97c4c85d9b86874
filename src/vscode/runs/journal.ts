import * as vscode from 'vscode';
import type { RunRecord } from '../../core/runs/runRecord';
import type { TrackedAnswer } from '../editor/trackedAnswer';
import { Disposable } from '../lifetime';
import type { AnswerSource, FilledAnswer } from './answerRun';

/** One answer a run finished filling, with what produced it: what the run history records. */
export interface FilledAnswerEvent {
  readonly document: vscode.TextDocument;
  readonly tracked: TrackedAnswer;
  readonly source: AnswerSource;
  readonly filled: FilledAnswer;
}

/**
 * Where every kind of run reports each answer it finished (kept or dropped), so that whoever keeps runs (the
 * history, the Runs view) listens in one place instead of in each command.
 */
export class RunJournal extends Disposable {
  private readonly filled = this.register(new vscode.EventEmitter<FilledAnswerEvent>());
  readonly onDidFillAnswer = this.filled.event;
  private readonly restored = this.register(new vscode.EventEmitter<RestoredAnswerEvent>());
  /** An answer got its colours back from its record (after a reload): what it asked is known again. */
  readonly onDidRestoreAnswer = this.restored.event;

  answerFilled(event: FilledAnswerEvent): void {
    this.filled.fire(event);
  }

  answerRestored(event: RestoredAnswerEvent): void {
    this.restored.fire(event);
  }
}

export interface RestoredAnswerEvent {
  readonly tracked: TrackedAnswer;
  readonly record: RunRecord;
}
