import type { LabelDistribution } from './labels';
import { sameLabel } from './labels';
import type { CaseOutcome } from './outcome';

/**
 * Whether a classifier's confidence can be trusted, over a prompt file's labelled cases. Each case brings a
 * probability per label (renormalised over the labels) and the index of its expected label. Definitions (also in
 * docs/prompt-files.md):
 * - predicted label: the most likely one (the first label wins a tie); confidence: its probability;
 * - accuracy: share of cases whose predicted label is the expected one;
 * - log loss: mean of −ln p(expected label), natural log, p raised to at least LOG_LOSS_EPSILON first;
 * - Brier score: mean over cases of Σ_k (p_k − y_k)², y the one-hot expected label (Brier 1950's multi-class form,
 *   0 best, 2 worst); with two labels also the familiar binary form, (p − y)² on one label, exactly half of it;
 * - expected calibration error: 10 equal-width confidence bins [0, 0.1), …, [0.9, 1.0] (1.0 in the last),
 *   Σ_b (n_b / N) · |accuracy_b − mean confidence_b|; empty bins add nothing; also the largest gap (MCE);
 * - fewer than 30 cases: a rough estimate, and said so.
 */

export const LOG_LOSS_EPSILON = 1e-15;
export const BIN_COUNT = 10;
export const ROUGH_BELOW = 30;

export interface LabelledPrediction {
  /** Probability per label, in the order of the labels, summing to 1. */
  readonly probabilities: readonly number[];
  /** Index of the expected label. */
  readonly truth: number;
  /** Which case this is (shown in tooltips, used to compare two runs). */
  readonly caseIndex: number;
  readonly key: string;
}

export interface CalibrationPoint {
  readonly caseIndex: number;
  readonly key: string;
  readonly predicted: number;
  readonly truth: number;
  readonly confidence: number;
  readonly correct: boolean;
  readonly bin: number;
}

export interface CalibrationBin {
  /** Lower edge, inclusive. */
  readonly lower: number;
  /** Upper edge, exclusive except for the last bin. */
  readonly upper: number;
  readonly count: number;
  readonly correct: number;
  /** `undefined` for an empty bin. */
  readonly meanConfidence: number | undefined;
  readonly accuracy: number | undefined;
}

export interface CalibrationReport {
  readonly labels: readonly string[];
  readonly count: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly meanConfidence: number;
  readonly logLoss: number;
  /** Multi-class Brier score, 0 to 2. */
  readonly brier: number;
  /** Binary Brier score (two labels only), 0 to 1. */
  readonly brierBinary: number | undefined;
  readonly expectedCalibrationError: number;
  readonly maxCalibrationError: number;
  /** Reliability diagram and confidence histogram, both from these bins. */
  readonly bins: readonly CalibrationBin[];
  readonly points: readonly CalibrationPoint[];
  /** Fewer than ROUGH_BELOW cases. */
  readonly rough: boolean;
  readonly epsilon: number;
}

/** The bin of a confidence: ⌊c · 10⌋, with 1.0 in the last bin. */
export function binOf(confidence: number): number {
  return Math.min(BIN_COUNT - 1, Math.max(0, Math.floor(confidence * BIN_COUNT)));
}

/** The figures for a set of predictions; `undefined` when there is none. */
export function calibrate(labels: readonly string[], predictions: readonly LabelledPrediction[]): CalibrationReport | undefined {
  if (predictions.length === 0) return undefined;
  const points: CalibrationPoint[] = [];
  let logLoss = 0;
  let brier = 0;
  for (const prediction of predictions) {
    const { probabilities, truth } = prediction;
    let predicted = 0;
    probabilities.forEach((p, i) => { if (p > probabilities[predicted]!) predicted = i; });
    const confidence = probabilities[predicted]!;
    logLoss -= Math.log(Math.max(LOG_LOSS_EPSILON, probabilities[truth] ?? 0));
    brier += probabilities.reduce((sum, p, i) => sum + (p - (i === truth ? 1 : 0)) ** 2, 0);
    points.push({ caseIndex: prediction.caseIndex, key: prediction.key, predicted, truth, confidence, correct: predicted === truth, bin: binOf(confidence) });
  }
  const count = predictions.length;
  const correct = points.filter((point) => point.correct).length;
  const bins = binPoints(points);
  const gaps = bins.filter((bin) => bin.count > 0).map((bin) => ({ weight: bin.count / count, gap: Math.abs(bin.accuracy! - bin.meanConfidence!) }));
  return {
    labels, count, correct,
    accuracy: correct / count,
    meanConfidence: points.reduce((sum, point) => sum + point.confidence, 0) / count,
    logLoss: logLoss / count,
    brier: brier / count,
    brierBinary: labels.length === 2 ? brier / count / 2 : undefined,
    expectedCalibrationError: gaps.reduce((sum, { weight, gap }) => sum + weight * gap, 0),
    maxCalibrationError: Math.max(0, ...gaps.map(({ gap }) => gap)),
    bins, points,
    rough: count < ROUGH_BELOW,
    epsilon: LOG_LOSS_EPSILON,
  };
}

function binPoints(points: readonly CalibrationPoint[]): CalibrationBin[] {
  return Array.from({ length: BIN_COUNT }, (_, b) => {
    const inBin = points.filter((point) => point.bin === b);
    const correct = inBin.filter((point) => point.correct).length;
    return {
      lower: b / BIN_COUNT,
      upper: (b + 1) / BIN_COUNT,
      count: inBin.length,
      correct,
      meanConfidence: inBin.length > 0 ? inBin.reduce((sum, point) => sum + point.confidence, 0) / inBin.length : undefined,
      accuracy: inBin.length > 0 ? correct / inBin.length : undefined,
    };
  });
}

export interface LabelledCase {
  readonly caseIndex: number;
  readonly key: string;
  readonly expected: string | undefined;
  readonly distribution: LabelDistribution | undefined;
}

export interface CalibrationInput {
  readonly predictions: readonly LabelledPrediction[];
  /** Cases left out, with why (shown under the figures). */
  readonly excluded: readonly { readonly caseIndex: number; readonly reason: string }[];
}

/** The predictions of labelled cases; cases without an expected label or any label among the alternatives are left out. */
export function calibrationInput(labels: readonly string[], cases: readonly LabelledCase[]): CalibrationInput {
  const predictions: LabelledPrediction[] = [];
  const excluded: { caseIndex: number; reason: string }[] = [];
  for (const { caseIndex, key, expected, distribution } of cases) {
    const truth = expected === undefined ? -1 : labels.findIndex((label) => sameLabel(label, expected));
    if (truth < 0) excluded.push({ caseIndex, reason: expected === undefined ? 'no expected value' : 'the expected value is not one of the labels' });
    else if (!distribution || distribution.predicted === undefined) excluded.push({ caseIndex, reason: 'no label among the alternatives at the answer’s start' });
    else predictions.push({ caseIndex, key, truth, probabilities: distribution.byLabel.map((entry) => entry.probability) });
  }
  return { predictions, excluded };
}

export interface CalibrationComparison {
  readonly before: CalibrationReport;
  readonly after: CalibrationReport;
  /** after − before, for each figure. */
  readonly delta: {
    readonly accuracy: number;
    readonly logLoss: number;
    readonly brier: number;
    readonly expectedCalibrationError: number;
    readonly meanConfidence: number;
  };
  /** The cases present in both runs (matched by key, repeated keys in order), each with both points. */
  readonly cases: readonly { readonly key: string; readonly caseIndex: number; readonly before: CalibrationPoint; readonly after: CalibrationPoint }[];
  /** Cases fixed (wrong → right) and broken (right → wrong). */
  readonly fixed: number;
  readonly broken: number;
}

/** Two runs of the same file side by side (before and after a prompt change). */
export function compareCalibration(before: CalibrationReport, after: CalibrationReport): CalibrationComparison {
  const waiting = new Map<string, CalibrationPoint[]>();
  for (const point of before.points) waiting.set(point.key, [...(waiting.get(point.key) ?? []), point]);
  const cases = after.points.flatMap((point) => {
    const old = waiting.get(point.key)?.shift();
    return old ? [{ key: point.key, caseIndex: point.caseIndex, before: old, after: point }] : [];
  });
  return {
    before, after, cases,
    delta: {
      accuracy: after.accuracy - before.accuracy,
      logLoss: after.logLoss - before.logLoss,
      brier: after.brier - before.brier,
      expectedCalibrationError: after.expectedCalibrationError - before.expectedCalibrationError,
      meanConfidence: after.meanConfidence - before.meanConfidence,
    },
    fixed: cases.filter((pair) => !pair.before.correct && pair.after.correct).length,
    broken: cases.filter((pair) => pair.before.correct && !pair.after.correct).length,
  };
}

export interface RunCalibration {
  readonly report: CalibrationReport;
  readonly excluded: CalibrationInput['excluded'];
}

/**
 * The calibration of one run of a classification prompt, from its outcomes (the label set is the one the run's
 * label probabilities were computed over); `undefined` when the run has no labelled case to compute it from.
 * Failed cases are left out, and counted among the excluded.
 */
export function calibrateOutcomes(outcomes: readonly CaseOutcome[]): RunCalibration | undefined {
  const labels = outcomes.find((outcome) => outcome.labels)?.labels?.byLabel.map((entry) => entry.label);
  if (!labels) return undefined;
  const cases = outcomes.filter((outcome) => outcome.caseIndex !== undefined);
  const input = calibrationInput(labels, cases.filter((outcome) => !outcome.failed).map((outcome) => ({
    caseIndex: outcome.caseIndex!, key: outcome.key, expected: outcome.expected, distribution: outcome.labels,
  })));
  const report = calibrate(labels, input.predictions);
  if (!report) return undefined;
  const failed = cases.filter((outcome) => outcome.failed).map((outcome) => ({ caseIndex: outcome.caseIndex!, reason: 'the request failed' }));
  return { report, excluded: [...input.excluded, ...failed].sort((a, b) => a.caseIndex - b.caseIndex) };
}
