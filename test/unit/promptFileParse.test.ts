import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PromptDiagnostic, PromptFile } from '../../src/core/promptFiles/model';
import { MAX_PROMPT_FILE_CHARACTERS, parsePromptFile } from '../../src/core/promptFiles/parse';

const fixtures = path.resolve(__dirname, '../../../test/fixtures/prompt-files');
const read = (name: string): string => fs.readFileSync(path.join(fixtures, name), 'utf8');
const parseFixture = (name: string): PromptFile => parsePromptFile(read(name));
const codes = (file: PromptFile): string[] => file.diagnostics.map((diagnostic) => `${diagnostic.severity} ${diagnostic.code}`);

/** Zero-based line and column of the n-th occurrence of `needle` in `text`, computed from the raw text. */
function locate(text: string, needle: string, occurrence = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} is in the text`);
  const before = text.slice(0, at);
  return { line: before.split('\n').length - 1, column: at - (before.lastIndexOf('\n') + 1) };
}

function diagnostic(file: PromptFile, code: string): PromptDiagnostic {
  const found = file.diagnostics.find((candidate) => candidate.code === code);
  assert.ok(found, `a ${code} diagnostic among ${codes(file).join(', ')}`);
  return found;
}

describe('prompt file parsing', () => {
  it('reads the GitHub docs example with every field', () => {
    const file = parseFixture('github-docs-text-summarizer.prompt.yml');
    assert.deepEqual(file.diagnostics, []);
    assert.equal(file.hasErrors, false);
    assert.equal(file.name, 'Text Summarizer');
    assert.equal(file.description, 'Summarizes input text concisely');
    assert.equal(file.model, 'gpt-4o-mini');
    assert.deepEqual(file.modelParameters, { temperature: 0.5 });
    assert.deepEqual(file.messages.map(({ role, content }) => ({ role, content })), [
      { role: 'system', content: 'You are a text summarizer. Your only job is to summarize text given to you.' },
      // A literal block keeps its line breaks and ends with one (clip chomping).
      { role: 'user', content: 'Summarize the given text, beginning with "Summary -":\n<text>\n{{input}}\n</text>\n' },
    ]);
    assert.equal(file.testCases.length, 1);
    assert.deepEqual([...file.testCases[0]!.variables], [
      ['input', 'The quick brown fox jumped over the lazy dog.\nThe dog was too tired to react.\n'],
      ['expected', 'Summary - A fox jumped over a lazy, unresponsive dog.'],
    ]);
    assert.equal(file.testCases[0]!.expected, 'Summary - A fox jumped over a lazy, unresponsive dog.');
    assert.deepEqual(file.evaluators.map(({ kind, name }) => ({ kind, name })), [{ kind: 'string', name: 'Output should start with \'Summary -\'' }]);
    assert.deepEqual(file.evaluators[0], { ...file.evaluators[0], check: 'startsWith', value: 'Summary -' });
    assert.deepEqual(file.variables, ['input']);
  });

  it('gives the positions a CodeLens needs: the file’s first key and each case’s first line', () => {
    const text = read('sentiment-classifier.prompt.yml');
    const file = parsePromptFile(text);
    // The first key follows two comment lines.
    assert.deepEqual(file.runAllRange.start, locate(text, 'name:'));
    assert.equal(file.testCases.length, 8);
    file.testCases.forEach((testCase, i) => {
      // Each case starts at its `input:` key, after "  - ".
      assert.deepEqual(testCase.range.start, locate(text, 'input:', i));
      assert.equal(testCase.range.end.line, testCase.range.start.line);
    });
  });

  it('reads the gh-models examples as the CLI does, including `uses` evaluators and test data named like a key', () => {
    const sample = parseFixture('gh-models-sample-prompt.prompt.yml');
    assert.equal(sample.hasErrors, false);
    assert.deepEqual(sample.testCases.map((testCase) => testCase.variables.get('string')), ['hello', 'goodbye']);
    assert.deepEqual(sample.evaluators.map((evaluator) => evaluator.kind), ['string', 'uses']);
    assert.deepEqual(sample.evaluators[1], { ...sample.evaluators[1], uses: 'github/similarity', name: 'similarity check' });
    const builtins = parseFixture('gh-models-test-builtins.prompt.yml');
    assert.deepEqual(builtins.evaluators.map((evaluator) => evaluator.kind === 'uses' && evaluator.uses), ['github/similarity', 'github/coherence', 'github/fluency', 'github/relevance', 'github/groundedness']);
  });

  it('reads responseFormat and a jsonSchema given as a JSON string', () => {
    const file = parseFixture('gh-models-json-schema-prompt.prompt.yml');
    assert.equal(file.hasErrors, false);
    assert.equal(file.responseFormat?.type, 'json_schema');
    assert.equal(file.responseFormat?.jsonSchema?.name, 'animal_description');
    assert.equal((file.responseFormat?.jsonSchema?.schema as { required: string[] }).required.join(','), 'name,habitat,diet');
    assert.deepEqual(parseFixture('gh-models-json-response-prompt.prompt.yml').responseFormat, { type: 'json_object' });
  });

  it('refuses variables in a file without test data, at each placeholder', () => {
    const text = read('gh-models-template-variables-prompt.prompt.yml');
    const file = parsePromptFile(text);
    assert.equal(file.hasErrors, true);
    const undefinedVariables = file.diagnostics.filter((found) => found.code === 'variable-undefined');
    assert.deepEqual(undefinedVariables.map((found) => found.range.start), ['{{persona}}', '{{domain}}', '{{name}}', '{{topic}}', '{{input}}'].map((needle) => locate(text, needle)));
    assert.deepEqual(undefinedVariables[0]!.range.end, { line: locate(text, '{{persona}}').line, column: locate(text, '{{persona}}').column + '{{persona}}'.length });
    assert.match(undefinedVariables[0]!.message, /no `testData`/);
  });

  it('reports each kind of variable problem where it is', () => {
    const text = read('broken-variables.prompt.yml');
    const file = parsePromptFile(text);
    assert.deepEqual(codes(file), [
      'warning variable-not-substituted', 'error variable-undefined', 'warning variable-not-in-case', 'error variable-undefined',
    ]);
    assert.deepEqual(diagnostic(file, 'variable-not-substituted').range.start, locate(text, '{{ input }}'));
    assert.deepEqual(file.diagnostics[1]!.range.start, locate(text, '{{language}}'));
    // Case 2 has no `topic`: the warning sits on that case.
    assert.deepEqual(diagnostic(file, 'variable-not-in-case').range.start, locate(text, 'input:', 1));
    assert.match(diagnostic(file, 'variable-not-in-case').message, /Test case 2 does not define `topic`/);
    // A variable used only by an evaluator is checked too.
    assert.deepEqual(file.diagnostics[3]!.range.start, locate(text, '{{lang}}'));
  });

  it('places the second occurrence of a repeated placeholder on the second one', () => {
    const text = 'messages:\n  - role: user\n    content: "{{x}} and {{x}}"\ntestData:\n  - y: 1\n';
    const file = parsePromptFile(text);
    assert.deepEqual(file.diagnostics.map((found) => found.range.start), [locate(text, '{{x}}'), locate(text, '{{x}}', 1)]);
  });

  it('reports broken messages: unknown role, missing role or content, content that is not text', () => {
    const text = read('broken-messages.prompt.yml');
    const file = parsePromptFile(text);
    assert.deepEqual(codes(file), ['error message-role-unknown', 'error message-content-missing', 'error message-role-missing', 'error wrong-type']);
    assert.deepEqual(file.diagnostics[0]!.range.start, locate(text, 'developer'));
    assert.match(file.diagnostics[0]!.message, /“developer”/);
    // The squiggle of a multi-line node ends with its text, not on the next line.
    const wrongType = diagnostic(file, 'wrong-type');
    assert.deepEqual(wrongType.range.start, locate(text, 'text: a map'));
    assert.deepEqual(wrongType.range.end, { line: locate(text, 'text: a map').line, column: locate(text, 'text: a map').column + 'text: a map is not a content'.length });
    assert.equal(file.messages.length, 0);
  });

  it('treats roles case-insensitively and sends them lowercased, as the CLI does', () => {
    const file = parsePromptFile('messages:\n  - role: SyStEm\n    content: a\n  - role: User\n    content: b\n');
    assert.deepEqual(file.diagnostics, []);
    assert.deepEqual(file.messages.map((message) => message.role), ['system', 'user']);
  });

  it('reports broken parameters and a jsonSchema written as a YAML map', () => {
    const text = read('broken-parameters.prompt.yml');
    const file = parsePromptFile(text);
    assert.deepEqual(codes(file), ['error parameter-type', 'warning parameter-type', 'warning parameter-range', 'error json-schema']);
    assert.match(file.diagnostics[0]!.message, /quoted value is text/);
    // yaml.v3 truncates 100.5 into an int field: the CLI sends 100.
    assert.deepEqual(file.modelParameters, { maxTokens: 100, topP: 3 });
    assert.equal(file.responseFormat, undefined);
  });

  it('reads the snake_case keys of the SchemaStore schema and stop, saying how the CLI differs', () => {
    const file = parseFixture('snake-case-parameters.prompt.yml');
    assert.equal(file.hasErrors, false);
    assert.deepEqual(file.modelParameters, { temperature: 0.2, topP: 0.9, maxTokens: 64, stop: ['\n\n'] });
    assert.deepEqual(codes(file), ['information parameter-alias', 'information parameter-alias', 'information parameter-alias', 'information parameter-ignored']);
    const both = parsePromptFile('modelParameters:\n  maxTokens: 10\n  max_tokens: 99\nmessages:\n  - role: user\n    content: a\n');
    assert.deepEqual(both.modelParameters, { maxTokens: 10 });
    assert.deepEqual(codes(both), ['warning parameter-alias']);
  });

  it('checks responseFormat as the CLI’s validateResponseFormat does', () => {
    const messages = 'messages:\n  - role: user\n    content: a\n';
    assert.deepEqual(codes(parsePromptFile(`responseFormat: xml\n${messages}`)), ['error response-format']);
    assert.deepEqual(codes(parsePromptFile(`responseFormat: json_schema\n${messages}`)), ['error json-schema']);
    assert.deepEqual(codes(parsePromptFile(`responseFormat: json_schema\njsonSchema: '{"name": "x"'\n${messages}`)), ['error json-schema']);
    const noSchema = parsePromptFile(`responseFormat: json_schema\njsonSchema: '{"name": "x"}'\n${messages}`);
    assert.match(noSchema.diagnostics[0]!.message, /must contain “schema”/);
    assert.deepEqual(parsePromptFile(`responseFormat: json_schema\njsonSchema: '{"name": "x", "schema": {}}'\n${messages}`).responseFormat, { type: 'json_schema', jsonSchema: { name: 'x', schema: {} } });
  });

  it('reports evaluators the CLI would stop on, and an evaluator with two checks', () => {
    const file = parseFixture('broken-evaluators.prompt.yml');
    assert.deepEqual(codes(file), ['error evaluator-empty', 'error evaluator-empty', 'warning evaluator-ambiguous']);
    assert.deepEqual(file.evaluators.map((evaluator) => [evaluator.kind, evaluator.name]), [['string', 'two checks'], ['llm', 'judge']]);
    // The first set of equals, contains, startsWith, endsWith is the one checked.
    assert.deepEqual(file.evaluators[0], { ...file.evaluators[0], check: 'startsWith', value: 'Hello' });
  });

  it('writes test data values as Go’s %v does (int and float kept apart), and string fields as written', () => {
    const file = parsePromptFile([
      'messages:', '  - role: user', '    content: 1.50', 'testData:',
      '  - n: 10000000', '    f: 10000000.0', '    one: 1.0', '    big: 1e6', '    b: true', '    z: ~', '    h: 0x1F',
      '    m: {b: [1, 2.5], a: ~}', '    s: "007"', '    yes: yes', '',
    ].join('\n'));
    assert.deepEqual(file.diagnostics, []);
    assert.deepEqual(Object.fromEntries(file.testCases[0]!.variables), {
      n: '10000000', f: '1e+07', one: '1', big: '1e+06', b: 'true', z: '<nil>', h: '31',
      m: 'map[a:<nil> b:[1 2.5]]', s: '007', yes: 'yes',
    });
    // yaml.v3 decodes a scalar into a Go string field as its text: 1.50 stays 1.50.
    assert.equal(file.messages[0]!.content, '1.50');
  });

  it('resolves aliases and merge keys in test data, as yaml.v3 does', () => {
    const file = parsePromptFile('messages:\n  - role: user\n    content: "{{a}} {{b}}"\ntestData:\n  - &base\n    a: one\n    b: two\n  - <<: *base\n    b: three\n');
    assert.deepEqual(file.diagnostics, []);
    assert.deepEqual(file.testCases.map((testCase) => Object.fromEntries(testCase.variables)), [{ a: 'one', b: 'two' }, { a: 'one', b: 'three' }]);
  });

  it('notes an unquoted date, which the CLI substitutes as a Go time', () => {
    const text = 'messages:\n  - role: user\n    content: "{{day}}"\ntestData:\n  - day: 2024-01-02\n  - day: "2024-01-03"\n';
    const file = parsePromptFile(text);
    assert.deepEqual(codes(file), ['information value-read-differently']);
    assert.deepEqual(file.diagnostics[0]!.range.start, locate(text, '2024-01-02'));
    assert.equal(file.hasErrors, false);
  });

  it('reports YAML syntax errors and checks nothing else then', () => {
    const file = parseFixture('broken-yaml.prompt.yml');
    assert.deepEqual(codes(file), ['error yaml-syntax']);
    // The library reports the unclosed quote where the text ends; it is shown where the quote opens, line 4 of the
    // file (0-based 3), column 13 after `    content: `, to the end of that line.
    assert.deepEqual(file.diagnostics[0]!.range, { start: { line: 3, column: 13 }, end: { line: 3, column: 27 } });
    assert.match(file.diagnostics[0]!.message, /^This quote is never closed/);
    assert.equal(file.hasErrors, true);
    assert.deepEqual(codes(parsePromptFile('a: 1\na: 2\nmessages: []\n')), ['error yaml-syntax']);
  });

  it('refuses a test case whose aliases expand without bound (a "billion laughs" file), reading the others', () => {
    // Ten levels of nine aliases each: 9^10 strings if expanded.
    const lines = ['messages:', '  - role: user', '    content: "{{input}}"', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 10; level++) lines.push(`a${level}: &a${level} [${Array(9).fill(`*a${level - 1}`).join(', ')}]`);
    lines.push('testData:', '  - input: *a9', '  - input: fine');
    const file = parsePromptFile(lines.join('\n'));
    assert.deepEqual(codes(file), ['error alias-expansion']);
    assert.equal(file.diagnostics[0]!.range.start.line, lines.indexOf('  - input: *a9'));
    assert.deepEqual(file.testCases.map((testCase) => [testCase.index, testCase.variables.get('input')]), [[1, 'fine']]);
  });

  it('refuses a file over the size bound at once, with one error, before parsing it', () => {
    const text = `messages:\n  - role: user\n    content: hi\n# ${'x'.repeat(MAX_PROMPT_FILE_CHARACTERS)}`;
    const file = parsePromptFile(text);
    assert.deepEqual(codes(file), ['error file-too-large']);
    assert.match(file.diagnostics[0]!.message, /^This prompt file has 2\.0 million characters; Logprob Lens reads prompt files up to 2 million/);
    assert.equal(file.hasErrors, true);
    assert.equal(parsePromptFile(text.slice(0, MAX_PROMPT_FILE_CHARACTERS)).hasErrors, false, 'one character less is read');
  });

  it('reads only the first document of several, with a warning (yaml.v3 ignores the rest)', () => {
    const file = parsePromptFile('messages:\n  - role: user\n    content: a\n---\nmessages: []\n');
    assert.deepEqual(codes(file), ['warning yaml-syntax']);
    assert.equal(file.messages.length, 1);
  });

  it('needs messages: empty file, a list, no key, an empty list', () => {
    assert.deepEqual(codes(parsePromptFile('')), ['error messages-missing']);
    assert.deepEqual(codes(parsePromptFile('- role: user\n')), ['error not-a-map']);
    assert.deepEqual(codes(parsePromptFile('name: x\n')), ['error messages-missing']);
    assert.deepEqual(codes(parsePromptFile('{}\n')), ['error messages-missing']);
    assert.deepEqual(codes(parsePromptFile('messages: []\n')), ['error messages-missing']);
  });

  it('ignores unknown keys, as the format allows', () => {
    const file = parsePromptFile('version: 3\nauthor: {name: x}\nmessages:\n  - role: user\n    content: a\n    weight: 2\n');
    assert.deepEqual(file.diagnostics, []);
  });

  it('counts positions in UTF-16 columns on each line of a CRLF file', () => {
    const text = 'messages:\r\n  - role: user\r\n    content: "héllo 💙 {{nope}}"\r\n';
    const file = parsePromptFile(text);
    // '    content: "héllo 💙 ' is 4 + 9 ('content: ') + 1 + 5 ('héllo') + 1 + 2 (the emoji is two UTF-16 units) + 1 = 23 units.
    assert.deepEqual(diagnostic(file, 'variable-undefined').range.start, { line: 2, column: 23 });
  });
});
