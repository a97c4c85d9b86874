import type { Failure } from './failure';

/** What a run does. Every kind goes through the same lifecycle and failure policy. */
export type RunKind = 'completion' | 'rerun' | 'score' | 'logged' | 'promptFile';

/** How a run ended. */
export type RunOutcome = 'done' | 'truncated' | 'filtered' | 'cancelled' | 'incomplete' | 'failed';

/** A run's answer: still streaming, or how it ended. */
export type RunState = 'streaming' | RunOutcome;

export interface OutcomeFacts {
  readonly failure: Failure | undefined;
  /** The last finish reason the stream sent (`stop`, `length`, `content_filter`, ...). */
  readonly finishReason: string | undefined;
  readonly hasText: boolean;
  /** Whether a missing finish reason means the stream broke (a network stream) or not (a logged response). */
  readonly expectsFinish: boolean;
}

/** Classifies how a run ended. A failure with text kept is `incomplete`; without text, `failed`. */
export function classifyOutcome({ failure, finishReason, hasText, expectsFinish }: OutcomeFacts): RunOutcome {
  if (failure?.kind === 'cancelled') return 'cancelled';
  if (failure) return hasText ? 'incomplete' : 'failed';
  if (finishReason === 'length') return 'truncated';
  if (finishReason === 'content_filter') return 'filtered';
  if (!hasText) return 'failed';
  return finishReason || !expectsFinish ? 'done' : 'incomplete';
}

/** What a run tells the user when it ends, and where. `status`: a passing status bar message. */
export interface EndOfRunMessage {
  readonly severity: 'none' | 'status' | 'warning' | 'error';
  readonly text: string;
  readonly actions: readonly EndOfRunAction[];
}

export type EndOfRunAction = 'Retry' | 'Remove' | 'Show Log';

export interface EndOfRunFacts {
  readonly kind: RunKind;
  readonly outcome: RunOutcome;
  readonly failure: Failure | undefined;
  readonly tokens: number;
  readonly sawLogprobs: boolean;
  readonly host: string;
  readonly model: string;
  readonly maxTokens: number | undefined;
}

const NONE: EndOfRunMessage = { severity: 'none', text: '', actions: [] };

/** The message at the end of a run, in full sentences, with the actions that fit. */
export function endOfRunMessage(facts: EndOfRunFacts): EndOfRunMessage {
  if (facts.kind === 'score') return endOfScoring(facts);
  const { outcome, failure, tokens } = facts;
  switch (outcome) {
    case 'cancelled':
      return { severity: 'status', text: tokens > 0 ? `Cancelled; kept the ${tokens} tokens that arrived.` : 'Cancelled.', actions: [] };
    case 'failed':
      return { severity: 'error', text: failure?.message ?? `${facts.host} sent no answer.`, actions: ['Show Log'] };
    case 'incomplete': {
      const why = sentence(failure?.message ?? 'the stream ended without a finish reason');
      const actions: EndOfRunAction[] = facts.kind === 'logged' ? [] : ['Retry', 'Remove'];
      return { severity: 'warning', text: `The answer is incomplete: ${why} What arrived (${tokens} tokens) is kept.`, actions };
    }
    default: {
      const notes: string[] = [];
      if (outcome === 'truncated') notes.push(`The answer stopped at the token limit (logprobLens.maxTokens = ${facts.maxTokens ?? 'server default'}).`);
      if (outcome === 'filtered') notes.push(`${facts.host}'s content filter stopped the answer.`);
      if (!facts.sawLogprobs) {
        notes.push(facts.kind === 'logged'
          ? 'This response holds no logprobs, so the text is not coloured.'
          : `${facts.model} at ${facts.host} returned no logprobs, so the answer is not coloured. Some servers ignore the logprobs parameter (watsonx, LM Studio's chat endpoint, some OpenRouter providers): “Logprob Lens: Check Endpoint” tells.`);
      }
      return notes.length > 0 ? { severity: 'warning', text: notes.join(' '), actions: [] } : NONE;
    }
  }
}

function endOfScoring(facts: EndOfRunFacts): EndOfRunMessage {
  if (facts.outcome === 'cancelled') return { severity: 'status', text: 'Scoring cancelled.', actions: [] };
  if (facts.outcome === 'failed') {
    return {
      severity: 'error',
      text: `“${facts.model}” at ${facts.host} could not score the text. Score Selection needs legacy Completions with echo, which vLLM and OpenAI's completion models (gpt-3.5-turbo-instruct, davinci-002) offer. ${facts.failure?.message ?? 'No token of the answer matched the selected text.'}`,
      actions: ['Show Log'],
    };
  }
  return { severity: 'none', text: 'The first token has no logprob (nothing comes before it), so it stays uncoloured.', actions: [] };
}

/** Ends a clause as a sentence: one full stop, whatever it ended with. */
function sentence(text: string): string {
  return text.replace(/[.\s]*$/, '.');
}
