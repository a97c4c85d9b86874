import type * as vscode from 'vscode';
import type { ChunkDelta } from '../../core/chatChunk';
import type { Failure } from '../../core/failure';
import type { CompletionRequest } from '../../core/request';
import type { EndOfRunAction, RunKind, RunOutcome } from '../../core/runOutcome';
import { classifyOutcome, endOfRunMessage } from '../../core/runOutcome';
import type { AnswerTracker } from '../editor/answerTracker';
import type { TrackedAnswer } from '../editor/trackedAnswer';
import { showError, showStatus, showWarning } from '../notify';
import type { RunJournal } from './journal';
import type { RunContext } from './lifecycle';
import type { RunResult } from './result';

/** Where an answer's deltas come from: the network, or a logged response. */
export interface AnswerSource {
  readonly kind: RunKind;
  readonly model: string;
  readonly host: string;
  /** The request line for the log. */
  readonly logLine: string;
  /** Whether a missing finish reason means the stream broke (true for the network). */
  readonly expectsFinish: boolean;
  open(signal: AbortSignal, onRetry: (waitMs: number, why: string) => void): AsyncIterable<ChunkDelta>;
  describe(error: unknown): Failure;
  /** What was asked, as sent (never a key or a header value), for the run history; none for a logged response. */
  readonly request?: CompletionRequest | undefined;
  /** The endpoint profile the request went to, by name, when one was in use. */
  readonly profile?: string | undefined;
  /** Where the run sits among others: the answer a branch continues, the set a sample or a prompt-file case is in. */
  readonly lineage?: RunLineage | undefined;
}

export interface RunLineage {
  readonly parent?: { readonly runId: string; readonly tokenIndex: number } | undefined;
  readonly group?: { readonly id: string; readonly kind: 'samples' | 'promptFile'; readonly index: number; readonly size: number; readonly label: string } | undefined;
}

/** Where the answer's text goes: inserted into the document, or already there (scoring colours existing text). */
export interface AnswerSink {
  /** The text is in the document already: the run succeeds only if tokens were placed on it. */
  readonly textInPlace: boolean;
  push(text: string): void;
  /** Drops text not inserted yet. */
  stop(): void;
  flushed(): Promise<void>;
}

export const TEXT_IN_PLACE: AnswerSink = { textInPlace: true, push: () => undefined, stop: () => undefined, flushed: () => Promise.resolve() };

/** How a filled answer ended. */
export interface FilledAnswer {
  readonly outcome: RunOutcome;
  readonly failure: Failure | undefined;
  readonly sawLogprobs: boolean;
  readonly tokens: number;
  readonly placements: number;
  readonly finishReason: string | undefined;
  /** From the start of the run: to the first token (undefined without one), and to the end. */
  readonly firstTokenMs: number | undefined;
  readonly totalMs: number;
}

export interface AnswerRunDeps {
  readonly tracker: AnswerTracker;
  readonly journal: RunJournal;
  readonly log: vscode.LogOutputChannel;
}

const PROGRESS_INTERVAL_MS = 250;

/**
 * Fills one tracked answer from a source: every delta's text to the sink and its tokens to the answer, within
 * the size and time limits, then classifies how it ended. One failure policy for every kind of run: an answer
 * that got nothing is dropped from the tracker; anything that arrived is kept with its state.
 */
export async function fillAnswer(run: RunContext, deps: AnswerRunDeps, document: vscode.TextDocument, tracked: TrackedAnswer,
  source: AnswerSource, sink: AnswerSink): Promise<FilledAnswer> {
  const { answer } = tracked;
  const { tracker, log } = deps;
  const stopSink = (): void => sink.stop();
  run.signal.addEventListener('abort', stopSink);
  tracker.add(document, tracked);
  tracked.begin(() => run.stop());
  log.info(`#${run.id} ${source.logLine}`);
  const began = performance.now();
  const streamed = await stream(run, source, log, (delta) => {
    sink.push(answer.append(delta.text, delta.tokens));
    tracker.notify(document);
    return answer.store.tokenCount;
  });
  run.signal.removeEventListener('abort', stopSink);
  let { failure } = streamed;
  // After a stop the held-back end is still aligned (its tokens may colour what is there) but not inserted.
  sink.push(answer.finish());
  try {
    await sink.flushed();
  } catch (error) {
    failure ??= { kind: 'other', message: `Could not insert the answer: ${error instanceof Error ? error.message : String(error)}` };
  }
  const placements = answer.store.placementCount;
  const outcome = classifyOutcome({
    failure, finishReason: streamed.finishReason, expectsFinish: source.expectsFinish,
    hasText: sink.textInPlace ? placements > 0 : answer.length > 0,
  });
  tracked.finish(outcome);
  if (outcome === 'failed') tracker.remove(document, tracked);
  else tracker.notify(document);
  const { firstTokenMs, finishReason } = streamed;
  const totalMs = performance.now() - began;
  log.info(`#${run.id} ${outcome} after ${(totalMs / 1000).toFixed(2)} s: ${answer.store.tokenCount} tokens, ${answer.length} chars`
    + `${firstTokenMs !== undefined ? `, first token after ${(firstTokenMs / 1000).toFixed(2)} s` : ''}${finishReason ? `, finish_reason=${finishReason}` : ''}`);
  if (failure) log.warn(`#${run.id} ${failure.kind}: ${failure.message}`);
  const filled: FilledAnswer = { outcome, failure, sawLogprobs: streamed.sawLogprobs, tokens: answer.store.tokenCount, placements, finishReason, firstTokenMs, totalMs };
  deps.journal.answerFilled({ document, tracked, source, filled });
  return filled;
}

interface Streamed {
  readonly failure: Failure | undefined;
  readonly finishReason: string | undefined;
  readonly sawLogprobs: boolean;
  readonly firstTokenMs: number | undefined;
}

/** Reads a source to its end, handing each delta with content to `take` (which returns the tokens so far). */
async function stream(run: RunContext, source: AnswerSource, log: vscode.LogOutputChannel, take: (delta: ChunkDelta) => number): Promise<Streamed> {
  const began = performance.now();
  let firstTokenMs: number | undefined;
  let finishReason: string | undefined;
  let sawLogprobs = false;
  let lastProgress = 0;
  run.report('waiting for the first token…');
  const onRetry = (waitMs: number, why: string): void => {
    const message = `${source.host} answered ${why}; retrying in ${Math.max(1, Math.round(waitMs / 1000))} s (Cancel stops now)…`;
    run.report(message);
    log.warn(`#${run.id} ${message}`);
  };
  try {
    for await (const delta of source.open(run.signal, onRetry)) {
      if (delta.finishReason) finishReason = delta.finishReason;
      sawLogprobs ||= delta.hasLogprobs;
      if (delta.text.length === 0 && delta.tokens.length === 0) continue;
      firstTokenMs ??= performance.now() - began;
      const tokens = take(delta);
      if (performance.now() - lastProgress > PROGRESS_INTERVAL_MS) {
        lastProgress = performance.now();
        run.report(`${tokens} tokens`);
      }
    }
    return { failure: undefined, finishReason, sawLogprobs, firstTokenMs };
  } catch (error) {
    return { failure: source.describe(error), finishReason, sawLogprobs, firstTokenMs };
  }
}

/** What the end of a run offers, wired to the commands that do it. */
export type EndOfRunHandlers = Partial<Record<EndOfRunAction, () => void>>;

/** Tells the user how the run ended (when there is something to tell) and returns the command's result. */
export function announce(filled: FilledAnswer, source: AnswerSource, document: vscode.TextDocument, tracked: TrackedAnswer,
  maxTokens: number | undefined, handlers: EndOfRunHandlers): RunResult {
  const message = endOfRunMessage({ kind: source.kind, outcome: filled.outcome, failure: filled.failure, tokens: filled.tokens, sawLogprobs: filled.sawLogprobs, host: source.host, model: source.model, maxTokens });
  const actions = message.actions.filter((action) => handlers[action] !== undefined);
  const show = message.severity === 'error' ? showError : message.severity === 'warning' ? showWarning : undefined;
  if (show) {
    void show(message.text, ...actions).then((choice) => {
      if (choice) handlers[choice]?.();
    });
  } else if (message.severity === 'status') showStatus(message.text);
  const { answer } = tracked;
  return {
    outcome: filled.outcome, ...(message.text ? { message: message.text } : {}), documentUri: document.uri.toString(),
    answerStart: answer.start, answerEnd: answer.end, tokens: filled.tokens, placements: filled.placements,
  };
}
