// Shared helpers of the model tests: a JS-side RNG for test data (independent of the
// library's wasm RNG, so data never depends on the code under test), and bitwise snapshots.

import { expect } from 'vitest';
import { Tensor, tensor, type Sequential } from '../../src/index.js';

/** mulberry32: a tiny seeded uniform generator on [0, 1). */
export function uniformRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller) from a seeded uniform stream. */
export function normalRng(seed: number): () => number {
  const u = uniformRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** A float64 tensor of N(0, scale²) values. */
export function randn(shape: number[], seed: number, scale = 1): Tensor {
  const r = normalRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => scale * r()), shape, 'float64');
}

/** n integer labels in [0, classes). */
export function randLabels(n: number, classes: number, seed: number): Int32Array {
  const u = uniformRng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(u() * classes));
}

/** Copies of every weight array (plain typed arrays, detached from the model). */
export function weightsOf(model: Sequential): Float64Array[] {
  return model.getWeights().map((w) => Float64Array.from(w.data));
}

/** Asserts two lists of arrays are equal bit for bit (Object.is also tells 0 from −0). */
export function expectSameBits(got: ArrayLike<number>[], want: ArrayLike<number>[], label = ''): void {
  expect(got.length, `${label}: count`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(got[i].length, `${label}: length of ${i}`).toBe(want[i].length);
    for (let j = 0; j < want[i].length; j++) {
      if (!Object.is(got[i][j], want[i][j])) {
        expect.fail(`${label}: array ${i} differs at ${j}: ${got[i][j]} vs ${want[i][j]}`);
      }
    }
  }
}

export const maxAbs = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

/** True when any bit of any array differs (or the lengths do). */
export function differs(a: ArrayLike<number>[], b: ArrayLike<number>[]): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) return true;
    for (let j = 0; j < a[i].length; j++) if (!Object.is(a[i][j], b[i][j])) return true;
  }
  return false;
}
