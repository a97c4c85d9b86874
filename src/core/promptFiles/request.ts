import type { ApiStyle, CompletionRequest, Sampling } from '../request';
import type { ChatMessage, ModelParameters, PromptFile, ResponseFormat } from './model';
import { templateString } from './template';

/**
 * What one run of a prompt file sends per test case, as plain data: the messages with the case's variables
 * substituted, the sampling settings with the file's `modelParameters` applied over the user's, and the model
 * when the user chose to send the file's model name as is.
 */

/** The sampling settings a prompt file can set; the user's settings may carry more (seed, penalties), kept as they are. */
export interface PromptSampling {
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly maxTokens?: number | undefined;
  readonly stop?: readonly string[] | undefined;
}

export interface CaseRequest<S extends PromptSampling = PromptSampling> {
  /** The test case, or `undefined` for a file without test data (sent once, as written). */
  readonly caseIndex: number | undefined;
  readonly messages: readonly ChatMessage[];
  readonly sampling: S;
  /** The file's `model`, only when `useFileModel` is on; otherwise the endpoint's model is used. */
  readonly model?: string;
  readonly responseFormat?: ResponseFormat;
}

export interface CaseRequestOptions {
  /** Send the file's `model` name as is (setting `promptFiles.useFileModel`), instead of the endpoint's model. */
  readonly useFileModel: boolean;
}

/** The runs a file makes: one per test case, or one for the file alone when it has none. */
export function caseIndices(file: PromptFile): readonly (number | undefined)[] {
  return file.testCases.length > 0 ? file.testCases.map((testCase) => testCase.index) : [undefined];
}

/** The request for one case. Throws when the file has errors: nothing may be sent then. */
export function buildCaseRequest<S extends PromptSampling>(file: PromptFile, caseIndex: number | undefined, userSampling: S, options: CaseRequestOptions): CaseRequest<S> {
  if (file.hasErrors) throw new Error('The prompt file has errors: fix them before running it.');
  const testCase = caseIndex === undefined ? undefined : file.testCases[caseIndex];
  if (caseIndex !== undefined && !testCase) throw new Error(`The prompt file has no test case ${caseIndex + 1}.`);
  const variables = testCase?.variables ?? new Map<string, string>();
  return {
    caseIndex,
    messages: file.messages.map(({ role, content }) => ({ role, content: templateString(content, variables) })),
    sampling: applyModelParameters(userSampling, file.modelParameters),
    ...(options.useFileModel && file.model ? { model: file.model } : {}),
    ...(file.responseFormat ? { responseFormat: file.responseFormat } : {}),
  };
}

/** The user's sampling settings with each parameter the file sets replacing the user's value (`stop` as a whole). */
export function applyModelParameters<S extends PromptSampling>(user: S, parameters: ModelParameters): S {
  return {
    ...user,
    ...(parameters.temperature !== undefined ? { temperature: parameters.temperature } : {}),
    ...(parameters.topP !== undefined ? { topP: parameters.topP } : {}),
    ...(parameters.maxTokens !== undefined ? { maxTokens: parameters.maxTokens } : {}),
    ...(parameters.stop !== undefined ? { stop: parameters.stop } : {}),
  };
}

const ROLE_NAMES = { system: 'System', user: 'User', assistant: 'Assistant' } as const;

/**
 * Messages as one plain-text prompt, for endpoints that take text (legacy Completions): `Role: content` blocks
 * separated by a blank line, ending with `Assistant:` for the model to continue (unless the last message is the
 * assistant's own, which is then continued). An answer to score follows after one space.
 */
export function renderMessagesAsText(messages: readonly ChatMessage[]): string {
  const blocks = messages.map(({ role, content }) => `${ROLE_NAMES[role]}: ${content}`);
  if (messages.at(-1)?.role !== 'assistant') blocks.push('Assistant:');
  return blocks.join('\n\n');
}

/** Where a case's request goes, as far as its body depends on it. */
export interface CaseEndpoint {
  readonly apiStyle: ApiStyle;
  /** The endpoint's model: asked unless the case names the file's model. */
  readonly model: string;
  readonly topLogprobs: number;
}

/** A case's request in the request contract (core/request.ts), as the client sends it. */
export function caseCompletionRequest(request: CaseRequest<Sampling>, endpoint: CaseEndpoint): CompletionRequest {
  return {
    apiStyle: endpoint.apiStyle,
    model: request.model ?? endpoint.model,
    messages: request.messages,
    topLogprobs: endpoint.topLogprobs,
    sampling: request.sampling,
    ...(request.responseFormat ? { extraBody: responseFormatBody(request.responseFormat, endpoint.apiStyle) } : {}),
  };
}

/**
 * The file's `responseFormat` as body fields: Chat Completions (and vLLM's Completions) take `response_format`
 * with the parsed `jsonSchema` under `json_schema`, as the gh CLI sends it; the Responses API takes `text.format`,
 * where a JSON schema's fields sit beside its type.
 */
export function responseFormatBody(format: ResponseFormat, apiStyle: ApiStyle): Record<string, unknown> {
  if (apiStyle === 'responses') return { text: { format: { type: format.type, ...(format.jsonSchema ?? {}) } } };
  return { response_format: { type: format.type, ...(format.jsonSchema ? { json_schema: format.jsonSchema } : {}) } };
}
