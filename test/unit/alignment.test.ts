import * as assert from 'node:assert/strict';
import { MAX_PENDING_TEXT, TokenAligner } from '../../src/core/aligner';
import { Answer } from '../../src/core/answer';
import { DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import type { ChatChunkLike } from '../../src/core/chatChunk';
import { chatChunkDelta } from '../../src/core/chatChunk';
import type { TokenEntry } from '../../src/core/logprob';
import { decodeUtf8 } from '../../src/core/utf8';
import { chatChunks, chatStreamFixtures, readFixture } from '../support/fixtures';

interface Replayed {
  readonly answer: Answer;
  readonly inserted: string;
  readonly tokens: TokenEntry[];
}

function replay(deltas: readonly { text: string; tokens: readonly TokenEntry[] }[], eol: '\n' | '\r\n' = '\n'): Replayed {
  const answer = new Answer(0, eol, DEFAULT_THRESHOLDS);
  let inserted = '';
  const tokens: TokenEntry[] = [];
  for (const delta of deltas) {
    const text = answer.append(delta.text, delta.tokens);
    answer.inserted(text.length);
    inserted += text;
    tokens.push(...delta.tokens);
  }
  const rest = answer.finish();
  answer.inserted(rest.length);
  return { answer, inserted: inserted + rest, tokens };
}

/** The recorded text, read straight from the raw JSON (not through the code under test). */
function recordedText(chunks: readonly unknown[]): string {
  let text = '';
  for (const chunk of chunks as { choices?: { delta?: { content?: string | null; refusal?: string | null } }[] }[]) {
    const delta = chunk.choices?.[0]?.delta;
    text += delta?.content ?? delta?.refusal ?? '';
  }
  return text;
}

function placedTexts({ answer, inserted }: Replayed): { text: string; first: number; count: number }[] {
  const placed = [];
  for (let i = 0; i < answer.store.placementCount; i++) {
    const { start, end, firstToken, tokenCount } = answer.store.placement(i);
    placed.push({ text: inserted.slice(start, end), first: firstToken, count: tokenCount });
  }
  return placed;
}

describe('alignment on every recorded chat stream', () => {
  for (const name of chatStreamFixtures()) {
    it(`${name}: inserts exactly the recorded text and places every token on its own bytes`, () => {
      const chunks = chatChunks(name);
      const result = replay(chunks.map((chunk) => chatChunkDelta(chunk as ChatChunkLike)));
      assert.equal(result.inserted, recordedText(chunks));
      const placed = placedTexts(result);
      assert.equal(placed.length, result.tokens.length, 'one placement per token');
      placed.forEach((placement, i) => {
        assert.equal(placement.first, i);
        assert.equal(placement.count, 1);
        assert.equal(placement.text, decodeUtf8(result.tokens[i]!.bytes!), `token ${i}`);
      });
    });
  }

  it('has logprobs for the fixtures that carry them and none for watsonx and tool calls', () => {
    const tokenCount = (name: string): number => replay(chatChunks(name).map((c) => chatChunkDelta(c as ChatChunkLike))).tokens.length;
    assert.equal(tokenCount('openai-chat-stream-logprobs-sayfoo.sse.txt'), 2);
    assert.equal(tokenCount('llamacpp-oai-chat-stream-multibyte-issue.sse.txt'), 3);
    assert.equal(tokenCount('openai-chat-stream-top5-llamastack.sse.txt'), 9);
    assert.equal(tokenCount('azure-openai-chat-stream-top3-llamastack.sse.txt'), 7);
    assert.equal(tokenCount('openai-chat-stream-logprobs-refusal.sse.txt'), 11);
    assert.equal(tokenCount('watsonx-openai-compat-chat-stream-logprobs-ignored-llamastack.sse.txt'), 0);
    assert.equal(tokenCount('openai-chat-stream-toolcall-logprobs-null-llamastack.sse.txt'), 0);
  });
});

describe('partial UTF-8 tokens', () => {
  /** The cookbook's printed gpt-4o output: `Token: X  Log prob: Y  Bytes: [..]` lines. */
  function cookbookTokens(): TokenEntry[] {
    return readFixture('openai-chat-partial-utf8-cookbook.txt').split('\n')
      .map((line) => /^Token: (.*?)\s+Log prob: (\S+)\s+Bytes: \[([\d, ]+)\]/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ token: match[1]!, logprob: Number(match[2]), bytes: match[3]!.split(',').map(Number), top_logprobs: [] }));
  }

  it('groups the two tokens of the blue heart into one range of two UTF-16 units', () => {
    const tokens = cookbookTokens();
    assert.equal(tokens.length, 14);
    const text = 'Here is the blue heart emoji and its name:\n\n💙 Blue Heart';
    // Stream it as OpenAI does: each chunk's text is whole characters, the tokens may split one.
    const result = replay([{ text: text.slice(0, 44), tokens: tokens.slice(0, 10) }, { text: text.slice(44), tokens: tokens.slice(10) }]);
    assert.equal(result.inserted, text);
    const placed = placedTexts(result);
    assert.equal(placed.length, 13);
    const heart = placed[10]!;
    assert.deepEqual(heart, { text: '💙', first: 10, count: 2 });
    assert.equal(result.answer.store.placement(10).end - result.answer.store.placement(10).start, 2);
    assert.equal(placed[11]!.text, ' Blue');
  });

  it('groups partial characters even when a chunk ends inside one', () => {
    const heart = [240, 159, 146, 153];
    const result = replay([
      { text: 'A', tokens: [{ token: 'A', logprob: -0.1, bytes: [65], top_logprobs: [] }, { token: '\\xf0\\x9f', logprob: -1, bytes: heart.slice(0, 2), top_logprobs: [] }] },
      { text: '💙!', tokens: [{ token: '\\x92\\x99', logprob: -0.5, bytes: heart.slice(2), top_logprobs: [] }, { token: '!', logprob: 0, bytes: [33], top_logprobs: [] }] },
    ]);
    assert.deepEqual(placedTexts(result).map((p) => p.text), ['A', '💙', '!']);
    assert.ok(Math.abs(result.answer.placementReading(1)!.value - Math.exp(-1.5)) < 1e-12, 'a group is as likely as its tokens together');
  });

  it('reads legacy `bytes:\\xe2\\x80` tokens and old llama.cpp `byte: \\x89` tokens as bytes', () => {
    const result = replay([{ text: '—x', tokens: [
      { token: 'bytes:\\xe2\\x80', logprob: -1, bytes: null, top_logprobs: [] },
      { token: 'byte: \\x94', logprob: -1, bytes: null, top_logprobs: [] },
      { token: 'x', logprob: -1, bytes: null, top_logprobs: [] },
    ] }]);
    assert.deepEqual(placedTexts(result), [{ text: '—', first: 0, count: 2 }, { text: 'x', first: 2, count: 1 }]);
  });

  it('gives lossy "\\uFFFD" tokens (vLLM, Ollama) the character they stand for', () => {
    const lossy = { token: '\uFFFD', logprob: -0.2, bytes: [239, 191, 189], top_logprobs: [] };
    const result = replay([{ text: 'щ ok', tokens: [lossy, lossy, { token: ' ok', logprob: -0.1, bytes: [32, 111, 107], top_logprobs: [] }] }]);
    assert.deepEqual(placedTexts(result), [{ text: 'щ', first: 0, count: 2 }, { text: ' ok', first: 2, count: 1 }]);
  });
});

describe('tokens that do not add up to the text', () => {
  const token = (text: string): TokenEntry => ({ token: text, logprob: -0.5, bytes: null, top_logprobs: [] });

  it('skips control tokens that never reach the content and keeps placing the rest', () => {
    const result = replay([{ text: 'Hello world', tokens: [token('<|channel|>'), token('Hello'), token('<|message|>'), token(' world')] }]);
    assert.deepEqual(placedTexts(result).map((p) => [p.text, p.first]), [['Hello', 1], [' world', 3]]);
  });

  it('leaves text no token covers uncoloured and never colours the wrong range', () => {
    const result = replay([{ text: 'abc STOP def', tokens: [token('abc'), token(' def')] }]);
    assert.deepEqual(placedTexts(result).map((p) => p.text), ['abc', ' def']);
    const far = replay([{ text: `x${' '.repeat(40)}y`, tokens: [token('x'), token('y')] }]);
    assert.deepEqual(placedTexts(far).map((p) => p.text), ['x'], 'a token far from where it should be is not placed');
  });

  it('waits for text that arrives after its tokens (rows sent before the text)', () => {
    const result = replay([{ text: 'He', tokens: [token('Hello')] }, { text: 'llo', tokens: [] }]);
    assert.deepEqual(placedTexts(result).map((p) => p.text), ['Hello']);
  });

  it('never alters the inserted text, whatever the tokens say', () => {
    const result = replay([{ text: 'The answer', tokens: [token('Completely'), token('different')] }]);
    assert.equal(result.inserted, 'The answer');
    assert.equal(result.answer.store.placementCount, 0);
  });
});

describe('line endings', () => {
  it('inserts CRLF in a CRLF document and still places each token on its text', () => {
    const tokens = ['Line', ' one', '\n', 'Line', ' two', ':\n\n', 'end'].map((text) => ({ token: text, logprob: -0.1, bytes: null, top_logprobs: [] }));
    const result = replay([{ text: 'Line one\nLine', tokens: tokens.slice(0, 4) }, { text: ' two:\n\nend', tokens: tokens.slice(4) }], '\r\n');
    assert.equal(result.inserted, 'Line one\r\nLine two:\r\n\r\nend');
    assert.deepEqual(placedTexts(result).map((p) => p.text), ['Line', ' one', '\r\n', 'Line', ' two', ':\r\n\r\n', 'end']);
  });

  it('holds back a trailing CR until it knows whether LF follows', () => {
    const result = replay([{ text: 'a\r', tokens: [] }, { text: '\nb', tokens: [] }], '\n');
    assert.equal(result.inserted, 'a\nb');
  });
});

describe('a hostile or broken server', () => {
  const entry = (text: string): TokenEntry => ({ token: text, logprob: -0.5, bytes: null, top_logprobs: [] });
  const WORDS = [' the', ' model', ',', ' 💙', '\n', ' sure'];
  const words = Array.from({ length: 5000 }, (_, i) => WORDS[i % WORDS.length]!);

  /** Runs a feed through an aligner; the placements as [start, end, firstToken] triples. */
  function aligned(feed: (aligner: TokenAligner) => void): [number, number, number][] {
    const placed: [number, number, number][] = [];
    const aligner = new TokenAligner((start, end, first) => placed.push([start, end, first]));
    feed(aligner);
    aligner.finish();
    return placed;
  }

  /** Where each word lies in their concatenation: running sums of their lengths, token i on word i. */
  function wordRanges(offset = 0, firstToken = 0): [number, number, number][] {
    let at = offset;
    return words.map((word, i) => [at, (at += word.length), firstToken + i]);
  }

  it('places every real token among thousands of tokens that are not in the text', () => {
    const placed = aligned((aligner) => words.forEach((word, i) => {
      aligner.appendText(word);
      aligner.addToken(2 * i, entry(`<|junk ${i}|>`));
      aligner.addToken(2 * i + 1, entry(word));
    }));
    assert.deepEqual(placed, wordRanges().map(([start, end, i]) => [start, end, 2 * i + 1]));
  });

  it('places nothing when no token is in the text, and nothing wrongly', () => {
    const placed = aligned((aligner) => {
      for (let i = 0; i < 5000; i++) {
        aligner.appendText('a'.repeat(32));
        aligner.addToken(i, entry(`${'a'.repeat(31)}b`));
      }
    });
    assert.deepEqual(placed, []);
  });

  it('places tokens that arrive after all of the text, in one piece or in thousands', () => {
    assert.deepEqual(aligned((aligner) => {
      aligner.appendText(words.join(''));
      words.forEach((word, i) => aligner.addToken(i, entry(word)));
    }), wordRanges());
    const characters = [...words.join('')];
    assert.deepEqual(aligned((aligner) => {
      for (const character of characters) aligner.appendText(character);
      words.forEach((word, i) => aligner.addToken(i, entry(word)));
    }), wordRanges());
  });

  it('places tokens that arrive before all of their text, the text in pieces that split tokens', () => {
    const text = words.join('');
    assert.deepEqual(aligned((aligner) => {
      words.forEach((word, i) => aligner.addToken(i, entry(word)));
      for (let at = 0; at < text.length; at += 3) aligner.appendText(text.slice(at, at + 3));
    }), wordRanges());
  });

  it('waits for the text of a long token, but not of one longer than any real token', () => {
    const long = 'x'.repeat(1000);
    assert.deepEqual(aligned((aligner) => {
      aligner.addToken(0, entry(long));
      for (let at = 0; at < long.length; at += 7) aligner.appendText(long.slice(at, at + 7));
    }), [[0, 1000, 0]]);
    const huge = 'x'.repeat(2000);
    assert.deepEqual(aligned((aligner) => {
      aligner.addToken(0, entry(huge));
      aligner.appendText(huge.slice(0, 1000));
      aligner.appendText(huge.slice(1000));
    }), []);
  });

  it(`keeps at most ${MAX_PENDING_TEXT} characters of unmatched text, giving up the oldest`, () => {
    const placed = aligned((aligner) => {
      aligner.appendText(`ab${'x'.repeat(MAX_PENDING_TEXT - 2)}`);
      aligner.appendText('cd'); // two over the limit: "ab" is given up
      aligner.addToken(0, entry('ab'));
      aligner.addToken(1, entry('xx'));
    });
    assert.deepEqual(placed, [[2, 4, 1]]);
  });
});
