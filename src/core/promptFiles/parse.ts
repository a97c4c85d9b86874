import type { Document, Node as YamlNode, Pair, Scalar, YAMLError, YAMLMap } from 'yaml';
import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type {
  DiagnosticCode, EvaluatorSpec, ModelParameters, PromptDiagnostic, PromptFile, PromptMessage, ResponseFormat,
  ResponseFormatType, Role, Severity, StringCheck, TestCase, TextRange,
} from './model';
import type { GoValue } from './template';
import { findPlaceholders, goFormat, looksLikeVariable } from './template';

/**
 * The largest prompt file read (2 MB, about 30,000 short test cases): it is parsed again whenever typing pauses, in
 * the extension host, so a file from a repository must not be able to stall the editor.
 */
export const MAX_PROMPT_FILE_CHARACTERS = 2_000_000;

/** Alias expansions allowed per test case: `yaml`'s own default, named here because a file from a repository may be hostile. */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads a `.prompt.yml` file as the `gh models` CLI does (github/gh-models `pkg/prompt/prompt.go` and
 * `cmd/eval/eval.go` at f38cd97: `yaml.v3` into typed structs, unknown keys ignored), and reports what the CLI
 * would reject, or would read differently than its author meant, as diagnostics at the offending node.
 * The only module of the prompt-file core that loads the `yaml` library.
 */
export function parsePromptFile(text: string): PromptFile {
  if (text.length > MAX_PROMPT_FILE_CHARACTERS) return tooLarge(text.length);
  const lineCounter = new LineCounter();
  // intAsBigInt keeps Go's int/float64 distinction, which decides how `%v` writes a number; merge keys as yaml.v3.
  const doc = parseDocument(text, { lineCounter, intAsBigInt: true, merge: true, prettyErrors: false });
  return new PromptFileReader(text, doc, lineCounter).read();
}

const ROLES: readonly Role[] = ['system', 'user', 'assistant'];
const STRING_CHECKS: readonly StringCheck[] = ['equals', 'contains', 'startsWith', 'endsWith'];
const RESPONSE_FORMATS: readonly ResponseFormatType[] = ['text', 'json_object', 'json_schema'];
/** yaml.v3 reads an unquoted date as a time.Time, which `%v` writes as `2024-01-02 00:00:00 +0000 UTC`. */
const GO_TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** A text the CLI templates with the case's variables, and the node it came from (to place diagnostics). */
interface TemplatedText {
  readonly text: string;
  readonly node: YamlNode;
  readonly inMessage: boolean;
}

type At = YamlNode | Pair | readonly [number, number];

class PromptFileReader {
  private readonly diagnostics: PromptDiagnostic[] = [];
  private readonly templated: TemplatedText[] = [];

  constructor(private readonly text: string, private readonly doc: Document.Parsed, private readonly lines: LineCounter) {}

  read(): PromptFile {
    for (const error of this.doc.errors) {
      // yaml.v3 reads the first document and ignores the rest; so does this reader, with a warning.
      const severity = error.code === 'MULTIPLE_DOCS' ? 'warning' : 'error';
      const unclosed = this.unclosedQuote(error);
      if (unclosed) this.report('error', 'yaml-syntax', `This quote is never closed (YAML: ${error.message}).`, unclosed);
      else this.report(severity, 'yaml-syntax', error.code === 'MULTIPLE_DOCS' ? 'Only the first YAML document is read (as the gh CLI does).' : error.message, error.pos);
    }
    for (const warning of this.doc.warnings) this.report('warning', 'yaml-warning', warning.message, warning.pos);
    const root = this.doc.contents;
    const runAllRange = isMap(root) && root.items[0] ? this.range(root.items[0].key) : this.range([0, 0]);
    // A file YAML cannot read is not checked further: the CLI would stop at the syntax error too.
    if (this.doc.errors.some((error) => error.code !== 'MULTIPLE_DOCS')) return this.result(runAllRange);
    if (!isMap(root)) {
      if (root === null) this.report('error', 'messages-missing', 'The file is empty: a prompt file needs `messages`.', [0, 0]);
      else this.report('error', 'not-a-map', 'A prompt file is a YAML map with `messages` (and optionally `name`, `model`, `testData`, `evaluators`).', root);
      return this.result(runAllRange);
    }
    const messages = this.readMessages(root);
    const testCases = this.readTestData(root);
    return this.result(runAllRange, {
      name: this.stringField(root, 'name'),
      description: this.stringField(root, 'description'),
      model: this.stringField(root, 'model'),
      modelParameters: this.readModelParameters(root),
      responseFormat: this.readResponseFormat(root),
      messages, testCases,
      evaluators: this.readEvaluators(root),
      // Last: it checks the texts the readers above collected.
      variables: this.checkVariables(testCases),
    });
  }

  /**
   * An unclosed quote is reported by the library where the text ends (the quoted scalar runs on to there); it is
   * shown where the quote opens instead, on that line. `undefined` for other errors.
   */
  private unclosedQuote(error: YAMLError): readonly [number, number] | undefined {
    if (error.code !== 'MISSING_CHAR' || !/quote/i.test(error.message)) return undefined;
    let start: number | undefined;
    visit(this.doc, {
      Scalar: (_, node) => {
        if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range?.[1] === error.pos[0]) start = node.range[0];
      },
    });
    if (start === undefined) return undefined;
    const lineEnd = this.text.indexOf('\n', start);
    return [start, lineEnd < 0 ? this.text.length : lineEnd];
  }

  private result(runAllRange: TextRange, content: Partial<PromptFile> = {}): PromptFile {
    return {
      name: undefined, description: undefined, model: undefined, modelParameters: {}, responseFormat: undefined,
      messages: [], testCases: [], evaluators: [], variables: [],
      ...content,
      diagnostics: this.diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column),
      hasErrors: this.diagnostics.some((diagnostic) => diagnostic.severity === 'error'),
      runAllRange,
    };
  }

  private readMessages(root: YAMLMap): PromptMessage[] {
    const pair = findPair(root, 'messages');
    const list = this.value(pair);
    if (!pair || list === undefined) {
      this.report('error', 'messages-missing', 'The file has no `messages`: add at least one message with a role and content.', root.items[0]?.key as YamlNode | undefined ?? root);
      return [];
    }
    if (!isSeq(list)) {
      this.report('error', 'wrong-type', '`messages` must be a list of messages, each with `role` and `content`.', list);
      return [];
    }
    if (list.items.length === 0) this.report('error', 'messages-missing', '`messages` is empty: add at least one message.', pair.key as YamlNode);
    const messages: PromptMessage[] = [];
    for (const item of list.items) {
      const message = this.readMessage(this.resolve(item as YamlNode));
      if (message) messages.push(message);
    }
    return messages;
  }

  private readMessage(item: YamlNode | undefined): PromptMessage | undefined {
    if (!isMap(item)) {
      this.report('error', 'wrong-type', 'A message is a map with `role` and `content`.', item ?? [0, 0]);
      return undefined;
    }
    const roleNode = this.value(findPair(item, 'role'));
    const contentNode = this.value(findPair(item, 'content'));
    const role = this.scalarField(roleNode, '`role` must be text: system, user or assistant.');
    const content = this.scalarField(contentNode, '`content` must be text (the gh CLI reads a string).');
    // The CLI lowercases the role (`GetAzureChatMessageRole`) and refuses anything but these three.
    const known = role !== undefined && ROLES.includes(role.toLowerCase() as Role);
    if (roleNode === undefined || role === '') this.report('error', 'message-role-missing', 'This message has no `role` (system, user or assistant).', this.firstLine(item));
    else if (role !== undefined && !known) this.report('error', 'message-role-unknown', `Unknown message role “${role}”: use system, user or assistant.`, roleNode);
    if (contentNode === undefined || content === '') this.report('error', 'message-content-missing', 'This message has no `content`.', this.firstLine(item));
    else if (content !== undefined) this.templated.push({ text: content, node: contentNode, inMessage: true });
    return known && content ? { role: role.toLowerCase() as Role, content, range: this.range(item) } : undefined;
  }

  private readTestData(root: YAMLMap): TestCase[] {
    const cases: TestCase[] = [];
    const items = this.listOfMaps(root, 'testData', '`testData` must be a list of test cases, each a map of variables.',
      (index) => `Test case ${index + 1} must be a map of variables (such as \`input: ...\`).`);
    for (const { item, index } of items) {
      const values = this.caseValues(item);
      if (!values) {
        this.report('error', 'alias-expansion', `Test case ${index + 1} expands its aliases (\`*name\`) more than ${MAX_ALIAS_COUNT} times, as a YAML "billion laughs" file does; it is not read.`, item);
        continue;
      }
      const variables = new Map<string, string>();
      for (const [key, value] of values) variables.set(keyText(key), goFormat(toGoValue(value)));
      this.noteTimestamps(item);
      cases.push({ index, variables, expected: variables.get('expected'), range: this.range(this.firstLine(item)) });
    }
    return cases;
  }

  /**
   * The maps of a list under `key` with their indices; a value that is not a list, or an item that is not a map, is
   * reported (`listMessage`, `itemMessage`) and skipped.
   */
  private listOfMaps(root: YAMLMap, key: string, listMessage: string, itemMessage: (index: number) => string): { item: YAMLMap; index: number }[] {
    const list = this.value(findPair(root, key));
    if (list === undefined) return [];
    if (!isSeq(list)) {
      this.report('error', 'wrong-type', listMessage, list);
      return [];
    }
    const maps: { item: YAMLMap; index: number }[] = [];
    list.items.forEach((node, index) => {
      const item = this.resolve(node as YamlNode);
      if (isMap(item)) maps.push({ item, index });
      else this.report('error', 'wrong-type', itemMessage(index), item ?? list);
    });
    return maps;
  }

  /** A test case's values, or undefined when its aliases expand past the bound (the `yaml` library refuses then). */
  private caseValues(item: YAMLMap): Map<unknown, unknown> | undefined {
    try {
      return item.toJS(this.doc, { mapAsMap: true, maxAliasCount: MAX_ALIAS_COUNT }) as Map<unknown, unknown>;
    } catch (error) {
      if (error instanceof ReferenceError) return undefined;
      throw error;
    }
  }

  /** An unquoted date is substituted as written here, but as a Go time by the CLI: say so, and how to agree. */
  private noteTimestamps(item: YAMLMap): void {
    for (const pair of item.items) {
      const value = pair.value;
      if (isScalar(value) && value.type === 'PLAIN' && typeof value.value === 'string' && GO_TIMESTAMP.test(value.value)) {
        this.report('information', 'value-read-differently', `The gh CLI reads the unquoted date ${value.value} as a time and substitutes it as “… 00:00:00 +0000 UTC”; Logprob Lens keeps it as written. Quote it to make both agree.`, value);
      }
    }
  }

  private readEvaluators(root: YAMLMap): EvaluatorSpec[] {
    const items = this.listOfMaps(root, 'evaluators', '`evaluators` must be a list, each with a `name` and one of `string`, `llm` or `uses`.',
      () => 'An evaluator is a map with a `name` and one of `string`, `llm` or `uses`.');
    return items.flatMap(({ item, index }) => this.readEvaluator(item, index) ?? []);
  }

  /** The first of `string`, `llm`, `uses` that is set decides the kind, as in the CLI's `runSingleEvaluator`. */
  private readEvaluator(item: YAMLMap, index: number): EvaluatorSpec | undefined {
    const name = this.stringField(item, 'name') || `evaluator ${index + 1}`;
    const range = this.range(this.firstLine(item));
    const stringNode = this.value(findPair(item, 'string'));
    if (stringNode !== undefined) return this.readStringEvaluator(name, stringNode, range);
    if (this.value(findPair(item, 'llm')) !== undefined) return { kind: 'llm', name, range };
    const uses = this.stringField(item, 'uses');
    if (uses) return { kind: 'uses', name, uses, range };
    this.report('error', 'evaluator-empty', `Evaluator “${name}” has no \`string\`, \`llm\` or \`uses\`: the gh CLI stops with “no evaluation method specified”.`, this.firstLine(item));
    return undefined;
  }

  private readStringEvaluator(name: string, node: YamlNode, range: TextRange): EvaluatorSpec | undefined {
    if (!isMap(node)) {
      this.report('error', 'wrong-type', '`string` must be a map with one of `equals`, `contains`, `startsWith` or `endsWith`.', node);
      return undefined;
    }
    const set: { check: StringCheck; value: string; node: YamlNode }[] = [];
    for (const check of STRING_CHECKS) {
      const valueNode = this.value(findPair(node, check));
      const value = this.scalarField(valueNode, `\`${check}\` must be text.`);
      if (value) set.push({ check, value, node: valueNode! });
    }
    const [first] = set;
    if (!first) {
      this.report('error', 'evaluator-empty', `Evaluator “${name}” sets none of equals, contains, startsWith, endsWith: the gh CLI stops with “no string evaluation criteria specified”.`, node);
      return undefined;
    }
    if (set.length > 1) {
      this.report('warning', 'evaluator-ambiguous', `Only \`${first.check}\` is checked: like the gh CLI, an evaluator uses the first of equals, contains, startsWith, endsWith that is set.`, set[1]!.node);
    }
    this.templated.push({ text: first.value, node: first.node, inMessage: false });
    return { kind: 'string', name, check: first.check, value: first.value, range };
  }

  private readModelParameters(root: YAMLMap): ModelParameters {
    const map = this.value(findPair(root, 'modelParameters'));
    if (map === undefined) return {};
    if (!isMap(map)) {
      this.report('error', 'parameter-type', '`modelParameters` must be a map (maxTokens, temperature, topP).', map);
      return {};
    }
    const keys = new Set(map.items.map((pair) => keyText(keyValue(pair))));
    const parameters: { -readonly [K in keyof ModelParameters]: ModelParameters[K] } = {};
    const set = <K extends keyof ModelParameters>(key: K, value: ModelParameters[K] | undefined): void => {
      if (value !== undefined) parameters[key] = value;
    };
    for (const pair of map.items) {
      const key = keyText(keyValue(pair));
      const node = this.value(pair);
      if (node === undefined) continue;
      switch (key) {
        case 'maxTokens': case 'max_tokens':
          if (this.isShadowedAlias(key, 'max_tokens', 'maxTokens', keys, pair)) break;
          set('maxTokens', this.readMaxTokens(node));
          break;
        case 'temperature':
          set('temperature', this.readNumber(node, key, 0, 2));
          break;
        case 'topP': case 'top_p':
          if (this.isShadowedAlias(key, 'top_p', 'topP', keys, pair)) break;
          set('topP', this.readNumber(node, key, 0, 1));
          break;
        case 'stop':
          this.report('information', 'parameter-alias', 'Logprob Lens sends `stop`; the gh CLI does not read it.', pair.key as YamlNode);
          set('stop', this.readStop(node));
          break;
        default:
          this.report('information', 'parameter-ignored', `\`${key}\` is not applied: the gh CLI reads maxTokens, temperature and topP (Logprob Lens also max_tokens, top_p and stop).`, pair.key as YamlNode);
      }
    }
    return parameters;
  }

  /** The SchemaStore schema's snake_case keys: read here, but the CLI reads only camelCase, which wins when both are set. */
  private isShadowedAlias(key: string, snake: string, camelKey: string, keys: ReadonlySet<string>, pair: Pair): boolean {
    if (key !== snake) return false;
    if (keys.has(camelKey)) {
      this.report('warning', 'parameter-alias', `\`${snake}\` is ignored: \`${camelKey}\` is also set.`, pair.key as YamlNode);
      return true;
    }
    this.report('information', 'parameter-alias', `Read as \`${camelKey}\`. The gh CLI reads only \`${camelKey}\` and ignores \`${snake}\`.`, pair.key as YamlNode);
    return false;
  }

  private readMaxTokens(node: YamlNode): number | undefined {
    const value = this.readNumber(node, 'maxTokens', 1, Number.POSITIVE_INFINITY);
    if (value === undefined || Number.isInteger(value)) return value;
    // yaml.v3 truncates a float decoded into an int field; keep the CLI's value, but say so.
    this.report('warning', 'parameter-type', `maxTokens is not a whole number: the gh CLI cuts it to ${Math.trunc(value)}.`, node);
    return Math.trunc(value);
  }

  private readNumber(node: YamlNode, key: string, min: number, max: number): number | undefined {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'number' && typeof value !== 'bigint') {
      const quoted = isScalar(node) && typeof node.value === 'string' && node.type !== 'PLAIN';
      this.report('error', 'parameter-type', `\`${key}\` must be a number${quoted ? ' (a quoted value is text: the gh CLI refuses it)' : ''}.`, node);
      return undefined;
    }
    const number = Number(value);
    if (!(number >= min && number <= max)) this.report('warning', 'parameter-range', `\`${key}\` is usually ${max === Number.POSITIVE_INFINITY ? `at least ${min}` : `between ${min} and ${max}`}; the server may refuse ${number}.`, node);
    return number;
  }

  private readStop(node: YamlNode): string[] | undefined {
    const items = isSeq(node) ? node.items.map((item) => this.resolve(item as YamlNode)) : [node];
    if (!items.every(isScalar)) {
      this.report('error', 'parameter-type', '`stop` must be text or a list of texts.', node);
      return undefined;
    }
    const stops = items.map((item) => scalarText(item)).filter((stop) => stop.length > 0);
    if (stops.length > 4) this.report('warning', 'parameter-range', 'OpenAI accepts at most 4 stop sequences.', node);
    return stops;
  }

  /** `responseFormat` and `jsonSchema`, checked as the CLI's `validateResponseFormat` and `JsonSchema.UnmarshalYAML`. */
  private readResponseFormat(root: YAMLMap): ResponseFormat | undefined {
    const formatNode = this.value(findPair(root, 'responseFormat'));
    const schemaNode = this.value(findPair(root, 'jsonSchema'));
    const schema = schemaNode === undefined ? undefined : this.readJsonSchema(schemaNode);
    if (formatNode === undefined) return undefined;
    const type = this.scalarField(formatNode, '`responseFormat` must be text.');
    if (type === undefined) return undefined;
    if (!RESPONSE_FORMATS.includes(type as ResponseFormatType)) {
      this.report('error', 'response-format', `Invalid responseFormat “${type}”: use text, json_object or json_schema.`, formatNode);
      return undefined;
    }
    if (type !== 'json_schema') return { type: type as ResponseFormatType };
    if (!schemaNode) {
      this.report('error', 'json-schema', '`jsonSchema` is required when responseFormat is json_schema.', formatNode);
      return undefined;
    }
    if (!schema) return undefined;
    const missing = ['name', 'schema'].filter((field) => !(field in schema));
    if (missing.length > 0) {
      this.report('error', 'json-schema', `jsonSchema must contain ${missing.map((field) => `“${field}”`).join(' and ')}.`, schemaNode);
      return undefined;
    }
    return { type: 'json_schema', jsonSchema: schema };
  }

  private readJsonSchema(node: YamlNode): Record<string, unknown> | undefined {
    if (!isScalar(node) || typeof node.value !== 'string') {
      this.report('error', 'json-schema', 'jsonSchema must be a JSON string (write it as a block: `jsonSchema: |-` then the JSON).', node);
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(node.value);
    } catch (error) {
      this.report('error', 'json-schema', `Invalid JSON in jsonSchema: ${(error as Error).message}`, node);
      return undefined;
    }
    if (parsed === null) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      this.report('error', 'json-schema', 'jsonSchema must be a JSON object with `name` and `schema`.', node);
      return undefined;
    }
    return parsed as Record<string, unknown>;
  }

  /**
   * Placeholders no test case fills are errors (they would be sent as written); those only some cases fill are
   * warnings on those cases; `{{ input }}` or `{{.input}}` next to a defined `input` is a warning. Returns the
   * variables the messages use, in order of first use.
   */
  private checkVariables(cases: readonly TestCase[]): string[] {
    const defined = new Set(cases.flatMap((testCase) => [...testCase.variables.keys()]));
    const used: string[] = [];
    const reportedCases = new Set<string>();
    for (const { text, node, inMessage } of this.templated) {
      const seen = new Map<string, number>();
      for (const { inner } of findPlaceholders(text)) {
        const occurrence = seen.get(inner) ?? 0;
        seen.set(inner, occurrence + 1);
        const at = this.placeholderOffsets(node, `{{${inner}}}`, occurrence);
        if (defined.has(inner)) {
          if (inMessage && !used.includes(inner)) used.push(inner);
          for (const testCase of cases) {
            if (testCase.variables.has(inner) || reportedCases.has(`${testCase.index}\n${inner}`)) continue;
            reportedCases.add(`${testCase.index}\n${inner}`);
            this.diagnostics.push({ severity: 'warning', code: 'variable-not-in-case', range: testCase.range, message: `Test case ${testCase.index + 1} does not define \`${inner}\`: \`{{${inner}}}\` is sent as written.` });
          }
        } else if (looksLikeVariable(inner)) {
          if (inMessage && !used.includes(inner)) used.push(inner);
          this.report('error', 'variable-undefined', cases.length === 0
            ? `\`{{${inner}}}\` has no value: the file has no \`testData\` to fill it.`
            : `No test case defines \`${inner}\`: \`{{${inner}}}\` would be sent as written.`, at);
        } else {
          const meant = inner.trim().replace(/^\./, '');
          if (meant !== inner && defined.has(meant)) this.report('warning', 'variable-not-substituted', `\`{{${inner}}}\` is not substituted: write \`{{${meant}}}\` (no spaces or dot inside the braces).`, at);
        }
      }
    }
    return used;
  }

  /** The n-th `{{name}}` in the node's source, or the whole node when escapes make the source differ from the value. */
  private placeholderOffsets(node: YamlNode, placeholder: string, occurrence: number): At {
    const [start, end] = node.range!;
    const source = this.text.slice(start, end);
    let at = -1;
    for (let i = 0; i <= occurrence; i++) {
      at = source.indexOf(placeholder, at + 1);
      if (at < 0) return node;
    }
    return [start + at, start + at + placeholder.length];
  }

  private stringField(map: YAMLMap, key: string): string | undefined {
    return this.scalarField(this.value(findPair(map, key)), `\`${key}\` must be text.`);
  }

  /** A scalar read into a Go string field: its text as written for numbers and booleans (yaml.v3 does so). */
  private scalarField(node: YamlNode | undefined, wrongType: string): string | undefined {
    if (node === undefined) return undefined;
    if (!isScalar(node)) {
      this.report('error', 'wrong-type', wrongType, node);
      return undefined;
    }
    return scalarText(node);
  }

  /** The value of a pair with aliases resolved; `undefined` when absent or null (yaml.v3 leaves the field unset). */
  private value(pair: Pair | undefined): YamlNode | undefined {
    const node = this.resolve(pair?.value as YamlNode | null | undefined);
    return node === undefined || (isScalar(node) && node.value === null) ? undefined : node;
  }

  private resolve(node: YamlNode | null | undefined): YamlNode | undefined {
    if (node === null || node === undefined) return undefined;
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** A node's first line: where a squiggle for "this item lacks X" belongs, rather than under the whole item. */
  private firstLine(node: YamlNode): readonly [number, number] {
    const [start, end] = node.range!;
    const lineEnd = this.text.indexOf('\n', start);
    return [start, lineEnd < 0 ? end : Math.min(end, lineEnd)];
  }

  private report(severity: Severity, code: DiagnosticCode, message: string, at: At): void {
    this.diagnostics.push({ severity, code, message, range: this.range(at) });
  }

  private range(at: At): TextRange {
    let offsets: readonly [number, number];
    if (isPair(at)) offsets = [(at.key as YamlNode).range![0], ((at.value ?? at.key) as YamlNode).range![1]];
    else if (isNode(at)) offsets = [at.range![0], at.range![1]];
    else offsets = at;
    // A block node's range runs to the next line; the squiggle should end with its text.
    const end = offsets[0] + this.text.slice(offsets[0], offsets[1]).trimEnd().length;
    return { start: this.position(offsets[0]), end: this.position(end) };
  }

  private position(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line: Math.max(0, line - 1), column: Math.max(0, col - 1) };
  }
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair: Pair) => keyValue(pair) === key);
}

function keyValue(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

/** A map key as the Go string it decodes to. */
function keyText(key: unknown): string {
  if (typeof key === 'string') return key;
  return typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean' ? String(key) : '';
}

function scalarText(node: Scalar): string {
  if (typeof node.value === 'string') return node.value;
  if (node.value === null || node.value === undefined) return '';
  return node.source ?? '';
}

function toGoValue(value: unknown): GoValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toGoValue);
  if (value instanceof Map) return new Map([...value].map(([key, item]) => [keyText(key), toGoValue(item)]));
  return null; // no other kind comes out of the YAML 1.2 core schema
}

/** A file over the size bound: one error on its first line, nothing else read. */
function tooLarge(characters: number): PromptFile {
  const range = { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };
  const megabytes = (characters / 1_000_000).toFixed(1);
  return {
    name: undefined, description: undefined, model: undefined, modelParameters: {}, responseFormat: undefined,
    messages: [], testCases: [], evaluators: [], variables: [], hasErrors: true, runAllRange: range,
    diagnostics: [{
      severity: 'error', code: 'file-too-large', range,
      message: `This prompt file has ${megabytes} million characters; Logprob Lens reads prompt files up to ${MAX_PROMPT_FILE_CHARACTERS / 1_000_000} million (it checks them again each time typing pauses). Split its test data over several files.`,
    }],
  };
}
