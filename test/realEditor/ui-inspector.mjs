// The token inspector as a user meets it: the packaged extension in code-server's workbench. Completes a prompt,
// hovers a token and clicks the hover's Inspect link, then closes the panel; puts the cursor on a token and opens
// Token Inspector from the palette, reads the chart inside the webview's frames (iframe.webview → #active-frame),
// moves the temperature slider with the keyboard and checks the numbers against src/core/sampling.ts, types a top-k,
// applies, and checks the next request's body; then switches the colours to margin (in the workspace's
// .vscode/settings.json) and checks the decorations, the gutter mark and Next Uncertain Token. Last, the panel must
// come back after a window reload (its serializer). Screenshots go to test-artifacts/: inspector-from-hover.png,
// inspector.png (the README's) and inspector-margin.png.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { root, sleep } from './editor.mjs';
import { hoverText, quickOpen, runCommand, runSuite, screenshot, selectLine, startReplay, textBox } from './workbench.mjs';

const require = createRequire(import.meta.url);
const core = (name) => require(path.join(root, 'out', 'src', 'core', `${name}.js`));

const FOUR = { prompt: 'What is 4+4?', recording: 'azure-openai-chat-stream-top3-llamastack', answer: '4 + 4 = 8' };
const CONTINENT = { prompt: 'What is the smallest continent?', recording: 'openai-chat-stream-top5-llamastack', answer: 'The smallest continent by land area is Australia.' };

export async function runInspectorUi({ codeServer, runDir, log }) {
  const replay = await startReplay({ paceMs: 20 });
  return runSuite({
    name: 'ui-inspector', cleanup: () => replay.close(),
    codeServer, runDir, log, viewport: { width: 1440, height: 860 },
    files: { 'prompts.md': `${FOUR.prompt}\n\n${CONTINENT.prompt}\n` },
    userSettings: {
      // A profile made from the vLLM preset, by its name: vLLM takes top_k, so Apply can send it.
      'logprobLens.endpoints': { vLLM: { baseUrl: replay.baseUrl, model: 'replayed' } }, 'logprobLens.endpoint': 'vLLM',
      'workbench.activityBar.location': 'hidden',
    },
  }, async ({ page, workbench, check }) => {
    await runCommand(page, 'View: Close Primary Side Bar');
    await quickOpen(page, 'prompts.md');
    await page.waitForFunction((text) => document.querySelector('.monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ').includes(text), FOUR.prompt, { timeout: 30_000 });
    await complete(page, replay, FOUR);
    const [, plus, , , equals] = recordedTokens(FOUR.recording);

    await check('the hover\'s Inspect link opens the inspector on that token', async () => {
      // The cursor on " =": only the link can bring the inspector (and the cursor) to " +".
      await clickInto(page, FOUR.answer, 6);
      await hoverText(page, FOUR.answer, 2);
      const ours = page.locator('.monaco-hover .rendered-markdown', { hasText: ' · logprob ' }).filter({ hasText: '␣plus' });
      await ours.locator('a', { hasText: /^Inspect$/ }).click();
      const frame = inspectorFrame(page);
      await frame.locator('header .token', { hasText: /^␣\+$/ }).waitFor({ timeout: 20_000 });
      const rows = await chartRows(frame);
      expectEqual(rows.slice(0, 3).map((row) => row.label), ['␣+', '+', '␣plus'], 'labels');
      expectEqual(rows.slice(0, 3).map((row) => row.numbers), expectedNumbers(plus, {}), 'numbers');
      // e^-0.0297513 = 0.97069, e^-3.5297513 = 0.02931, e^-14.029751 = 8.07e-7.
      expectEqual(rows.slice(0, 3).map((row) => row.numbers), ['97.07 % → 97.07 %', '2.93 % → 2.93 %', '<0.0001 % → <0.0001 %'], 'by hand');
      // Line 3 is the answer; " +" starts at its second character.
      await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')].some((item) => /^Ln 3, Col 2$/.test((item.textContent ?? '').trim())), null, { timeout: 10_000 });
    });
    await page.mouse.move(700, 840);
    await screenshot(page, 'inspector-from-hover.png');
    // The palette's check below opens the panel anew.
    await page.locator('.tabs-container .tab', { hasText: 'Token Inspector' }).locator('.tab-actions .action-label').click();
    await page.locator('iframe.webview').waitFor({ state: 'detached', timeout: 10_000 });

    await check('Open Token Inspector shows the alternatives of the token at the cursor, as the core computes them', async () => {
      await clickInto(page, FOUR.answer, 6);
      await runCommand(page, 'Logprob Lens: Open Token Inspector');
      const frame = inspectorFrame(page);
      await frame.locator('.bar-chart .bar-row').first().waitFor({ timeout: 20_000 });
      const rows = await chartRows(frame);
      expectEqual(rows.slice(0, 3).map((row) => row.label), ['␣=', '␣equals', '␣is'], 'labels');
      expectEqual(rows.slice(0, 3).map((row) => row.numbers), expectedNumbers(equals, {}), 'numbers');
      expectEqual(rows[0].numbers, '61.99 % → 61.99 %', 'e^-0.478262 = 0.61986, unchanged at neutral settings');
      expectEqual(await frame.locator('header .token').textContent(), '␣=', 'the heading');
    });

    await check('the temperature slider moves with the keyboard and the numbers follow sampling.ts', async () => {
      const frame = inspectorFrame(page);
      await frame.locator('#control-temperature-slider').focus();
      for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowLeft');
      expectEqual(await frame.locator('#control-temperature-slider').inputValue(), '0.5', 'ten steps of 0.05 down from 1');
      const rows = await chartRows(frame);
      expectEqual(rows.slice(0, 3).map((row) => row.numbers), expectedNumbers(equals, { temperature: 0.5 }), 'numbers at T = 0.5');
      // 0.61986² / (0.61986² + 0.37596² + 0.00418²) = 0.38423 / 0.52559 = 0.73103.
      expectEqual(rows[0].numbers, '61.99 % → 73.10 %', 'by hand');
    });

    await check('a top-k typed in its field cuts the third alternative, and Apply says what the next run sends', async () => {
      const frame = inspectorFrame(page);
      await frame.locator('#control-topK').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('2');
      const rows = await chartRows(frame);
      expectEqual(rows.slice(0, 3).map((row) => row.numbers), expectedNumbers(equals, { temperature: 0.5, topK: 2 }), 'numbers at T = 0.5, top-k 2');
      await frame.locator('#apply').focus();
      await page.keyboard.press('Enter');
      await frame.locator('.apply .note', { hasText: 'Next run: temperature 0.5, top_k 2.' }).waitFor({ timeout: 5000 });
      // The extension confirms once the settings are written.
      await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')].some((item) => (item.textContent ?? '').includes('Next run: temperature 0.5, top_k 2; written to your user settings.')), null, { timeout: 10_000 });
    });
    await page.mouse.move(700, 840);
    await screenshot(page, 'inspector.png');

    await check('the next request carries the applied temperature and top_k', async () => {
      const before = replay.requests.length;
      await complete(page, replay, CONTINENT);
      const body = replay.requests.at(-1)?.body;
      if (replay.requests.length !== before + 1) throw new Error(`${replay.requests.length - before} requests`);
      expectEqual([body?.temperature, body?.top_k, body && 'top_p' in body, body && 'min_p' in body], [0.5, 2, false, false], 'the body');
    });

    await check('in margin mode the decorations, the gutter mark and Next Uncertain Token follow the margin', async () => {
      // " =": 62.0 % is probability bucket 6; its margin 0.619860 − 0.375964 = 0.2439 is margin bucket 5 ([0.2, 0.3)).
      await expectBackground(page, FOUR.answer, 5, 'logprobLens.confidence6');
      writeWorkspaceSettings(workbench.workspace, { 'logprobLens.colourBy': 'margin', 'logprobLens.uncertainMargin': 0.3, 'logprobLens.gutterMarks': true });
      await expectBackground(page, FOUR.answer, 5, 'logprobLens.confidence5');
      await waitForGutterMark(page, FOUR.answer);
      // The only margin below 0.3 in either answer is " =" (the next smallest is 0.9244, " by").
      await clickInto(page, FOUR.prompt, 0);
      await page.keyboard.press('Control+Home');
      await runCommand(page, 'Logprob Lens: Next Uncertain Token');
      await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')].some((item) => /Ln 3, Col 8 \(2 selected\)/.test(item.textContent ?? '')), null, { timeout: 10_000 });
      const frame = inspectorFrame(page);
      await frame.locator('.value', { hasText: 'margin 24.4 points (near tie)' }).waitFor({ timeout: 10_000 });
      await frame.locator('h3', { hasText: 'Whole answer, by margin' }).waitFor({ timeout: 10_000 });
    });
    await page.mouse.move(700, 840);
    await screenshot(page, 'inspector-margin.png');

    await check('the panel comes back after a window reload, its controls at the applied settings', async () => {
      await runCommand(page, 'File: Save');
      await page.reload();
      await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      const frame = inspectorFrame(page);
      await frame.locator('#control-temperature-slider').waitFor({ timeout: 30_000 });
      // The page first shows the state VS Code kept for it, then the settings the extension sends when it is ready.
      const controls = async () => [await frame.locator('#control-temperature-slider').inputValue(), await frame.locator('#control-topK-slider').inputValue()];
      const deadline = Date.now() + 15_000;
      while (JSON.stringify(await controls()) !== '["0.5","2"]' && Date.now() < deadline) await sleep(200);
      expectEqual(await controls(), ['0.5', '2'], 'the controls');
    });
  });
}

/** Selects the prompt's line, runs Complete Selection from the palette, and waits for the answer on screen. */
async function complete(page, replay, { prompt, recording, answer }) {
  replay.transcriptOverride = recording;
  await selectLine(page, prompt);
  await runCommand(page, 'Logprob Lens: Complete Selection');
  await page.waitForFunction((text) => document.querySelector('.monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ').includes(text), answer, { timeout: 30_000 });
}

/** Clicks just inside the left edge of character `at` of `text`: the cursor lands before that character. */
async function clickInto(page, text, at) {
  const box = await textBox(page, text, at, at + 1);
  await page.mouse.click(box.left + 1, box.top + box.height / 2);
}

/** The inspector page: the workbench's webview element, then the frame VS Code loads the page into. */
function inspectorFrame(page) {
  return page.locator('iframe.webview').last().contentFrame().locator('#active-frame').contentFrame();
}

async function chartRows(frame) {
  return frame.locator('.bar-chart .bar-row').evaluateAll((groups) => groups.map((group) => ({
    label: group.querySelector('.label').textContent,
    numbers: group.querySelector('.numbers').textContent,
  })));
}

/** A recording's tokens as the extension reads them. */
function recordedTokens(recording) {
  const { readLogged } = require(path.join(root, 'out', 'src', 'core', 'logged', 'index.js'));
  const text = fs.readFileSync(path.join(root, 'test', 'fixtures', 'providers', `${recording}.sse.txt`), 'utf8');
  const read = readLogged(text);
  if (read.kind !== 'answer') throw new Error(`${recording} reads as ${read.kind}, not an answer`);
  return read.deltas.flatMap((delta) => delta.tokens);
}

/** What the first rows must say under these settings, computed by src/core/sampling.ts. */
function expectedNumbers(token, settings) {
  const { distributionOf, NEUTRAL_SETTINGS, whatIf } = core('sampling');
  const { formatPercent } = core('format');
  const distribution = distributionOf(token, token.top_logprobs);
  const result = whatIf(distribution, { ...NEUTRAL_SETTINGS, ...settings });
  return distribution.candidates.map((candidate, i) => `${formatPercent(candidate.probability)} → ${result.cuts[i] === 'topK' ? 'cut by top-k' : formatPercent(result.probabilities[i])}`);
}

function expectEqual(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

/** Writes the workspace's .vscode/settings.json, as a user (or a repository) would; the workbench picks it up. */
function writeWorkspaceSettings(workspace, values) {
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(values, null, 2));
}

/** Waits until the decoration under character `at` of `text` has the dark-theme default of a colour of ours. */
async function expectBackground(page, text, at, colourId) {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const hex = manifest.contributes.colors.find((colour) => colour.id === colourId).defaults.dark;
  const [r, g, b, a] = [1, 3, 5, 7].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const box = await textBox(page, text, at, at + 1);
  await page.waitForFunction(([x, y, wanted]) => [...document.querySelectorAll('.monaco-editor .view-overlays [class*="ced-"]')].some((element) => {
    const rect = element.getBoundingClientRect();
    const colour = /rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)/.exec(getComputedStyle(element).backgroundColor);
    return colour && x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom
      && [1, 2, 3].every((i) => Number(colour[i]) === wanted[i - 1]) && Math.abs(Number(colour[4] ?? 1) - wanted[3]) < 0.01;
  }), [box.left + box.width / 2, box.top + box.height / 2, [r, g, b, a / 255]], { timeout: 10_000 });
}

/** Waits for our gutter icon in the margin, on the line of `text`. */
async function waitForGutterMark(page, text) {
  const box = await textBox(page, text, 0, 1);
  await page.waitForFunction(([top, bottom]) => [...document.querySelectorAll('.monaco-editor .margin [class*="ced-"]')].some((element) => {
    const rect = element.getBoundingClientRect();
    return getComputedStyle(element).backgroundImage.includes('uncertain-dark.svg') && rect.top < bottom && rect.bottom > top;
  }), [box.top, box.top + box.height], { timeout: 10_000 });
}
