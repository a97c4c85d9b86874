// `npm run bench`, editor half: runs out/test/bench/editorBench.js in code-server's extension host and prints
// its `bench:` lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureEditorInstalled, root } from './editor.mjs';
import { runInExtensionHost } from './integration.mjs';

const runsDir = path.join(root, '.cache', 'runs');
fs.mkdirSync(runsDir, { recursive: true });
const runDir = fs.mkdtempSync(path.join(runsDir, 'bench-'));
process.env.TMPDIR = runDir;
try {
  const { codeServer } = ensureEditorInstalled();
  const lines = [];
  const code = await runInExtensionHost({
    codeServer, runDir, testsPath: path.join(root, 'out', 'test', 'bench', 'editorBench.js'),
    log: (line) => { if (line.startsWith('bench: ')) { lines.push(line); console.log(line.slice(7)); } },
  });
  if (code !== 0 || lines.length === 0) throw new Error(`the editor benchmark did not finish (exit ${code})`);
} finally {
  fs.rmSync(runDir, { recursive: true, force: true });
}
