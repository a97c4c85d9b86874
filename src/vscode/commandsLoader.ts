import * as vscode from 'vscode';
import type * as CommandsModule from '../commands/index';
import { PanelTypes } from './commandIds';
import type { AnswerTracker } from './editor/answerTracker';
import type { ApiKeys } from './endpoints/apiKeys';
import type { EndpointResolver } from './endpoints/resolver';
import type { RunRestorer } from './history/restorer';
import type { RunHistoryService } from './history/runHistory';
import type { RunsView } from './history/runsView';
import { Disposable, DisposableStore } from './lifetime';
import type { PromptFileFeature } from './promptFiles/feature';
import type { RunJournal } from './runs/journal';
import type { RunLifecycle } from './runs/lifecycle';
import type { SettingsService } from './settings';
import type { Steering } from './steering/steering';

type CommandsBundle = typeof CommandsModule;
type Feature = keyof CommandsBundle;
/** What a feature's factory makes: its commands. */
type CommandSet<F extends Feature> = ReturnType<CommandsBundle[F]>;

/** The main bundle's services: every command set is given these instances, and never makes its own. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly settings: SettingsService;
  readonly tracker: AnswerTracker;
  readonly journal: RunJournal;
  readonly lifecycle: RunLifecycle;
  readonly keys: ApiKeys;
  readonly resolver: EndpointResolver;
  readonly steering: Steering;
  readonly history: RunHistoryService;
  readonly runsView: RunsView;
  readonly restorer: RunRestorer;
  readonly promptFiles: PromptFileFeature;
}

/**
 * The command-only code (dist/commands.js, a separate bundle: runs, endpoints, history, steering's commands, the
 * inspector and calibration panels, prompt-file runs), loaded on the first command that needs it: activation never
 * pays for it. Stateless, as clientLoader.ts is.
 */
export function loadCommands(): CommandsBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require of the sibling bundle is the point
  return require('./commands.js') as CommandsBundle;
}

export function isCommandsLoaded(): boolean {
  return require.cache[require.resolve('./commands.js')] !== undefined;
}

/**
 * The command sets of the lazy bundle, each made on first use from the main bundle's services and kept for the
 * extension's lifetime (Re-run remembers the last request, the inspector is one panel). The panels' serializers
 * are registered here at activation, as VS Code requires; their code loads when a panel comes back.
 */
export class LazyCommands extends Disposable {
  private readonly lifetime = this.register(new DisposableStore());
  private readonly made: { [F in Feature]?: CommandSet<F> } = {};

  constructor(private readonly services: Services) {
    super();
    this.register(vscode.window.registerWebviewPanelSerializer(PanelTypes.inspector, {
      deserializeWebviewPanel: (panel) => Promise.resolve(this.inspector.restore(panel)),
    }));
    this.register(vscode.window.registerWebviewPanelSerializer(PanelTypes.calibration, {
      deserializeWebviewPanel: (panel, state: unknown) => Promise.resolve(this.promptFiles.restorePanel(panel, state)),
    }));
  }

  get completions(): CommandSet<'completions'> {
    return this.made.completions ??= loadCommands().completions(this.services);
  }

  get answers(): CommandSet<'answers'> {
    return this.made.answers ??= loadCommands().answers(this.services);
  }

  get endpoints(): CommandSet<'endpoints'> {
    return this.made.endpoints ??= loadCommands().endpoints(this.services);
  }

  get history(): CommandSet<'history'> {
    return this.made.history ??= loadCommands().history(this.services, this.lifetime, this.completions);
  }

  get steering(): CommandSet<'steering'> {
    return this.made.steering ??= loadCommands().steering(this.services, this.lifetime);
  }

  get inspector(): CommandSet<'inspector'> {
    return this.made.inspector ??= loadCommands().inspector(this.services, this.lifetime);
  }

  get promptFiles(): CommandSet<'promptFiles'> {
    return this.made.promptFiles ??= loadCommands().promptFiles(this.services, this.lifetime);
  }
}
