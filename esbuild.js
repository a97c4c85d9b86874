// Bundles the extension. Node entries: the extension itself (what runs at activation or without a command); the
// command-only code (runs, endpoints, history, steering's commands, the panels, prompt-file runs), required on the
// first command that needs it; the model client with the `openai` SDK, which the extension `require`s only when the
// first request is made; the tokenizer (logit-bias ids) and the run tools (comparison, exports), required on first
// use; the prompt-file engine (the `yaml` parser and the prompt-file core), required when a prompt file is first used.
// The webviews' scripts are a separate browser build (dist/webview/), loaded by their panels, never by the host.
const esbuild = require('esbuild');
const fs = require('node:fs');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints: {
    extension: 'src/extension.ts',
    commands: 'src/commands/index.ts',
    client: 'src/client/index.ts',
    tokenizer: 'src/tokenizer/index.ts',
    runTools: 'src/runTools/index.ts',
    promptFiles: 'src/promptFiles/index.ts',
  },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir: 'dist',
  external: ['vscode', './commands.js', './client.js', './tokenizer.js', './runTools.js', './promptFiles.js'],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
};

/** @type {import('esbuild').BuildOptions} */
const webviewOptions = {
  entryPoints: {
    inspector: 'src/webview/inspector/main.ts',
    calibration: 'src/webview/calibration/main.ts',
  },
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome120',
  outdir: 'dist/webview',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
};

async function main() {
  if (watch) {
    for (const each of [options, webviewOptions]) await (await esbuild.context(each)).watch();
    return;
  }
  const results = await Promise.all([esbuild.build(options), esbuild.build(webviewOptions)]);
  for (const result of results) {
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
      if (file.endsWith('.js')) console.log(`${file}  ${(output.bytes / 1024).toFixed(1)} KB`);
    }
  }
  fs.writeFileSync('dist/meta.json', JSON.stringify(results[0].metafile));
  fs.writeFileSync('dist/webview/meta.json', JSON.stringify(results[1].metafile));
}

// The unit tests build the Node bundles in memory with these options (test/unit/bundleBoundary.test.ts).
module.exports = { options };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
