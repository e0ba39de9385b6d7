//! Pure math of the virtual list: prefix offsets from row heights and the window of rows
//! that intersects the viewport. Kept apart from the component so it is unit-testable.

/** Prefix sums: `offsets[i]` is the top of row i, `offsets[n]` the total height. */
export function prefixOffsets(count: number, heightOf: (i: number) => number): Float64Array {
  const out = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) out[i + 1] = out[i] + heightOf(i);
  return out;
}

/** Index of the row that contains pixel `y` (clamped). */
export function rowAt(offsets: Float64Array, y: number): number {
  const n = offsets.length - 1;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1] <= y) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(Math.max(lo, 0), Math.max(n - 1, 0));
}

/** The half-open range of rows to render for a viewport, with `overscan` extra rows. */
export function visibleRange(offsets: Float64Array, scrollTop: number, height: number, overscan: number): [number, number] {
  const n = offsets.length - 1;
  if (n <= 0) return [0, 0];
  const first = rowAt(offsets, scrollTop);
  const last = rowAt(offsets, scrollTop + height);
  return [Math.max(0, first - overscan), Math.min(n, last + 1 + overscan)];
}
