import * as assert from 'node:assert/strict';
import type { Failure } from '../../src/core/failure';
import type { EndOfRunFacts } from '../../src/core/runOutcome';
import { classifyOutcome, endOfRunMessage } from '../../src/core/runOutcome';

const lost: Failure = { kind: 'connection-lost', message: 'The connection to h was cut in the middle of the answer.' };
const cancelled: Failure = { kind: 'cancelled', message: 'Cancelled.' };
const facts = (overrides: Partial<EndOfRunFacts>): EndOfRunFacts => ({
  kind: 'completion', outcome: 'done', failure: undefined, tokens: 9, sawLogprobs: true, host: 'h', model: 'm', maxTokens: 1024, ...overrides,
});

describe('how a run ended, and what it says', () => {
  it('classifies every ending', () => {
    const network = { expectsFinish: true };
    assert.equal(classifyOutcome({ ...network, failure: cancelled, finishReason: undefined, hasText: true }), 'cancelled');
    assert.equal(classifyOutcome({ ...network, failure: lost, finishReason: undefined, hasText: true }), 'incomplete');
    assert.equal(classifyOutcome({ ...network, failure: lost, finishReason: undefined, hasText: false }), 'failed');
    assert.equal(classifyOutcome({ ...network, failure: undefined, finishReason: 'length', hasText: true }), 'truncated');
    assert.equal(classifyOutcome({ ...network, failure: undefined, finishReason: 'content_filter', hasText: true }), 'filtered');
    assert.equal(classifyOutcome({ ...network, failure: undefined, finishReason: 'stop', hasText: false }), 'failed');
    assert.equal(classifyOutcome({ ...network, failure: undefined, finishReason: undefined, hasText: true }), 'incomplete', 'a network stream that never said it finished');
    assert.equal(classifyOutcome({ expectsFinish: false, failure: undefined, finishReason: undefined, hasText: true }), 'done', 'a logged response');
    assert.equal(classifyOutcome({ ...network, failure: undefined, finishReason: 'stop', hasText: true }), 'done');
  });

  it('offers Retry and Remove for an incomplete answer, in full sentences, and keeps the count', () => {
    const message = endOfRunMessage(facts({ outcome: 'incomplete', failure: lost }));
    assert.equal(message.severity, 'warning');
    assert.equal(message.text, 'The answer is incomplete: The connection to h was cut in the middle of the answer. What arrived (9 tokens) is kept.');
    assert.deepEqual(message.actions, ['Retry', 'Remove']);
    assert.deepEqual(endOfRunMessage(facts({ kind: 'logged', outcome: 'incomplete', failure: lost })).actions, [], 'nothing to retry for a file');
    assert.equal(endOfRunMessage(facts({ outcome: 'incomplete', failure: undefined })).text,
      'The answer is incomplete: the stream ended without a finish reason. What arrived (9 tokens) is kept.');
  });

  it('says a cancel quietly, an error loudly with the log, and nothing for a clean answer', () => {
    assert.deepEqual(endOfRunMessage(facts({ outcome: 'cancelled', failure: cancelled })), { severity: 'status', text: 'Cancelled; kept the 9 tokens that arrived.', actions: [] });
    assert.equal(endOfRunMessage(facts({ outcome: 'cancelled', failure: cancelled, tokens: 0 })).text, 'Cancelled.');
    assert.deepEqual(endOfRunMessage(facts({ outcome: 'failed', failure: lost })), { severity: 'error', text: lost.message, actions: ['Show Log'] });
    assert.deepEqual(endOfRunMessage(facts({})), { severity: 'none', text: '', actions: [] });
  });

  it('notes truncation, the content filter and missing logprobs together', () => {
    const message = endOfRunMessage(facts({ outcome: 'truncated', sawLogprobs: false, maxTokens: 64 }));
    assert.equal(message.severity, 'warning');
    assert.match(message.text, /^The answer stopped at the token limit \(logprobLens\.maxTokens = 64\)\. m at h returned no logprobs, so the answer is not coloured\./);
    assert.match(endOfRunMessage(facts({ outcome: 'filtered' })).text, /^h's content filter stopped the answer\.$/);
    assert.equal(endOfRunMessage(facts({ kind: 'logged', sawLogprobs: false })).text, 'This response holds no logprobs, so the text is not coloured.');
  });

  it('notes the truncation or filtering of a logged response without the settings of a request', () => {
    assert.equal(endOfRunMessage(facts({ kind: 'logged', outcome: 'truncated', maxTokens: 64 })).text, 'The response stopped at the token limit it was generated with.');
    assert.equal(endOfRunMessage(facts({ kind: 'logged', outcome: 'filtered' })).text, 'A content filter stopped this response.');
  });

  it('names the backends that can score when scoring fails, and explains the uncoloured first token when it works', () => {
    const failed = endOfRunMessage(facts({ kind: 'score', outcome: 'failed', failure: undefined }));
    assert.equal(failed.severity, 'error');
    assert.match(failed.text, /needs legacy Completions with echo, which vLLM and OpenAI's completion models .* No token of the answer matched the selected text\.$/);
    assert.deepEqual(endOfRunMessage(facts({ kind: 'score' })), { severity: 'none', text: 'The first token has no logprob (nothing comes before it), so it stays uncoloured.', actions: [] });
    assert.equal(endOfRunMessage(facts({ kind: 'score', outcome: 'cancelled', failure: cancelled })).text, 'Scoring cancelled.');
  });
});
