// Percentiles and number formats shared by the bench scenarios.

// The p-th percentile (nearest rank) of values sorted ascending; NaN when there are none.
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const sortedOf = (values: number[]): Float64Array => Float64Array.from(values).sort();
export const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
