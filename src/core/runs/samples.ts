/**
 * Summary of a sample set (the same prompt answered N times): how many distinct answers there are (exact text
 * after trimming whitespace), the share of the most frequent one (a simple consistency estimate), and each
 * answer's perplexity.
 */
import { formatPerplexity } from '../format';

export interface Sample {
  readonly text: string;
  readonly perplexity: number | undefined;
}

export interface SampleSummary {
  readonly count: number;
  readonly distinct: number;
  /** The most frequent answer (the earliest on a tie), its count and share of the set (0 for an empty set). */
  readonly mostFrequent: { readonly text: string; readonly count: number; readonly share: number; readonly index: number };
  readonly answers: readonly {
    readonly index: number;
    readonly perplexity: number | undefined;
    /** Index of the first sample with the same trimmed text (its own index when it is the first). */
    readonly sameAs: number;
  }[];
}

export function summarizeSamples(samples: readonly Sample[]): SampleSummary {
  const first = new Map<string, number>();
  const counts = new Map<string, number>();
  const answers = samples.map((sample, index) => {
    const key = sample.text.trim();
    if (!first.has(key)) first.set(key, index);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return { index, perplexity: sample.perplexity, sameAs: first.get(key)! };
  });
  let best = { text: '', count: 0 };
  // Map order is first-occurrence order, so a strict ">" keeps the earliest answer on a tie.
  for (const [text, count] of counts) if (count > best.count) best = { text, count };
  return {
    count: samples.length,
    distinct: counts.size,
    mostFrequent: { ...best, share: samples.length > 0 ? best.count / samples.length : 0, index: first.get(best.text) ?? 0 },
    answers,
  };
}

/**
 * The summary at the top of a sample set's document, in words: how many distinct answers, how often the most
 * frequent came (a simple consistency estimate), and each sample's perplexity.
 */
export function sampleSummaryText(summary: SampleSummary): string {
  const { count, distinct, mostFrequent } = summary;
  const share = `${Math.round(mostFrequent.share * 100)} %`;
  const consistency = distinct === 1 ? `all ${count} samples are the same answer`
    : `${distinct} distinct answers; the most frequent (sample ${mostFrequent.index + 1}'s) came ${mostFrequent.count} of ${count} times (${share})`;
  const perplexities = summary.answers.map(({ index, perplexity, sameAs }) => `${index + 1}: ${formatPerplexity(perplexity)}${sameAs !== index ? ` (= ${sameAs + 1})` : ''}`);
  return `Summary: ${count} samples, ${consistency}.\nPerplexity by sample: ${perplexities.join(' · ')}.`;
}
