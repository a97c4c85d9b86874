import * as vscode from 'vscode';
import type { ColourMode } from '../core/buckets';
import { BUCKET_COUNT, bucketLabel, RANK_LABELS } from '../core/buckets';
import { formatPercent, formatPerplexity } from '../core/format';
import type { AnswerTracker, RunState } from './answerTracker';
import { Commands } from './commandIds';
import type { LensSettings } from './settings';

const STATE_NOTE: Record<RunState, string> = {
  streaming: 'streaming…',
  done: 'complete',
  truncated: 'truncated at max tokens',
  filtered: 'stopped by the content filter',
  cancelled: 'cancelled; partial answer kept',
  incomplete: 'incomplete: the stream broke',
  failed: 'failed',
};

/** The status bar summary of the last answer in the active document; a click lists its uncertain tokens. */
export class StatusSummary implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('logprobLens.summary', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor(private readonly tracker: AnswerTracker, private readonly settings: () => LensSettings) {
    this.item.name = 'Logprob Lens';
    this.item.command = Commands.listUncertain;
    tracker.onDidChange((document) => {
      if (vscode.window.activeTextEditor?.document === document) this.update();
    }, this, this.disposables);
    vscode.window.onDidChangeActiveTextEditor(() => this.update(), this, this.disposables);
    this.update();
  }

  /** The text shown, for tests and the log. */
  get text(): string {
    return this.item.text;
  }

  update(): void {
    const document = vscode.window.activeTextEditor?.document;
    const answers = document ? this.tracker.answers(document) : [];
    const last = answers.reduce<(typeof answers)[number] | undefined>((latest, tracked) => tracked, undefined);
    if (!last) {
      this.item.hide();
      return;
    }
    const { uncertainBelow, thresholds, colourBy } = this.settings();
    const stats = last.answer.stats(uncertainBelow);
    const icon = last.state === 'streaming' ? '$(loading~spin)' : last.state === 'done' ? '$(pulse)' : '$(warning)';
    this.item.text = stats.tokens === 0
      ? `${icon} no logprobs`
      : `${icon} ${stats.tokens} tok · ppl ${formatPerplexity(stats.perplexity)} · ${stats.uncertain} uncertain`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown('**Logprob Lens**: last answer in this document\n\n');
    tooltip.appendText(`${last.model} at ${last.host}: ${STATE_NOTE[last.state]}\n\n`);
    tooltip.appendMarkdown(`| | |\n|:--|--:|\n| tokens | ${stats.tokens} |\n| perplexity | ${formatPerplexity(stats.perplexity)} |\n`
      + `| mean probability | ${formatPercent(stats.meanProbability)} |\n| uncertain (below ${formatPercent(uncertainBelow)}) | ${stats.uncertain} |\n\n`);
    tooltip.appendMarkdown(`**Legend** (bucket: ${colourBy})\n\n${legendLines(thresholds, colourBy).join('  \n')}\n\n`);
    tooltip.appendMarkdown('Click to list the uncertain tokens.');
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** "0 · below 1 % (least certain)" lines, one per bucket (in rank mode, the five rank bands). */
export function legendLines(thresholds: readonly number[], mode: ColourMode = 'probability'): string[] {
  if (mode === 'rank') {
    return RANK_LABELS.map((label, bucket) => (label ? `${bucket} · ${label}` : '')).filter(Boolean).reverse();
  }
  return Array.from({ length: BUCKET_COUNT }, (_, bucket) => {
    const note = bucket === 0 ? ' (least certain, red)' : bucket === BUCKET_COUNT - 1 ? ' (most certain, faint green)' : '';
    return `${bucket} · ${bucketLabel(bucket, thresholds)}${note}`;
  });
}
