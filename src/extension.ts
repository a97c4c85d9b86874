import * as vscode from 'vscode';
import { checkBaseUrl } from './core/endpoint';
import { AnswerTracker } from './vscode/answerTracker';
import { ApiKeys } from './vscode/apiKeys';
import { isClientLoaded } from './vscode/clientLoader';
import { Commands, ContextKeys } from './vscode/commandIds';
import { ConfidenceDecorations } from './vscode/decorations';
import { TokenHoverProvider } from './vscode/hoverProvider';
import { goToUncertain, pickUncertain, uncertainTokens } from './vscode/navigation';
import { CompletionRunner } from './vscode/runner';
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
}

export function activate(context: vscode.ExtensionContext): LogprobLensApi {
  const log = vscode.window.createOutputChannel('Logprob Lens', { log: true });
  let settings: LensSettings = readSettings();
  const tracker = new AnswerTracker();
  const decorations = new ConfidenceDecorations(tracker);
  const keys = new ApiKeys(context.secrets);
  const runner = new CompletionRunner({ tracker, decorations, keys, log, settings: () => settings });
  const status = new StatusSummary(tracker, () => settings);
  context.subscriptions.push(log, tracker, decorations, runner, status);

  context.subscriptions.push(
    vscode.languages.registerHoverProvider({ pattern: '**' }, new TokenHoverProvider(tracker, decorations)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      const before = settings;
      settings = readSettings();
      if (before.thresholds.join() !== settings.thresholds.join()) {
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
  register(Commands.cancel, () => runner.cancel());
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
  register(Commands.showLegend, () => vscode.window.showQuickPick(legendLines(settings.thresholds), {
    title: 'Logprob Lens colour legend: bucket · probability of the token',
    placeHolder: 'Colours are theme colours logprobLens.confidence0 … 9; thresholds: logprobLens.bucketThresholds',
  }));
  register(Commands.setApiKey, async () => {
    const checked = checkBaseUrl(settings.baseUrl);
    if ('problem' in checked) return void vscode.window.showErrorMessage(`Logprob Lens: ${checked.problem}`);
    const key = await vscode.window.showInputBox({
      title: `API key for ${checked.url.origin}`,
      prompt: 'Stored in VS Code\'s secret storage for this host only; never in settings or logs.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length === 0 ? 'Enter a key, or press Escape.' : /\s/.test(value.trim()) ? 'A key has no spaces.' : undefined),
    });
    if (key === undefined) return false;
    await keys.set(checked.url.origin, key.trim());
    void vscode.window.showInformationMessage(`Logprob Lens: key saved for ${checked.url.host}.`);
    return true;
  });
  register(Commands.clearApiKey, async () => {
    const checked = checkBaseUrl(settings.baseUrl);
    if ('problem' in checked) return void vscode.window.showErrorMessage(`Logprob Lens: ${checked.problem}`);
    await keys.clear(checked.url.origin);
    void vscode.window.showInformationMessage(`Logprob Lens: key removed for ${checked.url.host}.`);
    return true;
  });
  register(Commands.showLog, () => log.show());

  return {
    tracker,
    runner,
    statusText: () => status.text,
    coloursVisible: () => decorations.visible,
    sdkLoaded: isClientLoaded,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
