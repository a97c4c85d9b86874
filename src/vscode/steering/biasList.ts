import * as vscode from 'vscode';
import { codeSpan } from '../../core/hoverMarkdown';
import { visibleToken } from '../../core/format';
import type { LensSettings } from '../../core/settings/snapshot';
import type { LogitBiasBody, LogitBiasEntry } from '../../core/steering';
import { addBias, biasVerb, describeBiasKey, logitBiasBody, readBiasList, removeBias, signedBias } from '../../core/steering';
import { tokenLabel } from '../../core/untrusted';
import { Commands } from '../commandIds';
import { Disposable } from '../lifetime';
import { showInfo, showStatus } from '../notify';
import type { SettingsService } from '../settings';
import type { CapabilityStore } from './capabilityStore';

/** Global-state key of the lists: profile name ('' for the individual settings) to entries. */
const LISTS_KEY = 'logprobLens.logitBias';

/**
 * The logit-bias list of each endpoint profile, in the extension's global state (never in a repository: a
 * workspace must not bias what the user's runs say). Every run's request carries the list of the profile it goes
 * to; a status bar item shows that one is in force, with the entries in its tooltip, and Show Logit Bias edits it.
 */
export class LogitBiasList extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly item = this.register(vscode.window.createStatusBarItem('logprobLens.logitBias', vscode.StatusBarAlignment.Right, 99));

  constructor(private readonly state: vscode.Memento, private readonly settings: SettingsService, private readonly capabilities: CapabilityStore) {
    super();
    this.item.name = 'Logprob Lens logit bias';
    this.item.command = Commands.showLogitBias;
    this.register(settings.onDidChange(() => this.updateItem()));
    this.register(this.onDidChange(() => this.updateItem()));
    this.updateItem();
  }

  entries(settings: LensSettings): readonly LogitBiasEntry[] {
    return readBiasList(this.lists()[settings.profileName ?? '']);
  }

  /** Adds (or replaces) an entry; the reason when the list is full. */
  async add(settings: LensSettings, entry: LogitBiasEntry): Promise<string | undefined> {
    const added = addBias(this.entries(settings), entry);
    if ('kind' in added) return added.reason;
    await this.write(settings, added);
    return undefined;
  }

  /** Empties the list of this endpoint's profile. */
  clear(settings: LensSettings): Promise<void> {
    return this.write(settings, []);
  }

  /** What the next request to this endpoint carries, and the entries it cannot carry with why. */
  bodyFor(settings: LensSettings): LogitBiasBody {
    const { capabilities, bias } = this.capabilities.forSettings(settings);
    return logitBiasBody(this.entries(settings), capabilities, bias);
  }

  /** Show Logit Bias: the list of the endpoint in use; picking an entry removes it, or all of them. */
  async show(): Promise<readonly LogitBiasEntry[]> {
    const settings = this.settings.refresh();
    const entries = this.entries(settings);
    const name = listName(settings);
    if (entries.length === 0) {
      void showInfo(`No logit bias is set for ${name}. Ban or Boost a token from its hover (or with the commands at the cursor).`);
      return entries;
    }
    const skipped = new Map(this.bodyFor(settings).skipped.map(({ entry, reason }) => [entry, reason]));
    type Item = vscode.QuickPickItem & { readonly index?: number };
    const items: Item[] = [
      { label: `Clear all ${entries.length}`, description: 'remove every entry of this list' },
      { label: 'entries', kind: vscode.QuickPickItemKind.Separator },
      ...entries.map((entry, index): Item => ({
        label: tokenLabel(entry.text),
        description: `${biasVerb(entry.bias)} · ${signedBias(entry.bias)} · ${describeBiasKey(entry)}`,
        ...(skipped.has(entry) ? { detail: `not sent to this endpoint: ${skipped.get(entry)!}` } : {}),
        index,
      })),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: `Logit bias for ${name}: sent with every run`,
      placeHolder: 'Pick an entry to remove it',
      matchOnDescription: true,
    });
    if (!picked) return entries;
    const kept = picked.index === undefined ? [] : removeBias(entries, picked.index);
    await this.write(settings, kept);
    showStatus(picked.index === undefined ? `cleared the logit bias of ${name}` : `removed “${entries[picked.index]!.text}” from the logit bias`);
    return kept;
  }

  private lists(): Readonly<Record<string, unknown>> {
    const value = this.state.get<unknown>(LISTS_KEY);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
  }

  private async write(settings: LensSettings, entries: readonly LogitBiasEntry[]): Promise<void> {
    const lists: Record<string, unknown> = { ...this.lists(), [settings.profileName ?? '']: entries };
    if (entries.length === 0) delete lists[settings.profileName ?? ''];
    await this.state.update(LISTS_KEY, lists);
    this.changed.fire();
  }

  /** Shown while the endpoint in use has a list: every run is biased then, and the user should see it. */
  private updateItem(): void {
    const settings = this.settings.current;
    const entries = this.entries(settings);
    if (entries.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(filter) ${entries.length} biased`;
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendMarkdown(`**Logit bias** for ${listName(settings)}, sent with every run:\n\n`);
    // Tokens are model text: code spans no text can leave (hoverMarkdown's codeSpan); the rest is ours.
    tooltip.appendMarkdown(entries.map((entry) => `- ${codeSpan(visibleToken(entry.text), false)} ${biasVerb(entry.bias)} (${signedBias(entry.bias)}, ${describeBiasKey(entry)})`).join('\n'));
    tooltip.appendMarkdown('\n\nClick to remove entries or clear the list.');
    this.item.tooltip = tooltip;
    this.item.show();
  }
}

function listName(settings: LensSettings): string {
  return settings.profileName !== undefined ? `“${settings.profileName}”` : 'the individual settings';
}
