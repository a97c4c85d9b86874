import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { build } from 'esbuild';
import { copyHazards, instanceofTargets } from '../support/bundleBoundary';
import { repoRoot } from '../support/fixtures';

/** Hazards a copy is known to be harmless for, each with why. Keys: `path name`, as the hazard names it. */
const HARMLESS: Readonly<Record<string, string>> = {
  'src/core/runs/history.ts formatters': 'a memo of date formatters: a second copy only makes its own formatters again',
  'src/core/runs/bytes.ts RunDecodeError': 'the run store (main bundle) tests the errors of the codec, which only the main bundle holds; '
    + 'the commands bundle\'s copy is thrown by the run-export reader and caught by readLogged in the same copy, as any Error',
};

/** The two bundles built as the release build makes them (esbuild.js's options), in memory: never a stale dist/. */
async function buildMainAndCommands(): Promise<Metafile> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild.js is the build script, plain CommonJS
  const { options } = require(path.join(repoRoot, 'esbuild.js')) as { options: BuildOptions };
  const result = await build({
    ...options,
    entryPoints: { extension: 'src/extension.ts', commands: 'src/commands/index.ts' },
    absWorkingDir: repoRoot, write: false, minify: true, sourcemap: false, metafile: true, logLevel: 'silent',
  });
  return result.metafile;
}

function inputsOf(meta: Metafile, output: string): Set<string> {
  const bundle = meta.outputs[output];
  assert.ok(bundle, `${output} is built`);
  return new Set(Object.entries(bundle.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file));
}

describe('the bundle boundary: the main bundle and the lazy commands bundle', function () {
  this.timeout(60_000);
  let meta: Metafile;
  before(async () => {
    meta = await buildMainAndCommands();
  });

  it('copies into both only modules that are safe to copy: no module state, no service, no identity', () => {
    const main = inputsOf(meta, 'dist/extension.js');
    const commands = inputsOf(meta, 'dist/commands.js');
    const ours = (file: string): boolean => file.startsWith('src/');
    const read = (file: string) => ({ fileName: file, text: fs.readFileSync(path.join(repoRoot, file), 'utf8') });
    const targets = instanceofTargets([...new Set([...main, ...commands])].filter(ours).map(read));
    const shared = [...main].filter((file) => commands.has(file) && ours(file));
    // The check sees what it should: the notifications and the tracked answers are in both bundles.
    assert.ok(shared.includes('src/vscode/notify.ts') && shared.includes('src/vscode/editor/trackedAnswer.ts'), shared.join('\n'));
    const problems = shared.flatMap((file) => {
      const { text } = read(file);
      return copyHazards(file, text, targets)
        .filter((hazard) => HARMLESS[`${file} ${hazard.name}`] === undefined)
        .map((hazard) => `${file}:${hazard.line} ${hazard.name}: ${hazard.why}`);
    });
    assert.deepEqual(problems, [], 'in both bundles, so each runs its own copy');
  });

  it('keeps the services in the main bundle: the commands are given them', () => {
    const commands = inputsOf(meta, 'dist/commands.js');
    for (const service of ['src/vscode/editor/answerTracker.ts', 'src/vscode/runs/journal.ts', 'src/vscode/runs/lifecycle.ts', 'src/vscode/settings.ts',
      'src/vscode/endpoints/resolver.ts', 'src/vscode/history/runHistory.ts', 'src/vscode/steering/steering.ts', 'src/vscode/steering/biasList.ts']) {
      assert.ok(!commands.has(service), `${service} is not copied into dist/commands.js`);
    }
  });
});

describe('copyHazards: what makes a module unsafe to copy into two bundles', () => {
  const hazards = (source: string, instanceofNames: readonly string[] = []): string[] =>
    copyHazards('module.ts', source, new Set(instanceofNames)).map((hazard) => `${hazard.line} ${hazard.name}: ${hazard.why}`);

  it('finds module-level variables and collections to fill (the notifications list and loaders as they were)', () => {
    assert.deepEqual(hazards('let kept: string[] | undefined;\nvar count = 0;\nconst seen = new Map<string, number>();\nconst list: string[] = [];\nconst byKey = {} as Record<string, number>;'), [
      '1 kept: a module-level variable',
      '2 count: a module-level variable',
      '3 seen: a module-level collection to fill',
      '4 list: a module-level collection to fill',
      '5 byKey: a module-level collection to fill',
    ]);
  });

  it('lets constants, read-only sets, tables and stateless encoders be', () => {
    assert.deepEqual(hazards([
      'const PREFIX = \'Logprob Lens: \';',
      'const KINDS: ReadonlySet<string> = new Set([\'a\']);',
      'const TABLE = { a: 1 };',
      'const decoder = new TextDecoder(\'utf-8\');',
      'const KEPT = Symbol.for(\'x\');',
      'export function f(): number { let local = 1; return local; }',
    ].join('\n')), []);
  });

  it('finds services, #private members, writable statics and classes tested with instanceof', () => {
    assert.deepEqual(hazards([
      'class Tracker extends Disposable {}',
      'class Store { #count = 0; static made = 0; static readonly LIMIT = 3; }',
      'class Answer {}',
    ].join('\n'), ['Answer']), [
      '1 Tracker: a service (it extends Disposable): pass the main bundle\'s instance instead',
      '2 Store.#count: a #private member',
      '2 Store.made: a writable static field',
      '3 Answer: a class some code tests with instanceof',
    ]);
  });

  it('names what code tests with instanceof', () => {
    assert.deepEqual([...instanceofTargets([{ fileName: 'a.ts', text: 'if (x instanceof Answer || y instanceof vscode.Uri) f();' }])].sort(), ['Answer', 'vscode.Uri']);
  });
});
