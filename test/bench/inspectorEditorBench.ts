// The token inspector's update on a cursor move, measured in the real editor (code-server's extension host and its
// webview in Chromium): the extension host's time to build and post the token message, and the page's own time to
// put it on screen (its performance.now() delta, style and layout included), reported back in a `rendered`
// message. Also the round trip from the post to that report, which adds both crossings between the processes.
// Runs inside editorBench.ts; prints figures, asserts nothing.
import * as vscode from 'vscode';
import type { LogprobLensApi } from '../../src/extension';
import type { RenderTiming } from '../../src/vscode/inspector/panel';

const MOVES = 60;

/** A saved chat response of `count` tokens, each with 20 alternatives (p = 0.4 × 0.6^k), the sampled one 1st to 4th. */
function responseWith20Alternatives(count: number): string {
  const content = Array.from({ length: count }, (_, i) => {
    const top = Array.from({ length: 20 }, (_, k) => ({ token: ` w${(i + k) % 97}`, logprob: Math.log(0.4) + k * Math.log(0.6) }));
    const sampled = top[i % 4]!;
    return { token: sampled.token, logprob: sampled.logprob, bytes: [...Buffer.from(sampled.token)], top_logprobs: top };
  });
  return JSON.stringify({ object: 'chat.completion', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: content.map((entry) => entry.token).join('') }, logprobs: { content } }] });
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

export async function runInspectorEditorBench(api: LogprobLensApi, print: (line: string) => void): Promise<void> {
  const source = await vscode.workspace.openTextDocument({ content: responseWith20Alternatives(200), language: 'json' });
  await vscode.window.showTextDocument(source);
  const opened = await vscode.commands.executeCommand<{ documentUri: string }>('logprobLens.openResponse');
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === opened.documentUri)!;
  const editor = await vscode.window.showTextDocument(document);
  const tracked = api.tracker.answers(document)[0]!;
  const { inspector } = api;
  await vscode.commands.executeCommand('logprobLens.openInspector');
  if (!await until(() => inspector.renders.some((render) => render.token?.answerId === tracked.id), 30_000)) {
    print('inspector update on a cursor move: the page never reported a render');
    return;
  }
  const timings: RenderTiming[] = [];
  for (let move = 0; move < MOVES; move++) {
    const placement = 10 + move;
    const { start } = tracked.answer.store.placement(placement);
    const position = document.positionAt(tracked.answer.start + start);
    editor.selection = new vscode.Selection(position, position);
    const rendered = await until(() => inspector.renders.at(-1)?.token?.placement === placement, 5000);
    if (rendered) timings.push(inspector.renders.at(-1)!);
    // Past the throttle's interval, so that every move is one update.
    await new Promise((resolve) => setTimeout(resolve, 60));
  }
  const together = timings.map((timing) => timing.hostMs + timing.pageMs);
  const ms = (values: readonly number[]): string => `median ${percentile(values, 0.5).toFixed(2)} ms, p95 ${percentile(values, 0.95).toFixed(2)} ms`;
  print(`inspector update on a cursor move, 20 alternatives, ${timings.length} moves: extension host + page ${ms(together)} (target <= 16 ms); `
    + `host build and post ${ms(timings.map((timing) => timing.hostMs))}; page render ${ms(timings.map((timing) => timing.pageMs))}; `
    + `round trip with both crossings ${ms(timings.map((timing) => timing.roundTripMs))}`);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
