// Normalization layers' kernels. x̂ = (x − μ)·r with r = 1/√(σ² + ε), y = γ_c·x̂ + β_c, one
// γ, β per channel (the last axis). Statistics are accumulated in f64 whatever T is;
// variances are the biased ones. Every kernel makes two passes over x: forward, Σx and Σx²
// then the affine map; backward, Σdy and Σdy·x̂ then dx.
//
// Batch norm: x is [rows, C] (rows = N·H·W for images), statistics per channel over rows.
// Group norm: x is [N, S, C] (S = H·W, or 1 for flat inputs), statistics per sample and
// group of C/G consecutive channels over S: G = 1 is layer norm, G = C instance norm.
// Backward (Ioffe & Szegedy 2015, eq. in §3; the same algebra per group for group norm):
//   dβ_c = Σ dy,  dγ_c = Σ dy·x̂,  dx = r/M · (M·g − Σg − x̂·Σ(g·x̂)),  g = γ_c·dy
// over the M elements of each statistics set. Forward saves μ and r; backward recomputes x̂.
// `acc` is caller scratch of f64: 2·C for batch norm, 2·N·G for group norm. It comes right
// after the outputs: (outputs, acc, inputs, sizes, eps).
// Alignment: T-aligned pointers, acc 8-byte aligned. Aliasing: y may alias x, and dx may
// alias dy (each element is read before it is written at the same index); the statistics,
// acc and dgamma/dbeta must not alias anything.
// Tails: the affine map (forward, inference) and batch norm's dx run in v128 lanes over C,
// with a scalar tail doing the same operations in the same order (same bits); the f64
// statistics passes, group norm and ema are scalar loops.

import { lanes } from "./common";

export function batchNormTrain<T>(
  y: usize, mean: usize, invstd: usize, variance: usize, acc: usize, x: usize, gamma: usize, beta: usize,
  rows: usize, C: usize, eps: f64,
): void {
  const es = sizeof<T>();
  memory.fill(acc, 0, C * 16);
  const sq = acc + C * 8;
  // pass 1: Σd and Σd² per channel in f64, d = x − x[0, c]. NOTE: shifting by a sample of
  // the channel (shifted-data variance, Chan, Golub & LeVeque 1983) keeps E[d²] − E[d]²
  // free of cancellation when |mean| ≫ std, which plain Σx² loses to.
  for (let r: usize = 0; r < rows; r++) {
    const xr = x + r * C * es;
    for (let c: usize = 0; c < C; c++) {
      const v = <f64>load<T>(xr + c * es) - <f64>load<T>(x + c * es);
      const a = acc + c * 8, b = sq + c * 8;
      store<f64>(a, load<f64>(a) + v);
      store<f64>(b, load<f64>(b) + v * v);
    }
  }
  for (let c: usize = 0; c < C; c++) {
    const md = load<f64>(acc + c * 8) / <f64>rows;
    const mu = <f64>load<T>(x + c * es) + md;
    const v = max(load<f64>(sq + c * 8) / <f64>rows - md * md, 0.0);
    store<T>(mean + c * es, <T>mu);
    store<T>(variance + c * es, <T>v);
    store<T>(invstd + c * es, <T>(1.0 / Math.sqrt(v + eps)));
  }
  // pass 2
  affine<T>(y, x, mean, invstd, gamma, beta, rows, C);
}

/** y = (x − μ_c)·r_c·γ_c + β_c over [rows, C]; also the inference path (μ, r from moving stats). */
export function affine<T>(y: usize, x: usize, mean: usize, invstd: usize, gamma: usize, beta: usize, rows: usize, C: usize): void {
  const es = sizeof<T>();
  const L = lanes<T>();
  for (let r: usize = 0; r < rows; r++) {
    const o = r * C * es;
    let c: usize = 0;
    for (; c + L <= C; c += L) {
      const q = c * es;
      const xh = v128.mul<T>(v128.sub<T>(v128.load(x + o + q), v128.load(mean + q)), v128.load(invstd + q));
      v128.store(y + o + q, v128.add<T>(v128.mul<T>(xh, v128.load(gamma + q)), v128.load(beta + q)));
    }
    for (; c < C; c++) {
      const q = c * es;
      const xh = (load<T>(x + o + q) - load<T>(mean + q)) * load<T>(invstd + q);
      store<T>(y + o + q, xh * load<T>(gamma + q) + load<T>(beta + q));
    }
  }
}

/** Inference: r_c = 1/√(movingVar_c + ε) into `invstd`, then the affine map with the moving mean. */
export function batchNormInfer<T>(y: usize, invstd: usize, x: usize, movingMean: usize, movingVar: usize, gamma: usize, beta: usize, rows: usize, C: usize, eps: f64): void {
  const es = sizeof<T>();
  for (let c: usize = 0; c < C; c++) {
    store<T>(invstd + c * es, <T>(1.0 / Math.sqrt(<f64>load<T>(movingVar + c * es) + eps)));
  }
  affine<T>(y, x, movingMean, invstd, gamma, beta, rows, C);
}

export function batchNormBackward<T>(
  dx: usize, dgamma: usize, dbeta: usize, acc: usize, dy: usize, x: usize, mean: usize, invstd: usize, gamma: usize,
  rows: usize, C: usize,
): void {
  const es = sizeof<T>();
  memory.fill(acc, 0, C * 16);
  const sg = acc + C * 8; // Σ dy·x̂ per channel; acc holds Σ dy
  for (let r: usize = 0; r < rows; r++) {
    const o = r * C * es;
    for (let c: usize = 0; c < C; c++) {
      const q = c * es;
      const g = <f64>load<T>(dy + o + q);
      const xh = <f64>((load<T>(x + o + q) - load<T>(mean + q)) * load<T>(invstd + q));
      store<f64>(acc + c * 8, load<f64>(acc + c * 8) + g);
      store<f64>(sg + c * 8, load<f64>(sg + c * 8) + g * xh);
    }
  }
  for (let c: usize = 0; c < C; c++) {
    store<T>(dbeta + c * es, <T>load<f64>(acc + c * 8));
    store<T>(dgamma + c * es, <T>load<f64>(sg + c * 8));
  }
  const invM = <T>(1.0 / <f64>rows);
  const L = lanes<T>();
  const vInvM = v128.splat<T>(invM);
  for (let r: usize = 0; r < rows; r++) {
    const o = r * C * es;
    let c: usize = 0;
    // same operations in the same order as the scalar tail below
    for (; c + L <= C; c += L) {
      const q = c * es;
      const inv = v128.load(invstd + q);
      const xh = v128.mul<T>(v128.sub<T>(v128.load(x + o + q), v128.load(mean + q)), inv);
      const t = v128.mul<T>(v128.add<T>(v128.load(dbeta + q), v128.mul<T>(xh, v128.load(dgamma + q))), vInvM);
      v128.store(dx + o + q, v128.mul<T>(v128.mul<T>(v128.load(gamma + q), inv), v128.sub<T>(v128.load(dy + o + q), t)));
    }
    for (; c < C; c++) {
      const q = c * es;
      const inv = load<T>(invstd + q);
      const xh = (load<T>(x + o + q) - load<T>(mean + q)) * inv;
      const gsum = load<T>(dbeta + q), gx = load<T>(dgamma + q);
      store<T>(dx + o + q, load<T>(gamma + q) * inv * (load<T>(dy + o + q) - (gsum + xh * gx) * invM));
    }
  }
}

/** moving = momentum·moving + (1 − momentum)·batch, elementwise over n. */
export function ema<T>(moving: usize, batch: usize, n: usize, momentum: f64): void {
  const es = sizeof<T>();
  const m = <T>momentum, om = <T>(1.0 - momentum);
  for (let i: usize = 0; i < n; i++) {
    const p = moving + i * es;
    store<T>(p, m * load<T>(p) + om * load<T>(batch + i * es));
  }
}

export function groupNorm<T>(
  y: usize, mean: usize, invstd: usize, acc: usize, x: usize, gamma: usize, beta: usize,
  N: usize, S: usize, C: usize, G: usize, eps: f64,
): void {
  const es = sizeof<T>();
  const cg = C / G;
  const M = <f64>(S * cg);
  memory.fill(acc, 0, N * G * 16);
  const sq = acc + N * G * 8;
  // pass 1: shifted Σd and Σd² per (sample, group) in f64, as batchNormTrain; the shift is
  // the group's first element of the sample
  for (let n: usize = 0; n < N; n++) {
    for (let s: usize = 0; s < S; s++) {
      const xr = x + (n * S + s) * C * es;
      for (let c: usize = 0; c < C; c++) {
        const i = (n * G + c / cg) * 8;
        const v = <f64>load<T>(xr + c * es) - <f64>load<T>(x + (n * S * C + (c / cg) * cg) * es);
        store<f64>(acc + i, load<f64>(acc + i) + v);
        store<f64>(sq + i, load<f64>(sq + i) + v * v);
      }
    }
  }
  for (let i: usize = 0; i < N * G; i++) {
    const md = load<f64>(acc + i * 8) / M;
    const shift = <f64>load<T>(x + ((i / G) * S * C + (i % G) * cg) * es);
    const v = max(load<f64>(sq + i * 8) / M - md * md, 0.0);
    const mu = shift + md;
    store<T>(mean + i * es, <T>mu);
    store<T>(invstd + i * es, <T>(1.0 / Math.sqrt(v + eps)));
  }
  // pass 2
  for (let n: usize = 0; n < N; n++) {
    for (let s: usize = 0; s < S; s++) {
      const o = (n * S + s) * C * es;
      for (let c: usize = 0; c < C; c++) {
        const q = c * es;
        const i = (n * G + c / cg) * es;
        const xh = (load<T>(x + o + q) - load<T>(mean + i)) * load<T>(invstd + i);
        store<T>(y + o + q, xh * load<T>(gamma + q) + load<T>(beta + q));
      }
    }
  }
}

export function groupNormBackward<T>(
  dx: usize, dgamma: usize, dbeta: usize, acc: usize, dy: usize, x: usize, mean: usize, invstd: usize, gamma: usize,
  N: usize, S: usize, C: usize, G: usize,
): void {
  const es = sizeof<T>();
  const cg = C / G;
  const M = <T>(S * cg);
  memory.fill(dgamma, 0, C * es);
  memory.fill(dbeta, 0, C * es);
  memory.fill(acc, 0, N * G * 16);
  const sgx = acc + N * G * 8; // per group: Σ g·x̂; acc: Σ g, with g = γ·dy
  for (let n: usize = 0; n < N; n++) {
    for (let s: usize = 0; s < S; s++) {
      const o = (n * S + s) * C * es;
      for (let c: usize = 0; c < C; c++) {
        const q = c * es;
        const gi = n * G + c / cg;
        const xh = (load<T>(x + o + q) - load<T>(mean + gi * es)) * load<T>(invstd + gi * es);
        const d = load<T>(dy + o + q);
        store<T>(dbeta + q, load<T>(dbeta + q) + d);
        store<T>(dgamma + q, load<T>(dgamma + q) + d * xh);
        const g = <f64>(d * load<T>(gamma + q));
        store<f64>(acc + gi * 8, load<f64>(acc + gi * 8) + g);
        store<f64>(sgx + gi * 8, load<f64>(sgx + gi * 8) + g * <f64>xh);
      }
    }
  }
  for (let n: usize = 0; n < N; n++) {
    for (let s: usize = 0; s < S; s++) {
      const o = (n * S + s) * C * es;
      for (let c: usize = 0; c < C; c++) {
        const q = c * es;
        const gi = n * G + c / cg;
        const inv = load<T>(invstd + gi * es);
        const xh = (load<T>(x + o + q) - load<T>(mean + gi * es)) * inv;
        const g = load<T>(dy + o + q) * load<T>(gamma + q);
        const sum = <T>load<f64>(acc + gi * 8), sx = <T>load<f64>(sgx + gi * 8);
        store<T>(dx + o + q, inv * (g - (sum + xh * sx) / M));
      }
    }
  }
}
