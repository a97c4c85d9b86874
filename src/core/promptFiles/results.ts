import { formatPercent, formatPerplexity, visibleToken } from '../format';
import { codeSpan } from '../hoverMarkdown';
import type { CalibrationReport } from './calibration';
import type { EvaluatorResult } from './evaluators';
import { casePassed } from './evaluators';
import type { ExpectedProbability } from './expected';
import { EXPECTED_METHOD_NAMES } from './expected';
import { rankLabels, sameLabel } from './labels';
import type { StringCheck } from './model';
import type { CaseChange, CaseOutcome, RunSummary } from './outcome';
import { compareOutcomes, summarizeRun } from './outcome';

/**
 * The results document of one run of a prompt file: a summary on top, then one section per case. It is Markdown,
 * shown in an editor (the adapter colours each answer with its tokens at the offsets returned here).
 *
 * Answers, inputs, expected values, evaluator names and server messages are untrusted: none of them is ever
 * Markdown here. An answer goes verbatim into a fenced code block whose backtick fence is longer than any backtick
 * run inside it, so no heading, fence, link or HTML in it can end the block or shape the document, and its text
 * stays contiguous for colouring. Short values go into code spans (same rule, see `codeSpan`) on one line, with
 * line breaks and invisible characters shown as symbols; free text (the file's name, a failure message) has every
 * Markdown-active character backslash-escaped.
 */

export interface ResultsInput {
  /** The prompt file's `name`, or its file name. */
  readonly title: string;
  /** The file, as shown (a workspace-relative path). */
  readonly file: string;
  /** The model that answered. */
  readonly model: string;
  /** The file's own `model`, when it names one. */
  readonly fileModel?: string | undefined;
  /** When the run started, formatted by the caller. */
  readonly when?: string | undefined;
  /** The cases of the run, in order: finished, or still waiting or running (their answer so far). */
  readonly outcomes: readonly (CaseOutcome | PendingCase)[];
  /** How many test cases the file has (more than `outcomes` when only some ran); defaults to the outcomes' count. */
  readonly fileCases?: number | undefined;
  /** The previous run of the same file, to say what changed per case. */
  readonly previous?: { readonly when?: string | undefined; readonly outcomes: readonly CaseOutcome[] } | undefined;
  /** Calibration over the labelled cases, when the file is a classification prompt. */
  readonly calibration?: CalibrationReport | undefined;
}

/**
 * A case of a run under way: its inputs are known, its answer is what has arrived so far. The document is rebuilt
 * as cases finish; everything but the answers may change between two builds (see `ResultsDocument.answers`).
 */
export interface PendingCase {
  readonly caseIndex: number | undefined;
  readonly key: string;
  readonly inputs: readonly (readonly [string, string])[];
  readonly expected: string | undefined;
  readonly answer: string;
  readonly pending: 'waiting' | 'running';
}

export function isPending(outcome: CaseOutcome | PendingCase): outcome is PendingCase {
  return 'pending' in outcome;
}

/** Where a case's answer sits in the document text (UTF-16 offsets, end exclusive). */
export interface AnswerPlacement {
  readonly caseIndex: number | undefined;
  readonly start: number;
  readonly end: number;
}

export interface ResultsDocument {
  readonly text: string;
  /** One entry per outcome, in order; the answer's text is exactly `text.slice(start, end)`. */
  readonly answers: readonly AnswerPlacement[];
}

export function buildResultsDocument(input: ResultsInput): ResultsDocument {
  const { top, changes } = writeTop(input);
  const fileCases = input.fileCases ?? input.outcomes.length;
  const parts: string[] = [top];
  let length = top.length;
  const answers = input.outcomes.map((outcome, i): AnswerPlacement => {
    const { head, tail } = caseParts(outcome, fileCases, changes?.[i]);
    const start = length + head.length;
    parts.push(head, outcome.answer, tail);
    length = start + outcome.answer.length + tail.length;
    return { caseIndex: outcome.caseIndex, start, end: start + outcome.answer.length };
  });
  return { text: parts.join(''), answers };
}

/**
 * The document above the first case: title, header, summary (over the finished cases), and, once every case has
 * finished, what changed since the previous run. With `caseParts`, a run that is under way rewrites only this and
 * the case that started or finished, whatever the number of cases.
 */
export function resultsTop(input: ResultsInput): string {
  return writeTop(input).top;
}

/** A case's text before its answer (from the blank line that ends the part above) and after it. */
export interface CaseParts {
  readonly head: string;
  readonly tail: string;
}

/**
 * One case's text around its answer. The fence depends on the answer's backticks and whether it ends a line, so
 * the parts are rebuilt when the answer is complete. `change`: what changed since the previous run, if known.
 */
export function caseParts(outcome: CaseOutcome | PendingCase, fileCases: number, change?: CaseChange): CaseParts {
  const out = new MarkdownWriter();
  out.line();
  const { start, end } = isPending(outcome) ? writePendingCase(out, outcome, fileCases) : writeCase(out, outcome, fileCases, change);
  const text = out.text();
  return { head: text.slice(0, start), tail: text.slice(end) };
}

function writeTop(input: ResultsInput): { top: string; changes: CaseChange[] | undefined } {
  const out = new MarkdownWriter();
  const finished = input.outcomes.filter((outcome): outcome is CaseOutcome => !isPending(outcome));
  const running = finished.length < input.outcomes.length;
  const summary = summarizeRun(finished);
  // What changed is said once every case has finished: until then "removed" would mean "not finished yet".
  const changes = input.previous && !running ? compareOutcomes(input.previous.outcomes, finished) : undefined;
  out.line(`# ${escapeInline(input.title)}`);
  out.line();
  out.line(header(input, input.outcomes.length, input.fileCases ?? input.outcomes.length));
  out.line();
  out.line('## Summary');
  out.line();
  if (running) out.line(`- Running: ${finished.length} of ${input.outcomes.length} cases done.`);
  for (const item of summaryItems(summary, input, finished)) out.line(`- ${item}`);
  if (input.previous && changes) writeChanges(out, input.previous, changes, summary);
  return { top: out.text(), changes };
}

function header(input: ResultsInput, cases: number, fileCases: number): string {
  const model = input.fileModel && input.fileModel !== input.model
    ? `model ${codeSpan(input.model, false)} (the file names ${codeSpan(input.fileModel, false)})`
    : `model ${codeSpan(input.model, false)}`;
  const count = cases < fileCases ? `${cases} of ${fileCases} cases` : `${cases} ${cases === 1 ? 'case' : 'cases'}`;
  const parts = [codeSpan(input.file, false), model, count];
  if (input.when) parts.push(escapeInline(input.when));
  return parts.join(' · ');
}

function summaryItems(summary: RunSummary, input: ResultsInput, outcomes: readonly CaseOutcome[]): string[] {
  const items: string[] = [];
  items.push(summary.checks === 0
    ? 'Evaluators: no string evaluator to run here.'
    : `Evaluators: ${summary.checksPassed} of ${summary.checks} checks passed; ${summary.casesPassed} of ${summary.casesEvaluated} cases passed every check run here.`);
  if (summary.notEvaluated.length > 0) items.push(`Not evaluated here (they ask a judge model): ${summary.notEvaluated.map((name) => codeSpan(inline(name), false)).join(', ')}.`);
  items.push(summary.meanPerplexity === undefined
    ? 'Mean perplexity: n/a (no answer with logprobs).'
    : `Mean perplexity: ${formatPerplexity(summary.meanPerplexity)} over ${summary.perplexityCases} ${summary.perplexityCases === 1 ? 'answer' : 'answers'}.`);
  items.push(expectedSummary(summary, outcomes));
  if (input.calibration) items.push(calibrationSummary(input.calibration));
  const failed = outcomes.filter((outcome) => outcome.failed);
  if (failed.length > 0) items.push(`Failed: ${failed.map((outcome) => caseName(outcome.caseIndex)).join(', ')}.`);
  return items;
}

function expectedSummary(summary: RunSummary, outcomes: readonly CaseOutcome[]): string {
  if (summary.expectedComputed > 0) {
    const methods = summary.expectedMethods.map((method) => EXPECTED_METHOD_NAMES[method]).join(', ');
    return `Expected answer: mean probability ${formatPercent(summary.meanExpectedProbability)} over ${summary.expectedComputed} of ${summary.cases} cases, by ${methods}.`;
  }
  const reasons = [...new Set(outcomes.flatMap((outcome) => (outcome.expectedProbability?.method === 'unavailable' ? [outcome.expectedProbability.note] : [])))];
  return reasons.length === 1
    ? `Expected answer: its probability cannot be computed here. ${escapeInline(reasons[0]!)}`
    : 'Expected answer: its probability cannot be computed here.';
}

function calibrationSummary(report: CalibrationReport): string {
  const rough = report.rough ? `; under 30 cases this is a rough estimate` : '';
  return `Classification over ${report.count} labelled cases: accuracy ${formatPercent(report.accuracy)} · log loss ${report.logLoss.toFixed(3)}`
    + ` · Brier ${report.brier.toFixed(3)} · expected calibration error ${report.expectedCalibrationError.toFixed(3)}${rough}.`;
}

function writeChanges(out: MarkdownWriter, previous: NonNullable<ResultsInput['previous']>, changes: readonly CaseChange[], summary: RunSummary): void {
  const before = summarizeRun(previous.outcomes);
  const count = (status: CaseChange['status']): number => changes.filter((change) => change.status === status).length;
  out.line();
  out.line(`## Against the previous run${previous.when ? ` (${escapeInline(previous.when)})` : ''}`);
  out.line();
  out.line(`${count('changed')} of ${summary.cases - count('new')} cases changed · ${count('new')} new · ${count('removed')} removed`
    + ` · checks passed ${before.checksPassed}/${before.checks} → ${summary.checksPassed}/${summary.checks}`
    + ` · mean perplexity ${formatPerplexity(before.meanPerplexity)} → ${formatPerplexity(summary.meanPerplexity)}`);
  const listed = changes.filter((change) => change.status !== 'unchanged');
  if (listed.length === 0) return;
  out.line();
  out.line('| case | answer | evaluators | perplexity | P(expected) | label |');
  out.line('|:--|:--|:--|--:|--:|:--|');
  for (const change of listed) {
    const answer = change.status === 'changed' ? (change.answerChanged ? 'changed' : 'same') : change.status;
    const labels = change.predicted[0] === change.predicted[1] ? '' : `${labelCell(change.predicted[0])} → ${labelCell(change.predicted[1])}`;
    out.line(`| ${caseName(change.caseIndex)} | ${answer} | ${change.flips.map((flip) => `${codeSpan(inline(flip.name), true)} ${mark(flip.before)} → ${mark(flip.after)}`).join(', ')}`
      + ` | ${formatPerplexity(change.perplexity[0])} → ${formatPerplexity(change.perplexity[1])}`
      + ` | ${formatPercent(change.expectedProbability[0])} → ${formatPercent(change.expectedProbability[1])} | ${labels} |`);
  }
}

/** A case still under way: its heading says so, its answer is what arrived; figures come when it finishes. */
function writePendingCase(out: MarkdownWriter, pending: PendingCase, cases: number): AnswerPlacement {
  const { start, end } = writeCaseHead(out, pending, cases, pending.pending === 'running' ? 'running…' : 'waiting');
  return { caseIndex: pending.caseIndex, start, end };
}

/** The case's heading, inputs, expected value and answer; returns where the answer is. */
function writeCaseHead(out: MarkdownWriter, outcome: CaseOutcome | PendingCase, cases: number, state: string): { start: number; end: number } {
  out.line(`## ${outcome.caseIndex === undefined ? 'The prompt (no test data)' : `Case ${outcome.caseIndex + 1} of ${cases}`} · ${state}`);
  out.line();
  const inputs = outcome.inputs.filter(([name]) => name !== 'expected');
  if (inputs.length > 0) {
    const shown = inputs.slice(0, MAX_INPUTS).map(([name, value]) => `${codeSpan(inline(name), false)} ${codeSpan(inline(value, 80), false)}`);
    out.line(`Inputs: ${shown.join(' · ')}${inputs.length > MAX_INPUTS ? ` · and ${inputs.length - MAX_INPUTS} more` : ''}`);
    out.line();
  }
  if (outcome.expected !== undefined) writeExpected(out, outcome.expected);
  out.line('Answer:');
  out.line();
  return out.fenced(outcome.answer, 'text');
}

function writeCase(out: MarkdownWriter, outcome: CaseOutcome, cases: number, change: CaseChange | undefined): AnswerPlacement {
  const { start, end } = writeCaseHead(out, outcome, cases, verdict(outcome));
  if (outcome.problem) {
    out.line();
    out.line(`⚠ ${escapeInline(outcome.problem)}`);
  }
  if (outcome.evaluators.length > 0) {
    out.line();
    for (const result of outcome.evaluators) out.line(`- ${evaluatorLine(result)}`);
  }
  out.line();
  out.line(figures(outcome));
  const labels = outcome.labels;
  if (labels && labels.predicted !== undefined) {
    out.line();
    const ranked = rankLabels(labels.byLabel).map((entry) => `${codeSpan(inline(entry.label), false)} ${formatPercent(entry.probability)}`);
    const ambiguous = labels.ambiguous > 0 ? ` · ambiguous tokens ${formatPercent(labels.ambiguous)}` : '';
    const right = outcome.expected === undefined ? '' : ` · predicted ${codeSpan(inline(labels.predicted), false)} ${mark(sameLabel(labels.predicted, outcome.expected))}`;
    out.line(`Labels: ${ranked.join(' · ')} (renormalised; the labels cover ${formatPercent(labels.covered)}, other tokens ${formatPercent(labels.uncovered)}${ambiguous})${right}`);
  }
  if (change) {
    out.line();
    out.line(`Since the previous run: ${changeLine(change)}`);
  }
  return { caseIndex: outcome.caseIndex, start, end };
}

const MAX_INPUTS = 6;

function verdict(outcome: CaseOutcome): string {
  if (outcome.failed) return '⚠ request failed';
  const passed = casePassed(outcome.evaluators);
  if (passed === undefined) return 'no check run here';
  if (passed) return '✓ passed';
  const checks = outcome.evaluators.filter((result) => result.passed !== undefined);
  return `✗ failed ${checks.filter((result) => !result.passed).length} of ${checks.length} checks`;
}

function writeExpected(out: MarkdownWriter, expected: string): void {
  if (!/[\r\n]/.test(expected) && expected.length <= 120) {
    out.line(`Expected: ${codeSpan(inline(expected), false)}`);
  } else {
    out.line('Expected:');
    out.line();
    out.fenced(expected, 'text');
  }
  out.line();
}

const CHECK_WORDS: Record<StringCheck, string> = { equals: 'equals', contains: 'contains', startsWith: 'starts with', endsWith: 'ends with' };

function evaluatorLine(result: EvaluatorResult): string {
  const name = codeSpan(inline(result.name), false);
  if (result.passed === undefined) return `– ${name}: ${escapeInline(result.details)}`;
  return `${mark(result.passed)} ${name}: ${CHECK_WORDS[result.check!]} ${codeSpan(inline(result.value ?? '', 80), false)}`;
}

function figures(outcome: CaseOutcome): string {
  const { stats } = outcome;
  const parts = [`${stats.tokens} ${stats.tokens === 1 ? 'token' : 'tokens'}`, `perplexity ${formatPerplexity(stats.perplexity)}`, `${stats.uncertain} uncertain`];
  if (outcome.expectedProbability) parts.push(expectedFigure(outcome.expectedProbability));
  return parts.join(' · ');
}

function expectedFigure(expected: ExpectedProbability): string {
  const method = EXPECTED_METHOD_NAMES[expected.method];
  if (expected.probability !== undefined) return `P(expected) ${formatPercent(expected.probability)} by ${method}`;
  if (expected.below !== undefined) return `P(expected) below ${formatPercent(expected.below)} by ${method}`;
  return `P(expected) ${method}: ${escapeInline(expected.note)}`;
}

function changeLine(change: CaseChange): string {
  if (change.status === 'new') return 'new case.';
  const parts = [change.answerChanged ? 'answer changed' : 'same answer'];
  for (const flip of change.flips) parts.push(`${codeSpan(inline(flip.name), false)} ${mark(flip.before)} → ${mark(flip.after)}`);
  if (change.predicted[0] !== change.predicted[1]) parts.push(`label ${labelCell(change.predicted[0])} → ${labelCell(change.predicted[1])}`);
  parts.push(`perplexity ${formatPerplexity(change.perplexity[0])} → ${formatPerplexity(change.perplexity[1])}`);
  if (change.expectedProbability.some((value) => value !== undefined)) {
    parts.push(`P(expected) ${formatPercent(change.expectedProbability[0])} → ${formatPercent(change.expectedProbability[1])}`);
  }
  return `${parts.join(' · ')}.`;
}

function labelCell(label: string | undefined): string {
  return label === undefined ? 'none' : codeSpan(inline(label), true);
}

function mark(passed: boolean): string {
  return passed ? '✓' : '✗';
}

function caseName(caseIndex: number | undefined): string {
  return caseIndex === undefined ? 'the prompt' : `case ${caseIndex + 1}`;
}

/** A value on one line for a code span: line breaks and invisible characters as symbols, at most `max` characters. */
function inline(text: string, max = 200): string {
  const visible = text.split(' ').map((word) => visibleToken(word)).join(' ');
  const characters = [...visible];
  return characters.length > max ? `${characters.slice(0, max - 1).join('')}…` : visible;
}

/** Free text as literal Markdown: one line, every character that could start Markdown syntax backslash-escaped. */
export function escapeInline(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/[\\`*_{}[\]()<>!&~|#$]/g, '\\$&');
}

/** Writes the document while tracking its length, so answers' offsets are known as they are written. */
class MarkdownWriter {
  private readonly parts: string[] = [];
  private length = 0;

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** A fenced code block holding `content` verbatim; returns where the content is. */
  fenced(content: string, info: string): { start: number; end: number } {
    let longestRun = 0;
    for (const run of content.match(/`+/g) ?? []) longestRun = Math.max(longestRun, run.length);
    const fence = '`'.repeat(Math.max(3, longestRun + 1));
    this.line(`${fence}${info}`);
    const start = this.length;
    this.write(content);
    const end = this.length;
    if (!content.endsWith('\n')) this.write('\n');
    this.line(fence);
    return { start, end };
  }

  text(): string {
    return this.parts.join('');
  }

  private write(text: string): void {
    this.parts.push(text);
    this.length += text.length;
  }
}
