import * as assert from 'node:assert/strict';
import { LIMITS, parseHostMessage, parseWebviewMessage, samplingFromSettings, settingsToApply } from '../../src/core/inspectorProtocol';

const apply = (settings: Record<string, unknown>): unknown => ({ kind: 'apply', settings: { temperature: 0.7, topP: null, topK: null, minP: null, ...settings } });
const token = (changes: Record<string, unknown> = {}): Record<string, unknown> => ({
  answerId: 'answer-1', placement: 3, mode: 'margin', valueText: 'margin 3.2 points (near tie)', bucket: 0,
  members: [{ token: ' =', logprob: -0.48, alternatives: [{ token: ' =', logprob: -0.48 }, { token: ' equals', logprob: null }] }],
  ...changes,
});

describe('inspector protocol: messages from the webview', () => {
  it('accepts the three kinds, well formed', () => {
    assert.deepEqual(parseWebviewMessage({ kind: 'ready' }), { kind: 'ready' });
    assert.deepEqual(parseWebviewMessage(apply({ topP: 0.9, topK: 40, minP: 0.05 })), { kind: 'apply', settings: { temperature: 0.7, topP: 0.9, topK: 40, minP: 0.05 } });
    assert.deepEqual(parseWebviewMessage(apply({ temperature: null })), { kind: 'apply', settings: { temperature: null, topP: null, topK: null, minP: null } });
    assert.deepEqual(parseWebviewMessage({ kind: 'reveal', answerId: 'doc:1.answer-2', placement: 0 }), { kind: 'reveal', answerId: 'doc:1.answer-2', placement: 0 });
  });

  it('refuses unknown kinds, extra or missing keys, and what is not an object', () => {
    for (const value of [undefined, null, 'ready', 42, [], [{ kind: 'ready' }], { kind: 'run' }, { kind: 'ready', extra: 1 }, { kind: 'reveal', answerId: 'a' },
      { kind: 'apply', settings: { temperature: 1, topP: null, topK: null } }, { kind: 'apply', settings: { temperature: 1, topP: null, topK: null, minP: null, logitBias: {} } }]) {
      assert.equal(parseWebviewMessage(value), undefined, JSON.stringify(value));
    }
  });

  it('refuses wrong types, NaN, infinities and out-of-range numbers', () => {
    const refused: Record<string, unknown>[] = [
      { temperature: '0.7' }, { temperature: Number.NaN }, { temperature: Number.POSITIVE_INFINITY }, { temperature: -0.1 }, { temperature: 2.01 },
      { topP: 0 }, { topP: 1.5 }, { topK: 0 }, { topK: 2.5 }, { topK: LIMITS.topK + 1 }, { minP: -0.01 }, { minP: 1.01 }, { minP: true },
    ];
    for (const settings of refused) assert.equal(parseWebviewMessage(apply(settings)), undefined, JSON.stringify(settings));
    for (const placement of [-1, 1.5, Number.NaN, '3', 2 ** 31]) {
      assert.equal(parseWebviewMessage({ kind: 'reveal', answerId: 'a', placement }), undefined, String(placement));
    }
    for (const answerId of ['', 'a b', 'a"b', '<x>', 'x'.repeat(129), 7]) {
      assert.equal(parseWebviewMessage({ kind: 'reveal', answerId, placement: 1 }), undefined, String(answerId));
    }
  });

  it('accepts a render report, and refuses one without a sane time or a well-formed token', () => {
    const rendered = { kind: 'rendered', token: { answerId: 'answer-1', placement: 4 }, ms: 1.25 };
    assert.deepEqual(parseWebviewMessage(rendered), rendered);
    assert.deepEqual(parseWebviewMessage({ kind: 'rendered', token: null, ms: 0 }), { kind: 'rendered', token: null, ms: 0 });
    for (const changes of [{ ms: -1 }, { ms: Number.NaN }, { ms: LIMITS.renderMs + 1 }, { ms: '1' }, { token: { answerId: 'a' } },
      { token: { answerId: 'a b', placement: 1 } }, { token: { answerId: 'a', placement: 1, extra: 1 } }, { token: 'a' }, { token: [] }]) {
      assert.equal(parseWebviewMessage({ ...rendered, ...changes }), undefined, JSON.stringify(changes));
    }
  });

  it('never throws, even on an object whose getters throw', () => {
    const hostile = { kind: 'ready' };
    Object.defineProperty(hostile, 'kind', { get: () => { throw new Error('boom'); }, enumerable: true });
    assert.equal(parseWebviewMessage(hostile), undefined);
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    assert.equal(parseWebviewMessage(revoked.proxy), undefined);
  });
});

describe('inspector protocol: messages from the extension', () => {
  it('accepts a token, an empty token, a strip and the sampling context', () => {
    assert.deepEqual(parseHostMessage({ kind: 'token', token: token() }), { kind: 'token', token: token() });
    assert.deepEqual(parseHostMessage({ kind: 'token', token: null }), { kind: 'token', token: null });
    const strip = { answerId: 'answer-1', mode: 'entropy', buckets: [0, 9, 255], labels: ['a', 'b', 'c'], current: 2 };
    assert.deepEqual(parseHostMessage({ kind: 'strip', strip }), { kind: 'strip', strip });
    const sampling = { settings: { temperature: null, topP: 0.95, topK: 40, minP: null }, accepts: { topK: true, minP: false }, backendNote: 'vLLM reports…' };
    assert.deepEqual(parseHostMessage({ kind: 'sampling', sampling }), { kind: 'sampling', sampling });
  });

  it('refuses malformed tokens', () => {
    const member = { token: 'x', logprob: -1, alternatives: [] };
    const refused = [
      token({ members: [] }), token({ members: Array.from({ length: LIMITS.members + 1 }, () => member) }),
      token({ members: [{ ...member, alternatives: Array.from({ length: LIMITS.alternatives + 1 }, () => ({ token: 'y', logprob: -2 })) }] }),
      token({ members: [{ ...member, logprob: 'high' }] }), token({ members: [{ ...member, token: 5 }] }),
      token({ members: [{ ...member, token: 'x'.repeat(LIMITS.tokenLength + 1) }] }),
      token({ members: [{ ...member, alternatives: [{ token: 'y', logprob: -2, bytes: [1] }] }] }),
      token({ mode: 'colour' }), token({ bucket: 10 }), token({ bucket: 2.5 }), token({ placement: -1 }), token({ valueText: 3 }),
      { ...token(), extra: true },
    ];
    for (const value of refused) assert.equal(parseHostMessage({ kind: 'token', token: value }), undefined, JSON.stringify(value).slice(0, 120));
  });

  it('refuses strips with wrong buckets, mismatched labels or a current placement outside them', () => {
    const strip = { answerId: 'a', mode: 'margin', buckets: [1, 2], labels: [], current: -1 };
    assert.ok(parseHostMessage({ kind: 'strip', strip }));
    for (const changes of [{ buckets: [1, 10] }, { buckets: [1, -1] }, { buckets: [1, '2'] }, { labels: ['a'] }, { current: 2 }, { current: -2 }, { mode: 'loud' }]) {
      assert.equal(parseHostMessage({ kind: 'strip', strip: { ...strip, ...changes } }), undefined, JSON.stringify(changes));
    }
  });
});

describe('inspector protocol: settings both ways', () => {
  it('starts the controls from the next run\'s settings, neutral where the server decides', () => {
    assert.deepEqual(samplingFromSettings({ temperature: null, topP: 0.9, topK: null, minP: null }), { temperature: 1, topK: 0, topP: 0.9, minP: 0 });
  });

  it('sends what the backend takes and leaves neutral values out', () => {
    const controls = { temperature: 0.5, topK: 40, topP: 1, minP: 0.05 };
    assert.deepEqual(settingsToApply(controls, { topK: true, minP: true }), { temperature: 0.5, topP: null, topK: 40, minP: 0.05 });
    assert.deepEqual(settingsToApply(controls, { topK: false, minP: false }), { temperature: 0.5, topP: null, topK: null, minP: null });
    assert.deepEqual(settingsToApply({ temperature: 1, topK: 0, topP: 0.9, minP: 0 }, { topK: true, minP: true }), { temperature: 1, topP: 0.9, topK: null, minP: null });
  });
});
