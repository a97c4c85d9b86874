import type { ColourMode } from '../buckets';
import { COLOUR_MODES, MODE_DEFAULTS } from '../buckets';
import type { CapabilityOverrides } from '../capabilities';
import type { BranchOutput } from '../hoverActions';
import type { EndpointProfile } from '../presets';
import { presetForUrl, readProfile } from '../presets';
import type { ApiStyle, Sampling } from '../request';
import type { ExtraSamplers } from '../samplers';
import type { InspectedSetting, SettingKey, SettingLevel } from './schema';
import { effectiveValue, MODE_SETTINGS, SETTINGS, validateSetting } from './schema';

export type OutputMode = 'belowSelection' | 'newEditor';

/** Limits that keep a hostile or broken server from exhausting the extension host. */
export interface AnswerLimits {
  readonly maxCharacters: number;
  readonly maxTokens: number;
  /** Wall time of one request, start to end. */
  readonly maxDurationMs: number;
}

/** One typed snapshot of the settings. */
export interface LensSettings {
  /** The endpoint profile in use (`logprobLens.endpoint`), or undefined for the individual settings. */
  readonly profileName: string | undefined;
  /** Which level chose the profile: a workspace's choice is announced before its first request. */
  readonly profileChosenBy: SettingLevel;
  /** Why the chosen profile cannot be used, when it cannot. */
  readonly profileProblem: string | undefined;
  readonly baseUrl: string;
  readonly model: string;
  readonly apiStyle: ApiStyle;
  readonly azure: { readonly deployment: string; readonly apiVersion: string } | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly limits: AnswerLimits;
  readonly topLogprobs: number;
  readonly systemPrompt: string;
  readonly sampling: Sampling;
  /** top_k and min_p: sent only to backends that take them (samplers.ts). */
  readonly samplers: ExtraSamplers;
  readonly output: OutputMode;
  readonly colourBy: ColourMode;
  /** The run history: whether runs are kept, and how many / how much at most (oldest dropped first). */
  readonly history: { readonly enabled: boolean; readonly maxRuns: number; readonly maxMegabytes: number };
  /** How many answers Sample Answers asks for. */
  readonly sampleCount: number;
  /** The colour mode's nine bucket boundaries (`bucketThresholds` in probability mode, `marginThresholds`, ...; none for rank). */
  readonly thresholds: readonly number[];
  /** Where "uncertain" starts in the colour mode (`uncertainThreshold` in probability mode, `uncertainMargin`, ...). */
  readonly uncertainThreshold: number;
  /** Lines holding an uncertain token get a mark in the gutter. */
  readonly gutterMarks: boolean;
  /** The preset the endpoint was made from (the profile's, or a hosted endpoint's by its host), if known. */
  readonly preset: string | undefined;
  /** The profile's `capabilities`: what the user knows about the server. */
  readonly capabilityOverrides: CapabilityOverrides;
  readonly branchOutput: BranchOutput;
  /** The logit bias Boost adds (Ban is -100). */
  readonly boostBias: number;
  /** Prompt files: send the file's `model` as is (user settings only), and how many cases run at once. */
  readonly promptFiles: { readonly useFileModel: boolean; readonly concurrency: number };
  /** Classify Selection's default labels. */
  readonly classifyLabels: readonly string[];
}

/** Where the values come from: VS Code's `inspect` per key, and whether the workspace is trusted. */
export interface SettingsSource {
  inspect(key: SettingKey): InspectedSetting | undefined;
  readonly trusted: boolean;
}

/**
 * Every setting's inspected values from one `inspect` of the whole section: VS Code keeps each level's values as a
 * tree (`history.enabled` under `history`), so a key's value is found by following its dotted path. One call
 * instead of one per setting: each `inspect` costs ~0.2 ms, and one per setting was half of activation.
 */
export function inspectedFromSection(section: InspectedSetting | undefined): (key: SettingKey) => InspectedSetting {
  const at = (tree: unknown, key: string): unknown => key.split('.').reduce<unknown>(
    (node, part) => (typeof node === 'object' && node !== null && !Array.isArray(node) && Object.hasOwn(node, part) ? (node as Record<string, unknown>)[part] : undefined), tree);
  return (key) => ({
    globalValue: at(section?.globalValue, key),
    workspaceValue: at(section?.workspaceValue, key),
    workspaceFolderValue: at(section?.workspaceFolderValue, key),
  });
}

export interface SettingsReading {
  readonly settings: LensSettings;
  /** One sentence per setting that could not be used as given, naming it. */
  readonly problems: readonly string[];
}

/**
 * Reads and checks every setting. Never throws: whatever a workspace or a typo holds, a usable snapshot comes out.
 * Long by nature: one line per field of the snapshot, kept in one place so the snapshot reads as a table.
 */
export function readLensSettings(source: SettingsSource): SettingsReading {
  const problems: string[] = [];
  const levels = new Map<SettingKey, SettingLevel>();
  const get = <T>(key: SettingKey): T => {
    const { value, level } = effectiveValue(SETTINGS[key], source.inspect(key), source.trusted);
    levels.set(key, level);
    const checked = validateSetting(key, value);
    if (checked.problem) problems.push(checked.problem);
    return checked.value as T;
  };
  const optional = (key: SettingKey): number | undefined => get<number | null>(key) ?? undefined;

  const profileName = get<string>('endpoint').trim() || undefined;
  const profiles = get<Record<string, unknown>>('endpoints');
  const profile = profileName === undefined ? undefined
    : Object.hasOwn(profiles, profileName) ? readProfile(profileName, profiles[profileName], problems)
      : `logprobLens.endpoint names “${profileName}”, which your user settings' logprobLens.endpoints do not define.`;
  const chosen: EndpointProfile | undefined = typeof profile === 'object' ? profile : undefined;
  const stop = get<string[]>('stop').filter((value) => value.length > 0);
  const baseUrl = chosen?.baseUrl ?? get<string>('baseUrl').trim().replace(/\/+$/, '');
  const colourBy = get<ColourMode>('colourBy');
  // Every mode's settings are read, so that a wrong value is reported at once, not when its mode is chosen.
  const modes = new Map(COLOUR_MODES.map((mode) => {
    const keys = MODE_SETTINGS[mode];
    return [mode, keys ? { thresholds: get<number[]>(keys.thresholds), uncertain: get<number>(keys.uncertain) } : MODE_DEFAULTS[mode]];
  }));
  const settings: LensSettings = {
    profileName: chosen ? profileName : undefined,
    profileChosenBy: levels.get('endpoint') ?? 'default',
    profileProblem: typeof profile === 'string' ? profile : undefined,
    baseUrl,
    model: chosen?.model ?? get<string>('model').trim(),
    apiStyle: chosen?.apiStyle ?? get<ApiStyle>('apiStyle'),
    azure: chosen?.azureDeployment ? { deployment: chosen.azureDeployment, apiVersion: chosen.azureApiVersion ?? '2024-10-21' } : undefined,
    headers: chosen?.headers ?? stringEntries(get<Record<string, unknown>>('headers')),
    timeoutMs: get<number>('requestTimeoutSeconds') * 1000,
    idleTimeoutMs: get<number>('idleTimeoutSeconds') * 1000,
    limits: {
      maxCharacters: get<number>('maxAnswerCharacters'),
      maxTokens: get<number>('maxAnswerTokens'),
      maxDurationMs: get<number>('maxRequestSeconds') * 1000,
    },
    topLogprobs: get<number>('topLogprobs'),
    systemPrompt: get<string>('systemPrompt'),
    sampling: {
      temperature: optional('temperature'),
      topP: optional('topP'),
      maxTokens: optional('maxTokens'),
      seed: optional('seed'),
      stop,
      presencePenalty: optional('presencePenalty'),
      frequencyPenalty: optional('frequencyPenalty'),
    },
    samplers: { topK: optional('topK'), minP: optional('minP') },
    output: get<OutputMode>('output'),
    colourBy,
    thresholds: modes.get(colourBy)!.thresholds,
    uncertainThreshold: modes.get(colourBy)!.uncertain,
    gutterMarks: get<boolean>('gutterMarks'),
    history: { enabled: get<boolean>('history.enabled'), maxRuns: get<number>('history.maxRuns'), maxMegabytes: get<number>('history.maxMegabytes') },
    sampleCount: get<number>('samples.count'),
    preset: chosen?.preset ?? presetForUrl(baseUrl),
    capabilityOverrides: chosen?.capabilities ?? {},
    branchOutput: get<BranchOutput>('branchOutput'),
    boostBias: get<number>('boostBias'),
    promptFiles: { useFileModel: get<boolean>('promptFiles.useFileModel'), concurrency: get<number>('promptFiles.concurrency') },
    classifyLabels: get<string[]>('classify.labels'),
  };
  return { settings, problems };
}

function stringEntries(value: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Where the key of the current endpoint is kept: per origin, and per profile when one is used. */
export function keyScope(settings: Pick<LensSettings, 'profileName'>, origin: string): string {
  return settings.profileName === undefined ? origin : `${settings.profileName}@${origin}`;
}
