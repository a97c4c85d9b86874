import type { SvgNode } from '../charts';
import { formatPercent } from '../format';
import type { CalibrationBin, CalibrationReport } from './calibration';

/**
 * The calibration view's two charts as SVG node trees (see core/charts.ts: the webview turns them into DOM, text
 * through `textContent`, colours through CSS classes mapped onto theme variables):
 * - the reliability diagram: per non-empty confidence bin, a bar as high as the bin's accuracy, the gap up (or
 *   down) to its mean confidence shaded, and its case count above it; the diagonal is perfect calibration
 *   (Guo et al. 2017, “On Calibration of Modern Neural Networks”, figure 1, with the bin's mean confidence where
 *   they use its midpoint);
 * - the confidence histogram: cases per bin, right answers below and wrong ones stacked on them.
 * Both are square plots of the same size, so two runs side by side compare at a glance.
 */

export const CHART_SIZE = 280;
const MARGIN = { left: 40, right: 10, top: 14, bottom: 38 };
const PLOT = CHART_SIZE - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = CHART_SIZE - MARGIN.top - MARGIN.bottom;
const BAR_GAP = 2;

const x = (value: number): number => round(MARGIN.left + value * PLOT);
const y = (value: number, max = 1): number => round(MARGIN.top + PLOT_HEIGHT * (1 - value / max));

export function reliabilityDiagram(report: CalibrationReport): SvgNode {
  const bars = report.bins.filter((bin) => bin.count > 0).map((bin): SvgNode => {
    const accuracy = bin.accuracy!;
    const confidence = bin.meanConfidence!;
    const left = x(bin.lower) + BAR_GAP / 2;
    const width = round(x(bin.upper) - x(bin.lower) - BAR_GAP);
    const top = Math.min(accuracy, confidence);
    const label = `${binRange(bin)}: ${cases(bin.count)}, accuracy ${formatPercent(accuracy)}, mean confidence ${formatPercent(confidence)}`;
    return {
      tag: 'g', attrs: { class: 'bin', role: 'listitem', 'aria-label': label },
      children: [
        { tag: 'title', attrs: {}, text: label },
        { tag: 'rect', attrs: { class: 'accuracy', x: left, y: y(accuracy), width, height: round(y(0) - y(accuracy)) } },
        { tag: 'rect', attrs: { class: confidence > accuracy ? 'gap over' : 'gap under', x: left, y: y(Math.max(accuracy, confidence)), width, height: round(y(top) - y(Math.max(accuracy, confidence))) } },
        { tag: 'text', attrs: { class: 'count', x: round(left + width / 2), y: y(Math.max(accuracy, confidence)) - 3, 'text-anchor': 'middle' }, text: String(bin.count) },
      ],
    };
  });
  return chart('reliability', `Reliability diagram: accuracy against confidence in ${report.bins.length} bins; ${describeGap(report)}`, 'confidence', 'accuracy', 1, [
    { tag: 'line', attrs: { class: 'diagonal', x1: x(0), y1: y(0), x2: x(1), y2: y(1) } },
    { tag: 'g', attrs: { role: 'list', 'aria-label': 'Non-empty bins' }, children: bars },
  ]);
}

export function confidenceHistogram(report: CalibrationReport): SvgNode {
  const max = niceMax(Math.max(1, ...report.bins.map((bin) => bin.count)));
  const bars = report.bins.filter((bin) => bin.count > 0).map((bin): SvgNode => {
    const left = x(bin.lower) + BAR_GAP / 2;
    const width = round(x(bin.upper) - x(bin.lower) - BAR_GAP);
    const wrong = bin.count - bin.correct;
    const label = `${binRange(bin)}: ${cases(bin.count)}, ${bin.correct} right, ${wrong} wrong`;
    return {
      tag: 'g', attrs: { class: 'bin', role: 'listitem', 'aria-label': label },
      children: [
        { tag: 'title', attrs: {}, text: label },
        { tag: 'rect', attrs: { class: 'right', x: left, y: y(bin.correct, max), width, height: round(y(0, max) - y(bin.correct, max)) } },
        { tag: 'rect', attrs: { class: 'wrong', x: left, y: y(bin.count, max), width, height: round(y(bin.correct, max) - y(bin.count, max)) } },
        { tag: 'text', attrs: { class: 'count', x: round(left + width / 2), y: y(bin.count, max) - 3, 'text-anchor': 'middle' }, text: String(bin.count) },
      ],
    };
  });
  return chart('histogram', `Confidence histogram: ${cases(report.count)} in ${report.bins.length} bins, right below, wrong above`, 'confidence', 'cases', max, [
    { tag: 'g', attrs: { role: 'list', 'aria-label': 'Non-empty bins' }, children: bars },
  ]);
}

/** The frame both charts share: axes from 0 to 1 (and 0 to `yMax`), ticks, grid, axis titles. */
function chart(kind: string, label: string, xTitle: string, yTitle: string, yMax: number, content: readonly SvgNode[]): SvgNode {
  const ticks = [0, 0.5, 1];
  const frame: SvgNode[] = [
    { tag: 'title', attrs: {}, text: label },
    ...ticks.map((tick): SvgNode => ({ tag: 'line', attrs: { class: 'grid', x1: x(0), y1: y(tick), x2: x(1), y2: y(tick) } })),
    { tag: 'line', attrs: { class: 'axis', x1: x(0), y1: y(0), x2: x(1), y2: y(0) } },
    { tag: 'line', attrs: { class: 'axis', x1: x(0), y1: y(0), x2: x(0), y2: y(1) } },
    ...ticks.map((tick): SvgNode => ({ tag: 'text', attrs: { class: 'tick', x: x(tick), y: y(0) + 14, 'text-anchor': 'middle' }, text: String(tick) })),
    ...ticks.map((tick): SvgNode => ({ tag: 'text', attrs: { class: 'tick', x: x(0) - 5, y: y(tick) + 4, 'text-anchor': 'end' }, text: tickText(tick * yMax) })),
    { tag: 'text', attrs: { class: 'axis-title', x: x(0.5), y: CHART_SIZE - 6, 'text-anchor': 'middle' }, text: xTitle },
    { tag: 'text', attrs: { class: 'axis-title', x: 12, y: y(0.5), 'text-anchor': 'middle', transform: `rotate(-90 12 ${y(0.5)})` }, text: yTitle },
  ];
  return {
    tag: 'svg',
    attrs: { class: `calibration-chart ${kind}`, width: CHART_SIZE, height: CHART_SIZE, viewBox: `0 0 ${CHART_SIZE} ${CHART_SIZE}`, role: 'img', 'aria-label': label },
    children: [...frame, ...content],
  };
}

/** “0.9–1.0” */
export function binRange(bin: Pick<CalibrationBin, 'lower' | 'upper'>): string {
  return `${bin.lower.toFixed(1)}–${bin.upper.toFixed(1)}`;
}

function describeGap(report: CalibrationReport): string {
  const over = report.meanConfidence - report.accuracy;
  if (Math.abs(over) < 0.005) return 'confidence matches accuracy on average';
  return `on average ${over > 0 ? 'over' : 'under'}confident by ${formatPercent(Math.abs(over))}`;
}

function cases(count: number): string {
  return `${count} ${count === 1 ? 'case' : 'cases'}`;
}

/** The histogram's top: the count rounded up to an even number, so the middle tick is a whole number. */
function niceMax(count: number): number {
  return count <= 1 ? 2 : count + (count % 2);
}

function tickText(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
