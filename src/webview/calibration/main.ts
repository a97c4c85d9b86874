/**
 * The calibration view's page: a prompt file's calibration figures for one run or two side by side (before and
 * after a prompt change), the reliability diagram and confidence histogram of each, the bins as tables, and
 * export buttons. Everything shown is computed by the extension (core/promptFiles/calibrationView.ts) and checked
 * here before use; text goes on the page only through `textContent`. What the page shows is its saved state, so
 * it comes back as it was after a reload, before the extension sends a fresh view.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { CalibrationPageMessage } from '../../core/promptFiles/calibrationProtocol';
import { parseCalibrationHostMessage, parseCalibrationView } from '../../core/promptFiles/calibrationProtocol';
import type { BinRow, CalibrationRunView, CalibrationView, MetricRow } from '../../core/promptFiles/calibrationView';
import { element, renderSvg, WebviewHost } from '../common';

interface CalibrationState {
  readonly view: CalibrationView;
}

const host = new WebviewHost<CalibrationPageMessage, CalibrationState>();
const app = document.getElementById('app')!;
const saved = host.restore((value) => {
  const view = parseCalibrationView((value as { view?: unknown } | null)?.view);
  return view ? { view } : undefined;
});
if (saved) render(saved.view);
else app.replaceChildren(element('p', { class: 'note' }, 'Loading the calibration…'));
host.listen(parseCalibrationHostMessage, (message) => {
  host.save({ view: message.view });
  render(message.view);
});
host.post({ kind: 'ready' });

function render(view: CalibrationView): void {
  const exports = element('div', { class: 'exports', role: 'group', 'aria-label': 'Export' }, [
    exportButton('csv', 'Export CSV'),
    exportButton('json', 'Export JSON'),
  ]);
  const rough = [...new Set(view.runs.map((run) => run.rough).filter((text): text is string => text !== undefined))];
  app.replaceChildren(
    element('header', {}, [
      element('h2', { class: 'title' }, `Calibration: ${view.title}`),
      element('p', { class: 'note file' }, view.fileLabel),
      exports,
    ]),
    ...(rough.length > 0 ? [element('p', { class: 'rough', role: 'note' }, rough.join(' '))] : []),
    metricsTable(view),
    ...(view.comparison ? [element('p', { class: 'comparison' }, view.comparison)] : []),
    element('div', { class: `runs runs-${view.runs.length}` }, view.runs.map(runSection)),
  );
}

function exportButton(format: 'csv' | 'json', label: string): HTMLElement {
  const button = element('vscode-button', { secondary: '', class: `export-${format}` }, label);
  button.addEventListener('click', () => host.post({ kind: 'export', format }));
  return button;
}

/** The figures of each run in one table; with two runs, the change and whether it is better. */
function metricsTable(view: CalibrationView): HTMLElement {
  const two = view.runs.length === 2;
  const head = element('tr', {}, [
    element('th', { scope: 'col' }, 'Figure'),
    ...view.runs.map((run) => element('th', { scope: 'col', class: 'number' }, run.name)),
    ...(two ? [element('th', { scope: 'col', class: 'number' }, 'Change')] : []),
  ]);
  const rows = view.metrics.map((metric) => element('tr', {}, [
    element('th', { scope: 'row', title: metric.hint }, [element('span', {}, metric.name), element('span', { class: 'hint' }, metric.hint)]),
    ...metric.values.map((value) => element('td', { class: 'number' }, value)),
    ...(two ? [changeCell(metric)] : []),
  ]));
  return element('table', { class: 'metrics', 'aria-label': 'Calibration figures' }, [element('thead', {}, [head]), element('tbody', {}, rows)]);
}

function changeCell(metric: MetricRow): HTMLElement {
  const verdict = metric.verdict ? ` (${metric.verdict === 'same' ? 'no change' : metric.verdict})` : '';
  return element('td', { class: `number change ${metric.verdict ?? ''}` }, `${metric.change ?? ''}${verdict}`);
}

function runSection(run: CalibrationRunView): HTMLElement {
  return element('section', { class: 'run', 'aria-label': `Run: ${run.name}` }, [
    element('h3', {}, run.name),
    element('p', { class: 'note' }, run.caption),
    element('p', { class: 'labels' }, `Labels: ${run.labels}`),
    element('div', { class: 'charts' }, [
      element('figure', {}, [renderSvg(run.reliability), element('figcaption', {}, 'Reliability: accuracy per confidence bin (blue) against the diagonal of perfect calibration; red above a bar: more confident than right; pale top of a bar: less.')]),
      element('figure', {}, [renderSvg(run.histogram), element('figcaption', {}, 'Confidence histogram: cases per bin, right below and wrong above.')]),
    ]),
    binsTable(run.bins),
    ...(run.excluded ? [element('p', { class: 'note excluded' }, run.excluded)] : []),
  ]);
}

function binsTable(bins: readonly BinRow[]): HTMLElement {
  const head = element('tr', {}, ['Confidence', 'Cases', 'Right', 'Accuracy', 'Mean confidence'].map((name, i) => element('th', { scope: 'col', class: i > 0 ? 'number' : '' }, name)));
  const rows = bins.map((bin) => element('tr', { class: bin.count === '0' ? 'empty' : '' }, [
    element('th', { scope: 'row' }, bin.range),
    ...[bin.count, bin.correct, bin.accuracy, bin.confidence].map((value) => element('td', { class: 'number' }, value)),
  ]));
  return element('details', { class: 'bins' }, [
    element('summary', {}, 'The 10 bins'),
    element('table', { 'aria-label': 'Confidence bins' }, [element('thead', {}, [head]), element('tbody', {}, rows)]),
  ]);
}
