import * as vscode from 'vscode';
import type { HistoryLimits } from '../../core/runs/history';
import type { RunMeta, RunRecord } from '../../core/runs/runRecord';
import type { LensSettings } from '../../core/settings/snapshot';
import { Disposable } from '../lifetime';
import { showWarning } from '../notify';
import type { FilledAnswerEvent, RunJournal } from '../runs/journal';
import type { SettingsService } from '../settings';
import { answerRecord } from './answerRecord';
import { RunStore } from './runStore';

/** How many decoded records are kept at hand (a comparison needs two). */
const RECENT_RECORDS = 4;

/** Where the history of a window lives: the workspace's storage, and the global storage for the rest. */
export interface HistoryFolders {
  /** `context.storageUri`: undefined in a window without a folder. */
  readonly workspace: vscode.Uri | undefined;
  /** `context.globalStorageUri`: untitled documents and windows without a folder. */
  readonly global: vscode.Uri;
}

/**
 * Every run kept: each answer a run finishes is recorded (off the typing path, after its stream ended) in the
 * workspace's storage, or the global storage for untitled documents and windows without a folder. Prompts can be
 * sensitive: `logprobLens.history.enabled` turns recording off, Clear History deletes what was kept.
 */
export class RunHistoryService extends Disposable {
  private readonly stores: { readonly workspace: RunStore | undefined; readonly global: RunStore };
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when runs were added, removed or cleared. */
  readonly onDidChange = this.changed.event;
  private readonly warned = new Set<string>();
  private readonly recent = new Map<string, Promise<RunRecord | undefined>>();

  constructor(folders: HistoryFolders, private readonly settings: SettingsService, journal: RunJournal) {
    super();
    const limits = limitsOf(settings.current);
    const warn = (message: string): void => {
      if (this.warned.has(message)) return;
      this.warned.add(message);
      void showWarning(message);
    };
    this.stores = {
      workspace: folders.workspace ? new RunStore(vscode.Uri.joinPath(folders.workspace, 'runs'), limits, warn) : undefined,
      global: new RunStore(vscode.Uri.joinPath(folders.global, 'runs'), limits, warn),
    };
    void Promise.all(this.allStores().map((store) => store.whenReady())).then(() => this.changed.fire());
    this.register(journal.onDidFillAnswer((event) => setTimeout(() => void this.record(event), 0)));
    this.register(settings.onDidChange(({ before, after }) => {
      if (before.history.maxRuns === after.history.maxRuns && before.history.maxMegabytes === after.history.maxMegabytes) return;
      void Promise.all(this.allStores().map((store) => store.setLimits(limitsOf(after)))).then(() => this.changed.fire());
    }));
    this.register({ dispose: () => void Promise.all(this.allStores().map((store) => store.flush())) });
  }

  /** Resolves once every store has read its index. */
  async whenReady(): Promise<void> {
    await Promise.all(this.allStores().map((store) => store.whenReady()));
  }

  /** Every run, newest first. */
  list(): RunMeta[] {
    return this.allStores().flatMap((store) => store.history.list()).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** A document's runs, newest first. */
  forDocument(uri: string): RunMeta[] {
    return this.storeFor(uri).history.forDocument(uri);
  }

  get(id: string): RunMeta | undefined {
    return this.storeOf(id)?.history.get(id);
  }

  /** The latest earlier run of the same prompt (what a run's description compares with). */
  previousOfSamePrompt(meta: RunMeta): RunMeta | undefined {
    return this.storeFor(meta.document.uri).history.previousOfSamePrompt(meta);
  }

  /** A run's record. The last few read are kept: a comparison reads each run for the diff, its documents and colours. */
  async read(id: string): Promise<RunRecord | undefined> {
    const cached = this.recent.get(id);
    if (cached) return cached;
    const reading = this.storeOf(id)?.read(id) ?? Promise.resolve(undefined);
    this.recent.set(id, reading);
    if (this.recent.size > RECENT_RECORDS) this.recent.delete(this.recent.keys().next().value!);
    const record = await reading;
    if (!record) this.recent.delete(id);
    return record;
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.recent.delete(id);
    for (const store of this.allStores()) await store.remove(ids.filter((id) => store.history.get(id) !== undefined));
    this.changed.fire();
  }

  async clear(): Promise<void> {
    this.recent.clear();
    for (const store of this.allStores()) await store.clear();
    this.changed.fire();
  }

  /** Records one finished answer. A failed run (nothing arrived) is not kept; nothing is kept while recording is off. */
  private async record({ document, tracked, source, filled }: FilledAnswerEvent): Promise<void> {
    const { history, uncertainThreshold } = this.settings.current;
    if (!history.enabled || filled.outcome === 'failed' || document.isClosed) return;
    const record = answerRecord(document, tracked, {
      kind: source.kind, request: source.request, profile: source.profile, host: source.host, model: source.model,
      outcome: filled.outcome, createdAt: Date.now() - filled.totalMs, lineage: source.lineage,
      timings: { ...(filled.firstTokenMs !== undefined ? { firstTokenMs: filled.firstTokenMs } : {}), totalMs: filled.totalMs },
    }, uncertainThreshold);
    await this.add(record);
  }

  /** Keeps a record (made by the recorder, or imported). */
  async add(record: RunRecord): Promise<void> {
    await this.storeFor(record.document.uri).add(record);
    this.changed.fire();
  }

  private storeFor(documentUri: string): RunStore {
    const uri = vscode.Uri.parse(documentUri);
    const inWorkspace = uri.scheme !== 'untitled' && vscode.workspace.getWorkspaceFolder(uri) !== undefined;
    return (inWorkspace ? this.stores.workspace : undefined) ?? this.stores.global;
  }

  private storeOf(id: string): RunStore | undefined {
    return this.allStores().find((store) => store.history.get(id) !== undefined);
  }

  private allStores(): RunStore[] {
    return this.stores.workspace ? [this.stores.workspace, this.stores.global] : [this.stores.global];
  }
}

function limitsOf(settings: LensSettings): HistoryLimits {
  return { maxRuns: settings.history.maxRuns, maxMegabytes: settings.history.maxMegabytes };
}
