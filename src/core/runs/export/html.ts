/**
 * The HTML export of a run: one self-contained page that opens offline in any browser. The answer coloured with
 * the default palette and a legend; each token's alternatives on hover and on keyboard focus (arrow keys move
 * between tokens); the run's model, prompt, settings and figures; light and dark themes; a print stylesheet.
 *
 * Safety: model and prompt text only ever reach the page escaped, or as JSON data that a tiny inline script
 * reads and shows with `textContent`. A Content-Security-Policy allows exactly the page's own style and script
 * (by hash) and nothing else: no network, no images, no other script.
 */
import { createHash } from 'node:crypto';
import { bucketLabel, bucketOf, DEFAULT_THRESHOLDS } from '../../buckets';
import { formatLogprob, formatPercent, formatPerplexity, visibleToken } from '../../format';
import { placementLogprob } from '../metrics';
import type { RunRecord } from '../runRecord';
import { systemPromptOf } from '../runRecord';
import { entropyBits, float32Decimal, rankedAlternatives, rankedScratch, rankIn } from '../runTokens';

/** `contributes.colors` logprobLens.confidence0..9 defaults (a unit test keeps them equal to package.json). */
export const DEFAULT_PALETTE = {
  dark: ['#f4433680', '#f4511e70', '#ff704366', '#ff980060', '#ffb30055', '#ffca2850', '#d4e15740', '#9ccc6538', '#66bb6a30', '#43a04718'],
  light: ['#e5393566', '#f4511e55', '#ff704350', '#fb8c004a', '#ffa72645', '#fdd83550', '#c0ca3340', '#9ccc6538', '#66bb6a30', '#43a04718'],
} as const;

export interface HtmlOptions {
  /** Bucket thresholds, as the user set them (the legend follows). Colours are by probability (rank mode is an editor view). */
  readonly thresholds?: readonly number[];
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Text for the page body: markup characters escaped, and control characters (other than tab and line breaks),
 * which HTML refuses or hides, shown as ⟨U+XXXX⟩. One pass: it runs once per token.
 */
const escapeBody = (text: string): string => text.replace(/[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => (
  c === '&' || c === '<' || c === '>' ? `&#${c.charCodeAt(0)};` : `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`));

/** JSON inside a `<script>` element: `<` escaped, so no text can close the element or open a comment. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const cspHash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export function runToHtml(record: RunRecord, options: HtmlOptions = {}): string {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const style = pageStyle();
  const script = pageScript();
  const title = `${record.endpoint.model} · ${record.document.name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspHash(style)}; script-src ${cspHash(script)}; base-uri 'none'; form-action 'none'">
<meta name="generator" content="Logprob Lens">
<title>${escapeHtml(title)} — Logprob Lens</title>
<style>${style}</style>
</head>
<body>
<main>
${header(record)}
${figures(record)}
<section class="answer-card" aria-labelledby="answer-heading">
<div class="answer-head"><h2 id="answer-heading">Answer</h2>${legend(thresholds)}</div>
<div id="answer" class="answer" role="group" aria-label="Answer tokens: use the arrow keys to move between tokens and read their alternatives">${answerSpans(record, thresholds)}</div>
<p class="hint">Hover a token, or focus the answer and use ← →, to see the alternatives the model considered.</p>
</section>
${promptSection(record)}
<footer>Made with Logprob Lens. Probabilities are the model's own logprobs; alternatives are those it returned (the top k), and entropy is computed over the returned alternatives, renormalised.</footer>
</main>
<div id="tip" class="tip" role="tooltip" hidden></div>
<script type="application/json" id="run-data">${scriptJson(tokenData(record))}</script>
<script>${script}</script>
</body>
</html>
`;
}

function header(record: RunRecord): string {
  const { endpoint, outcome } = record;
  const when = new Date(record.createdAt).toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const facts = [record.document.name, when, endpoint.host || undefined, `${endpoint.apiStyle} API`, kindLabel(record.kind)].filter((fact) => fact !== undefined);
  return `<header>
<p class="eyebrow">Logprob Lens · run</p>
<h1>${escapeHtml(endpoint.model)}${outcome === 'done' ? '' : ` <span class="badge">${escapeHtml(outcome)}</span>`}</h1>
<p class="facts">${facts.map(escapeHtml).join('<span aria-hidden="true"> · </span>')}</p>
</header>`;
}

const KIND_LABELS: Record<RunRecord['kind'], string> = {
  completion: 'completion', rerun: 're-run', score: 'scored text', logged: 'saved response', samples: 'sample',
  branch: 'branch', promptFile: 'prompt file case', classify: 'classification',
};

const kindLabel = (kind: RunRecord['kind']): string => KIND_LABELS[kind];

function figures(record: RunRecord): string {
  const { metrics, timings } = record;
  const cards: [string, string, string?][] = [
    ['Tokens', String(metrics.tokens)],
    ['Perplexity', formatPerplexity(metrics.perplexity)],
    ['Mean probability', formatPercent(metrics.meanProbability)],
    ['Uncertain', String(metrics.uncertain.count), `below ${+(metrics.uncertain.below * 100).toFixed(2)} %`],
    ['Mean entropy', metrics.meanEntropyBits === undefined ? 'n/a' : metrics.meanEntropyBits.toFixed(2), 'bits, top k'],
  ];
  if (timings.totalMs !== undefined) {
    cards.push(['Time', `${(timings.totalMs / 1000).toFixed(1)} s`, timings.firstTokenMs === undefined ? undefined : `first token ${Math.round(timings.firstTokenMs)} ms`]);
  }
  return `<section class="figures" aria-label="Figures">${cards.map(([name, value, note]) =>
    `<div class="figure"><div class="figure-name">${escapeHtml(name)}</div><div class="figure-value">${escapeHtml(value)}</div>${note ? `<div class="figure-note">${escapeHtml(note)}</div>` : ''}</div>`).join('')}</section>`;
}

/** A scale of the ten colours with the thresholds between them: "0 1 5 10 … 95 100 %". */
function legend(thresholds: readonly number[]): string {
  const percent = (p: number): string => String(+(p * 100).toFixed(2));
  const swatches = Array.from({ length: thresholds.length + 1 }, (_, bucket) =>
    `<span class="c${bucket}" title="${escapeHtml(bucketLabel(bucket, thresholds))}"></span>`).join('');
  const ticks = [0, ...thresholds].map((threshold, at) => `<span class="tick t${at}">${percent(threshold)}</span>`).join('');
  return `<div class="legend" role="img" aria-label="Colour scale of token probability, from below ${percent(thresholds[0]!)} % (red) to ${percent(thresholds.at(-1)!)}–100 % (green)">`
    + `<span class="legend-title">Token probability, %</span><span class="scale"><span class="swatches">${swatches}</span>`
    + `<span class="ticks">${ticks}<span class="tick end">100</span></span></span></div>`;
}

/** The answer text: one span per placement (coloured by its bucket), the text between placements as is. */
function answerSpans(record: RunRecord, thresholds: readonly number[]): string {
  const { text, placements, tokens } = record;
  const parts: string[] = [];
  let at = 0;
  for (let p = 0; p < placements.count; p++) {
    const start = placements.start[p]!;
    const end = placements.end[p]!;
    if (start > at) parts.push(escapeBody(text.slice(at, start)));
    const logprob = placementLogprob(tokens, placements, p);
    const colour = Number.isNaN(logprob) ? '' : ` class="c${bucketOf(Math.exp(logprob), thresholds)}"`;
    parts.push(`<span${colour}>${escapeBody(text.slice(start, end))}</span>`);
    at = end;
  }
  if (at < text.length) parts.push(escapeBody(text.slice(at)));
  return parts.join('');
}

function promptSection(record: RunRecord): string {
  const { request } = record;
  const system = systemPromptOf(request);
  const messages = request.messages.filter((message) => message.role !== 'system' || message.content !== system)
    .map((message) => `<div class="message"><div class="role">${escapeHtml(message.role === 'assistant' ? 'assistant (prefill)' : message.role)}</div><pre>${escapeBody(message.content)}</pre></div>`);
  const settings = settingChips(record);
  const length = request.messages.reduce((sum, message) => sum + message.content.length, 0);
  return `<section class="prompt-card" aria-labelledby="prompt-heading">
<h2 id="prompt-heading">Request</h2>
<ul class="chips">${settings.map((chip) => `<li>${chip}</li>`).join('')}</ul>
<details${length <= 4000 ? ' open' : ''}><summary>Prompt (${request.messages.length} message${request.messages.length === 1 ? '' : 's'}, ${length} characters)</summary>
${system === undefined ? '' : `<div class="message"><div class="role">system</div><pre>${escapeBody(system)}</pre></div>`}
${messages.join('\n')}
</details>
</section>`;
}

function settingChips(record: RunRecord): string[] {
  const { sampling, topLogprobs, extraBody } = record.request;
  const chip = (name: string, value: unknown): string => `<span class="chip-name">${escapeHtml(name)}</span> ${escapeHtml(value === undefined ? 'default' : typeof value === 'string' ? value : JSON.stringify(value))}`;
  return [
    chip('temperature', sampling.temperature),
    chip('top_p', sampling.topP),
    chip('max_tokens', sampling.maxTokens),
    ...(sampling.seed === undefined ? [] : [chip('seed', sampling.seed)]),
    ...(sampling.stop === undefined ? [] : [chip('stop', sampling.stop)]),
    ...(sampling.presencePenalty === undefined ? [] : [chip('presence_penalty', sampling.presencePenalty)]),
    ...(sampling.frequencyPenalty === undefined ? [] : [chip('frequency_penalty', sampling.frequencyPenalty)]),
    chip('alternatives', topLogprobs),
    ...Object.entries(extraBody).map(([name, value]) => chip(name, value)),
    ...(record.endpoint.profile ? [chip('profile', record.endpoint.profile)] : []),
  ];
}

/**
 * What the page script shows for each placement: `s` the visible form of every string, `p` each placement's
 * first token and count, `t` per token `[string, logprob, rank (0: not listed), entropy bits, coverage,
 * [alternative string, logprob, ...]]` with the alternatives ranked as in the hover.
 */
function tokenData(record: RunRecord): { s: string[]; p: number[]; t: unknown[] } {
  const { tokens, placements } = record;
  const ranked = rankedScratch();
  const t: unknown[] = [];
  for (let i = 0; i < tokens.count; i++) {
    const count = rankedAlternatives(tokens, i, ranked);
    const alternatives: (number | null)[] = [];
    let coverage = 0;
    for (let k = 0; k < count; k++) {
      alternatives.push(ranked.text[k]!, float32Decimal(ranked.logprob[k]!));
      coverage += Math.exp(ranked.logprob[k]!);
    }
    const logprob = tokens.logprob[i]!;
    t.push([tokens.text[i], Number.isNaN(logprob) ? null : logprob, rankIn(tokens, i, ranked, count) ?? 0,
      count > 0 ? Number(entropyBits(ranked, count).toFixed(2)) : 0, Number(Math.min(1, coverage).toPrecision(6)), alternatives]);
  }
  const p: number[] = [];
  for (let q = 0; q < placements.count; q++) p.push(placements.firstToken[q]!, placements.tokenCount[q]!);
  return { s: tokens.strings.map(visibleToken), p, t };
}

/**
 * The page's script. `formatPercent` and `formatLogprob` are the extension's own functions, inlined by their
 * source, so the page shows exactly the numbers the editor's hover does (a unit test runs them in the page form).
 * Long because it is the page's whole script as one template (hashed for the page's CSP), not logic of ours.
 */
function pageScript(): string {
  return `(function () {
'use strict';
var formatPercent = ${formatPercent.toString()};
var formatLogprob = ${formatLogprob.toString()};
var data = JSON.parse(document.getElementById('run-data').textContent);
var answer = document.getElementById('answer');
var tip = document.getElementById('tip');
var tokens = answer.children;
var active = 0;
function make(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
function probability(logprob) { return logprob === null ? undefined : Math.exp(logprob); }
function tokenSection(index, prefix) {
  var token = data.t[index], alternatives = token[5], k = alternatives.length / 2;
  var section = make('div', 'tip-token');
  var head = make('div', 'tip-head');
  if (prefix) head.appendChild(make('span', 'muted', prefix));
  head.appendChild(make('code', 'tok', data.s[token[0]] || '(empty)'));
  head.appendChild(make('strong', '', formatPercent(probability(token[1]))));
  head.appendChild(make('span', 'muted', 'logprob ' + formatLogprob(token[1] === null ? undefined : token[1])));
  head.appendChild(make('span', 'muted', k === 0 ? 'no alternatives returned' : token[2] ? 'rank ' + token[2] + ' of ' + k : 'not among the top ' + k));
  section.appendChild(head);
  if (k === 0) return section;
  var table = make('table');
  for (var a = 0; a < k; a++) {
    var logprob = alternatives[2 * a + 1], p = probability(logprob);
    var row = make('tr', a + 1 === token[2] ? 'chosen' : '');
    row.appendChild(make('td', 'mark', a + 1 === token[2] ? '▶' : ''));
    row.appendChild(make('td', '', '')).appendChild(make('code', 'tok', data.s[alternatives[2 * a]] || '(empty)'));
    row.appendChild(make('td', 'num', formatPercent(p)));
    row.appendChild(make('td', 'num muted', formatLogprob(logprob === null ? -Infinity : logprob)));
    var bar = make('span', 'bar');
    bar.style.width = Math.round(Math.min(1, p || 0) * 100) + '%';
    row.appendChild(make('td', 'bar-cell')).appendChild(bar);
    table.appendChild(row);
  }
  section.appendChild(table);
  section.appendChild(make('div', 'tip-foot', 'Top ' + k + ' cover ' + formatPercent(token[4]) + ' · entropy over the top ' + k + ' (renormalised): ' + token[3].toFixed(2) + ' bits'));
  return section;
}
function show(index) {
  var first = data.p[2 * index], count = data.p[2 * index + 1], span = tokens[index];
  tip.replaceChildren();
  for (var i = 0; i < count; i++) tip.appendChild(tokenSection(first + i, count > 1 ? 'Token ' + (i + 1) + ' of ' + count + ' ' : ''));
  tip.hidden = false;
  var box = span.getBoundingClientRect(), width = tip.offsetWidth, height = tip.offsetHeight;
  var left = Math.max(8, Math.min(box.left, document.documentElement.clientWidth - width - 8));
  var top = box.bottom + 6 + height > window.innerHeight && box.top - 6 - height > 0 ? box.top - 6 - height : box.bottom + 6;
  tip.style.left = (left + window.scrollX) + 'px';
  tip.style.top = (top + window.scrollY) + 'px';
}
function hide() { tip.hidden = true; }
function indexOf(node) { return Array.prototype.indexOf.call(tokens, node); }
function focusToken(index) {
  if (index < 0 || index >= tokens.length) return;
  tokens[active].tabIndex = -1;
  active = index;
  tokens[active].tabIndex = 0;
  tokens[active].focus();
}
for (var i = 0; i < tokens.length; i++) tokens[i].tabIndex = i === 0 ? 0 : -1;
answer.addEventListener('mouseover', function (event) { var index = indexOf(event.target); if (index >= 0) show(index); });
answer.addEventListener('mouseleave', function () { if (!answer.contains(document.activeElement)) hide(); });
answer.addEventListener('focusin', function (event) { var index = indexOf(event.target); if (index >= 0) { active = index; show(index); } });
answer.addEventListener('focusout', function (event) { if (!answer.contains(event.relatedTarget)) hide(); });
answer.addEventListener('keydown', function (event) {
  var moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  if (event.key in moves) focusToken(active + moves[event.key]);
  else if (event.key === 'Home') focusToken(0);
  else if (event.key === 'End') focusToken(tokens.length - 1);
  else if (event.key === 'Escape') hide();
  else return;
  event.preventDefault();
});
})();`;
}

/** The page's whole stylesheet as one template (hashed for its CSP), with the palette of package.json. */
function pageStyle(): string {
  const colours = (palette: readonly string[]): string => palette.map((colour, bucket) => `--c${bucket}:${colour};`).join('');
  return `
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--card:#f6f8fa;--border:#d1d9e0;--accent:#0969da;--tip:#ffffff;--bar:#0969da55;${colours(DEFAULT_PALETTE.light)}}
@media (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--card:#151b23;--border:#3d444d;--accent:#4493f8;--tip:#1c2128;--bar:#4493f866;${colours(DEFAULT_PALETTE.dark)}}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{margin:0;font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
main{max-width:940px;margin:0 auto;padding:32px 24px 48px}
h1{font-size:26px;line-height:1.25;margin:2px 0 6px;word-break:break-word}
h2{font-size:13px;letter-spacing:.06em;text-transform:uppercase;color:var(--muted);margin:0}
.eyebrow{margin:0;font-size:12px;font-weight:600;letter-spacing:.08em;text-transform:uppercase;color:var(--accent)}
.facts{margin:0;color:var(--muted);font-size:14px;word-break:break-word}
.badge{display:inline-block;margin-left:6px;padding:0 8px;border-radius:999px;font-size:12px;font-weight:600;background:var(--c2);color:var(--fg)}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:10px;margin:22px 0}
.figure{border:1px solid var(--border);border-radius:10px;padding:10px 14px;background:var(--card)}
.figure-name{font-size:12px;color:var(--muted)}
.figure-value{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
.figure-note{font-size:12px;color:var(--muted)}
.answer-card,.prompt-card{border:1px solid var(--border);border-radius:12px;padding:16px 20px;margin:0 0 18px;background:var(--bg)}
.answer-head{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:10px 24px;margin-bottom:12px}
.legend{display:flex;align-items:center;gap:12px;font-size:11px;color:var(--muted)}
.legend-title{white-space:nowrap}
.scale{display:block;width:300px;max-width:60vw;padding:0 10px}
.swatches{display:grid;grid-template-columns:repeat(10,1fr);height:12px;border:1px solid var(--border);border-radius:4px;overflow:hidden}
.ticks{display:block;position:relative;height:14px;margin-top:2px;font-variant-numeric:tabular-nums}
.tick{position:absolute;top:0;transform:translateX(-50%);white-space:nowrap}
${Array.from({ length: 10 }, (_, at) => `.t${at}{left:${at * 10}%}`).join('')}
.tick.end{left:100%}
${Array.from({ length: 10 }, (_, bucket) => `.c${bucket}{background:var(--c${bucket})}`).join('')}
.answer{font:14px/1.75 ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;white-space:pre-wrap;overflow-wrap:anywhere;tab-size:4}
.answer span{border-radius:3px;cursor:default;box-decoration-break:clone;-webkit-box-decoration-break:clone}
.answer span:hover,.answer span:focus{outline:2px solid var(--accent);outline-offset:0}
.answer:focus-within{outline:none}
.hint{margin:12px 0 0;font-size:12px;color:var(--muted)}
.chips{display:flex;flex-wrap:wrap;gap:6px;list-style:none;margin:12px 0;padding:0}
.chips li{border:1px solid var(--border);border-radius:999px;padding:2px 10px;font-size:13px;background:var(--card);word-break:break-all}
.chip-name{color:var(--muted)}
details summary{cursor:pointer;color:var(--muted);font-size:13px}
.message{margin-top:10px}
.role{font-size:11px;font-weight:600;letter-spacing:.06em;text-transform:uppercase;color:var(--muted)}
.message pre{margin:4px 0 0;padding:10px 12px;border-radius:8px;background:var(--card);font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
footer{font-size:12px;color:var(--muted);margin-top:24px}
.tip{position:absolute;z-index:10;max-width:min(460px,calc(100vw - 16px));padding:10px 12px;border:1px solid var(--border);border-radius:10px;background:var(--tip);box-shadow:0 8px 24px #0003;font-size:13px}
.tip-token+.tip-token{margin-top:10px;padding-top:10px;border-top:1px solid var(--border)}
.tip-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 10px;margin-bottom:6px}
.tip code.tok{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--card);border:1px solid var(--border);border-radius:4px;padding:0 4px;white-space:pre-wrap;overflow-wrap:anywhere}
.tip table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
.tip td{padding:1px 6px;vertical-align:middle}
.tip td.num{text-align:right;white-space:nowrap}
.tip td.mark{width:1em;color:var(--accent);padding:0}
.tip tr.chosen td{font-weight:600}
.bar-cell{width:72px}
.bar{display:block;height:8px;border-radius:4px;background:var(--bar);min-width:1px}
.tip-foot{margin-top:6px;font-size:12px;color:var(--muted)}
.muted{color:var(--muted)}
@media print{
:root{--bg:#fff;--fg:#000;--muted:#444;--card:#f6f8fa;--border:#bbb;${colours(DEFAULT_PALETTE.light)}}
html,body{background:#fff;color:#000}
main{max-width:none;padding:0}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.tip,.hint{display:none!important}
.answer-card,.prompt-card,.figure{break-inside:avoid-page;box-shadow:none}
.answer-card{break-inside:auto}
details>summary{list-style:none}
}
`;
}
