import * as vscode from 'vscode';
import type { ProbeResult } from '../../core/capabilities';
import { describeFailure } from '../../core/failure';
import { loadClient } from '../clientLoader';
import { showInfo, showWarning } from '../notify';
import type { EndpointResolver, ResolvedEndpoint } from './resolver';

/** What Check Endpoint found, line by line (also written to the log). */
export interface EndpointReport {
  readonly ok: boolean;
  readonly lines: readonly string[];
  /** What the capability probes concluded (steering: continuing, logit bias, ids, n, scoring), recorded. */
  readonly capabilities: readonly string[];
  readonly probe?: ProbeResult;
}

/** Check Endpoint's capability probes, recorded for the profile and model (src/vscode/steering). */
export interface EndpointProbes {
  probe(endpoint: ResolvedEndpoint, signal: AbortSignal): Promise<{ readonly probe: ProbeResult; readonly lines: readonly string[] }>;
}

/**
 * Check Endpoint: lists the models, sends a one-token request with logprobs, tries scoring, then probes what the
 * endpoint can do for steering, and says what works and why not, in a notification and, line by line, in the log.
 */
export class EndpointCheck {
  constructor(private readonly resolver: EndpointResolver, private readonly log: vscode.LogOutputChannel, private readonly probes: EndpointProbes) {}

  async run(): Promise<EndpointReport | undefined> {
    const endpoint = await this.resolver.resolve({ allowFirstRun: false });
    if ('refused' in endpoint) return undefined;
    const { url, settings } = endpoint;
    const lines = [`Checking ${settings.model} at ${url.origin}${url.pathname} (${settings.apiStyle} API${settings.profileName ? `, endpoint “${settings.profileName}”` : ''}):`];
    const { steps, probed } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Logprob Lens: checking ${url.host}`, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      const client = loadClient();
      const checked = await client.checkEndpoint(client.createClient(endpoint.options), { model: settings.model, apiStyle: settings.apiStyle, topLogprobs: settings.topLogprobs }, controller.signal);
      // An endpoint that did not answer the one-token request would not answer the probes either.
      if (checked.find((step) => step.step === 'logprobs')?.error !== undefined) return { steps: checked, probed: undefined };
      progress.report({ message: 'probing what it can do (continuing, logit bias, n, scoring)…' });
      const capabilities = await this.probes.probe(endpoint, controller.signal).catch((error: unknown) => {
        this.log.warn(`capability probes stopped: ${describeFailure(error, endpoint.failureContext).message}`);
        return undefined;
      });
      return { steps: checked, probed: capabilities };
    });
    for (const step of steps) {
      const why = step.error === undefined ? '' : `: ${describeFailure(step.error, endpoint.failureContext).message}`;
      lines.push(`${step.ok ? '✔' : '✘'} ${step.detail}${why}`);
    }
    for (const line of [...lines, ...probed?.lines ?? []]) this.log.info(line);
    const logprobs = steps.find((step) => step.step === 'logprobs');
    const summary = logprobs?.ok ? `${url.host} works: ${logprobs.detail}.` : `${url.host}: ${lines[2]?.slice(2) ?? 'no answer'}`;
    const show = logprobs?.ok ? showInfo : showWarning;
    void show(summary, 'Show Details').then((choice) => {
      if (choice) this.log.show();
    });
    return { ok: logprobs?.ok ?? false, lines, capabilities: probed?.lines ?? [], ...(probed ? { probe: probed.probe } : {}) };
  }
}
