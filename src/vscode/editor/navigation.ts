import * as vscode from 'vscode';
import { showInfo } from '../notify';
import { describeValue } from '../../core/buckets';
import { tokenLabel } from '../../core/untrusted';
import type { AnswerTracker } from './answerTracker';

/** An uncertain token as a document range, with what it said and its value in the colour mode. */
export interface UncertainToken {
  readonly range: vscode.Range;
  readonly token: string;
  /** "margin 3.2 points (near tie)" */
  readonly valueText: string;
}

/**
 * The uncertain tokens of a document in the colour mode (`threshold` is where "uncertain" starts in it), in text
 * order, still as the model wrote them.
 */
export function uncertainTokens(tracker: AnswerTracker, document: vscode.TextDocument, threshold: number): UncertainToken[] {
  const found: UncertainToken[] = [];
  for (const { answer } of tracker.answers(document)) {
    for (const placement of answer.uncertainPlacements(threshold)) {
      const { start, end } = answer.store.placement(placement);
      if (end > answer.length) continue;
      found.push({
        range: new vscode.Range(document.positionAt(answer.start + start), document.positionAt(answer.start + end)),
        token: answer.placementText(placement),
        valueText: describeValue(answer.colourMode, answer.placementReading(placement)!, threshold),
      });
    }
  }
  return found;
}

/** Moves the cursor to the next (or previous) uncertain token, wrapping around; returns where it went. */
export function goToUncertain(editor: vscode.TextEditor, tokens: readonly UncertainToken[], direction: 1 | -1): UncertainToken | undefined {
  if (tokens.length === 0) return undefined;
  // From the selection's start: after a jump the selection is the token, and the next one may start at its end.
  const from = editor.selection.start;
  const next = direction === 1
    ? tokens.find((token) => token.range.start.isAfter(from)) ?? tokens[0]
    : [...tokens].reverse().find((token) => token.range.start.isBefore(from)) ?? tokens.at(-1);
  if (next) reveal(editor, next);
  return next;
}

/** List Uncertain Tokens; `rule` says what uncertain means in the colour mode (`describeUncertain`). */
export async function pickUncertain(editor: vscode.TextEditor, tokens: readonly UncertainToken[], rule: string): Promise<UncertainToken | undefined> {
  if (tokens.length === 0) {
    void showInfo(`No token in this document is uncertain (${rule}).`);
    return undefined;
  }
  const items = tokens.map((token) => ({
    label: tokenLabel(token.token),
    description: token.valueText,
    detail: `line ${token.range.start.line + 1}, column ${token.range.start.character + 1}`,
    token,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Uncertain tokens (${rule})`,
    placeHolder: 'Pick a token to go to it',
    matchOnDescription: true,
  });
  if (picked) reveal(editor, picked.token);
  return picked?.token;
}

function reveal(editor: vscode.TextEditor, token: UncertainToken): void {
  editor.selection = new vscode.Selection(token.range.start, token.range.end);
  editor.revealRange(token.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
