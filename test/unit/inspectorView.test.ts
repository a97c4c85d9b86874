import * as assert from 'node:assert/strict';
import { NEUTRAL_SETTINGS } from '../../src/core/sampling';
import { inspectorView } from '../../src/webview/inspector/view';

// Azure OpenAI's " =" (test/fixtures/providers/azure-openai-chat-stream-top3-llamastack.sse.txt, token 5).
const equals = {
  token: ' =', logprob: -0.47826242446899414,
  alternatives: [{ token: ' =', logprob: -0.47826242446899414 }, { token: ' equals', logprob: -0.9782624244689941 }, { token: ' is', logprob: -5.478262424468994 }],
};

describe('inspector view', () => {
  it('describes the token, its rows and the approximation at neutral settings', () => {
    const view = inspectorView(equals, NEUTRAL_SETTINGS);
    assert.equal(view.title, '␣=');
    assert.equal(view.summary, '61.99 % · logprob -0.4783 · rank 1 of 3');
    // e^-0.478262 = 61.99 %, e^-0.978262 = 37.60 %, e^-5.478262 = 0.418 %; together 99.99989 %: an others row.
    assert.deepEqual(view.rows.map((row) => row.numbers), ['61.99 % → 61.99 %', '37.60 % → 37.60 %', '0.418 % → 0.418 %', '<0.0001 % → ≈<0.0001 %']);
    assert.deepEqual(view.rows.map((row) => row.chosen), [true, false, false, false]);
    assert.equal(view.rows[3]!.others, true);
    assert.equal(view.chosen, '61.99 %');
    assert.equal(view.range, 'The tokens that were not returned cannot change this.');
    assert.match(view.approximation, /^Over the 3 returned alternatives, which hold >99\.99 %: .* temperature → top-k → top-p → min-p\.$/);
  });

  it('says what cut each alternative and what the tail can change', () => {
    // T = 0.5 and top-k 2: e / (1 + e) = 73.11 % (the two are 0.5 apart in logprob); " is" cut by top-k.
    const view = inspectorView(equals, { ...NEUTRAL_SETTINGS, temperature: 0.5, topK: 2 });
    assert.deepEqual(view.rows.slice(0, 3).map((row) => row.numbers), ['61.99 % → 73.11 %', '37.60 % → 26.89 %', '0.418 % → cut by top-k']);
    assert.equal(view.rows[2]!.after, undefined);
    assert.equal(view.chosen, '73.11 %');
    assert.equal(inspectorView(equals, { ...NEUTRAL_SETTINGS, temperature: 0 }).rows[1]!.numbers, '37.60 % → cut (greedy)');
    // One alternative at 60 %: top-p 0.7 needs the tail; the range is 60 %–85.71 % (0.6 / 0.7).
    const alone = inspectorView({ token: 'a', logprob: Math.log(0.6), alternatives: [{ token: 'a', logprob: Math.log(0.6) }] }, { ...NEUTRAL_SETTINGS, topP: 0.7 });
    assert.equal(alone.range, 'Whatever the 40.00 % not returned holds: between 60.00 % and 85.71 %.');
  });

  it('shows whitespace visibly and handles a token without a logprob or alternatives', () => {
    const view = inspectorView({ token: '\n', logprob: null, alternatives: [] }, NEUTRAL_SETTINGS);
    assert.equal(view.title, '↵');
    assert.equal(view.summary, 'n/a · logprob n/a · no alternatives returned');
    assert.equal(view.chosen, 'n/a');
    assert.equal(view.range, 'The backend gave no logprob for this token.');
  });
});
