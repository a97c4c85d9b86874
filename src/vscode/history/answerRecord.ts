// What the run history records of an answer: made by the recorder, and by the history commands for an answer it
// does not hold (to export or compare it).
import * as vscode from 'vscode';
import type { CompletionRequest } from '../../core/request';
import type { RunRecord } from '../../core/runs/runRecord';
import { createRunRecord } from '../../core/runs/runRecord';
import { placementsFromStore, tokensFromStore } from '../../core/runs/runTokens';
import type { RunKind, RunOutcome } from '../../core/runOutcome';
import type { TrackedAnswer } from '../editor/trackedAnswer';
import type { RunLineage } from '../runs/answerRun';

/** How an answer came to be, as far as its record says. */
export interface AnswerOrigin {
  readonly kind: RunKind;
  readonly request?: CompletionRequest | undefined;
  readonly profile?: string | undefined;
  readonly host: string;
  readonly model: string;
  readonly outcome: RunOutcome;
  readonly createdAt?: number | undefined;
  readonly timings?: { readonly firstTokenMs?: number; readonly totalMs?: number } | undefined;
  readonly lineage?: RunLineage | undefined;
}

/** The record of an answer in a document: how it came to be, and its text and tokens as they are now. */
export function answerRecord(document: vscode.TextDocument, tracked: TrackedAnswer, origin: AnswerOrigin, uncertainThreshold: number): RunRecord {
  const { answer } = tracked;
  return createRunRecord({
    id: tracked.id,
    kind: origin.kind,
    ...(origin.createdAt !== undefined ? { createdAt: origin.createdAt } : {}),
    document: { uri: document.uri.toString(), name: documentName(document.uri) },
    offset: answer.start,
    request: origin.request ?? { messages: [], topLogprobs: 0, sampling: {} },
    endpoint: { profile: origin.profile, host: origin.host, model: origin.model, apiStyle: origin.request?.apiStyle },
    outcome: origin.outcome,
    ...(origin.timings ? { timings: origin.timings } : {}),
    ...(origin.lineage?.parent ? { parent: origin.lineage.parent } : {}),
    ...(origin.lineage?.group ? { group: origin.lineage.group } : {}),
    text: document.getText(new vscode.Range(document.positionAt(answer.start), document.positionAt(answer.end))),
    tokens: tokensFromStore(answer.store),
    placements: placementsFromStore(answer.store),
    uncertainThreshold,
  });
}

/** The name a document is shown by: its file name, or the untitled editor's title. */
export function documentName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || uri.toString();
}
