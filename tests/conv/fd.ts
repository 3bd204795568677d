// Central-difference gradient check of a float64 model through the public API:
// computeGradients (analytic) vs (loss(w + h) − loss(w − h)) / 2h, both in training mode
// (batch statistics for batch norm). Relative error |a − n| / max(|a|, |n|, floor):
// in f64 with h = 1e-5 the central difference itself is good to ~1e-10 absolute
// (roundoff ε·L/h plus truncation h²·L'''), so gradients below the floor 1e-3 are held
// to that absolute accuracy instead of a relative one they cannot reach.
import { expect } from 'vitest';
import { Tensor, type Sequential } from '../../src/index.js';

export function checkGradients(model: Sequential, x: Tensor, y: Int32Array | Tensor, { h = 1e-5, tol = 1e-7, maxPerWeight = 60, floor = 1e-3 } = {}): number {
  const { grads } = model.computeGradients(x, y);
  const weights = model.getWeights();
  let worst = 0;
  weights.forEach((w, wi) => {
    if (!model.params()[wi].trainable) return;
    const data = w.data as Float64Array;
    // every element of small tensors, an even spread of large ones
    const step = Math.max(1, Math.floor(data.length / maxPerWeight));
    for (let i = 0; i < data.length; i += step) {
      const orig = data[i];
      const set = (v: number) => { data[i] = v; model.setWeights(weights); };
      set(orig + h); const lp = model.computeGradients(x, y).loss;
      set(orig - h); const lm = model.computeGradients(x, y).loss;
      set(orig);
      const num = (lp - lm) / (2 * h);
      const ana = grads[wi].data[i];
      const err = Math.abs(num - ana) / Math.max(Math.abs(num), Math.abs(ana), floor);
      worst = Math.max(worst, err);
      expect(err, `weight ${wi} (${model.params()[wi].name}) [${i}]: analytic ${ana}, numeric ${num}`).toBeLessThanOrEqual(tol);
    }
  });
  return worst;
}

/** Deterministic inputs from an integer LCG, scaled to about ±1. */
export function lcgData(n: number, seed = 12345): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}
