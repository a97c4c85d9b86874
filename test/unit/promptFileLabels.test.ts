import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenEntry } from '../../src/core/logprob';
import {
  answerLabelDistribution, detectLabels, isShortLabel, labelDistribution, parseLabelList, rankLabels, tokenStartsLabel, userLabels,
} from '../../src/core/promptFiles/labels';
import { parsePromptFile } from '../../src/core/promptFiles/parse';

const fixtures = path.resolve(__dirname, '../../../test/fixtures/prompt-files');
const close = (actual: number | undefined, expected: number, what: string): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≈ ${expected}`);
};

describe('prompt file labels', () => {
  it('matches a token to a label by the documented rule', () => {
    const yes: [string, string][] = [[' Positive', 'positive'], ['Pos', 'Positive'], ['▁pos', 'positive'], ['Ġpositive', 'positive'],
      ['Positive.', 'positive'], ['positive\n', 'positive'], ['ne', 'negative'], [' very', 'Very good']];
    const no: [string, string][] = [['Positively', 'positive'], [' ', 'positive'], ['', 'positive'], ['Neg', 'positive'], ['positive', ''], ['x', 'positive']];
    for (const [token, label] of yes) assert.ok(tokenStartsLabel(token, label), `${JSON.stringify(token)} starts ${label}`);
    for (const [token, label] of no) assert.ok(!tokenStartsLabel(token, label), `${JSON.stringify(token)} does not start ${label}`);
  });

  it('gives each label the mass of its tokens, renormalised, with the uncovered and ambiguous mass', () => {
    const labels = ['positive', 'negative', 'neutral'];
    const distribution = labelDistribution([
      { token: ' positive', logprob: -0.7 }, { token: 'Positive', logprob: -2.3 }, { token: ' negative', logprob: -1.6 },
      { token: 'ne', logprob: -3.0 }, { token: ' The', logprob: -4.0 },
      // The same token listed twice counts once.
      { token: ' negative', logprob: -1.6 },
    ], labels);
    // positive: e^-0.7 + e^-2.3 = 0.496585 + 0.100259 = 0.596844; negative: e^-1.6 = 0.201897; neutral: 0.
    // "ne" fits negative and neutral: ambiguous e^-3 = 0.049787. Covered 0.798741; uncovered 1 - 0.798741 - 0.049787 = 0.151472.
    close(distribution.byLabel[0]!.raw, 0.596844, 'positive raw');
    close(distribution.byLabel[1]!.raw, 0.201897, 'negative raw');
    assert.equal(distribution.byLabel[2]!.raw, 0);
    close(distribution.byLabel[0]!.probability, 0.596844 / 0.798741, 'positive renormalised'); // 0.747232
    close(distribution.byLabel[1]!.probability, 0.201897 / 0.798741, 'negative renormalised'); // 0.252768
    close(distribution.covered, 0.798741, 'covered');
    close(distribution.ambiguous, 0.049787, 'ambiguous');
    close(distribution.uncovered, 0.151472, 'uncovered');
    assert.equal(distribution.predicted, 'positive');
    close(distribution.confidence, 0.747232, 'confidence');
    assert.deepEqual(rankLabels(distribution.byLabel).map((entry) => entry.label), ['positive', 'negative', 'neutral']);
  });

  it('predicts nothing when no returned token starts a label', () => {
    const distribution = labelDistribution([{ token: 'Maybe', logprob: -0.1 }], ['yes', 'no']);
    assert.equal(distribution.predicted, undefined);
    assert.equal(distribution.confidence, undefined);
    assert.deepEqual(distribution.byLabel.map((entry) => entry.probability), [0, 0]);
    close(distribution.uncovered, 1, 'uncovered');
  });

  it('keeps the labels’ order on a tie, so the first label is predicted', () => {
    const distribution = labelDistribution([{ token: 'no', logprob: Math.log(0.4) }, { token: 'yes', logprob: Math.log(0.4) }], ['yes', 'no']);
    assert.equal(distribution.predicted, 'yes');
    close(distribution.confidence, 0.5, 'confidence');
  });

  it('reads the answer’s first non-whitespace token, adding the sampled token when it was not listed', () => {
    const tokens: TokenEntry[] = [
      { token: '\n', logprob: -0.2, top_logprobs: [{ token: '\n', logprob: -0.2 }] },
      { token: 'Yes', logprob: -0.5, top_logprobs: [{ token: 'No', logprob: -1.2 }] },
    ];
    const distribution = answerLabelDistribution(tokens, ['yes', 'no'])!;
    // yes: e^-0.5 = 0.606531 (the sampled token), no: e^-1.2 = 0.301194.
    close(distribution.byLabel[0]!.raw, 0.606531, 'yes');
    close(distribution.byLabel[1]!.raw, 0.301194, 'no');
    assert.equal(answerLabelDistribution([], ['yes']), undefined);
  });

  it('detects the label set of a classification prompt file', () => {
    const file = parsePromptFile(fs.readFileSync(path.join(fixtures, 'sentiment-classifier.prompt.yml'), 'utf8'));
    assert.deepEqual(detectLabels(file.testCases.map((testCase) => testCase.expected)), { labels: ['positive', 'negative', 'neutral'], source: 'expected', notes: [] });
  });

  it('does not take distinct short answers, long answers or a single value for a label set', () => {
    assert.equal(detectLabels(['Paris', 'Berlin', 'Rome']), undefined);
    assert.equal(detectLabels(['A fox jumped over the dog.', 'A fox jumped over the dog.']), undefined);
    assert.equal(detectLabels(['yes', 'yes']), undefined);
    assert.equal(detectLabels(Array.from({ length: 24 }, (_, i) => `label${i % 12}`)), undefined); // 12 labels: too many
  });

  it('merges case variants, keeps the first spelling, skips cases without an expected value', () => {
    assert.deepEqual(detectLabels(['Positive', 'negative', undefined, 'positive ', 'NEGATIVE'])?.labels, ['Positive', 'negative']);
  });

  it('notes labels that start with the same word', () => {
    assert.deepEqual(userLabels(['very good', 'very bad', 'fine']).notes, ['“very good” and “very bad” start with the same word: the first token cannot tell them apart.']);
  });

  it('reads labels typed in one line', () => {
    assert.deepEqual(parseLabelList('positive, negative,\nneutral, Positive,,  '), ['positive', 'negative', 'neutral']);
  });

  it('knows a short label', () => {
    assert.ok(isShortLabel(' positive '));
    assert.ok(isShortLabel('not sure yet'));
    assert.ok(!isShortLabel('one two three four'));
    assert.ok(!isShortLabel('a\nb'));
    assert.ok(!isShortLabel('x'.repeat(41)));
  });
  it('shows a mass that sums to 1 but for floating-point noise as all of it', () => {
    // .93 + .04 + .03 read back from logprobs adds up to 0.9999999999999999.
    const distribution = labelDistribution([{ token: 'a', logprob: Math.log(0.93) }, { token: 'b', logprob: Math.log(0.04) }, { token: 'c', logprob: Math.log(0.03) }], ['a', 'b', 'c']);
    assert.equal(distribution.covered, 1);
    assert.equal(distribution.uncovered, 0);
  });
});
