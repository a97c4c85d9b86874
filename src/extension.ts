import * as vscode from 'vscode';
import { describeUncertain } from './core/buckets';
import { isClientLoaded } from './vscode/clientLoader';
import type { CommandId } from './vscode/commandIds';
import { Commands } from './vscode/commandIds';
import { ContextKeys } from './vscode/contextKeys';
import { AnswerTracker } from './vscode/editor/answerTracker';
import { ConfidenceDecorations } from './vscode/editor/decorations';
import { TokenHoverProvider } from './vscode/editor/hoverProvider';
import { goToUncertain, pickUncertain, uncertainTokens } from './vscode/editor/navigation';
import { showLegend, StatusSummary } from './vscode/editor/statusSummary';
import { ApiKeys } from './vscode/endpoints/apiKeys';
import { EndpointCheck } from './vscode/endpoints/check';
import { FirstRun, localMachine } from './vscode/endpoints/firstRun';
import { ProfileStore } from './vscode/endpoints/profiles';
import { EndpointResolver } from './vscode/endpoints/resolver';
import { RunRestorer } from './vscode/history/restorer';
import type { RunTarget } from './vscode/history/runCommands';
import { RunCommands } from './vscode/history/runCommands';
import { RunComparisons } from './vscode/history/comparison';
import { RunHistoryService } from './vscode/history/runHistory';
import type { RunsViewNode } from './vscode/history/runsView';
import { RunsView } from './vscode/history/runsView';
import { TokenInspector } from './vscode/inspector/panel';
import { createLog } from './vscode/log';
import { keepNotifications } from './vscode/notify';
import { PromptFileFeature } from './vscode/promptFiles/feature';
import { CompletionCommands } from './vscode/runs/completion';
import { RunJournal } from './vscode/runs/journal';
import { RunLifecycle } from './vscode/runs/lifecycle';
import type { SampleResult } from './vscode/runs/samples';
import { sampleAnswers } from './vscode/runs/samples';
import { openSample, openLoggedResponse } from './vscode/runs/loggedResponses';
import { scoreSelection } from './vscode/runs/scoring';
import { SettingsService } from './vscode/settings';
import { Steering } from './vscode/steering/steering';

/** What the extension exposes to tests (and other extensions): read-only views of its state. */
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
  const inspector = own(new TokenInspector(tracker, settings, context.extensionUri));

  const keys = new ApiKeys(context.secrets);
  const profiles = new ProfileStore(settings, keys);
  const firstRun = new FirstRun(profiles, settings, localMachine(context.extension.extensionKind, vscode.env.remoteName));
  const resolver = new EndpointResolver(settings, keys, () => firstRun.offer());
  const steering = own(new Steering({ state: context.globalState, settings, tracker, journal, resolver, lifecycle, log }));
  own(vscode.languages.registerHoverProvider({ pattern: '**' }, new TokenHoverProvider(tracker, decorations, settings, steering)));
  const check = new EndpointCheck(resolver, log, steering);
  const completions = new CompletionCommands({ tracker, journal, resolver, lifecycle, log, steering });
  const runDeps = { tracker, journal, resolver, lifecycle, log, settings, steering };
  const history = own(new RunHistoryService({ workspace: context.storageUri, global: context.globalStorageUri }, settings, journal));
  const restorer = own(new RunRestorer(history, tracker, settings, journal));
  const runsView = own(new RunsView(history));
  const runs = new RunCommands({ history, view: runsView, comparisons: own(new RunComparisons(restorer, tracker)), tracker, completions, settings });
  const promptFiles = own(new PromptFileFeature({ ...runDeps, context }));

  const inEditor = <T>(action: (editor: vscode.TextEditor) => T) => (): T | undefined => {
    const editor = vscode.window.activeTextEditor;
    return editor ? action(editor) : undefined;
  };
  const openLogged = (target?: unknown, options?: unknown) => openLoggedResponse(runDeps, target, options);
  const uncertain = (editor: vscode.TextEditor) => uncertainTokens(tracker, editor.document, settings.current.uncertainThreshold);
  const handlers: Record<CommandId, (...args: never[]) => unknown> = {
    [Commands.completeSelection]: () => completions.completeSelection(),
    [Commands.rerunLast]: () => completions.rerunLast(),
    [Commands.cancel]: (document?: vscode.TextDocument) => lifecycle.cancel(document ?? vscode.window.activeTextEditor?.document),
    [Commands.scoreSelection]: () => scoreSelection(runDeps),
    [Commands.openResponse]: openLogged,
    [Commands.openWith]: openLogged,
    [Commands.trySample]: () => openSample(runDeps, context.extensionUri),
    [Commands.nextUncertain]: inEditor((editor) => goToUncertain(editor, uncertain(editor), 1)),
    [Commands.previousUncertain]: inEditor((editor) => goToUncertain(editor, uncertain(editor), -1)),
    [Commands.listUncertain]: inEditor((editor) => pickUncertain(editor, uncertain(editor), describeUncertain(settings.current.colourBy, settings.current.uncertainThreshold))),
    [Commands.clearColours]: inEditor((editor) => tracker.clear(editor.document)),
    [Commands.toggleColours]: () => (decorations.visible = !decorations.visible),
    [Commands.showLegend]: () => showLegend(settings.current),
    [Commands.setApiKey]: () => profiles.setApiKey(),
    [Commands.clearApiKey]: () => profiles.clearApiKey(),
    [Commands.selectEndpoint]: () => profiles.select(),
    [Commands.checkEndpoint]: () => check.run(),
    [Commands.showLog]: () => log.show(),
    [Commands.sampleAnswers]: () => sampleAnswers(runDeps),
    [Commands.compareRuns]: () => runs.compareWith(undefined),
    [Commands.exportRun]: (target?: RunTarget) => runs.export(target),
    [Commands.showRun]: (runId?: string) => runs.showInView(runId),
    [Commands.clearHistory]: () => runs.clear(),
    [Commands.revealRunAnswer]: (target: RunTarget) => runs.revealAnswer(target),
    [Commands.openRun]: (target: RunTarget) => runs.open(target),
    [Commands.compareWithPrevious]: (target: RunTarget) => runs.compareWithPrevious(target),
    [Commands.compareWith]: (target: RunTarget, selected?: RunsViewNode[]) => runs.compareSelected(target, selected),
    [Commands.rerunRun]: (target: RunTarget) => runs.rerun(target),
    [Commands.deleteRun]: (target: RunTarget, selected?: RunsViewNode[]) => runs.delete(target, selected),
    [Commands.openInspector]: () => inspector.open(),
    [Commands.continueWith]: (...args: unknown[]) => steering.continueWith(...args),
    [Commands.ban]: (...args: unknown[]) => steering.ban(...args),
    [Commands.boost]: (...args: unknown[]) => steering.boost(...args),
    [Commands.inspectToken]: (...args: unknown[]) => steering.inspectToken(...args),
    [Commands.showLogitBias]: () => steering.showLogitBias(),
    [Commands.runPromptFile]: (uri?: unknown, caseIndex?: unknown) => promptFiles.run(uri, caseIndex),
    [Commands.classifySelection]: () => promptFiles.classify(),
    [Commands.showCalibration]: (uri?: unknown) => promptFiles.showCalibration(uri),
  };
  for (const [id, handler] of Object.entries(handlers)) own(vscode.commands.registerCommand(id, handler));

  const activationMs = performance.now() - began;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs, tracker, completions, history, restorer, runs, inspector, steering, journal, promptFiles,
    samples: (editor, count) => sampleAnswers(runDeps, editor, count),
    statusText: () => status.text,
    coloursVisible: () => decorations.visible,
    sdkLoaded: isClientLoaded,
    renderStats: () => ({ ...decorations.renderStats, recentMs: [...decorations.renderStats.recentMs] }),
    ...(testing ? { test: { logLines: lines, notifications, keys, runsView } } : {}),
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
