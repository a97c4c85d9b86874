/**
 * The token inspector page: the token at the cursor with its alternatives as bars, the sampling controls that
 * recompute them live, "Apply to next run", and the strip of the whole answer. It talks to the extension only
 * through the messages of src/core/inspectorProtocol.ts, keeps its state with `setState` across reloads, and puts
 * model text on the page only as `textContent`.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { answerStrip, barChart, markAt, markOf, placementOfMark, stripLayout, stripOutlines } from '../../core/charts';
import type { AnswerStrip, HostMessage, InspectedToken, SamplingContext, WebviewMessage } from '../../core/inspectorProtocol';
import { parseHostMessage, samplingFromSettings, settingsToApply } from '../../core/inspectorProtocol';
import type { SamplingSettings } from '../../core/sampling';
import { NEUTRAL_SETTINGS } from '../../core/sampling';
import { element, renderSvg, WebviewHost } from '../common';
import { inspectorView } from './view';

interface InspectorState {
  readonly controls: SamplingSettings;
  readonly token: InspectedToken | null;
  readonly member: number;
  readonly sampling: SamplingContext | null;
}

interface ControlSpec {
  readonly key: keyof SamplingSettings;
  readonly label: string;
  readonly min: number;
  /** The slider's end; the number field goes up to `fieldMax`. */
  readonly max: number;
  readonly fieldMax: number;
  readonly step: number;
  readonly hint: string;
  /** Its name in the request. */
  readonly parameter: string;
}

const CONTROLS: readonly ControlSpec[] = [
  { key: 'temperature', label: 'Temperature', min: 0, max: 2, fieldMax: 2, step: 0.05, hint: '0 is greedy', parameter: 'temperature' },
  { key: 'topK', label: 'Top-k', min: 0, max: 40, fieldMax: 1000, step: 1, hint: '0 is off', parameter: 'top_k' },
  { key: 'topP', label: 'Top-p', min: 0.01, max: 1, fieldMax: 1, step: 0.01, hint: '1 is off', parameter: 'top_p' },
  { key: 'minP', label: 'Min-p', min: 0, max: 1, fieldMax: 1, step: 0.01, hint: '0 is off', parameter: 'min_p' },
];

const host = new WebviewHost<WebviewMessage, InspectorState>();
let state: InspectorState = host.restore(readState) ?? { controls: NEUTRAL_SETTINGS, token: null, member: 0, sampling: null };
let strip: AnswerStrip | null = null;
/** The placement the strip's keyboard focus is on. */
let focusedPlacement = 0;

const app = document.getElementById('app')!;
const page = buildPage(app);
render();
new ResizeObserver(() => requestAnimationFrame(() => {
  renderToken();
  renderStrip();
})).observe(app);
host.listen(parseHostMessage, receive);
host.post({ kind: 'ready' });

function receive(message: HostMessage): void {
  if (message.kind === 'token') {
    const started = performance.now();
    const { token } = message;
    const sameToken = token && state.token && token.answerId === state.token.answerId && token.placement === state.token.placement;
    update({ token, member: sameToken ? state.member : 0 });
    // The strip marks the cursor's token: the extension sends the strip only when the answer changes.
    if (strip && token?.answerId === strip.answerId && token.placement < strip.buckets.length) {
      strip = { ...strip, current: token.placement };
      focusedPlacement = token.placement;
      renderStrip(true);
    }
    page.chart.getBoundingClientRect(); // style and layout of what changed, inside the measured time
    host.post({ kind: 'rendered', token: token && { answerId: token.answerId, placement: token.placement }, ms: performance.now() - started });
  } else if (message.kind === 'sampling') {
    // New settings from the extension start the controls there; a reload with the same settings keeps the user's.
    const changed = JSON.stringify(message.sampling.settings) !== JSON.stringify(state.sampling?.settings);
    update({ sampling: message.sampling, controls: changed ? samplingFromSettings(message.sampling.settings) : state.controls });
  } else {
    strip = message.strip;
    focusedPlacement = Math.max(0, strip?.current ?? 0);
    renderStrip();
  }
}

function update(changes: Partial<InspectorState>): void {
  state = { ...state, ...changes };
  host.save(state);
  render();
}

/** The page's fixed parts, built once; renders replace the contents of the hosts. */
function buildPage(app: HTMLElement) {
  const heading = element('h2', { class: 'token' });
  const summary = element('p', { class: 'summary' });
  const value = element('p', { class: 'value' });
  const members = element('div', { class: 'members', role: 'group', 'aria-label': 'Tokens of this character' });
  const empty = element('p', { class: 'empty' }, 'Put the cursor on a coloured token, or choose Inspect in its hover.');
  const chart = element('div', { class: 'chart' });
  const legend = element('p', { class: 'note' }, 'Faint bars: the model\'s probabilities. Solid bars: under the settings below.');
  const chosen = element('p', { class: 'chosen', 'aria-live': 'polite' });
  const range = element('p', { class: 'range' });
  const approximation = element('p', { class: 'note' });
  const entropy = element('p', { class: 'note' });
  const backend = element('p', { class: 'note backend' });
  const fields = CONTROLS.map(buildControl);
  const apply = element('vscode-button', { id: 'apply' }, 'Apply to next run');
  const applyNote = element('p', { class: 'note', 'aria-live': 'polite' });
  const stripHost = element('div', { class: 'strip-host', tabindex: '0', role: 'slider', 'aria-label': 'Position in the answer' });
  const stripTitle = element('h3', {}, 'Whole answer');
  apply.addEventListener('click', applySettings);
  stripHost.addEventListener('click', (event) => revealAt(event.clientX - stripHost.getBoundingClientRect().left));
  stripHost.addEventListener('keydown', stripKey);
  app.replaceChildren(
    element('header', {}, [heading, summary, value, members]), empty, chart, legend,
    element('section', { class: 'result', 'aria-label': 'Under these settings' }, [chosen, range, approximation, entropy]),
    element('section', { class: 'controls', 'aria-label': 'Sampling settings' }, [element('h3', {}, 'What if the sampling were'), backend, ...fields.map((field) => field.row)]),
    element('div', { class: 'apply' }, [apply, applyNote]),
    element('section', { class: 'answer' }, [stripTitle, stripHost]),
  );
  return { heading, summary, value, members, empty, chart, legend, chosen, range, approximation, entropy, backend, fields, applyNote, strip: stripHost, stripTitle };
}

/** One control: a slider and a number field for the same setting, both labelled, kept in step. */
function buildControl(spec: ControlSpec) {
  const id = `control-${spec.key}`;
  const slider = element('input', { type: 'range', id: `${id}-slider`, min: `${spec.min}`, max: `${spec.max}`, step: `${spec.step}`, 'aria-label': spec.label });
  const field = element('vscode-textfield', { id, type: 'number', min: `${spec.min}`, max: `${spec.fieldMax}`, step: `${spec.step}` }) as HTMLElement & { value: string; invalid: boolean };
  const label = element('vscode-label', { for: id }, spec.label);
  const set = (text: string): void => {
    const value = Number(text);
    field.invalid = !(text.trim() !== '' && Number.isFinite(value) && value >= spec.min && value <= spec.fieldMax);
    if (field.invalid) return;
    update({ controls: { ...state.controls, [spec.key]: value } });
  };
  slider.addEventListener('input', () => set(slider.value));
  field.addEventListener('input', () => set(field.value));
  const row = element('div', { class: 'control' }, [label, slider, field, element('span', { class: 'hint' }, spec.hint)]);
  return { spec, slider, field, row };
}

/** Everything but the strip, which changes only with its own message, the size, or the keyboard. */
function render(): void {
  for (const { spec, slider, field } of page.fields) {
    const value = `${state.controls[spec.key]}`;
    if (slider.value !== value) slider.value = value;
    // A field being typed in ("0.") keeps its text while it reads as the same number.
    if (Number(field.value) !== state.controls[spec.key] || field.value.trim() === '') field.value = value;
  }
  page.backend.textContent = state.sampling?.backendNote ?? '';
  renderToken();
}

function renderToken(): void {
  const token = state.token;
  const member = token?.members[Math.min(state.member, token.members.length - 1)];
  page.empty.hidden = member !== undefined;
  page.chart.hidden = member === undefined;
  page.legend.hidden = member === undefined;
  if (!token || !member) {
    for (const part of [page.heading, page.summary, page.value, page.chosen, page.range, page.approximation, page.entropy]) part.textContent = '';
    page.members.replaceChildren();
    return;
  }
  const view = inspectorView(member, state.controls);
  page.heading.textContent = view.title;
  page.summary.textContent = view.summary;
  // In probability mode the summary above already says it, unless the character is made of several tokens.
  page.value.textContent = token.members.length > 1 ? `Whole character: ${token.valueText}` : token.mode === 'probability' ? '' : `Colour: ${token.valueText}`;
  page.chosen.textContent = `The sampled token under these settings: ${view.chosen}`;
  page.range.textContent = view.range;
  page.approximation.textContent = view.approximation;
  page.entropy.textContent = view.entropy;
  page.members.replaceChildren(...(token.members.length > 1 ? token.members.map((_, i) => memberButton(i, token.members.length)) : []));
  page.chart.replaceChildren(renderSvg(barChart(view.rows, page.chart.clientWidth)));
}

function memberButton(index: number, count: number): HTMLElement {
  const button = element('vscode-button', index === state.member ? {} : { secondary: '' }, `Token ${index + 1} of ${count}`);
  button.setAttribute('aria-pressed', `${index === state.member}`);
  button.addEventListener('click', () => update({ member: index }));
  return button;
}

/** The strip; with `outlinesOnly` (the cursor or the keyboard moved, nothing else) its marks stay as they are. */
function renderStrip(outlinesOnly = false): void {
  page.strip.hidden = !strip || strip.buckets.length === 0;
  page.stripTitle.hidden = page.strip.hidden;
  page.stripTitle.textContent = strip ? `Whole answer, by ${strip.mode}` : 'Whole answer';
  if (!strip || strip.buckets.length === 0) return;
  const layout = stripLayout(strip.buckets.length, page.strip.clientWidth);
  const focused = Math.min(focusedPlacement, strip.buckets.length - 1);
  page.strip.setAttribute('aria-valuemin', '1');
  page.strip.setAttribute('aria-valuemax', `${strip.buckets.length}`);
  page.strip.setAttribute('aria-valuenow', `${focused + 1}`);
  page.strip.setAttribute('aria-valuetext', strip.labels[focused] ?? `token ${focused + 1} of ${strip.buckets.length}`);
  const svg = page.strip.querySelector('svg');
  if (outlinesOnly && svg) {
    svg.querySelectorAll('.strip-current, .strip-focus').forEach((outline) => outline.remove());
    svg.append(...stripOutlines(layout, strip.current, focused).map(renderSvg));
  } else page.strip.replaceChildren(renderSvg(answerStrip(strip.buckets, layout, strip.current, focused)));
}

/** Keys on the strip: arrows, Page Up/Down (a tenth), Home/End move the focused mark; Enter or Space go there. */
function stripKey(event: KeyboardEvent): void {
  if (!strip) return;
  const layout = stripLayout(strip.buckets.length, page.strip.clientWidth);
  const tenth = Math.max(1, Math.round(layout.marks / 10));
  const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: 1, ArrowDown: -1, PageUp: tenth, PageDown: -tenth, Home: -layout.marks, End: layout.marks };
  if (event.key === 'Enter' || event.key === ' ') {
    reveal(focusedPlacement);
  } else if (moves[event.key] !== undefined) {
    const mark = Math.min(layout.marks - 1, Math.max(0, markOf(focusedPlacement, layout) + moves[event.key]!));
    focusedPlacement = placementOfMark(strip.buckets, layout, mark);
    renderStrip(true);
  } else return;
  event.preventDefault();
}

function revealAt(x: number): void {
  if (!strip) return;
  const layout = stripLayout(strip.buckets.length, page.strip.clientWidth);
  focusedPlacement = placementOfMark(strip.buckets, layout, markAt(x, layout));
  renderStrip(true);
  reveal(focusedPlacement);
}

function reveal(placement: number): void {
  if (strip) host.post({ kind: 'reveal', answerId: strip.answerId, placement });
}

function applySettings(): void {
  const accepts = state.sampling?.accepts ?? { topK: false, minP: false };
  const settings = settingsToApply(state.controls, accepts);
  host.post({ kind: 'apply', settings });
  const sent = CONTROLS.filter((spec) => settings[spec.key] !== null).map((spec) => `${spec.parameter} ${settings[spec.key]}`);
  const left = CONTROLS.filter((spec) => (spec.key === 'topK' && !accepts.topK && state.controls.topK > 0) || (spec.key === 'minP' && !accepts.minP && state.controls.minP > 0));
  page.applyNote.textContent = `Next run: ${sent.join(', ') || 'the server\'s defaults'}.`
    + (left.length > 0 ? ` Not sent: ${left.map((spec) => spec.label).join(', ')} (this backend does not take it).` : '');
}

/** The saved state, if it is still well-formed (it was written by an earlier version of this page, perhaps). */
function readState(value: unknown): InspectorState | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const saved = value as Partial<Record<keyof InspectorState, unknown>>;
  const token = saved.token === null ? null : parseHostMessage({ kind: 'token', token: saved.token });
  const sampling = saved.sampling === null ? null : parseHostMessage({ kind: 'sampling', sampling: saved.sampling });
  const controls = readControls(saved.controls);
  if (token === undefined || sampling === undefined || !controls || !Number.isInteger(saved.member) || (saved.member as number) < 0) return undefined;
  return {
    controls,
    token: token && token.kind === 'token' ? token.token : null,
    member: saved.member as number,
    sampling: sampling && sampling.kind === 'sampling' ? sampling.sampling : null,
  };
}

function readControls(value: unknown): SamplingSettings | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const controls = value as Record<string, unknown>;
  const valid = CONTROLS.every((spec) => typeof controls[spec.key] === 'number' && controls[spec.key] as number >= spec.min && controls[spec.key] as number <= spec.fieldMax);
  return valid ? { temperature: controls.temperature, topK: controls.topK, topP: controls.topP, minP: controls.minP } as SamplingSettings : undefined;
}
