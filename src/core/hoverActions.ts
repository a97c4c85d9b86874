/**
 * The hover's action links (Continue, Ban, Boost, Inspect), the rows and notes they make in a hover, and the
 * validation of their arguments. A link runs one
 * of our own commands only (the adapter sets `isTrusted = { enabledCommands: HOVER_ENABLED_COMMANDS }`). Its label
 * and tooltip are ours and its arguments are ids, indices and a hash: no model text ever reaches a link, so a token
 * that spells `[x](command:...)` stays text in its code span. The command re-reads the token from the tracker and
 * compares the hash, so a link to an answer that was edited, cleared or closed is refused, never acted on.
 */
import type { Capabilities } from './capabilities';
import type { BiasContext, LogitBiasEntry, TokenLike } from './steering';
import { biasHoverNote, FORCED_TOKEN_NOTE, findBias, keyable, planBiasKey, tokenText } from './steering';
import type { HoverRows } from './hoverMarkdown';
import type { StoredToken } from './tokenStore';

export const HOVER_COMMANDS = {
  continueWith: 'logprobLens.continueWith',
  ban: 'logprobLens.ban',
  boost: 'logprobLens.boost',
  inspect: 'logprobLens.inspectToken',
} as const;

export type HoverAction = keyof typeof HOVER_COMMANDS;

/** Selects the answer's run in the Runs view (the hover's last line, for an answer the history holds). */
export const SHOW_RUN_COMMAND = 'logprobLens.showRun';

/** For `MarkdownString.isTrusted = { enabledCommands: HOVER_ENABLED_COMMANDS }`. */
export const HOVER_ENABLED_COMMANDS: readonly string[] = [...Object.values(HOVER_COMMANDS), SHOW_RUN_COMMAND];

/** Where a branch goes: the rest of the answer replaced in place (one Undo restores it), or a new editor beside. */
export type BranchOutput = 'replace' | 'beside';

const LABELS: Readonly<Record<HoverAction, { readonly label: string; readonly tooltip: string }>> = {
  continueWith: { label: 'Continue', tooltip: 'Continue the answer from this token' },
  ban: { label: 'Ban', tooltip: 'Ban this token in the next runs (logit bias -100)' },
  boost: { label: 'Boost', tooltip: 'Boost this token in the next runs' },
  inspect: { label: 'Inspect', tooltip: 'Open this token in the token inspector' },
};

/** The second Continue link, for the output the setting does not choose. */
const OTHER_OUTPUT: Readonly<Record<BranchOutput, { readonly label: string; readonly tooltip: string }>> = {
  beside: { label: 'beside', tooltip: 'Continue from this token in a new editor beside' },
  replace: { label: 'in place', tooltip: 'Continue from this token, replacing the rest of the answer' },
};

/** What a link points at: the tracker's answer id, the token's index in that answer, the alternative's index. */
export interface ActionArgs {
  readonly answer: string;
  readonly token: number;
  /** Index into the token's stored (unranked) alternatives; absent for the token itself. */
  readonly alternative?: number;
  /** `textFingerprint` of the token's text and the alternative's, when the hover was made. */
  readonly fingerprint: string;
  /** Continue only: where the branch goes (the `logprobLens.branchOutput` setting when absent). */
  readonly output?: BranchOutput;
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

/** The validated arguments a link to `target` carries (the keyboard commands build theirs the same way). */
export function actionArgs(target: ActionTarget, output?: BranchOutput): ActionArgs {
  const args: ActionArgs = {
    answer: target.answer, token: target.token,
    ...(target.alternative !== undefined ? { alternative: target.alternative.index } : {}),
    fingerprint: textFingerprint(target.tokenText, target.alternative?.text),
    ...(output !== undefined ? { output } : {}),
  };
  // Our own ids: a failure here is a bug in the caller, not input to tolerate.
  if (parseActionArgs(args) === undefined) throw new RangeError('hover action arguments out of range');
  return args;
}

/**
 * One markdown link to one of our commands: `[Ban](command:logprobLens.ban?<encoded [args]> "tooltip")`. A
 * Continue link with an `output` other than `primary` is the second one, labelled by its output.
 */
export function actionLink(action: HoverAction, target: ActionTarget, output?: BranchOutput, primary = output): string {
  return linkTo(action, encodedArgs(actionArgs(target, action === 'continueWith' ? output : undefined)), output, primary);
}

function linkTo(action: HoverAction, query: string, output: BranchOutput | undefined, primary: BranchOutput | undefined): string {
  const { label, tooltip } = action === 'continueWith' && output !== undefined && output !== primary ? OTHER_OUTPUT[output] : LABELS[action];
  return `[${label}](command:${HOVER_COMMANDS[action]}?${query} "${tooltip}")`;
}

/**
 * VS Code JSON-parses the decoded query and spreads an array as the command's arguments. Validated arguments hold
 * only letters, digits, `_`, `-` and JSON's punctuation, none of which encodeURIComponent leaves as a character
 * that ends a markdown link (`(`, `)`, a space).
 */
function encodedArgs(args: ActionArgs): string {
  return encodeURIComponent(JSON.stringify([args]));
}

/**
 * The hover's link to the answer's run in the Runs view, or undefined for an id that is not one of ours (ids are
 * made by the tracker; the check keeps anything else out of a trusted link).
 */
export function showRunLink(runId: string): string | undefined {
  if (!ANSWER_ID.test(runId)) return undefined;
  return `[Show in Runs view](command:${SHOW_RUN_COMMAND}?${encodeURIComponent(JSON.stringify([runId]))} "Select this answer's run in the Runs view")`;
}

/** Why an action is not offered (fixed texts: no server or model text enters the hover this way). */
export type DisabledReason = 'no-prefill' | 'no-logit-bias' | 'no-token-id' | 'sampled-ids-only' | 'other-model-id' | 'partial-character' | 'streaming' | 'no-request';

const DISABLED_TEXT: Readonly<Record<DisabledReason, string>> = {
  'no-prefill': 'needs an assistant prefill or legacy Completions',
  'no-logit-bias': 'this endpoint takes no logit_bias',
  'no-token-id': 'no token id for it here',
  'sampled-ids-only': 'the server sends ids only for the tokens it sampled',
  'other-model-id': 'its id is from another model than the one the next run asks',
  'partial-character': 'part of a character, not text',
  'streaming': 'wait until the answer is complete',
  'no-request': 'this answer was not generated here, so there is no request to continue',
};

/** Reasons that hold for every row of a hover: said once, under the token, not on each row. */
const ENDPOINT_REASONS: ReadonlySet<DisabledReason> = new Set(['no-prefill', 'no-logit-bias', 'streaming', 'no-request']);

/**
 * The actions of one hover row as markdown: links separated by " · ", then the unavailable ones in italics with
 * their reason (e.g. `_Continue: needs an assistant prefill or legacy Completions_`). With `output`, Continue is
 * two links: that output ("Continue") and the other one ("beside" or "in place").
 */
export function actionsMarkdown(target: ActionTarget, actions: readonly HoverAction[], disabled: Partial<Record<HoverAction, DisabledReason>> = {}, output?: BranchOutput): string {
  // One argument per output, shared by the row's links: a hover has a row per alternative, 20 of them at most.
  const queries = new Map<BranchOutput | undefined, string>();
  const query = (forOutput: BranchOutput | undefined): string => {
    let encoded = queries.get(forOutput);
    if (encoded === undefined) queries.set(forOutput, encoded = encodedArgs(actionArgs(target, forOutput)));
    return encoded;
  };
  const other = output === 'replace' ? 'beside' : 'replace';
  const links = actions.flatMap((action) => (action === 'continueWith' && output !== undefined
    ? [linkTo(action, query(output), output, output), linkTo(action, query(other), other, output)]
    : [linkTo(action, query(undefined), undefined, undefined)]));
  const notes = Object.entries(disabled).map(([action, reason]) => `_${disabledLabel(action as HoverAction)}: ${DISABLED_TEXT[reason]}_`);
  return [...links, ...notes].join(' · ');
}

function disabledLabel(action: HoverAction): string {
  return action === 'ban' ? 'Ban, Boost' : LABELS[action].label;
}

/**
 * Which actions a row offers: Continue where the endpoint has a prefill and the token's text can be sent (and,
 * with `continuable` false, nowhere: the token is inside a character); Ban and Boost where the token can be
 * keyed in logit_bias here (planBiasKey, by an id only when `idsUsable`: see `keyable`); Inspect on the token
 * itself. The full reason for a disabled action is the one planBranch / planBiasKey give the command.
 */
export function rowActions(capabilities: Capabilities, token: TokenLike, isAlternative: boolean, context: BiasContext, continuable = true, idsUsable = true)
  : { readonly actions: HoverAction[]; readonly disabled: Partial<Record<HoverAction, DisabledReason>> } {
  const actions: HoverAction[] = [];
  const disabled: Partial<Record<HoverAction, DisabledReason>> = {};
  const whole = typeof tokenText(token) === 'string';
  if (continuable) {
    if (capabilities.prefill === 'none') disabled.continueWith = 'no-prefill';
    else if (!whole) disabled.continueWith = 'partial-character';
    else actions.push('continueWith');
  }
  if (capabilities.logitBias === 'none') disabled.ban = 'no-logit-bias';
  else if (planBiasKey(keyable(token, idsUsable), capabilities, context).kind !== 'refused') actions.push('ban', 'boost');
  else disabled.ban = banRefusal(token, capabilities, isAlternative, whole, idsUsable);
  if (!isAlternative) actions.push('inspect');
  return { actions, disabled };
}

/** Why a token that planBiasKey refused cannot be banned, in the hover's words. */
function banRefusal(token: TokenLike, capabilities: Capabilities, isAlternative: boolean, whole: boolean, idsUsable: boolean): DisabledReason {
  if (!whole) return 'partial-character';
  if (token.id !== undefined && !idsUsable) return 'other-model-id';
  return isAlternative && capabilities.responseTokenIds === 'vllm-return-token-ids' ? 'sampled-ids-only' : 'no-token-id';
}

/** What a hover over tokens of one tracked answer needs to offer its actions and notes. */
export interface SteeringHoverContext {
  readonly answer: string;
  /** The hovered tokens (one placement's), each with its index in the answer's store. */
  readonly tokens: readonly { readonly index: number; readonly stored: StoredToken }[];
  /** What the endpoint the next run goes to can do. */
  readonly capabilities: Capabilities;
  readonly bias: BiasContext;
  /** Whether the ids the answer's response sent belong to the model the next run asks (see `keyable`). */
  readonly idsUsable: boolean;
  /** The `logprobLens.branchOutput` setting. */
  readonly output: BranchOutput;
  /** Why no token of this answer can be continued (still streaming, no request), if so. */
  readonly continueOff?: 'streaming' | 'no-request' | undefined;
  /** The store index of a branch's forced token, when this answer is a branch. */
  readonly forcedToken?: number | undefined;
  /** The logit bias the answer's run was sent with, and what its endpoint could do then. */
  readonly appliedBias?: { readonly entries: readonly LogitBiasEntry[]; readonly capabilities: Capabilities } | undefined;
}

/**
 * The hover's steering rows: under each token its notes (chosen by you, biased in this run) and its actions,
 * with the reasons that hold for the whole hover said once there; on each alternative's row its actions. Only a
 * placement's first token can be continued: the others start inside its character.
 */
export function steeringRows(context: SteeringHoverContext): HoverRows {
  const row = (token: number, alternative: number | undefined) => {
    const { index, stored } = context.tokens[token]!;
    const chosen: TokenLike = alternative === undefined ? stored : stored.alternatives[alternative]!;
    const target: ActionTarget = { answer: context.answer, token: index, tokenText: stored.token, alternative: alternative === undefined ? undefined : { index: alternative, text: chosen.token } };
    const { actions, disabled } = rowActions(context.capabilities, chosen, alternative !== undefined, context.bias, token === 0 && context.continueOff === undefined, context.idsUsable);
    if (token === 0 && context.continueOff !== undefined) disabled.continueWith = context.continueOff;
    return { target, actions, disabled };
  };
  const split = (disabled: Partial<Record<HoverAction, DisabledReason>>, endpointWide: boolean) =>
    Object.fromEntries(Object.entries(disabled).filter(([, reason]) => ENDPOINT_REASONS.has(reason) === endpointWide)) as Partial<Record<HoverAction, DisabledReason>>;
  return {
    tokenLines(token) {
      const { index, stored } = context.tokens[token]!;
      const lines: string[] = [];
      if (index === context.forcedToken) lines.push(FORCED_TOKEN_NOTE);
      const biased = context.appliedBias ? findBias(stored, context.appliedBias.entries) : undefined;
      if (biased) lines.push(biasHoverNote(biased, context.appliedBias!.capabilities));
      const { target, actions, disabled } = row(token, undefined);
      const links = actionsMarkdown(target, actions, split(disabled, false), context.output);
      const reasons = Object.entries(split(disabled, true)).map(([action, reason]) => `${disabledLabel(action as HoverAction)}: ${DISABLED_TEXT[reason]}`);
      lines.push([links, ...(reasons.length > 0 ? [`_${reasons.join('; ')}_`] : [])].filter(Boolean).join(' · '));
      return lines;
    },
    alternativeCell(token, alternative) {
      const { target, actions, disabled } = row(token, alternative);
      return actionsMarkdown(target, actions, split(disabled, false), context.output);
    },
  };
}

/** A command's argument, validated: exactly these fields, these types, these ranges; `undefined` otherwise. */
export function parseActionArgs(value: unknown): ActionArgs | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.some((key) => key !== 'answer' && key !== 'token' && key !== 'alternative' && key !== 'fingerprint' && key !== 'output')) return undefined;
  const { answer, token, alternative, fingerprint, output } = record;
  if (typeof answer !== 'string' || !ANSWER_ID.test(answer)) return undefined;
  if (!Number.isSafeInteger(token) || (token as number) < 0 || (token as number) > MAX_TOKEN_INDEX) return undefined;
  if ('alternative' in record && (!Number.isSafeInteger(alternative) || (alternative as number) < 0 || (alternative as number) > MAX_ALTERNATIVE_INDEX)) return undefined;
  if (typeof fingerprint !== 'string' || !FINGERPRINT.test(fingerprint)) return undefined;
  if ('output' in record && output !== 'replace' && output !== 'beside') return undefined;
  return {
    answer, token: token as number, ...('alternative' in record ? { alternative: alternative as number } : {}), fingerprint,
    ...('output' in record ? { output: output as BranchOutput } : {}),
  };
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
