import * as vscode from 'vscode';

/**
 * Every notification the extension shows goes through here. VS Code renders `[label](command:...)` in a
 * notification as a link that runs a command, and our messages carry text we did not write (a server's error, a
 * file's content), so all of it is made inert first.
 */
const PREFIX = 'Logprob Lens: ';

export function showError<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showErrorMessage(PREFIX + inert(message), ...actions);
}

export function showWarning<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showWarningMessage(PREFIX + inert(message), ...actions);
}

export function showInfo<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showInformationMessage(PREFIX + inert(message), ...actions);
}

/** A passing message in the status bar (no links render there, but icons would). */
export function showStatus(message: string, timeoutMs = 5000): vscode.Disposable {
  return vscode.window.setStatusBarMessage(PREFIX + inert(message), timeoutMs);
}

const MAX_LENGTH = 1000;

function inert(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  const capped = flat.length > MAX_LENGTH ? `${flat.slice(0, MAX_LENGTH)}…` : flat;
  return capped.replace(/\[/g, '⁅').replace(/\]/g, '⁆').replace(/\$\(/g, '$\u200b(').replace(/\b(command|https?|file|vscode):/gi, '$1\u200b:');
}
