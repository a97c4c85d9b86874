import * as vscode from 'vscode';
import { checkBaseUrl } from '../core/endpoint';
import { describeFailure } from '../core/failure';
import type { EndpointProfile, Preset } from '../core/presets';
import { LOCAL_SERVERS, PRESETS } from '../core/presets';
import type { ApiKeys } from './apiKeys';
import { loadClient } from './clientLoader';
import type { CompletionRunner } from './runner';
import type { LensSettings } from './settings';
import { keyScope, SECTION } from './settings';

/** Endpoint set-up: profiles from presets, keys, the endpoint check and the first-run offer. */
export class EndpointCommands {
  constructor(
    private readonly keys: ApiKeys,
    private readonly settings: () => LensSettings,
    private readonly runner: () => CompletionRunner,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Select Endpoint: a profile of the user's, the individual settings, or a new one from a preset. */
  async selectEndpoint(): Promise<string | undefined> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const profiles = config.inspect<Record<string, EndpointProfile>>('endpoints')?.globalValue ?? {};
    const current = this.settings().profileName;
    type Item = vscode.QuickPickItem & { action: () => Promise<string | undefined> };
    const items: Item[] = [
      ...Object.entries(profiles).map(([name, profile]): Item => ({
        label: name, description: `${profile.model} · ${profile.baseUrl}${profile.apiStyle && profile.apiStyle !== 'chat' ? ` · ${profile.apiStyle}` : ''}`,
        ...(name === current ? { detail: 'in use' } : {}),
        action: () => this.use(name),
      })),
      { label: 'Individual settings', description: `${config.inspect<string>('model')?.globalValue ?? 'gpt-4o-mini'} · ${config.inspect<string>('baseUrl')?.globalValue ?? 'https://api.openai.com/v1'}`, action: () => this.use('') },
      { label: 'Add an endpoint', kind: vscode.QuickPickItemKind.Separator, action: () => Promise.resolve(undefined) },
      ...PRESETS.map((preset): Item => ({ label: `$(add) ${preset.name}`, description: preset.profile.baseUrl, detail: preset.note, action: () => this.addPreset(preset) })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Logprob Lens: endpoint', placeHolder: 'Pick an endpoint, or add one from a preset', matchOnDescription: true });
    return picked?.action();
  }

  /** Adds a preset as a user profile (asking for what it needs) and makes it the one in use. */
  async addPreset(preset: Preset, baseUrl = preset.profile.baseUrl, models: readonly string[] = []): Promise<string | undefined> {
    let url = baseUrl;
    if (url.includes('<resource>')) {
      const resource = await vscode.window.showInputBox({ title: `${preset.name}: resource name`, prompt: 'The <resource> in https://<resource>.openai.azure.com', ignoreFocusOut: true, validateInput: (value) => (/^[a-z0-9-]+$/i.test(value) ? undefined : 'Letters, digits and dashes only') });
      if (!resource) return undefined;
      url = url.replace('<resource>', resource);
    }
    const model = models.length > 1
      ? (await vscode.window.showQuickPick([...models], { title: `${preset.name}: model`, placeHolder: 'The model to ask' }))
      : await vscode.window.showInputBox({ title: `${preset.name}: model`, value: models[0] ?? preset.profile.model, prompt: preset.profile.azureDeployment ? 'Your deployment name' : 'The model name as this endpoint knows it', ignoreFocusOut: true, validateInput: (value) => (value.trim() ? undefined : 'Enter a model name') });
    if (!model) return undefined;
    const config = vscode.workspace.getConfiguration(SECTION);
    const profiles = { ...(config.inspect<Record<string, EndpointProfile>>('endpoints')?.globalValue ?? {}) };
    let name = preset.name;
    for (let n = 2; Object.hasOwn(profiles, name) && profiles[name]!.baseUrl !== url; n++) name = `${preset.name} ${n}`;
    profiles[name] = { ...preset.profile, baseUrl: url, model: model.trim(), ...(preset.profile.azureDeployment ? { azureDeployment: model.trim() } : {}) };
    await config.update('endpoints', profiles, vscode.ConfigurationTarget.Global);
    await this.use(name);
    if (preset.needsKey) await this.setApiKey();
    void vscode.window.showInformationMessage(`Logprob Lens: using “${name}” (${model} at ${url}). ${preset.note}`);
    return name;
  }

  async setApiKey(): Promise<boolean> {
    const current = this.currentEndpoint();
    if (!current) return false;
    const { settings, checked } = current;
    const key = await vscode.window.showInputBox({
      title: `API key for ${checked.url.origin}${settings.profileName ? ` (endpoint “${settings.profileName}”)` : ''}`,
      prompt: 'Stored in VS Code\'s secret storage for this endpoint only; never in settings or logs.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length === 0 ? 'Enter a key, or press Escape.' : /\s/.test(value.trim()) ? 'A key has no spaces.' : undefined),
    });
    if (key === undefined) return false;
    await this.keys.set(keyScope(settings, checked.url.origin), key.trim());
    void vscode.window.showInformationMessage(`Logprob Lens: key saved for ${checked.url.host}.`);
    return true;
  }

  async clearApiKey(): Promise<boolean> {
    const current = this.currentEndpoint();
    if (!current) return false;
    const { settings, checked } = current;
    await this.keys.clear(keyScope(settings, checked.url.origin));
    void vscode.window.showInformationMessage(`Logprob Lens: key removed for ${checked.url.host}.`);
    return true;
  }

  /** Check Endpoint: what works (models, streaming with logprobs and how many alternatives, scoring) and why not. */
  async checkEndpoint(): Promise<{ ok: boolean; lines: string[] } | undefined> {
    const endpoint = await this.runner().resolveEndpoint(false);
    if ('outcome' in endpoint) return undefined;
    const { url, apiKey, settings } = endpoint;
    const lines = [`Checking ${settings.model} at ${url.origin}${url.pathname} (${settings.apiStyle} API${settings.profileName ? `, endpoint “${settings.profileName}”` : ''}):`];
    const steps = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Logprob Lens: checking ${url.host}`, cancellable: true }, (_, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      const client = loadClient();
      return client.checkEndpoint(client.createClient(this.runner().endpointOptions(endpoint)), { model: settings.model, apiStyle: settings.apiStyle, topLogprobs: settings.topLogprobs }, controller.signal);
    });
    for (const step of steps) {
      const why = step.error === undefined ? '' : `: ${describeFailure(step.error, { host: url.host, model: settings.model, hasKey: apiKey !== undefined, secrets: apiKey ? [apiKey] : [] }).message}`;
      lines.push(`${step.ok ? '✔' : '✘'} ${step.detail}${why}`);
    }
    for (const line of lines) this.log.info(line);
    const logprobs = steps.find((step) => step.step === 'logprobs');
    const summary = logprobs?.ok ? `${url.host} works: ${logprobs.detail}.` : `${url.host}: ${lines[2]?.slice(2) ?? 'no answer'}`;
    const show = logprobs?.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(`Logprob Lens: ${summary}`, 'Show Details').then((choice) => {
      if (choice) this.log.show();
    });
    return { ok: logprobs?.ok ?? false, lines };
  }

  /**
   * First run, when nothing is configured: looks for local servers on their default ports (loopback only) and
   * offers them, or an OpenAI key, or a preset. Resolves true when an endpoint is now set up.
   */
  async firstRun(): Promise<boolean> {
    const client = loadClient();
    const found = (await Promise.all(LOCAL_SERVERS.map(async (server) => ({ ...server, models: await client.probeServer(server.baseUrl, 800) }))))
      .filter((server): server is typeof server & { models: string[] } => server.models !== undefined);
    type Item = vscode.QuickPickItem & { action: () => Promise<boolean> };
    const items: Item[] = [
      ...found.map((server): Item => ({
        label: `$(server) ${server.preset} at ${new URL(server.baseUrl).host}`,
        description: server.models.length > 0 ? `${server.models.length} model${server.models.length === 1 ? '' : 's'}: ${server.models.slice(0, 3).join(', ')}` : 'running',
        action: async () => (await this.addPreset(PRESETS.find((preset) => preset.name === server.preset)!, server.baseUrl, server.models)) !== undefined,
      })),
      { label: '$(key) Enter an OpenAI API key', description: 'for api.openai.com', action: () => this.setApiKey() },
      { label: '$(list-unordered) Choose another endpoint…', description: 'Azure, OpenRouter, Together, DeepSeek, …', action: async () => (await this.selectEndpoint()) !== undefined },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Logprob Lens: no endpoint is set up yet',
      placeHolder: found.length > 0 ? 'Local servers found on this machine, or set up another endpoint' : 'No local server found on the default ports; set up an endpoint',
      ignoreFocusOut: true,
    });
    return picked ? picked.action() : false;
  }

  /** The settings and the checked URL of the endpoint in use; undefined (with a message shown) when the URL is refused. */
  private currentEndpoint(): { settings: LensSettings; checked: { url: URL } } | undefined {
    const settings = this.settings();
    const checked = checkBaseUrl(settings.baseUrl);
    if ('problem' in checked) {
      void vscode.window.showErrorMessage(`Logprob Lens: ${checked.problem}`);
      return undefined;
    }
    return { settings, checked };
  }

  private async use(name: string): Promise<string> {
    await vscode.workspace.getConfiguration(SECTION).update('endpoint', name || undefined, vscode.ConfigurationTarget.Global);
    return name;
  }
}
