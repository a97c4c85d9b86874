import type * as vscode from 'vscode';
import type { EndpointResolver } from '../endpoints/resolver';
import type { SettingsService } from '../settings';
import type { RunSteering } from '../steering/steering';
import type { AnswerRunDeps } from './answerRun';
import type { RunLifecycle } from './lifecycle';
import { openLoggedResponse, openSample } from './loggedResponses';
import type { RunResult } from './result';
import type { SampleResult } from './samples';
import { sampleAnswers } from './samples';
import { scoreSelection } from './scoring';

export interface AnswerCommandDeps extends AnswerRunDeps {
  readonly extensionUri: vscode.Uri;
  readonly settings: SettingsService;
  readonly resolver: EndpointResolver;
  readonly lifecycle: RunLifecycle;
  readonly steering: RunSteering;
}

/** The runs besides a completion, bound to the services they run with: Score Selection, Sample Answers, Open Response, Try a Sample. */
export class AnswerCommands {
  constructor(private readonly deps: AnswerCommandDeps) {}

  scoreSelection(): Promise<RunResult> {
    return scoreSelection(this.deps);
  }

  sampleAnswers(editor?: vscode.TextEditor, count?: number): Promise<SampleResult> {
    return sampleAnswers(this.deps, editor, count);
  }

  /** Open Logprobs Response and Open with Logprob Lens (a menu passes the file, and the selected files as options). */
  openResponse(target?: unknown, options?: unknown): Promise<RunResult | undefined> {
    return openLoggedResponse(this.deps, target, options);
  }

  trySample(): Promise<RunResult | undefined> {
    return openSample(this.deps, this.deps.extensionUri);
  }
}
