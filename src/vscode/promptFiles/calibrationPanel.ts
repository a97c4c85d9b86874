import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { NamedReport } from '../../core/promptFiles/calibrationExport';
import type { CalibrationHostMessage, CalibrationPageMessage } from '../../core/promptFiles/calibrationProtocol';
import type { CalibrationRunInput, CalibrationView } from '../../core/promptFiles/calibrationView';
import { webviewHtml } from '../../core/webviewHtml';
import { PanelTypes } from '../commandIds';
import { Disposable } from '../lifetime';
import { showInfo, showStatus } from '../notify';
import { loadPromptFileEngine } from './engine';
import type { LabelledRun } from './calibrations';
import { hasCalibration, labelledRuns } from './calibrations';
import type { PromptFileRuns } from './runStore';
import { KEPT_RUNS } from './runStore';

/**
 * The calibration view of a prompt file: a webview panel per file (strict CSP, theme colours, the page in
 * dist/webview/calibration.js), showing its last two labelled runs side by side, restored after a reload through
 * the serializer registered at activation (the page keeps what it showed in its state; the view is sent afresh once
 * the page is ready), with CSV and JSON export through save dialogs. Command-only code: the lazy bundle.
 */
export class CalibrationPanels extends Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly runs: PromptFileRuns) {
    super();
  }

  /** Opens (or reveals) the view of a file; says so and returns false when it has no labelled run yet. */
  show(file: vscode.Uri): boolean {
    const fileUri = file.toString();
    const view = this.view(fileUri);
    if (!view) {
      void showInfo(`${vscode.workspace.asRelativePath(file)} has no finished run with labels yet. Run it first: calibration needs a classification prompt, whose expected values form a label set (or are among logprobLens.classify.labels).`);
      return false;
    }
    const open = this.panels.get(fileUri);
    if (open) {
      open.reveal();
      this.post(open, view);
      return true;
    }
    const panel = vscode.window.createWebviewPanel(PanelTypes.calibration, `Calibration: ${view.title}`, vscode.ViewColumn.Beside, this.options());
    this.attach(panel, fileUri);
    return true;
  }

  /** A run of the file was kept: an open view shows it. */
  refresh(fileUri: string): void {
    const panel = this.panels.get(fileUri);
    const view = panel && this.view(fileUri);
    if (panel && view) this.post(panel, view);
  }

  /** The files that have something to show, most recently run first. */
  files(): string[] {
    return this.runs.files().filter((fileUri) => hasCalibration(this.runs, fileUri));
  }

  override dispose(): void {
    for (const panel of this.panels.values()) panel.dispose();
    super.dispose();
  }

  /** A panel VS Code brought back after a reload (its serializer, registered at activation, hands it over). */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const saved = loadPromptFileEngine().parseCalibrationView((state as { view?: unknown } | undefined)?.view);
    if (!saved || this.panels.has(saved.fileUri)) {
      panel.dispose();
      return;
    }
    panel.webview.options = this.options();
    this.attach(panel, saved.fileUri);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media', 'webview')],
    };
  }

  private attach(panel: vscode.WebviewPanel, fileUri: string): void {
    this.panels.set(fileUri, panel);
    const { webview } = panel;
    const asset = (...path: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...path)).toString();
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: asset('dist', 'webview', 'calibration.js'),
      styleUris: [asset('media', 'webview', 'common.css'), asset('media', 'webview', 'calibration.css')],
      title: panel.title,
    });
    const listener = webview.onDidReceiveMessage((value: unknown) => {
      const message = loadPromptFileEngine().parseCalibrationPageMessage(value);
      if (message) void this.receive(panel, fileUri, message);
    });
    panel.onDidDispose(() => {
      listener.dispose();
      if (this.panels.get(fileUri) === panel) this.panels.delete(fileUri);
    });
  }

  private async receive(panel: vscode.WebviewPanel, fileUri: string, message: CalibrationPageMessage): Promise<void> {
    if (message.kind === 'ready') {
      const view = this.view(fileUri);
      if (view) this.post(panel, view);
      return;
    }
    await this.export(fileUri, message.format);
  }

  private post(panel: vscode.WebviewPanel, view: CalibrationView): void {
    panel.title = `Calibration: ${view.title}`;
    const message: CalibrationHostMessage = { kind: 'show', view };
    void panel.webview.postMessage(message);
  }

  private async export(fileUri: string, format: 'csv' | 'json'): Promise<void> {
    const engine = loadPromptFileEngine();
    const reports = this.namedRuns(fileUri).map(({ name, run, calibration }): NamedReport => ({ run: `${name} (${run.when})`, report: calibration.report }));
    if (reports.length === 0) {
      void showInfo('No labelled run of this file is kept any more: run it again to export its calibration.');
      return;
    }
    const file = vscode.Uri.parse(fileUri);
    const base = file.path.slice(file.path.lastIndexOf('/') + 1).replace(/\.prompt\.ya?ml$/i, '');
    const target = await vscode.window.showSaveDialog({
      title: `Export the calibration as ${format.toUpperCase()}`,
      defaultUri: vscode.Uri.joinPath(file, '..', `${base}.calibration.${format}`),
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!target) return;
    const text = format === 'csv' ? engine.calibrationCsv(reports) : engine.calibrationJson(reports);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    showStatus(`Calibration exported to ${vscode.workspace.asRelativePath(target)}`);
  }

  private view(fileUri: string): CalibrationView | undefined {
    const runs = this.namedRuns(fileUri);
    const last = runs.at(-1);
    if (!last) return undefined;
    const inputs = runs.map(({ name, run, calibration }): CalibrationRunInput => ({ name, caption: `${formatTime(run.when)} · ${run.model}`, calibration }));
    return loadPromptFileEngine().calibrationView({ title: last.run.title, fileUri, fileLabel: vscode.workspace.asRelativePath(vscode.Uri.parse(fileUri)), runs: inputs });
  }

  /** The kept runs with a calibration, oldest first, named “before” and “after” (or “this run” alone). */
  private namedRuns(fileUri: string): (LabelledRun & { readonly name: string })[] {
    const runs = labelledRuns(this.runs, fileUri).slice(-KEPT_RUNS);
    const names = runs.length === 2 ? ['before', 'after'] : ['this run'];
    return runs.map((each, i) => ({ ...each, name: names[i]! }));
  }
}

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
