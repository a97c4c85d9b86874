import * as vscode from 'vscode';
import type { TrackedAnswer } from '../editor/trackedAnswer';
import type { AnswerSink } from './answerRun';
import type { Target } from './target';

/** How often a refused edit is tried again before the run gives up. */
const ATTEMPTS = 5;

/**
 * Inserts streamed text at the answer's end, one edit in flight at a time (text that arrives meanwhile is
 * coalesced). The first edit opens an undo stop and later ones join it, so one Undo removes the whole answer.
 *
 * While the document is in no visible editor (the user switched tabs), text waits here: an edit through a
 * workspace edit would add one undo step per chunk. It goes in when the document is shown again, or, if the run
 * ends first, as one workspace edit (then Undo takes that step and the one before it: see the README).
 * `stop()` drops what waits: after a cancel, an Undo or an edit inside the answer, nothing more is inserted.
 */
export class Inserter implements AnswerSink {
  readonly textInPlace = false;
  private pending = '';
  private inFlight: Promise<void> | undefined;
  private first = true;
  private stopped = false;
  private ending = false;
  private error: Error | undefined;

  constructor(private readonly tracked: TrackedAnswer, private readonly target: Target) {}

  push(text: string): void {
    if (text.length === 0 || this.stopped || this.error !== undefined) return;
    this.pending += text;
    this.startDrain();
  }

  /** Drops the text not inserted yet; nothing more is inserted (an edit already under way completes). */
  stop(): void {
    this.stopped = true;
    this.pending = '';
  }

  /** Inserts what waits (into a hidden document too, now), then closes the undo group. */
  async flushed(): Promise<void> {
    this.ending = true;
    this.startDrain();
    while (this.inFlight !== undefined) await this.inFlight;
    if (this.error !== undefined) throw this.error;
    await this.closeUndoGroup();
  }

  /** Starts inserting what waits, unless an insertion is under way (it takes up what arrives meanwhile). */
  private startDrain(): void {
    if (this.inFlight !== undefined) return;
    // Cleared by a callback, which runs after this assignment even when there was nothing to insert.
    const drain: Promise<void> = this.drain().finally(() => {
      if (this.inFlight === drain) this.inFlight = undefined;
    });
    this.inFlight = drain;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.stopped) {
        if (!this.ending && !this.visibleEditor()) return;
        const text = this.pending;
        this.pending = '';
        await this.insert(text);
      }
    } catch (error) {
      this.error = error instanceof Error ? error : new Error(String(error));
      this.tracked.stop();
    }
  }

  private async insert(text: string): Promise<void> {
    const { document } = this.target;
    const { answer } = this.tracked;
    // A user's edit can land between our read of the offset and the edit; VS Code then refuses ours: retry.
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (document.isClosed) throw new Error('the document was closed');
      if (this.stopped) return;
      const editor = this.visibleEditor();
      if (!editor && !this.ending) {
        // Hidden meanwhile: the text waits for the document to be shown again, or for the end of the run.
        this.pending = text + this.pending;
        return;
      }
      const separator = this.first ? this.target.separator : '';
      // Text goes where the answer ends so far: its start at first, or the end of a branch's kept prefix.
      const offset = answer.end - separator.length;
      const replaced = this.first ? this.target.replace ?? 0 : 0;
      this.tracked.expectOwnInsert({ offset, text: separator + text, answerLength: text.length, replaced });
      const applied = await this.apply(editor, new vscode.Range(document.positionAt(offset), document.positionAt(offset + replaced)), separator + text);
      const ours = this.tracked.settleOwnInsert(applied);
      if (applied && ours) {
        this.first = false;
        return;
      }
      // Inserted but not recognised: retrying would duplicate text, so stop here with what is there.
      if (applied) throw new Error('the document changed in a way Logprob Lens could not follow');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the document kept changing under the insertion');
  }

  private async apply(editor: vscode.TextEditor | undefined, range: vscode.Range, text: string): Promise<boolean> {
    if (editor) {
      const selections = this.first ? editor.selections : undefined;
      // An editor being hidden (tab switch) rejects edits: the attempt after that goes through a workspace edit.
      const applied = await editor.edit((builder) => builder.replace(range, text), { undoStopBefore: this.first, undoStopAfter: false })
        .then((done) => done, () => false);
      if (applied && selections) editor.selections = selections;
      return applied;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(this.target.document.uri, range, text);
    return vscode.workspace.applyEdit(edit);
  }

  private visibleEditor(): vscode.TextEditor | undefined {
    return vscode.window.visibleTextEditors.find((candidate) => candidate.document === this.target.document);
  }

  /** Ends the undo group so the user's next typing is not undone together with the answer. */
  private async closeUndoGroup(): Promise<void> {
    if (this.first) return;
    await this.visibleEditor()?.edit(() => undefined, { undoStopBefore: false, undoStopAfter: true });
  }
}
