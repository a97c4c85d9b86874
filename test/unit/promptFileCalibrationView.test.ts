import * as assert from 'node:assert/strict';
import type { SvgNode } from '../../src/core/charts';
import type { LabelledPrediction } from '../../src/core/promptFiles/calibration';
import { calibrate } from '../../src/core/promptFiles/calibration';
import { confidenceHistogram, reliabilityDiagram } from '../../src/core/promptFiles/calibrationCharts';
import { parseCalibrationHostMessage, parseCalibrationPageMessage, parseCalibrationView, parseSvg } from '../../src/core/promptFiles/calibrationProtocol';
import { calibrationView } from '../../src/core/promptFiles/calibrationView';

const prediction = (caseIndex: number, probabilities: number[], truth: number): LabelledPrediction => ({ caseIndex, key: `case ${caseIndex}`, probabilities, truth });

/*
 * Before: case 0 [.9 .1] truth yes → .9 right (bin 9); case 1 [.3 .7] truth yes → no at .7, wrong (bin 7); case 2
 * [.6 .4] truth no → yes at .6, wrong (bin 6). Accuracy 1/3; mean confidence .733333; log loss
 * (−ln .9 − ln .3 − ln .4) / 3 = (0.105361 + 1.203973 + 0.916291) / 3 = 0.741875; Brier (0.02 + 0.98 + 0.72) / 3 =
 * 0.573333, binary half of it 0.286667; ECE (.1 + .7 + .6) / 3 = 0.466667; MCE .7.
 * After: [.95 .05] yes (bin 9), [.65 .35] yes (bin 6), [.2 .8] no (bin 8): all right; mean confidence .8; log loss
 * (0.051293 + 0.430783 + 0.223144) / 3 = 0.235073; Brier (0.005 + 0.245 + 0.08) / 3 = 0.11, binary 0.055; ECE
 * (.05 + .35 + .2) / 3 = 0.2; MCE .35.
 */
const before = calibrate(['yes', 'no'], [prediction(0, [0.9, 0.1], 0), prediction(1, [0.3, 0.7], 0), prediction(2, [0.6, 0.4], 1)])!;
const after = calibrate(['yes', 'no'], [prediction(0, [0.95, 0.05], 0), prediction(1, [0.65, 0.35], 0), prediction(2, [0.2, 0.8], 1)])!;
const run = (name: string, report: typeof before, excluded: { caseIndex: number; reason: string }[] = []) => ({ name, caption: `${name} · m`, calibration: { report, excluded } });

function find(node: SvgNode, predicate: (node: SvgNode) => boolean): SvgNode[] {
  return [...(predicate(node) ? [node] : []), ...(node.children ?? []).flatMap((child) => find(child, predicate))];
}

describe('calibration view', () => {
  it('shows each figure of two runs with its change and whether it is better', () => {
    const view = calibrationView({ title: 'Yes or no', fileUri: 'file:///w/yn.prompt.yml', fileLabel: 'yn.prompt.yml', runs: [run('before', before, [{ caseIndex: 3, reason: 'no expected value' }]), run('after', after)] });
    const rows = Object.fromEntries(view.metrics.map((row) => [row.name, [...row.values, row.change, row.verdict]]));
    assert.deepEqual(rows['Labelled cases'], ['3', '3', '±0', undefined]);
    assert.deepEqual(rows.Accuracy, ['33.33 %', '100.00 %', '+66.67 points', 'better']);
    assert.deepEqual(rows['Mean confidence'], ['73.33 %', '80.00 %', '+6.67 points', undefined]);
    assert.deepEqual(rows['Log loss'], ['0.742', '0.235', '−0.507', 'better']);
    assert.deepEqual(rows['Brier score'], ['0.573', '0.110', '−0.463', 'better']);
    assert.deepEqual(rows['Brier score (binary)'], ['0.287', '0.055', '−0.232', 'better']);
    assert.deepEqual(rows['Expected calibration error'], ['0.467', '0.200', '−0.267', 'better']);
    assert.deepEqual(rows['Largest bin gap'], ['0.700', '0.350', '−0.350', 'better']);
    assert.equal(view.comparison, '3 cases in both runs: 2 fixed (wrong before, right after), 0 broken (right before, wrong after).');
    const [first] = view.runs;
    assert.equal(first!.rough, 'Rough estimate: 3 labelled cases (under 30).');
    assert.equal(first!.excluded, 'Left out: case 4 (no expected value).');
    assert.deepEqual(first!.bins.map((bin) => bin.count), ['0', '0', '0', '0', '0', '0', '1', '1', '0', '1']);
    assert.deepEqual(first!.bins[9], { range: '0.9–1.0', count: '1', correct: '1', accuracy: '100.00 %', confidence: '90.00 %' });
    assert.deepEqual(first!.bins[0], { range: '0.0–0.1', count: '0', correct: '0', accuracy: '–', confidence: '–' });
  });

  it('shows one run without changes', () => {
    const view = calibrationView({ title: 'T', fileUri: 'u', fileLabel: 'f', runs: [run('this run', before)] });
    assert.ok(view.metrics.every((row) => row.values.length === 1 && row.change === undefined && row.verdict === undefined));
    assert.equal(view.comparison, undefined);
  });

  it('draws the reliability diagram: a bar per non-empty bin at its accuracy, the gap to its confidence, its count', () => {
    const diagram = reliabilityDiagram(before);
    const bins = find(diagram, (node) => node.attrs.class === 'bin');
    assert.deepEqual(bins.map((bin) => bin.attrs['aria-label']), [
      '0.6–0.7: 1 case, accuracy 0 %, mean confidence 60.00 %',
      '0.7–0.8: 1 case, accuracy 0 %, mean confidence 70.00 %',
      '0.9–1.0: 1 case, accuracy 100.00 %, mean confidence 90.00 %',
    ]);
    // A 280-pixel square, plot from x 40 to 270 and y 14 (accuracy 1) to 242 (accuracy 0). Bin 0.9–1.0: x 247 to
    // 270, less a 1-pixel gap each side; its bar fills the height; confidence .9 sits at y 14 + 228 · 0.1 = 36.8.
    const last = bins[2]!.children!;
    assert.deepEqual(last.find((node) => node.attrs.class === 'accuracy')!.attrs, { class: 'accuracy', x: 248, y: 14, width: 21, height: 228 });
    assert.deepEqual(last.find((node) => node.attrs.class === 'gap under')!.attrs, { class: 'gap under', x: 248, y: 14, width: 21, height: 22.8 });
    assert.equal(last.find((node) => node.tag === 'text')!.text, '1');
    // Bin 0.6–0.7: accuracy 0, overconfident: the gap runs from y 242 up to .6 at 14 + 228 · 0.4 = 105.2.
    const sixth = bins[0]!.children!;
    assert.deepEqual(sixth.find((node) => node.attrs.class === 'gap over')!.attrs, { class: 'gap over', x: 179, y: 105.2, width: 21, height: 136.8 });
    assert.match(String(diagram.attrs['aria-label']), /on average overconfident by 40\.00 %/);
    assert.equal(find(diagram, (node) => node.attrs.class === 'diagonal').length, 1);
  });

  it('draws the confidence histogram: right answers below, wrong above, scaled to an even top', () => {
    const histogram = confidenceHistogram(before);
    const bins = find(histogram, (node) => node.attrs.class === 'bin');
    assert.deepEqual(bins.map((bin) => bin.attrs['aria-label']), ['0.6–0.7: 1 case, 0 right, 1 wrong', '0.7–0.8: 1 case, 0 right, 1 wrong', '0.9–1.0: 1 case, 1 right, 0 wrong']);
    // Top count 1 → axis to 2: one case is half the plot's height, 114 pixels, from y 128 to 242.
    const wrong = bins[0]!.children!.find((node) => node.attrs.class === 'wrong')!;
    assert.deepEqual([wrong.attrs.y, wrong.attrs.height], [128, 114]);
    assert.deepEqual(find(histogram, (node) => node.attrs.class === 'tick').map((node) => node.text), ['0', '0.5', '1', '0', '1', '2']);
  });
});

describe('calibration view messages', () => {
  const view = calibrationView({ title: 'T', fileUri: 'u', fileLabel: 'f', runs: [run('before', before), run('after', after)] });

  it('reads back a view sent through JSON, and refuses anything else', () => {
    assert.deepEqual(parseCalibrationHostMessage(JSON.parse(JSON.stringify({ kind: 'show', view }))), { kind: 'show', view });
    assert.deepEqual(parseCalibrationView(JSON.parse(JSON.stringify(view))), view);
    assert.equal(parseCalibrationView({ ...view, metrics: [{ ...view.metrics[0], values: ['1'] }] }), undefined, 'one value for two runs');
    assert.equal(parseCalibrationView({ ...view, runs: [] }), undefined);
    assert.equal(parseCalibrationView({ ...view, title: 42 }), undefined);
    assert.equal(parseCalibrationHostMessage({ kind: 'other', view }), undefined);
  });

  it('lets through chart trees of known tags with plain attributes only', () => {
    const chart = reliabilityDiagram(before);
    assert.deepEqual(parseSvg(JSON.parse(JSON.stringify(chart)), 0), chart);
    assert.equal(parseSvg({ tag: 'script', attrs: {} }, 0), undefined);
    assert.equal(parseSvg({ tag: 'rect', attrs: { onclick: 'x()' } }, 0), undefined);
    assert.equal(parseSvg({ tag: 'rect', attrs: { href: 'javascript:x' } }, 0), undefined);
    assert.equal(parseSvg({ tag: 'rect', attrs: { style: 'fill: red' } }, 0), undefined);
    assert.equal(parseSvg({ tag: 'rect', attrs: { x: Number.NaN } }, 0), undefined);
    assert.equal(parseSvg({ tag: 'g', attrs: {}, children: [{ tag: 'text', attrs: {}, text: 7 }] }, 0), undefined);
    const deep = Array.from({ length: 10 }).reduce<unknown>((child) => ({ tag: 'g', attrs: {}, children: [child] }), { tag: 'rect', attrs: {} });
    assert.equal(parseSvg(deep, 0), undefined, 'nested deeper than any chart');
  });

  it('takes only ready and export messages from the page', () => {
    assert.deepEqual(parseCalibrationPageMessage({ kind: 'ready' }), { kind: 'ready' });
    assert.deepEqual(parseCalibrationPageMessage({ kind: 'export', format: 'csv' }), { kind: 'export', format: 'csv' });
    assert.equal(parseCalibrationPageMessage({ kind: 'export', format: 'pdf' }), undefined);
    assert.equal(parseCalibrationPageMessage({ kind: 'export', format: 'json', path: '/etc/passwd' }), undefined);
    assert.equal(parseCalibrationPageMessage('ready'), undefined);
  });
});
