import * as vscode from 'vscode';
import { isClientLoaded } from './vscode/clientLoader';
import { commandHandlers } from './vscode/commandTable';
import { isCommandsLoaded, LazyCommands } from './vscode/commandsLoader';
import { ContextKeys } from './vscode/contextKeys';
import { AnswerTracker } from './vscode/editor/answerTracker';
import { ConfidenceDecorations } from './vscode/editor/decorations';
import { TokenHoverProvider } from './vscode/editor/hoverProvider';
import { StatusSummary } from './vscode/editor/statusSummary';
import { ApiKeys } from './vscode/endpoints/apiKeys';
import { EndpointResolver } from './vscode/endpoints/resolver';
import { RunRestorer } from './vscode/history/restorer';
import { RunHistoryService } from './vscode/history/runHistory';
import { RunsView } from './vscode/history/runsView';
import { createLog } from './vscode/log';
import { keepNotifications } from './vscode/notify';
import { PromptFileFeature } from './vscode/promptFiles/feature';
import { RunJournal } from './vscode/runs/journal';
import { RunLifecycle } from './vscode/runs/lifecycle';
import { SettingsService } from './vscode/settings';
import { Steering } from './vscode/steering/steering';
import type { LogprobLensApi } from './vscode/api';

export type { LogprobLensApi } from './vscode/api';

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
  const history = own(new RunHistoryService({ workspace: context.storageUri, global: context.globalStorageUri }, settings, journal));
  own(vscode.languages.registerHoverProvider({ pattern: '**' }, new TokenHoverProvider(tracker, decorations, settings, steering, { has: (runId) => history.get(runId) !== undefined })));
  const restorer = own(new RunRestorer(history, tracker, settings, journal));
  const runsView = own(new RunsView(history));
  const promptFiles = own(new PromptFileFeature(context.workspaceState, settings));
  const lazy = own(new LazyCommands({ context, log, settings, tracker, journal, lifecycle, keys, resolver, steering, history, runsView, restorer, promptFiles }));

  const handlers = commandHandlers({ lazy, tracker, decorations, settings, lifecycle, steering, log });
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
