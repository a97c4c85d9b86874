import * as vscode from 'vscode';
import { checkBaseUrl } from '../../core/endpoint';
import type { EndpointProfile, Preset } from '../../core/presets';
import { PRESETS } from '../../core/presets';
import { DEFAULT_BASE_URL, DEFAULT_MODEL } from '../../core/settings/schema';
import type { LensSettings } from '../../core/settings/snapshot';
import { keyScope } from '../../core/settings/snapshot';
import { literalLabel } from '../../core/untrusted';
import { SECTION } from '../commandIds';
import { showError, showInfo } from '../notify';
import type { SettingsService } from '../settings';
import type { ApiKeys } from './apiKeys';

/**
 * The user's endpoint profiles and keys: which profile is in use, adding one from a preset, and the key of the
 * endpoint in use. Profiles are written to the user's settings only; a workspace may only pick one by name.
 */
export class ProfileStore {
  constructor(private readonly settings: SettingsService, private readonly keys: ApiKeys) {}

  /** The profiles of the user's settings (never a workspace's). */
  userProfiles(): Record<string, EndpointProfile> {
    return vscode.workspace.getConfiguration(SECTION).inspect<Record<string, EndpointProfile>>('endpoints')?.globalValue ?? {};
  }

  /** Select Endpoint: a profile of the user's, the individual settings, or a new one from a preset. */
  async select(): Promise<string | undefined> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const current = this.settings.refresh().profileName;
    type Item = vscode.QuickPickItem & { action: () => Promise<string | undefined> };
    const items: Item[] = [
      ...Object.entries(this.userProfiles()).map(([name, profile]): Item => ({
        label: name, description: `${profile.model} · ${profile.baseUrl}${profile.apiStyle && profile.apiStyle !== 'chat' ? ` · ${profile.apiStyle}` : ''}`,
        ...(name === current ? { detail: 'in use' } : {}),
        action: () => this.use(name),
      })),
      { label: 'Individual settings', description: `${config.inspect<string>('model')?.globalValue ?? DEFAULT_MODEL} · ${config.inspect<string>('baseUrl')?.globalValue ?? DEFAULT_BASE_URL}`, action: () => this.use('') },
      { label: 'Add an endpoint', kind: vscode.QuickPickItemKind.Separator, action: () => Promise.resolve(undefined) },
      ...PRESETS.map((preset): Item => ({ label: `$(add) ${preset.name}`, description: preset.profile.baseUrl, detail: preset.note, action: () => this.addPreset(preset) })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Logprob Lens: endpoint', placeHolder: 'Pick an endpoint, or add one from a preset', matchOnDescription: true });
    return picked?.action();
  }

  /**
   * Makes a profile (or, for '', the individual settings) the one in use, in the user's settings. When this
   * workspace's own choice overrides the user's, that is said plainly, with the offer to change it here too.
   */
  async use(name: string): Promise<string> {
    const config = vscode.workspace.getConfiguration(SECTION);
    await config.update('endpoint', name || undefined, vscode.ConfigurationTarget.Global);
    const inspected = config.inspect<string>('endpoint');
    const override = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
    if (override !== undefined && override !== name && vscode.workspace.isTrusted) {
      const choice = await showInfo(`Saved “${name || 'Individual settings'}” in your user settings, but this workspace's settings choose “${override || 'Individual settings'}”, and they win here.`, 'Use It in This Workspace Too');
      if (choice) await config.update('endpoint', name || undefined, vscode.ConfigurationTarget.Workspace);
    }
    this.settings.refresh();
    return name;
  }

  /** Adds a preset as a user profile (asking for what it needs) and makes it the one in use. */
  async addPreset(preset: Preset, baseUrl = preset.profile.baseUrl, models: readonly string[] = []): Promise<string | undefined> {
    let url = baseUrl;
    if (url.includes('<resource>')) {
      const resource = await vscode.window.showInputBox({ title: `${preset.name}: resource name`, prompt: 'The <resource> in https://<resource>.openai.azure.com', ignoreFocusOut: true, validateInput: (value) => (/^[a-z0-9-]+$/i.test(value) ? undefined : 'Letters, digits and dashes only') });
      if (!resource) return undefined;
      url = url.replace('<resource>', resource);
    }
    const model = await this.askModel(preset, models);
    if (!model) return undefined;
    const profiles = { ...this.userProfiles() };
    let name = preset.name;
    for (let n = 2; Object.hasOwn(profiles, name) && profiles[name]!.baseUrl !== url; n++) name = `${preset.name} ${n}`;
    profiles[name] = { ...preset.profile, baseUrl: url, model, ...(preset.profile.azureDeployment ? { azureDeployment: model } : {}), preset: preset.name };
    await vscode.workspace.getConfiguration(SECTION).update('endpoints', profiles, vscode.ConfigurationTarget.Global);
    await this.use(name);
    if (preset.needsKey) await this.setApiKey();
    void showInfo(`Using “${name}” (${model} at ${url}). ${preset.note}`);
    return name;
  }

  /** Asks for the key of the endpoint in use and stores it for that endpoint only. */
  async setApiKey(): Promise<boolean> {
    const current = this.currentEndpoint();
    return current ? this.askKey(current.settings, current.url) : false;
  }

  /** Asks for a key and stores it for exactly this origin (the first-run offer names the origin it is for). */
  async setApiKeyFor(origin: string): Promise<boolean> {
    return this.askKey({ profileName: undefined }, new URL(origin));
  }

  async clearApiKey(): Promise<boolean> {
    const current = this.currentEndpoint();
    if (!current) return false;
    await this.keys.clear(keyScope(current.settings, current.url.origin));
    void showInfo(`Key removed for ${current.url.host}.`);
    return true;
  }

  private async askKey(settings: Pick<LensSettings, 'profileName'>, url: URL): Promise<boolean> {
    const key = await vscode.window.showInputBox({
      title: `API key for ${url.origin}${settings.profileName ? ` (endpoint “${settings.profileName}”)` : ''}`,
      prompt: 'Stored in VS Code\'s secret storage for this endpoint only; never in settings or logs.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length === 0 ? 'Enter a key, or press Escape.' : /\s/.test(value.trim()) ? 'A key has no spaces.' : undefined),
    });
    if (key === undefined) return false;
    await this.keys.set(keyScope(settings, url.origin), key.trim());
    void showInfo(`Key saved for ${url.host}.`);
    return true;
  }

  private async askModel(preset: Preset, models: readonly string[]): Promise<string | undefined> {
    if (models.length > 1) {
      // Model names come from the server: shown literally.
      const picked = await vscode.window.showQuickPick(models.map((id) => ({ label: literalLabel(id), id })), { title: `${preset.name}: model`, placeHolder: 'The model to ask' });
      return picked?.id;
    }
    const typed = await vscode.window.showInputBox({
      title: `${preset.name}: model`, value: models[0] ?? preset.profile.model, ignoreFocusOut: true,
      prompt: preset.profile.azureDeployment ? 'Your deployment name' : 'The model name as this endpoint knows it',
      validateInput: (value) => (value.trim() ? undefined : 'Enter a model name'),
    });
    return typed?.trim() || undefined;
  }

  /** The settings and the checked URL of the endpoint in use; undefined (with a message shown) when the URL is refused. */
  private currentEndpoint(): { settings: LensSettings; url: URL } | undefined {
    const settings = this.settings.refresh();
    const checked = checkBaseUrl(settings.baseUrl);
    if ('problem' in checked) {
      void showError(checked.problem);
      return undefined;
    }
    return { settings, url: checked.url };
  }
}
