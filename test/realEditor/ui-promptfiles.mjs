// The prompt-file UI test, as a user: the VSIX installed in code-server, a workspace holding the sentiment prompt
// file, the file opened, its “Run all” CodeLens clicked, the results read off the editor (coloured answers), the
// Calibration lens clicked and the calibration view's DOM read through the webview's frames, the file run again for
// a before/after view. Screenshots of both go to test-artifacts/ for the README.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { root, sleep } from './editor.mjs';
import { decorationColours, quickOpen, runCommand, runSuite, screenshot, startReplay } from './workbench.mjs';

const require = createRequire(import.meta.url);
const FILE = 'sentiment-classifier.prompt.yml';

export async function runPromptFilesUi({ codeServer, runDir, log }) {
  const { PROMPT_CASES_MODEL } = require(path.join(root, 'out', 'test', 'support', 'promptCaseAnswers.js'));
  const replay = await startReplay({ paceMs: 60 });
  return runSuite({
    name: 'ui-promptfiles', cleanup: () => replay.close(),
    codeServer, runDir, log, viewport: { width: 1440, height: 980 },
    files: { [FILE]: fs.readFileSync(path.join(root, 'test', 'fixtures', 'prompt-files', FILE), 'utf8') },
    userSettings: {
      'logprobLens.baseUrl': replay.baseUrl, 'logprobLens.model': PROMPT_CASES_MODEL, 'editor.fontSize': 14,
      'workbench.activityBar.location': 'hidden', 'breadcrumbs.enabled': false, 'git.enabled': false,
    },
    onFailure: async (page) => {
      const notes = await page.evaluate(() => [...document.querySelectorAll('.notification-list-item')].map((item) => item.getAttribute('aria-label') ?? item.textContent));
      for (const note of notes) log(`notification: ${note}`);
    },
  }, async ({ page, check }) => {
    await page.keyboard.press('Control+B'); // the explorer away: the prompt file and its results side by side
    await quickOpen(page, FILE);

    await check('the prompt file shows a “Run all 8 cases” CodeLens and one per case', async () => {
      await page.waitForSelector('.codelens-decoration a:has-text("Run all 8 cases")', { timeout: 30_000 });
      const titles = await page.$$eval('.codelens-decoration a', (links) => links.map((link) => link.textContent.trim()));
      if (!titles.includes('Run case 1') || !titles.includes('Run case 3')) throw new Error(`lenses: ${titles.join(' | ')}`);
    });
    await runAll(page, replay);

    await check('the results open beside, with the summary and the calibration line', () => page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .view-lines')]
      .some((lines) => lines.textContent.replace(/\u00a0/g, ' ').includes('Classification over 8 labelled cases: accuracy 75.00 %')), null, { timeout: 60_000 }));
    await check('every case\'s request went out, two at a time', async () => {
      if (replay.requests.length !== 8) throw new Error(`${replay.requests.length} requests`);
      if (replay.maxInFlight !== 2) throw new Error(`${replay.maxInFlight} at once`);
    });
    await check('the answers in the results are coloured by confidence, each in its own colour', async () => {
      // Scrolled through page by page: the answers of all eight cases pass on screen.
      // The untitled results are labelled with their first line, the file's name.
      await page.click('.tab:has-text("Review sentiment"):not(:has-text("Calibration"))');
      const colours = new Set();
      for (let step = 0; step < 12; step++) {
        for (const colour of await decorationColours(page)) colours.add(colour);
        await page.keyboard.press('PageDown');
        await sleep(200);
      }
      await page.keyboard.press('Control+Home');
      if (colours.size < 3) throw new Error(`saw ${colours.size} decoration colour(s): ${[...colours].join(' ')}`);
    });
    await page.mouse.move(5, 500);
    await sleep(500);
    await screenshot(page, 'prompt-file-results.png');

    const calibration = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await check('a Calibration lens opens the calibration view, whose figures read as computed', async () => {
      await clickLens(page, 'Calibration', () => page.locator('iframe.webview.ready').count().then((count) => count > 0));
      await calibration.locator('table.metrics tbody tr').first().waitFor({ timeout: 30_000 });
      const rows = await calibration.locator('table.metrics tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th span').textContent, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]));
      const row = (name) => JSON.stringify(rows.find(([first]) => first === name));
      if (row('Accuracy') !== JSON.stringify(['Accuracy', '75.00 %'])) throw new Error(`accuracy row ${row('Accuracy')}`);
      if (row('Expected calibration error') !== JSON.stringify(['Expected calibration error', '0.260'])) throw new Error(`ECE row ${row('Expected calibration error')}`);
      const rough = await calibration.locator('.rough').textContent();
      if (rough !== 'Rough estimate: 8 labelled cases (under 30).') throw new Error(`rough note: ${rough}`);
      if (await calibration.locator('svg.calibration-chart').count() !== 2) throw new Error('two charts for one run');
    });

    await check('after an edit of the prompt, a second run shows before and after side by side', async () => {
      // The user adds a sentence to the system prompt, saves, and runs the file again.
      await page.click('.view-line span:has-text("You classify product reviews")');
      await page.keyboard.press('End');
      await page.keyboard.type(' Say neutral when the review only states facts.');
      await page.keyboard.press('Control+S');
      await runAll(page, replay);
      // The second results document opened over the view: back to its tab, as a user would.
      await page.click('.tab:has-text("Calibration: Review sentiment")');
      await calibration.locator('.run h3 >> nth=1').waitFor({ timeout: 30_000 });
      const names = await calibration.locator('.run h3').allTextContents();
      if (names.join() !== 'before,after') throw new Error(`runs: ${names.join(', ')}`);
      const accuracy = await calibration.locator('table.metrics tbody tr:has(th > span:text-is("Accuracy")) td').allTextContents();
      if (accuracy.join(' | ') !== '75.00 % | 87.50 % | +12.50 points (better)') throw new Error(`accuracy: ${accuracy.join(' | ')}`);
      const comparison = await calibration.locator('.comparison').textContent();
      if (comparison !== '8 cases in both runs: 1 fixed (wrong before, right after), 0 broken (right before, wrong after).') throw new Error(`comparison: ${comparison}`);
    });
    // A double click on its tab gives the view the whole width, as VS Code does by default.
    await page.dblclick('.tab:has-text("Calibration: Review sentiment")');
    await page.mouse.move(5, 500);
    await sleep(800);
    await screenshot(page, 'calibration.png');
  });
}

/** Clicks the file's “Run all” lens and waits for the run's last word (the notification that says it is done). */
async function runAll(page, replay) {
  const sent = replay.requests.length;
  await clickLens(page, 'Run all 8 cases', async () => replay.requests.length > sent);
  const done = page.locator('.notification-toast:has-text("The calibration of this classification prompt is ready")');
  await done.waitFor({ timeout: 60_000 });
  await runCommand(page, 'Notifications: Clear All Notifications');
}

/**
 * Clicks a CodeLens by its title until `happened` says it took effect. The editor redraws its lenses when they are
 * queried again (after the extension starts, or its lenses change), and a click that lands on a lens being
 * replaced does nothing: a user clicks again, and so does this.
 */
async function clickLens(page, title, happened) {
  for (let attempt = 0; attempt < 4; attempt++) {
    await page.click(`.codelens-decoration a:has-text("${title}")`, { timeout: 20_000 });
    for (let waited = 0; waited < 10_000; waited += 250) {
      if (await happened()) return;
      await sleep(250);
    }
  }
  throw new Error(`the “${title}” lens did nothing after four clicks`);
}
