/**
 * A run's figures, computed from its columns with the same definitions as the live answer (`Answer.stats`) and
 * the hover: tokens with a logprob, perplexity exp(-mean logprob), mean probability, uncertain placements (a
 * character split over tokens counts once, at its joint probability) and the mean entropy over the top k.
 */
import type { RunMetrics } from './runRecord';
import type { RunPlacements, RunTokens } from './runTokens';
import { entropyBits, rankedAlternatives, rankedScratch } from './runTokens';

/** Perplexity and mean probability of the tokens that have a logprob. */
export interface TokenFigures {
  readonly tokens: number;
  readonly perplexity?: number;
  readonly meanProbability?: number;
}

export function tokenFigures(tokens: RunTokens): TokenFigures {
  let count = 0;
  let logprobSum = 0;
  let probabilitySum = 0;
  for (let i = 0; i < tokens.count; i++) {
    const logprob = tokens.logprob[i]!;
    if (Number.isNaN(logprob)) continue;
    count++;
    logprobSum += logprob;
    probabilitySum += Math.exp(logprob);
  }
  return count === 0 ? { tokens: 0 } : { tokens: count, perplexity: Math.exp(-logprobSum / count), meanProbability: probabilitySum / count };
}

export function computeRunMetrics(tokens: RunTokens, placements: RunPlacements, uncertainThreshold: number): RunMetrics {
  const ranked = rankedScratch();
  let entropySum = 0;
  let withAlternatives = 0;
  for (let i = 0; i < tokens.count; i++) {
    const count = rankedAlternatives(tokens, i, ranked);
    if (count === 0) continue;
    entropySum += entropyBits(ranked, count);
    withAlternatives++;
  }
  return {
    ...tokenFigures(tokens),
    uncertain: { below: uncertainThreshold, count: uncertainPlacements(tokens, placements, uncertainThreshold) },
    ...(withAlternatives > 0 ? { meanEntropyBits: entropySum / withAlternatives } : {}),
  };
}

/** Joint logprob of placement p (the sum over its tokens), or NaN when one of them has none. */
export function placementLogprob(tokens: RunTokens, placements: RunPlacements, p: number): number {
  let sum = 0;
  const first = placements.firstToken[p]!;
  for (let i = first; i < first + placements.tokenCount[p]!; i++) sum += tokens.logprob[i]!;
  return sum;
}

function uncertainPlacements(tokens: RunTokens, placements: RunPlacements, below: number): number {
  let count = 0;
  for (let p = 0; p < placements.count; p++) {
    const logprob = placementLogprob(tokens, placements, p);
    if (!Number.isNaN(logprob) && Math.exp(logprob) < below) count++;
  }
  return count;
}
