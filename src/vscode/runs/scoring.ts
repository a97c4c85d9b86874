import * as vscode from 'vscode';
import { Answer } from '../../core/answer';
import { describeFailure } from '../../core/failure';
import { loadClient } from '../clientLoader';
import { TrackedAnswer } from '../editor/trackedAnswer';
import type { EndpointResolver } from '../endpoints/resolver';
import type { RunSteering } from '../steering/steering';
import type { AnswerRunDeps, AnswerSource } from './answerRun';
import { announce, fillAnswer, TEXT_IN_PLACE } from './answerRun';
import type { RunLifecycle } from './lifecycle';
import type { RunResult } from './result';
import { refuse, refused } from './result';

export interface ScoringDeps extends AnswerRunDeps {
  readonly resolver: EndpointResolver;
  readonly lifecycle: RunLifecycle;
  readonly steering: RunSteering;
}

/**
 * Score Selection: colours the selected text itself with the model's logprobs for it (legacy Completions with
 * `echo`). Nothing is inserted; the text's tokens are placed on it like an answer's.
 */
export async function scoreSelection(deps: ScoringDeps, editor = vscode.window.activeTextEditor): Promise<RunResult> {
  if (!editor) return refuse('Open a document and select the text to score first.');
  const { document, selection } = editor;
  const text = document.getText(selection);
  if (text.trim().length === 0) return refuse('Select the text to score first.');
  const endpoint = await deps.resolver.resolve();
  if ('refused' in endpoint) return refused(endpoint.refused);
  const missing = deps.steering.missing('prompt-scoring', endpoint);
  if (missing) return refuse(missing);
  const { url, settings } = endpoint;
  const source: AnswerSource = {
    kind: 'score',
    model: settings.model,
    host: url.host,
    profile: settings.profileName,
    request: { apiStyle: 'completions', model: settings.model, messages: [{ role: 'user', content: text }], topLogprobs: settings.topLogprobs, sampling: {}, extraBody: { echo: true } },
    expectsFinish: false,
    logLine: `score POST ${url.origin}${url.pathname}/completions model=${settings.model} echo=true text=${text.length} chars`,
    open: async function* (signal) {
      const client = loadClient();
      const scored = await client.scoreText(client.createClient(endpoint.options), { model: settings.model, prompt: text, topLogprobs: settings.topLogprobs }, signal);
      // The one token generated past the text (some servers refuse max_tokens 0) is ignored, and so is its `length`.
      yield { ...scored, finishReason: 'stop' };
    },
    describe: (error) => describeFailure(error, endpoint.failureContext),
  };
  return deps.lifecycle.run(document, `Logprob Lens: scoring with ${settings.model} at ${url.host}`, async (run) => {
    // The text is the document's already: it is registered as inserted, and the scored tokens are placed on it.
    const answer = new Answer(document.offsetAt(selection.start), 'asIs', settings.thresholds, settings.colourBy);
    answer.inserted(answer.append(text, []).length);
    const tracked = new TrackedAnswer(answer, settings.model, url.host, text);
    const filled = await fillAnswer(run, deps, document, tracked, source, TEXT_IN_PLACE);
    return announce(filled, source, document, tracked, undefined, { 'Show Log': () => deps.log.show() });
  });
}
