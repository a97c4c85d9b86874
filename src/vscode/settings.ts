import * as vscode from 'vscode';
import type { LensSettings } from '../core/settings/snapshot';
import { inspectedFromSection, readLensSettings } from '../core/settings/snapshot';
import { SECTION } from './commandIds';
import { Disposable } from './lifetime';
import { showWarning } from './notify';

export interface SettingsChange {
  readonly before: LensSettings;
  readonly after: LensSettings;
}

/**
 * The settings as one typed snapshot, re-read when they (or the workspace's trust) change. A value that cannot be
 * used falls back to the default or is clamped, with one warning naming the setting; reading never throws.
 */
export class SettingsService extends Disposable {
  private snapshot: LensSettings;
  private readonly warned = new Set<string>();
  private readonly changed = this.register(new vscode.EventEmitter<SettingsChange>());
  /** Fires after a change, with the snapshots before and after it. */
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this.snapshot = this.read();
    this.register(vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) this.refresh();
    }));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh()));
  }

  get current(): LensSettings {
    return this.snapshot;
  }

  /**
   * Reads the settings afresh. Requests call this: a profile added a moment ago (first run) must be the one used,
   * even before the configuration event arrives.
   */
  refresh(): LensSettings {
    const before = this.snapshot;
    this.snapshot = this.read();
    if (JSON.stringify(before) !== JSON.stringify(this.snapshot)) this.changed.fire({ before, after: this.snapshot });
    return this.snapshot;
  }

  private read(): LensSettings {
    const section = vscode.workspace.getConfiguration().inspect(SECTION);
    const { settings, problems } = readLensSettings({ inspect: inspectedFromSection(section), trusted: vscode.workspace.isTrusted });
    for (const problem of problems) {
      if (this.warned.has(problem)) continue;
      this.warned.add(problem);
      void showWarning(problem, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', SECTION);
      });
    }
    return settings;
  }
}
