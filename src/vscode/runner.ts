import * as vscode from 'vscode';
import { Answer } from '../core/answer';
import type { ChunkDelta } from '../core/chatChunk';
import { checkBaseUrl, isLoopback } from '../core/endpoint';
import type { Failure } from '../core/failure';
import { describeFailure } from '../core/failure';
import { promptMessages } from '../core/request';
import type { LoggedResponse } from '../core/wireFormats';
import type { ApiKeys } from './apiKeys';
import type { AnswerTracker, RunState } from './answerTracker';
import { TrackedAnswer } from './answerTracker';
import { loadClient } from './clientLoader';
import { Commands, ContextKeys } from './commandIds';
import type { ConfidenceDecorations } from './decorations';
import type { LensSettings } from './settings';
import { keyScope } from './settings';

/** Where an answer's deltas come from: the network, or a saved response. */
interface AnswerSource {
  readonly model: string;
  readonly host: string;
  readonly title: string;
  open(signal: AbortSignal, onRetry: (waitMs: number, why: string) => void): AsyncIterable<ChunkDelta>;
  describe(error: unknown): Failure;
  /** The request line for the log. */
  readonly logLine: string;
  /** Whether a missing finish reason means the stream broke (true for the network). */
  readonly expectsFinish: boolean;
}

/** The endpoint the settings point at, checked, with its key. */
interface ResolvedEndpoint {
  readonly url: URL;
  readonly apiKey: string | undefined;
  readonly settings: LensSettings;
}

/** What a command did: returned by the commands, so tests and scripts can check it. */
export interface RunResult {
  readonly outcome: RunState | 'refused';
  /** What the user was told, if anything. */
  readonly message?: string;
  readonly documentUri?: string;
  /** Document offsets of the answer text when the run ended (later edits move it; the tracker follows them). */
  readonly answerStart?: number;
  readonly answerEnd?: number;
  readonly tokens: number;
  readonly placements: number;
}

interface LastRequest {
  readonly prompt: string;
  readonly document: vscode.TextDocument;
  readonly after: TrackedAnswer | undefined;
}

/** Where an answer goes: `separator` (blank line) then the answer, inserted at `offset`. */
interface Target {
  readonly document: vscode.TextDocument;
  readonly offset: number;
  readonly separator: string;
}

export interface RunnerDeps {
  /** Asked when no endpoint is set up yet (first run); resolves true when one now is. */
  readonly firstRun: () => Promise<boolean>;
  readonly tracker: AnswerTracker;
  readonly decorations: ConfidenceDecorations;
  readonly keys: ApiKeys;
  readonly log: vscode.LogOutputChannel;
  readonly settings: () => LensSettings;
}

const PROGRESS_INTERVAL_MS = 250;

/**
 * Runs completions: sends the prompt, streams the answer into the document and keeps its tokens in step. One
 * run at a time per document; a second is refused with a message. Text that arrived is never removed.
 */
export class CompletionRunner implements vscode.Disposable {
  private readonly running = new Map<string, TrackedAnswer>();
  private last: LastRequest | undefined;
  private requestCount = 0;

  private readonly disposables: vscode.Disposable[] = [];
  /** Running documents that have been seen in a tab. */
  private readonly seenInTab = new Set<string>();

  constructor(private readonly deps: RunnerDeps) {
    // Closing the last tab of a document stops its request (the document itself may live on a while). Only a
    // tab that was seen open counts as closed: the tab model can lag behind a just-shown editor.
    vscode.window.tabGroups.onDidChangeTabs(() => {
      const open = new Set(vscode.window.tabGroups.all.flatMap((group) => group.tabs)
        .map((tab) => (tab.input instanceof vscode.TabInputText ? tab.input.uri.toString() : undefined)));
      for (const [key, tracked] of this.running) {
        if (open.has(key)) this.seenInTab.add(key);
        else if (this.seenInTab.has(key)) tracked.stop?.();
      }
    }, undefined, this.disposables);
  }

  /** Complete Selection: the selection (or the document up to the cursor) is the prompt. */
  async completeSelection(editor = vscode.window.activeTextEditor): Promise<RunResult> {
    if (!editor) return this.refuse('Open a document and select a prompt first.');
    const { document } = editor;
    if (!isWritable(document)) {
      return this.refuse('This editor is read-only: Logprob Lens cannot insert an answer here. Copy the prompt into a file or an untitled editor.');
    }
    // Multi-cursor: the primary selection is the prompt. A reversed selection is the same text.
    const selection = editor.selection;
    const range = selection.isEmpty ? new vscode.Range(new vscode.Position(0, 0), selection.active) : selection;
    const prompt = document.getText(range);
    if (prompt.trim().length === 0) {
      return this.refuse('Select the prompt first. With nothing selected, Logprob Lens sends the document up to the cursor, and that is empty here.');
    }
    return this.start(prompt, document, undefined, editor);
  }

  /** Re-run Last Request: the same prompt with the current settings, inserted after the previous answer. */
  async rerunLast(): Promise<RunResult> {
    const last = this.last;
    if (!last) return this.refuse('There is no earlier request to re-run in this window.');
    return this.start(last.prompt, last.document, last.after, undefined);
  }

  cancel(document = vscode.window.activeTextEditor?.document): boolean {
    const tracked = document ? this.running.get(document.uri.toString()) : [...this.running.values()].at(-1);
    tracked?.stop?.();
    return tracked !== undefined;
  }

  isRunning(document: vscode.TextDocument): boolean {
    return this.running.has(document.uri.toString());
  }

  dispose(): void {
    for (const tracked of this.running.values()) tracked.stop?.();
    for (const disposable of this.disposables) disposable.dispose();
  }

  /** Score Selection: colours the selected text itself with the model's logprobs for it. Nothing is inserted. */
  async scoreSelection(editor = vscode.window.activeTextEditor): Promise<RunResult> {
    if (!editor) return this.refuse('Open a document and select the text to score first.');
    const { document, selection } = editor;
    const text = document.getText(selection);
    if (text.trim().length === 0) return this.refuse('Select the text to score first.');
    const key = document.uri.toString();
    if (this.running.has(key)) return this.refuse('Logprob Lens is already working in this document. Cancel it (Escape) first.');
    const endpoint = await this.resolveEndpoint();
    if ('outcome' in endpoint) return endpoint;
    const { url, apiKey, settings } = endpoint;
    const answer = new Answer(document.offsetAt(selection.start), 'asIs', settings.thresholds, settings.colourBy);
    answer.inserted(answer.append(text, []).length);
    const tracked = new TrackedAnswer(answer, settings.model, url.host, text);
    this.deps.tracker.add(document, tracked);
    this.running.set(key, tracked);
    const controller = new AbortController();
    tracked.stop = () => controller.abort();
    this.deps.log.info(`score POST ${url.origin}${url.pathname}/completions model=${settings.model} echo=true text=${text.length} chars`);
    let failure: Failure | undefined;
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Logprob Lens: scoring with ${settings.model} at ${url.host}`, cancellable: true }, async (_, token) => {
        token.onCancellationRequested(() => controller.abort());
        try {
          const client = loadClient();
          const scored = await client.scoreText(client.createClient(this.endpointOptions(endpoint)), { model: settings.model, prompt: text, topLogprobs: settings.topLogprobs }, controller.signal);
          answer.append('', scored.tokens);
          answer.finish();
        } catch (error) {
          failure = describeFailure(error, { host: url.host, model: settings.model, hasKey: apiKey !== undefined, secrets: apiKey ? [apiKey] : [] });
        }
      });
    } finally {
      this.running.delete(key);
      tracked.stop = undefined;
    }
    const placed = answer.store.placementCount;
    if (failure || placed === 0) {
      this.deps.tracker.remove(document, tracked);
      tracked.state = failure?.kind === 'cancelled' ? 'cancelled' : 'failed';
      const message = failure?.kind === 'cancelled' ? 'Scoring cancelled.'
        : `“${settings.model}” at ${url.host} could not score the text. Score Selection needs legacy Completions with echo, which vLLM and OpenAI's completion models (gpt-3.5-turbo-instruct, davinci-002) offer. ${failure?.message ?? 'No token of the answer matched the selected text.'}`;
      if (failure?.kind !== 'cancelled') void vscode.window.showErrorMessage(`Logprob Lens: ${message}`);
      this.deps.log.warn(`score: ${message}`);
      return { outcome: tracked.state, message, tokens: answer.store.tokenCount, placements: placed };
    }
    tracked.state = 'done';
    void vscode.commands.executeCommand('setContext', ContextKeys.hasColours, true);
    this.deps.tracker.notify(document);
    this.deps.decorations.renderDocument(document);
    const message = 'The first token has no logprob (nothing comes before it), so it stays uncoloured.';
    this.deps.log.info(`score: ${answer.store.tokenCount} tokens, ${placed} placed`);
    return { outcome: 'done', message, documentUri: key, answerStart: answer.start, answerEnd: answer.end, tokens: answer.store.tokenCount, placements: placed };
  }

  /** Open Logprobs Response: a saved response's text, coloured, in a new editor. No network. */
  async openLogged(logged: LoggedResponse, name: string): Promise<RunResult> {
    const settings = this.deps.settings();
    const deltas = logged.deltas;
    const source: AnswerSource = {
      model: name, host: 'a saved response', title: `Logprob Lens: ${name}`,
      logLine: `open ${name} (${logged.format}, ${deltas.length} events)`,
      expectsFinish: false,
      // eslint-disable-next-line @typescript-eslint/require-await -- the same interface as the network source
      open: async function* () { yield* deltas; },
      describe: (error) => ({ kind: 'other', message: error instanceof Error ? error.message : String(error) }),
    };
    const created = await vscode.workspace.openTextDocument({ content: '', language: 'plaintext' });
    await vscode.window.showTextDocument(created, { preview: false });
    return this.run(source, { document: created, offset: 0, separator: '' }, settings, name);
  }

  /** Checks the endpoint settings and finds the key; a refusal result (already shown) when they do not work. */
  async resolveEndpoint(allowFirstRun = true): Promise<ResolvedEndpoint | RunResult> {
    let settings = this.deps.settings();
    if (settings.profileProblem) return this.refuse(settings.profileProblem, true);
    let checked = checkBaseUrl(settings.baseUrl);
    if ('problem' in checked) return this.refuse(checked.problem, true);
    if (!settings.model) return this.refuse('Set logprobLens.model to the model to ask.', true);
    let apiKey = await this.deps.keys.get(keyScope(settings, checked.url.origin));
    if (!apiKey && !isLoopback(checked.url.hostname) && allowFirstRun && settings.profileName === undefined && await this.deps.firstRun()) {
      settings = this.deps.settings();
      checked = checkBaseUrl(settings.baseUrl);
      if ('problem' in checked) return this.refuse(checked.problem, true);
      apiKey = await this.deps.keys.get(keyScope(settings, checked.url.origin));
    }
    const { url } = checked;
    if (!apiKey && !isLoopback(url.hostname)) {
      const message = `No API key for ${url.host}${settings.profileName ? ` (endpoint “${settings.profileName}”)` : ''}. Run “Logprob Lens: Set API Key”.`;
      void vscode.window.showErrorMessage(`Logprob Lens: ${message}`, 'Set API Key').then((choice) => {
        if (choice) void vscode.commands.executeCommand(Commands.setApiKey);
      });
      return { outcome: 'refused', message, tokens: 0, placements: 0 };
    }
    return { url, apiKey, settings };
  }

  endpointOptions({ url, apiKey, settings }: ResolvedEndpoint) {
    return { baseUrl: url.href.replace(/\/+$/, ''), apiKey, headers: settings.headers, timeoutMs: settings.timeoutMs, azure: settings.azure };
  }

  private async start(prompt: string, document: vscode.TextDocument, after: TrackedAnswer | undefined, editor: vscode.TextEditor | undefined): Promise<RunResult> {
    const endpoint = await this.resolveEndpoint();
    if ('outcome' in endpoint) return endpoint;
    const { url, apiKey, settings } = endpoint;
    const source: AnswerSource = {
      model: settings.model,
      host: url.host,
      title: `Logprob Lens: ${settings.model} at ${url.host}`,
      logLine: `POST ${url.origin}${url.pathname}/${settings.apiStyle === 'chat' ? 'chat/completions' : settings.apiStyle} model=${settings.model} top_logprobs=${settings.topLogprobs} prompt=${prompt.length} chars${apiKey ? ' (with key)' : ''}`,
      expectsFinish: true,
      open: (signal, onRetry) => {
        const client = loadClient();
        return client.streamChat(client.createClient(this.endpointOptions(endpoint)), {
          apiStyle: settings.apiStyle, model: settings.model, messages: promptMessages(prompt, settings.systemPrompt || undefined),
          topLogprobs: settings.topLogprobs, sampling: settings.sampling,
        }, signal, {
          idleTimeoutMs: settings.idleTimeoutMs,
          onRetry: (waitMs, failure) => onRetry(waitMs, failure.status ? `${failure.status}` : 'connection dropped'),
        });
      },
      describe: (error) => describeFailure(error, { host: url.host, model: settings.model, hasKey: apiKey !== undefined, secrets: apiKey ? [apiKey] : [] }),
    };
    const target = await this.chooseTarget(settings, document, after, editor);
    return this.run(source, target, settings, prompt);
  }

  private async run(source: AnswerSource, target: Target, settings: LensSettings, prompt: string): Promise<RunResult> {
    const key = target.document.uri.toString();
    if (this.running.has(key)) {
      return this.refuse('Logprob Lens is already answering in this document. Cancel it (Escape) before starting another.');
    }
    const eol = target.document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const answer = new Answer(target.offset + target.separator.length, eol, settings.thresholds, settings.colourBy);
    const tracked = new TrackedAnswer(answer, source.model, source.host, prompt);
    tracked.separatorLength = target.separator.length;
    this.deps.tracker.add(target.document, tracked);
    this.running.set(key, tracked);
    if (vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === key))) {
      this.seenInTab.add(key);
    }
    if (source.expectsFinish) this.last = { prompt, document: target.document, after: tracked };
    void vscode.commands.executeCommand('setContext', ContextKeys.running, true);
    try {
      return await this.stream(tracked, target, settings, source);
    } finally {
      this.running.delete(key);
      this.seenInTab.delete(key);
      tracked.stop = undefined;
      void vscode.commands.executeCommand('setContext', ContextKeys.running, this.running.size > 0);
      void vscode.commands.executeCommand('setContext', ContextKeys.hasColours, true);
      this.deps.tracker.notify(target.document);
      this.deps.decorations.renderDocument(target.document);
    }
  }

  private async chooseTarget(settings: LensSettings, document: vscode.TextDocument, after: TrackedAnswer | undefined, editor: vscode.TextEditor | undefined): Promise<Target> {
    const documentOpen = vscode.workspace.textDocuments.includes(document) && !document.isClosed;
    if (settings.output === 'newEditor' || !documentOpen) {
      const created = await vscode.workspace.openTextDocument({ content: '', language: 'markdown' });
      await vscode.window.showTextDocument(created, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
      return { document: created, offset: 0, separator: '' };
    }
    // Below the selection (or the previous answer, for a re-run): at the end of its last line, after a blank line.
    let end: vscode.Position;
    if (after && this.deps.tracker.answers(document).includes(after)) end = document.positionAt(after.answer.end);
    else if (editor) {
      const { selection } = editor;
      end = selection.isEmpty ? selection.active : selection.end;
      if (!selection.isEmpty && end.character === 0 && end.line > selection.start.line) end = document.lineAt(end.line - 1).range.end;
    } else end = document.positionAt(document.getText().length);
    const lineEnd = document.lineAt(end.line).range.end;
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    return { document, offset: document.offsetAt(lineEnd), separator: eol + eol };
  }

  private async stream(tracked: TrackedAnswer, target: Target, settings: LensSettings, source: AnswerSource): Promise<RunResult> {
    const { log } = this.deps;
    const id = ++this.requestCount;
    const { answer } = tracked;
    const controller = new AbortController();
    tracked.stop = () => controller.abort();
    const inserter = new Inserter(tracked, target);
    const began = performance.now();
    let firstTokenMs: number | undefined;
    let finishReason: string | undefined;
    let failure: Failure | undefined;
    let sawLogprobs = false;
    log.info(`#${id} ${source.logLine}`);

    await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification,
      title: source.title,
      cancellable: true,
    }, async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      progress.report({ message: 'waiting for the first token…' });
      let lastProgress = 0;
      try {
        const onRetry = (waitMs: number, why: string): void => {
          const message = `${source.host} answered ${why}; retrying in ${Math.max(1, Math.round(waitMs / 1000))} s (Cancel stops now)…`;
          progress.report({ message });
          log.warn(`#${id} ${message}`);
        };
        for await (const delta of source.open(controller.signal, onRetry)) {
          if (delta.finishReason) finishReason = delta.finishReason;
          sawLogprobs ||= delta.hasLogprobs;
          if (delta.text.length === 0 && delta.tokens.length === 0) continue;
          firstTokenMs ??= performance.now() - began;
          inserter.push(answer.append(delta.text, delta.tokens));
          this.deps.decorations.schedule(target.document);
          const now = performance.now();
          if (now - lastProgress > PROGRESS_INTERVAL_MS) {
            lastProgress = now;
            progress.report({ message: `${answer.store.tokenCount} tokens` });
          }
        }
      } catch (error) {
        failure = source.describe(error);
      }
      inserter.push(answer.finish());
      try {
        await inserter.flushed();
      } catch (error) {
        failure ??= { kind: 'other', message: `Could not insert the answer: ${error instanceof Error ? error.message : String(error)}` };
      }
    });

    const elapsed = ((performance.now() - began) / 1000).toFixed(2);
    const hasText = answer.length > 0;
    tracked.state = outcomeOf(failure, source.expectsFinish ? finishReason : finishReason ?? 'stop', hasText);
    const result = (message?: string): RunResult => ({
      outcome: tracked.state, ...(message ? { message } : {}), documentUri: target.document.uri.toString(),
      answerStart: answer.start, answerEnd: answer.end, tokens: answer.store.tokenCount, placements: answer.store.placementCount,
    });
    log.info(`#${id} ${tracked.state} after ${elapsed} s: ${answer.store.tokenCount} tokens, ${answer.length} chars`
      + `${firstTokenMs !== undefined ? `, first token after ${(firstTokenMs / 1000).toFixed(2)} s` : ''}${finishReason ? `, finish_reason=${finishReason}` : ''}`);
    if (failure) log.warn(`#${id} ${failure.kind}: ${failure.message}`);

    const tokens = answer.store.tokenCount;
    switch (tracked.state) {
      case 'cancelled': {
        const message = hasText ? `Logprob Lens: cancelled; kept the ${tokens} tokens that arrived.` : 'Logprob Lens: cancelled.';
        vscode.window.setStatusBarMessage(message, 5000);
        return result(message);
      }
      case 'failed': {
        const message = failure?.message ?? `${source.host} sent no answer.`;
        void vscode.window.showErrorMessage(`Logprob Lens: ${message}`, 'Show Log').then((choice) => {
          if (choice) log.show();
        });
        return result(message);
      }
      case 'incomplete': {
        const why = (failure?.message ?? 'the stream ended without a finish reason').replace(/[.\s]*$/, '.');
        const message = `The answer is incomplete: ${why} What arrived (${tokens} tokens) is kept.`;
        void vscode.window.showWarningMessage(`Logprob Lens: ${message}`, 'Retry', 'Remove').then((choice) => {
          if (choice === 'Retry') void vscode.commands.executeCommand(Commands.rerunLast);
          if (choice === 'Remove') void this.removeAnswer(target.document, tracked);
        });
        return result(message);
      }
      default: {
        const notes: string[] = [];
        if (tracked.state === 'truncated') notes.push(`The answer stopped at the token limit (logprobLens.maxTokens = ${settings.sampling.maxTokens ?? 'server default'}).`);
        if (tracked.state === 'filtered') notes.push(`${source.host}'s content filter stopped the answer.`);
        if (hasText && !sawLogprobs) {
          notes.push(`${source.model} at ${source.host} returned no logprobs, so the answer is not coloured. Some servers ignore the logprobs parameter (watsonx, LM Studio's chat endpoint, some OpenRouter providers): “Logprob Lens: Check Endpoint” tells.`);
        }
        if (settings.thresholdsProblem) notes.push(settings.thresholdsProblem);
        const message = notes.join(' ');
        if (message) void vscode.window.showWarningMessage(`Logprob Lens: ${message}`);
        return result(message || undefined);
      }
    }
  }

  /** Removes an answer's text (and the blank line before it) from the document, and its colours. */
  async removeAnswer(document: vscode.TextDocument, tracked: TrackedAnswer): Promise<boolean> {
    const { answer } = tracked;
    const start = Math.max(0, answer.start - tracked.separatorLength);
    const edit = new vscode.WorkspaceEdit();
    edit.delete(document.uri, new vscode.Range(document.positionAt(start), document.positionAt(answer.end)));
    const removed = await vscode.workspace.applyEdit(edit);
    if (removed) this.deps.tracker.remove(document, tracked);
    return removed;
  }

  private refuse(message: string, openSettings = false): RunResult {
    if (openSettings) {
      void vscode.window.showErrorMessage(`Logprob Lens: ${message}`, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'logprobLens');
      });
    } else void vscode.window.showInformationMessage(`Logprob Lens: ${message}`);
    return { outcome: 'refused', message, tokens: 0, placements: 0 };
  }
}

/** Untitled documents, notebook cells and documents of a writable file system take an answer; others do not. */
function isWritable(document: vscode.TextDocument): boolean {
  const { scheme } = document.uri;
  return scheme === 'untitled' || scheme === 'vscode-notebook-cell' || vscode.workspace.fs.isWritableFileSystem(scheme) === true;
}

function outcomeOf(failure: Failure | undefined, finishReason: string | undefined, hasText: boolean): RunState {
  if (failure?.kind === 'cancelled') return 'cancelled';
  if (failure) return hasText ? 'incomplete' : 'failed';
  if (finishReason === 'length') return 'truncated';
  if (finishReason === 'content_filter') return 'filtered';
  if (!hasText) return 'failed';
  return finishReason ? 'done' : 'incomplete';
}

/**
 * Inserts streamed text at the answer's end, one edit in flight at a time (text that arrives meanwhile is
 * coalesced). The first edit opens an undo stop and later ones join it, so one Undo removes the whole answer.
 * Uses the visible editor when there is one, a workspace edit otherwise (the user switched tabs).
 */
class Inserter {
  private pending = '';
  private inFlight: Promise<void> | undefined;
  private first = true;
  private error: Error | undefined;

  constructor(private readonly tracked: TrackedAnswer, private readonly target: Target) {}

  push(text: string): void {
    if (text.length === 0 || this.error !== undefined) return;
    this.pending += text;
    this.inFlight ??= this.drain();
  }

  async flushed(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.error !== undefined) throw this.error;
    await this.closeUndoGroup();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const text = this.pending;
        this.pending = '';
        await this.insert(text);
      }
    } catch (error) {
      this.error = error instanceof Error ? error : new Error(String(error));
      this.tracked.stop?.();
    } finally {
      this.inFlight = undefined;
    }
  }

  private async insert(text: string): Promise<void> {
    const { document } = this.target;
    const { answer } = this.tracked;
    // A user's edit can land between our read of the offset and the edit; VS Code then refuses ours: retry.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (document.isClosed) throw new Error('the document was closed');
      const separator = this.first ? this.target.separator : '';
      const offset = this.first ? answer.start - separator.length : answer.end;
      this.tracked.expectOwnInsert({ offset, text: separator + text, answerLength: text.length });
      const position = document.positionAt(offset);
      const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document === document);
      let applied: boolean;
      if (editor) {
        const selections = this.first ? editor.selections : undefined;
        // An editor being hidden (tab switch) rejects edits: then the next attempt goes through a workspace edit.
        applied = await editor.edit((builder) => builder.insert(position, separator + text), { undoStopBefore: this.first, undoStopAfter: false })
          .then((done) => done, () => false);
        if (applied && selections) editor.selections = selections;
      } else {
        const edit = new vscode.WorkspaceEdit();
        edit.insert(document.uri, position, separator + text);
        applied = await vscode.workspace.applyEdit(edit);
      }
      const followed = !this.tracked.ownInsertPending;
      this.tracked.clearOwnInsert();
      if (applied && followed) {
        this.first = false;
        return;
      }
      // Inserted but not recognised: retrying would duplicate text, so stop here with what is there.
      if (applied) throw new Error('the document changed in a way Logprob Lens could not follow');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the document kept changing under the insertion');
  }

  /** Ends the undo group so the user's next typing is not undone together with the answer. */
  private async closeUndoGroup(): Promise<void> {
    if (this.first) return;
    const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document === this.target.document);
    if (editor) await editor.edit(() => undefined, { undoStopBefore: false, undoStopAfter: true });
  }
}
