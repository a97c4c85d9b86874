import { formatPercent } from '../format';
import type { LabelDistribution } from './labels';
import { rankLabels } from './labels';
import type { ChatMessage } from './model';

/**
 * Classify Selection: the selected text classified into labels the user gives, in one request, the label
 * probabilities read from the alternatives at the answer's first token (labels.ts) and shown as a ranked list with
 * the mass no label took.
 */

/**
 * Tokens asked for: the label's first token is all that is read, but some models open with a newline or a space
 * token first (`answerStartIndex` skips it), so a few more than one.
 */
export const CLASSIFY_MAX_TOKENS = 8;

/** The instruction and the text: the model is asked to answer with one label and nothing else. */
export function classifyMessages(text: string, labels: readonly string[]): ChatMessage[] {
  return [
    { role: 'system', content: `Classify the text the user sends. Answer with exactly one of these labels and nothing else: ${labels.join(', ')}.` },
    { role: 'user', content: text },
  ];
}

/** One row of the ranked list: the label, its renormalised probability, and the raw mass behind it. */
export interface ClassificationRow {
  readonly label: string;
  readonly probability: string;
  readonly detail: string;
}

export interface ClassificationList {
  /** “Predicted: positive (81.20 %)”, or why there is no prediction. */
  readonly title: string;
  /** Most likely first. */
  readonly rows: readonly ClassificationRow[];
  /** The mass no label took, and the tokens that fit several labels. */
  readonly uncovered: ClassificationRow;
  /** Caveats about the labels (several starting with the same word). */
  readonly notes: readonly string[];
}

export function classificationList(distribution: LabelDistribution | undefined, notes: readonly string[]): ClassificationList {
  if (!distribution || distribution.predicted === undefined) {
    return {
      title: 'No label among the alternatives at the answer’s start',
      rows: (distribution?.byLabel ?? []).map((entry) => ({ label: entry.label, probability: 'n/a', detail: 'no returned token starts it' })),
      uncovered: { label: 'Other tokens', probability: formatPercent(distribution?.uncovered ?? 1), detail: 'the answer did not start with a label' },
      notes,
    };
  }
  const ambiguous = distribution.ambiguous > 0 ? `; tokens that fit several labels: ${formatPercent(distribution.ambiguous)}` : '';
  return {
    title: `Predicted: ${distribution.predicted} (${formatPercent(distribution.confidence)})`,
    rows: rankLabels(distribution.byLabel).map((entry) => ({
      label: entry.label,
      probability: formatPercent(entry.probability),
      detail: `${formatPercent(entry.raw)} of the whole distribution before renormalising over the labels`,
    })),
    uncovered: {
      label: 'Not a label',
      probability: formatPercent(distribution.uncovered),
      detail: `other tokens and the alternatives not returned (the labels cover ${formatPercent(distribution.covered)}${ambiguous})`,
    },
    notes,
  };
}
