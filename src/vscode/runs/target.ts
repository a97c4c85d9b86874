import * as vscode from 'vscode';
import type { OutputMode } from '../../core/settings/snapshot';
import { documentEol, openUntitled } from '../editor/documents';

/** Where an answer goes: `separator` (a blank line) then the answer, inserted at `offset`. */
export interface Target {
  readonly document: vscode.TextDocument;
  readonly offset: number;
  readonly separator: string;
  /** Characters after `offset` the first insertion replaces (a branch in place replaces the old rest of the answer). */
  readonly replace?: number;
}

/** Where the prompt came from: the editor and its selection, or the end of an earlier answer (Re-run). */
export type Anchor = { readonly editor: vscode.TextEditor } | { readonly afterOffset: number } | undefined;

/**
 * Below the selection (or the previous answer, for a re-run): at the end of its last line, after a blank line.
 * A new untitled editor beside instead when the output setting asks for one or the document is gone.
 */
export async function chooseTarget(output: OutputMode, document: vscode.TextDocument, anchor: Anchor): Promise<Target> {
  const documentOpen = vscode.workspace.textDocuments.includes(document) && !document.isClosed;
  if (output === 'newEditor' || !documentOpen) return { document: await openUntitled('markdown', 'beside'), offset: 0, separator: '' };
  let end: vscode.Position;
  if (anchor && 'afterOffset' in anchor) end = document.positionAt(anchor.afterOffset);
  else if (anchor) {
    const { selection } = anchor.editor;
    end = selection.isEmpty ? selection.active : selection.end;
    // A selection that ends at column 0 of a later line ends on the line before.
    if (!selection.isEmpty && end.character === 0 && end.line > selection.start.line) end = document.lineAt(end.line - 1).range.end;
  } else end = document.positionAt(document.getText().length);
  const lineEnd = document.lineAt(end.line).range.end;
  const eol = documentEol(document);
  return { document, offset: document.offsetAt(lineEnd), separator: eol + eol };
}

/** Untitled documents, notebook cells and documents of a writable file system take an answer; others do not. */
export function isWritable(document: vscode.TextDocument): boolean {
  const { scheme } = document.uri;
  return scheme === 'untitled' || scheme === 'vscode-notebook-cell' || vscode.workspace.fs.isWritableFileSystem(scheme) === true;
}
