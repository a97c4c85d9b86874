/**
 * The history index: every recorded run's metadata and stored size, the limits (oldest dropped first), the
 * Runs tree (by document, newest first, branches under their parent, sample sets and prompt-file runs as one
 * node) and its texts: label, description (what changed since the previous run of the same prompt), tooltip.
 */
import { formatPercent, formatPerplexity } from '../format';
import type { JsonValue, RunGroup, RunMeta } from './runRecord';
import { promptTextOf, systemPromptOf } from './runRecord';

export interface HistoryLimits {
  readonly maxRuns: number;
  readonly maxMegabytes: number;
}

export interface HistoryEntry {
  readonly meta: RunMeta;
  /** Size of the stored file, for `maxMegabytes`. */
  readonly bytes: number;
}

const newestFirst = (a: HistoryEntry, b: HistoryEntry): number => b.meta.createdAt - a.meta.createdAt || (a.meta.id < b.meta.id ? 1 : a.meta.id > b.meta.id ? -1 : 0);

/**
 * Runs' metadata in memory. Changes return the ids whose files the caller deletes. A sample set or prompt-file
 * run is kept or dropped as a whole (half a sample set would show a false consistency figure).
 */
export class RunHistory {
  private readonly entries = new Map<string, HistoryEntry>();
  private bytes = 0;

  constructor(private limits: HistoryLimits, entries: Iterable<HistoryEntry> = []) {
    for (const entry of entries) this.put(entry);
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(id: string): RunMeta | undefined {
    return this.entries.get(id)?.meta;
  }

  /** The stored size of a run, in bytes (0 when unknown). */
  sizeOf(id: string): number {
    return this.entries.get(id)?.bytes ?? 0;
  }

  /** Adds a run (or replaces one with the same id); returns the ids dropped to stay within the limits. */
  add(entry: HistoryEntry): string[] {
    this.put(entry);
    return this.enforce(unitOf(entry.meta));
  }

  /** Restores the index after start-up (no eviction: call `setLimits` once after). */
  load(entries: Iterable<HistoryEntry>): void {
    for (const entry of entries) this.put(entry);
  }

  remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    this.bytes -= entry.bytes;
    return true;
  }

  /** Clear History: every id, to delete. */
  clear(): string[] {
    const ids = [...this.entries.keys()];
    this.entries.clear();
    this.bytes = 0;
    return ids;
  }

  setLimits(limits: HistoryLimits): string[] {
    this.limits = limits;
    return this.enforce(undefined);
  }

  /** Every run, newest first. */
  list(): RunMeta[] {
    return [...this.entries.values()].sort(newestFirst).map((entry) => entry.meta);
  }

  /** Runs recorded for a document, newest first (what restore tries). */
  forDocument(uri: string): RunMeta[] {
    return this.list().filter((meta) => meta.document.uri === uri);
  }

  /** The latest run before `meta` of the same prompt, outside its own sample set: what the description compares with. */
  previousOfSamePrompt(meta: RunMeta): RunMeta | undefined {
    return this.previousRuns().get(meta.id);
  }

  /** Every run's previous run of the same prompt (as `previousOfSamePrompt`), in one pass: for listing the tree. */
  previousRuns(): Map<string, RunMeta> {
    const previous = new Map<string, RunMeta>();
    const seenByPrompt = new Map<string, RunMeta[]>();
    for (const meta of this.list().reverse()) {
      let seen = seenByPrompt.get(meta.promptHash);
      if (!seen) seenByPrompt.set(meta.promptHash, seen = []);
      // Walk back over the members of its own set (a few at most) to the run before it.
      for (let i = seen.length - 1; i >= 0; i--) {
        if (meta.group && seen[i]!.group?.id === meta.group.id) continue;
        previous.set(meta.id, seen[i]!);
        break;
      }
      seen.push(meta);
    }
    return previous;
  }

  private put(entry: HistoryEntry): void {
    this.remove(entry.meta.id);
    this.entries.set(entry.meta.id, entry);
    this.bytes += entry.bytes;
  }

  /** Drops the oldest units until within both limits, never `keep` (the run just added). */
  private enforce(keep: string | undefined): string[] {
    const maxBytes = this.limits.maxMegabytes * 1024 * 1024;
    if (this.entries.size <= this.limits.maxRuns && this.bytes <= maxBytes) return [];
    const units = groupBy(this.entries.values(), (entry) => unitOf(entry.meta));
    const oldestFirst = [...units].sort(([, a], [, b]) => Math.min(...a.map((e) => e.meta.createdAt)) - Math.min(...b.map((e) => e.meta.createdAt)));
    const dropped: string[] = [];
    for (const [unit, members] of oldestFirst) {
      if (this.entries.size <= this.limits.maxRuns && this.bytes <= maxBytes) break;
      if (unit === keep) continue;
      for (const { meta } of members) {
        this.remove(meta.id);
        dropped.push(meta.id);
      }
    }
    return dropped;
  }
}

function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    let group = groups.get(name);
    if (!group) groups.set(name, group = []);
    group.push(item);
  }
  return groups;
}

const unitOf = (meta: RunMeta): string => (meta.group ? `group:${meta.group.id}` : meta.id);

/** A node of the Runs tree under a document. */
export type RunTreeNode =
  | { readonly type: 'run'; readonly meta: RunMeta; readonly branches: readonly RunTreeNode[] }
  | { readonly type: 'group'; readonly group: Omit<RunGroup, 'index' | 'label'>; readonly newest: RunMeta; readonly members: readonly RunTreeNode[] };

export interface RunTreeDocument {
  readonly uri: string;
  readonly name: string;
  readonly runs: readonly RunTreeNode[];
}

/**
 * The Runs tree: documents by their newest run, each document's runs newest first; a branch under its parent
 * (when the parent is still in history), a group's members in their set order under one group node.
 */
export function runTree(runs: readonly RunMeta[]): RunTreeDocument[] {
  const sorted = [...runs].sort((a, b) => newestFirst({ meta: a, bytes: 0 }, { meta: b, bytes: 0 }));
  const present = new Set(sorted.map((meta) => meta.id));
  const branchesOf = groupBy(sorted.filter((meta) => meta.parent && present.has(meta.parent.runId)), (meta) => meta.parent!.runId);
  const runNode = (meta: RunMeta): RunTreeNode => ({ type: 'run', meta, branches: (branchesOf.get(meta.id) ?? []).map(runNode) });
  const documents = new Map<string, { name: string; runs: RunTreeNode[] }>();
  const groups = new Map<string, RunMeta[]>();
  for (const meta of sorted) {
    if (meta.parent && present.has(meta.parent.runId)) continue;
    let document = documents.get(meta.document.uri);
    if (!document) documents.set(meta.document.uri, document = { name: meta.document.name, runs: [] });
    if (!meta.group) {
      document.runs.push(runNode(meta));
      continue;
    }
    const members = groups.get(meta.group.id);
    if (members) {
      members.push(meta);
      continue;
    }
    const newMembers = [meta];
    groups.set(meta.group.id, newMembers);
    // The group node sits where its newest member would; members are filled in as they come, then sorted.
    document.runs.push({ type: 'group', group: { id: meta.group.id, kind: meta.group.kind, size: meta.group.size }, newest: meta, members: [] });
  }
  return [...documents].map(([uri, { name, runs: nodes }]) => ({
    uri,
    name,
    runs: nodes.map((node) => (node.type === 'group'
      ? { ...node, members: groups.get(node.group.id)!.sort((a, b) => a.group!.index - b.group!.index).map(runNode) }
      : node)),
  }));
}

export interface LabelOptions {
  /** BCP 47 locale for the time (VS Code's display language). */
  readonly locale?: string;
  readonly timeZone?: string;
  /** "Now", to show only the time for today's runs. */
  readonly now?: number;
}

/** "qwen2.5-7b · 14:02 · 312 tokens · ppl 1.84 · 7 uncertain": what a run is, at a glance. */
export function runLabel(meta: RunMeta, options: LabelOptions = {}): string {
  const { metrics } = meta;
  const parts = [
    meta.group ? `${meta.group.label}: ${meta.endpoint.model}` : meta.endpoint.model,
    runTime(meta.createdAt, options),
    tokensText(metrics.tokens),
    `ppl ${formatPerplexity(metrics.perplexity)}`,
    `${metrics.uncertain.count} uncertain`,
  ];
  if (meta.outcome !== 'done') parts.push(meta.outcome);
  return parts.join(' · ');
}

/** "14:02" today, "Jun 3 14:02" before (in English; the locale decides). */
export function runTime(createdAt: number, { locale = 'en', timeZone, now = Date.now() }: LabelOptions = {}): string {
  const time = formatter(locale, timeZone, 'time').format(createdAt);
  const day = formatter('en-CA', timeZone, 'day');
  if (day.format(createdAt) === day.format(now)) return time;
  return `${formatter(locale, timeZone, 'date').format(createdAt)} ${time}`;
}

/** Date formatters are slow to make (~0.1 ms each): one per locale, zone and style, kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATS: Record<'time' | 'day' | 'date', Intl.DateTimeFormatOptions> = {
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  day: {},
  date: { day: 'numeric', month: 'short' },
};

function formatter(locale: string, timeZone: string | undefined, style: keyof typeof FORMATS): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone ?? ''}|${style}`;
  let found = formatters.get(key);
  if (!found) formatters.set(key, found = new Intl.DateTimeFormat(locale, { ...FORMATS[style], timeZone }));
  return found;
}

/** A setting as the description and tooltip name it, and how it is read from a run. */
interface Setting {
  readonly name: string;
  readonly read: (meta: RunMeta) => JsonValue | undefined;
  /** Real-valued settings show at least one decimal: "temperature 0.7 → 1.0". */
  readonly real?: boolean;
}

const SETTINGS: readonly Setting[] = [
  { name: 'model', read: (meta) => meta.endpoint.model },
  { name: 'endpoint', read: (meta) => meta.endpoint.profile ?? meta.endpoint.host },
  { name: 'API', read: (meta) => meta.endpoint.apiStyle },
  { name: 'temperature', read: (meta) => meta.request.sampling.temperature, real: true },
  { name: 'top_p', read: (meta) => meta.request.sampling.topP, real: true },
  { name: 'max_tokens', read: (meta) => meta.request.sampling.maxTokens },
  { name: 'seed', read: (meta) => meta.request.sampling.seed },
  { name: 'stop', read: (meta) => meta.request.sampling.stop },
  { name: 'presence_penalty', read: (meta) => meta.request.sampling.presencePenalty, real: true },
  { name: 'frequency_penalty', read: (meta) => meta.request.sampling.frequencyPenalty, real: true },
  { name: 'alternatives', read: (meta) => meta.request.topLogprobs },
];

/**
 * What changed from one run to the next of the same prompt, in the order a user tunes:
 * "temperature 0.7 → 1.0, model a → b, system prompt changed". Empty when nothing did.
 */
export function describeSettingsChange(before: RunMeta, after: RunMeta): string {
  const changes: string[] = [];
  for (const setting of SETTINGS) {
    const from = setting.read(before);
    const to = setting.read(after);
    if (!sameJson(from, to)) changes.push(`${setting.name} ${settingValue(from, setting.real)} → ${settingValue(to, setting.real)}`);
  }
  if (systemPromptOf(before.request) !== systemPromptOf(after.request)) {
    changes.push(systemPromptOf(before.request) === undefined ? 'system prompt added'
      : systemPromptOf(after.request) === undefined ? 'system prompt removed' : 'system prompt changed');
  }
  if (!sameJson(prefillOf(before), prefillOf(after))) changes.push('prefill changed');
  const extraNames = new Set([...Object.keys(before.request.extraBody), ...Object.keys(after.request.extraBody)]);
  for (const name of [...extraNames].sort()) {
    const from = before.request.extraBody[name];
    const to = after.request.extraBody[name];
    if (sameJson(from, to)) continue;
    const scalar = (value: JsonValue | undefined): boolean => value === undefined || value === null || typeof value !== 'object';
    changes.push(scalar(from) && scalar(to) ? `${name} ${settingValue(from)} → ${settingValue(to)}` : `${name} changed`);
  }
  return changes.join(', ');
}

/** Prompt start and every setting, for the tree item's tooltip (plain text: the prompt is the user's, untrusted). */
export function runTooltip(meta: RunMeta, options: LabelOptions = {}): string {
  const { metrics, timings, endpoint, request } = meta;
  const system = systemPromptOf(request);
  const settings = SETTINGS.slice(3).map((setting) => `${setting.name} ${settingValue(setting.read(meta), setting.real)}`);
  const extra = Object.entries(request.extraBody).map(([name, value]) => `${name} ${clip(JSON.stringify(value), 80)}`);
  const lines = [
    `Prompt: ${clip(promptTextOf(request), 300)}`,
    ...(system === undefined ? [] : [`System prompt: ${clip(system, 160)}`]),
    ...(prefillOf(meta) === undefined ? [] : [`Prefill: ${clip(prefillOf(meta)!, 160)}`]),
    `Model: ${endpoint.model} at ${endpoint.host || 'an unknown host'}${endpoint.profile ? ` (profile ${endpoint.profile})` : ''}, ${endpoint.apiStyle} API`,
    `Settings: ${settings.join(' · ')}`,
    ...(extra.length > 0 ? [`Extra fields: ${extra.join(' · ')}`] : []),
    `${meta.kind} · ${meta.outcome} · ${runTime(meta.createdAt, options)}${timings.firstTokenMs === undefined ? '' : ` · first token ${Math.round(timings.firstTokenMs)} ms`}${timings.totalMs === undefined ? '' : ` · total ${(timings.totalMs / 1000).toFixed(1)} s`}`,
    `${tokensText(metrics.tokens)} · perplexity ${formatPerplexity(metrics.perplexity)} · mean probability ${formatPercent(metrics.meanProbability)}`
      + ` · ${metrics.uncertain.count} below ${formatPercent(metrics.uncertain.below)}`
      + (metrics.meanEntropyBits === undefined ? '' : ` · mean entropy ${metrics.meanEntropyBits.toFixed(2)} bits over the top k`),
  ];
  return lines.join('\n');
}

const tokensText = (count: number): string => `${count} token${count === 1 ? '' : 's'}`;

/** A final assistant message: the start of the answer the model was asked to continue. */
function prefillOf(meta: RunMeta): string | undefined {
  const last = meta.request.messages.at(-1);
  return last?.role === 'assistant' ? last.content : undefined;
}

function settingValue(value: JsonValue | undefined, real = false): string {
  if (value === undefined || value === null) return 'default';
  if (typeof value === 'number') return real && Number.isInteger(value) ? value.toFixed(1) : String(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Equal as JSON values, whatever the order of object keys (a logit bias map rebuilt in another order is the same). */
function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a, sortedKeys) === JSON.stringify(b, sortedKeys);
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The start of a text on one line: whitespace collapsed, cut at `max` characters with an ellipsis. */
function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
