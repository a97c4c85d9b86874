/** Default upper bounds of the confidence buckets, in probability; bucket i holds p in [t(i-1), t(i)). */
export const DEFAULT_THRESHOLDS: readonly number[] = [0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95];
export const BUCKET_COUNT = DEFAULT_THRESHOLDS.length + 1;
/** Tokens below this probability count as uncertain (status bar, Next/Previous Uncertain Token). */
export const DEFAULT_UNCERTAIN_BELOW = 0.5;

/** Bucket index of a probability: 0 is the least certain. */
export function bucketOf(probability: number, thresholds: readonly number[]): number {
  let bucket = 0;
  while (bucket < thresholds.length && probability >= thresholds[bucket]!) bucket++;
  return bucket;
}

/** Checks user thresholds: exactly nine, strictly ascending, inside (0, 1). Returns a reason when they are not. */
export function validateThresholds(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length !== DEFAULT_THRESHOLDS.length) {
    return `needs exactly ${DEFAULT_THRESHOLDS.length} numbers`;
  }
  for (let i = 0; i < value.length; i++) {
    const threshold: unknown = value[i];
    if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1)) return `value ${i + 1} is not between 0 and 1`;
    if (i > 0 && threshold <= (value[i - 1] as number)) return 'values must be strictly ascending';
  }
  return undefined;
}

/** "35–50 %" style label for the legend. */
export function bucketLabel(bucket: number, thresholds: readonly number[]): string {
  const percent = (p: number): string => `${+(p * 100).toFixed(2)}`;
  const low = bucket === 0 ? 0 : thresholds[bucket - 1]!;
  const high = bucket === thresholds.length ? 1 : thresholds[bucket]!;
  return bucket === thresholds.length ? `${percent(low)}–100 %` : `${percent(low)}–<${percent(high)} %`;
}

/** What the colours show: the token's probability, or its rank among the alternatives (GLTR's view). */
export type ColourMode = 'probability' | 'rank';

/**
 * Bucket for a token's rank (1 = the model's favourite) in rank mode, on the same ten-colour scale: GLTR's
 * top-10 / top-100 / top-1000 split, narrowed to what APIs return (at most 20 alternatives). `undefined` rank
 * means the token is not among the returned alternatives: less likely than all of them.
 */
export function rankBucket(rank: number | undefined): number {
  if (rank === undefined) return 0;
  if (rank <= 1) return 9;
  if (rank <= 3) return 7;
  if (rank <= 10) return 5;
  return 2;
}

export const RANK_LABELS: readonly string[] = ['not among the returned alternatives', '', 'rank 11–20', '', '', 'rank 4–10', '', 'rank 2–3', '', 'rank 1 (the model\'s first choice)'];
