/** Index of the first element of `xs` (ascending by `key`) whose key is above `x`: how many are at or below it. Binary search. */
export function countAtMost<T>(xs: ArrayLike<T>, key: (item: T) => number, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(xs[mid]!) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
