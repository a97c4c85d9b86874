import * as vscode from 'vscode';
import { describeValue } from '../../core/buckets';
import { hoverMarkdown } from '../../core/hoverMarkdown';
import type { SettingsService } from '../settings';
import type { AnswerTracker } from './answerTracker';
import type { ConfidenceDecorations } from './decorations';

/**
 * The one hover provider: finds the token under the mouse by binary search in the tracked answers (never a
 * `hoverMessage` per decoration). Model text is untrusted, so the markdown is neither trusted nor allowed HTML.
 */
export class TokenHoverProvider implements vscode.HoverProvider {
  constructor(private readonly tracker: AnswerTracker, private readonly decorations: ConfidenceDecorations, private readonly settings: SettingsService) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.decorations.visible || !this.tracker.isTracked(document)) return undefined;
    const hit = this.tracker.hit(document, document.offsetAt(position));
    if (!hit) return undefined;
    const { answer } = hit.tracked;
    const placement = answer.store.placement(hit.placement);
    const tokens = [];
    for (let i = placement.firstToken; i < placement.firstToken + placement.tokenCount; i++) tokens.push(answer.store.token(i));
    const reading = answer.colourMode === 'probability' ? undefined : answer.placementReading(hit.placement);
    const note = hit.tracked.notes.get(hit.placement);
    // A note (a comparison's divergence) is why the user hovers here: it comes first.
    const markdown = new vscode.MarkdownString((note ? `${note}\n\n---\n\n` : '')
      + hoverMarkdown(tokens, reading && describeValue(answer.colourMode, reading, this.settings.current.uncertainThreshold)));
    markdown.isTrusted = false;
    markdown.supportHtml = false;
    markdown.supportThemeIcons = false;
    const range = new vscode.Range(document.positionAt(answer.start + placement.start), document.positionAt(answer.start + placement.end));
    return new vscode.Hover(markdown, range);
  }
}
