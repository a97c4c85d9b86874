import * as vscode from 'vscode';

/**
 * The extension's log (an output channel with levels; never holds a key). Under test, every line written is also
 * kept, so tests can check that no key ever reaches it.
 */
export function createLog(keepLines: boolean): { log: vscode.LogOutputChannel; lines: readonly string[] } {
  const log = vscode.window.createOutputChannel('Logprob Lens', { log: true });
  const lines: string[] = [];
  if (keepLines) {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) {
      const write = log[level].bind(log) as (message: string | Error, ...args: unknown[]) => void;
      log[level] = ((message: string | Error, ...args: unknown[]) => {
        lines.push(`${level}: ${String(message)} ${args.map(String).join(' ')}`);
        write(message, ...args);
      }) as typeof log.info;
    }
  }
  return { log, lines };
}
