import * as vscode from 'vscode';
import { decodeRun, decodeRunMeta, encodeRun, RunDecodeError } from '../../core/runs/codec';
import type { HistoryEntry, HistoryLimits } from '../../core/runs/history';
import { RunHistory } from '../../core/runs/history';
import type { RunMeta, RunRecord } from '../../core/runs/runRecord';
import { metaOf, readRunMeta } from '../../core/runs/runRecord';
import { readBytes, replaceFile } from '../files';

const RUN_FILE = /^[0-9a-z]{9}-[0-9a-f]{12}\.llrun$/;
const INDEX = 'index.json';
/** The index is rewritten at most this often: adding a run writes its own file at once, the index a moment later. */
const INDEX_DELAY_MS = 500;

/**
 * One folder of recorded runs: a file per run (`<id>.llrun`, the binary codec) and `index.json` with every
 * run's metadata and size, so listing never reads a run. A missing or damaged index is rebuilt from the files;
 * a damaged or foreign file is skipped with one warning. Writes go to a temporary file first, then replace.
 */
export class RunStore {
  readonly history: RunHistory;
  private readonly ready: Promise<void>;
  private indexTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly folder: vscode.Uri,
    limits: HistoryLimits,
    /** Told once per load about files that could not be read, in words. */
    private readonly warn: (message: string) => void,
  ) {
    this.history = new RunHistory(limits);
    this.ready = this.load(limits);
  }

  /** Resolves once the index is read (never rejects: an unreadable folder is an empty history, with a warning). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  async add(record: RunRecord): Promise<void> {
    await this.ready;
    const bytes = encodeRun(record);
    await replaceFile(this.fileOf(record.id), bytes);
    await this.delete(this.history.add({ meta: metaOf(record), bytes: bytes.length }));
    this.scheduleIndex();
  }

  /** A run's whole record; undefined (and dropped from the index) when its file is gone or unreadable. */
  async read(id: string): Promise<RunRecord | undefined> {
    await this.ready;
    try {
      return decodeRun(await readBytes(this.fileOf(id)));
    } catch (error) {
      if (error instanceof RunDecodeError) this.warn(`The recorded run ${id} could not be read (${error.message}); it was removed from the history.`);
      this.history.remove(id);
      this.scheduleIndex();
      return undefined;
    }
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.ready;
    for (const id of ids) this.history.remove(id);
    await this.delete(ids);
    this.scheduleIndex();
  }

  async clear(): Promise<void> {
    await this.ready;
    await this.delete(this.history.clear());
    this.scheduleIndex();
  }

  async setLimits(limits: HistoryLimits): Promise<void> {
    await this.ready;
    await this.delete(this.history.setLimits(limits));
    this.scheduleIndex();
  }

  /** Writes a pending index now (on shutdown). */
  async flush(): Promise<void> {
    if (this.indexTimer === undefined) return;
    clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
    await this.writeIndex();
  }

  private async load(limits: HistoryLimits): Promise<void> {
    try {
      await vscode.workspace.fs.createDirectory(this.folder);
      const names = new Set((await vscode.workspace.fs.readDirectory(this.folder)).map(([name]) => name).filter((name) => RUN_FILE.test(name)));
      const indexed = await this.readIndex();
      const entries = indexed.filter((entry) => names.has(`${entry.meta.id}.llrun`));
      const known = new Set(entries.map((entry) => `${entry.meta.id}.llrun`));
      const unreadable: string[] = [];
      // Runs written after the last index (a window closed before the index was rewritten) are read back.
      for (const name of [...names].filter((file) => !known.has(file))) {
        const bytes = await readBytes(vscode.Uri.joinPath(this.folder, name));
        try {
          entries.push({ meta: decodeRunMeta(bytes), bytes: bytes.length });
        } catch (error) {
          unreadable.push(`${name} (${error instanceof Error ? error.message : String(error)})`);
        }
      }
      this.history.load(entries);
      if (unreadable.length > 0) this.warn(`${unreadable.length} recorded run${unreadable.length === 1 ? '' : 's'} could not be read and ${unreadable.length === 1 ? 'was' : 'were'} skipped: ${unreadable.slice(0, 3).join('; ')}.`);
      if (indexed.length !== entries.length || unreadable.length > 0) this.scheduleIndex();
      await this.delete(this.history.setLimits(limits));
    } catch (error) {
      this.warn(`The run history in ${this.folder.fsPath} could not be read: ${error instanceof Error ? error.message : String(error)}.`);
    }
  }

  private async readIndex(): Promise<HistoryEntry[]> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(await readBytes(vscode.Uri.joinPath(this.folder, INDEX))));
    } catch {
      return []; // none yet, or damaged: rebuilt from the files
    }
    const runs = (parsed as { runs?: unknown } | null)?.runs;
    if (!Array.isArray(runs)) return [];
    const entries: HistoryEntry[] = [];
    for (const item of runs) {
      const { meta, bytes } = (item ?? {}) as { meta?: unknown; bytes?: unknown };
      const read = readRunMeta(meta);
      if (typeof read === 'object' && typeof bytes === 'number' && Number.isFinite(bytes)) entries.push({ meta: read, bytes });
    }
    return entries;
  }

  private scheduleIndex(): void {
    if (this.indexTimer !== undefined) return;
    this.indexTimer = setTimeout(() => {
      this.indexTimer = undefined;
      void this.writeIndex();
    }, INDEX_DELAY_MS);
  }

  private async writeIndex(): Promise<void> {
    const runs = this.history.list().map((meta: RunMeta) => ({ meta, bytes: this.history.sizeOf(meta.id) }));
    try {
      await replaceFile(vscode.Uri.joinPath(this.folder, INDEX), new TextEncoder().encode(JSON.stringify({ version: 1, runs })));
    } catch (error) {
      this.warn(`The run history index could not be written: ${error instanceof Error ? error.message : String(error)}.`);
    }
  }

  private async delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) await vscode.workspace.fs.delete(this.fileOf(id)).then(undefined, () => undefined);
  }

  private fileOf(id: string): vscode.Uri {
    // Ids name files: anything but an id of ours could point outside the folder.
    if (!RUN_FILE.test(`${id}.llrun`)) throw new Error(`not a run id: ${JSON.stringify(id.slice(0, 40))}`);
    return vscode.Uri.joinPath(this.folder, `${id}.llrun`);
  }
}
