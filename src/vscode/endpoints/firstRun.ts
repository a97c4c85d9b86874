import * as vscode from 'vscode';
import { DEFAULT_BASE_URL } from '../../core/settings/schema';
import { literalLabel } from '../../core/untrusted';
import { LOCAL_SERVERS, PRESETS } from '../../core/presets';
import { loadClient } from '../clientLoader';
import type { SettingsService } from '../settings';
import type { ProfileStore } from './profiles';

/**
 * First run, when nothing is configured: looks for local servers on their default ports (loopback only, on the
 * machine the extension runs on, which it names) and offers them, a key for the endpoint in use, or a preset.
 */
export class FirstRun {
  constructor(
    private readonly profiles: ProfileStore,
    private readonly settings: SettingsService,
    /** Which machine "localhost" is for this extension, e.g. "this computer" or "the remote machine (SSH: host)". */
    private readonly machine: string,
  ) {}

  /** Resolves true when an endpoint is now set up. */
  async offer(): Promise<boolean> {
    const client = loadClient();
    const found = (await Promise.all(LOCAL_SERVERS.map(async (server) => ({ ...server, models: await client.probeServer(server.baseUrl, 800) }))))
      .filter((server): server is typeof server & { models: string[] } => server.models !== undefined);
    const origin = new URL(this.settings.current.baseUrl || DEFAULT_BASE_URL).origin;
    type Item = vscode.QuickPickItem & { action: () => Promise<boolean> };
    const items: Item[] = [
      ...found.map((server): Item => ({
        label: `$(server) ${server.preset} at ${new URL(server.baseUrl).host}`,
        // Model names come from the server: shown literally.
        description: server.models.length > 0 ? literalLabel(`${server.models.length} model${server.models.length === 1 ? '' : 's'}: ${server.models.slice(0, 3).join(', ')}`) : 'running',
        action: async () => (await this.profiles.addPreset(PRESETS.find((preset) => preset.name === server.preset)!, server.baseUrl, server.models)) !== undefined,
      })),
      { label: `$(key) Enter an API key for ${new URL(origin).host}`, description: 'stored for this address only', action: () => this.profiles.setApiKeyFor(origin) },
      { label: '$(list-unordered) Choose another endpoint…', description: 'Azure, OpenRouter, Together, DeepSeek, a local server, …', action: async () => (await this.profiles.select()) !== undefined },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Logprob Lens: no endpoint is set up yet',
      placeHolder: found.length > 0
        ? `Local servers found on ${this.machine}, or set up another endpoint`
        : `No local server found on ${this.machine} (ports 11434, 8080, 8000, 1234); set up an endpoint`,
      ignoreFocusOut: true,
    });
    return picked ? picked.action() : false;
  }
}

/** Which machine "localhost" is for the extension: where it runs (locally, or on the remote side of a window). */
export function localMachine(extensionKind: vscode.ExtensionKind, remoteName: string | undefined): string {
  return remoteName === undefined || extensionKind === vscode.ExtensionKind.UI ? 'this computer' : `the remote machine (${remoteName})`;
}
