import * as vscode from 'vscode';
import { Answer } from '../../core/answer';
import type { ChunkDelta } from '../../core/chatChunk';
import type { BranchOutput } from '../../core/hoverActions';
import type { TokenEntry } from '../../core/logprob';
import type { CompletionRequest } from '../../core/request';
import type { BranchPlan } from '../../core/steering';
import { ContinuationFilter, forcedEntry, joinDeltas, planBranch, withLogitBias, withTokenIds } from '../../core/steering';
import { tokenLabel } from '../../core/untrusted';
import type { AnswerTracker } from '../editor/answerTracker';
import { TrackedAnswer } from '../editor/trackedAnswer';
import { documentEol, openUntitled } from '../editor/documents';
import type { EndpointResolver, ResolvedEndpoint } from '../endpoints/resolver';
import { Disposable } from '../lifetime';
import { showStatus } from '../notify';
import type { AnswerRunDeps, AnswerSource } from '../runs/answerRun';
import { announce, fillAnswer } from '../runs/answerRun';
import { requestSource } from '../runs/completion';
import { Inserter } from '../runs/inserter';
import type { RunLifecycle } from '../runs/lifecycle';
import type { RunResult } from '../runs/result';
import { refuse, refused } from '../runs/result';
import type { AnswerNotes } from './answerNotes';
import type { LogitBiasList } from './biasList';
import type { CapabilityStore } from './capabilityStore';
import type { TokenTarget } from './targets';

export interface BranchDeps extends AnswerRunDeps {
  readonly resolver: EndpointResolver;
  readonly lifecycle: RunLifecycle;
  readonly notes: AnswerNotes;
  readonly capabilities: CapabilityStore;
  readonly bias: LogitBiasList;
  readonly undo: BranchUndo;
}

type PlannedBranch = Extract<BranchPlan, { kind: 'request' }>;

/**
 * Continue with this token: the answer's text up to the token plus the chosen alternative becomes the forced start
 * of a new answer, which the model continues (planBranch shapes the request for the endpoint's prefill style, or
 * says why it cannot). The new answer holds the forced start too, its tokens copied from the original, so the
 * prefix keeps its colours; it is a run of kind `branch` whose parent is the original at that token. In place,
 * it replaces the rest of the original answer in one undo group; beside, it fills a new editor.
 */
export async function continueFrom(deps: BranchDeps, target: TokenTarget, output: BranchOutput): Promise<RunResult> {
  const { tracked, document } = target;
  const base = deps.notes.baseOf(tracked);
  if (tracked.isStreaming) return refuse('This answer is still streaming: wait until it is complete (or cancel it), then continue from a token.');
  if (!base) return refuse('This answer was not generated here (it was opened from a file, or it is scored text), so there is no request to continue.');
  if (tracked.answer.store.placement(target.placement).firstToken !== target.token) {
    return refuse('This token is the middle of a character split over several tokens: continue from its first token.');
  }
  const endpoint = await deps.resolver.resolve();
  if ('refused' in endpoint) return refused(endpoint.refused);
  const { settings } = endpoint;
  if (settings.model !== base.model || settings.apiStyle !== base.apiStyle) {
    return refuse(`This answer came from “${base.model}” (${base.apiStyle}), and the endpoint in use asks “${settings.model}” (${settings.apiStyle}). `
      + 'Only the model that wrote it can continue it: select that endpoint, then continue.');
  }
  // The endpoint check may have waited for the user (a first-run offer): the answer must still be as hovered.
  if (!deps.tracker.includes(document, tracked) || !tracked.answer.store.isValid(target.placement) || tracked.isStreaming) {
    return refuse('The answer changed meanwhile: hover the token again.');
  }
  const missing = deps.capabilities.missing('continue', settings);
  if (missing) return refuse(missing);
  const { capabilities, context } = deps.capabilities.forSettings(settings);
  const { start: tokenStart } = tracked.answer.store.placement(target.placement);
  const textBefore = modelText(document.getText(new vscode.Range(document.positionAt(tracked.answer.start), document.positionAt(tracked.answer.start + tokenStart))), document);
  const chosen = target.alternative === undefined ? target.stored : target.stored.alternatives[target.alternative]!;
  const plan = planBranch(base, { textBefore, alternative: chosen }, capabilities, { baseUrl: endpoint.options.baseUrl, label: context.endpointLabel });
  if (plan.kind === 'refused') return refuse(plan.reason);
  const bias = deps.bias.bodyFor(settings);
  return runBranch({
    deps, endpoint, plan, textBefore, prefixTokens: target.token,
    request: withLogitBias(withTokenIds(plan.request, capabilities), bias),
    forced: forcedEntry(target.stored, target.alternative),
    lineage: { parent: { runId: tracked.id, tokenIndex: target.token } },
    note: (answer) => deps.notes.add(answer, { base, appliedBias: { entries: bias.applied, capabilities } }),
    title: `Logprob Lens: continuing from “${tokenLabel(plan.forcedText)}” with ${settings.model} at ${endpoint.url.host}`,
  }, target, output);
}

/** Everything one branch run needs, planned before it starts. */
interface BranchRun {
  readonly deps: BranchDeps;
  readonly endpoint: ResolvedEndpoint;
  readonly plan: PlannedBranch;
  readonly request: CompletionRequest;
  /** The model's text before the forced token, and how many of the original's tokens it holds. */
  readonly textBefore: string;
  readonly prefixTokens: number;
  readonly forced: TokenEntry;
  readonly lineage: NonNullable<AnswerSource['lineage']>;
  readonly note: (answer: TrackedAnswer) => void;
  readonly title: string;
}

/**
 * The branch's answer starts with the prefix already in the document, registered (not inserted) with the tokens
 * copied from the original: in place, the original's own text; beside, a new editor opened holding it. Its first
 * edit then writes the forced token and the first continuation, in place replacing the original's rest, in one
 * undo group. A run that got nothing changes nothing: in place, the original is tracked again.
 */
async function runBranch(branch: BranchRun, target: TokenTarget, output: BranchOutput): Promise<RunResult> {
  const { deps, endpoint } = branch;
  const { settings } = endpoint;
  const original = target.tracked;
  const inPlace = output === 'replace';
  const document = inPlace ? target.document : await openUntitled('markdown', 'beside', branch.textBefore);
  return deps.lifecycle.run(document, branch.title, async (run) => {
    const answer = new Answer(inPlace ? original.answer.start : 0, documentEol(document), settings.thresholds, settings.colourBy);
    answer.inserted(answer.appendCopied(branch.textBefore, original.answer.store, branch.prefixTokens).length);
    const tracked = new TrackedAnswer(answer, settings.model, endpoint.url.host, original.prompt, 0, undefined, branch.prefixTokens);
    branch.note(tracked);
    const originalText = inPlace ? document.getText(new vscode.Range(document.positionAt(original.answer.start), document.positionAt(original.answer.end))) : '';
    if (inPlace) deps.tracker.remove(document, original);
    const sink = new Inserter(tracked, { document, offset: answer.end, separator: '', replace: inPlace ? original.answer.end - answer.end : 0 });
    const source = branchSource(branch, { text: branch.plan.forcedText, tokens: [branch.forced], hasLogprobs: false, finishReason: undefined });
    const filled = await fillAnswer(run, deps, document, tracked, source, sink);
    if (inPlace && filled.outcome === 'failed') deps.tracker.add(document, original);
    else if (inPlace) {
      // An Undo while it streamed stopped the run (cancelled) and may already have brought the original back.
      deps.undo.watch(document, { original, branch: tracked, originalText }, filled.outcome === 'cancelled');
      if (filled.outcome !== 'cancelled') showStatus(`continued from “${branch.plan.forcedText}”: Undo brings back the original answer`, 8000);
    }
    return announce(filled, source, document, tracked, settings.sampling.maxTokens, { 'Show Log': () => deps.log.show() });
  }, inPlace ? undefined : target.document);
}

/**
 * The branch request, streamed, its continuation through ContinuationFilter (a server that repeats the prefix
 * has the repetition dropped), and `lead` (what the branch writes first) held back until the server has answered
 * with something: a request that fails changes nothing.
 */
function branchSource(branch: BranchRun, lead: ChunkDelta): AnswerSource {
  const { endpoint, plan } = branch;
  const options = plan.baseUrl === undefined ? endpoint.options : { ...endpoint.options, baseUrl: plan.baseUrl };
  const network = requestSource('branch', endpoint, branch.request, options);
  return {
    ...network,
    lineage: branch.lineage,
    logLine: `${network.logLine} (continuing a prefix of ${plan.prefix.length} chars)`,
    open: async function* (signal, onRetry) {
      const filter = new ContinuationFilter(plan.prefix, plan.echoesPrefix);
      let waiting: ChunkDelta | undefined = lead;
      const release = (delta: ChunkDelta): ChunkDelta => {
        const joined = waiting ? joinDeltas(waiting, delta) : delta;
        waiting = undefined;
        return joined;
      };
      for await (const delta of network.open(signal, onRetry)) {
        const kept = filter.push(delta);
        if (waiting && kept.text.length === 0 && kept.tokens.length === 0 && kept.finishReason === undefined) continue;
        yield release(kept);
      }
      yield release(filter.end());
    },
  };
}

/** The model's text of a document range: the document's line endings back to the model's "\n". */
function modelText(text: string, document: vscode.TextDocument): string {
  return documentEol(document) === '\r\n' ? text.replace(/\r\n/g, '\n') : text;
}

/**
 * Brings the original answer's colours back when Undo brings back its text: a branch in place replaced the rest
 * of the original in one undo group, so after one Undo the document holds the original's text again, where the
 * branch starts. The original was kept, untouched since it left the tracker, and returns to it.
 */
export class BranchUndo extends Disposable {
  private readonly pending = new Map<string, ReplacedAnswer>();

  constructor(private readonly tracker: AnswerTracker) {
    super();
    this.register(vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.reason === vscode.TextDocumentChangeReason.Undo && event.contentChanges.length > 0) this.restoreIfUndone(event.document);
    }));
    this.register(vscode.workspace.onDidCloseTextDocument((document) => this.pending.delete(document.uri.toString())));
  }

  /** Watches a branch in place (the last of its document); `undoneAlready` when an Undo stopped it as it streamed. */
  watch(document: vscode.TextDocument, replaced: ReplacedAnswer, undoneAlready: boolean): void {
    this.pending.set(document.uri.toString(), replaced);
    if (undoneAlready) this.restoreIfUndone(document);
  }

  private restoreIfUndone(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const watched = this.pending.get(key);
    if (!watched) return;
    const { original, branch, originalText } = watched;
    if (!this.tracker.includes(document, branch)) {
      this.pending.delete(key);
      return;
    }
    const start = branch.answer.start;
    if (document.getText(new vscode.Range(document.positionAt(start), document.positionAt(start + originalText.length))) !== originalText) return;
    this.pending.delete(key);
    this.tracker.remove(document, branch);
    // Text above moved the branch since the original left the tracker: the original moves by as much.
    const moved = start - original.answer.start;
    original.answer.applyEdit(0, Math.max(0, -moved), Math.max(0, moved));
    this.tracker.add(document, original);
  }
}

/** A branch in place and the original answer it replaced, with the original's text as it was. */
interface ReplacedAnswer {
  readonly original: TrackedAnswer;
  readonly branch: TrackedAnswer;
  readonly originalText: string;
}
