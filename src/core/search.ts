/**
 * Binary search over ascending values: the last index in [0, length) whose value is at or below `target`, or -1
 * when none is. `valueAt` reads the value at an index (a typed array, a column with a base, ...).
 */
export function lastAtOrBelow(length: number, valueAt: (index: number) => number, target: number): number {
  let low = 0;
  let high = length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (valueAt(middle) <= target) low = middle + 1;
    else high = middle - 1;
  }
  return high;
}
