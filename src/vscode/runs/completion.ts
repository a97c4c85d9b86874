import * as vscode from 'vscode';
import { Answer } from '../../core/answer';
import { describeFailure } from '../../core/failure';
import type { CompletionRequest } from '../../core/request';
import { promptMessages } from '../../core/request';
import type { RunKind } from '../../core/runOutcome';
import { samplerBody, samplerSupport } from '../../core/samplers';
import { loadClient } from '../clientLoader';
import { Commands } from '../commandIds';
import type { AnswerTracker } from '../editor/answerTracker';
import { documentEol, openUntitled } from '../editor/documents';
import { TrackedAnswer } from '../editor/trackedAnswer';
import type { EndpointResolver, ResolvedEndpoint } from '../endpoints/resolver';
import { showInfo } from '../notify';
import type { RunSteering } from '../steering/steering';
import type { AnswerSource, RunLineage } from './answerRun';
import { announce, fillAnswer } from './answerRun';
import { Inserter } from './inserter';
import type { RunJournal } from './journal';
import type { RunLifecycle } from './lifecycle';
import type { RunResult } from './result';
import { refuse, refused } from './result';
import type { Anchor } from './target';
import { chooseTarget, isWritable } from './target';

/** The request Re-run repeats: its prompt, and the answer it produced (the next one goes after it). */
interface LastRequest {
  readonly prompt: string;
  readonly document: vscode.TextDocument;
  readonly after: TrackedAnswer;
}

export interface CompletionDeps {
  readonly tracker: AnswerTracker;
  readonly journal: RunJournal;
  readonly resolver: EndpointResolver;
  readonly lifecycle: RunLifecycle;
  readonly log: vscode.LogOutputChannel;
  readonly steering: RunSteering;
}

/** Complete Selection, Re-run Last Request, and Remove (of an incomplete answer). */
export class CompletionCommands {
  private last: LastRequest | undefined;

  constructor(private readonly deps: CompletionDeps) {}

  /** Complete Selection: the selection (or the document up to the cursor) is the prompt. */
  async completeSelection(editor = vscode.window.activeTextEditor): Promise<RunResult> {
    if (!editor) return refuse('Open a document and select a prompt first.');
    const { document } = editor;
    if (!isWritable(document)) {
      return refuse('This editor is read-only: Logprob Lens cannot insert an answer here. Copy the prompt into a file or an untitled editor.');
    }
    const prompt = selectedPrompt(editor);
    if (prompt === undefined) return refuse(NO_PROMPT);
    return this.complete('completion', prompt, document, { editor });
  }

  /** Re-run Last Request: the same prompt with the current settings, inserted after the previous answer. */
  async rerunLast(): Promise<RunResult> {
    const last = this.last;
    if (!last) return refuse('There is no earlier request to re-run in this window.');
    const anchor = this.deps.tracker.includes(last.document, last.after) ? { afterOffset: last.after.answer.end } : undefined;
    return this.complete('rerun', last.prompt, last.document, anchor);
  }

  /**
   * Re-runs a recorded request (its messages, sampling, alternatives and extra fields) on the endpoint in use, after
   * the recorded answer when it is still in its document, else in a new editor.
   */
  async rerunRecorded(request: RecordedRequest, document: vscode.TextDocument | undefined, after: TrackedAnswer | undefined): Promise<RunResult> {
    const prompt = request.messages.filter((message) => message.role !== 'system').map((message) => message.content).join('\n\n');
    const anchor = document && after && this.deps.tracker.includes(document, after) ? { afterOffset: after.answer.end } : undefined;
    return this.complete('rerun', prompt, document ?? await openUntitled('markdown', 'beside'), anchor, request);
  }

  /**
   * Removes an answer and the blank line inserted before it, and its colours; only while both are exactly what
   * was inserted (tracked and unchanged), otherwise nothing is deleted and the reason is shown.
   */
  async removeAnswer(document: vscode.TextDocument, tracked: TrackedAnswer): Promise<boolean> {
    const why = !this.deps.tracker.includes(document, tracked) ? 'it is no longer tracked (its colours were cleared or the document closed)'
      : tracked.isStreaming ? 'it is still streaming'
        : !tracked.isUnchanged(document.getText()) ? 'it, or the blank line before it, was edited since' : undefined;
    if (why) {
      void showInfo(`The answer was not removed: ${why}. Select it and delete it yourself if you want it gone.`);
      return false;
    }
    const { answer } = tracked;
    const edit = new vscode.WorkspaceEdit();
    edit.delete(document.uri, new vscode.Range(document.positionAt(answer.start - tracked.separatorLength), document.positionAt(answer.end)));
    const removed = await vscode.workspace.applyEdit(edit);
    if (removed) this.deps.tracker.remove(document, tracked);
    return removed;
  }

  private async complete(kind: RunKind, prompt: string, document: vscode.TextDocument, anchor: Anchor, recorded?: RecordedRequest): Promise<RunResult> {
    const endpoint = await this.deps.resolver.resolve();
    if ('refused' in endpoint) return refused(endpoint.refused);
    const { settings } = endpoint;
    const missing = this.deps.steering.missing('logprobs', endpoint);
    if (missing) return refuse(missing);
    const target = await chooseTarget(settings.output, document, anchor);
    const steered = this.deps.steering.steer(recorded ? { apiStyle: settings.apiStyle, model: settings.model, ...recorded } : promptRequest(endpoint, prompt, this.deps.steering), endpoint);
    const source = requestSource(kind, endpoint, steered.request);
    return this.deps.lifecycle.run(target.document, `Logprob Lens: ${settings.model} at ${endpoint.url.host}`, async (run) => {
      const answer = new Answer(target.offset + target.separator.length, documentEol(target.document), settings.thresholds, settings.colourBy);
      const tracked = new TrackedAnswer(answer, settings.model, endpoint.url.host, prompt, target.separator.length);
      steered.attach(tracked);
      this.last = { prompt, document: target.document, after: tracked };
      const filled = await fillAnswer(run, this.deps, target.document, tracked, source, new Inserter(tracked, target));
      return announce(filled, source, target.document, tracked, settings.sampling.maxTokens, {
        Retry: () => void vscode.commands.executeCommand(Commands.rerunLast),
        Remove: () => void this.removeAnswer(target.document, tracked),
        'Show Log': () => this.deps.log.show(),
      });
    }, document);
  }
}

/** What a recorded run asked, to ask it again: everything but the endpoint, which is the one in use. */
export type RecordedRequest = Pick<CompletionRequest, 'messages' | 'topLogprobs' | 'sampling' | 'extraBody'>;

/**
 * The request for a prompt selected in the editor, with the current settings (top_k and min_p where the backend
 * takes them, by the capabilities steering resolves for it).
 */
export function promptRequest(endpoint: ResolvedEndpoint, prompt: string, steering: RunSteering): CompletionRequest {
  const { settings } = endpoint;
  return {
    apiStyle: settings.apiStyle, model: settings.model, messages: promptMessages(prompt, settings.systemPrompt || undefined),
    topLogprobs: settings.topLogprobs, sampling: settings.sampling,
    extraBody: samplerBody(settings.samplers, samplerSupport(settings, (of) => steering.capabilitiesOf(of)).fields),
  };
}

/** A request to the endpoint, streamed (to `options`, the endpoint's own unless a branch goes to DeepSeek's /beta). */
export function requestSource(kind: RunKind, endpoint: ResolvedEndpoint, request: CompletionRequest, options = endpoint.options, lineage?: RunLineage): AnswerSource {
  const { url, settings, apiKey } = endpoint;
  const path = request.apiStyle === 'chat' ? 'chat/completions' : request.apiStyle;
  const characters = request.messages.reduce((sum, message) => sum + message.content.length, 0);
  return {
    kind,
    model: request.model,
    host: url.host,
    profile: settings.profileName,
    request,
    lineage,
    expectsFinish: true,
    logLine: `POST ${options.baseUrl}/${path} model=${request.model} top_logprobs=${request.topLogprobs} messages=${characters} chars${apiKey ? ' (with key)' : ''}`,
    open: (signal, onRetry) => {
      const client = loadClient();
      return client.streamChat(client.createClient(options), request, signal, {
        idleTimeoutMs: settings.idleTimeoutMs,
        limits: settings.limits,
        onRetry: (waitMs, failure) => onRetry(waitMs, failure.status ? `${failure.status}` : 'connection dropped'),
      });
    },
    describe: (error) => describeFailure(error, endpoint.failureContext),
  };
}

export const NO_PROMPT = 'Select the prompt first. With nothing selected, Logprob Lens sends the document up to the cursor, and that is empty here.';

/**
 * The prompt of an editor: its primary selection (multi-cursor: the others are ignored; a reversed selection is
 * the same text), or with nothing selected the document up to the cursor. Undefined when that is blank.
 */
export function selectedPrompt(editor: vscode.TextEditor): string | undefined {
  const { selection } = editor;
  const range = selection.isEmpty ? new vscode.Range(new vscode.Position(0, 0), selection.active) : selection;
  const prompt = editor.document.getText(range);
  return prompt.trim().length === 0 ? undefined : prompt;
}
