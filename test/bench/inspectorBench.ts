// The token inspector's pure half, in Node: one update for a token with 20 alternatives (the what-if maths, the
// view, the chart's node tree), the validation of what crosses to the webview, and the colour modes' value per
// token that recolouring a whole answer runs. The DOM half is measured in the browser by
// test/webview/inspector.test.mjs. Prints figures; asserts nothing.
import { answerStrip, barChart, stripLayout } from '../../src/core/charts';
import type { ColourMode, TokenView } from '../../src/core/buckets';
import { bucketOfValue, COLOUR_MODES, MODE_DEFAULTS, placementValue } from '../../src/core/buckets';
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

  const tokens: TokenView[] = Array.from({ length: placements }, (_, i) => {
    const { token, logprob, alternatives } = position(i);
    return { token, logprob, alternatives: alternatives.map((alternative) => ({ token: alternative.token, logprob: alternative.logprob as number })) };
  });
  const valueAndBucket = (mode: ColourMode, token: TokenView): void => {
    const reading = placementValue(mode, [token]);
    if (reading) bucketOfValue(mode, reading.value, MODE_DEFAULTS[mode].thresholds);
  };
  for (const mode of COLOUR_MODES) for (const token of tokens.slice(0, 20_000)) valueAndBucket(mode, token); // warm up
  for (const mode of COLOUR_MODES) {
    started = performance.now();
    for (const token of tokens) valueAndBucket(mode, token);
    const perToken = (performance.now() - started) * 1e6 / placements;
    print(`colour mode ${mode}: value and bucket ${perToken.toFixed(0)} ns per token with 20 alternatives (recolouring 100k tokens: ${(perToken / 10).toFixed(0)} ms)`);
  }
}
