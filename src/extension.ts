import * as vscode from 'vscode';
import { AnswerTracker } from './vscode/answerTracker';
import { ApiKeys } from './vscode/apiKeys';
import { isClientLoaded } from './vscode/clientLoader';
import { Commands, ContextKeys } from './vscode/commandIds';
import { ConfidenceDecorations } from './vscode/decorations';
import { EndpointCommands } from './vscode/endpoints';
import { TokenHoverProvider } from './vscode/hoverProvider';
import { goToUncertain, pickUncertain, uncertainTokens } from './vscode/navigation';
import { CompletionRunner } from './vscode/runner';
import { openSample, openSavedResponse } from './vscode/savedResponses';
import type { LensSettings } from './vscode/settings';
import { readSettings, SECTION } from './vscode/settings';
import { legendLines, StatusSummary } from './vscode/statusSummary';

/** What the extension exposes to tests (and other extensions): read-only views of its state. */
export interface LogprobLensApi {
  readonly tracker: AnswerTracker;
  readonly runner: CompletionRunner;
  readonly statusText: () => string;
  readonly coloursVisible: () => boolean;
  readonly sdkLoaded: () => boolean;
  /** Decoration render timings in the extension host: count, total, max and last, in ms. */
  readonly renderStats: () => Readonly<{ count: number; totalMs: number; maxMs: number; lastMs: number; recentMs: readonly number[] }>;
  /** How long `activate()` took, in ms. */
  readonly activationMs: number;
  /** Only when VS Code runs the extension's tests: the log lines written, and the key store. */
  readonly test?: { readonly logLines: readonly string[]; readonly keys: ApiKeys };
}

export function activate(context: vscode.ExtensionContext): LogprobLensApi {
  const activationBegan = performance.now();
  const log = vscode.window.createOutputChannel('Logprob Lens', { log: true });
  const testing = context.extensionMode === vscode.ExtensionMode.Test;
  const logLines: string[] = [];
  if (testing) recordLines(log, logLines);
  let settings: LensSettings = readSettings();
  const tracker = new AnswerTracker();
  const decorations = new ConfidenceDecorations(tracker);
  const keys = new ApiKeys(context.secrets);
  // Requests read the settings afresh: a profile added a moment ago (first run) must be the one used.
  const endpoints: EndpointCommands = new EndpointCommands(keys, readSettings, () => runner, log);
  const runner = new CompletionRunner({ tracker, decorations, keys, log, settings: readSettings, firstRun: () => endpoints.firstRun() });
  const status = new StatusSummary(tracker, () => settings);
  context.subscriptions.push(log, tracker, decorations, runner, status);

  context.subscriptions.push(
    vscode.languages.registerHoverProvider({ pattern: '**' }, new TokenHoverProvider(tracker, decorations)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      const before = settings;
      settings = readSettings();
      if (before.thresholds.join() !== settings.thresholds.join() || before.colourBy !== settings.colourBy) {
        for (const document of vscode.workspace.textDocuments) {
          for (const tracked of tracker.answers(document)) tracked.answer.setColouring(settings.thresholds, settings.colourBy);
          tracker.notify(document);
        }
      }
      status.update();
    }),
  );

  const withEditor = <T>(action: (editor: vscode.TextEditor) => T): T | undefined => {
    const editor = vscode.window.activeTextEditor;
    return editor ? action(editor) : undefined;
  };
  const register = (id: string, handler: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  };

  register(Commands.completeSelection, () => runner.completeSelection());
  register(Commands.rerunLast, () => runner.rerunLast());
  register(Commands.cancel, (document?: vscode.TextDocument) => runner.cancel(document));
  register(Commands.nextUncertain, () => withEditor((editor) => goToUncertain(editor, uncertainTokens(tracker, editor.document, settings.uncertainBelow), 1)));
  register(Commands.previousUncertain, () => withEditor((editor) => goToUncertain(editor, uncertainTokens(tracker, editor.document, settings.uncertainBelow), -1)));
  register(Commands.listUncertain, () => withEditor((editor) => pickUncertain(editor, uncertainTokens(tracker, editor.document, settings.uncertainBelow), settings.uncertainBelow)));
  register(Commands.clearColours, () => withEditor((editor) => {
    tracker.clear(editor.document);
    void vscode.commands.executeCommand('setContext', ContextKeys.hasColours, false);
    return true;
  }));
  register(Commands.toggleColours, () => {
    decorations.visible = !decorations.visible;
    return decorations.visible;
  });
  register(Commands.showLegend, () => vscode.window.showQuickPick(legendLines(settings.thresholds, settings.colourBy), {
    title: 'Logprob Lens colour legend: bucket · probability of the token',
    placeHolder: 'Colours are theme colours logprobLens.confidence0 … 9; thresholds: logprobLens.bucketThresholds',
  }));
  register(Commands.setApiKey, () => endpoints.setApiKey());
  register(Commands.clearApiKey, () => endpoints.clearApiKey());
  register(Commands.selectEndpoint, () => endpoints.selectEndpoint());
  register(Commands.checkEndpoint, () => endpoints.checkEndpoint());
  register(Commands.scoreSelection, () => runner.scoreSelection());
  register(Commands.openResponse, (uri?: vscode.Uri) => openSavedResponse(runner, uri));
  register(Commands.trySample, () => openSample(runner, context.extensionUri));
  register(Commands.showLog, () => log.show());

  const activationMs = performance.now() - activationBegan;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    tracker,
    runner,
    statusText: () => status.text,
    coloursVisible: () => decorations.visible,
    sdkLoaded: isClientLoaded,
    renderStats: () => ({ ...decorations.renderStats, recentMs: [...decorations.renderStats.recentMs] }),
    ...(testing ? { test: { logLines, keys } } : {}),
  };
}

/** Keeps a copy of every line written to the log, so tests can check that no key ever reaches it. */
function recordLines(log: vscode.LogOutputChannel, lines: string[]): void {
  for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) {
    const write = log[level].bind(log) as (message: string | Error, ...args: unknown[]) => void;
    log[level] = ((message: string | Error, ...args: unknown[]) => {
      lines.push(`${level}: ${String(message)} ${args.map(String).join(' ')}`);
      write(message, ...args);
    }) as typeof log.info;
  }
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
