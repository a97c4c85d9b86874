import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenEntry } from '../../src/core/logprob';
import { runPool } from '../../src/core/pool';
import { calibrateOutcomes } from '../../src/core/promptFiles/calibration';
import { classificationList, classifyMessages } from '../../src/core/promptFiles/classify';
import { scoringCapabilities } from '../../src/core/promptFiles/expected';
import { presetOfProfileName } from '../../src/core/presets';
import type { CapabilityContext } from '../../src/core/capabilities';
import { resolveCapabilities } from '../../src/core/capabilities';
import { fileLabels, labelDistribution } from '../../src/core/promptFiles/labels';
import type { CaseOutcome } from '../../src/core/promptFiles/outcome';
import { answerProblem, caseOutcome, NOT_RUN, pendingCase } from '../../src/core/promptFiles/outcome';
import { parsePromptFile } from '../../src/core/promptFiles/parse';
import { buildCaseRequest, caseCompletionRequest, responseFormatBody } from '../../src/core/promptFiles/request';
import { buildResultsDocument, caseParts, resultsTop } from '../../src/core/promptFiles/results';
import { repoRoot } from '../support/fixtures';

const fixture = (name: string): string => fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'prompt-files', name), 'utf8');
const sentiment = parsePromptFile(fixture('sentiment-classifier.prompt.yml'));
const stats = { tokens: 1, perplexity: 1 / 0.7, meanProbability: 0.7, uncertain: 0 };
const token = (text: string, p: number, alternatives: [string, number][] = []): TokenEntry => ({
  token: text, logprob: Math.log(p), top_logprobs: alternatives.map(([alternative, q]) => ({ token: alternative, logprob: Math.log(q) })),
});
const LABELS = ['positive', 'negative', 'neutral'];

describe('a prompt-file run, case by case', () => {
  it('makes a finished case from its answer: evaluators on the text, labels from the first token', () => {
    const tokens = [token('positive', 0.7, [['positive', 0.7], ['negative', 0.2], ['neutral', 0.1]])];
    const outcome = caseOutcome(sentiment, 0, { text: 'positive', tokens, stats, failed: false }, { labels: LABELS });
    assert.deepEqual(outcome.inputs, [['input', 'I love this kettle, it boils in a minute and looks great.'], ['expected', 'positive']]);
    assert.equal(outcome.expected, 'positive');
    assert.deepEqual(outcome.evaluators.map((result) => [result.name, result.passed]), [['exact label', true], ['mentions the label', true]]);
    // The three labels hold 0.7 + 0.2 + 0.1 = 1 of the mass: no renormalising needed.
    assert.equal(outcome.labels?.predicted, 'positive');
    assert.ok(Math.abs(outcome.labels.confidence! - 0.7) < 1e-12);
    assert.equal(outcome.key, JSON.stringify([['input', 'I love this kettle, it boils in a minute and looks great.'], ['expected', 'positive']]));

    const failed = caseOutcome(sentiment, 1, { ...NOT_RUN }, { labels: LABELS });
    assert.deepEqual([failed.failed, failed.evaluators, failed.labels, failed.problem], [true, [], undefined, 'Not run: the run was stopped first.']);
  });

  it('makes a case under way, with its answer so far, for the document of a running run', () => {
    assert.deepEqual(pendingCase(sentiment, 2, 'posi', 'running'), {
      caseIndex: 2, key: caseOutcome(sentiment, 2, NOT_RUN).key, inputs: [['input', 'It is a kettle. It boils water.'], ['expected', 'neutral']], expected: 'neutral', answer: 'posi', pending: 'running',
    });
  });

  it('says which ends of a request fail a case, and what to say beside its answer', () => {
    const end = { sawLogprobs: true, maxTokens: 3 };
    assert.deepEqual(answerProblem({ ...end, outcome: 'done' }), { failed: false });
    assert.deepEqual(answerProblem({ ...end, outcome: 'done', sawLogprobs: false }), { failed: false, problem: 'No logprobs came back: the answer is not coloured.' });
    assert.deepEqual(answerProblem({ ...end, outcome: 'truncated' }), { failed: false, problem: 'Stopped at the token limit (max_tokens 3).' });
    assert.deepEqual(answerProblem({ ...end, outcome: 'failed', failure: 'Nobody answers at 127.0.0.1:9' }), { failed: true, problem: 'Request failed: Nobody answers at 127.0.0.1:9.' });
    assert.deepEqual(answerProblem({ ...end, outcome: 'incomplete', failure: 'The connection was cut.' }), { failed: true, problem: 'Incomplete, only part of the answer came: The connection was cut.' });
    assert.deepEqual(answerProblem({ ...end, outcome: 'cancelled' }), { failed: true, problem: 'Cancelled: the answer is incomplete.' });
  });

  it('treats a file as a classification prompt by its expected values, or by the user\'s labels when they cover them', () => {
    assert.deepEqual(fileLabels(sentiment.testCases.map((testCase) => testCase.expected), [])?.labels, LABELS);
    // Three distinct answers, none repeated: a question set, unless the user says these are labels.
    const distinct = ['yes', 'no', 'maybe'];
    assert.equal(fileLabels(distinct, []), undefined);
    assert.deepEqual(fileLabels(distinct, ['Yes', 'No', 'Maybe', 'Unsure']), { labels: ['Yes', 'No', 'Maybe', 'Unsure'], source: 'user', notes: [] });
    assert.equal(fileLabels(distinct, ['yes', 'no']), undefined, 'maybe is not among them');
    assert.equal(fileLabels([undefined, undefined], ['yes', 'no']), undefined, 'no expected value at all');
  });

  it('calibrates a run from its outcomes, leaving out failed cases and saying why', () => {
    const tokens = (p: number, label: string, other: string): TokenEntry[] => [token(label, p, [[label, p], [other, 1 - p]])];
    const outcomes: CaseOutcome[] = [
      caseOutcome(sentiment, 0, { text: 'positive', tokens: tokens(0.9, 'positive', 'negative'), stats, failed: false }, { labels: LABELS }),
      caseOutcome(sentiment, 1, { text: 'positive', tokens: tokens(0.6, 'positive', 'negative'), stats, failed: false }, { labels: LABELS }),
      caseOutcome(sentiment, 2, NOT_RUN, { labels: LABELS }),
      caseOutcome(sentiment, 3, { text: 'The', tokens: [token('The', 0.9, [['The', 0.9]])], stats, failed: false }, { labels: LABELS }),
    ];
    const { report, excluded } = calibrateOutcomes(outcomes)!;
    // Case 1: positive .9 (right); case 2 expects negative: positive .6 (wrong). Accuracy 1/2; log loss
    // (−ln .9 − ln .4) / 2 = (0.105361 + 0.916291) / 2 = 0.510826.
    assert.equal(report.count, 2);
    assert.equal(report.accuracy, 0.5);
    assert.ok(Math.abs(report.logLoss - 0.510826) < 1e-6);
    assert.deepEqual(excluded, [{ caseIndex: 2, reason: 'the request failed' }, { caseIndex: 3, reason: 'no label among the alternatives at the answer’s start' }]);
    assert.equal(calibrateOutcomes([caseOutcome(sentiment, 0, { text: 'x', tokens: [], stats, failed: false })]), undefined, 'no labels, no calibration');
  });

  it('builds each case\'s request in the contract the client sends, with the file\'s response format', () => {
    const file = parsePromptFile(fixture('gh-models-json-schema-prompt.prompt.yml'));
    const request = buildCaseRequest(file, 1, { temperature: 1, maxTokens: 1024, seed: 7 }, { useFileModel: false });
    const sent = caseCompletionRequest(request, { apiStyle: 'chat', model: 'llama3.2', topLogprobs: 5 });
    assert.equal(sent.model, 'llama3.2');
    assert.deepEqual(sent.messages.at(-1), { role: 'user', content: 'Describe a cat in detail.' });
    assert.deepEqual(sent.sampling, { temperature: 1, maxTokens: 1024, seed: 7 });
    const schema = sent.extraBody?.response_format as { type: string; json_schema: { name: string; strict: boolean } };
    assert.equal(schema.type, 'json_schema');
    assert.deepEqual([schema.json_schema.name, schema.json_schema.strict], ['animal_description', true]);
    assert.equal(caseCompletionRequest(buildCaseRequest(file, 0, {}, { useFileModel: true }), { apiStyle: 'chat', model: 'llama3.2', topLogprobs: 5 }).model, 'openai/gpt-4o-mini');

    // The Responses API takes the schema's fields beside its type, under text.format.
    assert.deepEqual(responseFormatBody({ type: 'json_schema', jsonSchema: { name: 'x', schema: { type: 'object' } } }, 'responses'), { text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' } } } });
    assert.deepEqual(responseFormatBody({ type: 'json_object' }, 'chat'), { response_format: { type: 'json_object' } });
    assert.equal(caseCompletionRequest(buildCaseRequest(sentiment, 0, {}, { useFileModel: false }), { apiStyle: 'chat', model: 'm', topLogprobs: 5 }).extraBody, undefined);
  });

  it('knows how an endpoint can score the expected answer from its capabilities, and a profile\'s preset by its name', () => {
    const chat = { apiStyle: 'chat', model: 'Qwen/Qwen2.5-7B-Instruct' } as const;
    const scoring = (preset: string | undefined, context: Omit<CapabilityContext, 'preset'> = chat) => scoringCapabilities(resolveCapabilities({ ...context, preset }));
    assert.equal(presetOfProfileName('vLLM'), 'vLLM');
    assert.equal(presetOfProfileName('vLLM 2'), 'vLLM');
    assert.equal(presetOfProfileName('my box'), undefined);
    assert.equal(presetOfProfileName(undefined), undefined);
    // A profile named after an Object property is no preset.
    assert.equal(presetOfProfileName('constructor'), undefined);
    assert.deepEqual(scoring('vLLM'), { promptScoring: 'vllm-prompt-logprobs', hasAlternatives: true });
    assert.deepEqual(scoring('vLLM', { ...chat, apiStyle: 'completions' }), { promptScoring: 'completions-echo', hasAlternatives: true });
    assert.deepEqual(scoring(undefined), { promptScoring: undefined, hasAlternatives: true });
    // OpenAI's reasoning models return no logprobs: no alternatives to read a label from.
    assert.deepEqual(scoring('OpenAI', { apiStyle: 'chat', model: 'o3-mini' }), { promptScoring: undefined, hasAlternatives: false });
  });
});

describe('the results document of a run under way', () => {
  it('says how far the run is, shows running cases with their answer so far, and compares only at the end', () => {
    const done = caseOutcome(sentiment, 0, { text: 'positive', tokens: [], stats, failed: false });
    const previous = { when: 'before', outcomes: [done] };
    const running = buildResultsDocument({
      title: 'T', file: 'f.prompt.yml', model: 'm', fileCases: 8, previous,
      outcomes: [done, pendingCase(sentiment, 1, 'nega', 'running'), pendingCase(sentiment, 2, '', 'waiting')],
    });
    const lines = running.text.split('\n');
    assert.ok(lines.includes('- Running: 1 of 3 cases done.'));
    assert.ok(lines.includes('## Case 2 of 8 · running…'));
    assert.ok(lines.includes('## Case 3 of 8 · waiting'));
    assert.ok(!running.text.includes('Against the previous run'));
    assert.match(lines[2]!, / · 3 of 8 cases$/);
    assert.deepEqual(running.answers.map((answer) => running.text.slice(answer.start, answer.end)), ['positive', 'nega', '']);
    const finished = buildResultsDocument({ title: 'T', file: 'f.prompt.yml', model: 'm', fileCases: 8, previous, outcomes: [done] });
    assert.ok(finished.text.includes('\n## Against the previous run (before)\n'));
    assert.ok(finished.text.split('\n').includes('1 token · perplexity 1.43 · 0 uncertain'));
  });

  it('rebuilds a case that started or finished, and the summary, as the text the whole document has there', () => {
    const outcomes = [caseOutcome(sentiment, 0, { text: 'positive', tokens: [], stats, failed: false }), pendingCase(sentiment, 1, 'neg', 'running')];
    const input = { title: 'T', file: 'f.prompt.yml', model: 'm', fileCases: 8, outcomes };
    const { text, answers } = buildResultsDocument(input);
    const top = resultsTop(input);
    const first = caseParts(outcomes[0]!, 8);
    const second = caseParts(outcomes[1]!, 8);
    assert.equal(text, top + first.head + 'positive' + first.tail + second.head + 'neg' + second.tail);
    assert.equal(answers[1]!.start, (top + first.head + 'positive' + first.tail + second.head).length);
    assert.ok(second.head.startsWith('\n## Case 2 of 8 · running…\n'));
  });
});

describe('Classify Selection', () => {
  it('asks for one of the labels and nothing else', () => {
    assert.deepEqual(classifyMessages('Great phone.', ['good', 'bad']), [
      { role: 'system', content: 'Classify the text the user sends. Answer with exactly one of these labels and nothing else: good, bad.' },
      { role: 'user', content: 'Great phone.' },
    ]);
  });

  it('ranks the labels, renormalised, with the mass no label took', () => {
    const distribution = labelDistribution([
      { token: ' negative', logprob: Math.log(0.7) }, { token: 'negative', logprob: Math.log(0.1) }, { token: ' neutral', logprob: Math.log(0.1) },
      { token: ' positive', logprob: Math.log(0.05) }, { token: 'The', logprob: Math.log(0.05) },
    ], LABELS);
    const list = classificationList(distribution, []);
    // negative .8, neutral .1, positive .05 of .95: 84.21 %, 10.53 %, 5.26 %; 5 % is no label.
    assert.equal(list.title, 'Predicted: negative (84.21 %)');
    assert.deepEqual(list.rows.map((row) => [row.label, row.probability]), [['negative', '84.21 %'], ['neutral', '10.53 %'], ['positive', '5.26 %']]);
    assert.equal(list.rows[0]!.detail, '80.00 % of the whole distribution before renormalising over the labels');
    assert.deepEqual([list.uncovered.label, list.uncovered.probability], ['Not a label', '5.00 %']);
    assert.match(list.uncovered.detail, /the labels cover 95\.00 %/);
    const none = classificationList(labelDistribution([{ token: 'Hello', logprob: 0 }], LABELS), ['a note']);
    assert.equal(none.title, 'No label among the alternatives at the answer’s start');
    assert.deepEqual(none.notes, ['a note']);
  });
});

describe('a bounded pool', () => {
  it('runs at most `limit` items at once, in order, and starts none after an abort', async () => {
    const started: number[] = [];
    const finish = new Map<number, () => void>();
    let running = 0;
    let most = 0;
    const controller = new AbortController();
    const pool = runPool([0, 1, 2, 3, 4, 5, 6, 7], 3, controller.signal, async (item) => {
      started.push(item);
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => finish.set(item, resolve));
      running--;
    });
    const settle = async (item: number): Promise<void> => {
      finish.get(item)!();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    assert.deepEqual(started, [0, 1, 2]);
    await settle(1);
    assert.deepEqual(started, [0, 1, 2, 3]);
    await settle(0);
    controller.abort();
    await settle(2);
    await settle(3);
    await settle(4);
    await pool;
    assert.deepEqual(started, [0, 1, 2, 3, 4], 'item 4 started before the abort; nothing after');
    assert.equal(most, 3);
  });
});
