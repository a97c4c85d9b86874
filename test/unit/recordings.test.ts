import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { LoggedFormat } from '../../src/core/logged';
import { ollamaChunkDelta } from '../../src/core/logged/ollama';
import { providerFixtures, readFixture } from '../support/fixtures';
import { loggedAnswer, loggedRefusal } from '../support/logged';
import { place } from '../support/placement';

/**
 * Every provider recording, read as Open Logprobs Response reads it, placed by the aligner. The expected text
 * and ranges were computed separately from the raw bytes of each recording (UTF-16 offsets), not by this code.
 */
const EXPECTED: Record<string, { format: LoggedFormat; text: string; ranges: [number, number][]; tokens?: number }> = {
  'openai-chat-stream-logprobs-sayfoo.sse.txt': { format: 'chat-stream', text: 'Foo!', ranges: [[0, 3], [3, 4]] },
  'openai-chat-stream-logprobs-refusal.sse.txt': {
    format: 'chat-stream', text: "I'm very sorry, but I can't assist with that.",
    ranges: [[0, 3], [3, 8], [8, 14], [14, 15], [15, 19], [19, 21], [21, 27], [27, 34], [34, 39], [39, 44], [44, 45]],
  },
  'openai-chat-stream-top5-llamastack.sse.txt': {
    format: 'chat-stream', text: 'The smallest continent by land area is Australia.',
    ranges: [[0, 3], [3, 12], [12, 22], [22, 25], [25, 30], [30, 35], [35, 38], [38, 48], [48, 49]],
  },
  'azure-openai-chat-stream-top3-llamastack.sse.txt': {
    format: 'chat-stream', text: '4 + 4 = 8', ranges: [[0, 1], [1, 3], [3, 4], [4, 5], [5, 7], [7, 8], [8, 9]],
  },
  'llamacpp-oai-chat-stream-multibyte-issue.sse.txt': { format: 'chat-stream', text: 'овые щё', ranges: [[0, 4], [4, 6], [6, 7]] },
  'watsonx-openai-compat-chat-stream-logprobs-ignored-llamastack.sse.txt': { format: 'chat-stream', text: '6 + 6 = 12.', ranges: [] },
  'openai-responses-logprobs-stream.sse.txt': {
    format: 'responses-stream', text: 'The capital of Minas Gerais is Belo Horizonte.',
    ranges: [[0, 3], [3, 11], [11, 14], [14, 20], [20, 27], [27, 30], [30, 35], [35, 45], [45, 46]],
  },
  'openai-responses-logprobs-nonstream.json': {
    format: 'responses', text: 'The capital of Minas Gerais is Belo Horizonte.',
    ranges: [[0, 3], [3, 11], [11, 14], [14, 20], [20, 27], [27, 30], [30, 35], [35, 45], [45, 46]],
  },
  'openai-legacy-completions-logprobs-issue38.json': { format: 'completions', text: ' goal', ranges: [[0, 5]] },
};

describe('every provider recording renders right', () => {
  it('has an expectation for every recording with a response body', () => {
    const bodies = fs.readdirSync(providerFixtures).filter((name) => /\.(sse\.txt|json)$/.test(name) && !name.includes('.meta.') && !name.startsWith('ollama-') && !name.includes('toolcall'));
    assert.deepEqual(bodies.sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${expected.format}, exact text and ranges`, () => {
      const logged = loggedAnswer(readFixture(name));
      assert.equal(logged.format, expected.format);
      const placed = place(logged.deltas);
      assert.equal(placed.text, expected.text);
      assert.deepEqual(placed.ranges, expected.ranges);
    });
  }

  it('takes the full-precision logprobs of Responses deltas, not the rounded repeats', () => {
    const { answer } = place(loggedAnswer(readFixture('openai-responses-logprobs-stream.sse.txt')).deltas);
    assert.equal(answer.store.tokenCount, 9, 'the done events are not counted again');
    assert.equal(answer.store.token(0).logprob, -1.9361264946837764e-7);
  });

  it('reads legacy alternatives from their dictionaries, and says when the sampled token is not among them', () => {
    const { answer } = place(loggedAnswer(readFixture('openai-legacy-completions-logprobs-issue38.json')).deltas);
    const token = answer.store.token(0);
    assert.equal(token.token, ' goal');
    assert.ok(Math.abs(token.logprob! - -10.029023) < 1e-9);
    assert.deepEqual(token.alternatives.map((alternative) => alternative.token).sort(), [',', '-', '.', '/', '_']);
  });

  it('reads Ollama native chunks (the v0.12.11 documentation example)', () => {
    const example = JSON.parse(readFixture('ollama-native-generate-stream-doc-example.json')) as { example_chunk_top_logprobs: unknown; example_chunk_logprobs_only: unknown };
    const placed = place([ollamaChunkDelta(example.example_chunk_top_logprobs)]);
    assert.equal(placed.text, 'The');
    assert.deepEqual(placed.ranges, [[0, 3]]);
    assert.deepEqual(placed.answer.store.token(0).alternatives.map((alternative) => alternative.token), ['The', 'Okay', 'That']);
    assert.deepEqual(place([ollamaChunkDelta(example.example_chunk_logprobs_only)]).ranges, [[0, 4]]);
  });

  it('reads an array of saved chat chunks and a whole chat completion', () => {
    const chunks = readFixture('openai-chat-stream-logprobs-sayfoo.sse.txt').split('\n').filter((line) => line.startsWith('data: {')).map((line) => JSON.parse(line.slice(6)) as unknown);
    assert.equal(place(loggedAnswer(JSON.stringify(chunks)).deltas).text, 'Foo!');
    const whole = { object: 'chat.completion', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hi' }, logprobs: { content: [{ token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [] }] } }] };
    const placed = place(loggedAnswer(JSON.stringify(whole)).deltas);
    assert.deepEqual([placed.text, placed.ranges], ['Hi', [[0, 2]]]);
  });

  it('refuses a stream of tool calls, which holds no text to colour', () => {
    assert.match(loggedRefusal(readFixture('openai-chat-stream-toolcall-logprobs-null-llamastack.sse.txt')), /^This OpenAI Chat Completions stream holds no text/);
  });

  it('says what it found when the text is not a response', () => {
    assert.match(loggedRefusal('hello world'), /it is text that is not JSON \(first line: “hello world”\)\. It reads OpenAI Chat Completions/);
    assert.match(loggedRefusal('{"foo": 1}'), /it is JSON with keys: foo\./);
    assert.match(loggedRefusal('data: {broken'), /^Reading stopped at line 1: not valid JSON/);
  });
});
