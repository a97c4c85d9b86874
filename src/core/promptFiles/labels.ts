import { rankAlternatives } from '../hoverMarkdown';
import type { Alternative, TokenEntry } from '../logprob';
import { cleanLogprob } from '../logprob';

/**
 * Labels and their probabilities from one position's alternatives: the classifier recipe (ask for a label, read
 * the first token's top logprobs). Without the model's tokenizer, a token is matched to a label by its text:
 *
 * - a token and a label are compared lowercased, the token without its leading whitespace or tokenizer space
 *   marker (`▁` SentencePiece, `Ġ` byte-level BPE), the label trimmed with inner whitespace collapsed;
 * - a token counts for a label when it is a non-empty prefix of the label (`Pos` and ` positive` for “Positive”),
 *   or when it is the whole label followed by something that does not continue a word (` Positive.`);
 * - a token that fits several labels (`ne` for “negative” and “neutral”) counts for none: its mass is reported as
 *   ambiguous; case and spacing variants of one label (` Positive`, `positive`) add up.
 *
 * So a label's probability is that of the answer starting the label: exact for a one-token label, an upper bound for
 * a longer one.
 */

export const MAX_LABELS = 10;
/** Masses closer than this to 0 or 1 are floating-point noise from exp(log p), and shown as 0 or 1. */
const ROUNDING = 1e-9;
const MAX_LABEL_LENGTH = 40;
const MAX_LABEL_WORDS = 3;

/** How labels are compared: trimmed, inner whitespace collapsed, lowercased. */
export function normalizeLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function sameLabel(a: string, b: string): boolean {
  return normalizeLabel(a) === normalizeLabel(b);
}

/** Whether a token could start the label, by the rule in the file comment. */
export function tokenStartsLabel(token: string, label: string): boolean {
  return stemStartsLabel(tokenStem(token), normalizeLabel(label));
}

/** A token as it is compared: without leading whitespace or space marker, lowercased. */
function tokenStem(token: string): string {
  return token.replace(/^[\s\u2581\u0120]+/u, '').toLowerCase();
}

function stemStartsLabel(stem: string, target: string): boolean {
  if (stem === '' || target === '') return false;
  if (target.startsWith(stem)) return true;
  return stem.startsWith(target) && !/^[\p{L}\p{N}]/u.test(stem.slice(target.length));
}

/** A value short enough to be a label: one line, at most 40 characters and 3 words. */
export function isShortLabel(value: string): boolean {
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= MAX_LABEL_LENGTH && !/[\r\n]/.test(trimmed) && trimmed.split(/\s+/).length <= MAX_LABEL_WORDS;
}

export interface LabelSet {
  readonly labels: readonly string[];
  readonly source: 'expected' | 'user';
  /** Caveats worth showing beside the figures (labels the first token cannot tell apart). */
  readonly notes: readonly string[];
}

/**
 * A label set from the cases' expected values, when they look like one: every expected value is a short label,
 * there are 2 to 10 distinct ones (compared as `normalizeLabel` does), and at least one repeats (distinct short
 * answers, such as capitals, are a question set, not classes). The first spelling of each label is kept.
 */
export function detectLabels(expectedValues: readonly (string | undefined)[]): LabelSet | undefined {
  const values = expectedValues.filter((value): value is string => value !== undefined && value.trim() !== '');
  if (values.length < 2 || !values.every(isShortLabel)) return undefined;
  const labels = distinctLabels(values);
  if (labels.length < 2 || labels.length > MAX_LABELS || labels.length === values.length) return undefined;
  return { labels, source: 'expected', notes: labelNotes(labels) };
}

/**
 * The label set of a prompt file's run: detected from its expected values, or else the user's labels (the
 * `classify.labels` setting) when every expected value is one of them; `undefined` when the file does not classify.
 */
export function fileLabels(expectedValues: readonly (string | undefined)[], user: readonly string[]): LabelSet | undefined {
  const detected = detectLabels(expectedValues);
  if (detected) return detected;
  const given = userLabels(user);
  const values = expectedValues.filter((value): value is string => value !== undefined && value.trim() !== '');
  const covered = values.length > 0 && values.every((value) => given.labels.some((label) => sameLabel(label, value)));
  return given.labels.length >= 2 && covered ? given : undefined;
}

/** Labels the user gave (a setting, or typed in a quick input as `positive, negative, neutral`). */
export function userLabels(labels: readonly string[]): LabelSet {
  const distinct = distinctLabels(labels.filter((label) => label.trim() !== ''));
  return { labels: distinct, source: 'user', notes: labelNotes(distinct) };
}

/** Labels typed as one text: separated by commas or new lines. */
export function parseLabelList(text: string): string[] {
  return distinctLabels(text.split(/[,\n]/).filter((label) => label.trim() !== ''));
}

function distinctLabels(values: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const value of values) if (!seen.has(normalizeLabel(value))) seen.set(normalizeLabel(value), value.trim());
  return [...seen.values()];
}

function labelNotes(labels: readonly string[]): string[] {
  const notes: string[] = [];
  const byFirstWord = new Map<string, string[]>();
  for (const label of labels) {
    const word = normalizeLabel(label).split(' ')[0]!;
    byFirstWord.set(word, [...(byFirstWord.get(word) ?? []), label]);
  }
  for (const group of byFirstWord.values()) {
    if (group.length > 1) notes.push(`${group.map((label) => `“${label}”`).join(' and ')} start with the same word: the first token cannot tell them apart.`);
  }
  return notes;
}

export interface LabelProbability {
  readonly label: string;
  /** Sum of the probabilities of the returned tokens that start this label. */
  readonly raw: number;
  /** `raw` renormalised over the labels (0 when no label was found). */
  readonly probability: number;
}

export interface LabelDistribution {
  /** One entry per label, in the order the labels were given (`rankLabels` sorts them). */
  readonly byLabel: readonly LabelProbability[];
  /** Mass of the returned tokens that start some label. */
  readonly covered: number;
  /** Mass of everything else: other tokens, and the tail the endpoint did not return. */
  readonly uncovered: number;
  /** Mass of tokens that fit several labels, counted for none. */
  readonly ambiguous: number;
  /** The most likely label; `undefined` when no returned token starts any label. */
  readonly predicted: string | undefined;
  /** The predicted label's renormalised probability. */
  readonly confidence: number | undefined;
}

/** Label probabilities from one position's alternatives (Classify Selection: the first token's). */
export function labelDistribution(alternatives: readonly Alternative[], labels: readonly string[]): LabelDistribution {
  const raw = labels.map(() => 0);
  const targets = labels.map(normalizeLabel);
  let ambiguous = 0;
  for (const alternative of cleanAlternatives(alternatives)) {
    const probability = Math.exp(alternative.logprob);
    const stem = tokenStem(alternative.token);
    const matches = targets.flatMap((target, i) => (stemStartsLabel(stem, target) ? [i] : []));
    if (matches.length === 1) raw[matches[0]!]! += probability;
    else if (matches.length > 1) ambiguous += probability;
  }
  const total = raw.reduce((sum, p) => sum + p, 0);
  // Probabilities come back as logprobs: .93 + .04 + .03 sums to 0.9999999999999999, which is all of it.
  const covered = total > 1 - ROUNDING ? 1 : total;
  const byLabel = labels.map((label, i): LabelProbability => ({ label, raw: raw[i]!, probability: total > 0 ? raw[i]! / total : 0 }));
  const top = total > 0 ? rankLabels(byLabel)[0] : undefined;
  return {
    byLabel, covered, ambiguous,
    uncovered: 1 - covered - ambiguous < ROUNDING ? 0 : 1 - covered - ambiguous,
    predicted: top?.label,
    confidence: top?.probability,
  };
}

/** Label probabilities most likely first; ties keep the labels' order (so the first label wins a tie). */
export function rankLabels(byLabel: readonly LabelProbability[]): LabelProbability[] {
  return [...byLabel].sort((a, b) => b.raw - a.raw);
}

/**
 * Where an answer's label starts: its first token, or the first that is not only whitespace (some models open with
 * a newline; the distribution there is then conditional on that newline). -1 for an answer without tokens.
 */
export function answerStartIndex(tokens: readonly TokenEntry[]): number {
  if (tokens.length === 0) return -1;
  const index = tokens.findIndex((token) => token.token.trim() !== '');
  return index < 0 ? 0 : index;
}

/** The alternatives at a position, with the sampled token added when the endpoint did not list it among them. */
export function alternativesAt(token: TokenEntry): Alternative[] {
  return cleanAlternatives([...(token.top_logprobs ?? []), { token: token.token, logprob: token.logprob ?? Number.NaN }]);
}

/** Alternatives with usable logprobs (see `cleanLogprob`), each token once, most likely first. */
function cleanAlternatives(alternatives: readonly Alternative[]): Alternative[] {
  return rankAlternatives(alternatives.flatMap((alternative) => {
    const logprob = cleanLogprob(alternative.logprob);
    return logprob === undefined ? [] : [{ token: alternative.token, logprob }];
  }));
}

/** The label distribution at an answer's start; `undefined` for an answer without tokens. */
export function answerLabelDistribution(tokens: readonly TokenEntry[], labels: readonly string[]): LabelDistribution | undefined {
  const start = answerStartIndex(tokens);
  return start < 0 ? undefined : labelDistribution(alternativesAt(tokens[start]!), labels);
}
