import * as vscode from 'vscode';
import { isClientLoaded } from './vscode/clientLoader';
import type { CommandId } from './vscode/commandIds';
import { Commands } from './vscode/commandIds';
import { ContextKeys } from './vscode/contextKeys';
import { AnswerTracker } from './vscode/editor/answerTracker';
import { ConfidenceDecorations } from './vscode/editor/decorations';
import { TokenHoverProvider } from './vscode/editor/hoverProvider';
import { goToUncertain, pickUncertain, uncertainTokens } from './vscode/editor/navigation';
import { legendLines, StatusSummary } from './vscode/editor/statusSummary';
import { ApiKeys } from './vscode/endpoints/apiKeys';
import { EndpointCheck } from './vscode/endpoints/check';
import { FirstRun, localMachine } from './vscode/endpoints/firstRun';
import { ProfileStore } from './vscode/endpoints/profiles';
import { EndpointResolver } from './vscode/endpoints/resolver';
import { createLog } from './vscode/log';
import { PromptFileFeature } from './vscode/promptFiles/feature';
import { CompletionCommands } from './vscode/runs/completion';
import { RunJournal } from './vscode/runs/journal';
import { RunLifecycle } from './vscode/runs/lifecycle';
import { openSample, openLoggedResponse } from './vscode/runs/loggedResponses';
import { scoreSelection } from './vscode/runs/scoring';
import { SettingsService } from './vscode/settings';

/** What the extension exposes to tests (and other extensions): read-only views of its state. */
export interface LogprobLensApi {
  readonly tracker: AnswerTracker;
  readonly completions: CompletionCommands;
  readonly promptFiles: PromptFileFeature;
  readonly statusText: () => string;
  readonly coloursVisible: () => boolean;
  readonly sdkLoaded: () => boolean;
  /** Decoration render timings in the extension host: count, total, max and last, in ms. */
  readonly renderStats: () => ConfidenceDecorations['renderStats'];
  /** How long `activate()` took, in ms. */
  readonly activationMs: number;
  /** Only when VS Code runs the extension's tests: the log lines written, and the key store. */
  readonly test?: { readonly logLines: readonly string[]; readonly keys: ApiKeys };
}

export function activate(context: vscode.ExtensionContext): LogprobLensApi {
  const began = performance.now();
  const testing = context.extensionMode === vscode.ExtensionMode.Test;
  const own = <T extends vscode.Disposable>(disposable: T): T => (context.subscriptions.push(disposable), disposable);
  const { log, lines } = createLog(testing);
  own(log);
  const settings = own(new SettingsService());
  const tracker = own(new AnswerTracker(settings));
  const lifecycle = own(new RunLifecycle());
  const journal = own(new RunJournal());
  const decorations = own(new ConfidenceDecorations(tracker));
  const status = own(new StatusSummary(tracker, settings, lifecycle));
  own(new ContextKeys(tracker, lifecycle));
  own(vscode.languages.registerHoverProvider({ pattern: '**' }, new TokenHoverProvider(tracker, decorations)));

  const keys = new ApiKeys(context.secrets);
  const profiles = new ProfileStore(settings, keys);
  const firstRun = new FirstRun(profiles, settings, localMachine(context.extension.extensionKind, vscode.env.remoteName));
  const resolver = new EndpointResolver(settings, keys, () => firstRun.offer());
  const check = new EndpointCheck(resolver, log);
  const completions = new CompletionCommands({ tracker, journal, resolver, lifecycle, log });
  const runDeps = { tracker, journal, resolver, lifecycle, log, settings };
  const promptFiles = own(new PromptFileFeature({ ...runDeps, context }));

  const inEditor = <T>(action: (editor: vscode.TextEditor) => T) => (): T | undefined => {
    const editor = vscode.window.activeTextEditor;
    return editor ? action(editor) : undefined;
  };
  const uncertain = (editor: vscode.TextEditor) => uncertainTokens(tracker, editor.document, settings.current.uncertainThreshold);
  const handlers: Record<CommandId, (...args: never[]) => unknown> = {
    [Commands.completeSelection]: () => completions.completeSelection(),
    [Commands.rerunLast]: () => completions.rerunLast(),
    [Commands.cancel]: (document?: vscode.TextDocument) => lifecycle.cancel(document ?? vscode.window.activeTextEditor?.document),
    [Commands.scoreSelection]: () => scoreSelection(runDeps),
    [Commands.openResponse]: (uri?: vscode.Uri) => openLoggedResponse(runDeps, uri),
    [Commands.trySample]: () => openSample(runDeps, context.extensionUri),
    [Commands.nextUncertain]: inEditor((editor) => goToUncertain(editor, uncertain(editor), 1)),
    [Commands.previousUncertain]: inEditor((editor) => goToUncertain(editor, uncertain(editor), -1)),
    [Commands.listUncertain]: inEditor((editor) => pickUncertain(editor, uncertain(editor), settings.current.uncertainThreshold)),
    [Commands.clearColours]: inEditor((editor) => tracker.clear(editor.document)),
    [Commands.toggleColours]: () => (decorations.visible = !decorations.visible),
    [Commands.showLegend]: () => vscode.window.showQuickPick(legendLines(settings.current.thresholds, settings.current.colourBy), {
      title: 'Logprob Lens colour legend: bucket · probability of the token',
      placeHolder: 'Colours are theme colours logprobLens.confidence0 … 9; thresholds: logprobLens.bucketThresholds',
    }),
    [Commands.setApiKey]: () => profiles.setApiKey(),
    [Commands.clearApiKey]: () => profiles.clearApiKey(),
    [Commands.selectEndpoint]: () => profiles.select(),
    [Commands.checkEndpoint]: () => check.run(),
    [Commands.showLog]: () => log.show(),
    [Commands.runPromptFile]: (uri?: unknown, caseIndex?: unknown) => promptFiles.run(uri, caseIndex),
    [Commands.classifySelection]: () => promptFiles.classify(),
    [Commands.showCalibration]: (uri?: unknown) => promptFiles.showCalibration(uri),
  };
  for (const [id, handler] of Object.entries(handlers)) own(vscode.commands.registerCommand(id, handler));

  const activationMs = performance.now() - began;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs, tracker, completions, promptFiles,
    statusText: () => status.text,
    coloursVisible: () => decorations.visible,
    sdkLoaded: isClientLoaded,
    renderStats: () => ({ ...decorations.renderStats, recentMs: [...decorations.renderStats.recentMs] }),
    ...(testing ? { test: { logLines: lines, keys } } : {}),
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
