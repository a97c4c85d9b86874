/**
 * The shapes of a parsed `.prompt.yml` file (GitHub Models' format, as the `gh models` CLI reads it): plain data,
 * with the positions the editor needs for diagnostics and CodeLenses. Types only: importing this module loads no
 * YAML parser.
 */

/** Zero-based line and column (UTF-16 code units), as the editor counts them. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

export interface TextRange {
  readonly start: TextPosition;
  readonly end: TextPosition;
}

export type Severity = 'error' | 'warning' | 'information';

export interface PromptDiagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly range: TextRange;
  /** Stable identifier of the kind of problem (tests and quick fixes key on it). */
  readonly code: DiagnosticCode;
}

export type DiagnosticCode =
  | 'yaml-syntax' | 'yaml-warning' | 'not-a-map' | 'wrong-type'
  | 'messages-missing' | 'message-role-missing' | 'message-content-missing' | 'message-role-unknown'
  | 'variable-undefined' | 'variable-not-in-case' | 'variable-not-substituted' | 'value-read-differently'
  | 'parameter-type' | 'parameter-range' | 'parameter-alias' | 'parameter-ignored'
  | 'response-format' | 'json-schema'
  | 'evaluator-empty' | 'evaluator-ambiguous' | 'alias-expansion' | 'file-too-large';

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  readonly role: Role;
  readonly content: string;
}

export interface PromptMessage extends ChatMessage {
  /** The message item in the file. */
  readonly range: TextRange;
}

/** The file's `modelParameters`, as far as they are read (see docs/prompt-files.md for the mapping). */
export interface ModelParameters {
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: readonly string[];
}

export type ResponseFormatType = 'text' | 'json_object' | 'json_schema';

export interface ResponseFormat {
  readonly type: ResponseFormatType;
  /** The parsed `jsonSchema` (an object with `name` and `schema`), sent as `response_format.json_schema`. */
  readonly jsonSchema?: Readonly<Record<string, unknown>>;
}

export interface TestCase {
  /** Zero-based position in `testData`. */
  readonly index: number;
  /** Each key of the test data item and its value as the CLI substitutes it (Go's `%v` for non-strings), in file order. */
  readonly variables: ReadonlyMap<string, string>;
  /** The `expected` value, by the format's convention; `undefined` when the case has none. */
  readonly expected: string | undefined;
  /** The item in `testData` (a CodeLens "Run case N" goes on its first line). */
  readonly range: TextRange;
}

export type StringCheck = 'equals' | 'contains' | 'startsWith' | 'endsWith';

export type EvaluatorSpec =
  | { readonly kind: 'string'; readonly name: string; readonly check: StringCheck; readonly value: string; readonly range: TextRange }
  | { readonly kind: 'llm'; readonly name: string; readonly range: TextRange }
  | { readonly kind: 'uses'; readonly name: string; readonly uses: string; readonly range: TextRange };

export interface PromptFile {
  readonly name: string | undefined;
  readonly description: string | undefined;
  /** The file's `model`, shown beside the results; sent only when the user asks for it (see `buildCaseRequest`). */
  readonly model: string | undefined;
  readonly modelParameters: ModelParameters;
  readonly responseFormat: ResponseFormat | undefined;
  readonly messages: readonly PromptMessage[];
  readonly testCases: readonly TestCase[];
  readonly evaluators: readonly EvaluatorSpec[];
  /** The `{{variables}}` the messages use, in order of first use. */
  readonly variables: readonly string[];
  readonly diagnostics: readonly PromptDiagnostic[];
  /** True when any diagnostic is an error: nothing may be sent then. */
  readonly hasErrors: boolean;
  /** Where a "Run all" CodeLens goes: the file's first key (or its first line when it has none). */
  readonly runAllRange: TextRange;
}
