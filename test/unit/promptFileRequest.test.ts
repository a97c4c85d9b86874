import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { casePassed, goToLower, goTrimSpace, runEvaluators } from '../../src/core/promptFiles/evaluators';
import type { EvaluatorSpec, PromptFile } from '../../src/core/promptFiles/model';
import { parsePromptFile } from '../../src/core/promptFiles/parse';
import { applyModelParameters, buildCaseRequest, caseIndices, renderMessagesAsText } from '../../src/core/promptFiles/request';

const fixtures = path.resolve(__dirname, '../../../test/fixtures/prompt-files');
const parseFixture = (name: string): PromptFile => parsePromptFile(fs.readFileSync(path.join(fixtures, name), 'utf8'));
const RANGE = { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };
const stringEvaluator = (check: 'equals' | 'contains' | 'startsWith' | 'endsWith', value: string): EvaluatorSpec => ({ kind: 'string', name: check, check, value, range: RANGE });

describe('prompt file requests', () => {
  const user = { temperature: 1, topP: 0.5, maxTokens: 1024, seed: 7, stop: ['END'] };

  it('substitutes each case’s variables into the messages', () => {
    const file = parseFixture('sentiment-classifier.prompt.yml');
    const request = buildCaseRequest(file, 1, user, { useFileModel: false });
    assert.deepEqual(request.messages, [
      { role: 'system', content: 'You classify product reviews. Reply with exactly one word: positive, negative or neutral.\n' },
      { role: 'user', content: 'Review: Broke after two days. Waste of money.' },
    ]);
    assert.equal(request.caseIndex, 1);
  });

  it('applies the file’s modelParameters over the user’s sampling, keeping the rest', () => {
    const file = parseFixture('sentiment-classifier.prompt.yml');
    // The file sets temperature 0 and maxTokens 3; topP, seed and stop stay the user's.
    assert.deepEqual(buildCaseRequest(file, 0, user, { useFileModel: false }).sampling, { temperature: 0, topP: 0.5, maxTokens: 3, seed: 7, stop: ['END'] });
    // A file's stop replaces the user's as a whole.
    const snake = parseFixture('snake-case-parameters.prompt.yml');
    assert.deepEqual(buildCaseRequest(snake, 0, user, { useFileModel: false }).sampling, { temperature: 0.2, topP: 0.9, maxTokens: 64, seed: 7, stop: ['\n\n'] });
    assert.deepEqual(applyModelParameters({ temperature: 1 }, {}), { temperature: 1 });
  });

  it('uses the file’s model only when asked to', () => {
    const file = parseFixture('sentiment-classifier.prompt.yml');
    assert.equal('model' in buildCaseRequest(file, 0, user, { useFileModel: false }), false);
    assert.equal(buildCaseRequest(file, 0, user, { useFileModel: true }).model, 'openai/gpt-4o-mini');
  });

  it('carries the response format', () => {
    const file = parseFixture('gh-models-json-schema-prompt.prompt.yml');
    const request = buildCaseRequest(file, 2, {}, { useFileModel: false });
    assert.equal(request.responseFormat?.type, 'json_schema');
    assert.equal(request.messages[1]!.content, 'Describe a elephant in detail.');
  });

  it('runs a file without test data once, as written', () => {
    const file = parsePromptFile('messages:\n  - role: user\n    content: Say hi.\n');
    assert.deepEqual(caseIndices(file), [undefined]);
    assert.deepEqual(buildCaseRequest(file, undefined, {}, { useFileModel: false }).messages, [{ role: 'user', content: 'Say hi.' }]);
    assert.deepEqual(caseIndices(parseFixture('gh-models-json-schema-prompt.prompt.yml')), [0, 1, 2]);
  });

  it('refuses to build a request from a file with errors, or for a case it does not have', () => {
    assert.throws(() => buildCaseRequest(parseFixture('broken-variables.prompt.yml'), 0, {}, { useFileModel: false }), /errors/);
    assert.throws(() => buildCaseRequest(parseFixture('sentiment-classifier.prompt.yml'), 8, {}, { useFileModel: false }), /no test case 9/);
  });

  it('renders messages as one text prompt for text endpoints', () => {
    assert.equal(renderMessagesAsText([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }]),
      'System: Be brief.\n\nUser: Capital of France?\n\nAssistant:');
    assert.equal(renderMessagesAsText([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'The answer is' }]), 'User: Hi\n\nAssistant: The answer is');
  });
});

describe('prompt file string evaluators (as gh models eval runs them)', () => {
  const none = new Map<string, string>();

  it('compares equals exactly with the trimmed answer', () => {
    assert.equal(runEvaluators([stringEvaluator('equals', 'Paris')], none, '  Paris\n')[0]!.passed, true);
    assert.equal(runEvaluators([stringEvaluator('equals', 'paris')], none, 'Paris')[0]!.passed, false);
    // The value itself is not trimmed: a block scalar's final newline can never match.
    assert.equal(runEvaluators([stringEvaluator('equals', 'Paris\n')], none, 'Paris\n')[0]!.passed, false);
  });

  it('compares contains, startsWith and endsWith case-insensitively, on the trimmed answer', () => {
    const results = runEvaluators([
      stringEvaluator('contains', 'FOX'), stringEvaluator('startsWith', 'summary -'), stringEvaluator('endsWith', 'DOG.'), stringEvaluator('startsWith', 'dog'),
    ], none, '\n Summary - A fox jumped over a lazy dog. \n');
    assert.deepEqual(results.map((result) => result.passed), [true, true, true, false]);
  });

  it('templates the evaluator’s value with the case’s variables and words the details as the CLI does', () => {
    const [result] = runEvaluators([stringEvaluator('contains', '{{expected}}')], new Map([['expected', 'Paris']]), 'It is Paris.');
    assert.deepEqual(result, { name: 'contains', kind: 'string', check: 'contains', value: 'Paris', passed: true, details: 'Expected to contain: \'Paris\'' });
  });

  it('lists llm and uses evaluators as not evaluated here', () => {
    const results = runEvaluators([
      { kind: 'llm', name: 'judge', range: RANGE },
      { kind: 'uses', name: 'similarity', uses: 'github/similarity', range: RANGE },
    ], none, 'x');
    assert.deepEqual(results.map((result) => [result.name, result.passed]), [['judge', undefined], ['similarity', undefined]]);
    assert.match(results[1]!.details, /not evaluated here \(uses github\/similarity/);
    assert.equal(casePassed(results), undefined);
    assert.equal(casePassed([...results, ...runEvaluators([stringEvaluator('contains', 'x')], none, 'x')]), true);
  });

  it('trims what Go’s strings.TrimSpace trims (White_Space), not what String.trim does', () => {
    // U+0085 (NEL) and U+00A0 are White_Space; U+FEFF (BOM) is not, though JavaScript's trim removes it.
    assert.equal(goTrimSpace('\u0085\u00a0 x \u3000\n'), 'x');
    assert.equal(goTrimSpace('\ufeffx'), '\ufeffx');
  });

  it('lowers case as Go’s strings.ToLower does (simple mapping per code point)', () => {
    // Go: unicode.ToLower('İ') = 'i'; a final capital sigma becomes σ, not ς.
    assert.equal(goToLower('İSTANBUL'), 'istanbul');
    assert.equal(goToLower('ΟΔΟΣ'), 'οδοσ');
    assert.equal(goToLower('ABC'), 'abc');
  });
});
