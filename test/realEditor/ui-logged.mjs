// The UI test of Open with Logprob Lens, as a user: right-click a HAR file in the explorer, choose a request in the
// quick pick, read the coloured document and its hover; right-click the tab of a file that is no response and read
// the refusal. Screenshots go to test-artifacts/logged-*.png.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { root, sleep } from './editor.mjs';
import { decorationColours, hoverText, quickOpen, runSuite, screenshot } from './workbench.mjs';

// The llama.cpp request of the HAR file (test/fixtures/logged/devtools-capture.har, entry 2) and what it holds.
const LLAMA_REQUEST = 'POST http://127.0.0.1:8080/completion';
const LLAMA_TEXT = 'овые щё';
const LLAMA_TITLE = 'llama.cpp ∕completion stream';
// A JSON file whose key is a link to a command: the refusal quotes it, and the notification must not link it.
const HOSTILE_JSON = '{"[run](command:git.clone)": 1, "b": 2}\n';

export async function runLoggedUi({ codeServer, runDir, log }) {
  return runSuite({
    name: 'ui-logged',
    codeServer, runDir, log,
    files: { 'capture.har': fs.readFileSync(path.join(root, 'test', 'fixtures', 'logged', 'devtools-capture.har')), 'notes.json': HOSTILE_JSON },
    userSettings: {},
  }, async ({ page, check }) => {
    await check('the explorer menu of a .har file offers Open with Logprob Lens, which lists its requests', async () => {
      await contextMenu(page, page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'capture.har' }), 'Open with Logprob Lens');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: LLAMA_REQUEST }).waitFor({ timeout: 15_000 });
      const rows = await page.locator('.quick-input-widget .monaco-list-row').allTextContents();
      if (rows.length !== 2 || !rows[0].includes('POST https://api.openai.com/v1/chat/completions') || !rows[1].includes('llama.cpp /completion stream')) {
        throw new Error(`quick pick rows: ${JSON.stringify(rows)}`);
      }
    });
    await screenshot(page, 'logged-har-pick.png');

    await check('the chosen request opens coloured, in a tab titled by its format', async () => {
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: LLAMA_REQUEST }).click();
      await page.waitForFunction((text) => document.querySelector('.monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ') === text, LLAMA_TEXT, { timeout: 15_000 });
      await page.locator('.tabs-container .tab.active', { hasText: LLAMA_TITLE }).waitFor({ timeout: 5000 });
      // All three tokens are near-certain: one bucket colour is expected.
      if ((await decorationColours(page)).length === 0) throw new Error('no decoration colour');
    });

    await check('hovering “ё” shows its recorded alternatives', async () => {
      const hover = await hoverText(page, LLAMA_TEXT, 6);
      // ё: logprob -0.0141 (98.60 %), then еч (-4.27) among its 10 alternatives.
      for (const expected of ['ё', '98.60 %', 'еч', 'rank 1 of 10']) {
        if (!hover.includes(expected)) throw new Error(`hover lacks “${expected}”: ${hover.slice(0, 300)}`);
      }
    });
    await screenshot(page, 'logged-har.png');

    await check('a file that is no response is refused from its tab\'s menu, inertly and with nothing opened', async () => {
      await page.mouse.move(5, 600);
      await page.keyboard.press('Escape');
      await quickOpen(page, 'notes.json');
      const tab = page.locator('.tabs-container .tab', { hasText: 'notes.json' });
      await tab.waitFor({ timeout: 15_000 });
      const tabsBefore = await page.locator('.tabs-container .tab').count();
      await contextMenu(page, tab, 'Open with Logprob Lens');
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'notes.json cannot be opened' });
      await toast.waitFor({ timeout: 15_000 });
      const message = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
      if (!message.includes('it is JSON with keys: [run] (command: git.clone), b.')) throw new Error(`the notification reads: ${message}`);
      const links = await toast.locator('.notification-list-item-message a').count();
      if (links > 0) throw new Error(`the notification has ${links} link(s)`);
      await sleep(500);
      const tabsAfter = await page.locator('.tabs-container .tab').count();
      if (tabsAfter !== tabsBefore) throw new Error(`${tabsAfter - tabsBefore} tab(s) opened`);
      // Shown whole for the screenshot.
      await toast.hover();
      await toast.locator('.codicon-notifications-expand').click().catch(() => undefined);
    });
    await screenshot(page, 'logged-refused.png');
  });
}

/**
 * Right-clicks `target` and chooses `item` in the context menu (the workbench draws it in a shadow root). The
 * menus of an installed extension appear once the remote extension host has reported it: until then the menu is
 * closed and opened again.
 */
async function contextMenu(page, target, item) {
  await target.waitFor({ timeout: 30_000 });
  const entry = page.getByRole('menuitem', { name: item });
  for (let attempt = 1; ; attempt++) {
    await target.click({ button: 'right' });
    try {
      await entry.waitFor({ timeout: 3000 });
      break;
    } catch (error) {
      if (attempt === 10) throw error;
      await page.keyboard.press('Escape');
      await sleep(1000);
    }
  }
  // A click as the menu settles can go unseen (the item highlights, the menu stays): then it is clicked again.
  for (let attempt = 1; attempt <= 3 && await entry.isVisible(); attempt++) {
    await entry.click({ timeout: 2000 }).catch(() => undefined);
    await entry.waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
  }
}
