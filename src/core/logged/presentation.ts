import { literalLabel } from '../untrusted';
import type { LoggedHarEntry } from './index';

/**
 * How Open Logprobs Response shows what ./index read: the name of the document a format opens in, the quick-pick
 * row of a HAR request, and the file extensions it offers to open.
 */

/** Extensions of logged-response files: the open dialog's filter and the "Open with Logprob Lens" menus. */
export const LOGGED_FILE_EXTENSIONS = ['json', 'jsonl', 'ndjson', 'sse', 'txt', 'har'] as const;

/** The `when` clause of the "Open with Logprob Lens" menus in package.json: a file with one of those extensions. */
export const LOGGED_FILE_WHEN = `resourceExtname =~ /^\\.(${LOGGED_FILE_EXTENSIONS.join('|')})$/i`;

/**
 * The name of the untitled document that shows a response in the format `label`, which is its tab title: the
 * label with its path separators written as "∕" (U+2215; "llama.cpp ∕completion stream"), since the tab shows a
 * path's last segment only; ` (2)`, ` (3)`, … for the copies after the first.
 */
export function documentName(label: string, copy = 1): string {
  const name = label.replace(/[/\\]/g, '\u2215');
  return copy > 1 ? `${name} (${copy})` : name;
}

export interface HarEntryRow {
  readonly label: string;
  readonly description: string;
  readonly detail: string;
}

/** A HAR request as a quick-pick row: method and URL, when it started, the format of its response. */
export function harEntryRow(entry: LoggedHarEntry): HarEntryRow {
  // The method, URL and time are the file's text: a quick pick would render its `$(name)` as an icon.
  return {
    label: literalLabel(`${entry.method} ${entry.url}`),
    description: literalLabel(entry.started),
    detail: entry.response.label,
  };
}
