import type OpenAI from 'openai';
import type { ApiStyle, EndpointOptions } from '../core/request';
import { createClient, scoreText, streamChat } from './requests';

/** One line of an endpoint check: what was tried, whether it worked, and the detail or the error. */
export interface CheckStep {
  readonly step: 'models' | 'logprobs' | 'scoring';
  readonly ok: boolean;
  readonly detail: string;
  readonly error?: unknown;
}

/**
 * Check Endpoint: lists the models, sends a one-token request with logprobs in the configured API style, then
 * tries to score a prompt. Each step is independent: a server without `/models` can still return logprobs.
 */
export async function checkEndpoint(client: OpenAI, options: { model: string; apiStyle: ApiStyle; topLogprobs: number }, signal: AbortSignal): Promise<CheckStep[]> {
  const steps: CheckStep[] = [];
  try {
    const ids: string[] = [];
    for await (const model of client.models.list({ signal })) {
      ids.push(model.id);
      if (ids.length >= 500) break;
    }
    const listed = ids.includes(options.model);
    steps.push({ step: 'models', ok: true, detail: `${ids.length} model${ids.length === 1 ? '' : 's'} listed${ids.length > 0 ? `; “${options.model}” is ${listed ? '' : 'not '}among them` : ''}${!listed && ids.length > 0 ? ` (some: ${ids.slice(0, 5).join(', ')})` : ''}` });
  } catch (error) {
    steps.push({ step: 'models', ok: false, detail: 'listing models failed', error });
  }
  try {
    let text = '';
    let tokens = 0;
    let alternatives = 0;
    let chunks = 0;
    for await (const delta of streamChat(client, { apiStyle: options.apiStyle, model: options.model, messages: [{ role: 'user', content: 'Say OK.' }], topLogprobs: options.topLogprobs, sampling: { maxTokens: 1 } }, signal)) {
      chunks++;
      text += delta.text;
      tokens += delta.tokens.length;
      for (const token of delta.tokens) alternatives = Math.max(alternatives, token.top_logprobs?.length ?? 0);
    }
    steps.push(tokens > 0
      ? { step: 'logprobs', ok: true, detail: `streaming works (${chunks} events); logprobs come back with ${alternatives} alternative${alternatives === 1 ? '' : 's'} per token (asked for ${options.topLogprobs})` }
      : { step: 'logprobs', ok: false, detail: `streaming works and text came back (“${text.slice(0, 40)}”), but no logprobs: this server or model ignores the logprobs parameter` });
  } catch (error) {
    steps.push({ step: 'logprobs', ok: false, detail: 'a one-token request with logprobs failed', error });
  }
  try {
    const scored = await scoreText(client, { model: options.model, prompt: 'The quick brown fox', topLogprobs: 1 }, signal);
    steps.push(scored.tokens.length > 0
      ? { step: 'scoring', ok: true, detail: 'Score Selection works (legacy Completions with echo)' }
      : { step: 'scoring', ok: false, detail: 'legacy Completions answered without prompt logprobs: Score Selection will not work here' });
  } catch (error) {
    steps.push({ step: 'scoring', ok: false, detail: 'Score Selection will not work here (legacy Completions with echo failed)', error });
  }
  return steps;
}

/** A local OpenAI-compatible server answering on a loopback base URL, with its models; undefined if none. */
export async function probeServer(baseUrl: string, timeoutMs: number): Promise<string[] | undefined> {
  const endpoint: EndpointOptions = { baseUrl, apiKey: undefined, headers: {}, timeoutMs };
  const client = createClient(endpoint).withOptions({ maxRetries: 0 });
  try {
    const ids: string[] = [];
    for await (const model of client.models.list({ signal: AbortSignal.timeout(timeoutMs) })) ids.push(model.id);
    return ids;
  } catch (error) {
    // Any HTTP answer (a 404 on /models, a 401) means a server is there; no answer means nobody is.
    return typeof (error as { status?: unknown }).status === 'number' ? [] : undefined;
  }
}
