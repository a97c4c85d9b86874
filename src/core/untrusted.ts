import { visibleToken } from './format';

/**
 * The one place that makes text we did not write (server messages, model names and tokens, file contents) safe for
 * the editor's plain-text surfaces, which still parse a little syntax of their own:
 * - notifications (`showErrorMessage`, `showWarningMessage`, `showInformationMessage`) turn `[label](target)`
 *   into a link when the target starts with `command:`, `http(s)://` or `file:` (VS Code
 *   src/vs/base/common/linkedText.ts, LINK_REGEX, at commit 1fe872e1): a server's "[Renew key](command:…)" would
 *   run any command in one click;
 * - quick-pick labels, descriptions and details and the status-bar text render `$(name)` as an icon (VS Code
 *   src/vs/base/browser/ui/iconLabel/iconLabels.ts, renderLabelWithIcons, at commit 025d400f).
 * Markdown surfaces (hovers, MarkdownString tooltips) are not served here: they take outside text as code spans
 * (hoverMarkdown) or through `MarkdownString.appendText`.
 */

/** Longest notification text (UTF-16 units, the ellipsis included); the log keeps the whole message. */
export const MESSAGE_LENGTH = 500;
/** Longest quick-pick or status-bar text built from outside text. */
export const LABEL_LENGTH = 200;

/** Characters removed from a message: invisible ones (zero-width, bidi controls, tags, variation selectors...). */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
/** Controls, line and paragraph separators and every other space: each run becomes one space. */
const BREAKS_AND_SPACES = /[\p{Cc}\p{Z}\s]+/gu;
const LONE_SURROGATE = /\p{Cs}/gu;
/** The only join the link grammars accept between a label and its target (no space allowed in either). */
const LABEL_THEN_TARGET = /\]\(/g;
/**
 * Schemes that act inside the editor when opened: commands, the editor's own URI handlers, files. A space after
 * the colon keeps any URI parser from reading them; "Unknown command: foo" already has one and stays as it is.
 */
const EDITOR_SCHEME = /\b(command|vscode[\w.+-]*|file):(?=\S)/gi;
/**
 * `$(name)` or `$(name~modifier)` as VS Code parses it (ThemeIcon.iconNameExpression `[A-Za-z0-9-]+` and
 * iconModifierExpression `~[A-Za-z]+`), with the backslash that may precede it.
 */
const ICON = /\\?\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/g;

/**
 * Outside text made safe for a notification: one line, no invisible characters, no link syntax, at most
 * `maxLength` units with a visible "…" when cut. Ordinary text reads as before: `[` and `(` stay, http(s) URLs
 * stay whole (a notification does not link a bare URL, and they are the useful part of many server messages);
 * only `](` becomes `] (` and `command:x`, `vscode:x`, `file:x` become `command: x`...
 * Pass the whole message (our words and theirs): our own words contain none of this syntax.
 */
export function plainMessage(text: string, maxLength = MESSAGE_LENGTH): string {
  // Bound the work on a huge message: only what can be shown is cleaned (spaces may shrink it, so keep more).
  const head = text.length > 4 * maxLength ? text.slice(0, 4 * maxLength) : text;
  // Invisible characters go first, so that removing one cannot join the pieces of a link back together.
  const cleaned = head
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(INVISIBLE, '')
    .replace(BREAKS_AND_SPACES, ' ')
    .trim()
    .replace(LABEL_THEN_TARGET, '] (')
    .replace(EDITOR_SCHEME, '$1: ');
  return cut(cleaned, maxLength, head !== text);
}

/**
 * Outside text for a quick-pick label, description or detail, or the status-bar text: as `plainMessage`, and
 * every `$(name)` shown literally. The technique is VS Code's own escape: a backslash before `$(` renders the
 * text without the backslash (renderLabelWithIcons), so the user sees exactly the original characters, with no
 * invisible character added. A `\$(name)` already escaped gets one more backslash, so its backslash shows too.
 */
export function literalLabel(text: string, maxLength = LABEL_LENGTH): string {
  return escapeIcons(plainMessage(text, maxLength));
}

/**
 * A model token for a quick pick or the status bar: its visible form (`visibleToken`: whitespace, invisible and
 * confusable characters shown, long tokens cut) with `$(name)` shown literally; "⟨empty⟩" for an empty token.
 */
export function tokenLabel(token: string): string {
  return token.length === 0 ? '⟨empty⟩' : escapeIcons(visibleToken(token));
}

function escapeIcons(text: string): string {
  return text.replace(ICON, (icon) => `\\${icon}`);
}

/** `text` cut to `maxLength` units with "…" (never inside a surrogate pair); also marked when already cut. */
function cut(text: string, maxLength: number, alreadyCut: boolean): string {
  if (text.length <= maxLength && !alreadyCut) return text;
  let end = Math.max(0, Math.min(text.length, maxLength - 1));
  if (end > 0 && end < text.length && (text.charCodeAt(end) & 0xfc00) === 0xdc00) end--;
  return `${text.slice(0, end).trimEnd()}…`;
}
