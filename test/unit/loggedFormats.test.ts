import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Answer, NO_BUCKET } from '../../src/core/answer';
import { DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import type { LoggedAnswer, LoggedHar, LoggedResult, LoggedScoredPrompt } from '../../src/core/logged';
import { MAX_LOGGED_RESPONSE_BYTES, oversizeProblem, readLogged } from '../../src/core/logged';
import type { TokenEntry } from '../../src/core/logprob';
import { parseSseTranscript, readFixture, repoRoot } from '../support/fixtures';
import { consecutiveRanges, place } from '../support/placement';

/**
 * Every format of test/fixtures/logged read as Open Logprobs Response reads it, placed through `Answer`. Expected
 * texts and ranges come from the raw fixtures (the concatenated `content` / part texts / token strings, counted
 * in UTF-16 units), never from the reader.
 */

const loggedFixture = (name: string): string => fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'logged', name), 'utf8');

function expectKind<K extends LoggedResult['kind']>(result: LoggedResult, kind: K): Extract<LoggedResult, { kind: K }> {
  assert.equal(result.kind, kind, result.kind === 'refused' ? result.problem : `read as ${result.kind}`);
  return result as Extract<LoggedResult, { kind: K }>;
}

const answerOf = (text: string): LoggedAnswer => expectKind(readLogged(text), 'answer');
const tokensOf = (answer: LoggedAnswer): TokenEntry[] => answer.deltas.flatMap((delta) => delta.tokens);
const sseData = (name: string): Record<string, unknown>[] =>
  parseSseTranscript(loggedFixture(name)).map((event) => JSON.parse(event.data) as Record<string, unknown>);

describe('llama.cpp /completion', () => {
  // Raw content of the b6488 events: "овые", " щ", "ё" (4, 2 and 1 UTF-16 units).
  const CONTENTS = ['овые', ' щ', 'ё'];

  it('reads a current stream (top_logprobs) with its token ids', () => {
    const events = sseData('llamacpp-completion-stream-b6488-issue.sse.txt');
    assert.deepEqual(events.map((event) => event.content), CONTENTS);
    const answer = answerOf(loggedFixture('llamacpp-completion-stream-b6488-issue.sse.txt'));
    assert.deepEqual([answer.format, answer.label], ['llamacpp-stream', 'llama.cpp /completion stream']);
    const placed = place(answer.deltas);
    assert.equal(placed.text, CONTENTS.join(''));
    assert.deepEqual(placed.ranges, consecutiveRanges(CONTENTS));
    assert.deepEqual(tokensOf(answer).map((token) => token.id), [129377, 231, 44022]);
    assert.deepEqual(tokensOf(answer)[0]!.top_logprobs!.slice(0, 2).map((alternative) => alternative.id), [129377, 6715]);
    assert.equal(placed.answer.store.token(2).logprob, -0.014102671295404434);
  });

  it('reads a whole response and its stop type', () => {
    const answer = answerOf(loggedFixture('llamacpp-completion-whole.json'));
    assert.deepEqual([answer.format, answer.label], ['llamacpp', 'llama.cpp /completion response']);
    const placed = place(answer.deltas);
    assert.deepEqual([placed.text, placed.ranges], [CONTENTS.join(''), consecutiveRanges(CONTENTS)]);
    assert.equal(answer.deltas.at(-1)!.finishReason, 'length', 'stop_type "limit" is a length stop');
  });

  it('turns post-sampling probabilities into logprobs, p = 0 into -Infinity', () => {
    const answer = answerOf(loggedFixture('llamacpp-completion-post-sampling.json'));
    const { answer: placed, ranges } = place(answer.deltas);
    assert.deepEqual(ranges, consecutiveRanges(CONTENTS));
    assert.equal(placed.store.token(0).logprob, Math.log(0.9999388456344604));
    assert.equal(placed.store.token(1).logprob, 0, 'prob 1.0');
    assert.equal(placed.store.token(1).alternatives[1]!.logprob, Number.NEGATIVE_INFINITY, 'prob 0.0: cut by the sampler');
    assert.equal(placed.bucketOfPlacement(2) === NO_BUCKET, false);
  });

  it('reads the probs / tok_str stream of old builds and forks, a byte token taking its whole character', () => {
    const answer = answerOf(loggedFixture('llamacpp-completion-stream-probs-ikllama-issue.sse.txt'));
    assert.equal(answer.label, 'llama.cpp /completion stream');
    assert.deepEqual(tokensOf(answer).map((token) => token.token), ['овые', 'byte: \\x89', 'ё']);
    const placed = place(answer.deltas);
    // The second token is only the last byte of "щ" (0x89); the text between "овые" and "ё" is " щ", and it is
    // that token's: ranges as for the current build.
    assert.deepEqual([placed.text, placed.ranges], [CONTENTS.join(''), consecutiveRanges(CONTENTS)]);
    assert.equal(placed.answer.store.token(1).logprob, 0, 'its probability 1.0 is read from its own list');
    assert.equal(placed.answer.store.token(2).alternatives[1]!.logprob, Number.NEGATIVE_INFINITY);
    assert.equal(tokensOf(answer)[0]!.id, undefined, 'old builds send no ids');
  });

  it('reads an old whole response (PR 4714), the sampled probability from the list', () => {
    const raw = JSON.parse(loggedFixture('llamacpp-completion-probs-pr4714.json')) as { completion_probabilities: { content: string }[] };
    const contents = raw.completion_probabilities.map((entry) => entry.content);
    const placed = place(answerOf(loggedFixture('llamacpp-completion-probs-pr4714.json')).deltas);
    assert.deepEqual([placed.text, placed.ranges], [contents.join(''), consecutiveRanges(contents)]);
    assert.equal(placed.answer.store.token(1).logprob, Math.log(0.2765404284000397));
  });
});

describe('Gemini generateContent', () => {
  interface GeminiFile { candidates: { content: { parts: { text: string }[] }; logprobsResult: { chosenCandidates: { token: string }[] } }[] }
  const chosenOnly = JSON.parse(loggedFixture('gemini-generate-content-chosen-only-litellm.json')) as GeminiFile;
  const TEXT = chosenOnly.candidates[0]!.content.parts[0]!.text;
  const TOKENS = chosenOnly.candidates[0]!.logprobsResult.chosenCandidates.map((candidate) => candidate.token);

  it('colours by the chosen tokens when there are no top candidates', () => {
    assert.equal(TOKENS.join(''), TEXT, 'the fixture: the chosen tokens spell the text');
    const answer = answerOf(loggedFixture('gemini-generate-content-chosen-only-litellm.json'));
    assert.deepEqual([answer.format, answer.label], ['gemini', 'Gemini generateContent response']);
    const placed = place(answer.deltas);
    assert.deepEqual([placed.text, placed.ranges], [TEXT, consecutiveRanges(TOKENS)]);
    for (let i = 0; i < TOKENS.length; i++) assert.notEqual(placed.answer.bucketOfPlacement(i), NO_BUCKET, `token ${i} is coloured`);
    assert.deepEqual(placed.answer.store.token(12), { token: ' current', logprob: -0.14274147, alternatives: [] });
    assert.equal(answer.deltas.at(-1)!.finishReason, 'stop');
  });

  it('reads top candidates step by step, -1.27e30 as a near-impossible alternative', () => {
    const raw = JSON.parse(loggedFixture('gemini-generate-content-top-candidates-litellm.json')) as GeminiFile;
    const tokens = raw.candidates[0]!.logprobsResult.chosenCandidates.map((candidate) => candidate.token);
    const answer = answerOf(loggedFixture('gemini-generate-content-top-candidates-litellm.json'));
    const placed = place(answer.deltas);
    assert.deepEqual([placed.text, placed.ranges], [raw.candidates[0]!.content.parts[0]!.text, consecutiveRanges(tokens)]);
    assert.deepEqual(placed.answer.store.token(18).alternatives.map((alternative) => alternative.token), ['="', "='", '=']);
    assert.ok(placed.answer.store.token(2).alternatives[1]!.logprob < -1e29);
    assert.equal(answer.deltas.at(-1)!.finishReason, 'length', 'MAX_TOKENS');
  });

  for (const [name, label] of [
    ['gemini-stream-generate-content.sse.txt', 'Gemini streamGenerateContent stream'],
    ['gemini-stream-generate-content-array.json', 'Gemini streamGenerateContent stream (JSON array)'],
  ] as const) {
    it(`reads ${label}`, () => {
      const answer = answerOf(loggedFixture(name));
      assert.deepEqual([answer.format, answer.label], ['gemini-stream', label]);
      const placed = place(answer.deltas);
      assert.deepEqual([placed.text, placed.ranges], [TEXT, consecutiveRanges(TOKENS)]);
    });
  }
});

describe('Responses API event log and Ollama', () => {
  it('reads Responses events as JSON Lines, the deltas at full precision', () => {
    const answer = answerOf(loggedFixture('openai-responses-events.jsonl'));
    assert.deepEqual([answer.format, answer.label], ['responses-stream', 'OpenAI Responses API stream (JSON Lines)']);
    const tokens = ['The', ' capital', ' of', ' Minas', ' Gerais', ' is', ' Belo', ' Horizonte', '.'];
    const placed = place(answer.deltas);
    assert.deepEqual([placed.text, placed.ranges], [tokens.join(''), consecutiveRanges(tokens)]);
    assert.equal(placed.answer.store.tokenCount, 9, 'the rounded repeats of the done events are not read');
    assert.equal(placed.answer.store.token(0).logprob, -1.9361264946837764e-7);
  });

  for (const [name, format, label, text] of [
    ['ollama-chat-stream.ndjson', 'ollama-stream', 'Ollama /api/chat stream (JSON Lines)', 'The'],
    ['ollama-chat-whole.json', 'ollama', 'Ollama /api/chat response', 'Okay'],
    ['ollama-generate-stream.ndjson', 'ollama-stream', 'Ollama /api/generate stream (JSON Lines)', 'Okay'],
  ] as const) {
    it(`reads ${label}`, () => {
      const answer = answerOf(loggedFixture(name));
      assert.deepEqual([answer.format, answer.label], [format, label]);
      const placed = place(answer.deltas);
      assert.deepEqual([placed.text, placed.ranges], [text, [[0, text.length]]]);
    });
  }

  it('keeps the alternatives of an Ollama chat chunk', () => {
    const placed = place(answerOf(loggedFixture('ollama-chat-stream.ndjson')).deltas);
    assert.deepEqual(placed.answer.store.token(0).alternatives.map((alternative) => alternative.token), ['The', 'Okay', 'That']);
  });
});

describe('vLLM prompt_logprobs: a scored prompt', () => {
  // Positions 1-4 of the fixture; the prompt token of each is the key vLLM wrote first.
  const PROMPT = [' step', ' of', ' boiling', ' water'];

  function colourLikeScoreSelection(scored: LoggedScoredPrompt): { ranges: [number, number][]; answer: Answer } {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    answer.inserted(answer.append(scored.text, []).length);
    answer.append('', scored.tokens);
    answer.finish();
    const ranges: [number, number][] = [];
    for (let i = 0; i < answer.store.placementCount; i++) ranges.push([answer.store.placement(i).start, answer.store.placement(i).end]);
    return { ranges, answer };
  }

  it('takes the prompt token of each position in source order, not in JavaScript key order', () => {
    const scored = expectKind(readLogged(loggedFixture('vllm-completions-prompt-logprobs.json')), 'scored-prompt');
    assert.deepEqual([scored.format, scored.label], ['vllm-prompt', 'vLLM prompt_logprobs (Completions)']);
    assert.equal(scored.text, PROMPT.join(''));
    assert.deepEqual(scored.tokens.map((token) => [token.token, token.logprob, token.id]), [
      [' step', -8.818763732910156, 3019], [' of', -1.552642822265625, 315], [' boiling', -13.55989933013916, 49837], [' water', -2.0115487575531006, 3090],
    ]);
    assert.deepEqual(scored.tokens[0]!.top_logprobs!.map((alternative) => alternative.token), [' is', ' ', ' step'], 'by rank');
    assert.deepEqual(colourLikeScoreSelection(scored).ranges, consecutiveRanges(PROMPT));
    assert.deepEqual([scored.answer?.deltas[0]?.text, scored.answer?.hasLogprobs], [' is', false]);
  });

  it('names the prompt tokens by prompt_token_ids when the key order was lost', () => {
    const reserialised = JSON.stringify(JSON.parse(loggedFixture('vllm-chat-prompt-logprobs.json')));
    const scored = expectKind(readLogged(reserialised), 'scored-prompt');
    assert.equal(scored.label, 'vLLM prompt_logprobs (Chat Completions)');
    assert.equal(scored.text, 'user\nHi<|im_end|>\n<|im_start|>assistant\n');
    assert.equal(scored.tokens[2]!.logprob, -9.25, '"Hi" (13048), not "I" (40), which sorts first');
    assert.equal(scored.answer?.deltas[0]?.text, 'Hello! How can I help you today?');
  });
});

describe('HAR files', () => {
  it('lists the requests whose responses are readable, and reads each', () => {
    const har: LoggedHar = expectKind(readLogged(loggedFixture('devtools-capture.har')), 'har');
    assert.deepEqual(har.entries.map(({ index, method, url, started, response }) => [index, method, url, started, response.label]), [
      [1, 'POST', 'https://api.openai.com/v1/chat/completions', '2025-11-20T09:14:05.311Z', 'OpenAI Chat Completions stream'],
      [2, 'POST', 'http://127.0.0.1:8080/completion', '2025-11-20T09:14:09.002Z', 'llama.cpp /completion stream'],
    ]);
    const [chat, llama] = har.entries.map((entry) => expectKind(entry.response, 'answer'));
    assert.equal(place(chat!.deltas).text, 'Foo!');
    assert.equal(place(llama!.deltas).text, 'овые щё', 'the base64 body is decoded as UTF-8');
  });

  it('refuses a HAR file without a readable response', () => {
    const har = JSON.parse(loggedFixture('devtools-capture.har')) as { log: { entries: unknown[] } };
    har.log.entries = har.log.entries.slice(0, 1);
    const refusal = expectKind(readLogged(JSON.stringify(har)), 'refused');
    assert.match(refusal.problem, /^This HAR file has one response with a body, which is not a response Logprob Lens reads\. It reads /);
  });
});

describe('wrapped bodies', () => {
  const legacy = JSON.parse(readFixture('openai-legacy-completions-logprobs-issue38.json')) as unknown;

  it('unwraps a nock recording, a VCR.py cassette and a logging middleware record', () => {
    const nock = [{ scope: 'https://api.openai.com:443', method: 'POST', path: '/v1/completions', status: 200, response: legacy }];
    const vcr = { interactions: [{ request: { method: 'POST' }, response: { status: { code: 200 }, body: { string: loggedFixture('llamacpp-completion-whole.json') } } }] };
    const middleware = { request: { url: '/v1beta/models/gemini-1.5-flash:generateContent' }, response: { status: 200, data: JSON.parse(loggedFixture('gemini-generate-content-chosen-only-litellm.json')) as unknown } };
    assert.deepEqual([answerOf(JSON.stringify(nock)).label, place(answerOf(JSON.stringify(nock)).deltas).text], ['OpenAI legacy Completions response', ' goal']);
    assert.equal(place(answerOf(JSON.stringify(vcr)).deltas).text, 'овые щё');
    assert.equal(answerOf(JSON.stringify(middleware)).label, 'Gemini generateContent response');
  });

  it('looks no deeper than six wrappers', () => {
    const wrap = (depth: number): unknown => (depth === 0 ? legacy : { body: wrap(depth - 1) });
    assert.equal(readLogged(JSON.stringify(wrap(6))).kind, 'answer');
    assert.match(expectKind(readLogged(JSON.stringify(wrap(7))), 'refused').problem, /it is JSON with keys: body\./);
  });
});

describe('refusals and malformed input', () => {
  const refusalOf = (text: string): string => expectKind(readLogged(text), 'refused').problem;

  it('names what was found and the formats that are read', () => {
    assert.match(refusalOf(JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])), /^This is not a response Logprob Lens reads: it is an array of 12 numbers\. It reads OpenAI Chat Completions, .*llama\.cpp \/completion; Gemini generateContent and streamGenerateContent; Ollama \/api\/generate and \/api\/chat; vLLM prompt_logprobs; .*HAR file\.$/);
    assert.match(refusalOf('{"a": 1, "b": [], "c": null}'), /: it is JSON with keys: a, b, c\. It reads/);
    assert.match(refusalOf('{"k1":1,"k2":1,"k3":1,"k4":1,"k5":1,"k6":1,"k7":1}'), /keys: k1, k2, k3, k4, k5, k6, … \(7 keys\)\./);
    assert.match(refusalOf('[{"x": 1}, {"x": 2}]'), /it is an array of 2 objects \(the first with keys: x\)\./);
    assert.match(refusalOf('hello\nworld'), /it is text that is not JSON \(first line: “hello”\)\./);
    assert.match(refusalOf('   '), /it is an empty text\./);
    assert.match(refusalOf('{"x": 1}\n{"y": 2}\n'), /it is 2 JSON lines, the first JSON with keys: x\./);
    assert.match(refusalOf('data: {"x": 1}\n\ndata: [DONE]\n\n'), /it is an SSE transcript of 1 events, the first JSON with keys: x\./);
  });

  it('names the line where reading stopped in malformed JSON', () => {
    assert.equal(refusalOf('{\n  "a": 1,\n  "b": tru\n}'), 'Reading stopped at line 3: not valid JSON (“"b": tru”).');
    assert.equal(refusalOf('{\n  "a": [1, 2,,\n]}'), 'Reading stopped at line 2: not valid JSON (“"a": [1, 2,,”).');
    assert.equal(refusalOf('{"a":\n"unterminated'), 'Reading stopped at line 2: not valid JSON (“"unterminated”).');
  });

  it('keeps the events before a broken line of a transcript, and says where it stopped', () => {
    const transcript = readFixture('openai-chat-stream-logprobs-sayfoo.sse.txt');
    const lines = transcript.split('\n');
    const brokenLine = lines.findIndex((line) => line.includes('"content":"!"'));
    const cut = [...lines.slice(0, brokenLine), lines[brokenLine]!.slice(0, 40)].join('\n');
    const answer = answerOf(cut);
    assert.equal(answer.stoppedAt?.line, brokenLine + 1);
    assert.match(answer.stoppedAt?.problem ?? '', /^not valid JSON/);
    assert.equal(place(answer.deltas).text, 'Foo', 'the events before it');
    const jsonl = loggedFixture('ollama-chat-stream.ndjson').replace('"done":true', '"done":tru');
    assert.equal(answerOf(jsonl).stoppedAt?.line, 2);
  });

  it('says when a response holds text but no logprobs', () => {
    const answer = answerOf(readFixture('watsonx-openai-compat-chat-stream-logprobs-ignored-llamastack.sse.txt'));
    assert.deepEqual([answer.hasLogprobs, place(answer.deltas).text], [false, '6 + 6 = 12.']);
  });

  it('refuses input over the size limit, naming the limit', () => {
    assert.equal(MAX_LOGGED_RESPONSE_BYTES, 50 * 1024 * 1024);
    assert.equal(oversizeProblem(MAX_LOGGED_RESPONSE_BYTES), undefined);
    assert.equal(oversizeProblem(76_755_763), 'The file is 73.2 MB; Open Logprobs Response reads files up to 50 MB.');
    assert.equal(refusalOf(' '.repeat(MAX_LOGGED_RESPONSE_BYTES + 1)), 'The file is 50.0 MB; Open Logprobs Response reads files up to 50 MB.');
  });
});
