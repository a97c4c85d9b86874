import * as vscode from 'vscode';
import { showInfo } from '../notify';
import { formatPercent } from '../../core/format';
import { tokenLabel } from '../../core/untrusted';
import type { AnswerTracker } from './answerTracker';

/** An uncertain token as a document range, with what it said and how likely it was. */
export interface UncertainToken {
  readonly range: vscode.Range;
  readonly token: string;
  readonly probability: number;
}

/** The uncertain tokens of a document, in text order, still as the model wrote them. */
export function uncertainTokens(tracker: AnswerTracker, document: vscode.TextDocument, threshold: number): UncertainToken[] {
  const found: UncertainToken[] = [];
  for (const { answer } of tracker.answers(document)) {
    for (const placement of answer.uncertainPlacements(threshold)) {
      const { start, end, firstToken, tokenCount } = answer.store.placement(placement);
      if (end > answer.length) continue;
      let token = '';
      for (let i = firstToken; i < firstToken + tokenCount; i++) token += answer.store.token(i).token;
      found.push({
        range: new vscode.Range(document.positionAt(answer.start + start), document.positionAt(answer.start + end)),
        token,
        probability: Math.exp(answer.store.placementLogprob(placement) ?? Number.NEGATIVE_INFINITY),
      });
    }
  }
  return found;
}

/** Moves the cursor to the next (or previous) uncertain token, wrapping around; returns where it went. */
export function goToUncertain(editor: vscode.TextEditor, tokens: readonly UncertainToken[], direction: 1 | -1): UncertainToken | undefined {
  if (tokens.length === 0) return undefined;
  const cursor = editor.selection.active;
  const next = direction === 1
    ? tokens.find((token) => token.range.start.isAfter(cursor)) ?? tokens[0]
    : [...tokens].reverse().find((token) => token.range.start.isBefore(editor.selection.start)) ?? tokens.at(-1);
  if (next) reveal(editor, next);
  return next;
}

export async function pickUncertain(editor: vscode.TextEditor, tokens: readonly UncertainToken[], threshold: number): Promise<UncertainToken | undefined> {
  if (tokens.length === 0) {
    void showInfo(`No token in this document is below ${formatPercent(threshold)}.`);
    return undefined;
  }
  const items = tokens.map((token) => ({
    label: tokenLabel(token.token),
    description: formatPercent(token.probability),
    detail: `line ${token.range.start.line + 1}, column ${token.range.start.character + 1}`,
    token,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Uncertain tokens (below ${formatPercent(threshold)})`,
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
