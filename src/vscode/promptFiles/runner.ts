import * as vscode from 'vscode';
import { Answer } from '../../core/answer';
import { describeFailure } from '../../core/failure';
import type { TokenEntry } from '../../core/logprob';
import { runPool } from '../../core/pool';
import type { CalibrationReport } from '../../core/promptFiles/calibration';
import type { ExpectedProbability, ScoringCapabilities } from '../../core/promptFiles/expected';
import type { LabelSet } from '../../core/promptFiles/labels';
import type { PromptFile } from '../../core/promptFiles/model';
import type { CaseAnswer, CaseOutcome } from '../../core/promptFiles/outcome';
import type { AnswerPlacement, CaseParts, PendingCase } from '../../core/promptFiles/results';
import type { CompletionRequest } from '../../core/request';
import type { RunOutcome } from '../../core/runOutcome';
import { loadClient } from '../clientLoader';
import { TrackedAnswer } from '../editor/trackedAnswer';
import { documentEol, openUntitled } from '../editor/documents';
import type { EndpointResolver, ResolvedEndpoint } from '../endpoints/resolver';
import { showError, showInfo, showStatus } from '../notify';
import type { AnswerRunDeps, AnswerSource } from '../runs/answerRun';
import { fillAnswer } from '../runs/answerRun';
import type { RunContext, RunLifecycle } from '../runs/lifecycle';
import type { RunResult } from '../runs/result';
import type { RunSteering } from '../steering/steering';
import { refuse, refused } from '../runs/result';
import type { PromptFileEngine } from './engine';
import { loadPromptFileEngine } from './engine';
import type { PromptFileLanguageFeatures } from './languageFeatures';
import { isPromptFile } from './selector';
import { ResultsWriter } from './resultsWriter';
import type { PromptFileRuns } from './runStore';

export interface PromptFileRunDeps extends AnswerRunDeps {
  readonly resolver: EndpointResolver;
  readonly lifecycle: RunLifecycle;
  readonly steering: RunSteering;
  readonly runs: PromptFileRuns;
  readonly features: PromptFileLanguageFeatures;
  /** Told when a full run was kept (lenses and an open calibration view update). */
  readonly onRunKept: (fileUri: string) => void;
  /** Opens the calibration view of a file. */
  readonly showCalibration: (fileUri: vscode.Uri) => void;
}

/** What Run Prompt File did: the results document, and each case's outcome and answer's place in it. */
export interface PromptFileRunResult extends RunResult {
  readonly outcomes?: readonly CaseOutcome[];
  readonly answers?: readonly AnswerPlacement[];
}

/** One case of a run: its request, and its state as the run goes. */
interface CaseSlot {
  readonly caseIndex: number | undefined;
  /** The case's identity across runs (its inputs). */
  readonly key: string;
  /** With the endpoint's logit-bias list merged in, as every run sends it. */
  readonly request: CompletionRequest;
  /** Ties the bias applied to the case's answer (its hover says the probabilities are from before it). */
  readonly attachBias: (tracked: TrackedAnswer) => void;
  state: 'waiting' | 'running' | CaseOutcome;
  tracked?: TrackedAnswer;
}

/**
 * Run Prompt File: every test case of a `.prompt.yml` (or one of them, or the file alone when it has none) sent
 * to the endpoint in use as its messages with the variables substituted and the file's `modelParameters` over the
 * user's sampling settings, logprobs requested; `promptFiles.concurrency` cases at a time, cancellable as one. The
 * answers stream into one results document, each coloured with hovers; as each case finishes, its evaluators, the
 * expected answer's probability and its figures are written under it; at the end, the summary, the comparison with
 * the file's previous run, and the calibration of a classification prompt. Nothing is sent while the file has
 * errors.
 */
export async function runPromptFile(deps: PromptFileRunDeps, uri?: unknown, caseIndex?: unknown): Promise<PromptFileRunResult> {
  const document = await promptDocument(uri);
  if (!document) return refuse('Open a .prompt.yml (or .prompt.yaml) file to run it.');
  const file = deps.features.check(document);
  const name = baseName(document.uri);
  if (file.hasErrors) {
    const errors = file.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
    return refuse(`${name} has ${errors} ${errors === 1 ? 'error' : 'errors'} (see the Problems view): nothing was sent. Fix ${errors === 1 ? 'it' : 'them'} and run it again.`);
  }
  if (caseIndex !== undefined && !(Number.isInteger(caseIndex) && file.testCases[caseIndex as number])) {
    return refuse(`${name} has no such test case: it has ${file.testCases.length}. Run it from the case's CodeLens.`);
  }
  const endpoint = await deps.resolver.resolve();
  if ('refused' in endpoint) return refused(endpoint.refused);
  const missing = deps.steering.missing('logprobs', endpoint);
  if (missing) return refuse(missing);
  // Untitled, without a path: Save asks where (an untitled document with a path would be written there at once).
  const results = await openUntitled('markdown', 'beside');
  const run = new PromptFileRun(deps, loadPromptFileEngine(), document, file, endpoint, results, caseIndex as number | undefined);
  const { url, settings } = endpoint;
  const cases = file.testCases.length === 0 ? 'the prompt' : caseIndex !== undefined ? `case ${(caseIndex as number) + 1}` : `${run.size} ${run.size === 1 ? 'case' : 'cases'}`;
  return deps.lifecycle.run(results, `Logprob Lens: ${name}, ${cases} with ${run.model} at ${url.host}${settings.promptFiles.concurrency > 1 && run.size > 1 ? `, ${Math.min(run.size, settings.promptFiles.concurrency)} at a time` : ''}`,
    (context) => run.execute(context), document);
}

/** One run of a prompt file, from the first request to the results' last line. */
class PromptFileRun {
  readonly model: string;
  private readonly slots: CaseSlot[];
  private readonly labels: LabelSet | undefined;
  private readonly capabilities: ScoringCapabilities;
  private readonly startedAt = new Date();
  private readonly groupId = `prompt-file-${Date.now().toString(36)}`;
  private readonly writer: ResultsWriter;
  private readonly fileUri: string;
  private writerLost = false;
  /** Stops the run (set once it runs): the writer calls it when it cannot write any more. */
  private stopRun: (() => void) | undefined;
  private done = 0;

  constructor(
    private readonly deps: PromptFileRunDeps,
    private readonly engine: PromptFileEngine,
    private readonly prompt: vscode.TextDocument,
    private readonly file: PromptFile,
    private readonly endpoint: ResolvedEndpoint,
    private readonly results: vscode.TextDocument,
    private readonly only: number | undefined,
  ) {
    const { settings } = endpoint;
    const indices = only === undefined ? engine.caseIndices(file) : [only];
    this.slots = indices.map((caseIndex) => {
      const request = engine.buildCaseRequest(file, caseIndex, settings.sampling, { useFileModel: settings.promptFiles.useFileModel });
      const { key } = engine.pendingCase(file, caseIndex, '', 'waiting');
      const steered = deps.steering.steer(engine.caseCompletionRequest(request, settings), endpoint);
      return { caseIndex, key, request: steered.request, attachBias: (tracked) => steered.attach(tracked), state: 'waiting' };
    });
    this.model = this.slots[0]!.request.model;
    this.labels = engine.fileLabels(file.testCases.map((testCase) => testCase.expected), settings.classifyLabels);
    this.capabilities = engine.scoringCapabilities(deps.steering.capabilitiesOf(settings));
    this.fileUri = prompt.uri.toString();
    this.writer = new ResultsWriter(results, this.slots.length, () => {
      this.writerLost = true;
      this.stopRun?.();
    });
  }

  get size(): number {
    return this.slots.length;
  }

  async execute(run: RunContext): Promise<PromptFileRunResult> {
    this.stopRun = () => run.stop();
    try {
      this.writer.show(this.engine.buildResultsDocument(this.resultsInput()));
      await this.writer.idle();
      const { concurrency } = this.endpoint.settings.promptFiles;
      await runPool(this.slots, concurrency, run.signal, (slot, position) => this.runCase(run, slot, position));
      for (const slot of this.slots) if (typeof slot.state === 'string') slot.state = this.engine.caseOutcome(this.file, slot.caseIndex, this.engine.NOT_RUN);
      const outcomes = this.slots.map((slot) => slot.state as CaseOutcome);
      const calibration = this.labels ? this.engine.calibrateOutcomes(outcomes) : undefined;
      this.writer.show(this.engine.buildResultsDocument(this.resultsInput(calibration?.report)));
      await this.writer.idle();
      const cancelled = run.signal.aborted;
      if (!cancelled && this.only === undefined && !this.writerLost) {
        await this.deps.runs.save(this.fileUri, { when: this.startedAt.toISOString(), model: this.model, title: this.title, outcomes });
        this.deps.onRunKept(this.fileUri);
      }
      return this.finish(outcomes, cancelled, calibration !== undefined);
    } finally {
      this.writer.dispose();
    }
  }

  private get title(): string {
    return this.file.name ?? baseName(this.prompt.uri);
  }

  /** One case: its answer streamed into its place, then its figures; never throws (a failure is its outcome). */
  private async runCase(run: RunContext, slot: CaseSlot, position: number): Promise<void> {
    const { settings, url } = this.endpoint;
    slot.state = 'running';
    this.showCase(position);
    const answer = new Answer(this.writer.answerStart(position), documentEol(this.results), settings.thresholds, settings.colourBy);
    const lastUser = slot.request.messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
    const tracked = new TrackedAnswer(answer, slot.request.model, url.host, lastUser);
    slot.tracked = tracked;
    slot.attachBias(tracked);
    const number = slot.caseIndex === undefined ? 'the prompt' : `case ${slot.caseIndex + 1} of ${this.file.testCases.length}`;
    const caseRun: RunContext = { ...run, report: (message) => run.report(`${number}${this.done > 0 ? ` (${this.done} done)` : ''}: ${message}`) };
    const filled = await fillAnswer(caseRun, this.deps, this.results, tracked, this.source(slot, position), this.writer.sink(position, tracked));
    const ended = this.engine.answerProblem({ outcome: filled.outcome, failure: filled.failure?.message, sawLogprobs: filled.sawLogprobs, maxTokens: slot.request.sampling.maxTokens });
    const caseAnswer: CaseAnswer = { text: this.writer.answerText(position), tokens: firstTokens(answer), stats: answer.stats(settings.uncertainThreshold), ...ended };
    const expected = ended.failed || run.signal.aborted ? undefined : await this.expectedProbability(run, slot, caseAnswer.tokens);
    slot.state = this.engine.caseOutcome(this.file, slot.caseIndex, caseAnswer, { expectedProbability: expected, labels: this.labels?.labels });
    this.done++;
    this.showCase(position);
  }

  /** The case's request as an answer source: the endpoint's stream, with the run's lineage for the history. */
  private source(slot: CaseSlot, position: number): AnswerSource {
    const { url, settings, apiKey } = this.endpoint;
    const { request } = slot;
    const path = request.apiStyle === 'chat' ? 'chat/completions' : request.apiStyle;
    const label = slot.caseIndex === undefined ? 'the prompt' : `case ${slot.caseIndex + 1}`;
    return {
      kind: 'promptFile',
      model: request.model,
      host: url.host,
      profile: settings.profileName,
      request,
      lineage: { group: { id: this.groupId, kind: 'promptFile', index: position, size: this.slots.length, label: `${this.title}: ${label}` } },
      expectsFinish: true,
      logLine: `${baseName(this.prompt.uri)} ${label}: POST ${url.origin}${url.pathname}/${path} model=${request.model} top_logprobs=${request.topLogprobs} messages=${request.messages.length}${apiKey ? ' (with key)' : ''}`,
      open: (signal, onRetry) => {
        const client = loadClient();
        return client.streamChat(client.createClient(this.endpoint.options), request, signal, {
          idleTimeoutMs: settings.idleTimeoutMs,
          limits: settings.limits,
          onRetry: (waitMs, failure) => onRetry(waitMs, failure.status ? `${failure.status}` : 'connection dropped'),
        });
      },
      describe: (error) => describeFailure(error, this.endpoint.failureContext),
    };
  }

  /**
   * The expected answer's probability by the best method the endpoint has (a scoring request, or the answer's own
   * first token); when a scoring request fails, the first-token method is tried instead and the note says why.
   */
  private async expectedProbability(run: RunContext, slot: CaseSlot, tokens: readonly TokenEntry[]): Promise<ExpectedProbability | undefined> {
    const testCase = slot.caseIndex === undefined ? undefined : this.file.testCases[slot.caseIndex];
    if (testCase?.expected === undefined) return undefined;
    const { messages, model } = slot.request;
    const plan = this.engine.planExpectedProbability(messages, testCase.expected, this.capabilities);
    if (plan.method === 'unavailable') return this.engine.unavailable(plan.reason);
    if (plan.method === 'first-token') return this.engine.expectedFromFirstToken(plan.expected, tokens);
    const client = loadClient();
    const sdk = client.createClient(this.endpoint.options);
    this.deps.log.info(`#${run.id} case ${(slot.caseIndex ?? 0) + 1}: scoring the expected answer (${plan.method}) with ${model}`);
    try {
      if (plan.method === 'completions-echo') {
        const scored = await client.scoreText(sdk, { model, prompt: plan.prompt, topLogprobs: 1 }, run.signal);
        return this.engine.expectedFromScoredPrompt(plan, scored.tokens);
      }
      const response = await client.scoreChatPrompt(sdk, { model, messages: plan.messages, extraBody: plan.body }, run.signal);
      const scored = this.engine.promptLogprobTokens(response);
      return scored ? this.engine.expectedFromScoredPrompt(plan, scored) : this.engine.unavailable('The endpoint answered the scoring request without prompt_logprobs.');
    } catch (error) {
      if (run.signal.aborted) return undefined;
      const why = describeFailure(error, this.endpoint.failureContext).message;
      this.deps.log.warn(`#${run.id} scoring the expected answer failed: ${why}`);
      const fallback = this.engine.planExpectedProbability(messages, testCase.expected, { promptScoring: undefined, hasAlternatives: this.capabilities.hasAlternatives });
      const note = `Prompt scoring failed: ${why}`;
      if (fallback.method !== 'first-token') return this.engine.unavailable(note);
      const result = this.engine.expectedFromFirstToken(fallback.expected, tokens);
      return { ...result, note: `${result.note} ${note}` };
    }
  }

  /** What the results document is built from: the cases as they stand, and the file's last full run. */
  private resultsInput(calibration?: CalibrationReport): Parameters<PromptFileEngine['buildResultsDocument']>[0] {
    const previous = this.deps.runs.previous(this.fileUri);
    const keys = new Set(this.slots.map((slot) => slot.key));
    return {
      title: this.title,
      file: vscode.workspace.asRelativePath(this.prompt.uri),
      model: this.model,
      fileModel: this.file.model,
      when: formatTime(this.startedAt),
      fileCases: this.fileCases,
      outcomes: this.slots.map((slot, position) => this.caseView(slot, position)),
      // A run of one case is compared with that case in the last full run.
      previous: previous && {
        when: formatTime(new Date(previous.when)),
        outcomes: this.only === undefined ? previous.outcomes : previous.outcomes.filter((outcome) => keys.has(outcome.key)),
      },
      calibration,
    };
  }

  private get fileCases(): number {
    return this.file.testCases.length || 1;
  }

  private caseView(slot: CaseSlot, position: number): CaseOutcome | PendingCase {
    return typeof slot.state === 'string' ? this.engine.pendingCase(this.file, slot.caseIndex, this.writer.answerText(position), slot.state) : slot.state;
  }

  /**
   * A case started or finished: only the summary above the cases and that case's text around its answer are
   * rebuilt (the sections before and after its answer), so a run of 1,000 cases does not rebuild the whole
   * document 2,000 times. The comparison with the previous run and the calibration come with the final build.
   */
  private showCase(position: number): void {
    const parts = (at: number): CaseParts | undefined => {
      const slot = this.slots[at];
      return slot && this.engine.caseParts(this.caseView(slot, at), this.fileCases);
    };
    const here = parts(position)!;
    const before = position === 0 ? undefined : parts(position - 1);
    const after = parts(position + 1);
    const top = this.engine.resultsTop(this.resultsInput());
    const sections = new Map<number, string>([[0, top + (position === 0 ? here.head : parts(0)!.head)]]);
    if (before) sections.set(position, before.tail + here.head);
    sections.set(position + 1, here.tail + (after?.head ?? ''));
    this.writer.setSections(sections);
  }

  /** The command's result, and one message for the whole run. */
  private finish(outcomes: readonly CaseOutcome[], cancelled: boolean, calibrated: boolean): PromptFileRunResult {
    const failed = outcomes.filter((outcome) => outcome.failed);
    const outcome: RunOutcome = cancelled ? 'cancelled' : this.writerLost || failed.length > 0 ? (failed.length === outcomes.length ? 'failed' : 'incomplete') : 'done';
    let message: string;
    if (this.writerLost) {
      message = 'The results document was closed or edited while the run wrote into it: the run stopped, and its figures are not all there.';
      void showError(message);
    } else if (outcome === 'failed' && !cancelled) {
      message = `Every case failed: ${outcomes[0]?.problem ?? 'no answer came back.'}`;
      void showError(message, 'Show Log').then((choice) => {
        if (choice) this.deps.log.show();
      });
    } else {
      const ran = outcomes.length - failed.length;
      message = `${this.title}: ${cancelled ? 'stopped; ' : ''}${ran} of ${outcomes.length} ${outcomes.length === 1 ? 'case' : 'cases'} answered${failed.length > 0 ? `, ${failed.length} failed or not run` : ''}.`;
      if (calibrated && !cancelled && this.only === undefined) {
        void showInfo(`${message} The calibration of this classification prompt is ready.`, 'Show Calibration').then((choice) => {
          if (choice) this.deps.showCalibration(this.prompt.uri);
        });
      } else showStatus(message);
    }
    const answers = this.slots.map((slot, position): AnswerPlacement => {
      const start = this.writer.answerStart(position);
      return { caseIndex: slot.caseIndex, start, end: start + this.writer.answerText(position).length };
    });
    const tokens = this.slots.reduce((sum, slot) => sum + (slot.tracked?.answer.store.tokenCount ?? 0), 0);
    const placements = this.slots.reduce((sum, slot) => sum + (slot.tracked?.answer.store.placementCount ?? 0), 0);
    return { outcome, message, documentUri: this.results.uri.toString(), tokens, placements, outcomes, answers };
  }
}

/** The prompt file a command was given (a URI from a lens or the editor title), or the active editor's. */
async function promptDocument(uri: unknown): Promise<vscode.TextDocument | undefined> {
  const document = uri instanceof vscode.Uri ? await vscode.workspace.openTextDocument(uri).then((opened) => opened, () => undefined) : vscode.window.activeTextEditor?.document;
  return document && isPromptFile(document) ? document : undefined;
}

/** The answer's first tokens, up to the first one that is not only whitespace (where labels are read). */
function firstTokens(answer: Answer): TokenEntry[] {
  const tokens: TokenEntry[] = [];
  for (let i = 0; i < answer.store.tokenCount; i++) {
    const { token, logprob, alternatives } = answer.store.token(i);
    tokens.push({ token, logprob: logprob ?? null, top_logprobs: alternatives });
    if (token.trim() !== '') break;
  }
  return tokens;
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

function formatTime(date: Date): string {
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
