import * as vscode from 'vscode';
import { formatPercent } from '../../core/format';
import type { BranchOutput } from '../../core/hoverActions';
import { parseActionArgs, staleReason } from '../../core/hoverActions';
import { rankedAlternatives } from '../../core/hoverMarkdown';
import type { StoredToken } from '../../core/tokenStore';
import { tokenLabel } from '../../core/untrusted';
import type { AnswerTracker } from '../editor/answerTracker';
import type { TrackedAnswer } from '../editor/trackedAnswer';

/** A token of a tracked answer that an action acts on: the token itself, or one of its alternatives. */
export interface TokenTarget {
  readonly document: vscode.TextDocument;
  readonly tracked: TrackedAnswer;
  /** Index in the answer's store. */
  readonly token: number;
  readonly stored: StoredToken;
  /** Index into `stored.alternatives`; undefined for the token itself. */
  readonly alternative: number | undefined;
  /** The placement holding the token, still as the model wrote it. */
  readonly placement: number;
  /** Continue only: where the branch goes, when the link or the pick said. */
  readonly output?: BranchOutput | undefined;
}

/**
 * What a hover link's argument points at, checked against what the tracker holds now; the reason when it cannot
 * be acted on (malformed, or stale: the answer edited, cleared or closed, the token's text changed).
 */
export function targetOfLink(tracker: AnswerTracker, raw: unknown): TokenTarget | string {
  const args = parseActionArgs(raw);
  if (args === undefined) return 'That link is not one Logprob Lens made: hover the token again.';
  const found = findAnswer(tracker, args.answer);
  const store = found?.tracked.answer.store;
  const stored = store && args.token < store.tokenCount ? store.token(args.token) : undefined;
  const alternativeText = args.alternative === undefined ? undefined : stored?.alternatives[args.alternative]?.token;
  const stale = staleReason(args, stored && { tokenText: stored.token, alternativeText });
  if (stale !== undefined) return stale;
  const placement = store!.placementOfToken(args.token);
  if (placement < 0 || !store!.isValid(placement)) return 'That token was edited since the hover was shown: its text is no longer the model\'s.';
  return { ...found!, token: args.token, stored: stored!, alternative: args.alternative, placement, output: args.output };
}

/** The tracked answer with this id, in whichever open document holds it. */
function findAnswer(tracker: AnswerTracker, id: string): { document: vscode.TextDocument; tracked: TrackedAnswer } | undefined {
  for (const document of vscode.workspace.textDocuments) {
    const tracked = tracker.answers(document).find((candidate) => candidate.id === id);
    if (tracked) return { document, tracked };
  }
  return undefined;
}

/** The token under the cursor of the active editor (the first of its placement), or why there is none. */
export function tokenAtCursor(tracker: AnswerTracker): Omit<TokenTarget, 'alternative'> | string {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return 'Open a document with a coloured answer and put the cursor on a token.';
  const { document } = editor;
  const hit = tracker.hit(document, document.offsetAt(editor.selection.active));
  if (!hit) return 'Put the cursor on a coloured token of an answer first.';
  const { firstToken } = hit.tracked.answer.store.placement(hit.placement);
  return { document, tracked: hit.tracked, token: firstToken, stored: hit.tracked.answer.store.token(firstToken), placement: hit.placement };
}

/** What the keyboard picker offers: the token itself first, then its alternatives by probability. */
export interface PickedAlternative {
  readonly alternative: number | undefined;
  readonly output?: BranchOutput | undefined;
}

/**
 * Asks which of the token and its alternatives to act on (labels through `tokenLabel`: model text). With
 * `outputs`, each row also has a button for the branch output other than the setting's.
 */
export async function pickAlternative(stored: StoredToken, title: string, outputs?: { readonly preferred: BranchOutput }): Promise<PickedAlternative | undefined> {
  type Item = vscode.QuickPickItem & { readonly alternative: number | undefined };
  const other: BranchOutput | undefined = outputs && (outputs.preferred === 'replace' ? 'beside' : 'replace');
  const buttons = other ? [{ iconPath: new vscode.ThemeIcon(other === 'beside' ? 'split-horizontal' : 'replace'), tooltip: other === 'beside' ? 'In a new editor beside' : 'In place of the rest of the answer' }] : [];
  const items: Item[] = [
    { label: tokenLabel(stored.token), description: `${formatPercent(stored.logprob === undefined ? undefined : Math.exp(stored.logprob))} · the model's choice`, alternative: undefined, buttons },
    ...rankedAlternatives(stored.alternatives).filter(({ alternative }) => alternative.token !== stored.token)
      .map(({ alternative, index }): Item => ({ label: tokenLabel(alternative.token), description: formatPercent(Math.exp(alternative.logprob)), alternative: index, buttons })),
  ];
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = title;
  pick.placeholder = outputs ? `Enter: ${outputs.preferred === 'replace' ? 'in place' : 'beside'}; the button: ${other === 'beside' ? 'beside' : 'in place'}` : 'Pick the token';
  pick.items = items;
  pick.matchOnDescription = true;
  return new Promise<PickedAlternative | undefined>((resolve) => {
    let done = false;
    const finish = (picked: PickedAlternative | undefined): void => {
      if (done) return;
      done = true;
      resolve(picked);
      pick.dispose();
    };
    pick.onDidAccept(() => finish(pick.selectedItems[0] && { alternative: pick.selectedItems[0].alternative, output: outputs?.preferred }));
    pick.onDidTriggerItemButton(({ item }) => finish({ alternative: item.alternative, output: other }));
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}
