// What every UI suite does as a user: the packaged extension installed into code-server, a workspace with files,
// the workbench open in Chromium, the palette driven by command titles, text found on screen, hovers read.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { launchBrowser, root, sleep, startCodeServer, withTimeout } from './editor.mjs';

const require = createRequire(import.meta.url);
export const artifacts = path.join(root, 'test-artifacts');

/** The look every screenshot shares: Dark Modern, no minimap, a quiet layout. */
export const SCREENSHOT_SETTINGS = {
  'editor.fontSize': 15, 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false, 'window.commandCenter': false,
  'workbench.layoutControl.enabled': false, 'editor.hover.delay': 150, 'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // The run folders are inside the repository: the git extension would offer to open it in a toast.
  'git.openRepositoryInParentFolders': 'never',
};

/** The replay server of test/support (built by tsc into out/). */
export function startReplay(options) {
  const { startReplayServer } = require(path.join(root, 'out', 'test', 'support', 'replayServer.js'));
  return startReplayServer(options);
}

/**
 * Packages the VSIX, installs it with `code-server --install-extension`, writes `files` into a fresh workspace,
 * starts code-server with `userSettings` and opens the workbench. `close()` ends it all.
 */
export async function openWorkbench({ codeServer, runDir, log, files, userSettings, viewport = { width: 1280, height: 760 } }) {
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
  const workspace = path.join(runDir, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(workspace, name), content);
  const server = await startCodeServer({ codeServer, runDir, folder: workspace, extensionsDir, userSettings: { ...SCREENSHOT_SETTINGS, ...userSettings } });
  let browser;
  try {
    browser = await launchBrowser(runDir);
    const page = await browser.newPage({ viewport });
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await sleep(2000);
    return {
      page, workspace, url,
      close: async () => {
        await browser.close().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw error;
  }
}

/** Named checks: each passes or fails on its own, logged as it goes. */
export function checker(log) {
  const results = [];
  return {
    check: async (name, body) => {
      try {
        await body();
        results.push([name, true]);
        log(`✔ ${name}`);
      } catch (error) {
        results.push([name, false]);
        log(`✘ ${name}: ${error.message}`);
      }
    },
    summary: () => ({ passed: results.filter(([, ok]) => ok).length, failed: results.filter(([, ok]) => !ok).length }),
  };
}

/** Saves a screenshot into test-artifacts/. */
/**
 * Runs one UI suite in a fresh workbench: opens it with `options` (openWorkbench's), runs `body` with the page,
 * the workbench and `check`, and returns the checks' summary. When opening or a step outside a check throws, it
 * saves test-artifacts/<name>-failure.png and runs `onFailure(page)` (more to log); it always closes the workbench,
 * then runs `cleanup` (the replay server).
 */
export async function runSuite({ name, cleanup, onFailure, ...options }, body) {
  const { check, summary } = checker(options.log);
  let workbench;
  try {
    workbench = await openWorkbench(options);
    await body({ page: workbench.page, workbench, check });
  } catch (error) {
    const shot = `${name}-failure.png`;
    if (workbench) {
      await screenshot(workbench.page, shot).catch(() => undefined);
      await onFailure?.(workbench.page).catch(() => undefined);
    }
    throw new Error(`${error.message} (screenshot: test-artifacts/${shot})`);
  } finally {
    await workbench?.close();
    await cleanup?.();
  }
  return summary();
}

export async function screenshot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, name) });
}

export function packageVsix(runDir) {
  const out = path.join(runDir, 'logprob-lens.vsix');
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const built = spawnSync(process.execPath, [path.join(root, 'esbuild.js'), '--production'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`esbuild failed: ${built.stderr}`);
  const packaged = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (packaged.status !== 0) throw new Error(`vsce package failed:\n${packaged.stdout}\n${packaged.stderr}`);
  return out;
}

/** Opens the quick input with `key` (Ctrl+P: files, F1: commands), types `text` and picks the row showing it. */
export async function pick(page, key, text) {
  await page.keyboard.press(key);
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 15_000 });
  await page.keyboard.type(text);
  await page.waitForSelector(`.quick-input-widget .monaco-list-row:has-text("${text}")`, { timeout: 15_000 });
  await page.keyboard.press('Enter');
}

export const quickOpen = (page, file) => pick(page, 'Control+P', file);
export const runCommand = (page, title) => pick(page, 'F1', title);

/** Waits until the editor shows `text`. */
export function waitForText(page, text, timeout = 30_000) {
  return page.waitForFunction((wanted) => [...document.querySelectorAll('.monaco-editor .view-lines')]
    .some((lines) => lines.textContent.replace(/\u00a0/g, ' ').includes(wanted)), text, { timeout });
}

/** The distinct background colours of decorations in the editors, optionally within one editor's root element. */
export function decorationColours(page, selector = '.monaco-editor') {
  return page.evaluate((editorSelector) => {
    const found = new Set();
    for (const editor of document.querySelectorAll(editorSelector)) {
      for (const element of editor.querySelectorAll('.view-overlays [class*="ced-"]')) {
        const colour = getComputedStyle(element).backgroundColor;
        if (colour && colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') found.add(colour);
      }
    }
    return [...found];
  }, selector);
}

/** Selects the line holding `text` with the mouse (click at its start, shift-click at its end), as a user would. */
export async function selectLine(page, text) {
  const box = await textBox(page, text, 0, text.length);
  await page.mouse.click(box.left + 1, box.top + box.height / 2);
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
}

/** Moves the mouse onto character `at` of `text` in the editor and returns the hover's text. */
export async function hoverText(page, text, at, within = '') {
  await page.mouse.move(5, 600);
  await sleep(300);
  const box = await textBox(page, text, at, at + 1, within);
  await page.mouse.move(box.left + box.width / 2, box.top + box.height / 2);
  await page.waitForSelector('.monaco-hover .rendered-markdown', { state: 'visible', timeout: 10_000 });
  await sleep(300);
  return withTimeout('reading the hover', 5000, () => page.evaluate(() => [...document.querySelectorAll('.monaco-hover .rendered-markdown')].map((element) => element.textContent).join('\n')));
}

/** Screen box of characters [from, to) of `text` in the editor's rendered lines (inside `within`, a CSS selector prefix). */
export async function textBox(page, text, from, to, within = '') {
  const box = await page.evaluate(([wanted, start, end, scope]) => {
    for (const line of document.querySelectorAll(`${scope} .monaco-editor .view-lines .view-line`)) {
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
  }, [text, from, to, within]);
  if (!box) throw new Error(`“${text}” is not on screen`);
  return box;
}

/**
 * What the anchors of Logprob Lens's hover part point at: their data-href (where VS Code keeps a link's target; the
 * href it leaves is empty), else their href. Our part is the one that shows a logprob; other parts of the same
 * hover are VS Code's own (in a markdown file, the link detector's "Execute command" for link text the model wrote).
 */
export function hoverLinks(page) {
  return page.evaluate(() => [...document.querySelectorAll('.monaco-hover .rendered-markdown')]
    .filter((part) => / · logprob /.test(part.textContent ?? ''))
    .flatMap((part) => [...part.querySelectorAll('a')])
    .map((link) => link.getAttribute('data-href') || link.getAttribute('href') || `(no target: ${link.textContent})`));
}

/** A link to one of our hover commands (core/hoverActions.ts HOVER_COMMANDS), with its encoded arguments. */
export const OWN_COMMAND_LINK = /^command:logprobLens\.(?:continueWith|ban|boost|inspectToken|showRun)\?[A-Za-z0-9%._-]+$/;
