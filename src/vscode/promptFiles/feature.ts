import * as vscode from 'vscode';
import { literalLabel } from '../../core/untrusted';
import type { EndpointResolver } from '../endpoints/resolver';
import { Disposable } from '../lifetime';
import { showInfo } from '../notify';
import type { AnswerRunDeps } from '../runs/answerRun';
import type { RunSteering } from '../steering/steering';
import type { RunLifecycle } from '../runs/lifecycle';
import type { SettingsService } from '../settings';
import { CalibrationPanels } from './calibrationPanel';
import type { ClassifyResult } from './classify';
import { classifySelection } from './classify';
import { isPromptFileEngineLoaded, loadPromptFileEngine } from './engine';
import { isPromptFile, PromptFileLanguageFeatures } from './languageFeatures';
import type { PromptFileRunResult } from './runner';
import { runPromptFile } from './runner';
import type { PromptFileRuns } from './runStore';
import { WorkspaceStatePromptFileRuns } from './runStore';

export interface PromptFileFeatureDeps extends AnswerRunDeps {
  readonly context: vscode.ExtensionContext;
  readonly settings: SettingsService;
  readonly resolver: EndpointResolver;
  readonly lifecycle: RunLifecycle;
  readonly steering: RunSteering;
}

/**
 * Prompt files (`.prompt.yml`), Classify Selection and the calibration view, as one feature: the language features
 * while a prompt file is edited, Run Prompt File, the runs kept for comparison, and the calibration panels.
 */
export class PromptFileFeature extends Disposable {
  readonly runs: PromptFileRuns;
  private readonly panels: CalibrationPanels;
  private readonly languageFeatures: PromptFileLanguageFeatures;
  /** Which prompt file each results document came from (Show Calibration from a results document). */
  private readonly sources = new Map<string, vscode.Uri>();

  constructor(private readonly deps: PromptFileFeatureDeps) {
    super();
    this.runs = new WorkspaceStatePromptFileRuns(deps.context.workspaceState);
    this.panels = this.register(new CalibrationPanels(deps.context.extensionUri, this.runs));
    this.languageFeatures = this.register(new PromptFileLanguageFeatures((fileUri, file) => this.panels.hasCalibration(fileUri)
      || loadPromptFileEngine().fileLabels(file.testCases.map((testCase) => testCase.expected), deps.settings.current.classifyLabels) !== undefined));
    this.register(vscode.workspace.onDidCloseTextDocument((document) => this.sources.delete(document.uri.toString())));
  }

  /** Whether the engine (parser and prompt-file core) was loaded: never by activation alone. */
  get engineLoaded(): boolean {
    return isPromptFileEngineLoaded();
  }

  /** Run Prompt File: a URI from a lens or the editor title (else the active editor's), and one case or all. */
  async run(uri?: unknown, caseIndex?: unknown): Promise<PromptFileRunResult> {
    const result = await runPromptFile({
      ...this.deps,
      runs: this.runs,
      features: this.languageFeatures,
      onRunKept: (fileUri) => {
        this.languageFeatures.refreshLenses();
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
}
