/**
 * Small SVG charts built from data by pure functions: the bars of a token's alternatives and the strip of a whole
 * answer. They return a tree of nodes, not markup; the webview turns it into DOM with `createElementNS` and sets
 * every text with `textContent`, so model text never becomes markup. Colours come from CSS classes that the
 * webview's stylesheet maps onto VS Code's theme variables (no style attributes: the CSP forbids inline styles).
 */

export type SvgTag = 'svg' | 'g' | 'rect' | 'text' | 'title' | 'line';

export interface SvgNode {
  readonly tag: SvgTag;
  readonly attrs: Readonly<Record<string, string | number>>;
  /** Set as `textContent`. */
  readonly text?: string;
  readonly children?: readonly SvgNode[];
}

/** One bar of the alternatives chart. */
export interface BarRow {
  /** Already in visible form (whitespace shown); cut to fit. */
  readonly label: string;
  /** "1", "2", …; empty for the others row. */
  readonly rank: string;
  /** Probability before the settings, 0–1 (the faint bar). */
  readonly before: number;
  /** Probability under the settings (the solid bar); `undefined` when cut. */
  readonly after: number | undefined;
  /** "42.00 % → 61.20 %" or "42.00 % → cut by top-p". */
  readonly numbers: string;
  /** "−0.8675" */
  readonly logprob: string;
  readonly chosen: boolean;
  readonly others: boolean;
  /** What a screen reader says for the row. */
  readonly accessibleName: string;
}

export const BAR_ROW_HEIGHT = 24;
/** Width of a character of the editor's monospace font at 12 px, for cutting labels to fit. */
const CHARACTER_WIDTH = 7.3;
const RANK_WIDTH = 26;
const NUMBERS_WIDTH = 172;
const LOGPROB_WIDTH = 64;

/** Horizontal bars, one row per alternative (most likely first), the chosen one marked, "others" last. */
export function barChart(rows: readonly BarRow[], width: number): SvgNode {
  const chartWidth = Math.max(320, Math.round(width));
  const labelWidth = Math.round(Math.min(220, Math.max(72, chartWidth * 0.24)));
  const barsX = RANK_WIDTH + labelWidth + 8;
  const barsWidth = Math.max(40, chartWidth - barsX - NUMBERS_WIDTH - LOGPROB_WIDTH - 16);
  const numbersX = barsX + barsWidth + 8;
  const height = rows.length * BAR_ROW_HEIGHT + 4;
  const children = rows.map((row, i): SvgNode => {
    const y = i * BAR_ROW_HEIGHT + 2;
    const middle = y + BAR_ROW_HEIGHT / 2;
    const classes = ['bar-row', row.chosen ? 'chosen' : '', row.others ? 'others' : '', row.after === undefined ? 'cut' : ''].filter(Boolean).join(' ');
    const parts: SvgNode[] = [
      { tag: 'title', attrs: {}, text: row.accessibleName },
      { tag: 'rect', attrs: { class: 'row-hit', x: 0, y, width: chartWidth, height: BAR_ROW_HEIGHT } },
      { tag: 'text', attrs: { class: 'rank', x: RANK_WIDTH - 6, y: middle, 'text-anchor': 'end', 'dominant-baseline': 'central' }, text: row.chosen ? `▶${row.rank}` : row.rank },
      { tag: 'text', attrs: { class: 'label', x: RANK_WIDTH, y: middle, 'dominant-baseline': 'central' }, text: fitText(row.label, Math.floor(labelWidth / CHARACTER_WIDTH)) },
      { tag: 'rect', attrs: { class: 'bar-track', x: barsX, y: y + 5, width: barsWidth, height: BAR_ROW_HEIGHT - 10 } },
      { tag: 'rect', attrs: { class: 'bar-before', x: barsX, y: y + 5, width: barLength(row.before, barsWidth), height: BAR_ROW_HEIGHT - 10 } },
    ];
    if (row.after !== undefined) {
      parts.push({ tag: 'rect', attrs: { class: 'bar-after', x: barsX, y: y + 8, width: barLength(row.after, barsWidth), height: BAR_ROW_HEIGHT - 16 } });
    }
    parts.push(
      { tag: 'text', attrs: { class: 'numbers', x: numbersX, y: middle, 'dominant-baseline': 'central' }, text: row.numbers },
      { tag: 'text', attrs: { class: 'logprob', x: chartWidth - 4, y: middle, 'text-anchor': 'end', 'dominant-baseline': 'central' }, text: row.logprob },
    );
    return { tag: 'g', attrs: { class: classes, role: 'listitem', 'aria-label': row.accessibleName }, children: parts };
  });
  return {
    tag: 'svg',
    attrs: { class: 'bar-chart', width: chartWidth, height, viewBox: `0 0 ${chartWidth} ${height}`, role: 'list', 'aria-label': 'Alternatives at this position' },
    children,
  };
}

/** Bar length for a probability: at least a hairline for anything above 0, so a tiny probability still shows. */
function barLength(probability: number, full: number): number {
  const clamped = Math.min(1, Math.max(0, probability));
  return clamped === 0 ? 0 : Math.max(1, Math.round(clamped * full * 10) / 10);
}

/** Text cut to `max` characters (code points), with an ellipsis when cut. */
export function fitText(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** How the strip lays out an answer: one mark per placement, or per run of placements when they do not fit. */
export interface StripLayout {
  readonly count: number;
  readonly width: number;
  readonly height: number;
  /** Placements per mark (1 when each has its own). */
  readonly perMark: number;
  readonly marks: number;
  readonly markWidth: number;
}

/** Narrowest mark the strip draws: below it, placements share marks. */
const MIN_MARK_WIDTH = 2;
/** Widest mark: a short answer makes a short strip rather than a few wide blocks. */
const MAX_MARK_WIDTH = 12;

export function stripLayout(count: number, width: number, height = 32): StripLayout {
  const available = Math.max(100, Math.round(width));
  const perMark = Math.max(1, Math.ceil(count * MIN_MARK_WIDTH / available));
  const marks = Math.ceil(count / perMark);
  const markWidth = marks > 0 ? Math.min(MAX_MARK_WIDTH, available / marks) : MAX_MARK_WIDTH;
  return { count, width: marks > 0 ? Math.round(marks * markWidth * 100) / 100 : available, height, perMark, marks, markWidth };
}

/** The placement a mark stands for: the least certain of its run (the first of them on a tie). */
export function placementOfMark(buckets: readonly number[], layout: StripLayout, mark: number): number {
  const from = Math.min(Math.max(0, mark), layout.marks - 1) * layout.perMark;
  const to = Math.min(layout.count, from + layout.perMark);
  let worst = from;
  for (let i = from + 1; i < to; i++) if (buckets[i]! < buckets[worst]!) worst = i;
  return worst;
}

/** The mark under an x coordinate of the strip. */
export function markAt(x: number, layout: StripLayout): number {
  return Math.min(layout.marks - 1, Math.max(0, Math.floor(x / layout.markWidth)));
}

export function markOf(placement: number, layout: StripLayout): number {
  return Math.floor(placement / layout.perMark);
}

/** Bucket of a placement with no value (`NO_BUCKET` in answer.ts). */
const NO_VALUE = 255;

/**
 * The answer as a strip of marks in text order: each mark's height grows as its bucket falls (bucket 0, the most
 * worth reviewing, is full height) and its class names the bucket for the colour. `current` (the cursor) and
 * `focused` (the keyboard's mark) are outlined.
 */
export function answerStrip(buckets: readonly number[], layout: StripLayout, current: number, focused: number): SvgNode {
  const { height, markWidth } = layout;
  const gap = markWidth >= 4 ? 1 : 0;
  const marks: SvgNode[] = [];
  for (let mark = 0; mark < layout.marks; mark++) {
    const bucket = buckets[placementOfMark(buckets, layout, mark)]!;
    const x = mark * markWidth;
    const markHeight = bucket === NO_VALUE ? 2 : Math.round(height * (0.2 + 0.8 * (9 - bucket) / 9));
    marks.push({
      tag: 'rect',
      attrs: { class: bucket === NO_VALUE ? 'mark none' : `mark bucket-${bucket}`, x: round(x), y: height - markHeight, width: round(Math.max(1, markWidth - gap)), height: markHeight },
    });
  }
  return {
    tag: 'svg',
    attrs: { class: 'strip', width: layout.width, height, viewBox: `0 0 ${layout.width} ${height}`, 'aria-hidden': 'true' },
    children: [...marks, ...stripOutlines(layout, current, focused)],
  };
}

/** The outlines of the cursor's mark and the keyboard's, the strip's last children: a cursor move redraws only these. */
export function stripOutlines(layout: StripLayout, current: number, focused: number): SvgNode[] {
  const { height, markWidth } = layout;
  const outline = (placement: number, className: string): SvgNode[] => (placement < 0 || placement >= layout.count ? [] : [{
    tag: 'rect',
    attrs: { class: className, x: round(markOf(placement, layout) * markWidth), y: 0.5, width: round(Math.max(2, markWidth)), height: height - 1 },
  }]);
  return [...outline(current, 'strip-current'), ...outline(focused, 'strip-focus')];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
