import * as vscode from 'vscode';
import { describeUncertain } from '../core/buckets';
import type { CommandId } from './commandIds';
import { Commands } from './commandIds';
import type { LazyCommands } from './commandsLoader';
import type { AnswerTracker } from './editor/answerTracker';
import type { ConfidenceDecorations } from './editor/decorations';
import { goToUncertain, pickUncertain, uncertainTokens } from './editor/navigation';
import { showLegend } from './editor/statusSummary';
import type { RunTarget } from './history/runCommands';
import type { RunsViewNode } from './history/runsView';
import type { RunLifecycle } from './runs/lifecycle';
import type { SettingsService } from './settings';
import type { Steering } from './steering/steering';

/** What the command handlers reach: the lazy command sets, and the few services a command uses directly. */
export interface CommandTableDeps {
  readonly lazy: LazyCommands;
  readonly tracker: AnswerTracker;
  readonly decorations: ConfidenceDecorations;
  readonly settings: SettingsService;
  readonly lifecycle: RunLifecycle;
  readonly steering: Steering;
  readonly log: vscode.LogOutputChannel;
}

/**
 * One handler per command id (the compiler insists on every id): the cheap ones run here, in the main bundle;
 * the others read their command set from `lazy`, which loads dist/commands.js on first use.
 */
export function commandHandlers({ lazy, tracker, decorations, settings, lifecycle, steering, log }: CommandTableDeps): Record<CommandId, (...args: never[]) => unknown> {
  const inEditor = <T>(action: (editor: vscode.TextEditor) => T) => (): T | undefined => {
    const editor = vscode.window.activeTextEditor;
    return editor ? action(editor) : undefined;
  };
  const uncertain = (editor: vscode.TextEditor) => uncertainTokens(tracker, editor.document, settings.current.uncertainThreshold);
  return {
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
    [Commands.showRun]: (runId?: unknown) => lazy.history.showInView(runId),
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
}
