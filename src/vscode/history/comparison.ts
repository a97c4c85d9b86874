import * as vscode from 'vscode';
import { formatLogprob, formatPercent, formatPerplexity, visibleToken } from '../../core/format';
import { codeSpan } from '../../core/hoverMarkdown';
import type { RunComparison } from '../../core/runs/compare';
import { runTime } from '../../core/runs/history';
import type { RunRecord } from '../../core/runs/runRecord';
import { placementOfToken } from '../../core/runs/runTokens';
import type { AnswerTracker } from '../editor/answerTracker';
import { Disposable } from '../lifetime';
import type { RunRestorer } from './restorer';
import { runDocumentUri } from './runDocuments';
import { loadRunTools } from './runToolsLoader';

/** What Compare Runs opened: the two documents and the comparison, for tests and scripts. */
export interface OpenedComparison {
  readonly left: vscode.Uri;
  readonly right: vscode.Uri;
  readonly comparison: RunComparison;
  readonly title: string;
}

/**
 * Compare Runs: VS Code's diff editor on two recorded answers, both sides coloured and hoverable (read-only run
 * documents), compared token by token. The first divergence is outlined on both sides, and its hover says what
 * each run chose there, how likely the other's choice was, and the comparison's figures.
 */
export class RunComparisons extends Disposable {
  private readonly divergenceMark = this.register(vscode.window.createTextEditorDecorationType({
    border: '1px solid',
    borderColor: new vscode.ThemeColor('editorInfo.foreground'),
    overviewRulerColor: new vscode.ThemeColor('editorInfo.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  }));
  /** The divergence range of each compared document. */
  private readonly marks = new Map<string, vscode.Range>();

  constructor(private readonly restorer: RunRestorer, private readonly tracker: AnswerTracker) {
    super();
    this.register(vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.mark(editor))));
  }

  async compare(left: RunRecord, right: RunRecord): Promise<OpenedComparison> {
    const comparison = loadRunTools().compareRuns(left, right);
    const leftUri = runDocumentUri(left);
    const rightUri = runDocumentUri(right);
    const title = `${left.endpoint.model} ${time(left)} ↔ ${right.endpoint.model} ${time(right)} · ppl ${formatPerplexity(left.metrics.perplexity)} → ${formatPerplexity(right.metrics.perplexity)}`;
    const documents = await Promise.all([leftUri, rightUri].map((uri) => vscode.workspace.openTextDocument(uri)));
    await Promise.all(documents.map((document) => this.restorer.restore(document)));
    const note = divergenceNote(left, right, comparison);
    for (const [document, record, token] of [[documents[0]!, left, comparison.divergence?.left], [documents[1]!, right, comparison.divergence?.right]] as const) {
      const tracked = this.tracker.answers(document).find((candidate) => candidate.id === record.id);
      if (!tracked) continue;
      const placement = token === undefined ? -1 : placementOfToken(record.placements, Math.min(token, record.tokens.count - 1));
      const at = placement >= 0 ? placement : Math.max(0, record.placements.count - 1);
      tracked.notes.set(at, note);
      const { start, end } = tracked.answer.store.placement(at);
      this.marks.set(document.uri.toString(), new vscode.Range(document.positionAt(start), document.positionAt(Math.max(end, start))));
      this.tracker.notify(document);
    }
    await vscode.commands.executeCommand('vscode.diff', leftUri, rightUri, title, { preview: false });
    for (const editor of vscode.window.visibleTextEditors) this.mark(editor);
    return { left: leftUri, right: rightUri, comparison, title };
  }

  private mark(editor: vscode.TextEditor): void {
    const range = this.marks.get(editor.document.uri.toString());
    if (range) editor.setDecorations(this.divergenceMark, [range]);
  }
}

function time(record: RunRecord): string {
  return runTime(record.createdAt, { locale: vscode.env.language });
}

/** The hover note of the divergence: what each run chose, how likely the other's choice was, and the figures. */
function divergenceNote(left: RunRecord, right: RunRecord, { divergence, summary }: RunComparison): string {
  const tools = loadRunTools();
  const token = (text: string | undefined): string => (text === undefined ? '_(the answer had ended)_' : codeSpan(visibleToken(text), false));
  const lines = divergence
    ? [
      `**First divergence** · token ${divergence.left + 1} of the left run, ${divergence.right + 1} of the right`,
      '',
      `Left chose ${token(divergence.leftToken)}; the right run gave it ${tools.describeOtherChoice(divergence.leftChoiceInRight)}.  `,
      `Right chose ${token(divergence.rightToken)}; the left run gave it ${tools.describeOtherChoice(divergence.rightChoiceInLeft)}.`,
    ]
    : ['**The two runs wrote the same tokens.**'];
  const row = (name: string, a: string, b: string): string => `| ${name} | ${a} | ${b} |`;
  lines.push('', '| | left | right |', '|:--|--:|--:|',
    row('tokens', `${summary.left.tokens}`, `${summary.right.tokens}`),
    row('perplexity', formatPerplexity(summary.left.perplexity), formatPerplexity(summary.right.perplexity)),
    row('mean probability', formatPercent(summary.left.meanProbability), formatPercent(summary.right.meanProbability)),
    '', `Common prefix: ${summary.commonPrefix.tokens} tokens (${summary.commonPrefix.characters} characters).`);
  if (summary.meanTvd !== undefined) lines.push(`Distance: ${summary.meanTvd.toFixed(3)} over ${summary.tvdTokens} aligned tokens, the ${tools.TVD_LABEL}.`);
  if (summary.alignment === 'ends') lines.push('The runs differ too much for a token-by-token alignment: only their common start and end are aligned.');
  lines.push('', `Left: ${codeSpan(left.endpoint.model, false)} · right: ${codeSpan(right.endpoint.model, false)} · logprob of the divergent tokens: `
    + `${formatLogprob(divergence ? logprobAt(left, divergence.left) : undefined)} / ${formatLogprob(divergence ? logprobAt(right, divergence.right) : undefined)}`);
  return lines.join('\n');
}

function logprobAt(record: RunRecord, token: number): number | undefined {
  const value = token < record.tokens.count ? record.tokens.logprob[token] : undefined;
  return value === undefined || Number.isNaN(value) ? undefined : value;
}
