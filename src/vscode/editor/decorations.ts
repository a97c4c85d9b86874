import * as vscode from 'vscode';
import { BUCKET_COUNT } from '../../core/buckets';
import type { RunState } from '../../core/runOutcome';
import { Disposable } from '../lifetime';
import type { SettingsService } from '../settings';
import type { AnswerTracker } from './answerTracker';
import type { TrackedAnswer } from './trackedAnswer';

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
 * An answer's ranges per bucket, converted once: while an answer streams, each flush converts only the spans
 * that arrived since the last one. Any edit that moves placements (or a recolouring) changes the answer's
 * layout version, and the cache starts over.
 */
interface RangeCache {
  version: number;
  resumeAt: number;
  readonly final: vscode.Range[][];
}

/**
 * One decoration type per confidence bucket, created once and coloured by theme colours, so a theme can
 * restyle them. Each render is one `setDecorations(type, Range[])` per bucket with adjacent tokens merged, and,
 * with `logprobLens.gutterMarks`, one for the gutter mark on each line holding an uncertain token.
 */
export class ConfidenceDecorations extends Disposable {
  private readonly types: vscode.TextEditorDecorationType[];
  private readonly endNote = this.register(vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorWarning.foreground'), margin: '0 0 0 1.5ch', fontStyle: 'italic' },
  }));
  /** A diamond, not a dot: a red dot in the glyph margin is a breakpoint. */
  private readonly gutter: vscode.TextEditorDecorationType;
  /** A branch's forced token, outlined over its confidence colour: chosen by the user, not sampled. */
  private readonly chosen = this.register(vscode.window.createTextEditorDecorationType({
    outlineColor: new vscode.ThemeColor('logprobLens.chosenToken'), outlineStyle: 'solid', outlineWidth: '1px', borderRadius: '2px',
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  }));
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly lastRender = new Map<string, number>();
  /** Documents that may have decorations on screen, so clearing them is not skipped. */
  private readonly drawn = new Set<string>();
  private readonly caches = new WeakMap<TrackedAnswer, RangeCache>();
  private shown = true;
  /** How long renders take in the extension host (for the benchmark and the log). */
  readonly renderStats = { count: 0, totalMs: 0, maxMs: 0, lastMs: 0, recentMs: [] as number[] };
  /** Editors drawn by viewport, with the line range they were drawn for. */
  private readonly windows = new WeakMap<vscode.TextEditor, { first: number; last: number }>();

  constructor(private readonly tracker: AnswerTracker, private readonly settings: SettingsService, extensionUri: vscode.Uri) {
    super();
    this.gutter = this.register(vscode.window.createTextEditorDecorationType({
      gutterIconSize: 'contain',
      dark: { gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'uncertain-dark.svg') },
      light: { gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'uncertain-light.svg') },
    }));
    this.types = Array.from({ length: BUCKET_COUNT }, (_, bucket) => this.register(vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor(`logprobLens.confidence${bucket}`),
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      // Only the least certain bucket marks the overview ruler: painting every token there is costly and noisy.
      ...(bucket === 0 ? { overviewRulerColor: new vscode.ThemeColor('logprobLens.uncertainRuler'), overviewRulerLane: vscode.OverviewRulerLane.Right } : {}),
    })));
    this.register(tracker.onDidChange((document) => this.schedule(document)));
    this.register(settings.onDidChange(({ before, after }) => {
      if (before.gutterMarks !== after.gutterMarks || (after.gutterMarks && before.uncertainThreshold !== after.uncertainThreshold)) this.renderAll();
    }));
    this.register(vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.render(editor))));
    this.register(vscode.window.onDidChangeTextEditorVisibleRanges(({ textEditor, visibleRanges }) => {
      const drawn = this.windows.get(textEditor);
      const first = visibleRanges[0]?.start.line ?? 0;
      const last = visibleRanges.at(-1)?.end.line ?? 0;
      // Redraw only when the viewport nears the edge of what was drawn.
      if (drawn && (first < drawn.first + VIEWPORT_MARGIN_LINES / 3 || last > drawn.last - VIEWPORT_MARGIN_LINES / 3)) this.render(textEditor);
    }));
    this.register({ dispose: () => this.timers.forEach((timer) => clearTimeout(timer)) });
  }

  get visible(): boolean {
    return this.shown;
  }

  set visible(shown: boolean) {
    this.shown = shown;
    this.renderAll();
  }

  private renderAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.render(editor);
  }

  /** Redraws a document's editors now, or at the next flush if one happened less than 50 ms ago. */
  schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    if (this.timers.has(key) || this.isDisposed) return;
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
    const stats = this.renderStats;
    stats.count++;
    stats.totalMs += elapsed;
    stats.lastMs = elapsed;
    stats.maxMs = Math.max(stats.maxMs, elapsed);
    stats.recentMs.push(elapsed);
    if (stats.recentMs.length > 1000) stats.recentMs.shift();
  }

  private draw(editor: vscode.TextEditor): void {
    const key = editor.document.uri.toString();
    const answers = this.shown ? this.tracker.answers(editor.document) : [];
    if (answers.length === 0 && !this.drawn.has(key)) return; // nothing of ours to draw or to clear
    if (answers.length > 0) this.drawn.add(key);
    else this.drawn.delete(key);
    const byBucket: vscode.Range[][] = Array.from({ length: BUCKET_COUNT }, () => []);
    for (const tracked of answers) this.appendRanges(editor.document, tracked, byBucket);
    const window = this.viewportWindow(editor, byBucket);
    this.types.forEach((type, bucket) => {
      const ranges = byBucket[bucket]!;
      editor.setDecorations(type, window && bucket > 0 ? ranges.filter((range) => range.end.line >= window.first && range.start.line <= window.last) : ranges);
    });
    const notes: vscode.DecorationOptions[] = [];
    for (const tracked of answers) {
      const note = END_NOTES[tracked.state];
      if (!note) continue;
      const end = editor.document.positionAt(tracked.answer.end);
      notes.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: note } } });
    }
    editor.setDecorations(this.endNote, notes);
    const marked = this.settings.current.gutterMarks ? answers.flatMap((tracked) => this.uncertainLines(editor.document, tracked)) : [];
    editor.setDecorations(this.gutter, window ? marked.filter((range) => range.start.line >= window.first && range.start.line <= window.last) : marked);
    editor.setDecorations(this.chosen, answers.flatMap((tracked) => chosenRange(editor.document, tracked) ?? []));
  }

  /** The lines holding an uncertain token of the answer (one range each, at the line's start). */
  private uncertainLines(document: vscode.TextDocument, { answer }: TrackedAnswer): vscode.Range[] {
    const lines: vscode.Range[] = [];
    let last = -1;
    for (const placement of answer.uncertainPlacements(this.settings.current.uncertainThreshold)) {
      const { start, end } = answer.store.placement(placement);
      if (end > answer.length) break; // its text is not in the document yet
      const line = document.positionAt(answer.start + start).line;
      if (line !== last) lines.push(new vscode.Range(line, 0, line, 0));
      last = line;
    }
    return lines;
  }

  /** Adds an answer's ranges per bucket, converting only the spans that are new since the last draw. */
  private appendRanges(document: vscode.TextDocument, tracked: TrackedAnswer, into: vscode.Range[][]): void {
    const { answer } = tracked;
    let cache = this.caches.get(tracked);
    if (!cache || cache.version !== answer.layoutVersion) {
      cache = { version: answer.layoutVersion, resumeAt: 0, final: Array.from({ length: BUCKET_COUNT }, () => []) };
      this.caches.set(tracked, cache);
    }
    const fresh: number[][] = Array.from({ length: BUCKET_COUNT }, () => []);
    const { lastBucket, resumeAt } = answer.spansFrom(cache.resumeAt, fresh);
    const toRange = (flat: number[], i: number): vscode.Range => new vscode.Range(document.positionAt(flat[i]!), document.positionAt(flat[i + 1]!));
    fresh.forEach((flat, bucket) => {
      // The last span may still grow: it is converted for this draw only, the others once and for all.
      const finalPairs = bucket === lastBucket ? flat.length - 2 : flat.length;
      for (let i = 0; i < finalPairs; i += 2) cache.final[bucket]!.push(toRange(flat, i));
    });
    cache.resumeAt = resumeAt;
    cache.final.forEach((ranges, bucket) => {
      const target = into[bucket]!;
      for (const range of ranges) target.push(range);
    });
    const open = lastBucket >= 0 ? fresh[lastBucket]! : [];
    if (open.length > 0) into[lastBucket]!.push(toRange(open, open.length - 2));
  }

  /** The lines to draw for a large answer (undefined: draw everything). */
  private viewportWindow(editor: vscode.TextEditor, byBucket: readonly vscode.Range[][]): { first: number; last: number } | undefined {
    const total = byBucket.reduce((sum, ranges) => sum + ranges.length, 0);
    if (total <= VIEWPORT_THRESHOLD || editor.visibleRanges.length === 0) {
      this.windows.delete(editor);
      return undefined;
    }
    const first = Math.max(0, editor.visibleRanges[0]!.start.line - VIEWPORT_MARGIN_LINES);
    const last = Math.min(editor.document.lineCount - 1, editor.visibleRanges.at(-1)!.end.line + VIEWPORT_MARGIN_LINES);
    const window = { first, last };
    this.windows.set(editor, window);
    return window;
  }
}

/** Where a branch's forced token is, while it is as inserted. */
function chosenRange(document: vscode.TextDocument, tracked: TrackedAnswer): vscode.Range | undefined {
  const { answer, chosenToken } = tracked;
  const placement = chosenToken === undefined ? -1 : answer.store.placementOfToken(chosenToken);
  if (placement < 0 || !answer.store.isValid(placement)) return undefined;
  const { start, end } = answer.store.placement(placement);
  return end <= answer.length ? new vscode.Range(document.positionAt(answer.start + start), document.positionAt(answer.start + end)) : undefined;
}
