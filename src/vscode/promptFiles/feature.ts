import type * as vscode from 'vscode';
import { Disposable } from '../lifetime';
import type { SettingsService } from '../settings';
import { hasCalibration } from './calibrations';
import { isPromptFileEngineLoaded, loadPromptFileEngine } from './engine';
import { PromptFileLanguageFeatures } from './languageFeatures';
import type { PromptFileRuns } from './runStore';
import { WorkspaceStatePromptFileRuns } from './runStore';

/**
 * Prompt files (`.prompt.yml`) while they are edited: the language features (diagnostics and CodeLens; the parser
 * is the lazily loaded engine) and the runs kept for comparison and calibration. Run Prompt File, Classify Selection
 * and the calibration view are command-only code in the lazy bundle (./commands.ts), given this instance.
 */
export class PromptFileFeature extends Disposable {
  readonly runs: PromptFileRuns;
  readonly languageFeatures: PromptFileLanguageFeatures;

  constructor(state: vscode.Memento, settings: SettingsService) {
    super();
    this.runs = new WorkspaceStatePromptFileRuns(state);
    this.languageFeatures = this.register(new PromptFileLanguageFeatures((fileUri, file) => hasCalibration(this.runs, fileUri)
      || loadPromptFileEngine().fileLabels(file.testCases.map((testCase) => testCase.expected), settings.current.classifyLabels) !== undefined));
  }

  /** Whether the engine (parser and prompt-file core) was loaded: never by activation alone. */
  get engineLoaded(): boolean {
    return isPromptFileEngineLoaded();
  }
}
