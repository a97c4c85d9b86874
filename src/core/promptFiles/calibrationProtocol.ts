import type { SvgNode, SvgTag } from '../charts';
import type { BinRow, CalibrationRunView, CalibrationView, MetricRow } from './calibrationView';

/**
 * The messages between the extension and the calibration view, both ways, and their strict validators: nothing
 * either side receives is used before it reads as exactly one of these shapes (labels and file names in it come
 * from a repository and a model). The validators never throw.
 */

/** Extension → page. */
export type CalibrationHostMessage = { readonly kind: 'show'; readonly view: CalibrationView };

/** Page → extension. */
export type CalibrationPageMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'export'; readonly format: 'csv' | 'json' };

export function parseCalibrationPageMessage(value: unknown): CalibrationPageMessage | undefined {
  const message = asRecord(value);
  if (!message) return undefined;
  if (message.kind === 'ready' && Object.keys(message).length === 1) return { kind: 'ready' };
  if (message.kind === 'export' && (message.format === 'csv' || message.format === 'json') && Object.keys(message).length === 2) return { kind: 'export', format: message.format };
  return undefined;
}

export function parseCalibrationHostMessage(value: unknown): CalibrationHostMessage | undefined {
  const message = asRecord(value);
  if (message?.kind !== 'show') return undefined;
  const view = parseCalibrationView(message.view);
  return view ? { kind: 'show', view } : undefined;
}

/** A view as the page saved it (its state across a reload) or as the extension sent it. */
export function parseCalibrationView(value: unknown): CalibrationView | undefined {
  const view = asRecord(value);
  if (!view || !isText(view.title) || !isText(view.fileUri) || !isText(view.fileLabel)) return undefined;
  const metrics = listOf(view.metrics, parseMetric, 20);
  const runs = listOf(view.runs, parseRun, 2);
  if (!metrics || !runs || runs.length === 0 || !optionalText(view.comparison)) return undefined;
  if (metrics.some((metric) => metric.values.length !== runs.length)) return undefined;
  return { title: view.title, fileUri: view.fileUri, fileLabel: view.fileLabel, metrics, runs, ...(isText(view.comparison) ? { comparison: view.comparison } : {}) };
}

function parseMetric(value: unknown): MetricRow | undefined {
  const row = asRecord(value);
  if (!row || !isText(row.name) || !isText(row.hint) || !optionalText(row.change)) return undefined;
  const values = listOf(row.values, (item) => (isText(item) ? item : undefined), 2);
  const verdict = row.verdict;
  if (!values || (verdict !== undefined && verdict !== 'better' && verdict !== 'worse' && verdict !== 'same')) return undefined;
  return { name: row.name, hint: row.hint, values, ...(isText(row.change) ? { change: row.change } : {}), ...(verdict !== undefined ? { verdict } : {}) };
}

function parseRun(value: unknown): CalibrationRunView | undefined {
  const run = asRecord(value);
  if (!run || !isText(run.name) || !isText(run.caption) || !isText(run.labels) || !optionalText(run.rough) || !optionalText(run.excluded)) return undefined;
  const reliability = parseSvg(run.reliability, 0);
  const histogram = parseSvg(run.histogram, 0);
  const bins = listOf(run.bins, parseBin, 10);
  if (!reliability || !histogram || !bins) return undefined;
  return {
    name: run.name, caption: run.caption, labels: run.labels, reliability, histogram, bins,
    ...(isText(run.rough) ? { rough: run.rough } : {}),
    ...(isText(run.excluded) ? { excluded: run.excluded } : {}),
  };
}

function parseBin(value: unknown): BinRow | undefined {
  const bin = asRecord(value);
  if (!bin) return undefined;
  const { range, count, correct, accuracy, confidence } = bin;
  return isText(range) && isText(count) && isText(correct) && isText(accuracy) && isText(confidence) ? { range, count, correct, accuracy, confidence } : undefined;
}

const SVG_TAGS: ReadonlySet<SvgTag> = new Set<SvgTag>(['svg', 'g', 'rect', 'text', 'title', 'line']);
/** Presentation attributes only: no event handlers (`on…`), no `href`, no `style` (the CSP forbids inline styles anyway). */
const SVG_ATTRIBUTE = /^(?!on)(?!href$)(?!style$)[a-z][a-z0-9-]*$/i;
const MAX_SVG_DEPTH = 6;
const MAX_SVG_CHILDREN = 64;

/** A chart tree: known tags, plain attributes with text or finite number values, text only as text. */
export function parseSvg(value: unknown, depth: number): SvgNode | undefined {
  const node = asRecord(value);
  if (!node || depth > MAX_SVG_DEPTH || !SVG_TAGS.has(node.tag as SvgTag) || !optionalText(node.text)) return undefined;
  const attrs = asRecord(node.attrs);
  if (!attrs) return undefined;
  for (const [name, attribute] of Object.entries(attrs)) {
    if (!SVG_ATTRIBUTE.test(name) || !(isText(attribute) || (typeof attribute === 'number' && Number.isFinite(attribute)))) return undefined;
  }
  const children = node.children === undefined ? [] : listOf(node.children, (child) => parseSvg(child, depth + 1), MAX_SVG_CHILDREN);
  if (!children) return undefined;
  return {
    tag: node.tag as SvgTag, attrs: attrs as Record<string, string | number>,
    ...(isText(node.text) ? { text: node.text } : {}),
    ...(children.length > 0 ? { children } : {}),
  };
}

const MAX_TEXT = 10_000;

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TEXT;
}

function optionalText(value: unknown): boolean {
  return value === undefined || isText(value);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}

function listOf<T>(value: unknown, parse: (item: unknown) => T | undefined, max: number): T[] | undefined {
  if (!Array.isArray(value) || value.length > max) return undefined;
  const parsed: T[] = [];
  for (const item of value) {
    const each = parse(item);
    if (each === undefined) return undefined;
    parsed.push(each);
  }
  return parsed;
}
