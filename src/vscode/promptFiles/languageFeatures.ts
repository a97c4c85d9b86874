import * as vscode from 'vscode';
import type { PromptDiagnostic, PromptFile, TextRange } from '../../core/promptFiles/model';
import { Commands } from '../commandIds';
import { Disposable } from '../lifetime';
import { loadPromptFileEngine } from './engine';
import { isPromptFile, PROMPT_FILE_SELECTOR } from './selector';

/** How long typing must pause before the file is parsed again for its diagnostics. */
const DIAGNOSTICS_DELAY_MS = 300;

const SEVERITIES: Readonly<Record<PromptDiagnostic['severity'], vscode.DiagnosticSeverity>> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

/**
 * The editor's view of prompt files while they are edited: problems as diagnostics (parsed again a moment after
 * typing pauses), a CodeLens to run the whole file and one on each test case, and the parsed file for the run
 * commands (one parse per document version). The parser is the lazily loaded engine: it loads with the first
 * prompt file, never at activation.
 */
export class PromptFileLanguageFeatures extends Disposable implements vscode.CodeLensProvider {
  private readonly diagnostics = this.register(vscode.languages.createDiagnosticCollection('logprobLens.promptFiles'));
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly parsedFiles = new Map<string, { readonly version: number; readonly file: PromptFile }>();
  private readonly lensesChanged = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.lensesChanged.event;

  /**
   * `offersCalibration(fileUri, file)`: whether the file gets a Calibration lens (a classification prompt, or a
   * file with a labelled run kept).
   */
  constructor(private readonly offersCalibration: (fileUri: string, file: PromptFile) => boolean) {
    super();
    this.register(vscode.languages.registerCodeLensProvider(PROMPT_FILE_SELECTOR, this));
    this.register(vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)));
    this.register(vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document, DIAGNOSTICS_DELAY_MS)));
    this.register(vscode.workspace.onDidCloseTextDocument((document) => this.forget(document)));
    // Files open before activation: parsed right after it, so activation itself stays cheap.
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  /** The document parsed as a prompt file (cached per version). */
  parse(document: vscode.TextDocument): PromptFile {
    const key = document.uri.toString();
    const cached = this.parsedFiles.get(key);
    if (cached?.version === document.version) return cached.file;
    const file = loadPromptFileEngine().parsePromptFile(document.getText());
    this.parsedFiles.set(key, { version: document.version, file });
    return file;
  }

  /** Parses the document now and shows its problems (a run does this before refusing a file with errors). */
  check(document: vscode.TextDocument): PromptFile {
    clearTimeout(this.timers.get(document.uri.toString()));
    const file = this.parse(document);
    this.diagnostics.set(document.uri, file.diagnostics.map(toDiagnostic));
    return file;
  }

  /** The lenses changed without an edit (a run kept a calibration). */
  refreshLenses(): void {
    this.lensesChanged.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const file = this.parse(document);
    const top = toRange(file.runAllRange);
    if (file.hasErrors) {
      const errors = file.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
      return [new vscode.CodeLens(top, { title: `$(error) ${errors} ${errors === 1 ? 'error' : 'errors'}: fix ${errors === 1 ? 'it' : 'them'} to run`, command: 'workbench.actions.view.problems' })];
    }
    const cases = file.testCases.length;
    const lenses = [new vscode.CodeLens(top, {
      title: cases === 0 ? '$(play) Run the prompt' : `$(play) Run all ${cases} ${cases === 1 ? 'case' : 'cases'}`,
      command: Commands.runPromptFile, arguments: [document.uri],
    })];
    if (this.offersCalibration(document.uri.toString(), file)) {
      lenses.push(new vscode.CodeLens(top, { title: '$(graph) Calibration', command: Commands.showCalibration, arguments: [document.uri] }));
    }
    for (const testCase of file.testCases) {
      lenses.push(new vscode.CodeLens(toRange(testCase.range), { title: `$(play) Run case ${testCase.index + 1}`, command: Commands.runPromptFile, arguments: [document.uri, testCase.index] }));
    }
    return lenses;
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (!isPromptFile(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      if (!document.isClosed) this.check(document);
    }, delayMs));
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.parsedFiles.delete(key);
    this.diagnostics.delete(document.uri);
  }

  override dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    super.dispose();
  }
}

function toDiagnostic(problem: PromptDiagnostic): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(toRange(problem.range), problem.message, SEVERITIES[problem.severity]);
  diagnostic.source = 'Logprob Lens';
  diagnostic.code = problem.code;
  return diagnostic;
}

function toRange(range: TextRange): vscode.Range {
  return new vscode.Range(range.start.line, range.start.column, range.end.line, range.end.column);
}
