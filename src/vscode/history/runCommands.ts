import * as vscode from 'vscode';
import { runLabel } from '../../core/runs/history';
import type { RunMeta, RunRecord } from '../../core/runs/runRecord';
import { literalLabel } from '../../core/untrusted';
import type { AnswerTracker } from '../editor/answerTracker';
import { writeBytes } from '../files';
import type { TrackedAnswer } from '../editor/trackedAnswer';
import { confirm, showError, showInfo } from '../notify';
import type { CompletionCommands } from '../runs/completion';
import type { RunResult } from '../runs/result';
import { refuse } from '../runs/result';
import type { SettingsService } from '../settings';
import type { OpenedComparison, RunComparisons } from './comparison';
import type { RunHistoryService } from './runHistory';
import { answerRecord } from './answerRecord';
import type { RunsView, RunsViewNode } from './runsView';
import { runDocumentUri } from './runDocuments';
import { loadRunTools } from './runToolsLoader';

/** A run as commands receive it: a Runs view row, a run id, or nothing (the answer at the cursor). */
export type RunTarget = RunsViewNode | string | undefined;

type ExportFormat = 'json' | 'csv' | 'html';

const EXPORTS: Record<ExportFormat, { readonly label: string; readonly detail: string; readonly filter: string }> = {
  html: { label: 'HTML page', detail: 'one self-contained file that opens in any browser, offline: coloured answer, alternatives on hover', filter: 'HTML' },
  json: { label: 'JSON', detail: 'lossless; Open Logprobs Response reopens it with the same text, colours and hovers', filter: 'JSON' },
  csv: { label: 'CSV', detail: 'one row per token: offsets, token, logprob, probability, rank, entropy, alternatives', filter: 'CSV' },
};

export interface RunCommandsDeps {
  readonly history: RunHistoryService;
  readonly view: RunsView;
  readonly comparisons: RunComparisons;
  readonly tracker: AnswerTracker;
  readonly completions: CompletionCommands;
  readonly settings: SettingsService;
}

/** What can be done with a recorded run, from the Runs view or for the answer at the cursor. */
export class RunCommands {
  constructor(private readonly deps: RunCommandsDeps) {}

  /** Shows the answer where it is: selected in its document when it is still there, else its read-only copy. */
  async revealAnswer(target: RunTarget): Promise<boolean> {
    const meta = this.metaOf(target);
    if (!meta) return false;
    const uri = vscode.Uri.parse(meta.document.uri);
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === meta.document.uri);
    const document = open ?? await vscode.workspace.openTextDocument(uri).then((opened) => opened, () => undefined);
    const tracked = document ? this.trackedIn(document, meta.id) : undefined;
    if (!document || !tracked) return this.open(target);
    const range = new vscode.Range(document.positionAt(tracked.answer.start), document.positionAt(tracked.answer.end));
    await vscode.window.showTextDocument(document, { selection: range, preview: false });
    return true;
  }

  /** Opens the run's answer as a read-only coloured document. */
  async open(target: RunTarget): Promise<boolean> {
    const record = await this.recordOf(target);
    if (!record) return false;
    await vscode.window.showTextDocument(runDocumentUri(record), { preview: false });
    return true;
  }

  async compareWithPrevious(target: RunTarget): Promise<OpenedComparison | undefined> {
    const meta = this.metaOf(target);
    const previous = meta && this.deps.history.previousOfSamePrompt(meta);
    if (!meta || !previous) {
      void showInfo('This run has no earlier run of the same prompt to compare with.');
      return undefined;
    }
    return this.compare(previous.id, meta.id);
  }

  /** Compare with another run, picked from the history (or, from the palette, two runs picked one after the other). */
  async compareWith(target: RunTarget): Promise<OpenedComparison | undefined> {
    const first = this.metaOf(target) ?? await this.pick('Compare Runs: the first run (left)');
    const second = first && await this.pick(`Compare with: ${runLabel(first)}`, first.id);
    return first && second ? this.compare(first.id, second.id) : undefined;
  }

  /** Compare the two runs selected in the Runs view (or pick). */
  async compareSelected(clicked: RunTarget, selected?: readonly RunsViewNode[]): Promise<OpenedComparison | undefined> {
    const runs = (selected ?? []).filter((node): node is Extract<RunsViewNode, { type: 'run' }> => node.type === 'run');
    if (runs.length === 2) return this.compare(runs[0]!.meta.id, runs[1]!.meta.id);
    return this.compareWith(clicked);
  }

  async compare(leftId: string, rightId: string): Promise<OpenedComparison | undefined> {
    const [left, right] = await Promise.all([this.deps.history.read(leftId), this.deps.history.read(rightId)]);
    if (!left || !right) {
      void showError('One of the two runs is no longer in the history.');
      return undefined;
    }
    return this.deps.comparisons.compare(left, right);
  }

  /** Re-runs a recorded request (its messages and settings) on the endpoint in use. */
  async rerun(target: RunTarget): Promise<RunResult> {
    const record = await this.recordOf(target);
    if (!record) return refuse('Pick a run in the Runs view first.');
    if (record.request.messages.length === 0) return refuse('This run came from a saved response: there is no request to send again.');
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === record.document.uri);
    const after = document ? this.trackedIn(document, record.id) : undefined;
    return this.deps.completions.rerunRecorded(record.request, document, after);
  }

  /** Export a run to a file: lossless JSON, CSV for spreadsheets, or a self-contained HTML page. */
  async export(target: RunTarget, format?: ExportFormat, destination?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const record = await this.recordOf(target);
    if (!record) return undefined;
    const chosen = format ?? (await vscode.window.showQuickPick(
      (Object.keys(EXPORTS) as ExportFormat[]).map((id) => ({ id, label: EXPORTS[id].label, detail: EXPORTS[id].detail })),
      { title: `Export ${literalLabel(runLabel(record))}` },
    ))?.id;
    if (!chosen) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${record.endpoint.model || 'run'}-${new Date(record.createdAt).toISOString().slice(0, 19).replace(/[:T]/g, '-')}.${chosen}`.replace(/[/\\?%*|"<>]/g, '-');
    const file = destination ?? await vscode.window.showSaveDialog({
      title: `Export the run as ${EXPORTS[chosen].label}`,
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      filters: { [EXPORTS[chosen].filter]: [chosen] },
    });
    if (!file) return undefined;
    const tools = loadRunTools();
    const { thresholds } = this.deps.settings.current;
    const text = chosen === 'json' ? tools.runToJson(record) : chosen === 'csv' ? tools.runToCsv(record) : tools.runToHtml(record, { thresholds });
    await writeBytes(file, new TextEncoder().encode(text));
    if (!destination) void showInfo(`Exported to ${file.path.split('/').pop() ?? 'the file'}.`);
    return file;
  }

  async delete(target: RunTarget, selected?: readonly RunsViewNode[]): Promise<number> {
    const ids = [...new Set([...(selected ?? []), ...(typeof target === 'object' ? [target] : [])].flatMap((node) => idsOf(node)))];
    const single = this.metaOf(target);
    if (ids.length === 0 && single) ids.push(single.id);
    await this.deps.history.remove(ids);
    return ids.length;
  }

  async clear(): Promise<boolean> {
    const count = this.deps.history.list().length;
    if (count === 0) return false;
    if (!await confirm(`Delete all ${count} recorded runs of Logprob Lens? Their answers stay in your documents, uncoloured after a reload.`, 'Delete All')) return false;
    await this.deps.history.clear();
    return true;
  }

  /** Reveals the run of the answer at the cursor in the Runs view. */
  async showInView(runId?: unknown): Promise<boolean> {
    // From the hover's link (an id), or the palette (none: the answer at the cursor).
    const id = typeof runId === 'string' ? runId : this.answerAtCursor()?.id;
    if (!id) return false;
    await vscode.commands.executeCommand('logprobLens.runs.focus');
    const shown = await this.deps.view.reveal(id);
    if (!shown) void showInfo(this.deps.settings.current.history.enabled ? 'This answer is not in the run history (yet).' : 'The run history is off (logprobLens.history.enabled).');
    return shown;
  }

  private metaOf(target: RunTarget): RunMeta | undefined {
    if (typeof target === 'string') return this.deps.history.get(target);
    if (target?.type === 'run') return target.meta;
    if (target?.type === 'group') return target.node.newest;
    const tracked = this.answerAtCursor();
    return tracked ? this.deps.history.get(tracked.id) : undefined;
  }

  /** The run's record: from the history, or, for an answer the history does not hold, made from the answer itself. */
  private async recordOf(target: RunTarget): Promise<RunRecord | undefined> {
    const meta = this.metaOf(target);
    if (meta) return this.deps.history.read(meta.id);
    const editor = vscode.window.activeTextEditor;
    const tracked = this.answerAtCursor();
    if (!editor || !tracked) {
      void showInfo('Put the cursor on a coloured answer, or pick a run in the Runs view.');
      return undefined;
    }
    // Not in the history (recording is off, or it was cleared): its own request is unknown, the prompt stands for it.
    const request = { messages: tracked.prompt ? [{ role: 'user' as const, content: tracked.prompt }] : [], topLogprobs: 0, sampling: {} };
    const outcome = tracked.state === 'streaming' ? 'incomplete' : tracked.state;
    return answerRecord(editor.document, tracked, { kind: 'completion', request: { apiStyle: 'chat', model: tracked.model, ...request }, host: tracked.host, model: tracked.model, outcome }, this.deps.settings.current.uncertainThreshold);
  }

  private answerAtCursor(): TrackedAnswer | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const offset = editor.document.offsetAt(editor.selection.active);
    return this.deps.tracker.answers(editor.document).find(({ answer }) => offset >= answer.start && offset <= answer.end);
  }

  private trackedIn(document: vscode.TextDocument, id: string): TrackedAnswer | undefined {
    return this.deps.tracker.answers(document).find((tracked) => tracked.id === id);
  }

  private async pick(title: string, except?: string): Promise<RunMeta | undefined> {
    const items = this.deps.history.list().filter((meta) => meta.id !== except)
      .map((meta) => ({ label: literalLabel(runLabel(meta, { locale: vscode.env.language })), description: literalLabel(meta.document.name), meta }));
    if (items.length === 0) {
      void showInfo('There is no other run in the history to compare with.');
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { title, matchOnDescription: true }))?.meta;
  }
}

function idsOf(node: RunsViewNode): string[] {
  if (node.type === 'run') return [node.meta.id, ...node.node.branches.flatMap((branch) => (branch.type === 'run' ? [branch.meta.id] : []))];
  if (node.type === 'group') return node.node.members.flatMap((member) => (member.type === 'run' ? [member.meta.id] : []));
  return node.document.runs.flatMap((run) => (run.type === 'run' ? [run.meta.id] : run.members.flatMap((member) => (member.type === 'run' ? [member.meta.id] : []))));
}
