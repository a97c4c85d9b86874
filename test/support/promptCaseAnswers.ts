import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { repoRoot } from './fixtures';

/**
 * The replay server's answers to prompt-file cases (model `prompt-cases`): the hand-written answer map in
 * test/fixtures/prompt-files/replay-answers.json, keyed by the last user message (whitespace runs collapsed), served
 * in the shape the request asks for: OpenAI's chat stream, a legacy Completions stream, a Completions `echo`
 * scoring of a prompt, or vLLM's `prompt_logprobs` for a chat request that is not streamed. A stand-in for an
 * endpoint answering reproducibly, not for any code of ours.
 */
export const PROMPT_CASES_MODEL = 'prompt-cases';

interface MapToken {
  readonly token: string;
  readonly p: number;
  readonly alternatives: Readonly<Record<string, number>>;
}

interface MapEntry {
  readonly tokens: readonly MapToken[];
  /** Answers given instead when the system message contains `system` (the prompt was changed). */
  readonly variants?: readonly { readonly system: string; readonly tokens: readonly MapToken[] }[];
  /** The expected answer's tokens and probabilities, as a scoring request returns them. */
  readonly score?: readonly (readonly [string, number])[];
}

const answers = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'prompt-files', 'replay-answers.json'), 'utf8')) as { answers: Record<string, MapEntry> }).answers;
const normalize = (text: string): string => text.replace(/\s+/g, ' ').trim();
const entries = Object.entries(answers).map(([key, entry]) => ({ key: normalize(key), entry }));

type Body = Record<string, unknown>;
type Message = { readonly role: string; readonly content: string };
type Send = (events: readonly string[]) => void;

/** Answers a request for the `prompt-cases` model; `send` writes events at the server's pace. */
export function answerPromptCase(route: string, body: Body | undefined, response: http.ServerResponse, send: Send): void {
  const messages = Array.isArray(body?.messages) ? body.messages as Message[] : [];
  if (route.endsWith('/chat/completions')) {
    const last = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
    const entry = entries.find((candidate) => candidate.key === normalize(last))?.entry;
    if (!entry) return notFound(response, last);
    const system = messages.find((message) => message.role === 'system')?.content ?? '';
    const variant = entry.variants?.find((candidate) => system.includes(candidate.system));
    if (body?.stream === true) return send(chatEvents(variant ?? entry));
    return json(response, vllmScored(messages, entry));
  }
  const prompt = typeof body?.prompt === 'string' ? body.prompt : '';
  // Completions carry one text: the case is the entry whose message it contains (the longest, if several).
  const found = entries.filter((candidate) => normalize(prompt).includes(candidate.key)).sort((a, b) => b.key.length - a.key.length)[0];
  if (!found) return notFound(response, prompt);
  if (body?.echo === true) return json(response, echoScored(prompt, found.entry));
  return send(completionEvents(found.entry));
}

function chatEvents(entry: Pick<MapEntry, 'tokens'>): string[] {
  const chunk = (delta: Body, logprobs: Body | null, finish: string | null): string => `data: ${JSON.stringify({
    id: 'chatcmpl-prompt-cases', object: 'chat.completion.chunk', created: 0, model: PROMPT_CASES_MODEL,
    choices: [{ index: 0, delta, logprobs, finish_reason: finish }],
  })}\n\n`;
  return [
    chunk({ role: 'assistant', content: '' }, null, null),
    ...entry.tokens.map((token) => chunk({ content: token.token }, { content: [{
      token: token.token, logprob: Math.log(token.p), bytes: [...Buffer.from(token.token)],
      top_logprobs: Object.entries(token.alternatives).map(([text, p]) => ({ token: text, logprob: Math.log(p), bytes: [...Buffer.from(text)] })),
    }] }, null)),
    chunk({}, null, 'stop'),
    'data: [DONE]\n\n',
  ];
}

function completionEvents(entry: MapEntry): string[] {
  const chunk = (text: string, logprobs: Body | null, finish: string | null): string => `data: ${JSON.stringify({
    id: 'cmpl-prompt-cases', object: 'text_completion', created: 0, model: PROMPT_CASES_MODEL,
    choices: [{ index: 0, text, logprobs, finish_reason: finish }],
  })}\n\n`;
  return [
    ...entry.tokens.map((token) => chunk(token.token, {
      tokens: [token.token], token_logprobs: [Math.log(token.p)], text_offset: [0],
      top_logprobs: [Object.fromEntries(Object.entries(token.alternatives).map(([text, p]) => [text, Math.log(p)]))],
    }, null)),
    chunk('', null, 'stop'),
    'data: [DONE]\n\n',
  ];
}

/**
 * vLLM's answer to `prompt_logprobs: 0` (vllm `ChatCompletionResponse.prompt_logprobs`: one `{token id: {logprob,
 * rank, decoded_token}}` per prompt token, the first `null`), for a ChatML-like template: each message as
 * `<|im_start|>`, its role, a newline, its content, `<|im_end|>`, a newline; the final assistant message is
 * continued, so it has no end, and its content comes as the entry's `score` tokens.
 */
function vllmScored(messages: readonly Message[], entry: MapEntry): Body {
  const tokens: [string, number | null][] = [];
  messages.forEach((message, i) => {
    const last = i === messages.length - 1;
    tokens.push(['<|im_start|>', -0.01], [message.role, -0.02], ['\n', -0.01]);
    const scored = entry.score && entry.score.map(([text]) => text).join('') === message.content;
    if (last && scored) for (const [text, p] of entry.score) tokens.push([text, Math.log(p)]);
    else tokens.push([message.content, -9]);
    if (!last) tokens.push(['<|im_end|>', -0.05], ['\n', -0.01]);
  });
  tokens[0] = [tokens[0]![0], null];
  return {
    id: 'chatcmpl-prompt-cases-scored', object: 'chat.completion', created: 0, model: PROMPT_CASES_MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: '' }, logprobs: null, finish_reason: 'length' }],
    prompt_logprobs: tokens.map(([text, logprob], i) => (logprob === null ? null : { [String(1000 + i)]: { logprob, rank: 1, decoded_token: text } })),
    prompt_token_ids: tokens.map((_, i) => 1000 + i),
  };
}

/**
 * A legacy Completions `echo` answer: the prompt's own tokens (words with their leading space; the expected answer
 * at its end as the entry's `score` tokens when it is there), the first without a logprob, then one generated token.
 */
function echoScored(prompt: string, entry: MapEntry): Body {
  const answer = entry.score?.map(([text]) => text).join('') ?? '';
  const head = answer && prompt.endsWith(answer) ? prompt.slice(0, prompt.length - answer.length) : prompt;
  const tokens: [string, number | null][] = (head.match(/\s*\S+|\s+/g) ?? []).map((text) => [text, -2]);
  if (head !== prompt) for (const [text, p] of entry.score!) tokens.push([text, Math.log(p)]);
  tokens[0] = [tokens[0]![0], null];
  tokens.push([' .', -0.5]);
  return {
    id: 'cmpl-prompt-cases-echo', object: 'text_completion', created: 0, model: PROMPT_CASES_MODEL,
    choices: [{
      index: 0, text: tokens.map(([text]) => text).join(''), finish_reason: 'length',
      logprobs: { tokens: tokens.map(([text]) => text), token_logprobs: tokens.map(([, logprob]) => logprob), top_logprobs: tokens.map(() => null), text_offset: tokens.map(() => 0) },
    }],
  };
}

function json(response: http.ServerResponse, body: Body): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function notFound(response: http.ServerResponse, message: string): void {
  response.writeHead(404, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { message: `No hand-written answer for “${message.slice(0, 80)}”.`, type: 'invalid_request_error', code: 'model_not_found' } }));
}
