// The tokenizer bundle's figures for `npm run bench` (which builds dist/ with --production first): its size, that
// the main bundle does not carry it, the first-use cost (a fresh Node process: require + first encode, per
// encoding) and the warm cost of keying one token. Prints figures; asserts nothing.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type * as TokenizerModule from '../../src/tokenizer/index';
import { repoRoot } from '../support/fixtures';

const dist = path.join(repoRoot, 'dist');
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** require + first encode of one encoding in a fresh process, in ms. */
function firstUse(encoding: string): { requireMs: number; encodeMs: number } {
  const script = `const t0 = performance.now(); const t = require(${JSON.stringify(path.join(dist, 'tokenizer.js'))}); const t1 = performance.now();
    t.encode(' hello', ${JSON.stringify(encoding)}).then(() => console.log(JSON.stringify({ requireMs: t1 - t0, encodeMs: performance.now() - t1 })));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { requireMs: number; encodeMs: number };
}

export async function runTokenizerBench(): Promise<void> {
  const bundle = path.join(dist, 'tokenizer.js');
  if (!fs.existsSync(bundle)) {
    console.log('tokenizer: dist/tokenizer.js not built (run node esbuild.js --production)\n');
    return;
  }
  const bytes = fs.readFileSync(bundle);
  console.log(`tokenizer bundle: ${(bytes.length / 1024).toFixed(0)} KB, ${(zlib.gzipSync(bytes, { level: 9 }).length / 1024).toFixed(0)} KB gzipped (o200k_base + cl100k_base ranks; loaded on first Ban/Boost of an OpenAI model)`);
  const meta = JSON.parse(fs.readFileSync(path.join(dist, 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const mainInputs = Object.keys(meta.outputs['dist/extension.js']?.inputs ?? {});
  console.log(`tokenizer in dist/extension.js: ${mainInputs.some((input) => input.includes('gpt-tokenizer')) ? 'YES (it must not be)' : 'no'} (target: no)`);

  for (const encoding of ['o200k_base', 'cl100k_base']) {
    const runs = Array.from({ length: 5 }, () => firstUse(encoding));
    const requireMs = median(runs.map((run) => run.requireMs));
    const encodeMs = median(runs.map((run) => run.encodeMs));
    console.log(`tokenizer first use, ${encoding}: require ${requireMs.toFixed(0)} ms + first encode ${encodeMs.toFixed(0)} ms = ${(requireMs + encodeMs).toFixed(0)} ms (median of 5 fresh processes; target <= 300 ms)`);
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built bundle, as the extension loads it
  const tokenizer = require(bundle) as typeof TokenizerModule;
  const words = [' the', ' model', ' was', ' fairly', ' sure', ',', ' Australia', ' 💙', '\n', 'antidisestablishmentarianism'];
  await tokenizer.encode(' warm', 'o200k_base');
  const count = 20_000;
  const began = performance.now();
  for (let i = 0; i < count; i++) await tokenizer.encode(words[i % words.length]!, 'o200k_base');
  console.log(`tokenizer warm, one token's text to ids: ${((performance.now() - began) / count * 1000).toFixed(1)} µs\n`);
}
