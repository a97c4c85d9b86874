import * as assert from 'node:assert/strict';
import type { AnswerStats } from '../../src/core/answer';
import type { EvaluatorResult } from '../../src/core/promptFiles/evaluators';
import { labelDistribution } from '../../src/core/promptFiles/labels';
import type { CaseOutcome } from '../../src/core/promptFiles/outcome';
import { caseKey, compareOutcomes, summarizeRun } from '../../src/core/promptFiles/outcome';
import { buildResultsDocument, escapeInline } from '../../src/core/promptFiles/results';

const stats = (perplexity: number | undefined, tokens = 3, uncertain = 0): AnswerStats => ({ tokens, perplexity, meanProbability: undefined, uncertain });
const check = (name: string, passed: boolean): EvaluatorResult => ({ name, kind: 'string', check: 'contains', value: 'Paris', passed, details: '' });
const judge: EvaluatorResult = { name: 'similarity', kind: 'uses', passed: undefined, details: 'not evaluated here (uses github/similarity, a judge model)' };

function outcome(caseIndex: number, answer: string, overrides: Partial<CaseOutcome> = {}): CaseOutcome {
  const variables = new Map([['input', `question ${caseIndex}`], ['expected', 'Paris']]);
  return {
    caseIndex, key: caseKey(variables), inputs: [...variables], expected: 'Paris', answer, failed: false,
    evaluators: [check('mentions Paris', answer.includes('Paris'))], stats: stats(2), ...overrides,
  };
}

const HOSTILE = '# Not a heading\n```\n[x](command:workbench.action.terminal.new) ![](https://attacker/?q=1) <img src=x onerror=alert(1)>\n````';

describe('prompt file results document', () => {
  it('places each answer verbatim at the offsets it returns, even an answer full of Markdown', () => {
    const outcomes = [outcome(0, 'Paris'), outcome(1, HOSTILE), outcome(2, '')];
    const { text, answers } = buildResultsDocument({ title: 'Capitals', file: 'capitals.prompt.yml', model: 'gpt-4o-mini', outcomes });
    assert.equal(answers.length, 3);
    answers.forEach((placement, i) => {
      assert.equal(text.slice(placement.start, placement.end), outcomes[i]!.answer);
      assert.equal(placement.caseIndex, i);
    });
    // The hostile answer's longest backtick run is 4: its fence is 5 backticks, on the line before and after it.
    const hostile = answers[1]!;
    assert.equal(text.slice(text.lastIndexOf('\n', hostile.start - 2) + 1, hostile.start), '`````text\n');
    assert.equal(text.slice(hostile.end, hostile.end + 7), '\n`````\n');
    // No line inside the block could close it.
    for (const line of HOSTILE.split('\n')) assert.ok(!/^ {0,3}`{5,}\s*$/.test(line));
  });

  it('keeps the document’s own structure: only its headings start with #', () => {
    const outcomes = [outcome(0, HOSTILE)];
    const { text, answers } = buildResultsDocument({ title: 'T', file: 'f.prompt.yml', model: 'm', outcomes });
    const outside = text.slice(0, answers[0]!.start) + text.slice(answers[0]!.end);
    assert.deepEqual(outside.split('\n').filter((line) => line.startsWith('#')), ['# T', '## Summary', '## Case 1 of 1 · ✗ failed 1 of 1 checks']);
  });

  it('escapes free text and shows inputs on one line in code spans', () => {
    assert.equal(escapeInline('# [x](command:a) *b* <i>\nnext'), '\\# \\[x\\]\\(command:a\\) \\*b\\* \\<i\\> next');
    const { text } = buildResultsDocument({
      title: '# [evil](command:x)', file: 'f.prompt.yml', model: 'm',
      outcomes: [outcome(0, 'Paris', { inputs: [['input', 'line one\nline `two`']] })],
    });
    assert.ok(text.startsWith('# \\# \\[evil\\]\\(command:x\\)\n'));
    // The value ends with a backtick: the span is padded with spaces, as CommonMark requires.
    assert.ok(text.includes('Inputs: `input` `` line one↵line `two` ``\n'));
  });

  it('summarises evaluator passes, mean perplexity and the expected answer’s probability', () => {
    const outcomes = [
      outcome(0, 'Paris', { evaluators: [check('a', true), check('b', false)], stats: stats(1.5), expectedProbability: { method: 'first-token', probability: 0.8, logprob: Math.log(0.8), note: '' } }),
      outcome(1, 'Paris', { evaluators: [check('a', true), judge], stats: stats(2.5), expectedProbability: { method: 'first-token', probability: 0.4, logprob: Math.log(0.4), note: '' } }),
    ];
    const summary = summarizeRun(outcomes);
    // Checks: a ✓, b ✗, a ✓ → 2 of 3; case 1 fails b, case 2 passes its only check → 1 of 2 cases.
    assert.deepEqual([summary.checksPassed, summary.checks, summary.casesPassed, summary.casesEvaluated], [2, 3, 1, 2]);
    assert.equal(summary.meanPerplexity, 2); // (1.5 + 2.5) / 2
    close(summary.meanExpectedProbability, 0.6); // (0.8 + 0.4) / 2
    assert.deepEqual(summary.notEvaluated, ['similarity']);
    const { text } = buildResultsDocument({ title: 'T', file: 'f.prompt.yml', model: 'm', outcomes });
    assert.ok(text.includes('- Evaluators: 2 of 3 checks passed; 1 of 2 cases passed every check run here.\n'));
    assert.ok(text.includes('- Mean perplexity: 2.00 over 2 answers.\n'));
    assert.ok(text.includes('- Expected answer: mean probability 60.00 % over 2 of 2 cases, by first token among the alternatives.\n'));
    assert.ok(text.includes('## Case 1 of 2 · ✗ failed 1 of 2 checks'));
    assert.ok(text.includes('- – `similarity`: not evaluated here \\(uses github/similarity, a judge model\\)'));
    assert.ok(text.includes('3 tokens · perplexity 1.50 · 0 uncertain · P(expected) 80.00 % by first token among the alternatives'));
  });

  it('shows label probabilities and whether the prediction was right', () => {
    const labels = labelDistribution([{ token: 'Paris', logprob: Math.log(0.6) }, { token: 'Lyon', logprob: Math.log(0.2) }], ['Paris', 'Lyon']);
    const { text } = buildResultsDocument({ title: 'T', file: 'f', model: 'm', outcomes: [outcome(0, 'Paris', { labels })] });
    // 0.6 / 0.8 = 75 %, 0.2 / 0.8 = 25 %; covered 0.8, other tokens 0.2.
    assert.ok(text.includes('Labels: `Paris` 75.00 % · `Lyon` 25.00 % (renormalised; the labels cover 80.00 %, other tokens 20.00 %) · predicted `Paris` ✓'));
  });

  it('says what changed since the previous run, case by case', () => {
    const previous = [outcome(0, 'Paris', { stats: stats(2) }), outcome(1, 'Lyon'), outcome(2, 'Paris')];
    const current = [outcome(0, 'Paris', { stats: stats(1.5) }), outcome(1, 'Paris'), outcome(3, 'Paris')];
    const changes = compareOutcomes(previous, current);
    assert.deepEqual(changes.map((change) => [change.caseIndex, change.status]), [[0, 'unchanged'], [1, 'changed'], [3, 'new'], [2, 'removed']]);
    assert.deepEqual(changes[1]!.flips, [{ name: 'mentions Paris', before: false, after: true }]);
    const { text } = buildResultsDocument({ title: 'T', file: 'f', model: 'm', outcomes: current, previous: { when: 'yesterday', outcomes: previous } });
    assert.ok(text.includes('## Against the previous run (yesterday)\n'));
    // Cases matched in both runs: 0 and 1; one of them changed.
    assert.ok(text.includes('1 of 2 cases changed · 1 new · 1 removed · checks passed 2/3 → 3/3'));
    assert.ok(text.includes('| case 2 | changed | `mentions Paris` ✗ → ✓ | 2.00 → 2.00 | n/a → n/a |  |'));
    assert.ok(text.includes('| case 3 | removed |'));
    assert.ok(text.includes('Since the previous run: same answer · perplexity 2.00 → 1.50.'));
    assert.ok(text.includes('Since the previous run: new case.'));
  });

  it('shows a failed case with its reason, escaped, and leaves it out of the figures', () => {
    const failed = outcome(0, '', { failed: true, problem: 'Request failed: <b>502</b> [retry](command:x)', evaluators: [], stats: stats(undefined, 0) });
    const { text, answers } = buildResultsDocument({ title: 'T', file: 'f', model: 'm', outcomes: [failed, outcome(1, 'Paris')] });
    assert.ok(text.includes('## Case 1 of 2 · ⚠ request failed'));
    assert.ok(text.includes('⚠ Request failed: \\<b\\>502\\</b\\> \\[retry\\]\\(command:x\\)'));
    assert.ok(text.includes('- Failed: case 1.'));
    assert.ok(text.includes('- Evaluators: 1 of 1 checks passed'));
    assert.equal(answers[0]!.start, answers[0]!.end);
  });

  it('runs a file without test data as one section', () => {
    const single: CaseOutcome = { ...outcome(0, 'Hi'), caseIndex: undefined, key: caseKey(undefined), inputs: [], expected: undefined };
    const { text } = buildResultsDocument({ title: 'T', file: 'f', model: 'gpt-4o-mini', fileModel: 'openai/gpt-4o', outcomes: [single] });
    assert.ok(text.includes('## The prompt (no test data) · ✗ failed 1 of 1 checks'));
    assert.ok(text.includes('model `gpt-4o-mini` (the file names `openai/gpt-4o`) · 1 case'));
  });
});

function close(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${actual} ≈ ${expected}`);
}
