import * as assert from 'node:assert/strict';
import { checkBaseUrl, isLoopback } from '../../src/core/endpoint';
import { describeFailure, redact } from '../../src/core/failure';

describe('endpoint checks', () => {
  it('accepts https anywhere and plain http only for loopback hosts', () => {
    for (const url of ['https://api.openai.com/v1', 'http://localhost:11434/v1', 'http://127.0.0.1:8000/v1', 'http://[::1]:8080/v1', 'http://llm.localhost:1234/v1']) {
      assert.ok('url' in checkBaseUrl(url), url);
    }
    for (const url of ['http://api.openai.com/v1', 'http://192.168.1.10:11434/v1', 'http://10.0.0.2/v1', 'http://localhost.attacker.example/v1']) {
      const result = checkBaseUrl(url);
      assert.ok('problem' in result && /plain http/.test(result.problem), url);
    }
  });

  it('refuses URLs that are not URLs, other schemes and embedded credentials', () => {
    // The WHATWG URL parser reads "localhost:" as a scheme, so this one is refused for its scheme.
    assert.equal((checkBaseUrl('localhost:11434') as { problem: string }).problem, 'logprobLens.baseUrl must start with https:// (or http:// for a local server), not localhost:');
    assert.match((checkBaseUrl('not a url') as { problem: string }).problem, /not a URL/);
    assert.match((checkBaseUrl('file:///etc/passwd') as { problem: string }).problem, /must start with https/);
    assert.match((checkBaseUrl('https://user:sk-secret@api.example.com/v1') as { problem: string }).problem, /user name or password/);
  });

  it('knows loopback hosts', () => {
    assert.ok(isLoopback('127.1.2.3'));
    assert.ok(!isLoopback('127.0.0.1.nip.io'));
  });
});

describe('failure messages', () => {
  const context = { host: 'api.example.com', model: 'm', hasKey: true, secrets: ['sk-live-0123456789abcdef'] };

  it('never contains the key, nor anything shaped like one', () => {
    const failure = describeFailure({ kind: 'http', message: '401', status: 401, serverMessage: 'Incorrect API key provided: sk-live-0123456789abcdef.' }, context);
    assert.equal(failure.kind, 'key-rejected');
    assert.ok(!failure.message.includes('0123456789abcdef'), failure.message);
    assert.equal(redact('key sk-proj-AbCdEf1234567890 and gsk_x', []), 'key sk-*** and gsk_x');
  });

  it('maps the known logprobs refusals to guidance', () => {
    for (const [status, message] of [
      [400, "Unsupported parameter: 'logprobs' is not supported with this model."],
      [403, 'You are not allowed to request logprobs from this model'],
      [400, 'top_logprobs must be between 0 and 20'],
      [400, 'Requested sample logprobs of 21, which is greater than max allowed: 20'],
    ] as const) {
      assert.equal(describeFailure({ kind: 'http', message, status, serverMessage: message }, context).kind, 'no-logprobs', message);
    }
  });

  it('says cancelled for an abort, and never "error"', () => {
    assert.deepEqual(describeFailure({ kind: 'aborted', message: 'Request was aborted.' }, context), { kind: 'cancelled', message: 'Cancelled.' });
  });

  it('describes a thrown non-object', () => {
    assert.equal(describeFailure('boom', context).kind, 'other');
  });
});
