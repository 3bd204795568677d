// Plain f64 oracles of the diagnostics kernels (assembly/diagnostics.ts): activation
// statistics and fixed-bin histograms, element by element in index order.

export interface StatsRef {
  /** Σ (x − shift), Σ (x − shift)², and Σ |x − shift|, Σ (x − shift)² again as error scales */
  s1: number; s2: number; abs1: number;
  zeros: number; saturated: number; min: number; max: number;
}

export function activationStatsRef(x: ArrayLike<number>, shift: number, center: number, threshold: number): StatsRef {
  let s1 = 0, s2 = 0, abs1 = 0, zeros = 0, saturated = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const d = v - shift;
    s1 += d; s2 += d * d; abs1 += Math.abs(d);
    if (v === 0) zeros++;
    if (Math.abs(v - center) > threshold) saturated++;
    // NaN propagates (as wasm's f64.min/max)
    min = Number.isNaN(v) || Number.isNaN(min) ? NaN : Math.min(min, v);
    max = Number.isNaN(v) || Number.isNaN(max) ? NaN : Math.max(max, v);
  }
  return { s1, s2, abs1, zeros, saturated, min, max };
}

/** counts[b] += #{x in bin b}: b = ⌊(x − lo)·(bins/(hi − lo))⌋, x = hi in the last bin, outside/NaN skipped. */
export function histogramRef(x: ArrayLike<number>, lo: number, hi: number, bins: number, counts = new Float64Array(bins)): Float64Array {
  const scale = bins / (hi - lo);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(Math.trunc((v - lo) * scale), bins - 1)]++;
  }
  return counts;
}
