import * as vscode from 'vscode';
import type { ColourMode } from '../../core/buckets';
import { Disposable } from '../lifetime';
import type { SettingsService } from '../settings';
import type { TrackedAnswer } from './trackedAnswer';

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

  /** The tracked answer with this id, and its document. */
  find(id: string): { document: vscode.TextDocument; tracked: TrackedAnswer } | undefined {
    for (const document of vscode.workspace.textDocuments) {
      const tracked = this.byDocument.get(document.uri.toString())?.find((candidate) => candidate.id === id);
      if (tracked) return { document, tracked };
    }
    return undefined;
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
