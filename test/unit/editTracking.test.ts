import * as assert from 'node:assert/strict';
import { Answer } from '../../src/core/answer';
import { BUCKET_COUNT, DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import type { TokenEntry } from '../../src/core/logprob';
import { seeded } from '../support/seeded';

function answerOf(count: number): Answer {
  const answer = new Answer(100, '\n', DEFAULT_THRESHOLDS);
  for (let i = 0; i < count; i++) {
    const token = i % 3 === 0 ? ' ab' : 'c';
    const entry: TokenEntry = { token, logprob: -((i * 37) % 11) / 3 };
    answer.inserted(answer.append(token, [entry]).length);
  }
  answer.finish();
  return answer;
}

/** Where each placement is and whether it is still the model's, read through the public API. */
function layout(answer: Answer): string[] {
  const rows: string[] = [];
  for (let i = 0; i < answer.store.placementCount; i++) {
    const { start, end } = answer.store.placement(i);
    rows.push(`${answer.start + start}-${answer.start + end}${answer.store.isValid(i) ? '' : ' edited'}`);
  }
  return rows;
}

describe('edit tracking over chunked offsets', () => {
  it('shifts placements across chunk boundaries exactly as shifting every one would', () => {
    const next = seeded(7);
    const answer = answerOf(5000);
    // The model: every placement's document range and validity, shifted by hand for each edit.
    const model = layout(answer).map((row) => {
      const [start, end] = row.split('-').map(Number) as [number, number];
      return { start, end, valid: true };
    });
    let answerStart = answer.start;
    for (let step = 0; step < 300; step++) {
      const offset = answerStart + Math.floor(next() * (answer.length + 20)) - 10;
      const removed = next() < 0.3 ? Math.floor(next() * 4) : 0;
      const inserted = Math.floor(next() * 3) + (removed === 0 ? 1 : 0);
      const effect = answer.applyEdit(offset, removed, inserted);
      const end = offset + removed;
      if (effect === 'before') answerStart += inserted - removed;
      for (const placement of model) {
        if (effect !== 'inside') {
          if (effect === 'before') {
            placement.start += inserted - removed;
            placement.end += inserted - removed;
          }
          continue;
        }
        if (placement.end <= offset) continue;
        if (placement.start < end || (removed === 0 && placement.start < offset)) {
          placement.start = Math.max(offset, answerStart);
          placement.end = placement.start;
          placement.valid = false;
        } else {
          placement.start += inserted - removed;
          placement.end += inserted - removed;
        }
      }
      if (effect === 'inside' && offset < answerStart) answerStart = offset;
    }
    assert.deepEqual(layout(answer), model.map(({ start, end, valid }) => `${start}-${end}${valid ? '' : ' edited'}`));
  });

  it('finds the token at an offset after edits moved later chunks', () => {
    const answer = answerOf(3000);
    const before = answer.store.placement(2500);
    answer.applyEdit(answer.start + 10, 0, 7);
    const at = answer.start + before.start + 7;
    assert.equal(answer.placementAt(at), 2500);
    assert.deepEqual(answer.store.placement(2500), { ...before, start: before.start + 7, end: before.end + 7 });
  });

  it('keeps placements added after an edit in step (streaming continues after the user typed inside)', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    for (let i = 0; i < 1500; i++) answer.inserted(answer.append('x', [{ token: 'x', logprob: -0.1 }]).length);
    answer.applyEdit(5, 1, 3);
    for (let i = 0; i < 1000; i++) answer.inserted(answer.append('y', [{ token: 'y', logprob: -0.1 }]).length);
    answer.finish();
    const last = answer.store.placementCount - 1;
    assert.deepEqual(answer.store.placement(last), { start: answer.length - 1, end: answer.length, firstToken: 2499, tokenCount: 1 });
    assert.equal(answer.placementAt(answer.length - 1), last);
  });

  it('draws incrementally exactly what a full draw shows', () => {
    const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    const incremental: number[][] = Array.from({ length: BUCKET_COUNT }, () => []);
    let resumeAt = 0;
    let open: { bucket: number; pair: [number, number] } | undefined;
    for (let i = 0; i < 400; i++) {
      const token = ['a', 'bb', ' c'][i % 3]!;
      answer.inserted(answer.append(token, [{ token, logprob: -((i * 13) % 7) / 2 }]).length);
      if (i % 17 !== 0) continue;
      // A flush: what is final stays, the last span is recomputed.
      if (open) incremental[open.bucket]!.splice(-2, 2);
      const fresh: number[][] = Array.from({ length: BUCKET_COUNT }, () => []);
      const next = answer.spansFrom(resumeAt, fresh);
      fresh.forEach((flat, bucket) => incremental[bucket]!.push(...flat));
      open = next.lastBucket >= 0 ? { bucket: next.lastBucket, pair: fresh[next.lastBucket]!.slice(-2) as [number, number] } : undefined;
      resumeAt = next.resumeAt;
    }
    answer.finish();
    if (open) incremental[open.bucket]!.splice(-2, 2);
    answer.spansFrom(resumeAt, incremental);
    // Merging across a flush boundary may split one span in two; the covered offsets are what must agree.
    const covered = (spans: number[][]): string[] => spans.map((flat) => {
      const offsets: number[] = [];
      for (let i = 0; i < flat.length; i += 2) for (let o = flat[i]!; o < flat[i + 1]!; o++) offsets.push(o);
      return offsets.join(',');
    });
    assert.deepEqual(covered(incremental), covered(answer.spans(BUCKET_COUNT)));
  });

  it('changes its layout version when placements move or recolour, not when text is appended', () => {
    const answer = answerOf(10);
    const version = answer.layoutVersion;
    answer.inserted(0);
    answer.applyEdit(answer.end + 5, 0, 1);
    assert.equal(answer.layoutVersion, version, 'an edit after the answer moves nothing');
    answer.applyEdit(0, 0, 1);
    assert.equal(answer.layoutVersion, version + 1);
    answer.setColouring(DEFAULT_THRESHOLDS, 'rank');
    assert.equal(answer.layoutVersion, version + 2);
  });

  it('hands back text taken for its own when the edit that would have made it was refused', () => {
    const answer = new Answer(12, '\n', DEFAULT_THRESHOLDS);
    answer.append('Hello', [{ token: 'Hello', logprob: -0.1 }]);
    answer.inserted(5);
    answer.disown(5, 2);
    assert.equal(answer.length, 0);
    assert.equal(answer.start, 19, 'the answer now starts after the user\'s text and a new blank line');
    answer.inserted(5);
    answer.append(' world', []);
    answer.inserted(6);
    answer.disown(6, 0);
    assert.equal(answer.length, 5);
  });
});
