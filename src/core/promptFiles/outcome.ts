import type { AnswerStats } from '../answer';
import type { TokenEntry } from '../logprob';
import type { RunOutcome } from '../runOutcome';
import type { EvaluatorResult } from './evaluators';
import { casePassed, runEvaluators } from './evaluators';
import type { ExpectedMethod, ExpectedProbability } from './expected';
import type { LabelDistribution } from './labels';
import { answerLabelDistribution } from './labels';
import type { PromptFile } from './model';
import type { PendingCase } from './results';

/**
 * One case's result in a run of a prompt file, as plain JSON-safe data: what the results document shows, what
 * history keeps, and what the next run of the same file is compared with (cases matched by their inputs).
 */
export interface CaseOutcome {
  /** The test case, or `undefined` for a file without test data. */
  readonly caseIndex: number | undefined;
  /** The case's identity across runs (see `caseKey`). */
  readonly key: string;
  /** The case's variables as substituted, in file order. */
  readonly inputs: readonly (readonly [string, string])[];
  readonly expected: string | undefined;
  /** The answer as inserted (empty when the request failed before any text). */
  readonly answer: string;
  /** Why the answer is missing or partial (“Request failed: …”, “Stopped at the token limit.”), when it is. */
  readonly problem?: string;
  /** True when the request failed: the case's figures are left out of the summary. */
  readonly failed: boolean;
  readonly evaluators: readonly EvaluatorResult[];
  readonly stats: AnswerStats;
  readonly expectedProbability?: ExpectedProbability;
  readonly labels?: LabelDistribution;
}

/** A case's identity across runs: its variables, in file order. Editing a case's inputs makes it a new case. */
export function caseKey(variables: ReadonlyMap<string, string> | undefined): string {
  return variables ? JSON.stringify([...variables]) : '';
}

/** What a run learned about one case's answer, as the adapter reads it from the filled answer. */
export interface CaseAnswer {
  /** The answer as inserted. */
  readonly text: string;
  /**
   * The answer's first tokens as returned, at least up to the first one that is not only whitespace: the labels
   * and the first-token method read the alternatives there.
   */
  readonly tokens: readonly TokenEntry[];
  readonly stats: AnswerStats;
  readonly failed: boolean;
  readonly problem?: string | undefined;
}

/** How a case's request ended, as the run saw it. */
export interface AnswerEnd {
  readonly outcome: RunOutcome;
  /** The failure's message, in the user's words (core/failure.ts), when there was one. */
  readonly failure?: string | undefined;
  readonly sawLogprobs: boolean;
  readonly maxTokens: number | undefined;
}

/**
 * Whether a case counts as failed (its figures left out of the summary: nothing came, or only part of it) and what
 * to say beside its answer. A truncated answer is evaluated as the CLI would, with a note.
 */
export function answerProblem(end: AnswerEnd): { readonly failed: boolean; readonly problem?: string } {
  const reason = (text: string | undefined, fallback: string): string => (text ?? fallback).replace(/[.\s]*$/, '.');
  switch (end.outcome) {
    case 'failed': return { failed: true, problem: `Request failed: ${reason(end.failure, 'no answer came back')}` };
    case 'incomplete': return { failed: true, problem: `Incomplete, only part of the answer came: ${reason(end.failure, 'the stream ended without a finish reason')}` };
    case 'cancelled': return { failed: true, problem: 'Cancelled: the answer is incomplete.' };
    case 'truncated': return { failed: false, problem: `Stopped at the token limit (max_tokens ${end.maxTokens ?? 'of the server'}).` };
    case 'filtered': return { failed: false, problem: 'The content filter stopped the answer.' };
    case 'done': return end.sawLogprobs ? { failed: false } : { failed: false, problem: 'No logprobs came back: the answer is not coloured.' };
  }
}

/** A case that never started because the run was stopped first. */
export const NOT_RUN: CaseAnswer = {
  text: '', tokens: [], failed: true, problem: 'Not run: the run was stopped first.',
  stats: { tokens: 0, perplexity: undefined, meanProbability: undefined, uncertain: 0 },
};

/** Extra figures of a case: how likely the expected answer was, and the label set when the file classifies. */
export interface CaseExtras {
  readonly expectedProbability?: ExpectedProbability | undefined;
  readonly labels?: readonly string[] | undefined;
}

/** A finished case: its evaluators run on the answer, its labels read from the answer's start. */
export function caseOutcome(file: PromptFile, caseIndex: number | undefined, answer: CaseAnswer, extras: CaseExtras = {}): CaseOutcome {
  const testCase = caseIndex === undefined ? undefined : file.testCases[caseIndex];
  const variables = testCase?.variables ?? new Map<string, string>();
  const labels = !answer.failed && extras.labels ? answerLabelDistribution(answer.tokens, extras.labels) : undefined;
  return {
    caseIndex, key: caseKey(testCase?.variables), inputs: [...variables], expected: testCase?.expected,
    answer: answer.text, failed: answer.failed, stats: answer.stats,
    ...(answer.problem ? { problem: answer.problem } : {}),
    evaluators: answer.failed ? [] : runEvaluators(file.evaluators, variables, answer.text),
    ...(extras.expectedProbability ? { expectedProbability: extras.expectedProbability } : {}),
    ...(labels ? { labels } : {}),
  };
}

/** A case not finished yet, for the results document of a run under way. */
export function pendingCase(file: PromptFile, caseIndex: number | undefined, answer: string, pending: PendingCase['pending']): PendingCase {
  const testCase = caseIndex === undefined ? undefined : file.testCases[caseIndex];
  return { caseIndex, key: caseKey(testCase?.variables), inputs: [...(testCase?.variables ?? [])], expected: testCase?.expected, answer, pending };
}

export interface RunSummary {
  readonly cases: number;
  readonly failed: number;
  /** String-evaluator checks that passed, of those run here. */
  readonly checksPassed: number;
  readonly checks: number;
  /** Cases whose every check run here passed, of the cases with at least one such check. */
  readonly casesPassed: number;
  readonly casesEvaluated: number;
  /** Names of the evaluators not run here (`llm`, `uses`), once each. */
  readonly notEvaluated: readonly string[];
  /** Arithmetic mean of the answers' perplexities, over answers that have one. */
  readonly meanPerplexity: number | undefined;
  readonly perplexityCases: number;
  /** Mean probability of the expected answer, over the cases where it could be computed. */
  readonly meanExpectedProbability: number | undefined;
  readonly expectedComputed: number;
  readonly expectedMethods: readonly ExpectedMethod[];
}

export function summarizeRun(outcomes: readonly CaseOutcome[]): RunSummary {
  const ran = outcomes.filter((outcome) => !outcome.failed);
  const results = ran.flatMap((outcome) => outcome.evaluators);
  const checks = results.filter((result) => result.passed !== undefined);
  const verdicts = ran.map((outcome) => casePassed(outcome.evaluators)).filter((verdict) => verdict !== undefined);
  const perplexities = ran.map((outcome) => outcome.stats.perplexity).filter((value): value is number => value !== undefined && Number.isFinite(value));
  const expected = ran.map((outcome) => outcome.expectedProbability).filter((value) => value?.probability !== undefined) as ExpectedProbability[];
  return {
    cases: outcomes.length,
    failed: outcomes.length - ran.length,
    checksPassed: checks.filter((result) => result.passed).length,
    checks: checks.length,
    casesPassed: verdicts.filter(Boolean).length,
    casesEvaluated: verdicts.length,
    notEvaluated: [...new Set(results.filter((result) => result.passed === undefined).map((result) => result.name))],
    meanPerplexity: mean(perplexities),
    perplexityCases: perplexities.length,
    meanExpectedProbability: mean(expected.map((value) => value.probability!)),
    expectedComputed: expected.length,
    expectedMethods: [...new Set(expected.map((value) => value.method))],
  };
}

function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** What changed in one case since the previous run of the same file. */
export interface CaseChange {
  readonly key: string;
  readonly status: 'changed' | 'unchanged' | 'new' | 'removed';
  /** The case's number in the current run (the previous run's for a removed case). */
  readonly caseIndex: number | undefined;
  readonly answerChanged: boolean;
  /** String evaluators whose verdict flipped, by name. */
  readonly flips: readonly { readonly name: string; readonly before: boolean; readonly after: boolean }[];
  readonly perplexity: readonly [number | undefined, number | undefined];
  readonly expectedProbability: readonly [number | undefined, number | undefined];
  readonly predicted: readonly [string | undefined, string | undefined];
}

/**
 * Compares a run with the previous run of the same file, case by case (matched by `key`, repeated keys in order).
 * A case changed when its answer text, an evaluator's verdict or its predicted label changed; new and removed cases
 * are listed too. Figures (perplexity, probabilities) are carried for both runs, changed or not.
 */
export function compareOutcomes(previous: readonly CaseOutcome[], current: readonly CaseOutcome[]): CaseChange[] {
  const waiting = new Map<string, CaseOutcome[]>();
  for (const outcome of previous) waiting.set(outcome.key, [...(waiting.get(outcome.key) ?? []), outcome]);
  const changes = current.map((after) => {
    const before = waiting.get(after.key)?.shift();
    return before ? caseChange(before, after) : sided(after, 'new');
  });
  for (const left of waiting.values()) for (const before of left) changes.push(sided(before, 'removed'));
  return changes;
}

function caseChange(before: CaseOutcome, after: CaseOutcome): CaseChange {
  const flips = after.evaluators.flatMap((result) => {
    const old = before.evaluators.find((candidate) => candidate.name === result.name && candidate.kind === result.kind);
    return old?.passed !== undefined && result.passed !== undefined && old.passed !== result.passed
      ? [{ name: result.name, before: old.passed, after: result.passed }] : [];
  });
  const answerChanged = before.answer !== after.answer;
  const predicted = [before.labels?.predicted, after.labels?.predicted] as const;
  return {
    key: after.key, caseIndex: after.caseIndex, answerChanged, flips, predicted,
    status: answerChanged || flips.length > 0 || predicted[0] !== predicted[1] ? 'changed' : 'unchanged',
    perplexity: [before.stats.perplexity, after.stats.perplexity],
    expectedProbability: [before.expectedProbability?.probability, after.expectedProbability?.probability],
  };
}

function sided(outcome: CaseOutcome, status: 'new' | 'removed'): CaseChange {
  const pair = <T>(value: T): readonly [T | undefined, T | undefined] => (status === 'new' ? [undefined, value] : [value, undefined]);
  return {
    key: outcome.key, status, caseIndex: outcome.caseIndex, answerChanged: true, flips: [],
    perplexity: pair(outcome.stats.perplexity),
    expectedProbability: pair(outcome.expectedProbability?.probability),
    predicted: pair(outcome.labels?.predicted),
  };
}
