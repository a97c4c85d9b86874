import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { keyScope } from '../../src/core/settings/snapshot';
import { ApiKeys } from '../../src/vscode/endpoints/apiKeys';

/** SecretStorage as VS Code keeps it: a map of names to values (ApiKeys uses get, store and delete only). */
class MemorySecrets {
  readonly values = new Map<string, string>();
  get(name: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(name));
  }
  store(name: string, value: string): Promise<void> {
    this.values.set(name, value);
    return Promise.resolve();
  }
  delete(name: string): Promise<void> {
    this.values.delete(name);
    return Promise.resolve();
  }
}

const ENV_KEY = 'sk-from-the-environment-0123456789';
/** The scope a request asks a key for: the origin of its base URL, or `profile@origin` for a named profile. */
const scopeOf = (baseUrl: string, profileName?: string): string => keyScope({ profileName }, new URL(baseUrl).origin);

describe('API keys: the OPENAI_API_KEY fallback', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = ENV_KEY;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = saved;
  });

  it('gives the environment\'s key to api.openai.com without a profile', async () => {
    const keys = new ApiKeys(new MemorySecrets() as unknown as vscode.SecretStorage);
    assert.equal(await keys.get(scopeOf('https://api.openai.com/v1')), ENV_KEY);
    assert.equal(await keys.get(scopeOf('https://api.openai.com')), ENV_KEY);
  });

  it('never gives it to another origin: other hosts, schemes, ports, look-alikes, local servers, Azure', async () => {
    const keys = new ApiKeys(new MemorySecrets() as unknown as vscode.SecretStorage);
    for (const baseUrl of [
      'http://api.openai.com/v1', 'https://api.openai.com:8443/v1', 'https://api.openai.com.attacker.example/v1', 'https://openai.com/v1',
      'https://eu.api.openai.com/v1', 'https://attacker.example/v1', 'http://127.0.0.1:11434/v1', 'http://localhost:8000/v1',
      'https://my-resource.openai.azure.com/openai/v1', 'https://openrouter.ai/api/v1',
    ]) {
      assert.equal(await keys.get(scopeOf(baseUrl)), undefined, baseUrl);
    }
  });

  it('never gives it to a profile, not even one at api.openai.com (a profile has a key of its own)', async () => {
    const keys = new ApiKeys(new MemorySecrets() as unknown as vscode.SecretStorage);
    assert.equal(await keys.get(scopeOf('https://api.openai.com/v1', 'OpenAI')), undefined);
    assert.equal(await keys.get(scopeOf('http://127.0.0.1:11434/v1', 'Ollama')), undefined);
  });

  it('lets a stored key win over the environment\'s, and falls back to it once the stored key is cleared', async () => {
    const secrets = new MemorySecrets();
    const keys = new ApiKeys(secrets as unknown as vscode.SecretStorage);
    const openai = scopeOf('https://api.openai.com/v1');
    await keys.set(openai, 'sk-stored-by-the-user-0123456789');
    assert.equal(await keys.get(openai), 'sk-stored-by-the-user-0123456789');
    await keys.clear(openai);
    assert.equal(await keys.get(openai), ENV_KEY);
    assert.equal(secrets.values.size, 0, 'the environment\'s key is never written to the secret storage');
  });

  it('gives nothing when the variable is unset or empty', async () => {
    const keys = new ApiKeys(new MemorySecrets() as unknown as vscode.SecretStorage);
    process.env.OPENAI_API_KEY = '';
    assert.equal(await keys.get(scopeOf('https://api.openai.com/v1')), undefined);
    delete process.env.OPENAI_API_KEY;
    assert.equal(await keys.get(scopeOf('https://api.openai.com/v1')), undefined);
  });
});
