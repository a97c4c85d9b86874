import type { CalibrationReport } from './calibration';
import { BIN_COUNT, compareCalibration } from './calibration';

/**
 * The calibration figures of one or more runs as files: CSV in one tidy table (`run, section, item, metric,
 * value`, one figure per row, so two runs stack and any spreadsheet pivots them) and JSON (the whole report, with
 * the definitions it was computed with, and the before/after deltas when there are exactly two runs).
 */

export interface NamedReport {
  /** How the run is named in the export (“before”, “after”, a time). */
  readonly run: string;
  readonly report: CalibrationReport;
}

type Cell = string | number | boolean | undefined;

export function calibrationCsv(runs: readonly NamedReport[]): string {
  const rows: Cell[][] = [['run', 'section', 'item', 'metric', 'value']];
  for (const { run, report } of runs) {
    const summary: [string, Cell][] = [
      ['cases', report.count], ['correct', report.correct], ['accuracy', report.accuracy], ['mean_confidence', report.meanConfidence],
      ['log_loss', report.logLoss], ['brier', report.brier], ['brier_binary', report.brierBinary],
      ['expected_calibration_error', report.expectedCalibrationError], ['max_calibration_error', report.maxCalibrationError],
      ['log_loss_epsilon', report.epsilon], ['bins', BIN_COUNT], ['rough_estimate', report.rough],
    ];
    for (const [metric, value] of summary) rows.push([run, 'summary', '', metric, value]);
    for (const bin of report.bins) {
      const item = `${bin.lower.toFixed(1)}-${bin.upper.toFixed(1)}`;
      for (const [metric, value] of [['count', bin.count], ['correct', bin.correct], ['mean_confidence', bin.meanConfidence], ['accuracy', bin.accuracy]] as const) {
        rows.push([run, 'bin', item, metric, value]);
      }
    }
    for (const point of report.points) {
      const item = String(point.caseIndex + 1);
      rows.push([run, 'case', item, 'expected', report.labels[point.truth]], [run, 'case', item, 'predicted', report.labels[point.predicted]],
        [run, 'case', item, 'confidence', point.confidence], [run, 'case', item, 'correct', point.correct]);
    }
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula (starting with = + - @, a tab or
 * a carriage return) gets a leading apostrophe: labels come from the prompt file and the model.
 */
function csvCell(value: Cell): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function calibrationJson(runs: readonly NamedReport[]): string {
  const [first, second] = runs;
  const comparison = runs.length === 2 ? compareCalibration(first!.report, second!.report) : undefined;
  return JSON.stringify({
    format: 'logprob-lens/calibration',
    version: 1,
    definitions: {
      confidence: 'probability of the predicted (most likely) label, renormalised over the labels',
      logLoss: 'mean of -ln(max(epsilon, p(expected label)))',
      brier: 'mean over cases of sum over labels of (p - onehot)^2, 0 to 2',
      brierBinary: 'two labels only: brier / 2, 0 to 1',
      expectedCalibrationError: `${BIN_COUNT} equal-width confidence bins, sum of (bin count / cases) * |accuracy - mean confidence|`,
    },
    runs: runs.map(({ run, report }) => ({
      run,
      ...report,
      points: report.points.map((point) => ({ ...point, case: point.caseIndex + 1, expectedLabel: report.labels[point.truth], predictedLabel: report.labels[point.predicted] })),
    })),
    ...(comparison ? { comparison: { before: first!.run, after: second!.run, delta: comparison.delta, fixed: comparison.fixed, broken: comparison.broken } } : {}),
  }, null, 2);
}
