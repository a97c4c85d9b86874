import * as vscode from 'vscode';
import { checkBaseUrl, isLoopback } from '../../core/endpoint';
import type { FailureContext } from '../../core/failure';
import type { EndpointOptions } from '../../core/request';
import type { LensSettings } from '../../core/settings/snapshot';
import { keyScope } from '../../core/settings/snapshot';
import { Commands, SECTION } from '../commandIds';
import { showError, showInfo } from '../notify';
import type { SettingsService } from '../settings';
import type { ApiKeys } from './apiKeys';

/** The endpoint the settings point at, checked, with its key: everything a request needs. */
export interface ResolvedEndpoint {
  readonly url: URL;
  readonly apiKey: string | undefined;
  readonly settings: LensSettings;
  /** What the client is constructed with. */
  readonly options: EndpointOptions;
  /** What failure messages are made with (host, model, and the key, so it is never shown). */
  readonly failureContext: FailureContext;
}

/** Why no request can be sent, already shown to the user. */
export interface EndpointRefusal {
  readonly refused: string;
}

/** Asked when nothing is set up yet (first run); resolves true when an endpoint now is. */
export type FirstRunOffer = () => Promise<boolean>;

/**
 * Turns the settings into an endpoint a request can go to: the URL checked (https, or http on loopback), the key
 * found for its origin, the first-run offer made when nothing is set up, and a workspace's choice of profile
 * announced before its first request goes out.
 */
export class EndpointResolver {
  private readonly announced = new Set<string>();

  constructor(
    private readonly settings: SettingsService,
    private readonly keys: ApiKeys,
    private readonly firstRun: FirstRunOffer,
  ) {}

  async resolve({ allowFirstRun = true } = {}): Promise<ResolvedEndpoint | EndpointRefusal> {
    let settings = this.settings.refresh();
    if (settings.profileProblem) return refuseWithSettings(settings.profileProblem);
    let checked = checkBaseUrl(settings.baseUrl);
    if ('problem' in checked) return refuseWithSettings(checked.problem);
    if (!settings.model) return refuseWithSettings('Set logprobLens.model to the model to ask.');
    let apiKey = await this.keys.get(keyScope(settings, checked.url.origin));
    if (!apiKey && !isLoopback(checked.url.hostname) && allowFirstRun && settings.profileName === undefined && await this.firstRun()) {
      settings = this.settings.refresh();
      checked = checkBaseUrl(settings.baseUrl);
      if ('problem' in checked) return refuseWithSettings(checked.problem);
      apiKey = await this.keys.get(keyScope(settings, checked.url.origin));
    }
    const { url } = checked;
    if (!apiKey && !isLoopback(url.hostname)) {
      const message = `No API key for ${url.host}${settings.profileName ? ` (endpoint “${settings.profileName}”)` : ''}. Run “Logprob Lens: Set API Key”.`;
      void showError(message, 'Set API Key').then((choice) => {
        if (choice) void vscode.commands.executeCommand(Commands.setApiKey);
      });
      return { refused: message };
    }
    this.announceWorkspaceChoice(settings, url);
    return {
      url, apiKey, settings,
      options: { baseUrl: url.href.replace(/\/+$/, ''), apiKey, headers: settings.headers, timeoutMs: settings.timeoutMs, azure: settings.azure },
      failureContext: { host: url.host, model: settings.model, hasKey: apiKey !== undefined, secrets: apiKey ? [apiKey] : [] },
    };
  }

  /**
   * A repository's settings may pick one of the user's profiles by name. That changes where the user's text goes,
   * so it is never silent: the first request of each such choice says which profile, host and model, and why.
   */
  private announceWorkspaceChoice(settings: LensSettings, url: URL): void {
    if (settings.profileName === undefined || (settings.profileChosenBy !== 'workspace' && settings.profileChosenBy !== 'workspace folder')) return;
    const key = `${settings.profileName}@${url.origin}`;
    if (this.announced.has(key)) return;
    this.announced.add(key);
    void showInfo(`This ${settings.profileChosenBy}'s settings chose the endpoint “${settings.profileName}”: your text goes to ${settings.model} at ${url.host}.`, 'Select Endpoint')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand(Commands.selectEndpoint);
      });
  }
}

function refuseWithSettings(message: string): EndpointRefusal {
  void showError(message, 'Open Settings').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', SECTION);
  });
  return { refused: message };
}
