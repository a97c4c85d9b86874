import * as assert from 'node:assert/strict';
import { Answer } from '../../src/core/answer';
import { DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import { chatChunkDelta } from '../../src/core/chatChunk';
import { chatCompletionDeltas } from '../../src/core/logged/openai';
import type { TokenEntry } from '../../src/core/logprob';
import { forcedEntry, storedEntry, tokenText } from '../../src/core/steering';
import { TokenStore } from '../../src/core/tokenStore';
import { chatChunks } from '../support/fixtures';

/** Every chunk of a recording through the chat reader, as the live stream gives them. */
function answerOf(fixture: string): Answer {
  const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
  for (const chunk of chatChunks(fixture)) {
    const delta = chatChunkDelta(chunk);
    answer.inserted(answer.append(delta.text, delta.tokens).length);
  }
  answer.inserted(answer.finish().length);
  return answer;
}

describe('token ids in the store (for logit bias keyed by the response)', () => {
  it('keeps the ids llama.cpp sent, on tokens and alternatives, at no cost per token', () => {
    // llamacpp-oai-chat-stream-multibyte-issue.sse.txt: "овые" id 129377 (alternative "ов" 6715), "ё" id 44022
    // (alternative "еч" 55757).
    const { store } = answerOf('llamacpp-oai-chat-stream-multibyte-issue.sse.txt');
    const first = store.token(0);
    assert.equal(first.token, 'овые');
    assert.equal(first.id, 129377);
    assert.deepEqual(first.alternatives.slice(0, 2), [{ token: 'овые', logprob: Math.fround(-1.78815535036847e-05), id: 129377 }, { token: 'ов', logprob: Math.fround(-11.392739295959473), id: 6715 }]);
    assert.equal(store.token(2).id, 44022);
    assert.equal(store.token(2).alternatives[1]!.id, 55757);
  });

  it('gives no id to a text that came with two (llama.cpp sends many byte tokens as "�")', () => {
    // The second token's alternatives are "�" with ids 231, 102, 236, 239 and 245: one text, five ids.
    const { store } = answerOf('llamacpp-oai-chat-stream-multibyte-issue.sse.txt');
    for (const alternative of store.token(1).alternatives) assert.equal(alternative.id, undefined);
    assert.equal(store.token(1).token, ' щ');
    assert.equal(store.token(1).id, 231, 'its own text came with one id only');
  });

  it('has no ids where the backend sends none, and ignores ids no vocabulary has', () => {
    const { store } = answerOf('openai-chat-stream-top5-llamastack.sse.txt');
    assert.equal(store.token(0).id, undefined);
    assert.equal(store.token(0).alternatives[1]!.id, undefined);
    const odd = new TokenStore();
    odd.addToken({ token: 'a', logprob: -1, id: -4 });
    odd.addToken({ token: 'b', logprob: -1, id: 2 ** 40 });
    assert.equal(odd.token(0).id, undefined);
    assert.equal(odd.token(1).id, undefined);
  });

  it('keeps a token\'s true bytes only where they are not its text (a piece of a character)', () => {
    // OpenAI cookbook, "Using logprobs": 💙 arrives as "\xf0\x9f\x92" [240, 159, 146] then "\x99" [153].
    const store = new TokenStore();
    store.addToken({ token: ' Here', logprob: -0.05, bytes: [32, 72, 101, 114, 101] });
    store.addToken({ token: '\\xf0\\x9f\\x92', logprob: -0.09, bytes: [240, 159, 146] });
    store.addToken({ token: '\\x99', logprob: 0, bytes: [153] });
    store.addToken({ token: 'a\\b', logprob: 0, bytes: [97, 92, 98] });
    assert.equal(store.token(0).bytes, undefined);
    assert.deepEqual(store.token(1).bytes, [240, 159, 146]);
    assert.deepEqual(store.token(2).bytes, [153]);
    assert.equal(store.token(3).bytes, undefined, 'a backslash that is text has its own bytes');
    assert.deepEqual(tokenText(store.token(1)), { kind: 'refused', reason: 'This token is part of a character (its bytes end inside one), not text of its own.' });
    assert.deepEqual(tokenText({ token: '\\xf0\\x9f' }), { kind: 'refused', reason: 'This token is spelled as bytes (part of a character), not as text of its own.' });
  });

  it('finds the placement of a token, and none for a token that was never placed', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    // A control token that is not in the text is left unplaced by the aligner.
    answer.inserted(answer.append('Hi there', [{ token: 'Hi', logprob: -1 }, { token: '<|tool|>', logprob: -2 }, { token: ' there', logprob: -3 }]).length);
    answer.finish();
    assert.equal(answer.store.placementOfToken(0), 0);
    assert.equal(answer.store.placementOfToken(1), -1);
    assert.equal(answer.store.placementOfToken(2), 1);
    assert.equal(answer.store.placementOfToken(3), -1);
  });
});

describe('vLLM\'s token_ids (asked for with return_token_ids)', () => {
  // steering-vllm-paris.sse.txt, by hand from the file: "The capital" [785, 6722], " of France is" [315, 9625, 374],
  // " Paris" [12095], "." [13]; no alternative carries an id.
  const paris = chatChunks('../steering/steering-vllm-paris.sse.txt')[3] as { choices: { token_ids: unknown; logprobs: { content: Record<string, unknown>[] } }[] };
  const withIds = (tokenIds: unknown, entry: Record<string, unknown> = paris.choices[0]!.logprobs.content[0]!): unknown =>
    ({ ...paris, choices: [{ ...paris.choices[0], token_ids: tokenIds, logprobs: { content: [entry] } }] });

  it('gives each sampled token the id beside it, several to a chunk; an alternative only the id its text was sampled with', () => {
    const { store } = answerOf('../steering/steering-vllm-paris.sse.txt');
    const tokens = Array.from({ length: store.tokenCount }, (_, i) => store.token(i));
    assert.deepEqual(tokens.map((token) => [token.token, token.id]), [['The', 785], [' capital', 6722], [' of', 315], [' France', 9625], [' is', 374], [' Paris', 12095], ['.', 13]]);
    // At " Paris": the alternative " Paris" is the sampled text (one text, one id); " located" was never sampled.
    assert.deepEqual(tokens[5]!.alternatives.map((alternative) => [alternative.token, alternative.id]), [[' Paris', 12095], [' located', undefined], [' the', undefined]]);
    // "Paris" without its space, an alternative of "The", is another text: no id.
    assert.equal(tokens[0]!.alternatives[1]!.id, undefined);
  });

  it('drops a chunk\'s ids that cannot be paired with its entries one to one', () => {
    assert.equal(chatChunkDelta(withIds([12095])).tokens[0]!.id, 12095);
    for (const bad of [[12095, 13], [], [-1], [1.5], ['12095'], [2 ** 31], null, { 0: 12095 }, 'x']) {
      assert.equal(chatChunkDelta(withIds(bad)).tokens[0]!.id, undefined, JSON.stringify(bad));
    }
    // An entry that already has an id (llama.cpp's) keeps it; one that disagrees with token_ids drops them.
    assert.equal(chatChunkDelta(withIds([12095], { token: ' Paris', logprob: -0.1, id: 12095 })).tokens[0]!.id, 12095);
    assert.equal(chatChunkDelta(withIds([7], { token: ' Paris', logprob: -0.1, id: 12095 })).tokens[0]!.id, 12095);
    // An entry dropped as malformed leaves fewer entries than ids: none is paired.
    const twoEntries = { ...paris, choices: [{ ...paris.choices[0], token_ids: [12095, 13], logprobs: { content: [{ token: 42, logprob: -1 }, { token: '.', logprob: -0.1 }] } }] };
    assert.deepEqual(chatChunkDelta(twoEntries).tokens, [{ token: '.', logprob: -0.1 }]);
  });

  it('reads the ids of a whole (not streamed) answer the same way', () => {
    // vLLM's ChatCompletionResponseChoice: `token_ids` beside `logprobs.content`, one per entry (serving.py, full generator).
    const response = {
      object: 'chat.completion', model: 'm', prompt_token_ids: [1, 2],
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop', token_ids: [13347, 0], logprobs: { content: [{ token: 'Hi', logprob: -0.2, top_logprobs: [] }, { token: '!', logprob: -0.5, top_logprobs: [] }] } }],
    };
    assert.deepEqual(chatCompletionDeltas(response)[0]!.tokens.map((token) => token.id), [13347, 0]);
  });
});

describe('a branch\'s prefix copied from the original answer', () => {
  it('places the copied tokens where the original had them, with the same colours, hovers, ids and bytes', () => {
    // The OpenAI cookbook's 💙 split over two tokens is in the hand-made answer; the others are recordings.
    const fixtures = ['openai-chat-stream-top5-llamastack.sse.txt', 'llamacpp-oai-chat-stream-multibyte-issue.sse.txt', 'azure-openai-chat-stream-top3-llamastack.sse.txt'];
    for (const fixture of fixtures) {
      const original = answerOf(fixture);
      const text = chatChunks(fixture).map((chunk) => chatChunkDelta(chunk).text).join('');
      const copy = new Answer(0, '\n', DEFAULT_THRESHOLDS);
      copy.inserted(copy.appendCopied(text, original.store, original.store.tokenCount).length);
      copy.inserted(copy.finish().length);
      assert.equal(copy.store.placementCount, original.store.placementCount, fixture);
      for (let i = 0; i < original.store.placementCount; i++) {
        assert.deepEqual(copy.store.placement(i), original.store.placement(i), `${fixture} placement ${i}`);
        assert.equal(copy.bucketOfPlacement(i), original.bucketOfPlacement(i), `${fixture} bucket ${i}`);
      }
      for (let i = 0; i < original.store.tokenCount; i++) assert.deepEqual(copy.store.token(i), original.store.token(i), `${fixture} token ${i}`);
    }
  });

  it('copies a character split over two tokens as one placement, and a prefix that stops before the end', () => {
    const original = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    const tokens: TokenEntry[] = [
      { token: ':\n\n', logprob: -0.11, bytes: [58, 10, 10] },
      { token: '\\xf0\\x9f\\x92', logprob: -0.09, bytes: [240, 159, 146] },
      { token: '\\x99', logprob: 0, bytes: [153] },
      { token: ' Blue', logprob: -0.02, bytes: [32, 66, 108, 117, 101] },
    ];
    original.inserted(original.append(':\n\n💙 Blue', tokens).length);
    original.finish();
    const copy = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    copy.inserted(copy.appendCopied(':\n\n💙', original.store, 3).length);
    assert.equal(copy.store.tokenCount, 3);
    assert.deepEqual(copy.store.placement(1), { start: 3, end: 5, firstToken: 1, tokenCount: 2 }, '💙 (two UTF-16 units) from tokens 1 and 2');
    assert.deepEqual(copy.store.token(1).bytes, [240, 159, 146]);
  });

  it('makes the forced token the chosen alternative, with the model\'s probability for it and the alternatives it had', () => {
    const { store } = answerOf('azure-openai-chat-stream-top3-llamastack.sse.txt');
    // Token 4 is " =" (-0.4783), its second alternative " equals" (-0.978 in the recording).
    const equals = store.token(4);
    const forced = forcedEntry(equals, 1);
    assert.equal(forced.token, ' equals');
    assert.equal(forced.logprob, equals.alternatives[1]!.logprob);
    assert.deepEqual(forced.top_logprobs, equals.alternatives);
    assert.deepEqual(forcedEntry(equals, undefined), storedEntry(equals), 'without an alternative, the token itself');
  });
});
