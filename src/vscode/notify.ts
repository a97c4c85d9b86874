import * as vscode from 'vscode';
import { literalLabel, plainMessage } from '../core/untrusted';

/**
 * Every notification the extension shows goes through here. VS Code renders `[label](command:...)` in a
 * notification as a link that runs a command, and our messages carry text we did not write (a server's error, a
 * file's content), so all of it is made inert first.
 */
const PREFIX = 'Logprob Lens: ';

/**
 * Under test, every message as shown, `severity: text` (see `keepNotifications`). The list hangs on a global under
 * a registered symbol, not in a module variable: the main bundle and the lazy commands bundle (dist/commands.js)
 * each hold a copy of this file, and a message shown by either must land in the one list the test API reads.
 */
const KEPT = Symbol.for('logprobLens.keptNotifications');
const holder = globalThis as { [KEPT]?: string[] };

/** Starts keeping the text of every message shown, for the extension's test API: what the user was told. */
export function keepNotifications(): readonly string[] {
  holder[KEPT] ??= [];
  return holder[KEPT];
}

function shown(severity: 'error' | 'warning' | 'info' | 'status', text: string): string {
  holder[KEPT]?.push(`${severity}: ${text}`);
  return text;
}

export function showError<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showErrorMessage(shown('error', PREFIX + plainMessage(message)), ...actions);
}

export function showWarning<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showWarningMessage(shown('warning', PREFIX + plainMessage(message)), ...actions);
}

export function showInfo<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showInformationMessage(shown('info', PREFIX + plainMessage(message)), ...actions);
}

/** A passing message in the status bar (no links render there, but icons would). */
export function showStatus(message: string, timeoutMs = 5000): vscode.Disposable {
  return vscode.window.setStatusBarMessage(shown('status', PREFIX + literalLabel(message)), timeoutMs);
}

/** A modal question with one action; resolves true when the user chose it. */
export async function confirm(message: string, action: string): Promise<boolean> {
  return await vscode.window.showWarningMessage(plainMessage(message), { modal: true }, action) === action;
}
