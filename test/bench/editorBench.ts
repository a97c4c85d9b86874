// The extension-host half of `npm run bench`: runs inside code-server's VS Code (the same `run()` entry as the
// integration suite) and prints figures. Asserts nothing.
import * as vscode from 'vscode';
import type { LogprobLensApi } from '../../src/extension';
import { startReplayServer } from '../support/replayServer';
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
  const began = performance.now();
  const api = await extension.activate();
  print(`activation: activate() itself ${api.activationMs.toFixed(1)} ms (target <= 20 ms), the SDK not loaded: ${!api.sdkLoaded()}; `
    + `${(performance.now() - began).toFixed(0)} ms including VS Code's loading of the extension`);

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
  await server.close();
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await runInspectorEditorBench(api, print);
}
