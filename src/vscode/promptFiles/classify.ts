import * as vscode from 'vscode';
import { describeFailure } from '../../core/failure';
import type { TokenEntry } from '../../core/logprob';
import type { ClassificationList } from '../../core/promptFiles/classify';
import type { LabelDistribution } from '../../core/promptFiles/labels';
import type { CompletionRequest } from '../../core/request';
import { literalLabel } from '../../core/untrusted';
import { loadClient } from '../clientLoader';
import type { EndpointResolver, ResolvedEndpoint } from '../endpoints/resolver';
import { showError } from '../notify';
import type { RunLifecycle } from '../runs/lifecycle';
import type { RunResult } from '../runs/result';
import { refuse, refused } from '../runs/result';
import type { SettingsService } from '../settings';
import type { RunSteering } from '../steering/steering';
import { loadPromptFileEngine } from './engine';

export interface ClassifyDeps {
  readonly settings: SettingsService;
  readonly resolver: EndpointResolver;
  readonly lifecycle: RunLifecycle;
  readonly log: vscode.LogOutputChannel;
  readonly steering: RunSteering;
}

/** What Classify Selection found: the labels asked for and their probabilities (for tests and scripts). */
export interface ClassifyResult extends RunResult {
  readonly labels?: readonly string[];
  readonly distribution?: LabelDistribution;
}

/**
 * Classify Selection: the selected text classified into labels the user types (prefilled from
 * `classify.labels`), in one request; the labels' probabilities are read from the alternatives at the answer's
 * first token, renormalised over the labels, and shown as a ranked quick pick (keyboard-first, native, and it
 * closes with Escape), the mass no label took on its last row. Nothing is inserted.
 */
export async function classifySelection(deps: ClassifyDeps, editor = vscode.window.activeTextEditor): Promise<ClassifyResult> {
  if (!editor) return refuse('Select the text to classify first.');
  const text = editor.document.getText(editor.selection);
  if (text.trim().length === 0) return refuse('Select the text to classify first.');
  const engine = loadPromptFileEngine();
  const { MAX_LABELS } = engine;
  const settings = deps.settings.current;
  const typed = await vscode.window.showInputBox({
    title: 'Classify Selection: labels',
    prompt: `Two to ${MAX_LABELS} labels, separated by commas (the default comes from logprobLens.classify.labels)`,
    placeHolder: 'positive, negative, neutral',
    value: settings.classifyLabels.join(', '),
    ignoreFocusOut: true,
    validateInput: (value) => {
      const count = engine.parseLabelList(value).length;
      return count < 2 ? 'Give at least two labels, separated by commas.' : count > MAX_LABELS ? `At most ${MAX_LABELS} labels.` : undefined;
    },
  });
  if (typed === undefined) return refused('No labels were given.');
  const labelSet = engine.userLabels(engine.parseLabelList(typed));
  const endpoint = await deps.resolver.resolve();
  if ('refused' in endpoint) return refused(endpoint.refused);
  const missing = deps.steering.missing('logprobs', endpoint);
  if (missing) return refuse(missing);
  const { url } = endpoint;
  const { labels } = labelSet;
  // The endpoint's logit-bias list goes with it, as with every run (nothing is inserted, so nothing to attach it to).
  const { request } = deps.steering.steer({
    apiStyle: endpoint.settings.apiStyle, model: endpoint.settings.model, messages: engine.classifyMessages(text, labels),
    topLogprobs: endpoint.settings.topLogprobs, sampling: { ...endpoint.settings.sampling, maxTokens: engine.CLASSIFY_MAX_TOKENS, stop: undefined },
  }, endpoint);
  return deps.lifecycle.run(editor.document, `Logprob Lens: classifying with ${request.model} at ${url.host}`, async (run) => {
    deps.log.info(`#${run.id} classify: POST ${url.origin}${url.pathname} model=${request.model} labels=${labels.length} text=${text.length} chars`);
    let tokens: TokenEntry[];
    try {
      tokens = await answerStart(request, endpoint, run.signal);
    } catch (error) {
      const failure = describeFailure(error, endpoint.failureContext);
      if (failure.kind === 'cancelled') return { outcome: 'cancelled', tokens: 0, placements: 0 };
      void showError(failure.message, 'Show Log').then((choice) => {
        if (choice) deps.log.show();
      });
      return { outcome: 'failed', message: failure.message, tokens: 0, placements: 0 };
    }
    if (tokens.length === 0) {
      const message = `${request.model} at ${url.host} returned no logprobs, so the labels' probabilities cannot be read. “Logprob Lens: Check Endpoint” tells what this endpoint returns.`;
      void showError(message);
      return { outcome: 'failed', message, tokens: 0, placements: 0, labels };
    }
    const distribution = engine.answerLabelDistribution(tokens, labels);
    void showRanked(engine.classificationList(distribution, labelSet.notes));
    return { outcome: 'done', tokens: tokens.length, placements: 0, labels, ...(distribution ? { distribution } : {}) };
  });
}

/**
 * Streams the answer only as far as its first token that is not whitespace (where labels are read), then stops
 * reading, which closes the request: a chatty model costs no more than that.
 */
async function answerStart(request: CompletionRequest, endpoint: ResolvedEndpoint, signal: AbortSignal): Promise<TokenEntry[]> {
  const client = loadClient();
  const tokens: TokenEntry[] = [];
  const { idleTimeoutMs, limits } = endpoint.settings;
  for await (const delta of client.streamChat(client.createClient(endpoint.options), request, signal, { idleTimeoutMs, limits })) {
    for (const token of delta.tokens) {
      tokens.push(token);
      if (token.token.trim() !== '') return tokens;
    }
  }
  return tokens;
}

/** The ranked labels in a quick pick: label, probability, and the raw mass; the unlabelled mass last. */
async function showRanked(list: ClassificationList): Promise<void> {
  const row = (entry: ClassificationList['rows'][number]): vscode.QuickPickItem => ({ label: literalLabel(entry.label), description: entry.probability, detail: literalLabel(entry.detail) });
  const items: vscode.QuickPickItem[] = [
    ...list.rows.map(row),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    row(list.uncovered),
    ...list.notes.map((note) => ({ label: '$(info)', description: literalLabel(note) })),
  ];
  await vscode.window.showQuickPick(items, { title: `Classify Selection: ${literalLabel(list.title)}`, placeHolder: 'Label probabilities, most likely first (renormalised over the labels)', matchOnDetail: true });
}
