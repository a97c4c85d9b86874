import type { RunCalibration } from '../../core/promptFiles/calibration';
import { loadPromptFileEngine } from './engine';
import type { PromptFileRuns, StoredPromptFileRun } from './runStore';

/** A kept run of a prompt file and its calibration. */
export interface LabelledRun {
  readonly run: StoredPromptFileRun;
  readonly calibration: RunCalibration;
}

/**
 * The kept runs of a file that have a calibration (their answers were labelled), oldest first: what the calibration
 * view shows, and whether the file's Calibration lens is offered. Stateless: the lens (main bundle) and the panels
 * (the lazy commands bundle) both ask.
 */
export function labelledRuns(runs: PromptFileRuns, fileUri: string): LabelledRun[] {
  const recent = runs.recent(fileUri);
  // Runs without labels are not worth loading the engine for.
  if (!recent.some((run) => run.outcomes.some((outcome) => outcome.labels))) return [];
  const engine = loadPromptFileEngine();
  return recent.flatMap((run) => {
    const calibration = engine.calibrateOutcomes(run.outcomes);
    return calibration ? [{ run, calibration }] : [];
  });
}

/** Whether a file has a kept run with labels, so there is something to show. */
export function hasCalibration(runs: PromptFileRuns, fileUri: string): boolean {
  return labelledRuns(runs, fileUri).length > 0;
}
