import type * as vscode from 'vscode';

const OPENAI_ORIGIN = 'https://api.openai.com';

/**
 * API keys in SecretStorage, one per key scope: an endpoint's origin, or `profile@origin` for a profile (see
 * `keyScope`), so a key typed for one host or profile is never sent to another. The OPENAI_API_KEY environment
 * variable serves as a fallback for api.openai.com without a profile only, for the same reason.
 */
export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(scope: string): Promise<string | undefined> {
    const stored = await this.secrets.get(secretName(scope));
    if (stored) return stored;
    const fromEnvironment = process.env.OPENAI_API_KEY;
    return scope === OPENAI_ORIGIN && fromEnvironment ? fromEnvironment : undefined;
  }

  async set(scope: string, key: string): Promise<void> {
    await this.secrets.store(secretName(scope), key);
  }

  async clear(scope: string): Promise<void> {
    await this.secrets.delete(secretName(scope));
  }
}

function secretName(scope: string): string {
  return `logprobLens.apiKey:${scope}`;
}
