import * as vscode from 'vscode';
import type { ResultsDocument } from '../../core/promptFiles/results';
import type { TrackedAnswer } from '../editor/trackedAnswer';
import { documentEol } from '../editor/documents';
import { Disposable } from '../lifetime';
import type { AnswerSink } from '../runs/answerRun';

/** One edit the writer makes: text at the end of an answer, or sections between answers rewritten. */
type Operation =
  | { readonly kind: 'answer'; readonly slot: number; readonly text: string }
  | { readonly kind: 'sections'; readonly sections: readonly number[] };

/** How often an edit the editor refused is made again before the writer gives up. */
const ATTEMPTS = 5;

/** One replacement of an edit, in the offsets of the document before the edit, as its change event reports it. */
interface Change {
  readonly piece: number;
  readonly offset: number;
  readonly removed: number;
  readonly text: string;
}

/**
 * Writes the results document of a prompt-file run while the run goes on: every case's answer streams into its
 * own fenced block, and the text between the answers (the summary, each case's heading, evaluators and figures)
 * is rewritten as cases start and finish. The document is kept as pieces, section 0, answer 0, section 1, …,
 * section n, so every answer's offset is known exactly:
 * - the writer is the one writer, one edit at a time: an answer's new text alone, or sections that do not touch
 *   (every other one: an edit's replacements that touch are merged by the editor, and would no longer be known as
 *   ours), or, into the empty document, all of it at once;
 * - answer text is announced to its `TrackedAnswer` (its colours follow it); a section's rewrite is an edit
 *   before or after the other answers, which the tracker follows;
 * - an edit by the user inside one section is kept in the pieces (the next rewrite of that section replaces it);
 *   one across sections stops the writer, and the run is told through `onLost`.
 */
export class ResultsWriter extends Disposable {
  private readonly pieces: string[];
  private readonly eol: string;
  private readonly waiting = new Map<number, string>();
  private readonly stopped = new Set<number>();
  /** Answers whose text could not all be written when the writer stopped. */
  private readonly dropped = new Set<number>();
  private readonly trackedAnswers = new Map<number, TrackedAnswer>();
  /** What each section should read; `dirty` holds those set since they were last written. */
  private readonly sections: string[];
  private readonly dirty = new Set<number>();
  /** The operation being applied, its changes as the document will report them, and those it reported already. */
  private inFlight: { readonly operation: Operation; readonly changes: readonly Change[]; readonly taken: Set<Change> } | undefined;
  private drain: Promise<void> | undefined;
  /** Called after every operation (and when the writer stops): `flushed` waits on them. */
  private readonly waiters = new Set<() => void>();
  private lost = false;

  /** `onLost`: the document was closed, or edited across sections or during an edit of ours; nothing more is written. */
  constructor(private readonly document: vscode.TextDocument, slots: number, private readonly onLost: () => void) {
    super();
    this.eol = documentEol(document);
    this.pieces = Array.from({ length: 2 * slots + 1 }, () => '');
    this.sections = Array.from({ length: slots + 1 }, () => '');
    // The document starts empty: everything in it comes through here.
    if (document.getText().length > 0) this.lose();
    this.register(vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document === document) for (const change of event.contentChanges) this.take(change);
    }));
  }

  /** Document offset where an answer starts. */
  answerStart(slot: number): number {
    return this.offsetOf(2 * slot + 1);
  }

  /** An answer's whole text so far: in the document, being written, and waiting. */
  answerText(slot: number): string {
    const operation = this.inFlight?.operation;
    const writing = operation?.kind === 'answer' && operation.slot === slot && this.inFlight!.taken.size === 0 ? operation.text : '';
    return this.pieces[2 * slot + 1]! + writing + (this.waiting.get(slot) ?? '');
  }

  /** A whole document replaces the sections (those that did not change are not written again). */
  show(results: ResultsDocument): void {
    const { text, answers } = results;
    const bounds = [0, ...answers.flatMap((answer) => [answer.start, answer.end]), text.length];
    const sections = new Map<number, string>();
    for (let i = 0; i < bounds.length; i += 2) sections.set(i / 2, text.slice(bounds[i], bounds[i + 1]));
    this.setSections(sections);
  }

  /** Some sections change (by index: section 0 is above the first answer, section i follows answer i − 1). */
  setSections(sections: ReadonlyMap<number, string>): void {
    for (const [index, text] of sections) {
      this.sections[index] = text.replace(/\n/g, this.eol);
      this.dirty.add(index);
    }
    this.startDrain();
  }

  /** Where one answer's text goes: at its end, in its turn. */
  sink(slot: number, tracked: TrackedAnswer): AnswerSink {
    this.trackedAnswers.set(slot, tracked);
    const busy = (): boolean => this.waiting.has(slot) || (this.inFlight?.operation.kind === 'answer' && this.inFlight.operation.slot === slot);
    return {
      textInPlace: false,
      push: (text) => {
        if (text.length === 0 || this.stopped.has(slot) || this.lost) return;
        this.waiting.set(slot, (this.waiting.get(slot) ?? '') + text);
        this.startDrain();
      },
      stop: () => {
        this.stopped.add(slot);
        this.waiting.delete(slot);
      },
      flushed: async () => {
        while (busy() && !this.lost) await this.nextSettled();
        if (this.dropped.has(slot)) throw new Error('the results document was closed, or edited while the run wrote into it');
      },
    };
  }

  /** Resolves when everything asked for is in the document (or can no longer be written). */
  async idle(): Promise<void> {
    while (this.drain) await this.drain;
  }

  private nextSettled(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  private settle(): void {
    for (const resolve of this.waiters) resolve();
    this.waiters.clear();
  }

  private startDrain(): void {
    this.drain ??= this.write().finally(() => {
      this.drain = undefined;
      this.settle();
    });
  }

  private async write(): Promise<void> {
    for (let operation = this.nextOperation(); operation && !this.lost; operation = this.nextOperation()) {
      if (!await this.apply(operation)) {
        if (operation.kind === 'answer') this.dropped.add(operation.slot);
        this.lose();
      }
      this.settle();
    }
  }

  /** Answers first (they are what the user watches), in turn; then sections that differ from what is there. */
  private nextOperation(): Operation | undefined {
    for (const [slot, text] of this.waiting) {
      this.waiting.delete(slot);
      return { kind: 'answer', slot, text };
    }
    const changed = [...this.dirty].filter((section) => this.sections[section] !== this.pieces[2 * section]);
    this.dirty.clear();
    if (changed.length === 0) return undefined;
    const parity = changed[0]! % 2;
    for (const section of changed) if (section % 2 !== parity) this.dirty.add(section);
    return { kind: 'sections', sections: changed.filter((section) => section % 2 === parity) };
  }

  /** The replacements of an operation, at the pieces' current offsets. */
  private changesOf(operation: Operation): Change[] {
    const starts = [0];
    for (const piece of this.pieces) starts.push(starts.at(-1)! + piece.length);
    if (operation.kind === 'answer') {
      const piece = 2 * operation.slot + 1;
      return [{ piece, offset: starts[piece + 1]!, removed: 0, text: operation.text }];
    }
    // Into the empty document, everything at once: one edit instead of one per section.
    if (starts.at(-1) === 0) return [{ piece: -1, offset: 0, removed: 0, text: this.sections.join('') }];
    return operation.sections.map((section) => ({ piece: 2 * section, offset: starts[2 * section]!, removed: this.pieces[2 * section]!.length, text: this.sections[section]! }));
  }

  /**
   * Applies one operation; false when it could not be, or the document changed under it (then offsets are unknown).
   * The editor refuses an edit made for an older version of the document (the user typed meanwhile): it is made
   * again at the offsets as they are now, a few times.
   */
  private async apply(operation: Operation): Promise<boolean> {
    try {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (this.document.isClosed || this.lost) return false;
        const changes = this.changesOf(operation);
        const tracked = operation.kind === 'answer' ? this.trackedAnswers.get(operation.slot) : undefined;
        const edit = new vscode.WorkspaceEdit();
        for (const { offset, removed, text } of changes) {
          edit.replace(this.document.uri, new vscode.Range(this.document.positionAt(offset), this.document.positionAt(offset + removed)), text);
        }
        if (tracked) tracked.expectOwnInsert({ offset: changes[0]!.offset, text: changes[0]!.text, answerLength: changes[0]!.text.length });
        const version = this.document.version;
        // In flight until it is in the document or given up: `answerText` and `flushed` count its text meanwhile.
        const inFlight = { operation, changes, taken: new Set<Change>() };
        this.inFlight = inFlight;
        const applied = await vscode.workspace.applyEdit(edit).then((done) => done, () => false);
        tracked?.settleOwnInsert(applied);
        if (applied) {
          // Its change event has normally put it in the pieces already (see `take`).
          for (const change of changes) if (!inFlight.taken.has(change)) this.record(change, operation);
          // One edit of ours moves the version by one; more means another edit landed in between.
          return this.document.version === version + 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return false;
    } finally {
      this.inFlight = undefined;
    }
  }

  /**
   * A change to the document, recorded in the pieces as it is reported, so that they always match the document:
   * ours into the piece it was made for, the user's into the piece it falls in.
   */
  private take(change: vscode.TextDocumentContentChangeEvent): void {
    const inFlight = this.inFlight;
    const own = inFlight?.changes.find((candidate) => !inFlight.taken.has(candidate) && change.rangeOffset === candidate.offset
      && change.rangeLength === candidate.removed && change.text === candidate.text);
    if (own) {
      inFlight!.taken.add(own);
      this.record(own, inFlight!.operation);
      return;
    }
    if (this.lost) return;
    const piece = this.pieceOf(change.rangeOffset, change.rangeOffset + change.rangeLength);
    if (piece === undefined) {
      this.lose();
      return;
    }
    const at = change.rangeOffset - this.offsetOf(piece);
    const text = this.pieces[piece]!;
    this.pieces[piece] = text.slice(0, at) + change.text + text.slice(at + change.rangeLength);
  }

  /** An edit of ours, in the pieces: answer text appended, a section replaced, or the whole document written. */
  private record(change: Change, operation: Operation): void {
    if (change.piece < 0) this.sections.forEach((section, i) => { this.pieces[2 * i] = section; });
    else this.pieces[change.piece] = operation.kind === 'answer' ? this.pieces[change.piece] + change.text : change.text;
  }

  /**
   * The piece an edit of [start, end) falls in: a section, or an answer. Text typed where an answer starts or ends
   * belongs to the section beside it, as the answer tracker sees it. `undefined` for an edit across pieces.
   */
  private pieceOf(start: number, end: number): number | undefined {
    let offset = 0;
    for (let piece = 0; piece < this.pieces.length; piece++) {
      const pieceEnd = offset + this.pieces[piece]!.length;
      const isAnswer = piece % 2 === 1;
      const inside = isAnswer && start === end ? start > offset && start < pieceEnd : start >= offset && end <= pieceEnd;
      if (inside) return piece;
      offset = pieceEnd;
    }
    return undefined;
  }

  private offsetOf(piece: number): number {
    let offset = 0;
    for (let i = 0; i < piece; i++) offset += this.pieces[i]!.length;
    return offset;
  }

  private lose(): void {
    if (this.lost) return;
    this.lost = true;
    for (const slot of this.waiting.keys()) this.dropped.add(slot);
    const operation = this.inFlight?.operation;
    if (operation?.kind === 'answer') this.dropped.add(operation.slot);
    this.waiting.clear();
    this.settle();
    this.onLost();
  }
}
