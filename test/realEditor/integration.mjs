// Runs the extension-host mocha suite (out/test/integration/index.js, the same `run()` entry that
// @vscode/test-electron calls) inside code-server's real extension host, through the smoke-test driver.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, root, startCodeServer, withTimeout } from './editor.mjs';

export async function runIntegration({ codeServer, runDir, log }) {
  const lines = [];
  const code = await runInExtensionHost({
    codeServer, runDir, testsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
    log: (line) => { lines.push(line); log(line); },
  });
  const summary = lines.map((line) => /integration: (\d+) passed, (\d+) failed/.exec(line)).find(Boolean);
  if (!summary) throw new Error(`the integration suite did not report (exit code ${code})`);
  return { passed: Number(summary[1]), failed: Number(summary[2]), exitCode: code };
}

/** Opens the workbench with the smoke-test driver's payload: VS Code loads the extension and calls `run()` in `testsPath`. */
export async function runInExtensionHost({ codeServer, runDir, testsPath, log }) {
  const workspace = path.join(runDir, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, 'prompt.txt'), 'What is the smallest continent?\n');
  // Auto save off, as in desktop VS Code (the browser's default saves a second after the last change, and a save
  // ends an undo step: hardening.test.ts shows that case on purpose, the other tests must not meet it by chance).
  const server = await startCodeServer({ codeServer, runDir, folder: workspace, smokeTestDriver: true, userSettings: { 'files.autoSave': 'off' } });
  let browser;
  try {
    browser = await launchBrowser(runDir);
    const page = await browser.newPage();
    let finish;
    const exited = new Promise((resolve) => { finish = resolve; });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = formatConsole(Array.isArray(args) ? args : [args]);
      // The workbench's own complaints about the closed network are noise here.
      if (!/open-vsx\.org|authentication provider|AccountPolicyGate|AgentHost|socket|connection token|grace time|builtin extensions cache|Service Worker/.test(text)) log(text);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(code));
    const remote = (file) => `vscode-remote://127.0.0.1:${server.port}${file}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(testsPath)],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    return await withTimeout('the suite in the extension host', 6 * 60_000, () => exited);
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
  }
}

/** console.log's printf-style formatting, as mocha's reporter uses it (`%s`, `%d`). */
function formatConsole(args) {
  const [first, ...rest] = args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg)));
  if (typeof first !== 'string') return '';
  let used = 0;
  const text = first.replace(/%[sdifoO]/g, () => (used < rest.length ? rest[used++] : ''));
  return [text, ...rest.slice(used)].join(' ');
}
