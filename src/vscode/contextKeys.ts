import * as vscode from 'vscode';
import { ContextKeys as Keys } from './commandIds';
import type { AnswerTracker } from './editor/answerTracker';
import { Disposable } from './lifetime';
import type { RunLifecycle } from './runs/lifecycle';

/**
 * The one owner of the extension's context keys, each derived from state and set only when its value changes:
 * `running` while any run is under way, `runningHere` while one writes into (or was started from) the active
 * editor's document (Escape stops it there, and nowhere else), `hasColours` while that document has answers.
 */
export class ContextKeys extends Disposable {
  private readonly values = new Map<string, boolean>();

  constructor(private readonly tracker: AnswerTracker, private readonly lifecycle: RunLifecycle) {
    super();
    this.register(tracker.onDidChange(() => this.update()));
    this.register(lifecycle.onDidChange(() => this.update()));
    this.register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.update();
  }

  private update(): void {
    const document = vscode.window.activeTextEditor?.document;
    this.set(Keys.running, this.lifecycle.isRunning);
    this.set(Keys.runningHere, document !== undefined && this.lifecycle.isRunningFor(document));
    this.set(Keys.hasColours, document !== undefined && this.tracker.isTracked(document));
  }

  private set(key: string, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }
}
