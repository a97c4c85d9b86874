import * as vscode from 'vscode';
import type { Answer } from '../core/answer';

/** How a run ended, or that it is still streaming. */
export type RunState = 'streaming' | 'done' | 'truncated' | 'filtered' | 'cancelled' | 'incomplete' | 'failed';

/** An edit the extension is about to make itself, so it is not taken for a user's edit. */
interface OwnInsert {
  readonly offset: number;
  readonly text: string;
  /** How much of `text` is answer (the rest is the blank line before it). */
  readonly answerLength: number;
}

/** One answer in a document, with what it came from. */
export class TrackedAnswer {
  state: RunState = 'streaming';
  /** Length of the blank line inserted before the answer (removed with it). */
  separatorLength = 0;
  /** Set by the run while streaming; an edit inside the answer stops it. */
  stop: (() => void) | undefined;
  private ownInsert: OwnInsert | undefined;

  constructor(
    readonly answer: Answer,
    readonly model: string,
    readonly host: string,
    readonly prompt: string,
  ) {}

  expectOwnInsert(insert: OwnInsert): void {
    this.ownInsert = insert;
  }

  clearOwnInsert(): void {
    this.ownInsert = undefined;
  }

  /** Whether the expected insertion has not arrived (been counted) yet. */
  get ownInsertPending(): boolean {
    return this.ownInsert !== undefined;
  }

  /** Takes a content change: our own insertion extends the answer, anything else is a user's edit. */
  applyChange(change: vscode.TextDocumentContentChangeEvent): void {
    const own = this.ownInsert;
    if (own && change.rangeLength === 0 && change.rangeOffset === own.offset && change.text.length === own.text.length) {
      this.ownInsert = undefined;
      this.answer.inserted(own.answerLength);
      return;
    }
    const effect = this.answer.applyEdit(change.rangeOffset, change.rangeLength, change.text.length);
    if (own && change.rangeOffset + change.rangeLength <= own.offset) {
      this.ownInsert = { ...own, offset: own.offset + change.text.length - change.rangeLength };
    }
    if (effect === 'inside' && this.state === 'streaming') this.stop?.();
  }
}

/**
 * The answers of every document, kept in step with its edits. VS Code has no `getDecorations`, so this is the
 * extension's own record of where each coloured token is; decorations and hovers are rendered from it.
 */
export class AnswerTracker implements vscode.Disposable {
  private readonly byDocument = new Map<string, TrackedAnswer[]>();
  private readonly changed = new vscode.EventEmitter<vscode.TextDocument>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Fires after the answers of a document changed (edited, added, cleared). */
  readonly onDidChange = this.changed.event;

  constructor() {
    vscode.workspace.onDidChangeTextDocument((event) => this.onDocumentChanged(event), undefined, this.disposables);
    vscode.workspace.onDidCloseTextDocument((document) => this.clear(document), undefined, this.disposables);
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

  /** The answer and placement under a document offset. */
  hit(document: vscode.TextDocument, offset: number): { tracked: TrackedAnswer; placement: number } | undefined {
    for (const tracked of this.answers(document)) {
      const placement = tracked.answer.placementAt(offset);
      if (placement >= 0) return { tracked, placement };
    }
    return undefined;
  }

  clear(document: vscode.TextDocument): void {
    for (const tracked of this.answers(document)) tracked.stop?.();
    if (this.byDocument.delete(document.uri.toString())) this.changed.fire(document);
  }

  /** Signals that answers of a document changed outside an edit (a run added text or ended). */
  notify(document: vscode.TextDocument): void {
    this.changed.fire(document);
  }

  dispose(): void {
    for (const answers of this.byDocument.values()) for (const tracked of answers) tracked.stop?.();
    this.byDocument.clear();
    for (const disposable of this.disposables) disposable.dispose();
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
