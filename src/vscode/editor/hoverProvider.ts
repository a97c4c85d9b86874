import * as vscode from 'vscode';
import { describeValue } from '../../core/buckets';
import { HOVER_ENABLED_COMMANDS, showRunLink } from '../../core/hoverActions';
import type { HoverRows } from '../../core/hoverMarkdown';
import { hoverMarkdown } from '../../core/hoverMarkdown';
import type { SettingsService } from '../settings';
import type { AnswerTracker } from './answerTracker';
import type { ConfidenceDecorations } from './decorations';
import type { TrackedAnswer } from './trackedAnswer';

/** The hover's steering notes and action links for the tokens of one placement (src/vscode/steering). */
export interface HoverSteering {
  hoverRows(tracked: TrackedAnswer, firstToken: number, tokenCount: number): HoverRows;
}

/** Whether the run history holds an answer's run (the hover then links to it in the Runs view). */
export interface HoverRuns {
  has(runId: string): boolean;
}

/**
 * The one hover provider: finds the token under the mouse by binary search in the tracked answers (never a
 * `hoverMessage` per decoration). Model text is untrusted: it only ever enters the markdown as code spans, HTML and
 * theme icons are off, and the only trusted links are our own commands (Continue, Ban, Boost, Inspect, Show in Runs view), whose
 * arguments the commands validate again.
 */
export class TokenHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly tracker: AnswerTracker,
    private readonly decorations: ConfidenceDecorations,
    private readonly settings: SettingsService,
    private readonly steering: HoverSteering,
    private readonly runs: HoverRuns,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.decorations.visible || !this.tracker.isTracked(document)) return undefined;
    const hit = this.tracker.hit(document, document.offsetAt(position));
    if (!hit) return undefined;
    const { answer } = hit.tracked;
    const placement = answer.store.placement(hit.placement);
    const tokens = [];
    for (let i = placement.firstToken; i < placement.firstToken + placement.tokenCount; i++) tokens.push(answer.store.token(i));
    const reading = answer.colourMode === 'probability' ? undefined : answer.placementReading(hit.placement);
    const colourValue = reading && describeValue(answer.colourMode, reading, this.settings.current.uncertainThreshold);
    const rows = this.steering.hoverRows(hit.tracked, placement.firstToken, placement.tokenCount);
    const note = hit.tracked.notes.get(hit.placement);
    // A note (a comparison's divergence) is why the user hovers here: it comes first.
    const runLink = this.runs.has(hit.tracked.id) ? showRunLink(hit.tracked.id) : undefined;
    const markdown = new vscode.MarkdownString((note ? `${note}\n\n---\n\n` : '') + hoverMarkdown(tokens, rows, colourValue) + (runLink ? `\n\n---\n\n${runLink}` : ''));
    markdown.isTrusted = { enabledCommands: [...HOVER_ENABLED_COMMANDS] };
    markdown.supportHtml = false;
    markdown.supportThemeIcons = false;
    const range = new vscode.Range(document.positionAt(answer.start + placement.start), document.positionAt(answer.start + placement.end));
    return new vscode.Hover(markdown, range);
  }
}
