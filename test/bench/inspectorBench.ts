// The token inspector's pure half, in Node: one update for a token with 20 alternatives (the what-if maths, the
// view, the chart's node tree), the validation of what crosses to the webview, and recolouring a whole answer when
// the colour mode changes. The DOM half is measured in the browser by test/webview/inspector.test.mjs, the whole
// update in the real editor by inspectorEditorBench.ts. Prints figures; asserts nothing.
import { Answer } from '../../src/core/answer';
import { COLOUR_MODES, MODE_DEFAULTS } from '../../src/core/buckets';
import { answerStrip, barChart, stripLayout } from '../../src/core/charts';
import type { InspectedMember } from '../../src/core/inspectorProtocol';
import { parseHostMessage } from '../../src/core/inspectorProtocol';
import { inspectorView } from '../../src/webview/inspector/view';

const print = (line: string): void => console.log(line);

/** A position with 20 alternatives, p = 0.4 × 0.6^i (a shape like a real top-20), the sampled token 4th. */
function position(shift: number): InspectedMember {
  const alternatives = Array.from({ length: 20 }, (_, i) => ({ token: ` word${(i + shift) % 50}`, logprob: Math.log(0.4) + i * Math.log(0.6) }));
  return { token: alternatives[3]!.token, logprob: alternatives[3]!.logprob, alternatives };
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

export async function runInspectorBench(): Promise<void> {
  await Promise.resolve();
  const members = Array.from({ length: 200 }, (_, i) => position(i));
  const times: number[] = [];
  for (let round = 0; round < 2000; round++) {
    const started = performance.now();
    const view = inspectorView(members[round % members.length]!, { temperature: 0.3 + (round % 15) * 0.1, topK: round % 25, topP: 0.5 + (round % 6) * 0.1, minP: (round % 4) * 0.05 });
    barChart(view.rows, 700);
    times.push(performance.now() - started);
  }
  print(`inspector update, pure part (maths, view, chart tree), 20 alternatives: ${(percentile(times, 0.5) * 1000).toFixed(0)} µs median, `
    + `${(percentile(times, 0.99) * 1000).toFixed(0)} µs p99 (target <= 16 ms with the DOM; DOM part: test/webview/inspector.test.mjs)`);

  const message = { kind: 'token', token: { answerId: 'a', placement: 1, members: [position(0)], mode: 'margin', valueText: 'margin 3.2 points (near tie)', bucket: 0 } };
  const parseTimes: number[] = [];
  for (let round = 0; round < 2000; round++) {
    const copy: unknown = JSON.parse(JSON.stringify(message));
    const started = performance.now();
    parseHostMessage(copy);
    parseTimes.push(performance.now() - started);
  }
  print(`inspector message validation, one token with 20 alternatives: ${(percentile(parseTimes, 0.5) * 1000).toFixed(1)} µs median`);

  const placements = 100_000;
  const strip = { kind: 'strip', strip: { answerId: 'a', mode: 'margin', buckets: Array.from({ length: placements }, (_, i) => (i * 7) % 10), labels: [], current: 0 } };
  let started = performance.now();
  parseHostMessage(strip);
  const layout = stripLayout(placements, 700);
  answerStrip(strip.strip.buckets, layout, 0, 0);
  print(`inspector strip of ${placements / 1000}k placements: validation and node tree ${(performance.now() - started).toFixed(1)} ms (${layout.marks} marks)`);

  // Recolouring a whole answer when the mode changes: every placement's value read from the columns, then its bucket.
  const answer = new Answer(0, '\n', MODE_DEFAULTS.probability.thresholds);
  for (let i = 0; i < placements; i++) {
    const { token, logprob, alternatives } = position(i);
    answer.inserted(answer.append(token, [{ token, logprob, top_logprobs: alternatives.map((alternative) => ({ token: alternative.token, logprob: alternative.logprob! })) }]).length);
  }
  answer.finish();
  for (const mode of [...COLOUR_MODES, 'probability'] as const) answer.setColouring(MODE_DEFAULTS[mode].thresholds, mode); // warm up
  for (const mode of COLOUR_MODES) {
    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      answer.setColouring(MODE_DEFAULTS.surprisal.thresholds, mode === 'surprisal' ? 'probability' : 'surprisal');
      started = performance.now();
      answer.setColouring(MODE_DEFAULTS[mode].thresholds, mode);
      times.push(performance.now() - started);
    }
    print(`recolouring ${placements / 1000}k tokens × 20 alternatives into ${mode} mode: ${percentile(times, 0.5).toFixed(0)} ms median of 5 (values and buckets)`);
  }
  started = performance.now();
  const uncertain = answer.uncertainPlacements(MODE_DEFAULTS.surprisal.uncertain).length;
  print(`uncertain tokens of ${placements / 1000}k (navigation, status bar, gutter marks): ${(performance.now() - started).toFixed(1)} ms (${uncertain} found)`);
}
