import type * as vscode from 'vscode';

/**
 * Runs an action at once, then at most once per interval: requests made within an interval run once at its end.
 * A held arrow key or a streaming answer costs a few updates, and the first of them is not delayed.
 */
export class Throttle implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending = false;

  constructor(private readonly action: () => void, private readonly intervalMs: number) {}

  request(): void {
    if (this.timer) {
      this.pending = true;
      return;
    }
    this.action();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.pending) return;
      this.pending = false;
      this.request();
    }, this.intervalMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
  }
}
