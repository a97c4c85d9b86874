/** Checks a base URL: https everywhere, plain http only for loopback hosts. Returns a reason when it is refused. */
export function checkBaseUrl(baseUrl: string): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { problem: `logprobLens.baseUrl “${baseUrl}” is not a URL. Use something like https://api.openai.com/v1 or http://localhost:11434/v1.` };
  }
  if (url.username || url.password) {
    return { problem: 'logprobLens.baseUrl must not contain a user name or password. Use “Logprob Lens: Set API Key” for the key.' };
  }
  if (url.protocol === 'https:') return { url };
  if (url.protocol === 'http:') {
    if (isLoopback(url.hostname)) return { url };
    return { problem: `logprobLens.baseUrl uses plain http for ${url.host}, which would send your prompt (and key) unencrypted. Use https, or a loopback host (localhost, 127.0.0.1, [::1]).` };
  }
  return { problem: `logprobLens.baseUrl must start with https:// (or http:// for a local server), not ${url.protocol}` };
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
