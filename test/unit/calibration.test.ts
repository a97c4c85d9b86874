import * as assert from 'node:assert/strict';
import type { CalibrationReport, LabelledPrediction } from '../../src/core/promptFiles/calibration';
import { binOf, calibrate, calibrationInput, compareCalibration, LOG_LOSS_EPSILON } from '../../src/core/promptFiles/calibration';
import { calibrationCsv, calibrationJson } from '../../src/core/promptFiles/calibrationExport';
import { labelDistribution } from '../../src/core/promptFiles/labels';

const close = (actual: number | undefined, expected: number, what: string): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≈ ${expected}`);
};
const predictions = (rows: [number[], number][]): LabelledPrediction[] =>
  rows.map(([probabilities, truth], caseIndex) => ({ probabilities, truth, caseIndex, key: `case${caseIndex}` }));
const report = (labels: string[], rows: [number[], number][]): CalibrationReport => calibrate(labels, predictions(rows))!;

describe('calibration', () => {
  // Four binary cases, labels [yes, no]:
  //   1. [0.9, 0.1] truth yes → predicts yes, confidence 0.9, right
  //   2. [0.6, 0.4] truth no  → predicts yes, confidence 0.6, wrong
  //   3. [0.3, 0.7] truth no  → predicts no,  confidence 0.7, right
  //   4. [0.55, 0.45] truth yes → predicts yes, confidence 0.55, right
  const four: [number[], number][] = [[[0.9, 0.1], 0], [[0.6, 0.4], 1], [[0.3, 0.7], 1], [[0.55, 0.45], 0]];

  it('computes accuracy, log loss, Brier and ECE by hand on four cases', () => {
    const result = report(['yes', 'no'], four);
    assert.equal(result.count, 4);
    assert.equal(result.correct, 3);
    close(result.accuracy, 0.75, 'accuracy'); // 3 / 4
    // −(ln 0.9 + ln 0.4 + ln 0.7 + ln 0.55) / 4 = (0.1053605 + 0.9162907 + 0.3566749 + 0.5978370) / 4 = 0.4940408
    close(result.logLoss, 0.4940408, 'log loss');
    // Σ_k (p_k − y_k)²: 0.01+0.01 = 0.02; 0.36+0.36 = 0.72; 0.09+0.09 = 0.18; 0.2025+0.2025 = 0.405. Sum 1.325 / 4 = 0.33125.
    close(result.brier, 0.33125, 'Brier');
    close(result.brierBinary, 0.165625, 'binary Brier'); // half of it
    // Bins 9, 6, 7, 5 hold one case each: gaps |1−0.9| = 0.1, |0−0.6| = 0.6, |1−0.7| = 0.3, |1−0.55| = 0.45.
    // ECE = (0.1 + 0.6 + 0.3 + 0.45) / 4 = 0.3625; MCE = 0.6.
    close(result.expectedCalibrationError, 0.3625, 'ECE');
    close(result.maxCalibrationError, 0.6, 'MCE');
    close(result.meanConfidence, 0.6875, 'mean confidence'); // (0.9 + 0.6 + 0.7 + 0.55) / 4
    assert.deepEqual(result.bins.map((bin) => bin.count), [0, 0, 0, 0, 0, 1, 1, 1, 0, 1]);
    assert.deepEqual(result.bins.map((bin) => bin.correct), [0, 0, 0, 0, 0, 1, 0, 1, 0, 1]);
    assert.equal(result.bins[0]!.meanConfidence, undefined);
    assert.equal(result.bins[0]!.accuracy, undefined);
    close(result.bins[6]!.meanConfidence, 0.6, 'bin 6 confidence');
    assert.equal(result.bins[6]!.accuracy, 0);
    assert.deepEqual([result.bins[5]!.lower, result.bins[5]!.upper], [0.5, 0.6]);
    assert.equal(result.rough, true);
    assert.equal(result.epsilon, LOG_LOSS_EPSILON);
  });

  it('pools cases of one bin: count, mean confidence and accuracy', () => {
    // Both in bin 8: confidences 0.8 and 0.85 → mean 0.825; one right → accuracy 0.5; ECE = |0.5 − 0.825| = 0.325.
    const result = report(['yes', 'no'], [[[0.8, 0.2], 0], [[0.85, 0.15], 1]]);
    assert.equal(result.bins[8]!.count, 2);
    close(result.bins[8]!.meanConfidence, 0.825, 'mean confidence');
    close(result.bins[8]!.accuracy, 0.5, 'accuracy');
    close(result.expectedCalibrationError, 0.325, 'ECE');
  });

  it('is perfect when every case is right with probability 1', () => {
    const result = report(['yes', 'no'], [[[1, 0], 0], [[0, 1], 1]]);
    assert.equal(result.accuracy, 1);
    assert.equal(result.logLoss, 0); // −ln 1
    assert.equal(result.brier, 0);
    assert.equal(result.expectedCalibrationError, 0); // bin 9: accuracy 1, confidence 1
    assert.equal(result.bins[9]!.count, 2);
  });

  it('is worst when every case is confidently wrong, the log clipped at epsilon', () => {
    const result = report(['yes', 'no'], [[[1, 0], 1], [[0, 1], 0]]);
    assert.equal(result.accuracy, 0);
    close(result.logLoss, 34.538776, 'log loss'); // −ln(1e-15) = 15 · ln 10 = 34.538776
    assert.equal(result.brier, 2); // (1 − 0)² + (0 − 1)² per case
    assert.equal(result.brierBinary, 1);
    assert.equal(result.expectedCalibrationError, 1); // |0 − 1|
  });

  it('handles one case, and three labels (multi-class Brier, no binary form)', () => {
    const result = report(['a', 'b', 'c'], [[[0.5, 0.3, 0.2], 1]]);
    // Predicts a (0.5), truth b: Brier = 0.5² + (0.3 − 1)² + 0.2² = 0.25 + 0.49 + 0.04 = 0.78; log loss −ln 0.3 = 1.2039728.
    close(result.brier, 0.78, 'Brier');
    assert.equal(result.brierBinary, undefined);
    close(result.logLoss, 1.2039728, 'log loss');
    assert.equal(result.points[0]!.predicted, 0);
    assert.equal(result.points[0]!.correct, false);
    close(result.expectedCalibrationError, 0.5, 'ECE'); // one case in bin 5: |0 − 0.5|
  });

  it('puts a confidence on a bin edge into the bin above it, and 1.0 into the last bin', () => {
    for (let edge = 0; edge < 10; edge++) assert.equal(binOf(edge / 10), edge, `${edge / 10}`);
    assert.equal(binOf(0.3), 3); // 0.3 · 10 is 3.0000000000000004 in floating point
    assert.equal(binOf(0.7999999), 7);
    assert.equal(binOf(1), 9);
    assert.equal(report(['yes', 'no'], [[[0.8, 0.2], 0]]).points[0]!.bin, 8);
  });

  it('predicts the first label on a tie', () => {
    assert.equal(report(['yes', 'no'], [[[0.5, 0.5], 1]]).points[0]!.predicted, 0);
  });

  it('calls fewer than 30 cases a rough estimate', () => {
    const rows = (n: number): [number[], number][] => Array.from({ length: n }, () => [[0.9, 0.1], 0]);
    assert.equal(report(['yes', 'no'], rows(29)).rough, true);
    assert.equal(report(['yes', 'no'], rows(30)).rough, false);
    assert.equal(calibrate(['yes', 'no'], []), undefined);
  });

  it('builds predictions from label distributions, leaving out cases it cannot use', () => {
    const labels = ['yes', 'no'];
    const input = calibrationInput(labels, [
      { caseIndex: 0, key: 'a', expected: 'Yes', distribution: labelDistribution([{ token: 'Yes', logprob: Math.log(0.6) }, { token: 'No', logprob: Math.log(0.2) }], labels) },
      { caseIndex: 1, key: 'b', expected: undefined, distribution: labelDistribution([{ token: 'No', logprob: -0.1 }], labels) },
      { caseIndex: 2, key: 'c', expected: 'maybe', distribution: labelDistribution([{ token: 'No', logprob: -0.1 }], labels) },
      { caseIndex: 3, key: 'd', expected: 'no', distribution: labelDistribution([{ token: 'Hmm', logprob: -0.1 }], labels) },
    ]);
    assert.equal(input.predictions.length, 1);
    assert.equal(input.predictions[0]!.truth, 0);
    // 0.6 / (0.6 + 0.2) = 0.75, 0.2 / 0.8 = 0.25
    close(input.predictions[0]!.probabilities[0], 0.75, 'yes');
    close(input.predictions[0]!.probabilities[1], 0.25, 'no');
    assert.deepEqual(input.excluded.map((entry) => entry.caseIndex), [1, 2, 3]);
  });

  it('compares two runs of the same file, case by case', () => {
    const before = report(['yes', 'no'], four);
    // After the prompt change case 2 is right (no at 0.8) and case 4 wrong (no at 0.6).
    const after = report(['yes', 'no'], [[[0.9, 0.1], 0], [[0.2, 0.8], 1], [[0.3, 0.7], 1], [[0.4, 0.6], 0]]);
    const comparison = compareCalibration(before, after);
    assert.equal(comparison.fixed, 1);
    assert.equal(comparison.broken, 1);
    assert.equal(comparison.cases.length, 4);
    close(comparison.delta.accuracy, 0, 'accuracy delta'); // 3/4 → 3/4
    // After: confidences 0.9, 0.8, 0.7, 0.6 → mean 0.75; before 0.6875 → +0.0625.
    close(comparison.delta.meanConfidence, 0.0625, 'confidence delta');
    // After log loss: −(ln 0.9 + ln 0.8 + ln 0.7 + ln 0.4) / 4 = (0.1053605 + 0.2231436 + 0.3566749 + 0.9162907) / 4 = 0.4003674.
    close(comparison.delta.logLoss, 0.4003674 - 0.4940408, 'log loss delta');
  });
});

describe('calibration export', () => {
  const result = calibrate(['yes', '=HYPERLINK("x"), no'], predictions([[[0.9, 0.1], 0], [[0.3, 0.7], 1]]))!;

  it('writes one tidy CSV table, quoted as RFC 4180 wants, formulas defused', () => {
    const csv = calibrationCsv([{ run: 'before', report: result }]);
    const lines = csv.split('\r\n');
    assert.equal(lines[0], 'run,section,item,metric,value');
    assert.equal(lines[1], 'before,summary,,cases,2');
    assert.ok(lines.includes('before,summary,,accuracy,1'));
    // Binary Brier: ((0.1² + 0.1²) + (0.3² + 0.3²)) / 2 cases / 2 = (0.02 + 0.18) / 4 = 0.05.
    close(Number(lines.find((line) => line.startsWith('before,summary,,brier_binary,'))!.split(',')[4]), 0.05, 'binary Brier');
    assert.ok(lines.includes('before,bin,0.9-1.0,count,1'));
    assert.ok(lines.includes('before,bin,0.0-0.1,mean_confidence,'));
    assert.ok(lines.includes('before,case,2,predicted,"\'=HYPERLINK(""x""), no"'));
    assert.ok(csv.endsWith('\r\n'));
  });

  it('writes JSON with the definitions, and the deltas of two runs', () => {
    const parsed = JSON.parse(calibrationJson([{ run: 'before', report: result }, { run: 'after', report: result }])) as {
      format: string; runs: { run: string; count: number; points: { predictedLabel: string }[] }[]; comparison: { delta: { accuracy: number }; fixed: number };
      definitions: Record<string, string>;
    };
    assert.equal(parsed.format, 'logprob-lens/calibration');
    assert.deepEqual(parsed.runs.map((run) => [run.run, run.count]), [['before', 2], ['after', 2]]);
    assert.equal(parsed.runs[0]!.points[1]!.predictedLabel, '=HYPERLINK("x"), no');
    assert.equal(parsed.comparison.delta.accuracy, 0);
    assert.match(parsed.definitions.logLoss!, /epsilon/);
  });
});
