import * as assert from 'node:assert/strict';
import { isAtRecordedPlace, locateAnswer, planRestore } from '../../src/core/runs/restore';
import type { RunPlace } from '../../src/core/runs/runRecord';
import { hashText } from '../../src/core/runs/runRecord';

const answer = 'Paris is the capital of France.';
const prompt = 'What is the capital of France?\n\n';
const placeOf = (offset: number, text = answer): RunPlace => ({ offset, length: text.length, textHash: hashText(text) });

describe('runs: restore matching', () => {
  it('finds an unchanged answer at its recorded place, by hash alone or by text', () => {
    const document = `${prompt}${answer}\n`;
    assert.ok(isAtRecordedPlace(document, placeOf(prompt.length)));
    assert.deepEqual(locateAnswer(document, placeOf(prompt.length), answer), { found: 'atPlace', offset: prompt.length });
  });

  it('finds it once nearby after an edit above it', () => {
    const document = `# Notes\n${prompt}${answer}\n`;
    assert.ok(!isAtRecordedPlace(document, placeOf(prompt.length)));
    assert.deepEqual(locateAnswer(document, placeOf(prompt.length), answer), { found: 'nearby', offset: prompt.length + '# Notes\n'.length });
  });

  it('does not restore an answer edited inside', () => {
    const document = `${prompt}Paris is the capital of Frankreich.\n`;
    assert.deepEqual(locateAnswer(document, placeOf(prompt.length), answer), { found: 'no', why: 'notFound' });
  });

  it('does not guess between two copies nearby, but takes the recorded place when it still holds the text', () => {
    const moved = `${prompt}x${answer}\n\n${answer}\n`;
    assert.deepEqual(locateAnswer(moved, placeOf(prompt.length), answer), { found: 'no', why: 'ambiguous' });
    const inPlace = `${prompt}${answer}\n\n${answer}\n`;
    assert.deepEqual(locateAnswer(inPlace, placeOf(prompt.length), answer), { found: 'atPlace', offset: prompt.length });
  });

  it('looks only within the window', () => {
    const document = `${'x'.repeat(500)}${prompt}${answer}`;
    assert.deepEqual(locateAnswer(document, placeOf(prompt.length), answer, 100), { found: 'no', why: 'notFound' });
    assert.deepEqual(locateAnswer(document, placeOf(prompt.length), answer, 500), { found: 'nearby', offset: 500 + prompt.length });
  });

  it('matches CRLF documents by their own offsets, and does not restore into a document whose line endings changed', () => {
    const crlfAnswer = 'Paris.\r\nIt is on the Seine.';
    const crlfPrompt = 'Where?\r\n\r\n';
    const document = `${crlfPrompt}${crlfAnswer}\r\n`;
    assert.deepEqual(locateAnswer(document, placeOf(crlfPrompt.length, crlfAnswer), crlfAnswer), { found: 'atPlace', offset: 10 });
    const convertedToLf = document.replace(/\r\n/g, '\n');
    assert.deepEqual(locateAnswer(convertedToLf, placeOf(crlfPrompt.length, crlfAnswer), crlfAnswer), { found: 'no', why: 'notFound' });
  });

  it('never restores an empty answer', () => {
    assert.deepEqual(locateAnswer('anything', placeOf(0, ''), ''), { found: 'no', why: 'empty' });
    assert.ok(!isAtRecordedPlace('anything', placeOf(0, '')));
  });

  it('plans the newest answers first and skips an older one that overlaps a restored one', () => {
    const rerun = 'Paris, on the Seine.';
    const document = `${prompt}${answer}\n\n${rerun}\n`;
    const plan = planRestore(document, [
      { id: 'rerun', place: placeOf(prompt.length + answer.length + 2, rerun), text: rerun },
      { id: 'first', place: placeOf(prompt.length), text: answer },
      // An older run that was replaced: its recorded text overlaps the first answer ("Paris is the").
      { id: 'replaced', place: placeOf(prompt.length, 'Paris is the'), text: 'Paris is the' },
    ]);
    assert.deepEqual(plan, [{ id: 'rerun', offset: 65, moved: false }, { id: 'first', offset: 32, moved: false }]);
  });
});
