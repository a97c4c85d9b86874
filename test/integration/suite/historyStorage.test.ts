import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../../src/core/runs/runRecord';
import { AnswerTracker } from '../../../src/vscode/editor/answerTracker';
import type { HistoryFolders } from '../../../src/vscode/history/runHistory';
import { RunHistoryService } from '../../../src/vscode/history/runHistory';
import { RunRestorer } from '../../../src/vscode/history/restorer';
import { RunJournal } from '../../../src/vscode/runs/journal';
import { SettingsService } from '../../../src/vscode/settings';
import { complete, editorWith, lens, notificationsFrom, PROMPT, replaySuite, waitFor } from './helpers';

/** Names a run file may have (`<base-36 time>-<12 hex>.llrun`, RUN_FILE in runStore.ts), so both are read at load. */
const CORRUPT = '000000001-0000000000aa.llrun';
const FOREIGN = '000000002-0000000000bb.llrun';

/** A run of the top-5 recording in a new document, and its record once the extension has kept it. */
async function recordedRun(): Promise<{ document: vscode.TextDocument; record: RunRecord }> {
  const api = await lens();
  const editor = await editorWith(PROMPT);
  assert.equal((await complete()).outcome, 'done');
  const [tracked] = api.tracker.answers(editor.document);
  await waitFor(`run ${tracked!.id} in the history`, () => api.history.get(tracked!.id) !== undefined);
  const record = await api.history.read(tracked!.id);
  assert.ok(record);
  return { document: editor.document, record };
}

/**
 * The extension reads its history folder once, at activation, and the harness cannot restart the extension host.
 * So these tests build the history as `activate()` does (a RunHistoryService over a workspace and a global
 * folder, with the restorer and a tracker), over folders of their own: once to write real runs, and once more,
 * as after a window reload, to read them back after foreign and damaged files were placed beside them.
 */
describe('the run history\'s storage folder, read as after a reload (issue 10)', () => {
  replaySuite();
  const disposables: vscode.Disposable[] = [];
  let storage: string;
  let folders: HistoryFolders;
  beforeEach(() => {
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-history-'));
    folders = { workspace: vscode.Uri.file(path.join(storage, 'workspace')), global: vscode.Uri.file(path.join(storage, 'global')) };
  });
  afterEach(async () => {
    for (const disposable of disposables.splice(0).reverse()) disposable.dispose();
    fs.rmSync(storage, { recursive: true, force: true });
    await (await lens()).history.clear();
  });

  /** One window's history over `folders`, as activate() builds it: the service, a tracker and the restorer. */
  function openWindow(): { history: RunHistoryService; tracker: AnswerTracker; restorer: RunRestorer; close(): void } {
    const settings = new SettingsService();
    const journal = new RunJournal();
    const history = new RunHistoryService(folders, settings, journal);
    const tracker = new AnswerTracker(settings);
    const restorer = new RunRestorer(history, tracker, settings, journal);
    const parts = [settings, journal, history, tracker, restorer];
    disposables.push(...parts);
    return { history, tracker, restorer, close: () => parts.reverse().forEach((part) => part.dispose()) };
  }

  it('skips a corrupt file and a foreign file with one warning, and still lists and restores the good runs', async () => {
    const runs = [await recordedRun(), await recordedRun()];
    const runsFolder = path.join(folders.workspace!.fsPath, 'runs');
    const index = path.join(runsFolder, 'index.json');
    // The first window keeps both runs, and its index is written when it closes.
    const first = openWindow();
    await first.history.whenReady();
    for (const { record } of runs) await first.history.add(record);
    first.close();
    await waitFor('the index of both runs', () => fs.existsSync(index) && runs.every(({ record }) => fs.readFileSync(index, 'utf8').includes(record.id)));

    // Bit rot in a copy of a run's metadata (byte 12 lies in its JSON, after the magic, version and length), a file
    // of another program under a run file's name, and a stray file under another name, which is not looked at.
    const damaged = fs.readFileSync(path.join(runsFolder, `${runs[0]!.record.id}.llrun`));
    damaged.writeUInt8(damaged.readUInt8(12) ^ 0x20, 12);
    fs.writeFileSync(path.join(runsFolder, CORRUPT), damaged);
    fs.writeFileSync(path.join(runsFolder, FOREIGN), '{"not": "a run"}');
    fs.writeFileSync(path.join(runsFolder, 'notes.txt'), 'kept by the user');

    const shown = await notificationsFrom();
    const { history, tracker, restorer } = openWindow();
    await history.whenReady();
    assert.deepEqual(history.list().map((meta) => meta.id), runs.map(({ record }) => record.id).reverse(), 'both good runs, newest first');
    for (const { document, record } of runs) {
      await restorer.restore(document);
      const restored = tracker.answers(document);
      assert.deepEqual(restored.map((tracked) => tracked.id), [record.id]);
      const live = (await lens()).tracker.answers(document)[0]!.answer;
      assert.deepEqual(Array.from({ length: 9 }, (_, i) => restored[0]!.answer.bucketOfPlacement(i)), Array.from({ length: 9 }, (_, i) => live.bucketOfPlacement(i)));
      assert.equal(restored[0]!.answer.start, live.start);
    }

    // The reasons are RunDecodeError's words (src/core/runs/codec.ts); the folder's listing order is the disk's.
    const skipped = [`${CORRUPT} (The run file's metadata fail their checksum.)`, `${FOREIGN} (This is not a Logprob Lens run file.)`];
    const warning = (parts: string[]): string => `warning: Logprob Lens: 2 recorded runs could not be read and were skipped: ${parts.join('; ')}.`;
    const said = shown();
    assert.equal(said.length, 1, said.join('\n'));
    assert.ok([warning(skipped), warning([...skipped].reverse())].includes(said[0]!), said[0]);
    assert.deepEqual(fs.readdirSync(runsFolder).filter((name) => !name.startsWith('index.json')).sort(),
      [CORRUPT, FOREIGN, ...runs.map(({ record }) => `${record.id}.llrun`), 'notes.txt'].sort(), 'skipped files are left alone, never deleted');
  });
});
