/**
 * Runs `work` over `items` with at most `limit` of them under way at once, in order of start; no new item starts
 * once `signal` is aborted (those under way finish as they do). Resolves when every started item has finished;
 * `work` must not throw (a failure is an outcome, reported by the work itself).
 */
export async function runPool<T>(items: readonly T[], limit: number, signal: AbortSignal, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
