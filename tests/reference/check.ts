// Comparison of kernel output against an oracle, element by element, with a tolerance
// that each test derives (and justifies) from the operation's error analysis.
// Failures list the first few bad indices with both values, so a wrong index shows up as
// a pattern rather than "arrays differ".

import { expect } from 'vitest';
import type { DType } from '../../bindings/index.js';

/** Unit roundoff u = 2^-p: |fl(x) − x| ≤ u·|x| for one correctly rounded operation. */
export function unitRoundoff(dtype: DType): number {
  return dtype === 'float32' ? 2 ** -24 : 2 ** -53;
}

export type Tolerance = number | ((i: number) => number);

/** Descriptions of up to `max` elements where |got − want| > tol (NaN must match NaN). */
export function mismatches(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance, max = 5): string[] {
  if (got.length !== want.length) return [`length ${got.length} ≠ ${want.length}`];
  const out: string[] = [];
  let count = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    const t = typeof tol === 'number' ? tol : tol(i);
    const ok = Number.isNaN(w) ? Number.isNaN(g) : g === w || Math.abs(g - w) <= t;
    if (!ok) {
      if (out.length < max) out.push(`[${i}] got ${g}, want ${w} (|Δ| ${Math.abs(g - w)} > tol ${t})`);
      count++;
    }
  }
  if (count > max) out.push(`… ${count - max} more of ${want.length}`);
  return out;
}

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance, label = ''): void {
  expect(mismatches(got, want, tol), label).toEqual([]);
}

export function expectExact(got: ArrayLike<number>, want: ArrayLike<number>, label = ''): void {
  expectClose(got, want, 0, label);
}

/** Scalar version: |got − want| ≤ tol. */
export function expectNear(got: number, want: number, tol: number, label = ''): void {
  expectClose([got], [want], tol, label);
}

/** |a − e| ≤ atol + rtol·|e| elementwise (golden vectors); the message names the worst element. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const r = Math.abs(actual[i] - expected[i]) / (atol + rtol * Math.abs(expected[i]));
    if (!(r <= worst)) { worst = r; at = i; }
  }
  expect(worst, `${what}: worst at ${at}: got ${actual[at]}, torch ${expected[at]}`).toBeLessThanOrEqual(1);
}
