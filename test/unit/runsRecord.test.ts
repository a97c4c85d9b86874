import * as assert from 'node:assert/strict';
import { encodeRun } from '../../src/core/runs/codec';
import { runToCsv } from '../../src/core/runs/export/csv';
import { runToHtml } from '../../src/core/runs/export/html';
import { runToJson } from '../../src/core/runs/export/json';
import type { RunRequest } from '../../src/core/runs/runRecord';
import { hashText, newRunId, readRunMeta, recordEndpoint, recordRequest, RUN_ID } from '../../src/core/runs/runRecord';
import { placementOfToken, rankedAlternatives, rankedScratch, recordedToken, tokensFromEntries } from '../../src/core/runs/runTokens';
import { recordOf, token } from './runsHelpers';

const close = (actual: number | undefined, expected: number, what: string): void =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

describe('runs: the record', () => {
  it('computes the metrics from the tokens (hand-computed)', () => {
    // A: p 0.5, alternatives 0.5 / 0.25 / 0.25 → entropy 0.5·1 + 0.25·2 + 0.25·2 = 1.5 bits.
    // B: p 0.25, alternatives 0.5 / 0.25 renormalised to 2/3, 1/3 → entropy log2(3) − 2/3 = 0.918296 bits.
    // C: no logprob, no alternatives. Perplexity exp(−(ln 0.5 + ln 0.25) / 2) = √8; mean probability 0.375.
    const record = recordOf([token('A', 0.5, [['A', 0.5], ['X', 0.25], ['Y', 0.25]]), token('B', 0.25, [['Z', 0.5], ['B', 0.25]]), token('C', null)]);
    const { metrics } = record;
    assert.equal(metrics.tokens, 2);
    close(metrics.perplexity, Math.sqrt(8), 'perplexity');
    close(metrics.meanProbability, 0.375, 'mean probability');
    close(metrics.meanEntropyBits, (1.5 + (Math.log2(3) - 2 / 3)) / 2, 'mean entropy');
    assert.deepEqual(metrics.uncertain, { below: 0.5, count: 1 }, 'B (25 %) is below 50 %; A is not (50 % is not below); C is unknown');
  });

  it('counts a character split over two tokens once, at their joint probability', () => {
    const record = recordOf([token('x', 0.6), token('y', 0.6)]);
    // Replace the two one-token placements by one two-token placement: 0.6 × 0.6 = 0.36 < 0.5.
    const joint = { count: 1, start: Int32Array.of(0), end: Int32Array.of(2), firstToken: Int32Array.of(0), tokenCount: Int32Array.of(2) };
    assert.equal(recordOf([token('x', 0.6), token('y', 0.6)], { placements: joint }).metrics.uncertain.count, 1);
    assert.equal(record.metrics.uncertain.count, 0, 'apart, each is 60 %');
  });

  it('has no metrics beyond the token count for an answer without logprobs', () => {
    const { metrics } = recordOf([token('a', null), token('b', null)]);
    assert.deepEqual(metrics, { tokens: 0, uncertain: { below: 0.5, count: 0 } });
  });

  it('hashes the text with SHA-256 (first 64 bits), places the answer and hashes the prompt without the system prompt', () => {
    assert.equal(hashText('abc'), 'ba7816bf8f01cfea', 'FIPS 180-2 test vector: SHA-256("abc") = ba7816bf8f01cfea…');
    const record = recordOf([token('Hel', 0.9), token('lo', 0.8)]);
    assert.deepEqual(record.place, { offset: 10, length: 5, textHash: hashText('Hello') });
    const otherSystem = recordOf([token('x', 1)], { request: { messages: [{ role: 'system', content: 'Other.' }, { role: 'user', content: 'Say hello.' }], topLogprobs: 5, sampling: {} } });
    assert.equal(otherSystem.promptHash, record.promptHash, 'same prompt, another system prompt');
    const otherPrompt = recordOf([token('x', 1)], { request: { messages: [{ role: 'user', content: 'Say bye.' }], topLogprobs: 5, sampling: {} } });
    assert.notEqual(otherPrompt.promptHash, record.promptHash);
  });

  it('makes time-ordered ids that are safe file names', () => {
    const early = newRunId(1_000);
    const late = newRunId(2_000_000_000_000);
    assert.match(early, RUN_ID);
    assert.ok(early < late, 'ids sort by time');
    assert.notEqual(newRunId(5), newRunId(5), 'random part');
  });
});

describe('runs: never a key or a header value', () => {
  const secret = 'sk-proj-THISISASECRETKEY1234567890';
  /** A request object as an adapter might hand over: the client options bag with everything in it. */
  const leaky = {
    messages: [{ role: 'user', content: 'Hello' }],
    topLogprobs: 3,
    sampling: { temperature: 1, maxTokens: 5, apiKey: secret },
    apiKey: secret,
    headers: { Authorization: `Bearer ${secret}`, 'x-api-key': secret },
    baseUrl: `https://example.test/v1?key=${secret}`,
    extraBody: {
      logit_bias: { 50256: -100 }, max_tokens: 9, top_k: 40,
      api_key: secret, apiKey: secret, 'x-api-key': secret, Authorization: secret, access_token: secret,
      extra_headers: { 'api-key': secret }, nested: { password: secret, keep: 'yes' },
    },
  };

  it('has no field that could hold one (the type)', () => {
    // @ts-expect-error a request cannot be written by hand: only recordRequest makes one
    const handMade: RunRequest = { messages: [], topLogprobs: 0, sampling: {}, extraBody: {} };
    assert.ok(handMade);
    const request = recordRequest(leaky);
    // @ts-expect-error no apiKey field
    assert.equal(request.apiKey, undefined);
    // @ts-expect-error no headers field
    assert.equal(request.headers, undefined);
    const endpoint = recordEndpoint({ profile: 'p', host: 'example.test', model: 'm', ...{ apiKey: secret, headers: leaky.headers, baseUrl: leaky.baseUrl } });
    assert.deepEqual(endpoint, { profile: 'p', host: 'example.test', model: 'm', apiStyle: 'chat' }, 'host only: no path, no query');
    assert.equal(recordEndpoint({ host: `example.test/v1?key=${secret}`, model: 'm' }).host, '', 'a host with a path or query is no host');
    assert.equal(recordEndpoint({ host: '127.0.0.1:8080', model: 'm' }).host, '127.0.0.1:8080');
    assert.equal(recordEndpoint({ host: '[::1]:11434', model: 'm' }).host, '[::1]:11434');
  });

  it('copies only known request fields and extra fields not named like credentials', () => {
    const request = recordRequest(leaky);
    assert.deepEqual(JSON.parse(JSON.stringify(request)), {
      messages: [{ role: 'user', content: 'Hello' }],
      topLogprobs: 3,
      sampling: { temperature: 1, maxTokens: 5 },
      extraBody: { logit_bias: { 50256: -100 }, max_tokens: 9, top_k: 40, nested: { keep: 'yes' } },
    });
  });

  it('writes none into storage or any export, and reads none back from a doctored file', () => {
    const record = recordOf([token('Hi', 0.9)], { request: leaky, endpoint: { host: 'example.test', model: 'gpt', ...{ headers: leaky.headers, baseUrl: leaky.baseUrl } } });
    const stored = Buffer.from(encodeRun(record)).toString('latin1');
    for (const output of [stored, runToJson(record), runToCsv(record), runToHtml(record)]) {
      assert.ok(!output.includes('THISISASECRETKEY'), 'the key appears nowhere');
      assert.ok(!output.includes('Bearer'));
    }
    const doctored = JSON.parse(runToJson(record)) as { run: { request: { extraBody: Record<string, unknown> } } };
    doctored.run.request.extraBody.api_key = secret;
    const meta = readRunMeta(doctored.run);
    assert.ok(typeof meta !== 'string');
    assert.ok(!JSON.stringify(meta).includes('THISISASECRETKEY'));
  });
});

describe('runs: token columns', () => {
  it('keeps bytes only where they are not the UTF-8 of the text, and ids when the backend sent them', () => {
    const tokens = tokensFromEntries([
      { token: 'ab', logprob: -1, bytes: [97, 98], top_logprobs: [] },
      { token: 'é', logprob: -1, bytes: [0xc3, 0xa9], top_logprobs: [] },
      { token: '\\xf0\\x9f', logprob: -1, bytes: [0xf0, 0x9f], id: 7, top_logprobs: [{ token: 'x', logprob: -2, id: 9 }] },
    ]);
    assert.deepEqual([...tokens.bytes], [[2, [0xf0, 0x9f]]]);
    assert.deepEqual(recordedToken(tokens, 2), { token: '\\xf0\\x9f', logprob: -1, bytes: [0xf0, 0x9f], id: 7, top_logprobs: [{ token: 'x', logprob: -2, id: 9 }] });
    assert.deepEqual(recordedToken(tokens, 0), { token: 'ab', logprob: -1, top_logprobs: [] });
  });

  it('finds the placement of a token, including one of several tokens in a placement, and none for an unplaced token', () => {
    // Tokens 0 | 1+2 (one character) | 3 unplaced | 4.
    const placements = { count: 3, start: Int32Array.of(0, 1, 3), end: Int32Array.of(1, 3, 4), firstToken: Int32Array.of(0, 1, 4), tokenCount: Int32Array.of(1, 2, 1) };
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((index) => placementOfToken(placements, index)), [0, 1, 1, -1, 2, -1]);
  });

  it('ranks alternatives as the hover does: by logprob, ties in order, a repeated text once at its best', () => {
    const tokens = tokensFromEntries([{
      token: 'b', logprob: -1,
      top_logprobs: [{ token: 'a', logprob: -2 }, { token: 'b', logprob: -1 }, { token: 'c', logprob: -2 }, { token: 'a', logprob: -0.5 }, { token: 'b', logprob: -3 }],
    }]);
    const ranked = rankedScratch();
    const count = rankedAlternatives(tokens, 0, ranked);
    const texts = Array.from(ranked.text.subarray(0, count), (id) => tokens.strings[id]);
    assert.deepEqual(texts, ['a', 'b', 'c']);
    assert.deepEqual([...ranked.logprob.subarray(0, count)], [-0.5, -1, -2]);
  });
});

describe('runs: reading metadata back', () => {
  const meta = JSON.parse(JSON.stringify(recordOf([token('x', 0.5)]))) as Record<string, unknown>;

  it('accepts its own metadata', () => {
    const read = readRunMeta(meta);
    assert.ok(typeof read !== 'string');
    assert.equal(read.endpoint.model, 'qwen2.5-7b');
  });

  it('says what is wrong with a malformed one', () => {
    assert.equal(readRunMeta(null), 'the run is not an object');
    assert.equal(readRunMeta({ ...meta, version: 99 }), 'the run was written by a newer Logprob Lens (version 99)');
    assert.equal(readRunMeta({ ...meta, id: '../../etc/passwd' }), 'the run id is missing or not a safe name');
    assert.equal(readRunMeta({ ...meta, kind: 'magic' }), 'unknown run kind "magic"');
    assert.equal(readRunMeta({ ...meta, place: { offset: -1, length: 1, textHash: 'x' } }), 'the answer\'s place is missing');
    assert.equal(readRunMeta({ ...meta, request: { ...(meta.request as object), messages: [{ role: 'wizard', content: 'x' }] } }), 'a request message is malformed');
    assert.equal(readRunMeta({ ...meta, group: { id: 'g', kind: 'samples', index: 0, size: 2 } }), 'the run group is malformed');
  });
});
