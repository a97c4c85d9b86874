import type * as vscode from 'vscode';

const OPENAI_ORIGIN = 'https://api.openai.com';

/**
 * API keys in SecretStorage, one per endpoint origin, so a key typed for one host is never sent to another.
 * The OPENAI_API_KEY environment variable serves as a fallback for api.openai.com only, for the same reason.
 */
export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(origin: string): Promise<string | undefined> {
    const stored = await this.secrets.get(secretName(origin));
    if (stored) return stored;
    const fromEnvironment = process.env.OPENAI_API_KEY;
    return origin === OPENAI_ORIGIN && fromEnvironment ? fromEnvironment : undefined;
  }

  async set(origin: string, key: string): Promise<void> {
    await this.secrets.store(secretName(origin), key);
  }

  async clear(origin: string): Promise<void> {
    await this.secrets.delete(secretName(origin));
  }
}

function secretName(origin: string): string {
  return `logprobLens.apiKey:${origin}`;
}
