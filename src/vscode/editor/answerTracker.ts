import * as vscode from 'vscode';
import type { Answer } from '../../core/answer';
import type { ColourMode } from '../../core/buckets';
import type { RunOutcome, RunState } from '../../core/runOutcome';
import { EMPTY_HASH, hashText } from '../../core/textHash';
import { Disposable } from '../lifetime';
import type { SettingsService } from '../settings';

/** An insertion the extension is about to make itself, so its change event is not taken for the user's. */
interface OwnInsert {
  readonly offset: number;
  readonly text: string;
  /** How much of `text` is answer (the rest is the blank line before it). */
  readonly answerLength: number;
  /** Characters after `offset` the insertion replaces (a branch's first edit replaces the old rest of the answer). */
  readonly replaced?: number;
}

let answerCount = 0;

/**
 * One answer in a document and the run that fills it. Its state is read-only from outside: a run `begin`s it and
 * `finish`es it; an edit inside it, Clear Colours or the document closing `stop` the run.
 */
export class TrackedAnswer {
  /** Identifies the answer in hover links and the run history. */
  readonly id = `${Date.now().toString(36)}-${(++answerCount).toString(36)}`;
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

/**
 * The answers of every document, kept in step with its edits. VS Code has no `getDecorations`, so this is the
 * extension's own record of where each coloured token is; decorations and hovers are rendered from it.
 */
export class AnswerTracker extends Disposable {
  private readonly byDocument = new Map<string, TrackedAnswer[]>();
  private readonly changed = this.register(new vscode.EventEmitter<vscode.TextDocument>());
  /** Fires after the answers of a document changed (edited, added, cleared, a run progressed or ended). */
  readonly onDidChange = this.changed.event;

  constructor(settings: SettingsService) {
    super();
    this.register(vscode.workspace.onDidChangeTextDocument((event) => this.onDocumentChanged(event)));
    this.register(vscode.workspace.onDidCloseTextDocument((document) => this.clear(document)));
    this.register(settings.onDidChange(({ before, after }) => {
      if (before.thresholds.join() !== after.thresholds.join() || before.colourBy !== after.colourBy) this.recolour(after.thresholds, after.colourBy);
    }));
  }

  add(document: vscode.TextDocument, tracked: TrackedAnswer): void {
    const key = document.uri.toString();
    const answers = this.byDocument.get(key) ?? [];
    answers.push(tracked);
    answers.sort((a, b) => a.answer.start - b.answer.start);
    this.byDocument.set(key, answers);
    this.changed.fire(document);
  }

  remove(document: vscode.TextDocument, tracked: TrackedAnswer): void {
    const answers = this.byDocument.get(document.uri.toString());
    const index = answers?.indexOf(tracked) ?? -1;
    if (!answers || index < 0) return;
    answers.splice(index, 1);
    if (answers.length === 0) this.byDocument.delete(document.uri.toString());
    this.changed.fire(document);
  }

  answers(document: vscode.TextDocument): readonly TrackedAnswer[] {
    return this.byDocument.get(document.uri.toString()) ?? [];
  }

  isTracked(document: vscode.TextDocument): boolean {
    return this.byDocument.has(document.uri.toString());
  }

  includes(document: vscode.TextDocument, tracked: TrackedAnswer): boolean {
    return this.answers(document).includes(tracked);
  }

  /** The answer and placement under a document offset. */
  hit(document: vscode.TextDocument, offset: number): { tracked: TrackedAnswer; placement: number } | undefined {
    for (const tracked of this.answers(document)) {
      const placement = tracked.answer.placementAt(offset);
      if (placement >= 0) return { tracked, placement };
    }
    return undefined;
  }

  /** Forgets a document's answers (their text stays) and stops any run filling them. */
  clear(document: vscode.TextDocument): void {
    for (const tracked of this.answers(document)) tracked.stop();
    if (this.byDocument.delete(document.uri.toString())) this.changed.fire(document);
  }

  /** Signals that a document's answers changed outside an edit (a run added tokens or ended). */
  notify(document: vscode.TextDocument): void {
    this.changed.fire(document);
  }

  /** Recolours every answer for new thresholds or a new colour mode. */
  private recolour(thresholds: readonly number[], mode: ColourMode): void {
    for (const document of vscode.workspace.textDocuments) {
      const answers = this.byDocument.get(document.uri.toString());
      if (!answers) continue;
      for (const tracked of answers) tracked.answer.setColouring(thresholds, mode);
      this.changed.fire(document);
    }
  }

  override dispose(): void {
    for (const answers of this.byDocument.values()) for (const tracked of answers) tracked.stop();
    this.byDocument.clear();
    super.dispose();
  }

  private onDocumentChanged(event: vscode.TextDocumentChangeEvent): void {
    const answers = this.byDocument.get(event.document.uri.toString());
    if (!answers || event.contentChanges.length === 0) return;
    // Offsets of one event's changes refer to the document before it; applying them from the end keeps them true.
    const changes = [...event.contentChanges].sort((a, b) => b.rangeOffset - a.rangeOffset);
    for (const change of changes) for (const tracked of answers) tracked.applyChange(change);
    this.changed.fire(event.document);
  }
}
