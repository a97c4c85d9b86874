/**
 * The hover's action links (Continue, Ban, Boost, Inspect) and the validation of their arguments. A link runs one
 * of our own commands only (the adapter sets `isTrusted = { enabledCommands: HOVER_ENABLED_COMMANDS }`). Its label
 * and tooltip are ours and its arguments are ids, indices and a hash: no model text ever reaches a link, so a token
 * that spells `[x](command:...)` stays text in its code span. The command re-reads the token from the tracker and
 * compares the hash, so a link to an answer that was edited, cleared or closed is refused, never acted on.
 */
import type { Capabilities } from './capabilities';
import type { BiasContext, TokenLike } from './steering';
import { planBiasKey, tokenText } from './steering';

export const HOVER_COMMANDS = {
  continueWith: 'logprobLens.continueWith',
  ban: 'logprobLens.ban',
  boost: 'logprobLens.boost',
  inspect: 'logprobLens.inspect',
} as const;

export type HoverAction = keyof typeof HOVER_COMMANDS;

/** For `MarkdownString.isTrusted = { enabledCommands: HOVER_ENABLED_COMMANDS }`. */
export const HOVER_ENABLED_COMMANDS: readonly string[] = Object.values(HOVER_COMMANDS);

const LABELS: Readonly<Record<HoverAction, { readonly label: string; readonly tooltip: string }>> = {
  continueWith: { label: 'Continue', tooltip: 'Continue the answer from this alternative' },
  ban: { label: 'Ban', tooltip: 'Ban this token in the next runs (logit bias -100)' },
  boost: { label: 'Boost', tooltip: 'Boost this token in the next runs' },
  inspect: { label: 'Inspect', tooltip: 'Open this token in the token inspector' },
};

/** What a link points at: the tracker's answer id, the token's index in that answer, the alternative's index. */
export interface ActionArgs {
  readonly answer: string;
  readonly token: number;
  /** Index into the token's stored (unranked) alternatives; absent for the token itself. */
  readonly alternative?: number;
  /** `textFingerprint` of the token's text and the alternative's, when the hover was made. */
  readonly fingerprint: string;
}

const ANSWER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FINGERPRINT = /^[0-9a-f]{8}$/;
/** Far beyond any answer (a 100k-token run) or alternative list (llama.cpp has no cap; 20 is usual). */
export const MAX_TOKEN_INDEX = 10_000_000;
export const MAX_ALTERNATIVE_INDEX = 1_000;

/** FNV-1a (32 bit) of the token's text and the alternative's: enough to tell that the text under a link changed. */
export function textFingerprint(tokenTextValue: string, alternativeText?: string): string {
  const text = alternativeText === undefined ? tokenTextValue : `${tokenTextValue}\u0000${alternativeText}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** The token (and alternative) a row's links act on, with their texts for the fingerprint. */
export interface ActionTarget {
  readonly answer: string;
  readonly token: number;
  readonly tokenText: string;
  readonly alternative?: { readonly index: number; readonly text: string } | undefined;
}

/** One markdown link to one of our commands: `[Ban](command:logprobLens.ban?<encoded [args]> "tooltip")`. */
export function actionLink(action: HoverAction, target: ActionTarget): string {
  const args = argsFor(target);
  // VS Code JSON-parses the decoded query and spreads an array as the command's arguments.
  const query = encodeURIComponent(JSON.stringify([args])).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const { label, tooltip } = LABELS[action];
  return `[${label}](command:${HOVER_COMMANDS[action]}?${query} "${tooltip}")`;
}

function argsFor(target: ActionTarget): ActionArgs {
  const args: ActionArgs = {
    answer: target.answer, token: target.token,
    ...(target.alternative !== undefined ? { alternative: target.alternative.index } : {}),
    fingerprint: textFingerprint(target.tokenText, target.alternative?.text),
  };
  // Our own ids: a failure here is a bug in the caller, not input to tolerate.
  if (parseActionArgs(args) === undefined) throw new RangeError('hover action arguments out of range');
  return args;
}

/** Why an action is not offered on a row (fixed texts: no server or model text enters the hover this way). */
export type DisabledReason = 'no-prefill' | 'no-logit-bias' | 'no-token-id' | 'partial-character';

const DISABLED_TEXT: Readonly<Record<DisabledReason, string>> = {
  'no-prefill': 'needs an assistant prefill or legacy Completions',
  'no-logit-bias': 'this endpoint takes no logit_bias',
  'no-token-id': 'no token id for it here',
  'partial-character': 'part of a character, not text',
};

/**
 * The actions of one hover row as markdown: links separated by " · ", then the unavailable ones in italics with
 * their reason (e.g. `_Continue: needs an assistant prefill or legacy Completions_`).
 */
export function actionsMarkdown(target: ActionTarget, actions: readonly HoverAction[], disabled: Partial<Record<HoverAction, DisabledReason>> = {}): string {
  const links = actions.map((action) => actionLink(action, target));
  const notes = Object.entries(disabled).map(([action, reason]) => `_${LABELS[action as HoverAction].label}: ${DISABLED_TEXT[reason]}_`);
  return [...links, ...notes].join(' · ');
}

/**
 * Which actions a row offers: Continue on an alternative whose text can be sent, where the endpoint has a prefill;
 * Ban and Boost where the token can be keyed in logit_bias here (planBiasKey); Inspect on the token itself. The full
 * reason for a disabled action is the one planBranch / planBiasKey give the keyboard command.
 */
export function rowActions(capabilities: Capabilities, token: TokenLike, isAlternative: boolean, context: BiasContext)
  : { readonly actions: HoverAction[]; readonly disabled: Partial<Record<HoverAction, DisabledReason>> } {
  const actions: HoverAction[] = [];
  const disabled: Partial<Record<HoverAction, DisabledReason>> = {};
  const whole = typeof tokenText(token) === 'string';
  if (isAlternative) {
    if (capabilities.prefill === 'none') disabled.continueWith = 'no-prefill';
    else if (!whole) disabled.continueWith = 'partial-character';
    else actions.push('continueWith');
  }
  if (capabilities.logitBias === 'none') disabled.ban = 'no-logit-bias';
  else if (planBiasKey(token, capabilities, context).kind !== 'refused') actions.push('ban', 'boost');
  else disabled.ban = whole ? 'no-token-id' : 'partial-character';
  if (!isAlternative) actions.push('inspect');
  return { actions, disabled };
}

/** A command's argument, validated: exactly these fields, these types, these ranges; `undefined` otherwise. */
export function parseActionArgs(value: unknown): ActionArgs | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.some((key) => key !== 'answer' && key !== 'token' && key !== 'alternative' && key !== 'fingerprint')) return undefined;
  const { answer, token, alternative, fingerprint } = record;
  if (typeof answer !== 'string' || !ANSWER_ID.test(answer)) return undefined;
  if (!Number.isSafeInteger(token) || (token as number) < 0 || (token as number) > MAX_TOKEN_INDEX) return undefined;
  if ('alternative' in record && (!Number.isSafeInteger(alternative) || (alternative as number) < 0 || (alternative as number) > MAX_ALTERNATIVE_INDEX)) return undefined;
  if (typeof fingerprint !== 'string' || !FINGERPRINT.test(fingerprint)) return undefined;
  return { answer, token: token as number, ...('alternative' in record ? { alternative: alternative as number } : {}), fingerprint };
}

/**
 * Why a validated link can no longer be acted on, or `undefined` when it still points at the same text.
 * `current` is what the tracker holds now at (answer, token, alternative); `undefined` when it holds nothing there.
 */
export function staleReason(args: ActionArgs, current: { readonly tokenText: string; readonly alternativeText?: string | undefined } | undefined): string | undefined {
  if (current === undefined) return 'That answer is no longer tracked (it was edited, cleared or closed): hover it again.';
  if ((args.alternative !== undefined) !== (current.alternativeText !== undefined)) return 'That alternative is no longer there: hover the token again.';
  if (textFingerprint(current.tokenText, current.alternativeText) !== args.fingerprint) return 'That token changed since the hover was shown: hover it again.';
  return undefined;
}
