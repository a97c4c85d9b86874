// Prompt-file figures for `npm run bench` (the targets of issue 13: parse and render a 1,000-case file, calibration
// of 10,000 cases). Prints numbers; asserts nothing.
import type { TokenEntry } from '../../src/core/logprob';
import { calibrate, calibrationInput } from '../../src/core/promptFiles/calibration';
import { calibrationCsv } from '../../src/core/promptFiles/calibrationExport';
import { runEvaluators } from '../../src/core/promptFiles/evaluators';
import { answerLabelDistribution, detectLabels } from '../../src/core/promptFiles/labels';
import type { CaseOutcome } from '../../src/core/promptFiles/outcome';
import { caseKey } from '../../src/core/promptFiles/outcome';
import { parsePromptFile } from '../../src/core/promptFiles/parse';
import { buildCaseRequest, caseIndices } from '../../src/core/promptFiles/request';
import { calibrationView } from '../../src/core/promptFiles/calibrationView';
import { buildResultsDocument, caseParts, resultsTop } from '../../src/core/promptFiles/results';

const LABELS = ['positive', 'negative', 'neutral'];

/** A classification prompt file with `cases` test cases, shaped like test/fixtures/prompt-files/sentiment-classifier. */
function promptFileText(cases: number): string {
  const lines = [
    'name: Review sentiment', 'model: openai/gpt-4o-mini', 'modelParameters:', '  temperature: 0', '  maxTokens: 3', 'messages:',
    '  - role: system', '    content: |', '      You classify product reviews. Reply with exactly one word: positive, negative or neutral.',
    '  - role: user', '    content: "Review: {{input}}"', 'testData:',
  ];
  for (let i = 0; i < cases; i++) {
    lines.push(`  - input: "Review number ${i}: the kettle ${i % 2 ? 'broke after a week' : 'boils fast and looks great'}, ${'really '.repeat(i % 7)}."`);
    lines.push(`    expected: ${LABELS[i % 3]}`);
  }
  lines.push('evaluators:', '  - name: exact label', '    string:', '      equals: "{{expected}}"');
  return `${lines.join('\n')}\n`;
}

/** The first answer token of a classification case: the label and four alternatives, as an endpoint returns them. */
function answerTokens(i: number): TokenEntry[] {
  const label = LABELS[(i * 7) % 3]!;
  const p = 0.4 + ((i * 7919) % 600) / 1000;
  return [{
    token: label, logprob: Math.log(p),
    top_logprobs: [
      { token: label, logprob: Math.log(p) }, { token: LABELS[(i + 1) % 3]!, logprob: Math.log((1 - p) * 0.6) },
      { token: ` ${LABELS[(i + 2) % 3]!}`, logprob: Math.log((1 - p) * 0.3) }, { token: 'The', logprob: Math.log((1 - p) * 0.05) },
    ],
  }];
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(runs: number, work: () => void): number {
  for (let warm = 0; warm < 3; warm++) work(); // let the JIT settle
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const began = performance.now();
    work();
    samples.push(performance.now() - began);
  }
  return median(samples);
}

export async function runPromptFilesBench(): Promise<void> {
  await Promise.resolve();
  const text = promptFileText(1000);
  const file = parsePromptFile(text);
  if (file.hasErrors || file.testCases.length !== 1000) throw new Error('the benchmark file should parse into 1,000 cases');
  const parseMs = time(15, () => parsePromptFile(text));
  console.log(`prompt file parse, 1,000 cases (${(text.length / 1024).toFixed(0)} KB): ${parseMs.toFixed(1)} ms (target <= 100 ms)`);

  const outcomes: CaseOutcome[] = [];
  let sentCharacters = 0;
  const prepareMs = time(15, () => {
    outcomes.length = 0;
    sentCharacters = 0;
    for (const index of caseIndices(file)) {
      const testCase = file.testCases[index!]!;
      const request = buildCaseRequest(file, index, { temperature: 1, maxTokens: 1024 }, { useFileModel: false });
      sentCharacters += request.messages.reduce((sum, message) => sum + message.content.length, 0);
      const answer = LABELS[(index! * 7) % 3]!;
      outcomes.push({
        caseIndex: index, key: caseKey(testCase.variables), inputs: [...testCase.variables], expected: testCase.expected, answer, failed: false,
        evaluators: runEvaluators(file.evaluators, testCase.variables, answer),
        stats: { tokens: 1, perplexity: 1.2, meanProbability: 0.8, uncertain: 0 },
        labels: answerLabelDistribution(answerTokens(index!), LABELS),
      });
    }
  });
  console.log(`prompt file requests (${(sentCharacters / 1024).toFixed(0)} KB of messages), evaluators and labels, 1,000 cases: ${prepareMs.toFixed(1)} ms (target <= 50 ms)`);
  let documentLength = 0;
  const renderMs = time(15, () => {
    documentLength = buildResultsDocument({ title: file.name!, file: 'reviews.prompt.yml', model: 'gpt-4o-mini', outcomes, previous: { outcomes } }).text.length;
  });
  console.log(`prompt file results document, 1,000 cases (${(documentLength / 1024).toFixed(0)} KB, with comparison): ${renderMs.toFixed(1)} ms (target <= 100 ms)`);
  // While a run goes on, each case that starts or finishes rewrites the summary and its own text around its answer.
  const running = outcomes.map((outcome, i) => (i < 500 ? outcome : { ...outcome, answer: '', pending: 'waiting' as const }));
  const updateMs = time(50, () => {
    documentLength = resultsTop({ title: file.name!, file: 'reviews.prompt.yml', model: 'gpt-4o-mini', outcomes: running }).length;
    documentLength += caseParts(outcomes[499]!, 1000).head.length;
  });
  console.log(`prompt file results, one case finishing in a 1,000-case run (the summary and that case): ${updateMs.toFixed(2)} ms (target <= 5 ms)`);

  const labels = detectLabels(file.testCases.map((testCase) => testCase.expected))!.labels;
  const cases = Array.from({ length: 10_000 }, (_, i) => ({
    caseIndex: i, key: String(i), expected: LABELS[i % 3], distribution: answerLabelDistribution(answerTokens(i), labels),
  }));
  let csvLength = 0;
  const calibrationMs = time(15, () => {
    const input = calibrationInput(labels, cases);
    csvLength = calibrationCsv([{ run: 'bench', report: calibrate(labels, input.predictions)! }]).length;
  });
  console.log(`calibration, 10,000 cases (figures, bins and ${(csvLength / 1024).toFixed(0)} KB of CSV): ${calibrationMs.toFixed(1)} ms (target <= 100 ms)`);
  const report = calibrate(labels, calibrationInput(labels, cases).predictions)!;
  const viewMs = time(15, () => {
    const calibration = { report, excluded: [] };
    calibrationView({ title: 'bench', fileUri: 'file:///bench.prompt.yml', fileLabel: 'bench.prompt.yml', runs: [{ name: 'before', caption: '', calibration }, { name: 'after', caption: '', calibration }] });
  });
  console.log(`calibration view of two 10,000-case runs (figures, changes, both charts): ${viewMs.toFixed(2)} ms (target <= 16 ms)`);
  const distributionsMs = time(15, () => {
    for (let i = 0; i < 10_000; i++) answerLabelDistribution(answerTokens(i), labels);
  });
  console.log(`label probabilities, 10,000 answers: ${distributionsMs.toFixed(1)} ms (target <= 100 ms)`);
}
