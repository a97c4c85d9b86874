import * as vscode from 'vscode';
import { describeFailure } from '../../core/failure';
import { loadClient } from '../clientLoader';
import { showInfo, showWarning } from '../notify';
import type { EndpointResolver } from './resolver';

/** What Check Endpoint found, line by line (also written to the log). */
export interface EndpointReport {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

/**
 * Check Endpoint: lists the models, sends a one-token request with logprobs, tries scoring, and says what works
 * and why not, in a notification and, line by line, in the log.
 */
export class EndpointCheck {
  constructor(private readonly resolver: EndpointResolver, private readonly log: vscode.LogOutputChannel) {}

  async run(): Promise<EndpointReport | undefined> {
    const endpoint = await this.resolver.resolve({ allowFirstRun: false });
    if ('refused' in endpoint) return undefined;
    const { url, settings } = endpoint;
    const lines = [`Checking ${settings.model} at ${url.origin}${url.pathname} (${settings.apiStyle} API${settings.profileName ? `, endpoint “${settings.profileName}”` : ''}):`];
    const steps = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Logprob Lens: checking ${url.host}`, cancellable: true }, (_, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      const client = loadClient();
      return client.checkEndpoint(client.createClient(endpoint.options), { model: settings.model, apiStyle: settings.apiStyle, topLogprobs: settings.topLogprobs }, controller.signal);
    });
    for (const step of steps) {
      const why = step.error === undefined ? '' : `: ${describeFailure(step.error, endpoint.failureContext).message}`;
      lines.push(`${step.ok ? '✔' : '✘'} ${step.detail}${why}`);
    }
    for (const line of lines) this.log.info(line);
    const logprobs = steps.find((step) => step.step === 'logprobs');
    const summary = logprobs?.ok ? `${url.host} works: ${logprobs.detail}.` : `${url.host}: ${lines[2]?.slice(2) ?? 'no answer'}`;
    const show = logprobs?.ok ? showInfo : showWarning;
    void show(summary, 'Show Details').then((choice) => {
      if (choice) this.log.show();
    });
    return { ok: logprobs?.ok ?? false, lines };
  }
}
