import type * as vscode from 'vscode';
import type { ConfidenceDecorations } from './editor/decorations';
import type { AnswerTracker } from './editor/answerTracker';
import type { ApiKeys } from './endpoints/apiKeys';
import type { RunRestorer } from './history/restorer';
import type { RunCommands } from './history/runCommands';
import type { RunHistoryService } from './history/runHistory';
import type { RunsView } from './history/runsView';
import type { TokenInspector } from './inspector/panel';
import type { PromptFileFeature } from './promptFiles/feature';
import type { CompletionCommands } from './runs/completion';
import type { RunJournal } from './runs/journal';
import type { SampleResult } from './runs/samples';
import type { Steering } from './steering/steering';

/**
 * What the extension exposes to tests (and other extensions): read-only views of its state. The command sets
 * (`completions`, `runs`, `samples`, `inspector`) live in the lazy bundle: reading them loads it.
 */
export interface LogprobLensApi {
  readonly tracker: AnswerTracker;
  readonly completions: CompletionCommands;
  readonly history: RunHistoryService;
  readonly restorer: RunRestorer;
  readonly runs: RunCommands;
  readonly samples: (editor: vscode.TextEditor, count: number) => Promise<SampleResult>;
  readonly inspector: TokenInspector;
  readonly steering: Steering;
  /** Every answer a run filled, with its request and lineage, as it happens. */
  readonly journal: RunJournal;
  readonly promptFiles: PromptFileFeature;
  readonly statusText: () => string;
  readonly coloursVisible: () => boolean;
  readonly sdkLoaded: () => boolean;
  /** Whether the command-only bundle (dist/commands.js) was loaded: never by activation alone. */
  readonly commandsLoaded: () => boolean;
  /** Decoration render timings in the extension host: count, total, max and last, in ms. */
  readonly renderStats: () => ConfidenceDecorations['renderStats'];
  /** How long `activate()` took, in ms. */
  readonly activationMs: number;
  /** Only when VS Code runs the extension's tests: the log lines written, every message shown, the key store, the Runs view. */
  readonly test?: { readonly logLines: readonly string[]; readonly notifications: readonly string[]; readonly keys: ApiKeys; readonly runsView: RunsView };
}

