import * as assert from 'node:assert/strict';
import { Answer } from '../../src/core/answer';
import { DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import { TrackedAnswer } from '../../src/vscode/editor/trackedAnswer';

/** A document as a string, edited the way VS Code reports content changes. */
class Document {
  constructor(public text: string, private readonly tracked: TrackedAnswer) {}

  edit(offset: number, removed: number, inserted: string): void {
    this.text = this.text.slice(0, offset) + inserted + this.text.slice(offset + removed);
    this.tracked.applyChange({ rangeOffset: offset, rangeLength: removed, text: inserted, range: undefined as never });
  }
}

/** What the inserter does for one chunk: announce, apply (or not: VS Code refused it), settle. */
function insertOwn(document: Document, tracked: TrackedAnswer, text: string, separator: string, applied = true): boolean {
  const offset = separator ? tracked.answer.start - separator.length : tracked.answer.end;
  tracked.expectOwnInsert({ offset, text: separator + text, answerLength: text.length });
  if (applied) document.edit(offset, 0, separator + text);
  return tracked.settleOwnInsert(applied);
}

function setUp(): { tracked: TrackedAnswer; document: Document } {
  const prompt = 'Prompt';
  const answer = new Answer(prompt.length + 2, '\n', DEFAULT_THRESHOLDS);
  const tracked = new TrackedAnswer(answer, 'm', 'h', prompt, 2);
  return { tracked, document: new Document(prompt, tracked) };
}

describe('a tracked answer tells its own insertions from the user\'s exactly', () => {
  it('takes its own insertions into the answer, the blank line before it included', () => {
    const { tracked, document } = setUp();
    tracked.answer.append('Hello world', []);
    assert.equal(insertOwn(document, tracked, 'Hello', '\n\n'), true);
    assert.equal(insertOwn(document, tracked, ' world', ''), true);
    assert.equal(document.text, 'Prompt\n\nHello world');
    assert.deepEqual([tracked.answer.start, tracked.answer.end], [8, 19]);
    assert.equal(tracked.isUnchanged(document.text), true);
  });

  it('gives back a keystroke that matched the chunk in flight when the edit of the chunk was refused', () => {
    const { tracked, document } = setUp();
    tracked.answer.append('Hello!', []);
    insertOwn(document, tracked, 'Hello', '\n\n');
    // The user types "!" at the answer's end just before our "!" is applied: VS Code refuses ours (the version moved).
    tracked.expectOwnInsert({ offset: tracked.answer.end, text: '!', answerLength: 1 });
    document.edit(tracked.answer.end, 0, '!');
    assert.equal(tracked.settleOwnInsert(false), false);
    assert.equal(tracked.answer.end, 13, 'the user\'s "!" is after the answer, not part of it');
    // The retry inserts ours at the answer's end, before the user's keystroke.
    assert.equal(insertOwn(document, tracked, '!', ''), true);
    assert.equal(document.text, 'Prompt\n\nHello!!');
    assert.equal(document.text.slice(tracked.answer.start, tracked.answer.end), 'Hello!');
  });

  it('hands back the blank line and text of a first insertion the user happened to type', () => {
    const { tracked, document } = setUp();
    tracked.answer.append('Hi', []);
    tracked.expectOwnInsert({ offset: 6, text: '\n\nHi', answerLength: 2 });
    document.edit(6, 0, '\n\nHi');
    tracked.settleOwnInsert(false);
    assert.equal(tracked.answer.length, 0);
    assert.equal(insertOwn(document, tracked, 'Hi', '\n\n'), true);
    assert.equal(document.text, 'Prompt\n\nHi\n\nHi');
    assert.equal(document.text.slice(tracked.answer.start - 2, tracked.answer.end), '\n\nHi');
  });

  it('is unchanged only while the answer and its blank line are exactly what was inserted', () => {
    const edited = (edit: (document: Document, tracked: TrackedAnswer) => void): boolean => {
      const { tracked, document } = setUp();
      tracked.answer.append('Hello world', []);
      insertOwn(document, tracked, 'Hello world', '\n\n');
      edit(document, tracked);
      return tracked.isUnchanged(document.text);
    };
    assert.equal(edited(() => undefined), true);
    assert.equal(edited((document) => document.edit(0, 0, 'Above: ')), true, 'an edit above moves it, nothing else');
    assert.equal(edited((document) => document.edit(7, 0, 'x')), false, 'typed into the blank line');
    assert.equal(edited((document, tracked) => document.edit(tracked.answer.start + 2, 1, 'L')), false, 'edited inside');
    assert.equal(edited((document, tracked) => document.edit(tracked.answer.end, 0, '!')), true, 'typed after it');
    assert.equal(edited((document, tracked) => document.edit(tracked.answer.start, 0, '>')), false, 'typed between the blank line and the answer');
  });

  it('stops the run filling it when the user edits inside, and only then', () => {
    const { tracked, document } = setUp();
    let stops = 0;
    tracked.begin(() => stops++);
    tracked.answer.append('Hello', []);
    insertOwn(document, tracked, 'Hello', '\n\n');
    document.edit(0, 0, 'x');
    document.edit(document.text.length, 0, 'y');
    assert.equal(stops, 0);
    document.edit(tracked.answer.start + 1, 0, 'z');
    assert.equal(stops, 1);
    tracked.finish('cancelled');
    document.edit(tracked.answer.start + 1, 0, 'z');
    assert.equal(stops, 1, 'a finished answer has no run to stop');
  });
});
