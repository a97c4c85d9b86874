// What a webview page test needs to run a page as its panel serves it, outside VS Code: the page's HTML from
// webviewHtml (strict CSP) on 127.0.0.1 with a stub of `acquireVsCodeApi` loaded by nonce, Dark Modern's theme
// variables, and Debian's chromium through playwright-core (installed by the real-editor suite in .cache/editor).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { launchBrowser, root } from '../realEditor/editor.mjs';

/** Dark Modern's values of the variables VS Code injects into a webview (the theme's colours and fonts). */
export const DARK_MODERN = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '14px',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-disabledForeground': '#cccccc80',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editor-foreground': '#cccccc',
  '--vscode-editorWidget-background': '#202020',
  '--vscode-editor-selectionHighlightBackground': '#add6ff26',
  '--vscode-editorCursor-foreground': '#aeafad',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-border': '#ffffff12',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-input-background': '#313131',
  '--vscode-input-border': '#3c3c3c',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-settings-textInputBackground': '#313131',
  '--vscode-settings-textInputBorder': '#3c3c3c',
  '--vscode-settings-textInputForeground': '#cccccc',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-widget-border': '#313131',
  '--vscode-charts-foreground': '#cccccc',
  '--vscode-charts-lines': '#cccccc80',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-textBlockQuote-background': '#2b2b2b',
  '--vscode-button-secondaryHoverBackground': '#3c3c3c',
};

// Stands in for what VS Code injects: `acquireVsCodeApi` (state kept in sessionStorage so a reload restores it, the
// way VS Code keeps it across a hide or reload) and the theme class on the body.
const STUB = `
window.__posted = [];
window.acquireVsCodeApi = () => ({
  postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
  getState: () => JSON.parse(sessionStorage.getItem('state') ?? 'null'),
  setState: (state) => sessionStorage.setItem('state', JSON.stringify(state)),
});
document.body.classList.add('vscode-dark');
`;

/**
 * Posts a message to the page as the extension does, and resolves once the page has handled it and rendered: our
 * listener runs after the page's own (listeners fire in the order they were added), and the timeout after the
 * microtasks Lit renders in. Without the wait, an assertion could read the page before the message arrived.
 */
export async function postToPage(page, message) {
  await page.evaluate((data) => new Promise((handled) => {
    window.addEventListener('message', () => setTimeout(handled, 0), { once: true });
    window.postMessage(data, '*');
  }), message);
}

/** Bundles the core modules a test computes its expectations with (and webviewHtml) into one ES module. */
export async function bundleCore(runDir, modules) {
  await esbuild.build({
    stdin: { contents: modules.map((name) => `export * from './src/core/${name}';`).join('\n'), resolveDir: root, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'node', outfile: path.join(runDir, 'core.mjs'), logLevel: 'warning',
  });
  return import(pathToFileURL(path.join(runDir, 'core.mjs')).href);
}

/**
 * Serves one page: its entry bundled for the browser, its stylesheets from media/webview, the HTML from
 * `webviewHtml` with a fresh nonce. Returns the page's URL and a `close`.
 */
export async function servePage({ runDir, core, entry, sheets, title }) {
  const site = path.join(runDir, 'site');
  fs.mkdirSync(site, { recursive: true });
  await esbuild.build({ entryPoints: [path.join(root, entry)], bundle: true, format: 'iife', platform: 'browser', target: 'chrome120', minify: true, outfile: path.join(site, 'page.js'), logLevel: 'warning' });
  fs.writeFileSync(path.join(site, 'vscode-stub.js'), STUB);
  fs.writeFileSync(path.join(site, 'theme.css'), `html {\n${Object.entries(DARK_MODERN).map(([name, value]) => `  ${name}: ${value};`).join('\n')}\n}\n`);
  for (const sheet of sheets) fs.copyFileSync(path.join(root, 'media/webview', sheet), path.join(site, sheet));
  const nonce = crypto.randomBytes(16).toString('base64');
  let origin;
  const server = http.createServer((request, response) => {
    const name = new URL(request.url, 'http://x').pathname.slice(1) || 'index.html';
    if (name === 'index.html') {
      const html = core.webviewHtml({ cspSource: `'self' ${origin}`, nonce, scriptUri: `${origin}/page.js`, styleUris: ['theme.css', ...sheets].map((sheet) => `${origin}/${sheet}`), title })
        .replace('<script nonce=', `<script nonce="${nonce}" src="${origin}/vscode-stub.js"></script>\n    <script nonce=`);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    if (name === 'favicon.ico') return void response.writeHead(204).end(); // a browser asks; a webview does not
    const file = path.join(site, path.basename(name));
    if (!fs.existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': name.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(fs.readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  return { url: `${origin}/index.html`, close: () => server.close() };
}

/** A Chromium page that records console errors, failed loads and CSP violations (`window.__violations`). */
export async function openPage(runDir, url, viewport) {
  const browser = await launchBrowser(runDir);
  const page = await browser.newPage({ viewport, colorScheme: 'dark' });
  const errors = [];
  page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') errors.push(`console ${message.type()}: ${message.text()}`); });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('response', (response) => { if (response.status() >= 400) errors.push(`HTTP ${response.status()} for ${response.url()}`); });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) => window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__posted.some((message) => message.kind === 'ready'));
  return { browser, page, errors };
}
