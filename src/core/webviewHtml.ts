/**
 * The HTML shell of the extension's webviews: a strict Content-Security-Policy (no inline script or style, scripts
 * only with the per-load nonce, nothing from the network), the stylesheets and the one bundled script. Pure, so the
 * policy is unit-tested; the panel adapter supplies `webview.cspSource` and `asWebviewUri` results.
 */

export interface WebviewPage {
  /** `webview.cspSource`: the origin the webview's own resources load from. */
  readonly cspSource: string;
  /** A fresh random value per load (at least 128 bits, base64 or hex). */
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUris: readonly string[];
  readonly title: string;
}

/**
 * The Content-Security-Policy of a page: `default-src 'none'` with images, styles and fonts from the webview's
 * own origin and scripts by nonce only; `form-action` and `base-uri` are not covered by `default-src`, so they are
 * closed explicitly.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * One source expression of `webview.cspSource`: `'self'`, or a scheme or host source. VS Code 1.139 gives
 * `'self' https://*.vscode-cdn.net`; nothing that could end the directive or add a keyword passes.
 */
const SOURCE_EXPRESSION = /^(?:'self'|[^\s;'",]+)$/;

export function webviewHtml(page: WebviewPage): string {
  // Both go into the policy itself: a quote, semicolon or space there would change what it allows.
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(page.nonce)) throw new Error('webviewHtml: the nonce must be 16 or more base64 or hex characters');
  if (!page.cspSource.split(' ').every((source) => SOURCE_EXPRESSION.test(source))) throw new Error('webviewHtml: cspSource must be source expressions separated by spaces');
  const styles = page.styleUris.map((uri) => `    <link rel="stylesheet" href="${escapeHtml(uri)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(page.cspSource, page.nonce)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
    <title>${escapeHtml(page.title)}</title>
  </head>
  <body>
    <main id="app"></main>
    <script nonce="${page.nonce}" src="${escapeHtml(page.scriptUri)}"></script>
  </body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
