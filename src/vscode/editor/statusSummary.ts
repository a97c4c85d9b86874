import * as vscode from 'vscode';
import type { ColourMode } from '../../core/buckets';
import { BUCKET_COUNT, describeUncertain, legendLabels, MODE_DEFAULTS } from '../../core/buckets';
import { formatPercent, formatPerplexity } from '../../core/format';
import { MODE_SETTINGS } from '../../core/settings/schema';
import type { LensSettings } from '../../core/settings/snapshot';
import type { RunState } from '../../core/runOutcome';
import { Commands } from '../commandIds';
import { Disposable } from '../lifetime';
import type { RunLifecycle } from '../runs/lifecycle';
import type { SettingsService } from '../settings';
import type { AnswerTracker } from './answerTracker';

const STATE_NOTE: Record<RunState, string> = {
  streaming: 'streaming…',
  done: 'complete',
  truncated: 'truncated at max tokens',
  filtered: 'stopped by the content filter',
  cancelled: 'cancelled; partial answer kept',
  incomplete: 'incomplete: the stream broke',
  failed: 'failed',
};

/** Statistics walk every token: while an answer streams or the user types, they are recomputed at most this often. */
const UPDATE_DELAY_MS = 100;

/** The status bar summary of the last answer in the active document; a click lists its uncertain tokens. */
export class StatusSummary extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('logprobLens.summary', vscode.StatusBarAlignment.Right, 100));
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly tracker: AnswerTracker, private readonly settings: SettingsService, lifecycle: RunLifecycle) {
    super();
    this.item.name = 'Logprob Lens';
    this.item.command = Commands.listUncertain;
    this.register(tracker.onDidChange((document) => {
      if (vscode.window.activeTextEditor?.document === document) this.scheduleUpdate();
    }));
    this.register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.register(settings.onDidChange(() => this.update()));
    // A run's start and end show at once; only the steps in between wait for the next update.
    this.register(lifecycle.onDidChange(() => this.update()));
    this.register({ dispose: () => clearTimeout(this.timer) });
    this.update();
  }

  /** The text shown, for tests and the log. */
  get text(): string {
    return this.item.text;
  }

  private scheduleUpdate(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, UPDATE_DELAY_MS);
  }

  private update(): void {
    const document = vscode.window.activeTextEditor?.document;
    const last = document ? this.tracker.answers(document).at(-1) : undefined;
    if (!last) {
      this.item.hide();
      return;
    }
    const { uncertainThreshold, thresholds, colourBy } = this.settings.current;
    const stats = last.answer.stats(uncertainThreshold);
    const icon = last.state === 'streaming' ? '$(loading~spin)' : last.state === 'done' ? '$(pulse)' : '$(warning)';
    this.item.text = stats.tokens === 0
      ? `${icon} no logprobs`
      : `${icon} ${stats.tokens} tok · ppl ${formatPerplexity(stats.perplexity)} · ${stats.uncertain} uncertain${colourBy === 'probability' ? '' : ` by ${colourBy}`}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown('**Logprob Lens**: last answer in this document\n\n');
    tooltip.appendText(`${last.model} at ${last.host}: ${STATE_NOTE[last.state]}\n\n`);
    tooltip.appendMarkdown(`| | |\n|:--|--:|\n| tokens | ${stats.tokens} |\n| perplexity | ${formatPerplexity(stats.perplexity)} |\n`
      + `| mean probability | ${formatPercent(stats.meanProbability)} |\n| uncertain (${describeUncertain(colourBy, uncertainThreshold)}) | ${stats.uncertain} |\n\n`);
    tooltip.appendMarkdown(`**Legend** (bucket: ${MODE_DEFAULTS[colourBy].title.toLowerCase()})\n\n${legendLines(thresholds, colourBy).join('  \n')}\n\n`);
    tooltip.appendMarkdown('Click to list the uncertain tokens.');
    this.item.tooltip = tooltip;
    this.item.show();
  }
}

/** "0 · 0–<2 points (near tie) (least certain, red)" lines, one per bucket the mode uses, bucket 0 first. */
function legendLines(thresholds: readonly number[], mode: ColourMode): string[] {
  return legendLabels(mode, thresholds).flatMap((label, bucket) => {
    if (!label) return [];
    const note = bucket === 0 ? ' (least certain, red)' : bucket === BUCKET_COUNT - 1 ? ' (most certain, faint green)' : '';
    return [`${bucket} · ${label}${note}`];
  });
}

/** Show Colour Legend: the colour mode's buckets, and the setting that moves them. */
export function showLegend({ colourBy, thresholds }: LensSettings): Thenable<string | undefined> {
  const setting = MODE_SETTINGS[colourBy]?.thresholds;
  return vscode.window.showQuickPick(legendLines(thresholds, colourBy), {
    title: `Logprob Lens colour legend: bucket · ${MODE_DEFAULTS[colourBy].title.toLowerCase()} (logprobLens.colourBy)`,
    placeHolder: `Colours are theme colours logprobLens.confidence0 … 9; ${setting ? `thresholds: logprobLens.${setting}` : 'rank has a fixed split'}`,
  });
}
