import type * as vscode from 'vscode';
import type { Answer } from '../../core/answer';
import type { RunOutcome, RunState } from '../../core/runOutcome';
import { newRunId } from '../../core/runs/runRecord';
import { EMPTY_HASH, hashText } from '../../core/textHash';

/** An insertion the extension is about to make itself, so its change event is not taken for the user's. */
interface OwnInsert {
  readonly offset: number;
  readonly text: string;
  /** How much of `text` is answer (the rest is the blank line before it). */
  readonly answerLength: number;
  /** Characters after `offset` the insertion replaces (a branch's first edit replaces the old rest of the answer). */
  readonly replaced?: number;
}

/**
 * One answer in a document and the run that fills it. Its state is read-only from outside: a run `begin`s it and
 * `finish`es it; an edit inside it, Clear Colours or the document closing `stop` the run.
 */
export class TrackedAnswer {
  /** Notes shown in the hover of a placement (a comparison's divergence): markdown made of our text and code spans. */
  readonly notes = new Map<number, string>();
  private currentState: RunState = 'streaming';
  private stopRun: (() => void) | undefined;
  private pendingInsert: OwnInsert | undefined;
  /** The last change taken for ours, until the edit that made it reports success. */
  private unconfirmedInsert: OwnInsert | undefined;
  private separatorIntact = true;
  private editedInside = false;
  private insertedHash = EMPTY_HASH;
  private insertedLength = 0;

  constructor(
    readonly answer: Answer,
    readonly model: string,
    readonly host: string,
    readonly prompt: string,
    /** Length of the blank line inserted before the answer (removed with it). */
    readonly separatorLength = 0,
    /** Identifies the answer in hover links, and is the id of its run in the history (a restored answer keeps it). */
    readonly id = newRunId(),
    /** A branch's forced token (its index in the store): chosen by the user, not sampled. */
    readonly chosenToken?: number,
  ) {}

  get state(): RunState {
    return this.currentState;
  }

  get isStreaming(): boolean {
    return this.currentState === 'streaming';
  }

  /** A run starts filling the answer; `stop` ends that run. */
  begin(stop: () => void): void {
    this.currentState = 'streaming';
    this.stopRun = stop;
  }

  /** Asks the run filling this answer, if any, to stop. */
  stop(): void {
    this.stopRun?.();
  }

  finish(outcome: RunOutcome): void {
    this.currentState = outcome;
    this.stopRun = undefined;
  }

  /** Announces an insertion of ours, so that its change event extends the answer. */
  expectOwnInsert(insert: OwnInsert): void {
    this.pendingInsert = insert;
  }

  /**
   * The edit announced last has finished. If it was refused, the change taken for it was the user's (same
   * place, same text, typed first): it is handed back as text after the answer. Returns whether it was ours.
   */
  settleOwnInsert(applied: boolean): boolean {
    const taken = this.unconfirmedInsert;
    this.pendingInsert = undefined;
    this.unconfirmedInsert = undefined;
    if (!taken) return false;
    if (applied) {
      this.insertedHash = hashText(taken.text, this.insertedHash);
      this.insertedLength += taken.text.length;
      return true;
    }
    this.answer.disown(taken.answerLength, taken.text.length - taken.answerLength);
    return false;
  }

  /** Whether the answer and its blank line are still exactly what was inserted, at `[start, end)` of `text`. */
  isUnchanged(documentText: string): boolean {
    if (this.editedInside || !this.separatorIntact) return false;
    const start = this.answer.start - this.separatorLength;
    const inserted = documentText.slice(start, this.answer.end);
    return inserted.length === this.insertedLength && hashText(inserted) === this.insertedHash;
  }

  /** Takes a content change: our own insertion extends the answer, anything else is a user's edit. */
  applyChange(change: vscode.TextDocumentContentChangeEvent): void {
    const own = this.pendingInsert;
    if (own && change.rangeLength === (own.replaced ?? 0) && change.rangeOffset === own.offset && change.text === own.text) {
      this.pendingInsert = undefined;
      this.unconfirmedInsert = own;
      this.answer.inserted(own.answerLength);
      return;
    }
    const separatorStart = this.answer.start - this.separatorLength;
    if (change.rangeOffset + change.rangeLength > separatorStart && change.rangeOffset < this.answer.start) this.separatorIntact = false;
    const effect = this.answer.applyEdit(change.rangeOffset, change.rangeLength, change.text.length);
    if (own && change.rangeOffset + change.rangeLength <= own.offset) {
      this.pendingInsert = { ...own, offset: own.offset + change.text.length - change.rangeLength };
    }
    if (effect === 'inside') {
      this.editedInside = true;
      if (this.isStreaming) this.stop();
    }
  }
}
