import * as vscode from 'vscode';
import { describeUncertain } from './core/buckets';
import { isClientLoaded } from './vscode/clientLoader';
import type { CommandId } from './vscode/commandIds';
import { Commands } from './vscode/commandIds';
import { isCommandsLoaded, LazyCommands } from './vscode/commandsLoader';
import { ContextKeys } from './vscode/contextKeys';
import { AnswerTracker } from './vscode/editor/answerTracker';
import { ConfidenceDecorations } from './vscode/editor/decorations';
import { TokenHoverProvider } from './vscode/editor/hoverProvider';
import { goToUncertain, pickUncertain, uncertainTokens } from './vscode/editor/navigation';
import { showLegend, StatusSummary } from './vscode/editor/statusSummary';
import { ApiKeys } from './vscode/endpoints/apiKeys';
import { EndpointResolver } from './vscode/endpoints/resolver';
import { RunRestorer } from './vscode/history/restorer';
import type { RunCommands, RunTarget } from './vscode/history/runCommands';
import { RunHistoryService } from './vscode/history/runHistory';
import type { RunsViewNode } from './vscode/history/runsView';
import { RunsView } from './vscode/history/runsView';
import type { TokenInspector } from './vscode/inspector/panel';
import { createLog } from './vscode/log';
import { keepNotifications } from './vscode/notify';
import { PromptFileFeature } from './vscode/promptFiles/feature';
import type { CompletionCommands } from './vscode/runs/completion';
import { RunJournal } from './vscode/runs/journal';
import { RunLifecycle } from './vscode/runs/lifecycle';
import type { SampleResult } from './vscode/runs/samples';
import { SettingsService } from './vscode/settings';
import { Steering } from './vscode/steering/steering';

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

export function activate(context: vscode.ExtensionContext): LogprobLensApi {
  const began = performance.now();
  const testing = context.extensionMode === vscode.ExtensionMode.Test;
  const own = <T extends vscode.Disposable>(disposable: T): T => (context.subscriptions.push(disposable), disposable);
  const { log, lines } = createLog(testing);
  const notifications = testing ? keepNotifications() : [];
  own(log);
  const settings = own(new SettingsService());
  const tracker = own(new AnswerTracker(settings));
  const lifecycle = own(new RunLifecycle());
  const journal = own(new RunJournal());
  const decorations = own(new ConfidenceDecorations(tracker, settings, context.extensionUri));
  const status = own(new StatusSummary(tracker, settings, lifecycle));
  own(new ContextKeys(tracker, lifecycle));

  const keys = new ApiKeys(context.secrets);
  // Nothing set up yet: the first-run offer, command-only code, loads with the first request that needs it.
  const resolver = new EndpointResolver(settings, keys, (): Promise<boolean> => lazy.endpoints.firstRun.offer());
  const steering = own(new Steering({ state: context.globalState, settings, journal }));
  own(vscode.languages.registerHoverProvider({ pattern: '**' }, new TokenHoverProvider(tracker, decorations, settings, steering)));
  const history = own(new RunHistoryService({ workspace: context.storageUri, global: context.globalStorageUri }, settings, journal));
  const restorer = own(new RunRestorer(history, tracker, settings, journal));
  const runsView = own(new RunsView(history));
  const promptFiles = own(new PromptFileFeature(context.workspaceState, settings));
  const lazy = own(new LazyCommands({ context, log, settings, tracker, journal, lifecycle, keys, resolver, steering, history, runsView, restorer, promptFiles }));

  const inEditor = <T>(action: (editor: vscode.TextEditor) => T) => (): T | undefined => {
    const editor = vscode.window.activeTextEditor;
    return editor ? action(editor) : undefined;
  };
  const uncertain = (editor: vscode.TextEditor) => uncertainTokens(tracker, editor.document, settings.current.uncertainThreshold);
  const handlers: Record<CommandId, (...args: never[]) => unknown> = {
    [Commands.completeSelection]: () => lazy.completions.completeSelection(),
    [Commands.rerunLast]: () => lazy.completions.rerunLast(),
    [Commands.cancel]: (document?: vscode.TextDocument) => lifecycle.cancel(document ?? vscode.window.activeTextEditor?.document),
    [Commands.scoreSelection]: () => lazy.answers.scoreSelection(),
    [Commands.openResponse]: (target?: unknown, options?: unknown) => lazy.answers.openResponse(target, options),
    [Commands.openWith]: (target?: unknown, options?: unknown) => lazy.answers.openResponse(target, options),
    [Commands.trySample]: () => lazy.answers.trySample(),
    [Commands.nextUncertain]: inEditor((editor) => goToUncertain(editor, uncertain(editor), 1)),
    [Commands.previousUncertain]: inEditor((editor) => goToUncertain(editor, uncertain(editor), -1)),
    [Commands.listUncertain]: inEditor((editor) => pickUncertain(editor, uncertain(editor), describeUncertain(settings.current.colourBy, settings.current.uncertainThreshold))),
    [Commands.clearColours]: inEditor((editor) => tracker.clear(editor.document)),
    [Commands.toggleColours]: () => (decorations.visible = !decorations.visible),
    [Commands.showLegend]: () => showLegend(settings.current),
    [Commands.setApiKey]: () => lazy.endpoints.profiles.setApiKey(),
    [Commands.clearApiKey]: () => lazy.endpoints.profiles.clearApiKey(),
    [Commands.selectEndpoint]: () => lazy.endpoints.profiles.select(),
    [Commands.checkEndpoint]: () => lazy.endpoints.check.run(),
    [Commands.showLog]: () => log.show(),
    [Commands.sampleAnswers]: () => lazy.answers.sampleAnswers(),
    [Commands.compareRuns]: () => lazy.history.compareWith(undefined),
    [Commands.exportRun]: (target?: RunTarget) => lazy.history.export(target),
    [Commands.showRun]: (runId?: string) => lazy.history.showInView(runId),
    [Commands.clearHistory]: () => lazy.history.clear(),
    [Commands.revealRunAnswer]: (target: RunTarget) => lazy.history.revealAnswer(target),
    [Commands.openRun]: (target: RunTarget) => lazy.history.open(target),
    [Commands.compareWithPrevious]: (target: RunTarget) => lazy.history.compareWithPrevious(target),
    [Commands.compareWith]: (target: RunTarget, selected?: RunsViewNode[]) => lazy.history.compareSelected(target, selected),
    [Commands.rerunRun]: (target: RunTarget) => lazy.history.rerun(target),
    [Commands.deleteRun]: (target: RunTarget, selected?: RunsViewNode[]) => lazy.history.delete(target, selected),
    [Commands.openInspector]: () => lazy.inspector.open(),
    [Commands.continueWith]: (...args: unknown[]) => lazy.steering.continueWith(...args),
    [Commands.ban]: (...args: unknown[]) => lazy.steering.ban(...args),
    [Commands.boost]: (...args: unknown[]) => lazy.steering.boost(...args),
    [Commands.inspectToken]: (...args: unknown[]) => lazy.steering.inspectToken(...args),
    [Commands.showLogitBias]: () => steering.bias.show(),
    [Commands.runPromptFile]: (uri?: unknown, caseIndex?: unknown) => lazy.promptFiles.run(uri, caseIndex),
    [Commands.classifySelection]: () => lazy.promptFiles.classify(),
    [Commands.showCalibration]: (uri?: unknown) => lazy.promptFiles.showCalibration(uri),
  };
  for (const [id, handler] of Object.entries(handlers)) own(vscode.commands.registerCommand(id, handler));

  const activationMs = performance.now() - began;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs, tracker, history, restorer, steering, journal, promptFiles,
    get completions() {
      return lazy.completions;
    },
    get runs() {
      return lazy.history;
    },
    get inspector() {
      return lazy.inspector;
    },
    samples: (editor, count) => lazy.answers.sampleAnswers(editor, count),
    statusText: () => status.text,
    coloursVisible: () => decorations.visible,
    sdkLoaded: isClientLoaded,
    commandsLoaded: isCommandsLoaded,
    renderStats: () => ({ ...decorations.renderStats, recentMs: [...decorations.renderStats.recentMs] }),
    ...(testing ? { test: { logLines: lines, notifications, keys, runsView } } : {}),
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
