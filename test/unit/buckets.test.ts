import * as assert from 'node:assert/strict';
import { BUCKET_COUNT, bucketLabel, bucketOf, DEFAULT_THRESHOLDS, validateModeThresholds } from '../../src/core/buckets';

describe('confidence buckets', () => {
  it('has ten buckets from the nine default thresholds', () => {
    assert.equal(BUCKET_COUNT, 10);
  });

  it('puts a probability exactly on a threshold into the bucket above it', () => {
    DEFAULT_THRESHOLDS.forEach((threshold, i) => {
      assert.equal(bucketOf(threshold, DEFAULT_THRESHOLDS), i + 1, `p = ${threshold}`);
      assert.equal(bucketOf(threshold - 1e-9, DEFAULT_THRESHOLDS), i, `just below ${threshold}`);
    });
    assert.equal(bucketOf(0, DEFAULT_THRESHOLDS), 0);
    assert.equal(bucketOf(1, DEFAULT_THRESHOLDS), 9);
  });

  it('rejects thresholds that are not nine ascending numbers in (0, 1)', () => {
    assert.equal(validateModeThresholds('probability', DEFAULT_THRESHOLDS), undefined);
    assert.match(validateModeThresholds('probability', [0.5]) ?? '', /exactly 9/);
    assert.match(validateModeThresholds('probability', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.5]) ?? '', /between 0 and 1/);
    assert.match(validateModeThresholds('probability', [0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.7, 0.8, 0.9]) ?? '', /ascending/);
    assert.match(validateModeThresholds('probability', '0.5') ?? '', /exactly 9/);
  });

  it('labels buckets for the legend', () => {
    assert.equal(bucketLabel(0, DEFAULT_THRESHOLDS), '0–<1 %');
    assert.equal(bucketLabel(9, DEFAULT_THRESHOLDS), '95–100 %');
  });
});
