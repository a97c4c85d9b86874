import * as vscode from 'vscode';
import { BUCKET_COUNT } from '../core/buckets';
import type { AnswerTracker, RunState } from './answerTracker';

/** The note after an answer that did not finish normally. */
const END_NOTES: Partial<Record<RunState, string>> = {
  incomplete: '⚠ incomplete: the stream broke; what arrived is kept',
  cancelled: '⏹ cancelled; what arrived is kept',
  truncated: '… truncated at the token limit',
  filtered: '⚠ stopped by the content filter',
};

/** How often decorations may be redrawn while an answer streams in. */
const FLUSH_INTERVAL_MS = 50;
/**
 * Past this many coloured spans in an editor, only the lines around the viewport are sent (and re-sent on
 * scroll): sending every range of a 100k-token answer to the renderer costs over 100 ms, a viewport's worth ~1 ms.
 * The least certain bucket is always sent whole, so its overview ruler marks cover the whole document.
 */
const VIEWPORT_THRESHOLD = 5_000;
const VIEWPORT_MARGIN_LINES = 150;

/**
 * One decoration type per confidence bucket, created once and coloured by theme colours, so a theme can
 * restyle them. Each render is one `setDecorations(type, Range[])` per bucket with adjacent tokens merged.
 */
export class ConfidenceDecorations implements vscode.Disposable {
  private readonly types: vscode.TextEditorDecorationType[];
  private readonly endNote = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorWarning.foreground'), margin: '0 0 0 1.5ch', fontStyle: 'italic' },
  });
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly lastRender = new Map<string, number>();
  /** Documents that may have decorations on screen, so clearing them is not skipped. */
  private readonly drawn = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private shown = true;
  /** How long renders take in the extension host (for the benchmark and the log). */
  readonly renderStats = { count: 0, totalMs: 0, maxMs: 0, lastMs: 0, recentMs: [] as number[] };
  /** Editors drawn by viewport, with the line range they were drawn for. */
  private readonly windows = new WeakMap<vscode.TextEditor, { first: number; last: number }>();

  constructor(private readonly tracker: AnswerTracker) {
    this.types = Array.from({ length: BUCKET_COUNT }, (_, bucket) => vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor(`logprobLens.confidence${bucket}`),
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      // Only the least certain bucket marks the overview ruler: painting every token there is costly and noisy.
      ...(bucket === 0 ? { overviewRulerColor: new vscode.ThemeColor('logprobLens.uncertainRuler'), overviewRulerLane: vscode.OverviewRulerLane.Right } : {}),
    }));
    tracker.onDidChange((document) => this.schedule(document), this, this.disposables);
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.render(editor)), this, this.disposables);
    vscode.window.onDidChangeTextEditorVisibleRanges(({ textEditor, visibleRanges }) => {
      const drawn = this.windows.get(textEditor);
      const first = visibleRanges[0]?.start.line ?? 0;
      const last = visibleRanges.at(-1)?.end.line ?? 0;
      // Redraw only when the viewport nears the edge of what was drawn.
      if (drawn && (first < drawn.first + VIEWPORT_MARGIN_LINES / 3 || last > drawn.last - VIEWPORT_MARGIN_LINES / 3)) this.render(textEditor);
    }, this, this.disposables);
  }

  get visible(): boolean {
    return this.shown;
  }

  set visible(shown: boolean) {
    this.shown = shown;
    for (const editor of vscode.window.visibleTextEditors) this.render(editor);
  }

  /** Redraws a document's editors now, or at the next flush if one happened less than 50 ms ago. */
  schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    if (this.timers.has(key)) return;
    const wait = Math.max(0, FLUSH_INTERVAL_MS - (performance.now() - (this.lastRender.get(key) ?? 0)));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.lastRender.set(key, performance.now());
      this.renderDocument(document);
    }, wait));
  }

  renderDocument(document: vscode.TextDocument): void {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === document) this.render(editor);
  }

  render(editor: vscode.TextEditor): void {
    const began = performance.now();
    this.draw(editor);
    const elapsed = performance.now() - began;
    this.renderStats.count++;
    this.renderStats.totalMs += elapsed;
    this.renderStats.lastMs = elapsed;
    this.renderStats.maxMs = Math.max(this.renderStats.maxMs, elapsed);
    this.renderStats.recentMs.push(elapsed);
    if (this.renderStats.recentMs.length > 1000) this.renderStats.recentMs.shift();
  }

  private draw(editor: vscode.TextEditor): void {
    const key = editor.document.uri.toString();
    const answers = this.shown ? this.tracker.answers(editor.document) : [];
    if (answers.length === 0 && !this.drawn.has(key)) return; // nothing of ours to draw or to clear
    if (answers.length > 0) this.drawn.add(key);
    else this.drawn.delete(key);
    const spans: number[][] = Array.from({ length: BUCKET_COUNT }, () => []);
    for (const tracked of answers) tracked.answer.spans(BUCKET_COUNT, spans);
    const { document } = editor;
    const window = this.viewportWindow(editor, spans);
    this.types.forEach((type, bucket) => {
      const flat = spans[bucket]!;
      const ranges: vscode.Range[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        if (window && bucket > 0 && (flat[i + 1]! < window.from || flat[i]! > window.to)) continue;
        ranges.push(new vscode.Range(document.positionAt(flat[i]!), document.positionAt(flat[i + 1]!)));
      }
      editor.setDecorations(type, ranges);
    });
    const notes: vscode.DecorationOptions[] = [];
    for (const tracked of answers) {
      const note = END_NOTES[tracked.state];
      if (!note) continue;
      const end = document.positionAt(tracked.answer.end);
      notes.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: note } } });
    }
    editor.setDecorations(this.endNote, notes);
  }

  /** The document offsets to draw for a large answer (undefined: draw everything). */
  private viewportWindow(editor: vscode.TextEditor, spans: readonly number[][]): { from: number; to: number } | undefined {
    const total = spans.reduce((sum, bucket) => sum + bucket.length / 2, 0);
    if (total <= VIEWPORT_THRESHOLD || editor.visibleRanges.length === 0) {
      this.windows.delete(editor);
      return undefined;
    }
    const { document } = editor;
    const first = Math.max(0, editor.visibleRanges[0]!.start.line - VIEWPORT_MARGIN_LINES);
    const last = Math.min(document.lineCount - 1, editor.visibleRanges.at(-1)!.end.line + VIEWPORT_MARGIN_LINES);
    this.windows.set(editor, { first, last });
    return { from: document.offsetAt(new vscode.Position(first, 0)), to: document.offsetAt(document.lineAt(last).range.end) };
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const type of this.types) type.dispose();
    this.endNote.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
