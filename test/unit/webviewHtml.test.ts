import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, webviewHtml } from '../../src/core/webviewHtml';

const page = {
  // VS Code's own value (webviewGenericCspSource, microsoft/vscode src/vs/workbench/contrib/webview/common/webview.ts).
  cspSource: "'self' https://*.vscode-cdn.net",
  nonce: 'q2Zk1vL0m3Tn8Xc4Rb7Ya9==',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/inspector.js',
  styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/webview/common.css'],
  title: 'Token <Inspector> & "friends"',
};

describe('webview HTML', () => {
  it('carries the strict policy: nothing by default, own origin for images, styles and fonts, scripts by nonce', () => {
    const html = webviewHtml(page);
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.equal(policy, "default-src 'none'; img-src 'self' https://*.vscode-cdn.net data:; "
      + "style-src 'self' https://*.vscode-cdn.net; script-src 'nonce-q2Zk1vL0m3Tn8Xc4Rb7Ya9=='; "
      + "font-src 'self' https://*.vscode-cdn.net; form-action 'none'; base-uri 'none'");
    assert.equal(contentSecurityPolicy(page.cspSource, page.nonce), policy);
    assert.doesNotMatch(policy ?? '', /unsafe|http:/);
  });

  it('loads one script by nonce and the stylesheets, with no inline script, style or handler', () => {
    const html = webviewHtml(page);
    assert.deepEqual([...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]),
      [`<script nonce="${page.nonce}" src="${page.scriptUri}">`]);
    assert.match(html, new RegExp(`<link rel="stylesheet" href="${page.styleUris[0]!.replace(/[.+]/g, '\\$&')}">`));
    assert.doesNotMatch(html, /<style|style=|\son[a-z]+=/i);
    assert.match(html, /<title>Token &lt;Inspector&gt; &amp; &quot;friends&quot;<\/title>/);
  });

  it('refuses a nonce or source that could change the policy', () => {
    assert.throws(() => webviewHtml({ ...page, nonce: "abc'; script-src *" }), /nonce/);
    assert.throws(() => webviewHtml({ ...page, nonce: 'short' }), /nonce/);
    assert.throws(() => webviewHtml({ ...page, cspSource: "https://a.example; script-src 'unsafe-inline'" }), /cspSource/);
    assert.throws(() => webviewHtml({ ...page, cspSource: "'self' 'unsafe-eval'" }), /cspSource/);
    assert.throws(() => webviewHtml({ ...page, cspSource: 'https://a.example,https://b.example' }), /cspSource/);
    assert.throws(() => webviewHtml({ ...page, cspSource: '' }), /cspSource/);
    assert.throws(() => webviewHtml({ ...page, cspSource: "'self' 'unsafe-inline'" }), /cspSource/);
  });

  it('takes the sources VS Code gives as webview.cspSource (1.139: a keyword and a host source)', () => {
    const html = webviewHtml({ ...page, cspSource: "'self' https://*.vscode-cdn.net" });
    assert.ok(html.includes("img-src 'self' https://*.vscode-cdn.net data:; style-src 'self' https://*.vscode-cdn.net; "));
  });
});
