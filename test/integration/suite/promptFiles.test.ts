import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { calibrateOutcomes } from '../../../src/core/promptFiles/calibration';
import type { ClassifyResult } from '../../../src/vscode/promptFiles/classify';
import type { PromptFileRunResult } from '../../../src/vscode/promptFiles/runner';
import { repoRoot } from '../../support/fixtures';
import { PROMPT_CASES_MODEL } from '../../support/promptCaseAnswers';
import type { ReplayServer } from '../../support/replayServer';
import { editorWith, hoverAt, lens, replaySuite, TOP5, useModel, waitFor } from './helpers';

/*
 * The sentiment fixture's eight cases, answered from test/fixtures/prompt-files/replay-answers.json. Worked out by
 * hand from that file (labels positive, negative, neutral, in the order the expected values first appear):
 *
 * case  answer        first token: label mass (renormalised over the labels)        expected  right  confidence
 *  1    positive      pos .631+.10 = .731, neg .0946, neu .0344; covered .86 → .85/.11/.04 positive ✓   .85
 *  2    ␣negative     neg .93, pos .04, neu .03; covered 1                             negative   ✓     .93
 *  3    positive      pos .52, neu .20, neg .08; covered .8 → .65/.25/.10              neutral    ✗     .65
 *  4    positive.     pos .96, neg .03, neu .01                                        positive   ✓     .96
 *  5    negative      neg .5+.1 ("neg") = .6, neu .12, pos .08; covered .8 → .75/.15/.10 negative ✓     .75
 *  6    Neutral       neu .55, pos .35, neg .10                                        neutral    ✓     .55
 *  7    negative      neg .36, neu .28, pos .16; covered .8 → .45/.35/.20              neutral    ✗     .45
 *  8    ↵positive     (after "↵") pos .882, neu .009, neg .009; covered .9 → .98/.01/.01 positive ✓     .98
 *
 * Accuracy 6/8 = 0.75. Log loss = mean −ln p(expected) over .85 .93 .25 .96 .75 .55 .35 .98:
 *   (0.162519 + 0.072571 + 1.386294 + 0.040822 + 0.287682 + 0.597837 + 1.049822 + 0.020203) / 8 = 0.452219.
 * Brier = mean Σ(p − y)²: (0.0362 + 0.0074 + 0.995 + 0.0026 + 0.095 + 0.335 + 0.665 + 0.0006) / 8 = 0.2671.
 * Bins: .45 → 4 (wrong), .55 → 5, .65 → 6 (wrong), .75 → 7, .85 → 8, .93 .96 .98 → 9 (mean .956667, all right).
 * ECE = (.45 + .45 + .65 + .25 + .15) / 8 + 3/8 · (1 − .956667) = 1.95/8 + 0.13/8 = 0.26; MCE = .65.
 * Evaluators (equals / contains on the trimmed answer): 1 ✓✓, 2 ✓✓, 3 ✗✗, 4 ✗✓, 5 ✓✓, 6 ✗✓ (case), 7 ✗✗, 8 ✓✓:
 *   10 of 16 checks, cases 1, 2, 5 and 8 pass both.
 * First-token P(expected), the raw mass of the expected label: .731 .93 .20 .96 .60 .55 .28 .882, mean 0.641625.
 * Perplexity 1/p per one-token answer (case 1: 1/.631 = 1.5848); case 4 (.96 · .7)^−½ = 1.2199, case 8 (.95 · .882)^−½
 *   = 1.0925; mean 1.6864.
 */
const SENTIMENT = 'sentiment-classifier.prompt.yml';
const SYSTEM = 'You classify product reviews. Reply with exactly one word: positive, negative or neutral.\n';
const REVIEWS = [
  'I love this kettle, it boils in a minute and looks great.', 'Broke after two days. Waste of money.', 'It is a kettle. It boils water.',
  'Absolutely fantastic service, will buy again!', 'The lid does not close properly and the handle gets hot.', 'Arrived on Tuesday as promised.',
  'Not bad, not great either.', 'Best purchase this year.',
];
const ANSWERS = ['positive', ' negative', 'positive', 'positive.', 'negative', 'Neutral', 'negative', '\npositive'];

let fileCount = 0;

/** A copy of a prompt-file fixture (or `text`) in the workspace under a fresh name, shown in an editor. */
async function promptFile(fixture: string, text?: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders![0]!;
  const uri = vscode.Uri.joinPath(folder.uri, fixture.replace(/\.prompt\.yml$/, `-${process.pid}-${++fileCount}.prompt.yml`));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text ?? fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'prompt-files', fixture), 'utf8')));
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
}

async function run(uri: vscode.Uri, caseIndex?: number): Promise<PromptFileRunResult> {
  return await vscode.commands.executeCommand<PromptFileRunResult>('logprobLens.runPromptFile', uri, ...(caseIndex === undefined ? [] : [caseIndex]));
}

function resultsOf(result: PromptFileRunResult): vscode.TextDocument {
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === result.documentUri);
  assert.ok(document, `the results document ${result.documentUri} is open`);
  return document;
}

/** The chat requests the server saw, by the case's user message. */
function chatBodies(server: ReplayServer, from: number): Map<string, Record<string, unknown>> {
  const bodies = new Map<string, Record<string, unknown>>();
  for (const request of server.requests.slice(from)) {
    if (!request.path.endsWith('/chat/completions') || request.body?.stream !== true) continue;
    const messages = request.body.messages as { role: string; content: string }[];
    bodies.set(messages.at(-1)!.content, request.body);
  }
  return bodies;
}

async function closeResults(): Promise<void> {
  for (const document of vscode.workspace.textDocuments.filter((candidate) => candidate.uri.scheme === 'untitled' && !candidate.isClosed)) {
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}

async function configure(values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('logprobLens');
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Global);
}

const lineOf = (text: string, line: string): boolean => text.split('\n').includes(line);

describe('prompt files in a real editor', () => {
  const suite = replaySuite();
  let server: ReplayServer;
  beforeEach(async () => {
    server = suite.server;
    server.maxInFlight = 0;
    await useModel(PROMPT_CASES_MODEL);
  });
  afterEach(async () => {
    await closeResults();
    await configure({ endpoints: undefined, endpoint: undefined, 'promptFiles.concurrency': undefined, 'promptFiles.useFileModel': undefined, 'classify.labels': undefined });
  });

  it('loads the prompt-file engine with the first prompt file, not at activation', async () => {
    const api = await lens();
    console.log(`      activation: activate() took ${api.activationMs.toFixed(1)} ms; prompt-file engine loaded: ${api.promptFiles.engineLoaded}, SDK loaded: ${api.sdkLoaded()}`);
    assert.equal(api.promptFiles.engineLoaded, false);
    const editor = await promptFile(SENTIMENT);
    await waitFor('the engine to load for the lenses', () => api.promptFiles.engineLoaded);
    assert.deepEqual(vscode.languages.getDiagnostics(editor.document.uri), []);
  });

  it('shows each broken fixture\'s problems at their lines, and updates them as the file is edited', async () => {
    const E = vscode.DiagnosticSeverity.Error;
    const W = vscode.DiagnosticSeverity.Warning;
    // Lines (0-based) read off the fixtures.
    const expected: Record<string, [number, vscode.DiagnosticSeverity, string][]> = {
      'broken-yaml.prompt.yml': [[3, E, 'yaml-syntax']], // the quote opened on `content: "Say {{input}}` never closes
      'broken-messages.prompt.yml': [[2, E, 'message-role-unknown'], [4, E, 'message-content-missing'], [5, E, 'message-role-missing'], [8, E, 'wrong-type']],
      'broken-variables.prompt.yml': [[5, W, 'variable-not-substituted'], [5, E, 'variable-undefined'], [9, W, 'variable-not-in-case'], [13, E, 'variable-undefined']],
      'broken-parameters.prompt.yml': [[3, E, 'parameter-type'], [4, W, 'parameter-type'], [5, W, 'parameter-range'], [8, E, 'json-schema']],
      'broken-evaluators.prompt.yml': [[8, E, 'evaluator-empty'], [9, E, 'evaluator-empty'], [13, W, 'evaluator-ambiguous']],
    };
    for (const [fixture, wanted] of Object.entries(expected)) {
      const { document } = await promptFile(fixture);
      await waitFor(`the diagnostics of ${fixture}`, () => vscode.languages.getDiagnostics(document.uri).length > 0);
      const shown = vscode.languages.getDiagnostics(document.uri).map((diagnostic) => [diagnostic.range.start.line, diagnostic.severity, diagnostic.code]);
      assert.deepEqual(shown, wanted, fixture);
      assert.ok(vscode.languages.getDiagnostics(document.uri).every((diagnostic) => diagnostic.source === 'Logprob Lens'));
    }
    const editor = await promptFile('broken-messages.prompt.yml');
    await waitFor('its diagnostics', () => vscode.languages.getDiagnostics(editor.document.uri).length === 4);
    const role = editor.document.getText().indexOf('developer');
    await editor.edit((builder) => builder.replace(new vscode.Range(editor.document.positionAt(role), editor.document.positionAt(role + 'developer'.length)), 'system'));
    await waitFor('the fixed role\'s error to go', () => vscode.languages.getDiagnostics(editor.document.uri).length === 3);
  });

  it('offers Run all and Run case N as CodeLenses, and only a way to the problems while there are errors', async () => {
    const { document } = await promptFile(SENTIMENT);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri);
    const ours = lenses.filter((codeLens) => codeLens.command?.command === 'logprobLens.runPromptFile');
    // `name:` is on line 2 (after two comment lines); the test cases start on lines 15, 17, ..., 29.
    assert.deepEqual(ours.map((codeLens) => [codeLens.range.start.line, codeLens.command!.title]), [
      [2, '$(play) Run all 8 cases'], ...[15, 17, 19, 21, 23, 25, 27, 29].map((line, i) => [line, `$(play) Run case ${i + 1}`]),
    ]);
    assert.deepEqual(ours[3]!.command!.arguments, [document.uri, 2]);
    // A classification prompt offers its calibration on the first line; a summarizer does not.
    assert.deepEqual(lenses.filter((codeLens) => codeLens.command?.command === 'logprobLens.showCalibration').map((codeLens) => [codeLens.range.start.line, codeLens.command!.title]), [[2, '$(graph) Calibration']]);
    const summarizer = await promptFile('github-docs-text-summarizer.prompt.yml');
    const plain = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', summarizer.document.uri);
    assert.deepEqual(plain.map((codeLens) => codeLens.command?.title), ['$(play) Run all 1 case', '$(play) Run case 1']);
    const broken = await promptFile('broken-messages.prompt.yml');
    const brokenLenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', broken.document.uri);
    assert.deepEqual(brokenLenses.map((codeLens) => codeLens.command?.title), ['$(error) 4 errors: fix them to run']);
  });

  it('sends nothing while the file has errors', async () => {
    const { document } = await promptFile('broken-variables.prompt.yml');
    const before = server.requests.length;
    const result = await run(document.uri);
    assert.equal(result.outcome, 'refused');
    assert.match(result.message ?? '', /has 2 errors \(see the Problems view\): nothing was sent/);
    assert.equal(server.requests.length, before);
  });

  it('runs every case with its variables and the file\'s parameters, and writes each answer, verdict and figure', async () => {
    const { document } = await promptFile(SENTIMENT);
    const from = server.requests.length;
    const result = await run(document.uri);
    assert.equal(result.outcome, 'done', result.message);
    // Every request as sent: the case's messages, roles lowercased, the variable substituted, temperature 0 and
    // maxTokens 3 from the file over the user's (maxTokens 1024 by default), logprobs with 5 alternatives.
    const bodies = chatBodies(server, from);
    assert.equal(server.requests.length - from, 8);
    for (const review of REVIEWS) {
      assert.deepEqual(bodies.get(`Review: ${review}`), {
        model: PROMPT_CASES_MODEL, stream: true, logprobs: true, top_logprobs: 5, temperature: 0, max_tokens: 3,
        messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: `Review: ${review}` }],
      });
    }
    const results = resultsOf(result);
    const text = results.getText();
    assert.equal(results.languageId, 'markdown');
    assert.equal(results.uri.scheme, 'untitled');
    for (const line of [
      '# Review sentiment',
      '- Evaluators: 10 of 16 checks passed; 4 of 8 cases passed every check run here.',
      '- Mean perplexity: 1.69 over 8 answers.',
      '- Expected answer: mean probability 64.16 % over 8 of 8 cases, by first token among the alternatives.',
      '- Classification over 8 labelled cases: accuracy 75.00 % · log loss 0.452 · Brier 0.267 · expected calibration error 0.260; under 30 cases this is a rough estimate.',
      '## Case 1 of 8 · ✓ passed', '## Case 3 of 8 · ✗ failed 2 of 2 checks', '## Case 4 of 8 · ✗ failed 1 of 2 checks', '## Case 6 of 8 · ✗ failed 1 of 2 checks',
      '## Case 8 of 8 · ✓ passed',
      '- ✗ `exact label`: equals `positive`', '- ✓ `mentions the label`: contains `positive`',
      '1 token · perplexity 1.58 · 0 uncertain · P(expected) 73.10 % by first token among the alternatives',
      '1 token · perplexity 2.78 · 1 uncertain · P(expected) 28.00 % by first token among the alternatives',
      '2 tokens · perplexity 1.22 · 0 uncertain · P(expected) 96.00 % by first token among the alternatives',
      '2 tokens · perplexity 1.09 · 0 uncertain · P(expected) 88.20 % by first token among the alternatives',
      'Labels: `positive` 85.00 % · `negative` 11.00 % · `neutral` 4.00 % (renormalised; the labels cover 86.00 %, other tokens 14.00 %) · predicted `positive` ✓',
      'Labels: `negative` 45.00 % · `neutral` 35.00 % · `positive` 20.00 % (renormalised; the labels cover 80.00 %, other tokens 20.00 %) · predicted `negative` ✗',
    ]) assert.ok(lineOf(text, line), `the results hold the line “${line}”`);
    assert.match(text.split('\n')[2]!, /^`sentiment-classifier-\d+-\d+\.prompt\.yml` · model `prompt-cases` \(the file names `openai\/gpt-4o-mini`\) · 8 cases · /);

    // Each answer sits where the result says, and its tokens are tracked (coloured, with hovers) exactly there.
    assert.deepEqual(result.answers!.map((answer) => text.slice(answer.start, answer.end)), ANSWERS);
    const api = await lens();
    const tracked = api.tracker.answers(results);
    assert.deepEqual(tracked.map((each) => [each.answer.start, each.answer.end]), result.answers!.map((answer) => [answer.start, answer.end]));
    assert.deepEqual(tracked.map((each) => each.answer.store.placementCount), [1, 1, 1, 2, 1, 1, 1, 2]);
    assert.ok(tracked.every((each) => each.state === 'done'));
    const hover = await hoverAt(results, result.answers![0]!.start + 2);
    assert.match(hover, /`positive`/);
    assert.match(hover, /`Positive`/);
    assert.match(hover, /63\.10 %/);

    // Each case's answer is a run of the history, the eight grouped as one prompt-file run, in case order.
    await waitFor('the cases in the run history', () => tracked.every((each) => api.history.get(each.id) !== undefined));
    const runs = tracked.map((each) => api.history.get(each.id)!);
    assert.ok(runs.every((meta) => meta.kind === 'promptFile' && meta.group?.kind === 'promptFile' && meta.group.size === 8 && meta.group.id === runs[0]!.group!.id));
    assert.deepEqual(runs.map((meta) => meta.group!.index), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual((await api.history.read(tracked[0]!.id))?.text, ANSWERS[0]);

    // The outcomes kept for the next run give the hand-computed calibration.
    const kept = api.promptFiles.runs.previous(document.uri.toString());
    assert.ok(kept);
    const calibration = calibrateOutcomes(kept.outcomes)!;
    const close = (actual: number, wanted: number, what: string): void => assert.ok(Math.abs(actual - wanted) < 1e-6, `${what}: ${actual} ≈ ${wanted}`);
    assert.deepEqual(calibration.report.labels, ['positive', 'negative', 'neutral']);
    close(calibration.report.accuracy, 0.75, 'accuracy');
    close(calibration.report.logLoss, 0.452219, 'log loss');
    close(calibration.report.brier, 0.2671, 'Brier');
    close(calibration.report.expectedCalibrationError, 0.26, 'ECE');
    close(calibration.report.maxCalibrationError, 0.65, 'MCE');
    assert.deepEqual(calibration.report.bins.map((bin) => bin.count), [0, 0, 0, 0, 1, 1, 1, 1, 1, 3]);
    assert.equal(calibration.report.rough, true);
  });

  it('compares a run with the previous run of the file, and one case with that case', async () => {
    const { document } = await promptFile(SENTIMENT);
    await run(document.uri);
    const again = await run(document.uri);
    const text = resultsOf(again).getText();
    assert.ok(text.includes('\n## Against the previous run ('));
    assert.ok(lineOf(text, '0 of 8 cases changed · 0 new · 0 removed · checks passed 10/16 → 10/16 · mean perplexity 1.69 → 1.69'));
    assert.ok(lineOf(text, 'Since the previous run: same answer · perplexity 1.58 → 1.58 · P(expected) 73.10 % → 73.10 %.'));
    const one = await run(document.uri, 2);
    assert.equal(one.outcomes!.length, 1);
    const single = resultsOf(one).getText();
    assert.match(single.split('\n')[2]!, / · 1 of 8 cases · /);
    assert.ok(lineOf(single, '## Case 3 of 8 · ✗ failed 2 of 2 checks'));
    assert.ok(lineOf(single, '0 of 1 cases changed · 0 new · 0 removed · checks passed 0/2 → 0/2 · mean perplexity 1.92 → 1.92'));
  });

  it('runs a file without test data once, as written', async () => {
    const { document } = await promptFile('no-test-data.prompt.yml');
    const from = server.requests.length;
    const result = await run(document.uri);
    assert.equal(result.outcome, 'done', result.message);
    assert.deepEqual(server.requests.slice(from).map((request) => request.body), [{
      model: PROMPT_CASES_MODEL, stream: true, logprobs: true, top_logprobs: 5, temperature: 0.7, max_tokens: 40,
      messages: [{ role: 'system', content: 'You write haiku.' }, { role: 'user', content: 'Write a haiku about logprobs.' }],
    }]);
    const text = resultsOf(result).getText();
    assert.ok(lineOf(text, '## The prompt (no test data) · no check run here'));
    assert.equal(text.slice(result.answers![0]!.start, result.answers![0]!.end), 'Odds of each word');
  });

  it('scores the expected answer with vLLM prompt_logprobs where the endpoint can', async () => {
    await configure({ endpoints: { vLLM: { baseUrl: server.baseUrl, model: PROMPT_CASES_MODEL } }, endpoint: 'vLLM' });
    const { document } = await promptFile('github-docs-text-summarizer.prompt.yml');
    const from = server.requests.length;
    const result = await run(document.uri);
    assert.equal(result.outcome, 'done', result.message);
    const expected = 'Summary - A fox jumped over a lazy, unresponsive dog.';
    const scoring = server.requests.slice(from).find((request) => request.body?.stream === false);
    const messages = (server.requests[from]!.body!.messages as unknown[]);
    assert.deepEqual(scoring?.body, {
      model: PROMPT_CASES_MODEL, messages: [...messages, { role: 'assistant', content: expected }],
      stream: false, max_tokens: 1, prompt_logprobs: 0, add_generation_prompt: false, continue_final_message: true,
    });
    // The expected answer's twelve scored tokens: .9 · .95 · .6 · .7 · .8 · .9 · .5 · .85 · .2 · .05 · .9 · .7 = 0.00069227.
    const probability = result.outcomes![0]!.expectedProbability!;
    assert.equal(probability.method, 'vllm-prompt-logprobs');
    assert.ok(Math.abs(probability.probability! - 0.00069227298) < 1e-10, String(probability.probability));
    const text = resultsOf(result).getText();
    assert.ok(lineOf(text, '## Case 1 of 1 · ✓ passed'));
    assert.ok(text.includes('· P(expected) 0.0692 % by prompt scoring (vLLM prompt_logprobs)\n'));
  });

  it('sends the endpoint\'s logit-bias list with every case, and refuses an endpoint known to return no logprobs', async () => {
    await configure({ endpoints: { llama: { baseUrl: server.baseUrl, model: PROMPT_CASES_MODEL, preset: 'llama.cpp server' } }, endpoint: 'llama' });
    const api = await lens();
    const settings = api.steering.settingsInUse();
    await api.steering.bias.add(settings, { text: ' neutral', bias: -100, source: 'string-key' });
    const { document } = await promptFile(SENTIMENT);
    try {
      const from = server.requests.length;
      const result = await run(document.uri);
      assert.equal(result.outcome, 'done', result.message);
      const streamed = server.requests.slice(from).filter((request) => request.body?.stream === true);
      assert.equal(streamed.length, 8);
      for (const request of streamed) assert.deepEqual(request.body!.logit_bias, [[' neutral', -100]]);
    } finally {
      await api.steering.bias.clear(settings);
    }

    await configure({ endpoints: { reasoning: { baseUrl: server.baseUrl, model: 'o3-mini', preset: 'OpenAI' } }, endpoint: 'reasoning' });
    const before = server.requests.length;
    const refused = await run(document.uri);
    assert.equal(refused.outcome, 'refused');
    assert.match(refused.message ?? '', /logprobs/);
    assert.equal(server.requests.length, before, 'nothing was sent');
  });

  it('says why the expected answer\'s probability cannot be computed without scoring, for a long answer', async () => {
    const { document } = await promptFile('github-docs-text-summarizer.prompt.yml');
    const result = await run(document.uri);
    const probability = result.outcomes![0]!.expectedProbability!;
    assert.equal(probability.method, 'unavailable');
    assert.match(probability.note, /longer than a label/);
  });

  it('scores with legacy Completions echo on a Completions endpoint', async () => {
    await configure({ endpoints: { vLLM: { baseUrl: server.baseUrl, model: PROMPT_CASES_MODEL, apiStyle: 'completions' } }, endpoint: 'vLLM' });
    const { document } = await promptFile(SENTIMENT);
    const from = server.requests.length;
    const result = await run(document.uri, 0);
    assert.equal(result.outcome, 'done', result.message);
    const [generation, echo] = server.requests.slice(from);
    assert.deepEqual(generation?.body, {
      model: PROMPT_CASES_MODEL, prompt: `${SYSTEM}\n\nReview: ${REVIEWS[0]}`, stream: true, logprobs: 5, temperature: 0, max_tokens: 3,
    });
    assert.deepEqual(echo?.body, {
      model: PROMPT_CASES_MODEL, prompt: `System: ${SYSTEM}\n\nUser: Review: ${REVIEWS[0]}\n\nAssistant: positive`, echo: true, max_tokens: 1, temperature: 0, logprobs: 1,
    });
    const probability = result.outcomes![0]!.expectedProbability!;
    assert.equal(probability.method, 'completions-echo');
    assert.ok(Math.abs(probability.probability! - 0.8) < 1e-9);
    assert.equal(result.outcomes![0]!.labels?.predicted, 'positive');
  });

  it('sends the file\'s model only when promptFiles.useFileModel allows it, and response_format as the CLI does', async () => {
    const text = `name: Own model\nmodel: ${PROMPT_CASES_MODEL}\nmessages:\n  - role: user\n    content: "Review: {{input}}"\ntestData:\n  - input: ${REVIEWS[1]}\n`;
    await useModel(TOP5);
    const first = await promptFile('own-model.prompt.yml', text);
    let from = server.requests.length;
    await run(first.document.uri);
    assert.equal(server.requests[from]!.body!.model, TOP5);
    await configure({ 'promptFiles.useFileModel': true });
    from = server.requests.length;
    const result = await run(first.document.uri);
    assert.equal(server.requests[from]!.body!.model, PROMPT_CASES_MODEL);
    assert.equal(result.outcomes![0]!.answer, ' negative');
    await configure({ 'promptFiles.useFileModel': undefined });
    await useModel(PROMPT_CASES_MODEL);

    const { document } = await promptFile('gh-models-json-schema-prompt.prompt.yml');
    from = server.requests.length;
    const failed = await run(document.uri);
    const bodies = server.requests.slice(from).map((request) => request.body!);
    assert.equal(bodies.length, 3);
    const format = bodies[0]!.response_format as { type: string; json_schema: { name: string; strict: boolean; schema: { required: string[] } } };
    assert.equal(format.type, 'json_schema');
    assert.equal(format.json_schema.name, 'animal_description');
    assert.equal(format.json_schema.strict, true);
    assert.deepEqual(format.json_schema.schema.required, ['name', 'habitat', 'diet']);
    // The replay server has no answer for these cases: each failed, and says why.
    assert.equal(failed.outcome, 'failed');
    assert.ok(failed.outcomes!.every((outcome) => outcome.failed && /No hand-written answer/.test(outcome.problem ?? '')));
    assert.ok(lineOf(resultsOf(failed).getText(), '## Case 2 of 3 · ⚠ request failed'));
  });

  it('keeps at most promptFiles.concurrency requests in flight', async () => {
    const { document } = await promptFile(SENTIMENT);
    server.paceMs = 40;
    await run(document.uri);
    assert.equal(server.maxInFlight, 2, 'the default');
    await configure({ 'promptFiles.concurrency': 3 });
    server.maxInFlight = 0;
    const result = await run(document.uri);
    assert.equal(result.outcome, 'done');
    assert.equal(server.maxInFlight, 3);
  });

  it('cancels the whole run as one: what arrived stays, no case starts after', async () => {
    const { document } = await promptFile(SENTIMENT);
    server.paceMs = 400;
    const from = server.requests.length;
    const api = await lens();
    const running = run(document.uri);
    await waitFor('a results document with a case running', () => vscode.workspace.textDocuments.some((candidate) => candidate.uri.scheme === 'untitled'
      && api.tracker.answers(candidate).length > 0), 15_000);
    const results = vscode.workspace.textDocuments.find((candidate) => candidate.uri.scheme === 'untitled' && api.tracker.answers(candidate).length > 0)!;
    await waitFor('both cases under way to be sent', () => server.requests.length - from === 2);
    assert.equal(await vscode.commands.executeCommand('logprobLens.cancel', results), true);
    const result = await running;
    assert.equal(result.outcome, 'cancelled');
    assert.equal(server.requests.length - from, 2, 'only the two cases under way were sent');
    const text = results.getText();
    assert.equal(text.split('\n⚠ Cancelled: the answer is incomplete.\n').length - 1, 2);
    assert.equal(text.split('⚠ Not run: the run was stopped first.').length - 1, 6);
    assert.equal(api.promptFiles.runs.previous(document.uri.toString()), undefined, 'a stopped run is not kept as the file\'s last run');
  });

  it('keeps an edit of the results inside one part, and stops when an edit spans parts while the run writes', async () => {
    const { document } = await promptFile(SENTIMENT);
    server.paceMs = 300;
    const api = await lens();
    const running = run(document.uri);
    await waitFor('a case running', () => vscode.workspace.textDocuments.some((candidate) => candidate.uri.scheme === 'untitled' && api.tracker.answers(candidate).length > 0), 15_000);
    const results = vscode.workspace.textDocuments.find((candidate) => candidate.uri.scheme === 'untitled' && api.tracker.answers(candidate).length > 0)!;
    // The editor refuses an edit made for a version the run's own writing has moved past: made again, as a user would.
    const edit = async (from: () => number, to: () => number, text: string): Promise<void> => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const change = new vscode.WorkspaceEdit();
        change.replace(results.uri, new vscode.Range(results.positionAt(from()), results.positionAt(to())), text);
        if (await vscode.workspace.applyEdit(change)) return;
      }
      assert.fail('the edit was refused 20 times');
    };
    await edit(() => 0, () => 1, '#'); // within the title: the run goes on
    await waitFor('the first case to finish', () => results.getText().includes('## Case 1 of 8 · ✓ passed'), 15_000);
    await edit(() => results.getText().indexOf('## Case 1 of 8'), () => results.getText().indexOf('## Case 2 of 8'), '');
    const result = await running;
    assert.equal(result.outcome, 'cancelled');
    assert.match(result.message ?? '', /edited while the run wrote into it: the run stopped/);
  });

  it('opens the calibration view of a classification prompt', async () => {
    const { document } = await promptFile(SENTIMENT);
    await run(document.uri);
    assert.equal(await vscode.commands.executeCommand('logprobLens.showCalibration', document.uri), true);
    await waitFor('the calibration tab', () => vscode.window.tabGroups.all.flatMap((group) => group.tabs)
      .some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('logprobLens.calibration') && tab.label === 'Calibration: Review sentiment'));
    const { document: summarizer } = await promptFile('github-docs-text-summarizer.prompt.yml');
    assert.equal(await vscode.commands.executeCommand('logprobLens.showCalibration', summarizer.uri), false, 'no labels, no calibration');
  });

  it('classifies a selection into typed labels in one request, with the unlabelled mass', async () => {
    await configure({ 'classify.labels': ['positive', 'negative', 'neutral'] });
    await editorWith('The battery died on the first day.');
    const from = server.requests.length;
    let settled = false;
    const classified = vscode.commands.executeCommand<ClassifyResult>('logprobLens.classifySelection').then((result) => {
      settled = true;
      return result;
    });
    // The labels' input box opens prefilled from the setting: accept it as it is.
    while (!settled && server.requests.length === from) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const result = await classified;
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(result.outcome, 'done', result.message);
    assert.deepEqual(server.requests.slice(from).map((request) => request.body), [{
      model: PROMPT_CASES_MODEL, stream: true, logprobs: true, top_logprobs: 5, max_tokens: 8,
      messages: [
        { role: 'system', content: 'Classify the text the user sends. Answer with exactly one of these labels and nothing else: positive, negative, neutral.' },
        { role: 'user', content: 'The battery died on the first day.' },
      ],
    }]);
    // " negative" .7 and "negative" .1 add up to .8, " neutral" .1, " positive" .05: covered .95, "The" .05 left.
    const distribution = result.distribution!;
    assert.equal(distribution.predicted, 'negative');
    const byLabel = Object.fromEntries(distribution.byLabel.map((entry) => [entry.label, entry.probability]));
    assert.ok(Math.abs(byLabel.negative! - 0.8 / 0.95) < 1e-9 && Math.abs(byLabel.neutral! - 0.1 / 0.95) < 1e-9 && Math.abs(byLabel.positive! - 0.05 / 0.95) < 1e-9);
    assert.ok(Math.abs(distribution.uncovered - 0.05) < 1e-9);
  });
});
