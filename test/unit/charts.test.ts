import * as assert from 'node:assert/strict';
import type { BarRow, SvgNode } from '../../src/core/charts';
import { answerStrip, BAR_ROW_HEIGHT, barChart, fitText, markAt, placementOfMark, stripLayout, stripOutlines } from '../../src/core/charts';

const row = (changes: Partial<BarRow>): BarRow => ({
  label: '␣the', rank: '1', before: 0.5, after: 0.8, numbers: '50.00 % → 80.00 %', logprob: '-0.6931', chosen: false, others: false, accessibleName: 'rank 1', ...changes,
});
const byClass = (node: SvgNode, className: string): SvgNode[] => [
  ...(String(node.attrs.class ?? '').split(' ').includes(className) ? [node] : []),
  ...(node.children ?? []).flatMap((child) => byClass(child, className)),
];

describe('charts: alternatives as bars', () => {
  const chart = barChart([row({ chosen: true }), row({ label: '␣a', rank: '2', before: 0.25, after: undefined, numbers: '25.00 % → cut by top-k' }), row({ label: 'others (not returned)', rank: '', before: 0.25, after: 0.2, others: true })], 700);

  it('lays out one row per alternative, bars proportional to the probabilities', () => {
    assert.equal(chart.attrs.height, 3 * BAR_ROW_HEIGHT + 4);
    const before = byClass(chart, 'bar-before').map((bar) => bar.attrs.width as number);
    const track = byClass(chart, 'bar-track')[0]!.attrs.width as number;
    assert.deepEqual(before, [track * 0.5, track * 0.25, track * 0.25].map((width) => Math.round(width * 10) / 10));
    const after = byClass(chart, 'bar-after').map((bar) => bar.attrs.width as number);
    assert.equal(after.length, 2, 'a cut alternative has no bar under the settings');
    assert.equal(after[0], Math.round(track * 0.8 * 10) / 10);
  });

  it('marks the chosen, the cut and the others rows for the stylesheet and for screen readers', () => {
    const rows = byClass(chart, 'bar-row');
    assert.deepEqual(rows.map((each) => each.attrs.class), ['bar-row chosen', 'bar-row cut', 'bar-row others']);
    assert.equal(rows[0]!.attrs.role, 'listitem');
    assert.equal(byClass(chart, 'rank')[0]!.text, '▶1');
    assert.equal(chart.attrs.role, 'list');
  });

  it('carries model text as node text only, never in attributes it cannot escape', () => {
    const hostile = barChart([row({ label: '<img src=x onerror=alert(1)>' })], 700);
    const labels = byClass(hostile, 'label');
    assert.ok(labels[0]!.text!.startsWith('<img src=x onerror'), 'shown as the text it is');
    const attributes = JSON.stringify(hostile, (key, value: unknown) => (key === 'text' ? undefined : value));
    assert.ok(!attributes.includes('onerror'), 'no attribute holds the label');
  });

  it('shows even a tiny probability as a hairline, and nothing for zero', () => {
    const tiny = barChart([row({ before: 1e-9, after: 0 })], 700);
    assert.equal(byClass(tiny, 'bar-before')[0]!.attrs.width, 1);
    assert.equal(byClass(tiny, 'bar-after')[0]!.attrs.width, 0);
  });

  it('cuts long labels by code points with an ellipsis', () => {
    assert.equal(fitText('abcdef', 4), 'abc…');
    assert.equal(fitText('abc', 4), 'abc');
    assert.equal(fitText('💙💙💙💙💙', 3), '💙💙…', 'never splits a surrogate pair');
  });
});

describe('charts: the strip of a whole answer', () => {
  it('gives each placement its own mark while they fit, and shares marks past that', () => {
    assert.deepEqual(stripLayout(100, 700), { count: 100, width: 700, height: 32, perMark: 1, marks: 100, markWidth: 7 });
    // A short answer: marks at most 12 px wide, the strip as long as they are.
    assert.deepEqual(stripLayout(10, 700), { count: 10, width: 120, height: 32, perMark: 1, marks: 10, markWidth: 12 });
    // 1,000 placements on 700 px at 2 px a mark at least: 3 per mark, 334 marks.
    const crowded = stripLayout(1000, 700);
    assert.equal(crowded.perMark, 3);
    assert.equal(crowded.marks, 334);
  });

  it('lets a shared mark stand for its least certain placement', () => {
    const buckets = [9, 9, 2, 9, 0, 0, 9];
    const layout = stripLayout(buckets.length, 100);
    assert.equal(layout.perMark, 1);
    const crowded = { ...layout, perMark: 3, marks: 3, markWidth: 100 / 3 };
    assert.equal(placementOfMark(buckets, crowded, 0), 2);
    assert.equal(placementOfMark(buckets, crowded, 1), 4, 'the first of two equally uncertain');
    assert.equal(placementOfMark(buckets, crowded, 2), 6, 'the last mark holds what is left');
  });

  it('finds the mark under a click, clamped to the strip', () => {
    const layout = stripLayout(20, 100); // 5 px marks
    assert.deepEqual([-5, 0, 4.99, 5, 97, 250].map((x) => markAt(x, layout)), [0, 0, 0, 1, 19, 19]);
  });

  it('draws taller marks for less certain buckets, a baseline for no value, and outlines cursor and focus', () => {
    const strip = answerStrip([0, 9, 255], stripLayout(3, 30), 1, 2); // 100 px at least, 3 marks of 12 px
    const marks = byClass(strip, 'mark');
    assert.deepEqual(marks.map((mark) => mark.attrs.class), ['mark bucket-0', 'mark bucket-9', 'mark none']);
    // Heights: 32 × (0.2 + 0.8 × (9 − b) / 9): bucket 0 → 32, bucket 9 → 6.4 → 6; no value → 2.
    assert.deepEqual(marks.map((mark) => mark.attrs.height), [32, 6, 2]);
    assert.equal(byClass(strip, 'strip-current')[0]!.attrs.x, 12);
    assert.equal(byClass(strip, 'strip-focus')[0]!.attrs.x, 24);
    assert.deepEqual(strip.children!.slice(-2), stripOutlines(stripLayout(3, 30), 1, 2), 'the outlines come last, as stripOutlines draws them');
    assert.deepEqual(stripOutlines(stripLayout(3, 30), -1, 3), [], 'none for a placement outside the strip');
  });
});
