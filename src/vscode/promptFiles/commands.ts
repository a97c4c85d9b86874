import * as vscode from 'vscode';
import { literalLabel } from '../../core/untrusted';
import type { EndpointResolver } from '../endpoints/resolver';
import type { DisposableStore } from '../lifetime';
import { showInfo } from '../notify';
import type { AnswerRunDeps } from '../runs/answerRun';
import type { RunLifecycle } from '../runs/lifecycle';
import type { SettingsService } from '../settings';
import type { RunSteering } from '../steering/steering';
import { CalibrationPanels } from './calibrationPanel';
import type { ClassifyResult } from './classify';
import { classifySelection } from './classify';
import type { PromptFileFeature } from './feature';
import { isPromptFile } from './selector';
import type { PromptFileRunResult } from './runner';
import { runPromptFile } from './runner';

export interface PromptFileCommandDeps extends AnswerRunDeps {
  /** The main bundle's prompt-file feature: the kept runs and the language features. */
  readonly feature: PromptFileFeature;
  readonly extensionUri: vscode.Uri;
  readonly settings: SettingsService;
  readonly resolver: EndpointResolver;
  readonly lifecycle: RunLifecycle;
  readonly steering: RunSteering;
}

/** Run Prompt File, Classify Selection, Show Calibration, and the calibration panels. */
export class PromptFileCommands {
  private readonly panels: CalibrationPanels;
  /** Which prompt file each results document came from (Show Calibration from a results document). */
  private readonly sources = new Map<string, vscode.Uri>();

  /** `lifetime`: the extension's, which the panels live as long as. */
  constructor(private readonly deps: PromptFileCommandDeps, lifetime: DisposableStore) {
    this.panels = lifetime.add(new CalibrationPanels(deps.extensionUri, deps.feature.runs));
    lifetime.add(vscode.workspace.onDidCloseTextDocument((document) => this.sources.delete(document.uri.toString())));
  }

  /** Run Prompt File: a URI from a lens or the editor title (else the active editor's), and one case or all. */
  async run(uri?: unknown, caseIndex?: unknown): Promise<PromptFileRunResult> {
    const { feature } = this.deps;
    const result = await runPromptFile({
      ...this.deps,
      runs: feature.runs,
      features: feature.languageFeatures,
      onRunKept: (fileUri) => {
        feature.languageFeatures.refreshLenses();
        this.panels.refresh(fileUri);
      },
      showCalibration: (file) => this.panels.show(file),
    }, uri, caseIndex);
    const file = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (result.documentUri && file) this.sources.set(result.documentUri, file);
    return result;
  }

  classify(): Promise<ClassifyResult> {
    return classifySelection(this.deps);
  }

  /**
   * Show Calibration: of the file given, the active prompt file, or the one the active results document came
   * from; otherwise a pick among the files that have one.
   */
  async showCalibration(uri?: unknown): Promise<boolean> {
    const active = vscode.window.activeTextEditor?.document;
    const file = uri instanceof vscode.Uri ? uri
      : active && isPromptFile(active) ? active.uri
        : active ? this.sources.get(active.uri.toString()) : undefined;
    if (file) return this.panels.show(file);
    const files = this.panels.files();
    if (files.length === 0) {
      void showInfo('No prompt file has a finished run with labels yet. Run a classification prompt file first (Run Prompt File).');
      return false;
    }
    const picked = await vscode.window.showQuickPick(files.map((fileUri) => ({ label: literalLabel(vscode.workspace.asRelativePath(vscode.Uri.parse(fileUri))), fileUri })), {
      title: 'Logprob Lens: calibration of which prompt file?',
    });
    return picked ? this.panels.show(vscode.Uri.parse(picked.fileUri)) : false;
  }

  /** A calibration panel VS Code brought back after a reload. */
  restorePanel(panel: vscode.WebviewPanel, state: unknown): void {
    this.panels.restore(panel, state);
  }
}
