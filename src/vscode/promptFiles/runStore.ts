import type * as vscode from 'vscode';
import type { CaseOutcome } from '../../core/promptFiles/outcome';

/** One full run of a prompt file as kept for the next run's comparison and the calibration view. */
export interface StoredPromptFileRun {
  /** ISO time the run started. */
  readonly when: string;
  /** The model that answered. */
  readonly model: string;
  /** The file's `name` (or its file name) at the time. */
  readonly title: string;
  readonly outcomes: readonly CaseOutcome[];
}

/**
 * The previous runs of each prompt file: what a new run is compared with, and the before/after of the
 * calibration view. Only full runs are kept (running one case compares it with the last full run, and does not
 * replace it). The run history (issue 10) can implement this later; until then `WorkspaceStatePromptFileRuns`.
 */
export interface PromptFileRuns {
  /** The latest full run of the file, if one was kept. */
  previous(fileUri: string): StoredPromptFileRun | undefined;
  /** The runs kept for the file, oldest first (at most `KEPT_RUNS`). */
  recent(fileUri: string): readonly StoredPromptFileRun[];
  /** Files with runs kept, most recently run first. */
  files(): readonly string[];
  save(fileUri: string, run: StoredPromptFileRun): Thenable<void>;
}

/** Runs kept per file: the two a before/after comparison needs. */
export const KEPT_RUNS = 2;
/** Files kept; the least recently run is forgotten first. */
const KEPT_FILES = 20;
/** A run larger than this as JSON is not kept (workspace state is loaded whole at startup). */
const MAX_RUN_BYTES = 1_000_000;
const KEY = 'logprobLens.promptFileRuns.v1';

type Stored = Record<string, readonly StoredPromptFileRun[]>;

/** The runs in the extension's workspace state (per workspace, never in the repository). */
export class WorkspaceStatePromptFileRuns implements PromptFileRuns {
  constructor(private readonly state: vscode.Memento) {}

  previous(fileUri: string): StoredPromptFileRun | undefined {
    return this.recent(fileUri).at(-1);
  }

  recent(fileUri: string): readonly StoredPromptFileRun[] {
    const runs = this.read()[fileUri];
    return Array.isArray(runs) ? runs.filter(isStoredRun) : [];
  }

  files(): readonly string[] {
    return Object.keys(this.read()).reverse();
  }

  save(fileUri: string, run: StoredPromptFileRun): Thenable<void> {
    if (JSON.stringify(run).length > MAX_RUN_BYTES) return Promise.resolve();
    const { [fileUri]: earlier = [], ...others } = this.read();
    // Re-inserted last: key order is the order of use, and the oldest files go first.
    const files = Object.entries(others).slice(-(KEPT_FILES - 1));
    return this.state.update(KEY, Object.fromEntries([...files, [fileUri, [...earlier, run].slice(-KEPT_RUNS)]]));
  }

  private read(): Stored {
    const stored = this.state.get<unknown>(KEY);
    return stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? stored as Stored : {};
  }
}

/** A stored run read back: the shape is checked loosely (it was written by this code, perhaps an older version). */
function isStoredRun(value: unknown): value is StoredPromptFileRun {
  const run = value as Partial<Record<keyof StoredPromptFileRun, unknown>> | null;
  return typeof run === 'object' && run !== null && typeof run.when === 'string' && typeof run.model === 'string' && typeof run.title === 'string' && Array.isArray(run.outcomes)
    && run.outcomes.every((outcome) => typeof outcome === 'object' && outcome !== null && typeof (outcome as CaseOutcome).key === 'string' && Array.isArray((outcome as CaseOutcome).evaluators));
}
