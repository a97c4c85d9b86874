import * as vscode from 'vscode';
import type { ApiStyle, Sampling } from '../core/request';
import type { ColourMode } from '../core/buckets';
import { DEFAULT_THRESHOLDS, DEFAULT_UNCERTAIN_BELOW, validateThresholds } from '../core/buckets';
import { readProfile } from '../core/presets';

export const SECTION = 'logprobLens';

export type OutputMode = 'belowSelection' | 'newEditor';

/** One typed snapshot of the settings, re-read when they change. */
export interface LensSettings {
  /** The endpoint profile in use (`logprobLens.endpoint`), or undefined for the individual settings. */
  readonly profileName: string | undefined;
  /** Why the chosen profile cannot be used, when it cannot. */
  readonly profileProblem: string | undefined;
  readonly baseUrl: string;
  readonly model: string;
  readonly apiStyle: ApiStyle;
  readonly azure: { readonly deployment: string; readonly apiVersion: string } | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly topLogprobs: number;
  readonly systemPrompt: string;
  readonly sampling: Sampling;
  readonly output: OutputMode;
  readonly thresholds: readonly number[];
  /** Why the user's thresholds were not used, when they were not. */
  readonly thresholdsProblem: string | undefined;
  readonly uncertainBelow: number;
  readonly colourBy: ColourMode;
}

/**
 * Reads the settings. The endpoint settings (where the prompt and the key go) are taken from the user level
 * only, whatever a workspace or folder says: they are application-scoped in package.json, and `inspect` makes
 * sure even an old VS Code that honours a workspace value for them cannot be steered by a repository.
 */
export function readSettings(): LensSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const userOnly = <T>(key: string, fallback: T): T => {
    const inspected = config.inspect<T>(key);
    return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
  };
  const optionalNumber = (key: string): number | undefined => {
    const value = config.get<number | null>(key);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  const thresholds = config.get<unknown>('bucketThresholds');
  const thresholdsProblem = validateThresholds(thresholds);
  const headers = userOnly<Record<string, unknown>>('headers', {});
  // A workspace may pick a profile by name; the profiles themselves (URLs, headers) come from the user only.
  const profileName = config.get<string>('endpoint', '').trim() || undefined;
  const profiles = userOnly<Record<string, unknown>>('endpoints', {});
  const profile = profileName === undefined ? undefined
    : Object.hasOwn(profiles, profileName) ? readProfile(profileName, profiles[profileName])
      : `logprobLens.endpoint names “${profileName}”, which your user settings' logprobLens.endpoints do not define.`;
  const chosen = typeof profile === 'object' ? profile : undefined;
  const apiStyle = userOnly<string>('apiStyle', 'chat');
  return {
    profileName: chosen ? profileName : undefined,
    profileProblem: typeof profile === 'string' ? profile : undefined,
    baseUrl: chosen?.baseUrl ?? userOnly('baseUrl', 'https://api.openai.com/v1').trim().replace(/\/+$/, ''),
    model: chosen?.model ?? userOnly('model', 'gpt-4o-mini').trim(),
    apiStyle: chosen?.apiStyle ?? (apiStyle === 'responses' || apiStyle === 'completions' ? apiStyle : 'chat'),
    azure: chosen?.azureDeployment ? { deployment: chosen.azureDeployment, apiVersion: chosen.azureApiVersion ?? '2024-10-21' } : undefined,
    headers: chosen?.headers ?? Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
    timeoutMs: Math.max(1, userOnly('requestTimeoutSeconds', 60)) * 1000,
    idleTimeoutMs: Math.max(1, optionalNumber('idleTimeoutSeconds') ?? 30) * 1000,
    topLogprobs: Math.min(20, Math.max(1, Math.round(config.get<number>('topLogprobs', 5)))),
    systemPrompt: config.get<string>('systemPrompt', ''),
    sampling: {
      temperature: optionalNumber('temperature'),
      topP: optionalNumber('topP'),
      maxTokens: optionalNumber('maxTokens'),
      seed: optionalNumber('seed'),
      stop: config.get<string[]>('stop', []).filter((stop) => typeof stop === 'string' && stop.length > 0).slice(0, 4),
      presencePenalty: optionalNumber('presencePenalty'),
      frequencyPenalty: optionalNumber('frequencyPenalty'),
    },
    output: config.get<OutputMode>('output') === 'newEditor' ? 'newEditor' : 'belowSelection',
    thresholds: thresholdsProblem ? DEFAULT_THRESHOLDS : (thresholds as number[]),
    thresholdsProblem: thresholdsProblem ? `logprobLens.bucketThresholds ${thresholdsProblem}; using the defaults.` : undefined,
    uncertainBelow: optionalNumber('uncertainThreshold') ?? DEFAULT_UNCERTAIN_BELOW,
    colourBy: config.get<string>('colourBy') === 'rank' ? 'rank' : 'probability',
  };
}

/** Where the key of the current endpoint is kept: per origin, and per profile when one is used. */
export function keyScope(settings: LensSettings, origin: string): string {
  return settings.profileName === undefined ? origin : `${settings.profileName}@${origin}`;
}
