import * as assert from 'node:assert/strict';
import { VISIBLE_TOKEN_LENGTH, visibleToken } from '../../src/core/format';

describe('visible tokens', () => {
  it('shows whitespace as symbols and leaves ordinary text, accents, CJK and emoji as they are', () => {
    assert.equal(visibleToken(' a\tb\r\n'), '␣a⇥b␍↵');
    assert.equal(visibleToken('é中💙e\u0301'), 'é中💙e\u0301');
  });

  it('shows controls, zero-width and bidi characters as code points', () => {
    assert.equal(visibleToken('\u0000\u001b\u007f\u0085'), '⟨U+0000⟩⟨U+001B⟩⟨U+007F⟩⟨U+0085⟩');
    assert.equal(visibleToken('a\u200bb\u200dc\u202ed\u2066e\ufeff'), 'a⟨U+200B⟩b⟨U+200D⟩c⟨U+202E⟩d⟨U+2066⟩e⟨U+FEFF⟩');
  });

  it('shows tag characters U+E0000–E007F, which can spell hidden ASCII', () => {
    // "hi" followed by TAG LATIN SMALL LETTER H, I, then LANGUAGE TAG and CANCEL TAG.
    assert.equal(visibleToken('hi\u{E0068}\u{E0069}\u{E0001}\u{E007F}'), 'hi⟨U+E0068⟩⟨U+E0069⟩⟨U+E0001⟩⟨U+E007F⟩');
  });

  it('shows variation selectors U+FE00–FE0F and U+E0100–E01EF', () => {
    assert.equal(visibleToken('❤\ufe0f'), '❤⟨U+FE0F⟩');
    assert.equal(visibleToken('a\ufe00\u{E0100}\u{E01EF}'), 'a⟨U+FE00⟩⟨U+E0100⟩⟨U+E01EF⟩');
  });

  it('shows the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0', () => {
    assert.equal(visibleToken('\u115f\u1160\u3164\uffa0'), '⟨U+115F⟩⟨U+1160⟩⟨U+3164⟩⟨U+FFA0⟩');
  });

  it('shows the line and paragraph separators U+2028 and U+2029', () => {
    assert.equal(visibleToken('a\u2028b\u2029'), 'a⟨U+2028⟩b⟨U+2029⟩');
  });

  it('shows the other default-ignorable code points: soft hyphen, grapheme joiner, Mongolian, invisible operators', () => {
    assert.equal(visibleToken('\u00ad\u034f\u180b\u180e\u2061\u2064\u17b4\u{1BCA0}\u{1D173}'),
      '⟨U+00AD⟩⟨U+034F⟩⟨U+180B⟩⟨U+180E⟩⟨U+2061⟩⟨U+2064⟩⟨U+17B4⟩⟨U+1BCA0⟩⟨U+1D173⟩');
  });

  it('tells spaces other than U+0020 apart from it', () => {
    assert.equal(visibleToken('\u00a0x\u202f\u3000\u2003'), '⟨U+00A0⟩x⟨U+202F⟩⟨U+3000⟩⟨U+2003⟩');
  });

  it('shows a lone surrogate (half a character) as its code unit, and keeps a whole pair', () => {
    assert.equal(visibleToken('\ud83d'), '⟨U+D83D⟩');
    assert.equal(visibleToken('\udc99x'), '⟨U+DC99⟩x');
    assert.equal(visibleToken('\ud83d\udc99'), '💙');
  });

  it(`cuts a token whose visible form is longer than ${VISIBLE_TOKEN_LENGTH} with an ellipsis and its full length`, () => {
    assert.equal(VISIBLE_TOKEN_LENGTH, 80);
    assert.equal(visibleToken('y'.repeat(80)), 'y'.repeat(80));
    assert.equal(visibleToken('y'.repeat(81)), `${'y'.repeat(80)}…⟨81 characters⟩`);
    // 10 kB: only the first 80 units are read into the result.
    assert.equal(visibleToken('ab'.repeat(5000)), `${'ab'.repeat(40)}…⟨10000 characters⟩`);
    // An emoji is two UTF-16 units and one character; a zero-width space shows as eight units.
    assert.equal(visibleToken('💙'.repeat(50)), `${'💙'.repeat(40)}…⟨50 characters⟩`);
    assert.equal(visibleToken('\u200b'.repeat(20)), `${'⟨U+200B⟩'.repeat(10)}…⟨20 characters⟩`);
    assert.equal(visibleToken(`${'x'.repeat(79)}\u200b`), `${'x'.repeat(79)}…⟨80 characters⟩`);
  });

  it('shows an empty token as empty (callers label it)', () => {
    assert.equal(visibleToken(''), '');
  });
});
