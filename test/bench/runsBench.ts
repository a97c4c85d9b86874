// Figures for the runs feature (issue 10): storage size and speed, restore, compare, exports, the Runs view.
// Prints numbers; asserts nothing. Data: synthetic but realistic runs (runsSynthetic.ts).
import { Answer } from '../../src/core/answer';
import { DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import { decodeRun, encodeRun } from '../../src/core/runs/codec';
import { compareRuns } from '../../src/core/runs/compare';
import { runToCsv } from '../../src/core/runs/export/csv';
import { runToHtml } from '../../src/core/runs/export/html';
import { runToJson } from '../../src/core/runs/export/json';
import { describeSettingsChange, RunHistory, runLabel, runTooltip, runTree } from '../../src/core/runs/history';
import { computeRunMetrics } from '../../src/core/runs/metrics';
import { isAtRecordedPlace, restoredStore } from '../../src/core/runs/restore';
import type { RunRecord } from '../../src/core/runs/runRecord';
import { metaOf } from '../../src/core/runs/runRecord';
import { tokensFromStore } from '../../src/core/runs/runTokens';
import { seeded } from '../support/seeded';
import { syntheticEntries, syntheticRecord } from './runsSynthetic';

/** Median wall time of `runs` calls after one warm-up call. */
function median(runs: number, work: () => unknown): number {
  work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const began = performance.now();
    work();
    times.push(performance.now() - began);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const print = (name: string, figure: number, unit: string, target: string): void => console.log(`${name}: ${figure.toFixed(figure < 10 ? 2 : 1)} ${unit} (target ${target})`);

function storageFigures(record: RunRecord): Uint8Array {
  const bytes = encodeRun(record);
  print('runs: stored size, 100k tokens × 20 alternatives', bytes.length / record.tokens.count, 'B/token', '<= 150');
  print('runs: encode, 100k tokens × 20 alternatives', median(5, () => encodeRun(record)), 'ms', 'off the typing path, after the stream');
  print('runs: decode, 100k tokens × 20 alternatives', median(5, () => decodeRun(bytes)), 'ms', 'part of restore <= 100');
  return bytes;
}

function recordingFigures(record: RunRecord): void {
  const entries = syntheticEntries(20_000, 20, 11);
  const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
  answer.inserted(answer.append(entries.map((entry) => entry.token).join(''), entries).length);
  answer.inserted(answer.finish().length);
  print('runs: record a live answer (column export), per 10k tokens × 20', median(5, () => tokensFromStore(answer.store)) / 2, 'ms', 'once, after the stream');
  print('runs: metrics of a run, 100k × 20', median(5, () => computeRunMetrics(record.tokens, record.placements, 0.5)), 'ms', 'once, after the stream');
}

function restoreFigures(record: RunRecord, bytes: Uint8Array): void {
  const documentText = `prompt\n\n${record.text}\n`;
  const place = { ...record.place, offset: 8 };
  print('runs: restore check at the recorded place (hash of the answer text)', median(9, () => isAtRecordedPlace(documentText, place)), 'ms', 'part of restore');
  const restore = median(5, () => {
    const decoded = decodeRun(bytes);
    return Answer.restored(8, decoded.text.length, restoredStore(decoded.tokens, decoded.placements), DEFAULT_THRESHOLDS, 'probability');
  });
  print('runs: restore, decode + adopt the columns + colours, 100k × 20 (core part)', restore, 'ms', '<= 100');
}

function compareFigures(): void {
  const base = syntheticEntries(10_000, 20, 21);
  const left = syntheticRecord(10_000, 20, 21, base);
  // Similar: 1 % of tokens replaced (a re-run at low temperature). Different: an independent run.
  const random = seeded(5);
  const edited = base.map((entry) => (random() < 0.01 ? { ...entry, token: `${entry.token}~` } : entry));
  const similar = syntheticRecord(10_000, 20, 22, edited);
  const different = syntheticRecord(10_000, 20, 23);
  print('runs: compare two 10k-token runs, similar (1 % edits)', median(5, () => compareRuns(left, similar)), 'ms', '<= 100');
  print('runs: compare two 10k-token runs, unrelated (edit budget reached)', median(5, () => compareRuns(left, different)), 'ms', '<= 100');
}

function exportFigures(): void {
  const record = syntheticRecord(10_000, 20, 31);
  const html = runToHtml(record);
  print('runs: HTML export, 10k tokens × 20 alternatives', median(5, () => runToHtml(record)), 'ms', '<= 200');
  print('runs: HTML export size', Buffer.byteLength(html) / record.tokens.count, 'B/token', 'printed');
  print('runs: JSON export, 10k tokens × 20 alternatives', median(3, () => runToJson(record)), 'ms', 'printed');
  print('runs: JSON export size', Buffer.byteLength(runToJson(record)) / record.tokens.count, 'B/token', 'printed');
  print('runs: CSV export, 10k tokens × 20 alternatives', median(3, () => runToCsv(record)), 'ms', 'printed');
}

function historyFigures(): void {
  const metas = Array.from({ length: 500 }, (_, i) => metaOf(syntheticRecord(20, 5, i)));
  const history = new RunHistory({ maxRuns: 500, maxMegabytes: 1000 }, metas.map((meta) => ({ meta, bytes: 50_000 })));
  print('runs: list 500 runs (tree, labels, descriptions, tooltips)', median(9, () => {
    const runs = history.list();
    const tree = runTree(runs);
    const previousRuns = history.previousRuns();
    for (const meta of runs) {
      const previous = previousRuns.get(meta.id);
      runLabel(meta);
      runTooltip(meta);
      if (previous) describeSettingsChange(previous, meta);
    }
    return tree;
  }), 'ms', '<= 50');
}

export async function runRunsBench(): Promise<void> {
  const record = syntheticRecord(100_000, 20, 1);
  const bytes = storageFigures(record);
  recordingFigures(record);
  restoreFigures(record, bytes);
  compareFigures();
  exportFigures();
  historyFigures();
  await Promise.resolve();
}
