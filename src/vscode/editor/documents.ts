import * as vscode from 'vscode';
import type { Eol } from '../../core/eol';

/** The line ending text inserted into a document must use (VS Code would normalise to it anyway). */
export function documentEol(document: vscode.TextDocument): Exclude<Eol, 'asIs'> {
  return document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
}

/**
 * A new untitled document in a tab of its own (not a preview, so the next one does not replace it): beside the
 * current editor without taking the focus, or in the current group with it.
 */
export async function openUntitled(language: string, placement: 'beside' | 'here', content = ''): Promise<vscode.TextDocument> {
  const created = await vscode.workspace.openTextDocument({ content, language });
  await vscode.window.showTextDocument(created, placement === 'beside'
    ? { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false }
    : { preview: false });
  return created;
}

/** Appends text at the end of a document (one edit of its own). */
export async function appendText(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, document.positionAt(document.getText().length), text);
  if (!await vscode.workspace.applyEdit(edit)) throw new Error('the document refused the edit');
}
