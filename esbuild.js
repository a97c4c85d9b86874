// Bundles the extension. Entries: the extension itself; the model client with the `openai` SDK, which the
// extension `require`s only when the first request is made; the tokenizer (logit-bias ids), required on first use.
const esbuild = require('esbuild');
const fs = require('node:fs');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints: {
    extension: 'src/extension.ts',
    client: 'src/client/index.ts',
    tokenizer: 'src/tokenizer/index.ts',
  },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir: 'dist',
  external: ['vscode', './client.js', './tokenizer.js'],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
};

async function main() {
  if (watch) {
    const context = await esbuild.context(options);
    await context.watch();
    return;
  }
  const result = await esbuild.build(options);
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.js')) console.log(`${file}  ${(output.bytes / 1024).toFixed(1)} KB`);
  }
  fs.writeFileSync('dist/meta.json', JSON.stringify(result.metafile));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
