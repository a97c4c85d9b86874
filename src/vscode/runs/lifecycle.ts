import * as vscode from 'vscode';
import { Disposable } from '../lifetime';
import type { RunResult } from './result';
import { refuse } from './result';

/** What a run's work sees of the lifecycle. */
export interface RunContext {
  /** The request number in the log. */
  readonly id: number;
  /** Aborted when the run is stopped: Cancel, Escape, the tab closed, an edit inside the answer, Undo. */
  readonly signal: AbortSignal;
  /** Shows progress in the run's notification. */
  report(message: string): void;
  /** Stops the run, as a cancel does. */
  stop(): void;
}

interface ActiveRun {
  readonly controller: AbortController;
  /** The document the run was started from, when it writes into another (an answer in a new editor). */
  readonly origin: string | undefined;
  /** Whether a tab of the run's document was seen open: only then does its closing stop the run. */
  seenInTab: boolean;
  /** Settles when the run has ended (its last edit applied or dropped). */
  readonly ended: Promise<void>;
}

/**
 * The life of every run (completion, re-run, scoring, logged response, and later branches, samples and prompt
 * files): one run per document at a time, its abort controller, its cancellable progress notification, and the
 * stops that end it early. Whoever shows a run's state (the `running` context key, the status bar) listens here.
 */
export class RunLifecycle extends Disposable {
  private readonly active = new Map<string, ActiveRun>();
  private requestCount = 0;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when a run starts or ends. */
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    // Closing the last tab of a document stops its run (the document itself may live on a while). Only a tab
    // that was seen open counts as closed: the tab model can lag behind an editor that was just shown.
    this.register(vscode.window.tabGroups.onDidChangeTabs(() => {
      const open = openTabs();
      for (const [key, run] of this.active) {
        if (open.has(key)) run.seenInTab = true;
        else if (run.seenInTab) run.controller.abort();
      }
    }));
  }

  get isRunning(): boolean {
    return this.active.size > 0;
  }

  /** Whether a run writes into this document or was started from it. */
  isRunningFor(document: vscode.TextDocument): boolean {
    return this.runFor(document) !== undefined;
  }

  /** Stops the run of a document (or started from it), else the newest run; false when there was none. */
  /**
   * Stops the run of `document` (else the latest), and resolves once it has ended: an edit under way when the stop
   * came has landed, so the document is final when Cancel returns.
   */
  async cancel(document?: vscode.TextDocument): Promise<boolean> {
    const run = (document ? this.runFor(document) : undefined) ?? [...this.active.values()].at(-1);
    if (!run) return false;
    run.controller.abort();
    await run.ended;
    return true;
  }

  /**
   * Runs `work` as the one run of `document`, in a cancellable progress notification titled `title`. `origin` is
   * the document it was started from, if another: Escape there stops it too.
   */
  async run(document: vscode.TextDocument, title: string, work: (run: RunContext) => Promise<RunResult>, origin?: vscode.TextDocument): Promise<RunResult> {
    const key = document.uri.toString();
    if (this.active.has(key)) return refuse('Logprob Lens is already working in this document. Cancel it (Escape) before starting another.');
    const controller = new AbortController();
    let markEnded = (): void => undefined;
    const ended = new Promise<void>((resolve) => (markEnded = resolve));
    this.active.set(key, { controller, origin: origin === document ? undefined : origin?.uri.toString(), seenInTab: openTabs().has(key), ended });
    this.changed.fire();
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        return work({
          id: ++this.requestCount,
          signal: controller.signal,
          report: (message) => progress.report({ message }),
          stop: () => controller.abort(),
        });
      });
    } finally {
      this.active.delete(key);
      markEnded();
      this.changed.fire();
    }
  }

  private runFor(document: vscode.TextDocument): ActiveRun | undefined {
    const key = document.uri.toString();
    return this.active.get(key) ?? [...this.active.values()].find((run) => run.origin === key);
  }

  override dispose(): void {
    for (const run of this.active.values()) run.controller.abort();
    super.dispose();
  }
}

function openTabs(): Set<string> {
  return new Set(vscode.window.tabGroups.all.flatMap((group) => group.tabs)
    .map((tab) => (tab.input instanceof vscode.TabInputText ? tab.input.uri.toString() : ''))
    .filter(Boolean));
}
