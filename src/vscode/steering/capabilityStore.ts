import type * as vscode from 'vscode';
import type { Capabilities, CapabilityContext, Feature, ProbeResult } from '../../core/capabilities';
import { missingBeforeSending, readProbeResult, resolveCapabilities } from '../../core/capabilities';
import { presetOfProfileName } from '../../core/presets';
import type { LensSettings } from '../../core/settings/snapshot';
import type { BiasContext } from '../../core/steering';

/** What the endpoint in use can do, and what the steering code needs to say so. */
export interface EndpointCapabilities {
  readonly capabilities: Capabilities;
  readonly context: CapabilityContext & { readonly endpointLabel: string };
  /** Check Endpoint's last result for this profile and model, if any. */
  readonly probe: ProbeResult | undefined;
  /** How tokens are keyed in logit_bias for this endpoint. */
  readonly bias: BiasContext;
}

/** Global-state key of the probe results: `profile name + "\n" + model` to ProbeResult JSON. */
const PROBES_KEY = 'logprobLens.probes';
/** Ours: results of endpoints long gone would otherwise pile up. */
const MAX_STORED_PROBES = 200;

/**
 * What each endpoint can do, known before sending: the preset's defaults, Check Endpoint's result for this profile
 * and model (kept in the extension's global state, so a repository never holds or chooses it) and the profile's
 * own `capabilities` overrides (core/capabilities.ts `resolveCapabilities`).
 */
export class CapabilityStore {
  constructor(private readonly state: vscode.Memento) {}

  forSettings(settings: LensSettings): EndpointCapabilities {
    // The profile's preset, else the one its name tells ("my vllm"), as samplers and prompt files read it.
    const context = { preset: settings.preset ?? presetOfProfileName(settings.profileName), apiStyle: settings.apiStyle, model: settings.model, endpointLabel: endpointLabel(settings) };
    const probe = this.probeFor(settings);
    const overrides = settings.capabilityOverrides;
    return {
      capabilities: resolveCapabilities(context, probe, overrides), context, probe,
      bias: { model: settings.model, apiStyle: settings.apiStyle, endpointLabel: context.endpointLabel, tokenizerEncoding: overrides.tokenizerEncoding },
    };
  }

  /** Why a command that needs `feature` cannot run on this endpoint, said before sending; undefined to go ahead. */
  missing(feature: Feature, settings: LensSettings): string | undefined {
    const { capabilities, context, probe } = this.forSettings(settings);
    return missingBeforeSending(feature, capabilities, context, { probe, overrides: settings.capabilityOverrides });
  }

  probeFor(settings: LensSettings): ProbeResult | undefined {
    return readProbeResult(this.stored()[probeKey(settings)]);
  }

  async record(settings: LensSettings, probe: ProbeResult): Promise<void> {
    const stored = { ...this.stored() };
    delete stored[probeKey(settings)];
    const kept = Object.entries(stored).slice(-(MAX_STORED_PROBES - 1));
    await this.state.update(PROBES_KEY, Object.fromEntries([...kept, [probeKey(settings), probe]]));
  }

  private stored(): Readonly<Record<string, unknown>> {
    const value = this.state.get<unknown>(PROBES_KEY);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
  }
}

function probeKey(settings: LensSettings): string {
  return `${settings.profileName ?? ''}\n${settings.model}`;
}

/** How messages name the endpoint: its profile, or its host. */
export function endpointLabel(settings: Pick<LensSettings, 'profileName' | 'baseUrl'>): string {
  if (settings.profileName !== undefined) return `“${settings.profileName}”`;
  try {
    return new URL(settings.baseUrl).host;
  } catch {
    return settings.baseUrl;
  }
}
