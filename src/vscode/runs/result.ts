import type { RunOutcome } from '../../core/runOutcome';
import { showInfo } from '../notify';

/** What a command did: returned by the commands, so tests and scripts can check it. */
export interface RunResult {
  readonly outcome: RunOutcome | 'refused';
  /** What the user was told, if anything. */
  readonly message?: string;
  readonly documentUri?: string;
  /** Document offsets of the answer text when the run ended (later edits move it; the tracker follows them). */
  readonly answerStart?: number;
  readonly answerEnd?: number;
  readonly tokens: number;
  readonly placements: number;
}

/** Tells the user why nothing was done, and says so in the result. */
export function refuse(message: string): RunResult {
  void showInfo(message);
  return refused(message);
}

/** A refusal already shown to the user (by the endpoint resolver, say). */
export function refused(message: string): RunResult {
  return { outcome: 'refused', message, tokens: 0, placements: 0 };
}
