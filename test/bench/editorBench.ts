// The extension-host half of `npm run bench`: runs inside code-server's VS Code (the same `run()` entry as the
// integration suite) and prints figures. Asserts nothing.
import * as vscode from 'vscode';
import type { LogprobLensApi } from '../../src/extension';
import { createRunRecord } from '../../src/core/runs/runRecord';
import type { TokenInput } from '../../src/core/runs/runTokens';
import { startReplayServer } from '../support/replayServer';
import { seeded } from '../support/seeded';
import { syntheticEntries, syntheticRecord } from './runsSynthetic';
import { runInspectorEditorBench } from './inspectorEditorBench';

const print = (line: string): void => console.log(`bench: ${line}`);

/** A saved chat response with `count` tokens of varied probability, as Open Logprobs Response reads it. */
function loggedResponse(count: number): string {
  const words = [' the', ' model', ' was', ' fairly', ' sure', ',', ' and', ' less', ' so', ' here', '.', '\n'];
  const content = [];
  for (let i = 0; i < count; i++) {
    const token = words[i % words.length]!;
    content.push({ token, logprob: -((i * 7919) % 1000) / 250, bytes: [...Buffer.from(token)], top_logprobs: [{ token, logprob: -0.1 }, { token: ' other', logprob: -2.5 }] });
  }
  return JSON.stringify({ object: 'chat.completion', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: content.map((entry) => entry.token).join('') }, logprobs: { content } }] });
}

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension<LogprobLensApi>('logprob-lens.logprob-lens')!;
  // The extension activates on onStartupFinished, as it does for a user: the bench waits for it (up to 20 s) rather
  // than activating it while the workbench is still starting on the same two cores.
  for (let waited = 0; !extension.isActive && waited < 20_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  const byItself = extension.isActive;
  const api = await extension.activate();
  print(`activation: activate() itself ${api.activationMs.toFixed(1)} ms (target <= 20 ms), ${byItself ? 'on onStartupFinished' : 'by the bench (startup did not finish in 20 s)'}; the SDK not loaded: ${!api.sdkLoaded()}, the commands not loaded: ${!api.commandsLoaded()}`);
  if (process.env.LENS_BENCH_ACTIVATION_ONLY) return;

  // Let the workbench finish starting (it shares the two cores) before timing anything else.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  for (const size of [1_000, 10_000, 100_000]) {
    const document = await vscode.workspace.openTextDocument({ content: loggedResponse(size), language: 'json' });
    await vscode.window.showTextDocument(document);
    const opened = await vscode.commands.executeCommand<{ documentUri: string }>('logprobLens.openResponse');
    const answerDocument = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === opened.documentUri)!;
    await vscode.window.showTextDocument(answerDocument);
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      await vscode.commands.executeCommand('logprobLens.toggleColours');
      const before = api.renderStats().totalMs;
      await vscode.commands.executeCommand('logprobLens.toggleColours');
      times.push(api.renderStats().totalMs - before);
    }
    times.sort((a, b) => a - b);
    print(`full apply, ${size} tokens in view (spans, offsets to Ranges, setDecorations for ten buckets): median ${times[4]!.toFixed(1)} ms  (target ${size === 1000 ? 2 : size === 10_000 ? 10 : 50} ms)`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }

  await restoreAndCompare(api);

  // Streaming: 10,000 one-character chunks from the local server, as fast as it can send them.
  const server = await startReplayServer();
  const config = vscode.workspace.getConfiguration('logprobLens');
  await config.update('baseUrl', server.baseUrl, vscode.ConfigurationTarget.Global);
  await config.update('model', 'fault:tiny-chunks', vscode.ConfigurationTarget.Global);
  const document = await vscode.workspace.openTextDocument({ content: 'prompt' });
  const editor = await vscode.window.showTextDocument(document);
  editor.selection = new vscode.Selection(0, 0, 0, 6);
  const before = api.renderStats();
  const streamBegan = performance.now();
  await vscode.commands.executeCommand('logprobLens.completeSelection');
  const seconds = (performance.now() - streamBegan) / 1000;
  const after = api.renderStats();
  const flushes = after.count - before.count;
  const durations = after.recentMs.slice(-flushes).sort((a, b) => a - b);
  const at = (p: number): number => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))] ?? 0;
  print(`streaming 10,000 tokens: ${seconds.toFixed(2)} s, ${flushes} decoration flushes (${(flushes / seconds).toFixed(1)}/s, target <= 20/s); `
    + `per flush median ${at(0.5).toFixed(2)} ms, p90 ${at(0.9).toFixed(2)} ms, longest ${at(1).toFixed(2)} ms  (target <= 2 ms)`);
  await recordingCost(api);
  await server.close();
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await runInspectorEditorBench(api, print);
}

/**
 * The run history records a run after its stream (a timer after the last chunk), off the stream's path: the same
 * 10,000-token stream, six times with the history off and six times on, interleaved; and how long after the
 * stream the run was stored.
 */
async function recordingCost(api: LogprobLensApi): Promise<void> {
  const config = vscode.workspace.getConfiguration('logprobLens');
  const streams: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const stored: number[] = [];
  // Off-on, then on-off (ABBA), so that neither setting always runs right after the other's recording.
  for (let i = 0; i < 6; i++) {
    for (const enabled of i % 2 === 0 ? [false, true] : [true, false]) {
      await config.update('history.enabled', enabled, vscode.ConfigurationTarget.Global);
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: 'prompt' }));
      editor.selection = new vscode.Selection(0, 0, 0, 6);
      const recorded = enabled ? new Promise<number>((resolve) => {
        const subscription = api.history.onDidChange(() => (subscription.dispose(), resolve(performance.now())));
      }) : undefined;
      const began = performance.now();
      await vscode.commands.executeCommand('logprobLens.completeSelection');
      const ended = performance.now();
      streams[enabled ? 'on' : 'off'].push(ended - began);
      if (recorded) stored.push((await recorded) - ended);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  }
  await config.update('history.enabled', undefined, vscode.ConfigurationTarget.Global);
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const range = (values: number[]): string => `${(Math.min(...values) / 1000).toFixed(2)}-${(Math.max(...values) / 1000).toFixed(2)}`;
  print(`streaming 10,000 tokens with the run history off / on: median ${(median(streams.off) / 1000).toFixed(2)} s / ${(median(streams.on) / 1000).toFixed(2)} s, `
    + `range ${range(streams.off)} s / ${range(streams.on)} s `
    + `(target: no difference beyond noise); the run stored ${median(stored).toFixed(0)} ms after the stream ended`);
}

/**
 * Runs `action` `count` times, each after `prepare` (untimed): the first time, and the median of the others, in
 * whole milliseconds.
 */
async function timesOf(count: number, prepare: () => Thenable<unknown>, action: () => Promise<unknown>): Promise<{ first: string; median: string }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await prepare();
    const began = performance.now();
    await action();
    times.push(performance.now() - began);
  }
  const rest = times.slice(1).sort((a, b) => a - b);
  return { first: times[0]!.toFixed(0), median: rest[rest.length >> 1]!.toFixed(0) };
}

/**
 * Runs in the extension host: a 100k-token run with 20 alternatives restored into its document (read from
 * storage, decoded, its columns adopted, coloured and drawn), two 10k-token answers to one prompt compared (the
 * diff editor opened with both sides coloured), a 10k-token run exported as HTML.
 */
async function restoreAndCompare(api: LogprobLensApi): Promise<void> {
  const big = await recordInDocument(api, 100_000, 31);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    api.tracker.clear(big.document);
    const began = performance.now();
    await api.restorer.restore(big.document);
    times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  print(`restore of a 100k-token run × 20 alternatives after a reload (read, decode, adopt, colour, draw): median ${times[2]!.toFixed(0)} ms  (target <= 100 ms)`);
  // Two answers to one prompt at a low temperature: the same tokens but for 1 % of them.
  const entries = syntheticEntries(10_000, 20, 41);
  const random = seeded(5);
  const left = await recordInDocument(api, 10_000, 41, entries);
  const right = await recordInDocument(api, 10_000, 42, entries.map((entry) => (random() < 0.01 ? { ...entry, token: `${entry.token}~` } : entry)));
  // The first time includes loading the command and comparison bundles; the median of the next three is the steady cost.
  const closeEditors = (): Thenable<unknown> => vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const compareTimes = await timesOf(4, closeEditors, () => api.runs.compare(left.id, right.id));
  print(`compare two 10k-token runs, from the command to the diff editor open with both sides coloured: first ${compareTimes.first} ms (loads the bundles), then median ${compareTimes.median} ms  (target <= 100 ms)`);
  const file = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'bench-export.html');
  const exportTimes = await timesOf(4, () => Promise.resolve(), () => api.runs.export(left.id, 'html', file));
  const bytes = (await vscode.workspace.fs.stat(file)).size;
  print(`HTML export of a 10k-token run, read from history and written: first ${exportTimes.first} ms, then median ${exportTimes.median} ms; ${(bytes / 10_000).toFixed(0)} B/token  (target <= 200 ms)`);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** A synthetic run recorded for an untitled document that holds its text, as after a reload. */
async function recordInDocument(api: LogprobLensApi, tokens: number, seed: number, entries?: TokenInput[]): Promise<{ id: string; document: vscode.TextDocument }> {
  const synthetic = syntheticRecord(tokens, 20, seed, entries);
  const prefix = 'Prompt\n\n';
  const document = await vscode.workspace.openTextDocument({ content: prefix + synthetic.text, language: 'plaintext' });
  await vscode.window.showTextDocument(document);
  const record = createRunRecord({
    kind: 'completion', document: { uri: document.uri.toString(), name: 'bench' }, offset: prefix.length,
    request: { messages: [{ role: 'user', content: 'Prompt' }], topLogprobs: 20, sampling: {} }, endpoint: { host: 'bench', model: 'bench' },
    outcome: 'done', text: synthetic.text, tokens: synthetic.tokens, placements: synthetic.placements, uncertainThreshold: 0.5,
  });
  await api.history.add(record);
  return { id: record.id, document };
}
