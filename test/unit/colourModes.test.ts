import * as assert from 'node:assert/strict';
import { Answer, NO_BUCKET } from '../../src/core/answer';
import { DEFAULT_THRESHOLDS, rankBucket } from '../../src/core/buckets';
import type { TokenEntry } from '../../src/core/logprob';
import { completionChoiceDelta } from '../../src/core/wireFormats';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFixture, syntheticFixtures } from '../support/fixtures';

const entry = (token: string, logprob: number, alternatives: [string, number][]): TokenEntry =>
  ({ token, logprob, top_logprobs: alternatives.map(([text, value]) => ({ token: text, logprob: value })) });

describe('rank colour mode', () => {
  it('colours by the rank of the sampled token among the alternatives (GLTR)', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS, 'rank');
    answer.inserted(answer.append('abcd', [
      entry('a', -0.1, [['a', -0.1], ['x', -3]]),
      entry('b', -2, [['x', -0.5], ['y', -1], ['b', -2]]),
      entry('c', -9, [['x', -1], ['y', -2]]),
      entry('d', -1, []),
    ]).length);
    assert.equal(answer.bucketOfPlacement(0), 9, 'rank 1');
    assert.equal(answer.bucketOfPlacement(1), 7, 'rank 3');
    assert.equal(answer.bucketOfPlacement(2), 0, 'not among the alternatives');
    assert.equal(answer.bucketOfPlacement(3), NO_BUCKET, 'no alternatives: no rank to show');
    assert.equal(answer.store.rankOf(1), 3);
  });

  it('switches between modes without losing anything', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    answer.inserted(answer.append('b', [entry('b', -2, [['x', -0.5], ['y', -1], ['b', -2]])]).length);
    assert.equal(answer.bucketOfPlacement(0), 3, 'p = 13.5 %');
    answer.setColouring(DEFAULT_THRESHOLDS, 'rank');
    assert.equal(answer.bucketOfPlacement(0), 7);
    answer.setColouring(DEFAULT_THRESHOLDS, 'probability');
    assert.equal(answer.bucketOfPlacement(0), 3);
  });

  it('maps ranks to buckets', () => {
    assert.deepEqual([1, 2, 3, 4, 10, 11, 20, undefined].map(rankBucket), [9, 7, 7, 5, 5, 2, 2, 0]);
  });
});

describe('scored text', () => {
  it('places echoed prompt tokens on the text as it is in the document, CRLF included, the first uncoloured', () => {
    const body = JSON.parse(fs.readFileSync(path.join(syntheticFixtures, 'completions-echo-score.json'), 'utf8')) as { choices: unknown[] };
    const scored = completionChoiceDelta(body.choices[0]);
    const answer = new Answer(10, 'asIs', DEFAULT_THRESHOLDS);
    answer.inserted(answer.append('The quick brown fox', []).length);
    answer.append('', scored.tokens);
    answer.finish();
    assert.equal(answer.length, 19, 'nothing inserted');
    assert.equal(answer.store.placementCount, 4, 'the generated token after the text is not placed');
    assert.equal(answer.bucketOfPlacement(0), NO_BUCKET, 'the first token has no logprob');
    assert.match(readFixture('openai-legacy-completions-logprobs-issue38.json'), /text_offset/);
  });

  it('leaves CRLF text alone in asIs mode', () => {
    const answer = new Answer(0, 'asIs', DEFAULT_THRESHOLDS);
    assert.equal(answer.append('a\r\nb\n', []), 'a\r\nb\n');
    assert.equal(answer.finish(), '');
  });
});
