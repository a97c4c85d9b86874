// A real VS Code on a machine without internet: the VS Code that the npm package `code-server` bundles (real
// server, real extension host, real web workbench), driven by Debian's chromium through playwright-core.
// Everything lives under .cache/ (ignored by git); each run gets a fresh folder there and removes it at the end.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CODE_SERVER_VERSION = '4.139.1';
export const PLAYWRIGHT_VERSION = '1.65.1';
const cacheDir = path.join(root, '.cache', 'editor');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Installs code-server and playwright-core into .cache/editor unless the pinned versions are already there. */
export function ensureEditorInstalled() {
  const installed = (name) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(cacheDir, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return undefined;
    }
  };
  if (installed('code-server') !== CODE_SERVER_VERSION || installed('playwright-core') !== PLAYWRIGHT_VERSION) {
    const major = Number(process.versions.node.split('.')[0]);
    if (major < 24) throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 24 to install; this is Node ${process.versions.node}. Run through scripts/test.sh, which provides it.`);
    fs.mkdirSync(cacheDir, { recursive: true });
    console.log(`real-editor: installing code-server ${CODE_SERVER_VERSION} and playwright-core into .cache/editor (first run only, a few minutes)`);
    // node-gyp needs headers: the Node package from the npm registry carries them next to its bin/.
    const nodedir = path.resolve(path.dirname(process.execPath), '..');
    const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', cacheDir,
      `code-server@${CODE_SERVER_VERSION}`, `playwright-core@${PLAYWRIGHT_VERSION}`], {
      stdio: 'inherit', timeout: 20 * 60_000,
      // Allow install scripts: code-server's postinstall builds VS Code's native modules (npm 11 blocks them).
      env: { ...process.env, npm_config_nodedir: nodedir, npm_config_dangerously_allow_all_scripts: 'true', npm_config_cache: path.join(root, '.cache', 'npm') },
    });
    if (result.status !== 0) throw new Error(`installing code-server failed (exit ${result.status ?? result.signal})`);
  }
  if (!fs.existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return { codeServer: path.join(cacheDir, 'node_modules', '.bin', 'code-server') };
}

export async function loadPlaywright() {
  const module = await import(path.join(cacheDir, 'node_modules', 'playwright-core', 'index.mjs'));
  return module.chromium ?? module.default.chromium;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A fresh folder for one run, under .cache/runs; removed by `dispose`. */
export function makeRunDir(name) {
  const dir = fs.mkdtempSync(path.join(root, '.cache', 'runs', `${name}-`).replace(/-$/, '-'));
  return dir;
}

/**
 * Starts code-server in its own process group with a fresh user-data-dir, XDG folders and TMPDIR inside `runDir`
 * (nothing goes to the home directory or /tmp). Resolves once /healthz answers.
 */
export async function startCodeServer({ codeServer, runDir, folder, userSettings, smokeTestDriver = false, extensionsDir }) {
  if (Number(process.versions.node.split('.')[0]) < 24) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} runs on Node 24; this is Node ${process.versions.node}. Run through scripts/test.sh, which provides it.`);
  }
  const port = await freePort();
  const userDataDir = path.join(runDir, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'files.hotExit': 'off',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    ...userSettings,
  }, null, 2));
  const config = path.join(runDir, 'config.yaml');
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = { ...process.env };
  for (const key of ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'TMPDIR']) {
    env[key] = path.join(runDir, key.toLowerCase());
    fs.mkdirSync(env[key], { recursive: true });
  }
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  const args = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir ?? path.join(runDir, 'extensions'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--reconnection-grace-time', '5',
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []), folder];
  const logFile = fs.openSync(path.join(runDir, 'code-server.log'), 'a');
  const child = spawn(process.execPath, [realScript(codeServer), ...args], { env, detached: true, stdio: ['ignore', logFile, logFile] });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const stop = async () => {
    if (!exited) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const deadline = Date.now() + 5000;
      while (!exited && Date.now() < deadline) await sleep(100);
    }
    // The extension host and watchers are in the same group: make sure none survives.
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    fs.closeSync(logFile);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited at start:\n${fs.readFileSync(path.join(runDir, 'code-server.log'), 'utf8').slice(-2000)}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('code-server did not answer /healthz within 60 s');
    }
    await sleep(250);
  }
  return { url, port, stop, logPath: path.join(runDir, 'code-server.log') };
}

/** code-server's bin is a shell wrapper around a JS entry; run the entry with this Node. */
function realScript(bin) {
  const target = fs.realpathSync(bin);
  return target;
}

/** Headless Chromium whose home, config and caches are inside `runDir`, like code-server's. */
export async function launchBrowser(runDir) {
  const chromium = await loadPlaywright();
  const home = path.join(runDir, 'browser-home');
  fs.mkdirSync(home, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `body` with a deadline; rejects with `what` when it passes. */
export async function withTimeout(what, ms, body) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms); });
  try {
    return await Promise.race([body(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
