import * as vscode from 'vscode';
import { Answer } from '../../core/answer';
import type { SampleSummary } from '../../core/runs/samples';
import { sampleSummaryText, summarizeSamples } from '../../core/runs/samples';
import { newRunId } from '../../core/runs/runRecord';
import { appendText, documentEol, openUntitled } from '../editor/documents';
import { TrackedAnswer } from '../editor/trackedAnswer';
import type { EndpointResolver } from '../endpoints/resolver';
import type { SettingsService } from '../settings';
import type { RunSteering } from '../steering/steering';
import type { AnswerRunDeps } from './answerRun';
import { fillAnswer } from './answerRun';
import { NO_PROMPT, promptRequest, requestSource, selectedPrompt } from './completion';
import { Inserter } from './inserter';
import type { RunLifecycle } from './lifecycle';
import type { RunResult } from './result';
import { refuse, refused } from './result';

export interface SampleDeps extends AnswerRunDeps {
  readonly resolver: EndpointResolver;
  readonly lifecycle: RunLifecycle;
  readonly settings: SettingsService;
  readonly steering: RunSteering;
}

export interface SampleResult extends RunResult {
  readonly summary?: SampleSummary;
  readonly runIds?: readonly string[];
}

/**
 * Sample Answers: the same prompt answered N times, one request after another (cancellable as one), into one
 * document: each answer coloured under its own heading, and a summary on top (how many distinct answers, how
 * often the most frequent came, each perplexity). Recorded as one sample set; any two samples compare.
 *
 * N requests rather than `n` in one: each sample gets its own outcome, timings and record, a failure or a cancel
 * costs only the samples it touched, and every backend works alike (Ollama and most local servers ignore `n`).
 */
export async function sampleAnswers(deps: SampleDeps, editor = vscode.window.activeTextEditor, count?: number): Promise<SampleResult> {
  if (!editor) return refuse('Open a document and select a prompt first.');
  const prompt = selectedPrompt(editor);
  if (prompt === undefined) return refuse(NO_PROMPT);
  const samples = count ?? await askCount(deps.settings.current.sampleCount);
  if (samples === undefined) return refused('Sampling was not started.');
  const endpoint = await deps.resolver.resolve();
  if ('refused' in endpoint) return refused(endpoint.refused);
  const { settings, url } = endpoint;
  const missing = deps.steering.missing('logprobs', endpoint);
  if (missing) return refuse(missing);
  // The same request for every sample, with the logit bias in force.
  const steered = deps.steering.steer(promptRequest(endpoint, prompt, deps.steering), endpoint);
  const firstLine = prompt.trim().split(/\r?\n/)[0]!.slice(0, 120);
  const document = await openUntitled('markdown', 'beside', `# ${samples} samples of one prompt\n\n${settings.model} at ${url.host} · prompt: ${firstLine}${prompt.trim().length > firstLine.length ? '…' : ''}`);
  return deps.lifecycle.run(document, `Logprob Lens: ${samples} samples from ${settings.model}`, async (run) => {
    const group = { id: newRunId(), kind: 'samples' as const, size: samples };
    const answers: { text: string; perplexity: number | undefined; id: string }[] = [];
    for (let index = 0; index < samples && !run.signal.aborted; index++) {
      run.report(`sample ${index + 1} of ${samples}`);
      await appendText(document, `${documentEol(document).repeat(2)}## Sample ${index + 1}${documentEol(document).repeat(2)}`);
      const start = document.getText().length;
      const answer = new Answer(start, documentEol(document), settings.thresholds, settings.colourBy);
      const tracked = new TrackedAnswer(answer, settings.model, url.host, prompt);
      steered.attach(tracked);
      const source = requestSource('samples', endpoint, steered.request, endpoint.options, { group: { ...group, index, label: `sample ${index + 1}` } });
      const filled = await fillAnswer(run, deps, document, tracked, source, new Inserter(tracked, { document, offset: start, separator: '' }));
      if (filled.outcome === 'failed' || filled.outcome === 'cancelled') break;
      answers.push({ text: document.getText().slice(answer.start, answer.end), perplexity: answer.stats(settings.uncertainThreshold).perplexity, id: tracked.id });
    }
    const summary = summarizeSamples(answers);
    if (answers.length > 0) await insertSummary(document, sampleSummaryText(summary));
    return {
      outcome: answers.length === samples ? 'done' : run.signal.aborted ? 'cancelled' : 'incomplete',
      message: sampleSummaryText(summary), documentUri: document.uri.toString(), tokens: 0, placements: 0,
      summary, runIds: answers.map((answer) => answer.id),
    };
  });
}

async function askCount(suggested: number): Promise<number | undefined> {
  const typed = await vscode.window.showInputBox({
    title: 'Sample Answers: how many?', value: String(suggested), prompt: 'The prompt is sent this many times, one request after another.',
    validateInput: (value) => (/^\d+$/.test(value.trim()) && Number(value) >= 2 && Number(value) <= 50 ? undefined : 'A whole number from 2 to 50'),
  });
  return typed === undefined ? undefined : Number(typed);
}

/** The summary goes under the title line, above the samples (which move down with it: they are tracked). */
async function insertSummary(document: vscode.TextDocument, summary: string): Promise<void> {
  const eol = documentEol(document);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, document.lineAt(Math.min(2, document.lineCount - 1)).range.end, `${eol}${eol}${summary.replace(/\n/g, eol)}`);
  await vscode.workspace.applyEdit(edit);
}
