// The runs UI test, as a user: two answers to one prompt, a window reload that brings their colours back, the Runs
// view listing them, a comparison in the diff editor with the divergence explained, and an HTML export opened
// in a browser. Screenshots of the comparison and the export go into test-artifacts/ (and the README).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep } from './editor.mjs';
import { decorationColours, hoverText, quickOpen, runCommand, runSuite, screenshot, selectLine, startReplay, textBox, waitForText } from './workbench.mjs';

const PROMPT = 'What is the smallest continent?';
const FIRST = 'The smallest continent by land area is Australia.';
const SECOND = 'The smallest continent is Australia.';

export async function runRunsUi({ codeServer, runDir, log }) {
  const replay = await startReplay({ paceMs: 10 });
  return runSuite({
    name: 'ui-runs', cleanup: () => replay.close(),
    codeServer, runDir, log,
    files: { 'prompt.md': `${PROMPT}\n` },
    userSettings: { 'logprobLens.baseUrl': replay.baseUrl, 'logprobLens.model': 'gpt-4o-mini', 'files.simpleDialog.enable': true },
  }, async ({ page, workbench, check }) => {
    await quickOpen(page, 'prompt.md');
    await waitForText(page, PROMPT);
    replay.transcriptOverride = 'openai-chat-stream-top5-llamastack';
    await selectLine(page, PROMPT);
    await runCommand(page, 'Logprob Lens: Complete Selection');
    await waitForText(page, FIRST);
    replay.transcriptOverride = 'top5-other-ending';
    await runCommand(page, 'Logprob Lens: Re-run Last Request');
    await waitForText(page, SECOND);
    await page.keyboard.press('Control+S');
    await sleep(1500);

    await check('after a window reload both answers are coloured again and hover as before', async () => {
      await page.reload();
      await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      await waitForText(page, SECOND, 60_000);
      const deadline = Date.now() + 30_000;
      let colours = [];
      while (colours.length < 2 && Date.now() < deadline) {
        colours = await decorationColours(page);
        await sleep(250);
      }
      if (colours.length < 2) throw new Error(`saw ${colours.length} decoration colour(s) after the reload`);
      const hover = await hoverText(page, FIRST, FIRST.indexOf(' Australia') + 3);
      for (const expected of ['␣Australia', 'rank 1 of 5']) if (!hover.includes(expected)) throw new Error(`hover lacks “${expected}”: ${hover.slice(0, 300)}`);
    });

    await check('the Runs view lists both runs of the document, newest first', async () => {
      await page.mouse.move(5, 600);
      await page.keyboard.press('Escape');
      await runCommand(page, 'Logprob Lens: Focus on Runs View');
      await page.waitForSelector('.pane-body .monaco-list-row:has-text("gpt-4o-mini")', { timeout: 20_000 });
      const rows = await page.evaluate(() => [...document.querySelectorAll('.pane-body .monaco-list-row')].map((row) => row.textContent ?? ''));
      const runs = rows.filter((row) => row.includes('gpt-4o-mini'));
      if (runs.length !== 2) throw new Error(`rows: ${rows.join(' | ')}`);
      if (!rows.some((row) => row.includes('prompt.md'))) throw new Error(`no document row: ${rows.join(' | ')}`);
    });

    await check('Compare with the Previous Run opens the diff editor, both sides coloured, the divergence explained on hover', async () => {
      const newest = page.locator('.pane-body .monaco-list-row:has-text("gpt-4o-mini")').first();
      await newest.hover();
      await newest.locator('.action-label[aria-label*="Compare with the Previous Run"]').click();
      await page.waitForSelector('.monaco-diff-editor', { timeout: 20_000 });
      await page.waitForFunction(() => {
        const sides = [...document.querySelectorAll('.monaco-diff-editor .editor.original, .monaco-diff-editor .editor.modified')];
        return sides.length === 2 && sides.every((side) => side.querySelectorAll('.view-overlays [class*="ced-"]').length > 0);
      }, null, { timeout: 20_000 });
      const hover = await hoverText(page, SECOND, SECOND.indexOf(' is') + 1, '.monaco-diff-editor .editor.modified');
      for (const expected of ['First divergence', 'Left chose ␣by', 'Right chose ␣is', 'Common prefix: 3 tokens']) {
        if (!hover.replace(/`/g, '').includes(expected)) throw new Error(`divergence hover lacks “${expected}”: ${hover.slice(0, 500)}`);
      }
    });
    await screenshot(page, 'runs-compare.png');

    const exported = path.join(workbench.workspace, 'smallest-continent.html');
    await check('Export Run writes a self-contained HTML page for the answer at the cursor', async () => {
      await page.mouse.move(5, 600);
      await page.keyboard.press('Escape');
      await quickOpen(page, 'prompt.md');
      const box = await textBox(page, SECOND, 4, 5);
      await page.mouse.click(box.left + 1, box.top + box.height / 2);
      await runCommand(page, 'Logprob Lens: Export Run…');
      await page.waitForSelector('.quick-input-widget .monaco-list-row:has-text("HTML page")', { timeout: 10_000 });
      await page.keyboard.type('HTML page');
      await page.keyboard.press('Enter');
      // The save dialog (VS Code's simple one: a quick input holding a path) fills in its default, then lists the
      // folder; the path is typed once that has settled, and Enter waits until the input holds exactly it.
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      for (let attempt = 0; attempt < 5 && await input.inputValue() !== exported; attempt++) {
        await sleep(700);
        await input.fill(exported);
      }
      await sleep(500);
      await page.keyboard.press('Enter');
      const deadline = Date.now() + 15_000;
      while (!fs.existsSync(exported) && Date.now() < deadline) await sleep(200);
      const html = fs.readFileSync(exported, 'utf8');
      if (!html.includes('Australia') || /(?:src|href)=["']?https?:/i.test(html)) throw new Error('the page lacks the answer or loads something from outside');
    });

    await check('the exported page opens offline in a browser, coloured, each token\'s alternatives on keyboard focus', async () => {
      const context = await page.context().browser().newContext();
      const browserPage = await context.newPage();
      await browserPage.setViewportSize({ width: 1000, height: 640 });
      await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
      await browserPage.goto(`file://${exported}`);
      // The first token takes the focus; the arrow keys move through the tokens, each showing its alternatives.
      await browserPage.keyboard.press('Tab');
      for (let i = 0; i < 3; i++) await browserPage.keyboard.press('ArrowRight');
      await sleep(300);
      const focused = await browserPage.evaluate(() => ({ token: document.activeElement?.textContent ?? '', tip: document.getElementById('tip')?.hidden === false ? document.getElementById('tip').textContent : '' }));
      if (focused.token !== ' is') throw new Error(`the focus is on “${focused.token}”`);
      for (const expected of ['52.00 %', '48.00 %']) if (!focused.tip.includes(expected)) throw new Error(`the tooltip lacks ${expected}: ${focused.tip.slice(0, 200)}`);
      await screenshot(browserPage, 'export-html.png');
      await context.close();
    });
  });
}
