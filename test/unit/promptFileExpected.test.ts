import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenEntry } from '../../src/core/logprob';
import type { ExpectedProbabilityPlan } from '../../src/core/promptFiles/expected';
import {
  expectedFromFirstToken, expectedFromScoredPrompt, planExpectedProbability, promptLogprobTokens, VLLM_SCORING_BODY,
} from '../../src/core/promptFiles/expected';
import type { ChatMessage } from '../../src/core/promptFiles/model';
import { completionChoiceDelta } from '../../src/core/logged/openai';

const close = (actual: number | undefined, expected: number, what: string): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≈ ${expected}`);
};
const messages: ChatMessage[] = [{ role: 'system', content: 'Answer with one word.' }, { role: 'user', content: 'Capital of France?' }];
type ScoringPlan = Extract<ExpectedProbabilityPlan, { method: 'vllm-prompt-logprobs' | 'completions-echo' }>;

/** A vLLM chat response with `prompt_logprobs: 0`: one entry per prompt token (the first null), keyed by token id. */
function vllmResponse(tokens: [string, number][]): unknown {
  return {
    object: 'chat.completion',
    prompt_logprobs: [null, ...tokens.map(([token, logprob], i) => ({ [String(1000 + i)]: { logprob, rank: 1, decoded_token: token } }))],
  };
}

describe('expected answer probability', () => {
  it('plans prompt scoring when the endpoint can score, else the first token for a short label, else says why not', () => {
    const vllm = planExpectedProbability(messages, 'Paris', { promptScoring: 'vllm-prompt-logprobs', hasAlternatives: true });
    assert.deepEqual(vllm, { method: 'vllm-prompt-logprobs', expected: 'Paris', messages: [...messages, { role: 'assistant', content: 'Paris' }], body: VLLM_SCORING_BODY });
    assert.deepEqual(VLLM_SCORING_BODY, { stream: false, max_tokens: 1, prompt_logprobs: 0, add_generation_prompt: false, continue_final_message: true });

    const echo = planExpectedProbability(messages, 'Paris', { promptScoring: 'completions-echo', hasAlternatives: false });
    assert.equal(echo.method, 'completions-echo');
    if (echo.method === 'completions-echo') {
      assert.equal(echo.prompt, 'System: Answer with one word.\n\nUser: Capital of France?\n\nAssistant: Paris');
      assert.equal(echo.prompt.slice(echo.answerStart), 'Paris');
    }
    assert.deepEqual(planExpectedProbability(messages, 'Paris', { promptScoring: undefined, hasAlternatives: true }), { method: 'first-token', expected: 'Paris' });
    const long = planExpectedProbability(messages, 'Paris is the capital of France.', { promptScoring: undefined, hasAlternatives: true });
    assert.equal(long.method, 'unavailable');
    assert.match(long.method === 'unavailable' ? long.reason : '', /longer than a label/);
    assert.equal(planExpectedProbability(messages, 'Paris', { promptScoring: undefined, hasAlternatives: false }).method, 'unavailable');
    assert.equal(planExpectedProbability(messages, undefined, { promptScoring: 'vllm-prompt-logprobs', hasAlternatives: true }).method, 'unavailable');
  });

  it('sums the expected answer’s tokens of a vLLM scored prompt', () => {
    const scored = promptLogprobTokens(vllmResponse([
      ['system', -5], ['\n', -0.1], ['Answer with one word.', -9], ['<|im_end|>', -0.2], ['<|im_start|>', -0.01], ['assistant', -0.02], ['\n', -0.03],
      ['Paris', -0.1], ['.', -0.5],
    ]))!;
    const plan = planExpectedProbability(messages, 'Paris.', { promptScoring: 'vllm-prompt-logprobs', hasAlternatives: true }) as ScoringPlan;
    const result = expectedFromScoredPrompt(plan, scored);
    // ln p = -0.1 + -0.5 = -0.6; p = e^-0.6 = 0.548812.
    assert.equal(result.method, 'vllm-prompt-logprobs');
    close(result.logprob, -0.6, 'logprob');
    close(result.probability, 0.548812, 'probability');
    assert.deepEqual(result.tokens, [{ token: 'Paris', logprob: -0.1 }, { token: '.', logprob: -0.5 }]);
  });

  it('says when the scored prompt does not spell the expected answer', () => {
    const scored = promptLogprobTokens(vllmResponse([['assistant', -0.02], ['\n', -0.03], ['paris', -2]]))!;
    const plan = planExpectedProbability(messages, 'Paris', { promptScoring: 'vllm-prompt-logprobs', hasAlternatives: true }) as ScoringPlan;
    const result = expectedFromScoredPrompt(plan, scored);
    assert.equal(result.method, 'unavailable');
    assert.equal(result.probability, undefined);
  });

  it('scores with Completions echo, naming text the tokenizer joined to the answer', () => {
    // The synthetic echo fixture: prompt "The quick brown fox" as tokens "The"(null) " quick"(-6.2) " brown"(-3.1) " fox"(-0.04), then " jumps".
    const raw = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../test/fixtures/synthetic/completions-echo-score.json'), 'utf8')) as { choices: unknown[] };
    const scored = completionChoiceDelta(raw.choices[0]).tokens;
    const exact = expectedFromScoredPrompt({ method: 'completions-echo', expected: ' brown fox', prompt: 'The quick brown fox', answerStart: 9 }, scored);
    // ln p = -3.1 + -0.04 = -3.14; p = e^-3 · e^-0.14 = 0.049787 · 0.869358 = 0.043283.
    close(exact.logprob, -3.14, 'logprob');
    close(exact.probability, 0.043283, 'probability');
    assert.doesNotMatch(exact.note, /also cover/);
    const joined = expectedFromScoredPrompt({ method: 'completions-echo', expected: 'brown fox', prompt: 'The quick brown fox', answerStart: 10 }, scored);
    close(joined.logprob, -3.14, 'same tokens');
    assert.match(joined.note, /also cover “ ” before it/);
    // The first prompt token has no logprob: an answer that includes it cannot be scored.
    assert.equal(expectedFromScoredPrompt({ method: 'completions-echo', expected: 'The', prompt: 'The quick brown fox', answerStart: 0 }, scored).method, 'unavailable');
  });

  it('reads the first token’s alternatives for a short label', () => {
    const tokens: TokenEntry[] = [{ token: 'Pos', logprob: -0.3, top_logprobs: [{ token: 'Pos', logprob: -0.3 }, { token: ' positive', logprob: -2.0 }, { token: 'Neg', logprob: -1.6 }, { token: 'neutral', logprob: -3 }] }];
    // positive: e^-0.3 + e^-2.0 = 0.740818 + 0.135335 = 0.876153.
    const positive = expectedFromFirstToken('positive', tokens);
    assert.equal(positive.method, 'first-token');
    close(positive.probability, 0.876153, 'positive');
    close(positive.logprob, Math.log(0.876153), 'logprob');
    close(expectedFromFirstToken('negative', tokens).probability, 0.201897, 'negative'); // e^-1.6
    // Not listed: below the least likely alternative, e^-3 = 0.049787.
    const mixed = expectedFromFirstToken('mixed', tokens);
    assert.equal(mixed.probability, undefined);
    close(mixed.below, 0.049787, 'below');
  });

  it('skips a leading whitespace token and needs alternatives', () => {
    const tokens: TokenEntry[] = [{ token: '\n\n', logprob: -0.1, top_logprobs: [{ token: '\n\n', logprob: -0.1 }] }, { token: 'Yes', logprob: -0.2, top_logprobs: [{ token: 'Yes', logprob: -0.2 }] }];
    const result = expectedFromFirstToken('yes', tokens);
    close(result.probability, Math.exp(-0.2), 'yes');
    assert.match(result.note, /token 2/);
    assert.equal(expectedFromFirstToken('yes', [{ token: 'Yes', logprob: -0.2 }]).method, 'unavailable');
    assert.equal(expectedFromFirstToken('yes', []).method, 'unavailable');
  });

  it('reads vLLM prompt_logprobs by prompt_token_ids when a position lists several tokens', () => {
    const response = {
      prompt_token_ids: [1, 7, 9],
      prompt_logprobs: [null, { 5: { logprob: -0.1, rank: 1, decoded_token: 'a' }, 7: { logprob: -2, rank: 2, decoded_token: 'b' } }, { 9: { logprob: -0.3, rank: 1, decoded_token: 'c' } }],
    };
    assert.deepEqual(promptLogprobTokens(response), [{ token: '', logprob: null }, { token: 'b', logprob: -2 }, { token: 'c', logprob: -0.3 }]);
    assert.equal(promptLogprobTokens({ prompt_logprobs: response.prompt_logprobs }), undefined);
    assert.equal(promptLogprobTokens({ choices: [] }), undefined);
  });
});
