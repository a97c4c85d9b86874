import type { ColourMode } from '../buckets';
import { COLOUR_MODES, DEFAULT_THRESHOLDS, DEFAULT_UNCERTAIN_THRESHOLD, MODE_DEFAULTS, validateModeThresholds } from '../buckets';

/**
 * Every setting of the extension, once: type, default, range, scope and whether an untrusted workspace may set
 * it. package.json declares the same (a unit test keeps the two in step); the code reads values only through
 * `validateSetting`, so a wrong-typed or absurd value from a repository or a typo never breaks anything.
 */

/** Where a setting may be set. `application`: the user's settings only; a workspace can never choose it. */
export type SettingScope = 'application' | 'window' | 'resource';

export type SettingSpec =
  | { readonly type: 'string'; readonly default: string }
  | { readonly type: 'enum'; readonly default: string; readonly values: readonly string[] }
  | {
    readonly type: 'number'; readonly default: number | null; readonly integer?: boolean; readonly nullable?: boolean;
    readonly minimum?: number; readonly exclusiveMinimum?: number; readonly maximum?: number;
  }
  | { readonly type: 'boolean'; readonly default: boolean }
  | { readonly type: 'stringArray'; readonly default: readonly string[]; readonly maxItems?: number }
  | { readonly type: 'thresholds'; readonly mode: ColourMode; readonly default: readonly number[] }
  | { readonly type: 'object'; readonly default: Readonly<Record<string, unknown>> };

export type SettingDefinition = SettingSpec & {
  readonly scope: SettingScope;
  /**
   * Ignored from the workspace in an untrusted workspace (package.json `restrictedConfigurations`): it changes
   * what is sent, where, how much it costs, or whether requests work.
   */
  readonly restricted?: boolean;
};

/** The defaults the presets share: the OpenAI endpoint of a fresh install. */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_MODEL = 'gpt-4o-mini';

export const SETTINGS = {
  baseUrl: { type: 'string', default: DEFAULT_BASE_URL, scope: 'application' },
  model: { type: 'string', default: DEFAULT_MODEL, scope: 'application' },
  apiStyle: { type: 'enum', default: 'chat', values: ['chat', 'responses', 'completions'], scope: 'application' },
  endpoints: { type: 'object', default: {}, scope: 'application' },
  endpoint: { type: 'string', default: '', scope: 'window', restricted: true },
  headers: { type: 'object', default: {}, scope: 'application' },
  requestTimeoutSeconds: { type: 'number', default: 60, minimum: 1, maximum: 3600, scope: 'application' },
  idleTimeoutSeconds: { type: 'number', default: 30, minimum: 1, maximum: 3600, scope: 'window', restricted: true },
  maxRequestSeconds: { type: 'number', default: 1800, minimum: 10, maximum: 86_400, scope: 'window', restricted: true },
  maxAnswerCharacters: { type: 'number', integer: true, default: 4_000_000, minimum: 1000, maximum: 100_000_000, scope: 'window', restricted: true },
  maxAnswerTokens: { type: 'number', integer: true, default: 500_000, minimum: 100, maximum: 10_000_000, scope: 'window', restricted: true },
  topLogprobs: { type: 'number', integer: true, default: 5, minimum: 1, maximum: 20, scope: 'resource', restricted: true },
  systemPrompt: { type: 'string', default: '', scope: 'resource', restricted: true },
  temperature: { type: 'number', nullable: true, default: null, minimum: 0, maximum: 2, scope: 'resource', restricted: true },
  topP: { type: 'number', nullable: true, default: null, exclusiveMinimum: 0, maximum: 1, scope: 'resource', restricted: true },
  maxTokens: { type: 'number', integer: true, nullable: true, default: 1024, minimum: 1, maximum: 1_000_000, scope: 'resource', restricted: true },
  seed: { type: 'number', integer: true, nullable: true, default: null, minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, scope: 'resource', restricted: true },
  stop: { type: 'stringArray', default: [], maxItems: 4, scope: 'resource', restricted: true },
  presencePenalty: { type: 'number', nullable: true, default: null, minimum: -2, maximum: 2, scope: 'resource', restricted: true },
  frequencyPenalty: { type: 'number', nullable: true, default: null, minimum: -2, maximum: 2, scope: 'resource', restricted: true },
  output: { type: 'enum', default: 'belowSelection', values: ['belowSelection', 'newEditor'], scope: 'resource' },
  bucketThresholds: { type: 'thresholds', mode: 'probability', default: DEFAULT_THRESHOLDS, scope: 'resource' },
  uncertainThreshold: { type: 'number', default: DEFAULT_UNCERTAIN_THRESHOLD, exclusiveMinimum: 0, maximum: 1, scope: 'resource' },
  colourBy: { type: 'enum', default: 'probability', values: COLOUR_MODES, scope: 'resource' },
  marginThresholds: { type: 'thresholds', mode: 'margin', default: MODE_DEFAULTS.margin.thresholds, scope: 'resource' },
  entropyThresholds: { type: 'thresholds', mode: 'entropy', default: MODE_DEFAULTS.entropy.thresholds, scope: 'resource' },
  surprisalThresholds: { type: 'thresholds', mode: 'surprisal', default: MODE_DEFAULTS.surprisal.thresholds, scope: 'resource' },
  uncertainMargin: { type: 'number', default: MODE_DEFAULTS.margin.uncertain, exclusiveMinimum: 0, maximum: 1, scope: 'resource' },
  uncertainEntropy: { type: 'number', default: MODE_DEFAULTS.entropy.uncertain, exclusiveMinimum: 0, maximum: 1, scope: 'resource' },
  uncertainSurprisal: { type: 'number', default: MODE_DEFAULTS.surprisal.uncertain, exclusiveMinimum: 0, maximum: 64, scope: 'resource' },
  gutterMarks: { type: 'boolean', default: false, scope: 'resource' },
  topK: { type: 'number', integer: true, nullable: true, default: null, minimum: 1, maximum: 1000, scope: 'resource', restricted: true },
  minP: { type: 'number', nullable: true, default: null, minimum: 0, maximum: 1, scope: 'resource', restricted: true },
  'history.enabled': { type: 'boolean', default: true, scope: 'window', restricted: true },
  'history.maxRuns': { type: 'number', integer: true, default: 1000, minimum: 1, maximum: 100_000, scope: 'window', restricted: true },
  'history.maxMegabytes': { type: 'number', default: 500, minimum: 1, maximum: 100_000, scope: 'window', restricted: true },
  'samples.count': { type: 'number', integer: true, default: 5, minimum: 2, maximum: 50, scope: 'resource', restricted: true },
  branchOutput: { type: 'enum', default: 'replace', values: ['replace', 'beside'], scope: 'resource' },
  boostBias: { type: 'number', default: 5, exclusiveMinimum: 0, maximum: 100, scope: 'resource', restricted: true },
  // The file's `model` is a repository's choice of which model (and, on a router, which company) answers, on the
  // user's key: only the user may allow it.
  'promptFiles.useFileModel': { type: 'boolean', default: false, scope: 'application' },
  'promptFiles.concurrency': { type: 'number', integer: true, default: 2, minimum: 1, maximum: 8, scope: 'window', restricted: true },
  'classify.labels': { type: 'stringArray', default: [], maxItems: 10, scope: 'resource', restricted: true },
} as const satisfies Record<string, SettingDefinition>;

export type SettingKey = keyof typeof SETTINGS;

/**
 * Each colour mode's settings: its nine bucket boundaries and where "uncertain" starts. Rank has neither: its split
 * is fixed (GLTR's), and a token is uncertain from rank 2, when the model preferred another.
 */
export const MODE_SETTINGS: Readonly<Record<ColourMode, { readonly thresholds: SettingKey; readonly uncertain: SettingKey } | undefined>> = {
  probability: { thresholds: 'bucketThresholds', uncertain: 'uncertainThreshold' },
  rank: undefined,
  margin: { thresholds: 'marginThresholds', uncertain: 'uncertainMargin' },
  entropy: { thresholds: 'entropyThresholds', uncertain: 'uncertainEntropy' },
  surprisal: { thresholds: 'surprisalThresholds', uncertain: 'uncertainSurprisal' },
};

/** A setting's values at each level, as VS Code's `inspect` reports them. */
export interface InspectedSetting {
  readonly defaultValue?: unknown;
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

/** Which level a value came from. */
export type SettingLevel = 'default' | 'user' | 'workspace' | 'workspace folder';

/**
 * The value that applies, and its level: the user's only for application-scoped settings; for the others the
 * most specific level, except that an untrusted workspace's values of restricted settings are ignored.
 */
export function effectiveValue(definition: SettingDefinition, inspected: InspectedSetting | undefined, trusted: boolean): { value: unknown; level: SettingLevel } {
  const workspaceAllowed = definition.scope !== 'application' && (trusted || definition.restricted !== true);
  if (workspaceAllowed && inspected?.workspaceFolderValue !== undefined) return { value: inspected.workspaceFolderValue, level: 'workspace folder' };
  if (workspaceAllowed && inspected?.workspaceValue !== undefined) return { value: inspected.workspaceValue, level: 'workspace' };
  if (inspected?.globalValue !== undefined) return { value: inspected.globalValue, level: 'user' };
  return { value: definition.default, level: 'default' };
}

/** A usable value for a setting, and what was wrong with the one given (the default or a clamped value is used). */
export interface CheckedValue<T> {
  readonly value: T;
  readonly problem?: string | undefined;
}

/** Checks a value against its definition. Never throws: a wrong type gives the default, an absurd number is clamped. */
export function validateSetting(key: SettingKey, value: unknown): CheckedValue<unknown> {
  const definition = SETTINGS[key] as SettingDefinition;
  const name = `logprobLens.${key}`;
  const fallback = (what: string): CheckedValue<unknown> => ({ value: definition.default, problem: `${name} ${what}; using the default (${JSON.stringify(definition.default)}).` });
  switch (definition.type) {
    case 'string':
      return typeof value === 'string' ? { value } : fallback('must be a text');
    case 'enum':
      return typeof value === 'string' && definition.values.includes(value) ? { value } : fallback(`must be one of ${definition.values.join(', ')}`);
    case 'boolean':
      return typeof value === 'boolean' ? { value } : fallback('must be true or false');
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? { value } : fallback('must be an object');
    case 'stringArray': {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return fallback('must be a list of texts');
      const limit = definition.maxItems ?? value.length;
      return value.length > limit ? { value: value.slice(0, limit), problem: `${name} holds ${value.length} entries; only the first ${limit} are used.` } : { value };
    }
    case 'thresholds': {
      const reason = validateModeThresholds(definition.mode, value);
      return reason ? fallback(reason) : { value };
    }
    case 'number':
      return validateNumber(name, definition, value, fallback);
  }
}

function validateNumber(name: string, definition: Extract<SettingSpec, { type: 'number' }>, value: unknown, fallback: (what: string) => CheckedValue<unknown>): CheckedValue<unknown> {
  if (value === null && definition.nullable) return { value: null };
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback(definition.nullable ? 'must be a number or null' : 'must be a number');
  let usable = definition.integer ? Math.round(value) : value;
  const { minimum, exclusiveMinimum, maximum } = definition;
  if (minimum !== undefined && usable < minimum) usable = minimum;
  if (exclusiveMinimum !== undefined && usable <= exclusiveMinimum) return fallback(`must be above ${exclusiveMinimum}`);
  if (maximum !== undefined && usable > maximum) usable = maximum;
  if (usable === value) return { value };
  return { value: usable, problem: `${name} = ${value} is outside ${rangeText(definition)}; using ${usable}.` };
}

function rangeText({ minimum, exclusiveMinimum, maximum, integer }: Extract<SettingSpec, { type: 'number' }>): string {
  const low = minimum ?? exclusiveMinimum;
  const kind = integer ? 'whole numbers' : 'numbers';
  if (low !== undefined && maximum !== undefined) return `${kind} from ${low} to ${maximum}`;
  if (low !== undefined) return `${kind} from ${low}`;
  return maximum !== undefined ? `${kind} up to ${maximum}` : kind;
}
