// `npm run test:real-editor`: both real-editor suites, in the VS Code bundled by code-server.
// Prints `real-editor: N passed, M failed` as its own closing line. A suite that cannot start the editor fails.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureEditorInstalled, root } from './editor.mjs';
import { runIntegration } from './integration.mjs';
import { runRunsUi } from './ui-runs.mjs';
import { runUi } from './ui.mjs';
import { runLoggedUi } from './ui-logged.mjs';
import { runInspectorUi } from './ui-inspector.mjs';
import { runSteeringUi } from './ui-steering.mjs';
import { runPromptFilesUi } from './ui-promptfiles.mjs';

const only = process.argv[2];
const runsDir = path.join(root, '.cache', 'runs');
fs.mkdirSync(runsDir, { recursive: true });
// Whatever this process and its children write to a temporary folder (Chromium's profile, vsce) stays in ours.
const scratch = fs.mkdtempSync(path.join(runsDir, 'scratch-'));
process.env.TMPDIR = scratch;
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
let passed = 0;
let failed = 0;

const suites = [
  ['integration', (context) => runIntegration(context)],
  ['ui', (context) => runUi(context)],
  ['ui-runs', (context) => runRunsUi(context)],
  ['ui-logged', (context) => runLoggedUi(context)],
  ['ui-inspector', (context) => runInspectorUi(context)],
  ['ui-steering', (context) => runSteeringUi(context)],
  ['ui-promptfiles', (context) => runPromptFilesUi(context)],
].filter(([name]) => !only || only === name);

let codeServer;
try {
  ({ codeServer } = ensureEditorInstalled());
} catch (error) {
  console.error(`real-editor: cannot provide an editor: ${error.message}`);
  console.log(`real-editor: 0 passed, ${suites.length} failed`);
  process.exit(1);
}

for (const [name, run] of suites) {
  const runDir = fs.mkdtempSync(path.join(runsDir, `${name}-`));
  const started = Date.now();
  try {
    const result = await run({ codeServer, runDir, log: (line) => console.log(`  [${name}] ${line}`) });
    passed += result.passed;
    failed += result.failed;
    console.log(`${name}: ${result.passed} passed, ${result.failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } catch (error) {
    failed += 1;
    console.error(`${name}: could not run: ${error.stack ?? error}`);
    const log = path.join(runDir, 'code-server.log');
    if (fs.existsSync(log)) console.error(`--- code-server.log (tail)\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
console.log(`real-editor: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
