import * as assert from 'node:assert/strict';
import { chatChunkDelta } from '../../src/core/chatChunk';
import { readLogged } from '../../src/core/logged';
import { completionChoiceDelta, responsesEventDelta } from '../../src/core/logged/openai';
import { logprobOfProbability, wellFormedEntries } from '../../src/core/logprob';
import { place } from '../support/placement';

/** Entries from untrusted servers and files: malformed ones are dropped or repaired, never thrown, in every reader. */

const good = { token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [{ token: 'Hi', logprob: -0.5 }, { token: 'Hey', logprob: -1.5 }] };

describe('untrusted logprob entries', () => {
  it('returns a well-formed list as it came, without copying', () => {
    const list = [good, { token: '!', logprob: null }, { token: '?', logprob: -2, id: 30, top_logprobs: null, bytes: null }];
    assert.equal(wellFormedEntries(list), list);
  });

  it('drops entries that cannot be used and repairs the others', () => {
    const list: unknown[] = [
      good,
      { token: 5, logprob: -1 },
      { token: 'x', logprob: '-1' },
      { token: 'y', logprob: -1, top_logprobs: { token: 'y' } },
      null, 'text', 42, [good],
      { token: 'z', logprob: -1, bytes: [300], id: 'seven', top_logprobs: [{ token: 'a', logprob: -1 }, { token: 3, logprob: -1 }, { token: 'b', logprob: 'NaN' }] },
    ];
    assert.deepEqual(wellFormedEntries(list), [good, { token: 'z', logprob: -1, top_logprobs: [{ token: 'a', logprob: -1 }] }]);
    assert.deepEqual(wellFormedEntries({ 0: good, length: 1 }), [], 'not an array');
  });

  it('reads probabilities as logprobs, whatever the server sends', () => {
    assert.deepEqual([0, 1, 1.0000001, 0.5].map(logprobOfProbability), [Number.NEGATIVE_INFINITY, 0, 0, Math.log(0.5)]);
    assert.deepEqual([-0.1, Number.NaN, '0.5', null].map(logprobOfProbability), [undefined, undefined, undefined, undefined]);
  });

  it('never throws in the live chat-chunk path, and drops what is malformed', () => {
    const hostile: unknown[] = [
      null, 42, 'chunk', [], { choices: 'many' }, { choices: [null] }, { choices: [{ delta: 'text' }] },
      { choices: [{ delta: { content: 42 }, logprobs: { content: 'tokens' } }] },
      { choices: [{ delta: { content: 'Hi' }, logprobs: { content: [{ token: {}, logprob: -1 }, good] }, finish_reason: 7 }] },
    ];
    const deltas = hostile.map(chatChunkDelta);
    assert.deepEqual(deltas.map((delta) => delta.text), ['', '', '', '', '', '', '', '', 'Hi']);
    assert.deepEqual(deltas.at(-1), { text: 'Hi', tokens: [good], hasLogprobs: true, finishReason: undefined });
    assert.deepEqual(place(deltas).ranges, [[0, 2]]);
  });

  it('drops malformed entries in the Responses and legacy Completions readers', () => {
    const event = responsesEventDelta({ type: 'response.output_text.delta', delta: 'Hi', logprobs: [good, { token: null }] });
    assert.deepEqual(event.tokens, [good]);
    const choice = completionChoiceDelta({ text: ' a', logprobs: { tokens: [' a', 7], token_logprobs: ['x', -1], top_logprobs: [{ ' a': -1, ' b': 'no' }, null] } });
    assert.deepEqual(choice.tokens, [{ token: ' a', logprob: null, top_logprobs: [{ token: ' a', logprob: -1 }] }]);
  });

  it('drops malformed entries in the llama.cpp, Gemini, Ollama and vLLM readers', () => {
    const llama = readLogged(JSON.stringify({ content: 'ok', stop: true, completion_probabilities: [7, { token: {} }, { token: 'ok', logprob: 'high', top_logprobs: 'many' }, { id: 1.5, token: 'ok', bytes: 'ok', logprob: -1 }] }));
    assert.equal(llama.kind, 'answer');
    assert.deepEqual(llama.kind === 'answer' && llama.deltas[0]!.tokens, [{ token: 'ok', logprob: null, top_logprobs: [] }, { token: 'ok', logprob: -1, top_logprobs: [] }]);
    const gemini = readLogged(JSON.stringify({ candidates: [{ content: { parts: [{ text: 'ok' }, 7, { thought: true, text: 'hidden' }] }, logprobsResult: { chosenCandidates: [{ token: 'ok', logProbability: -1 }, { token: 5 }], topCandidates: 'none' } }] }));
    assert.deepEqual(gemini.kind === 'answer' && [gemini.deltas[0]!.text, gemini.deltas[0]!.tokens], ['ok', [{ token: 'ok', logprob: -1 }]]);
    const ollama = readLogged(JSON.stringify({ message: { content: 'ok' }, done: true, logprobs: [{ token: 'ok', logprob: -1, top_logprobs: 3 }, { token: 'ok', logprob: -1 }] }));
    assert.deepEqual(ollama.kind === 'answer' && ollama.deltas[0]!.tokens, [{ token: 'ok', logprob: -1 }]);
    const vllm = readLogged(JSON.stringify({ prompt_logprobs: [null, { 1: { logprob: 'x', decoded_token: 'a' } }, { 2: { logprob: -1, decoded_token: 'ok', rank: 1 } }, 'x', { 3: null }], choices: [] }));
    assert.deepEqual(vllm.kind === 'scored-prompt' && [vllm.text, vllm.tokens.length], ['ok', 1]);
  });
});
