import type { AnswerStats } from '../answer';
import type { EvaluatorResult } from './evaluators';
import { casePassed } from './evaluators';
import type { ExpectedMethod, ExpectedProbability } from './expected';
import type { LabelDistribution } from './labels';

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
