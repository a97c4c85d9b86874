import * as path from 'node:path';
import Mocha from 'mocha';
import * as fs from 'node:fs';

/**
 * The entry `@vscode/test-electron` and the code-server harness both call inside the extension host: runs every
 * `*.test.js` beside this file's `suite/` folder and rejects when any test fails.
 */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  const suiteDir = path.join(__dirname, 'suite');
  for (const file of fs.readdirSync(suiteDir).filter((name) => name.endsWith('.test.js')).sort()) mocha.addFile(path.join(suiteDir, file));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      // The harness reads this line to print its own closing summary.
      console.log(`integration: ${mocha.suite.total() - failures} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}
