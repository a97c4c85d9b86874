import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';

/**
 * Files on the extension host's own disk (its storage, a file the user saves to), read and written directly: a
 * 14 MB run takes milliseconds this way, hundreds through the workspace file system API (it copies through the
 * workbench). Other schemes (a virtual or remote file system) go through that API.
 */
export async function readBytes(uri: vscode.Uri): Promise<Uint8Array> {
  return uri.scheme === 'file' ? fs.readFile(uri.fsPath) : vscode.workspace.fs.readFile(uri);
}

export async function writeBytes(uri: vscode.Uri, bytes: Uint8Array): Promise<void> {
  if (uri.scheme === 'file') await fs.writeFile(uri.fsPath, bytes);
  else await vscode.workspace.fs.writeFile(uri, bytes);
}

/** Writes to a temporary file next to `uri`, then replaces it: a crash never leaves half a file. */
export async function replaceFile(uri: vscode.Uri, bytes: Uint8Array): Promise<void> {
  const temporary = uri.with({ path: `${uri.path}.tmp` });
  await writeBytes(temporary, bytes);
  if (uri.scheme === 'file') await fs.rename(temporary.fsPath, uri.fsPath);
  else await vscode.workspace.fs.rename(temporary, uri, { overwrite: true });
}
