import * as vscode from 'vscode';

/** Prompt files by name, whatever language mode they are in (GitHub's `.prompt.yml` and `.prompt.yaml`). */
export const PROMPT_FILE_SELECTOR: vscode.DocumentSelector = [{ pattern: '**/*.prompt.{yml,yaml}' }];

export function isPromptFile(document: vscode.TextDocument): boolean {
  return vscode.languages.match(PROMPT_FILE_SELECTOR, document) > 0;
}
