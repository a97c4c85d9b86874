import * as assert from 'node:assert/strict';
import { decode, encode } from '../../src/tokenizer/index';

// Expected ids are published by OpenAI, not computed by the code under test:
// - openai/openai-cookbook examples/How_to_count_tokens_with_tiktoken.ipynb @c81359cd (tiktoken output cells);
// - openai/tiktoken tests/test_encoding.py @1a730c52 (test_simple, test_simple_regex, test_encode_surrogate_pairs).
const PUBLISHED: readonly { text: string; o200k_base?: number[]; cl100k_base?: number[] }[] = [
  { text: 'tiktoken is great!', o200k_base: [83, 8251, 2488, 382, 2212, 0], cl100k_base: [83, 1609, 5963, 374, 2294, 0] },
  { text: 'antidisestablishmentarianism', o200k_base: [493, 129901, 376, 160388, 21203, 2367], cl100k_base: [519, 85342, 34500, 479, 8997, 2191] },
  { text: '2 + 2 = 4', o200k_base: [17, 659, 220, 17, 314, 220, 19], cl100k_base: [17, 489, 220, 17, 284, 220, 19] },
  { text: 'お誕生日おめでとう', o200k_base: [8930, 9697, 243, 128225, 8930, 17693, 4344, 48669], cl100k_base: [33334, 45918, 243, 21990, 9080, 33334, 62004, 16556, 78699] },
  { text: 'hello world', cl100k_base: [15339, 1917] },
  { text: 'today\n ', cl100k_base: [31213, 198, 220] },
  { text: '👍', cl100k_base: [9468, 239, 235] },
];

describe('tokenizer bundle (gpt-tokenizer encodings)', () => {
  for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
    it(`${encoding}: encodes OpenAI's published examples to their published ids`, async () => {
      for (const example of PUBLISHED) {
        const expected = example[encoding];
        if (expected) assert.deepEqual(await encode(example.text, encoding), expected, example.text);
      }
    });

    it(`${encoding}: decodes what it encodes, for text a model writes`, async () => {
      for (const text of [' hello', 'Hello, world!', '  indented\n\tcode();', 'naïve café 😀', '<|endoftext|>', '']) {
        assert.equal(await decode(await encode(text, encoding), encoding), text, JSON.stringify(text));
      }
    });
  }

  it('encodes text that looks like a special token as plain text, never throwing', async () => {
    // cl100k_base's <|endoftext|> is id 100257 (tiktoken test_simple); as model text it is seven ordinary tokens.
    const ids = await encode('<|endoftext|>', 'cl100k_base');
    assert.ok(!ids.includes(100257));
    assert.ok(ids.length > 1);
  });

  it('rejects an encoding it does not carry', async () => {
    await assert.rejects(encode('x', 'p50k_base' as never), RangeError);
  });
});
