// The calibration view in a real browser, outside VS Code: the page as its panel serves it (webviewHtml's strict
// CSP, the esbuild bundle, the media stylesheets, Dark Modern's variables; see harness.mjs), fed the view the
// extension computes for two runs of the sentiment prompt file. It reads the figures off the page, drives the
// export buttons and the bins with the keyboard, reloads, and saves test-artifacts/calibration-dark.png.
// Run: `node esbuild.js && node --test 'test/webview/*.test.mjs'` under Node 24 (scripts/ensure-node.sh).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeRunDir, root } from '../realEditor/editor.mjs';
import { bundleCore, openPage, postToPage, servePage } from './harness.mjs';

/*
 * The sentiment fixture's run as the integration test works it out (test/integration/suite/promptFiles.test.ts):
 * labels positive, negative, neutral; cases 3 and 7 wrong, accuracy 6/8, ECE 0.26, MCE .65. “After” a prompt change,
 * case 3 says neutral at .70 and case 7 neutral at .60: all right. Its bins: .55 (5), .60 (6), .70 .75 (7, mean
 * .725), .85 (8), .93 .96 .98 (9, mean .956667); ECE (.45 + .40 + 2 · .275 + .15 + 3 · .043333) / 8 = 1.68 / 8 = 0.21.
 */
const BEFORE = [[[0.85, 0.11, 0.04], 0], [[0.04, 0.93, 0.03], 1], [[0.65, 0.10, 0.25], 2], [[0.96, 0.03, 0.01], 0],
  [[0.10, 0.75, 0.15], 1], [[0.35, 0.10, 0.55], 2], [[0.20, 0.45, 0.35], 2], [[0.98, 0.01, 0.01], 0]];
const AFTER = BEFORE.map(([probabilities, truth], i) => [i === 2 ? [0.2, 0.1, 0.7] : i === 6 ? [0.1, 0.3, 0.6] : probabilities, truth]);

let runDir;
let site;
let browser;
let page;
let errors;
let view;

const text = (selector) => page.$$eval(selector, (elements) => elements.map((element) => element.textContent.trim()));
const posted = (kind) => page.evaluate((wanted) => window.__posted.filter((message) => message.kind === wanted), kind);

describe('calibration webview in Chromium', { timeout: 120_000 }, () => {
  before(async () => {
    fs.mkdirSync(path.join(root, '.cache', 'runs'), { recursive: true });
    runDir = makeRunDir('webview-calibration');
    const core = await bundleCore(runDir, ['webviewHtml', 'promptFiles/calibration', 'promptFiles/calibrationView']);
    const report = (cases) => core.calibrate(['positive', 'negative', 'neutral'], cases.map(([probabilities, truth], caseIndex) => ({ caseIndex, key: `case ${caseIndex}`, probabilities, truth })));
    view = core.calibrationView({
      title: 'Review sentiment', fileUri: 'file:///work/sentiment-classifier.prompt.yml', fileLabel: 'sentiment-classifier.prompt.yml',
      runs: [
        { name: 'before', caption: '26 Nov 2025, 16:02 · llama3.2', calibration: { report: report(BEFORE), excluded: [] } },
        { name: 'after', caption: '26 Nov 2025, 16:09 · llama3.2', calibration: { report: report(AFTER), excluded: [{ caseIndex: 8, reason: 'no expected value' }] } },
      ],
    });
    site = await servePage({ runDir, core, entry: 'src/webview/calibration/main.ts', sheets: ['common.css', 'calibration.css'], title: 'Calibration' });
    ({ browser, page, errors } = await openPage(runDir, site.url, { width: 1180, height: 1100 }));
  });

  after(async () => {
    await browser?.close();
    site?.close();
    if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
  });

  it('shows both runs\' figures side by side with the change and whether it is better', async () => {
    await postToPage(page, { kind: 'show', view });
    await page.waitForSelector('table.metrics tbody tr');
    assert.equal(await page.textContent('h2.title'), 'Calibration: Review sentiment');
    const rows = await page.$$eval('table.metrics tbody tr', (trs) => trs.map((tr) => [tr.querySelector('th span').textContent, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]));
    const row = (name) => rows.find(([first]) => first === name);
    assert.deepEqual(row('Labelled cases'), ['Labelled cases', '8', '8', '±0']);
    assert.deepEqual(row('Accuracy'), ['Accuracy', '75.00 %', '100.00 %', '+25.00 points (better)']);
    assert.deepEqual(row('Expected calibration error'), ['Expected calibration error', '0.260', '0.210', '−0.050 (better)']);
    assert.deepEqual(row('Largest bin gap'), ['Largest bin gap', '0.650', '0.450', '−0.200 (better)']);
    assert.equal(row('Brier score (binary)'), undefined, 'three labels: no binary Brier');
    assert.deepEqual(await text('.comparison'), ['8 cases in both runs: 2 fixed (wrong before, right after), 0 broken (right before, wrong after).']);
    assert.deepEqual(await text('.rough'), ['Rough estimate: 8 labelled cases (under 30).']);
    assert.deepEqual(await text('.run h3'), ['before', 'after']);
    assert.deepEqual(await text('.run .excluded'), ['Left out: case 9 (no expected value).']);
  });

  it('draws the reliability diagram and the histogram of each run as SVG, with their bins named', async () => {
    assert.equal(await page.$$eval('svg.calibration-chart', (charts) => charts.length), 4);
    const labels = await page.$$eval('.run:first-child svg.reliability .bin', (bins) => bins.map((bin) => bin.getAttribute('aria-label')));
    assert.deepEqual(labels.slice(0, 2), ['0.4–0.5: 1 case, accuracy 0 %, mean confidence 45.00 %', '0.5–0.6: 1 case, accuracy 100.00 %, mean confidence 55.00 %']);
    assert.equal(labels.at(-1), '0.9–1.0: 3 cases, accuracy 100.00 %, mean confidence 95.67 %');
    // The histogram's last bin holds 3 cases, the top of its axis (an even count): its bar is the plot's full height.
    const bar = await page.$eval('.run:first-child svg.histogram .bin:last-child rect.right', (rect) => rect.getBBox().height);
    assert.equal(bar, 228 * 3 / 4, 'three cases of an axis to 4');
    const colour = await page.$eval('.run:first-child svg.reliability rect.accuracy', (rect) => getComputedStyle(rect).fill);
    assert.equal(colour, 'rgb(55, 148, 255)', 'Dark Modern\'s --vscode-charts-blue');
  });

  it('exports from the keyboard and opens the bins table with it', async () => {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'export-csv');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press(' ');
    assert.deepEqual(await posted('export'), [{ kind: 'export', format: 'csv' }, { kind: 'export', format: 'json' }]);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'The 10 bins');
    await page.keyboard.press('Enter');
    const bins = await page.$$eval('.run:first-child details.bins tbody tr', (trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
    assert.equal(bins.length, 10);
    assert.deepEqual(bins[9], ['0.9–1.0', '3', '3', '100.00 %', '95.67 %']);
    assert.deepEqual(bins[6], ['0.6–0.7', '1', '0', '0 %', '65.00 %']);
    assert.ok(await page.$eval('.run:first-child details.bins', (details) => details.open));
  });

  it('refuses malformed messages and keeps what it shows', async () => {
    const broken = JSON.parse(JSON.stringify(view));
    broken.runs[0].reliability.children.push({ tag: 'script', attrs: {}, text: 'window.__owned = true' });
    await postToPage(page, { kind: 'show', view: broken });
    await postToPage(page, { kind: 'show', view: { ...view, title: '<img src=x onerror=alert(1)>', metrics: [] , runs: [] } });
    assert.equal(await page.textContent('h2.title'), 'Calibration: Review sentiment');
    assert.equal(await page.evaluate(() => window.__owned), undefined);
  });

  it('runs under its CSP with no violation, and comes back as it was after a reload', async () => {
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(errors, []);
    await page.reload();
    await page.waitForSelector('table.metrics tbody tr');
    assert.equal(await page.textContent('h2.title'), 'Calibration: Review sentiment');
    assert.equal(await page.$$eval('svg.calibration-chart', (charts) => charts.length), 4);
    const shot = path.join(root, 'test-artifacts', 'calibration-dark.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    assert.deepEqual(errors, []);
  });
});
