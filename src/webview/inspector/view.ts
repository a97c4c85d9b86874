/**
 * What the token inspector shows for one token and one set of controls, as plain data and text: the header, the
 * chart's rows, the sampled token's probability under the settings with its range, and the approximation note.
 * Pure (no DOM), so it is unit-tested in Node and benchmarked there; main.ts only puts it on the page.
 */
import type { BarRow } from '../../core/charts';
import { formatLogprob, formatPercent, visibleToken } from '../../core/format';
import type { InspectedMember } from '../../core/inspectorProtocol';
import type { Cut, SamplingSettings } from '../../core/sampling';
import { DEFAULT_VOCABULARY_BOUND, distributionOf, entropyBits, SAMPLER_ORDER_TEXT, whatIf } from '../../core/sampling';

export interface InspectorView {
  /** The token with its whitespace made visible. */
  readonly title: string;
  /** "42.00 % · logprob -0.8675 · rank 2 of 5" */
  readonly summary: string;
  readonly rows: readonly BarRow[];
  /** "61.20 %", or "n/a" when the token's logprob is unknown. */
  readonly chosen: string;
  /** What the unknown tail can do to it. */
  readonly range: string;
  readonly approximation: string;
  /** "Entropy 1.49 → 0.95 bits over the returned alternatives" */
  readonly entropy: string;
}

const CUT_TEXT: Readonly<Record<Exclude<Cut, 'zero'>, string>> = {
  temperature: 'rounds to 0 at this temperature',
  topK: 'cut by top-k',
  topP: 'cut by top-p',
  minP: 'cut by min-p',
};

export function inspectorView(member: InspectedMember, controls: SamplingSettings, vocabularySize = DEFAULT_VOCABULARY_BOUND): InspectorView {
  const distribution = distributionOf(member, member.alternatives);
  const result = whatIf(distribution, controls, vocabularySize);
  const { candidates, chosen, others, covered } = distribution;
  const listedCount = candidates.filter((candidate) => candidate.listed).length;
  const cutText = (cut: Cut | undefined): string | undefined => {
    if (cut === undefined || cut === 'zero') return undefined;
    return cut === 'temperature' && controls.temperature === 0 ? 'cut (greedy)' : CUT_TEXT[cut];
  };
  const rows: BarRow[] = candidates.map((candidate, i) => {
    const cut = cutText(result.cuts[i]);
    const after = cut ? undefined : result.probabilities[i]!;
    const label = visibleToken(candidate.token) || '(empty)';
    const rank = candidate.listed ? `${i + 1}` : '';
    const numbers = `${formatPercent(candidate.probability)} → ${cut ?? formatPercent(after)}`;
    const where = candidate.listed ? `rank ${i + 1}` : 'not among the alternatives';
    return {
      label, rank, before: candidate.probability, after, numbers, logprob: formatLogprob(candidate.logprob),
      chosen: i === chosen, others: false,
      accessibleName: `${i === chosen ? 'sampled token, ' : ''}${where}: ${label}, ${numbers.replace('→', 'becomes')}, logprob ${formatLogprob(candidate.logprob)}`,
    };
  });
  if (others > 0) {
    const numbers = `${formatPercent(others)} → ≈${formatPercent(result.tail)}`;
    rows.push({
      label: 'others (not returned)', rank: '', before: others, after: result.tail, numbers, logprob: '', chosen: false, others: true,
      accessibleName: `tokens not returned: ${formatPercent(others)}, about ${formatPercent(result.tail)} under the settings`,
    });
  }
  const sampled = candidates[chosen];
  const rankText = listedCount === 0 ? 'no alternatives returned'
    : sampled?.listed ? `rank ${chosen + 1} of ${listedCount}` : `not among the ${listedCount} alternatives`;
  return {
    title: visibleToken(member.token) || '(empty)',
    summary: `${formatPercent(sampled?.probability)} · logprob ${formatLogprob(member.logprob ?? undefined)} · ${rankText}`,
    rows,
    chosen: formatPercent(result.chosen?.estimate),
    range: rangeText(result.chosen, others),
    approximation: others > 0
      ? `Over the ${listedCount} returned alternatives, which hold ${formatPercent(covered)}: the other ${formatPercent(others)} is modelled as tokens as likely as the least likely one shown. Applied in the order ${SAMPLER_ORDER_TEXT}.`
      : `The ${listedCount} returned alternatives hold all the probability. Applied in the order ${SAMPLER_ORDER_TEXT}.`,
    entropy: `Entropy ${entropyBits(candidates.map((candidate) => candidate.probability)).toFixed(2)} → ${result.entropyBits.toFixed(2)} bits over the returned alternatives`,
  };
}

function rangeText(range: { low: number; high: number } | undefined, others: number): string {
  if (!range) return 'The backend gave no logprob for this token.';
  if (range.high - range.low < 5e-5) return 'The tokens that were not returned cannot change this.';
  return `Whatever the ${formatPercent(others)} not returned holds: between ${formatPercent(range.low)} and ${formatPercent(range.high)}.`;
}
