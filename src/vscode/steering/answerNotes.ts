import type { Capabilities } from '../../core/capabilities';
import type { CompletionRequest } from '../../core/request';
import type { RunKind } from '../../core/runOutcome';
import type { LogitBiasEntry } from '../../core/steering';
import { branchBase } from '../../core/steering';
import type { TrackedAnswer } from '../editor/trackedAnswer';
import { Disposable } from '../lifetime';
import type { RunJournal } from '../runs/journal';

/** What steering knows of one tracked answer. */
export interface AnswerNote {
  readonly kind?: RunKind;
  /** The request the answer's run sent, when it came from a request (not from a file). */
  readonly request?: CompletionRequest;
  /** A branch's own base: the request of the answer it continues, without any forced start. */
  readonly base?: CompletionRequest;
  /** The logit bias the run was sent with, and what its endpoint could do then (for the hover's notes). */
  readonly appliedBias?: { readonly entries: readonly LogitBiasEntry[]; readonly capabilities: Capabilities };
}

/**
 * Per tracked answer, what steering needs later: the request it came from (from the run journal, for every kind
 * of run), the bias it was sent with and a branch's base (from the code that sent it). Weakly held: an
 * answer that is dropped takes its note with it.
 */
export class AnswerNotes extends Disposable {
  private readonly notes = new WeakMap<TrackedAnswer, AnswerNote>();

  constructor(journal: RunJournal) {
    super();
    this.register(journal.onDidFillAnswer(({ tracked, source }) => this.add(tracked, { kind: source.kind, ...(source.request ? { request: source.request } : {}) })));
    // A restored answer's request is its record's (model and API style from the endpoint it went to).
    this.register(journal.onDidRestoreAnswer(({ tracked, record }) => this.add(tracked, {
      kind: record.kind,
      ...(record.request.messages.length > 0 ? { request: { apiStyle: record.endpoint.apiStyle, model: record.endpoint.model, ...record.request } } : {}),
    })));
  }

  get(tracked: TrackedAnswer): AnswerNote {
    return this.notes.get(tracked) ?? {};
  }

  add(tracked: TrackedAnswer, note: AnswerNote): void {
    this.notes.set(tracked, { ...this.notes.get(tracked), ...note });
  }

  /** The request a branch of this answer starts from, if it has one. */
  baseOf(tracked: TrackedAnswer): CompletionRequest | undefined {
    const { base, request, kind } = this.get(tracked);
    if (kind === 'score') return undefined;
    return base ?? (request ? branchBase(request) : undefined);
  }
}
