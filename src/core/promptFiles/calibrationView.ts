import type { SvgNode } from '../charts';
import { formatPercent } from '../format';
import type { CalibrationReport, RunCalibration } from './calibration';
import { compareCalibration, ROUGH_BELOW } from './calibration';
import { binRange, confidenceHistogram, reliabilityDiagram } from './calibrationCharts';

/**
 * What the calibration view shows for one or two runs of a prompt file (before and after a prompt change), as
 * plain data: texts, table rows and chart trees. The page only puts it on screen (textContent, renderSvg), so it
 * is computed and tested here, and it is also the page's saved state across a reload.
 */

export interface CalibrationRunInput {
  /** “before”, “after”, or “this run” when there is one. */
  readonly name: string;
  /** When it ran and with which model, as shown. */
  readonly caption: string;
  readonly calibration: RunCalibration;
}

export interface CalibrationViewInput {
  readonly title: string;
  /** The prompt file's URI, to find its runs again after a reload. */
  readonly fileUri: string;
  /** The file as shown (a workspace-relative path). */
  readonly fileLabel: string;
  /** Oldest first: one run, or two side by side. */
  readonly runs: readonly CalibrationRunInput[];
}

/** One figure across the runs; `change` and `verdict` only for two runs. */
export interface MetricRow {
  readonly name: string;
  /** What it measures and which way is better. */
  readonly hint: string;
  readonly values: readonly string[];
  readonly change?: string;
  readonly verdict?: 'better' | 'worse' | 'same';
}

export interface BinRow {
  readonly range: string;
  readonly count: string;
  readonly correct: string;
  readonly accuracy: string;
  readonly confidence: string;
}

export interface CalibrationRunView {
  readonly name: string;
  readonly caption: string;
  readonly labels: string;
  /** “Rough estimate: 8 labelled cases (under 30).”, when it is one. */
  readonly rough?: string;
  readonly reliability: SvgNode;
  readonly histogram: SvgNode;
  readonly bins: readonly BinRow[];
  /** Cases left out and why, one line. */
  readonly excluded?: string;
}

export interface CalibrationView {
  readonly title: string;
  readonly fileUri: string;
  readonly fileLabel: string;
  readonly metrics: readonly MetricRow[];
  readonly runs: readonly CalibrationRunView[];
  /** Two runs: which cases the change fixed or broke. */
  readonly comparison?: string;
}

interface MetricSpec {
  readonly name: string;
  readonly hint: string;
  readonly value: (report: CalibrationReport) => number | undefined;
  readonly format: (value: number) => string;
  /** Which way is better; `undefined` when neither is. */
  readonly better?: 'higher' | 'lower';
}

const decimals = (value: number): string => value.toFixed(3);

const METRICS: readonly MetricSpec[] = [
  { name: 'Labelled cases', hint: 'cases with an expected label and a label among the alternatives', value: (report) => report.count, format: String },
  { name: 'Accuracy', hint: 'share of cases whose most likely label is the expected one; higher is better', value: (report) => report.accuracy, format: formatPercent, better: 'higher' },
  { name: 'Mean confidence', hint: 'mean probability of the predicted label; compare it with the accuracy', value: (report) => report.meanConfidence, format: formatPercent },
  { name: 'Log loss', hint: 'mean of −ln p(expected label); lower is better', value: (report) => report.logLoss, format: decimals, better: 'lower' },
  { name: 'Brier score', hint: 'mean squared distance to the expected label over all labels, 0 to 2; lower is better', value: (report) => report.brier, format: decimals, better: 'lower' },
  { name: 'Brier score (binary)', hint: 'two labels: (p − y)² on one label, 0 to 1; lower is better', value: (report) => report.brierBinary, format: decimals, better: 'lower' },
  { name: 'Expected calibration error', hint: 'weighted mean gap between accuracy and confidence over 10 bins; lower is better', value: (report) => report.expectedCalibrationError, format: decimals, better: 'lower' },
  { name: 'Largest bin gap', hint: 'the worst bin’s gap between accuracy and confidence (MCE); lower is better', value: (report) => report.maxCalibrationError, format: decimals, better: 'lower' },
];

/** Differences smaller than this are shown as no change (the figures are shown to three decimals). */
const SAME = 0.0005;

export function calibrationView(input: CalibrationViewInput): CalibrationView {
  const reports = input.runs.map((run) => run.calibration.report);
  const pair = reports.length === 2 ? [reports[0]!, reports[1]!] as const : undefined;
  const metrics = METRICS.filter((spec) => reports.some((report) => spec.value(report) !== undefined)).map((spec) => metricRow(spec, reports, pair));
  const comparison = pair ? compareCalibration(pair[0], pair[1]) : undefined;
  return {
    title: input.title,
    fileUri: input.fileUri,
    fileLabel: input.fileLabel,
    metrics,
    runs: input.runs.map(runView),
    ...(comparison ? { comparison: `${comparison.cases.length} cases in both runs: ${comparison.fixed} fixed (wrong before, right after), ${comparison.broken} broken (right before, wrong after).` } : {}),
  };
}

function metricRow(spec: MetricSpec, reports: readonly CalibrationReport[], pair: readonly [CalibrationReport, CalibrationReport] | undefined): MetricRow {
  const values = reports.map((report) => {
    const value = spec.value(report);
    return value === undefined ? 'n/a' : spec.format(value);
  });
  const row: MetricRow = { name: spec.name, hint: spec.hint, values };
  const before = pair ? spec.value(pair[0]) : undefined;
  const after = pair ? spec.value(pair[1]) : undefined;
  if (before === undefined || after === undefined) return row;
  const delta = after - before;
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  const change = spec.format === formatPercent ? `${sign}${(Math.abs(delta) * 100).toFixed(2)} points` : `${sign}${spec.format(Math.abs(delta))}`;
  if (!spec.better) return { ...row, change };
  const verdict = Math.abs(delta) < SAME ? 'same' : (delta > 0) === (spec.better === 'higher') ? 'better' : 'worse';
  return { ...row, change, verdict };
}

function runView(run: CalibrationRunInput): CalibrationRunView {
  const { report, excluded } = run.calibration;
  const left = excluded.map((item) => `case ${item.caseIndex + 1} (${item.reason})`);
  return {
    name: run.name,
    caption: run.caption,
    labels: report.labels.join(', '),
    ...(report.rough ? { rough: `Rough estimate: ${report.count} labelled ${report.count === 1 ? 'case' : 'cases'} (under ${ROUGH_BELOW}).` } : {}),
    reliability: reliabilityDiagram(report),
    histogram: confidenceHistogram(report),
    bins: report.bins.map((bin) => ({
      range: binRange(bin),
      count: String(bin.count),
      correct: String(bin.correct),
      accuracy: bin.accuracy === undefined ? '–' : formatPercent(bin.accuracy),
      confidence: bin.meanConfidence === undefined ? '–' : formatPercent(bin.meanConfidence),
    })),
    ...(left.length > 0 ? { excluded: `Left out: ${left.join(', ')}.` } : {}),
  };
}
