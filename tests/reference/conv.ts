// Plain f64 oracles for the NHWC window kernels (assembly/conv.ts, assembly/pool.ts) and the
// normalization kernels (assembly/norm.ts), written from the kernels' header comments.
// Besides the values, each oracle returns the scale its tolerance needs (Σ|terms| and the
// number of accumulated terms per element), as gemmRef does.

export type Padding = 'valid' | 'same';

export interface Geom {
  N: number; H: number; W: number; C: number; KH: number; KW: number; SH: number; SW: number;
  padTop: number; padLeft: number; OH: number; OW: number;
}

/**
 * TensorFlow's rule, per axis, written here independently of src/layers/geometry.ts:
 *   'valid': out = ⌊(in − k)/s⌋ + 1, no padding;
 *   'same':  out = ⌈in/s⌉, total padding max((out − 1)·s + k − in, 0), the odd one at the end.
 */
export function axisGeom(n: number, k: number, s: number, padding: Padding): { out: number; before: number } {
  if (padding === 'valid') {
    if (k > n) throw new Error(`valid: window ${k} > input ${n}`);
    return { out: Math.floor((n - k) / s) + 1, before: 0 };
  }
  const out = Math.ceil(n / s);
  return { out, before: Math.floor(Math.max((out - 1) * s + k - n, 0) / 2) };
}

export function geom(N: number, H: number, W: number, C: number, [KH, KW]: number[], [SH, SW]: number[], padding: Padding): Geom {
  const h = axisGeom(H, KH, SH, padding), w = axisGeom(W, KW, SW, padding);
  return { N, H, W, C, KH, KW, SH, SW, padTop: h.before, padLeft: w.before, OH: h.out, OW: w.out };
}

/** The kernels' argument order: (N, H, W, C, KH, KW, SH, SW, padTop, padLeft, OH, OW). */
export function geomArgs(g: Geom): [number, number, number, number, number, number, number, number, number, number, number, number] {
  return [g.N, g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft, g.OH, g.OW];
}

export const inSize = (g: Geom) => g.N * g.H * g.W * g.C;
export const outSize = (g: Geom) => g.N * g.OH * g.OW * g.C;
export const colSize = (g: Geom) => g.N * g.OH * g.OW * g.KH * g.KW * g.C;

/** Test geometries shared by the conv and pool tests: [label, N, H, W, C, window, strides, padding]. */
export const GEOMS: [string, number, number, number, number, number[], number[], Padding][] = [
  ['same 3×3 s1', 1, 5, 7, 3, [3, 3], [1, 1], 'same'],
  ['same 3×3 s2', 3, 7, 6, 4, [3, 3], [2, 2], 'same'],
  ['same 2×2 s1 (even: pad bottom/right)', 1, 4, 5, 5, [2, 2], [1, 1], 'same'],
  ['same 4×4 s2 (even, W odd)', 3, 6, 9, 16, [4, 4], [2, 2], 'same'],
  ['same 3×2 s[2,1]', 3, 6, 5, 17, [3, 2], [2, 1], 'same'],
  ['same 5×5 s3, window > input', 1, 2, 4, 4, [5, 5], [3, 3], 'same'],
  ['valid 3×3 s1', 1, 6, 5, 1, [3, 3], [1, 1], 'valid'],
  ['valid 2×3 s[2,1]', 3, 7, 6, 4, [2, 3], [2, 1], 'valid'],
  ['valid 3×3 s2 (leftover rows/cols)', 3, 8, 7, 17, [3, 3], [2, 2], 'valid'],
  ['valid 1×1 s1', 3, 3, 4, 16, [1, 1], [1, 1], 'valid'],
  ['same 1×1 s2', 1, 5, 4, 5, [1, 1], [2, 2], 'same'],
  ['valid kernel = input', 3, 3, 2, 3, [3, 2], [1, 1], 'valid'],
];

export function windowCases(): { label: string; g: Geom }[] {
  return GEOMS.map(([label, N, H, W, C, k, s, p]) => ({ label, g: geom(N, H, W, C, k, s, p) }));
}

/**
 * Calls f(n, oy, ox, ky, kx, iy, ix) for every window position, padded ones included
 * (inBounds false), in row-major order: output pixel, then ky, then kx.
 */
function forWindows(g: Geom, f: (n: number, oy: number, ox: number, ky: number, kx: number, iy: number, ix: number, inBounds: boolean) => void): void {
  for (let n = 0; n < g.N; n++) for (let oy = 0; oy < g.OH; oy++) for (let ox = 0; ox < g.OW; ox++) {
    for (let ky = 0; ky < g.KH; ky++) for (let kx = 0; kx < g.KW; kx++) {
      const iy = oy * g.SH - g.padTop + ky, ix = ox * g.SW - g.padLeft + kx;
      f(n, oy, ox, ky, kx, iy, ix, iy >= 0 && iy < g.H && ix >= 0 && ix < g.W);
    }
  }
}

const xAt = (g: Geom, n: number, iy: number, ix: number, c: number) => ((n * g.H + iy) * g.W + ix) * g.C + c;
const yAt = (g: Geom, n: number, oy: number, ox: number, c: number) => ((n * g.OH + oy) * g.OW + ox) * g.C + c;
const colAt = (g: Geom, n: number, oy: number, ox: number, ky: number, kx: number, c: number) =>
  ((n * g.OH + oy) * g.OW + ox) * g.KH * g.KW * g.C + (ky * g.KW + kx) * g.C + c;

/** col[(n, oy, ox), (ky·KW + kx)·C + c] = x[n, iy, ix, c], 0 where the window is padded. */
export function im2colRef(x: ArrayLike<number>, g: Geom): Float64Array {
  const col = new Float64Array(colSize(g));
  forWindows(g, (n, oy, ox, ky, kx, iy, ix, ok) => {
    if (ok) for (let c = 0; c < g.C; c++) col[colAt(g, n, oy, ox, ky, kx, c)] = x[xAt(g, n, iy, ix, c)];
  });
  return col;
}

/** Accumulation result: values, Σ|terms| and the number of terms per element. */
export interface Sums { v: Float64Array; abs: Float64Array; terms: Int32Array }

function sums(n: number): Sums {
  return { v: new Float64Array(n), abs: new Float64Array(n), terms: new Int32Array(n) };
}

function add(s: Sums, i: number, t: number): void {
  s.v[i] += t; s.abs[i] += Math.abs(t); s.terms[i]++;
}

/** The adjoint of im2col: every col entry added back to the pixel it was copied from. */
export function col2imRef(col: ArrayLike<number>, g: Geom): Sums {
  const dx = sums(inSize(g));
  forWindows(g, (n, oy, ox, ky, kx, iy, ix, ok) => {
    if (ok) for (let c = 0; c < g.C; c++) add(dx, xAt(g, n, iy, ix, c), col[colAt(g, n, oy, ox, ky, kx, c)]);
  });
  return dx;
}

/** Max over in-bounds positions; idx = iy·W + ix of the first maximum in row-major window order. */
export function maxPoolRef(x: ArrayLike<number>, g: Geom): { y: Float64Array; idx: Int32Array } {
  const y = new Float64Array(outSize(g)).fill(-Infinity), idx = new Int32Array(outSize(g)).fill(-1);
  forWindows(g, (n, oy, ox, _ky, _kx, iy, ix, ok) => {
    if (!ok) return;
    for (let c = 0; c < g.C; c++) {
      const o = yAt(g, n, oy, ox, c), v = x[xAt(g, n, iy, ix, c)];
      if (idx[o] < 0 || v > y[o]) { y[o] = v; idx[o] = iy * g.W + ix; }
    }
  });
  return { y, idx };
}

/** dx[n, idx, c] += dy[n, oy, ox, c]. */
export function maxPoolBackwardRef(dy: ArrayLike<number>, idx: ArrayLike<number>, g: Geom): Sums {
  const dx = sums(inSize(g));
  for (let n = 0; n < g.N; n++) for (let p = 0; p < g.OH * g.OW; p++) for (let c = 0; c < g.C; c++) {
    const o = (n * g.OH * g.OW + p) * g.C + c;
    add(dx, (n * g.H * g.W + idx[o]) * g.C + c, dy[o]);
  }
  return dx;
}

/** Mean over the in-bounds positions of each window (TF 'same': padded ones are not counted). */
export function avgPoolRef(x: ArrayLike<number>, g: Geom): Sums {
  const y = sums(outSize(g));
  forWindows(g, (n, oy, ox, _ky, _kx, iy, ix, ok) => {
    if (ok) for (let c = 0; c < g.C; c++) add(y, yAt(g, n, oy, ox, c), x[xAt(g, n, iy, ix, c)]);
  });
  for (let i = 0; i < y.v.length; i++) { y.v[i] /= y.terms[i]; y.abs[i] /= y.terms[i]; }
  return y;
}

/** dx[pixel] += dy[window] / (in-bounds count of that window), over every window holding the pixel. */
export function avgPoolBackwardRef(dy: ArrayLike<number>, g: Geom): Sums {
  const count = new Int32Array(g.N * g.OH * g.OW);
  forWindows(g, (n, oy, ox, _ky, _kx, _iy, _ix, ok) => { if (ok) count[(n * g.OH + oy) * g.OW + ox]++; });
  const dx = sums(inSize(g));
  forWindows(g, (n, oy, ox, _ky, _kx, iy, ix, ok) => {
    if (!ok) return;
    const k = count[(n * g.OH + oy) * g.OW + ox];
    for (let c = 0; c < g.C; c++) add(dx, xAt(g, n, iy, ix, c), dy[yAt(g, n, oy, ox, c)] / k);
  });
  return dx;
}

// ---- normalization: x [N, S, C], statistics per (sample, group of C/G consecutive channels).
// Batch norm over [rows, C] is the case N = 1, S = rows, G = C.

export interface NormFwd {
  y: Float64Array; mean: Float64Array; variance: Float64Array; invstd: Float64Array;
  /** Σ|x|/M and Σx²/M per statistics set: the scales of the f64 sums' rounding errors. */
  meanAbs: Float64Array; meanSq: Float64Array;
}

/** x̂ = (x − μ)·r, r = 1/√(σ² + ε) with the biased σ² (two-pass here), y = γ_c·x̂ + β_c. */
export function groupNormRef(
  x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, N: number, S: number, C: number, G: number, eps: number,
): NormFwd {
  const cg = C / G, M = S * cg;
  const mean = new Float64Array(N * G), variance = new Float64Array(N * G), invstd = new Float64Array(N * G);
  const meanAbs = new Float64Array(N * G), meanSq = new Float64Array(N * G);
  const grp = (n: number, c: number) => n * G + Math.floor(c / cg);
  const each = (f: (i: number, gi: number, c: number) => void) => {
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) f((n * S + s) * C + c, grp(n, c), c);
  };
  each((i, gi) => { mean[gi] += x[i]; meanAbs[gi] += Math.abs(x[i]); meanSq[gi] += x[i] * x[i]; });
  for (let gi = 0; gi < N * G; gi++) { mean[gi] /= M; meanAbs[gi] /= M; meanSq[gi] /= M; }
  each((i, gi) => { variance[gi] += (x[i] - mean[gi]) ** 2; });
  for (let gi = 0; gi < N * G; gi++) { variance[gi] /= M; invstd[gi] = 1 / Math.sqrt(variance[gi] + eps); }
  const y = new Float64Array(N * S * C);
  each((i, gi, c) => { y[i] = (x[i] - mean[gi]) * invstd[gi] * gamma[c] + beta[c]; });
  return { y, mean, variance, invstd, meanAbs, meanSq };
}

export interface NormBwd {
  dx: Float64Array; dgamma: Sums; dbeta: Sums;
  /** Per element: r·|g| and r·(Σ|g| + |x̂|·Σ|g·x̂|) of its set, the scales of dx's error. */
  dxLocal: Float64Array; dxSums: Float64Array; M: number;
}

/**
 * dβ_c = Σ dy, dγ_c = Σ dy·x̂ (over n, s), dx = r/M·(M·g − Σg − x̂·Σ(g·x̂)) with g = γ_c·dy and
 * the sums over each statistics set; x̂ from the given (saved) μ and r.
 */
export function groupNormBackwardRef(
  dy: ArrayLike<number>, x: ArrayLike<number>, mean: ArrayLike<number>, invstd: ArrayLike<number>, gamma: ArrayLike<number>,
  N: number, S: number, C: number, G: number,
): NormBwd {
  const cg = C / G, M = S * cg, len = N * S * C;
  const sg = new Float64Array(N * G), sgx = new Float64Array(N * G), ag = new Float64Array(N * G), agx = new Float64Array(N * G);
  const xh = new Float64Array(len), g = new Float64Array(len), gi = new Int32Array(len);
  const dgamma = sums(C), dbeta = sums(C);
  for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) {
    const i = (n * S + s) * C + c, k = n * G + Math.floor(c / cg);
    gi[i] = k; xh[i] = (x[i] - mean[k]) * invstd[k]; g[i] = gamma[c] * dy[i];
    add(dbeta, c, dy[i]); add(dgamma, c, dy[i] * xh[i]);
    sg[k] += g[i]; sgx[k] += g[i] * xh[i]; ag[k] += Math.abs(g[i]); agx[k] += Math.abs(g[i] * xh[i]);
  }
  const dx = new Float64Array(len), dxLocal = new Float64Array(len), dxSums = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const k = gi[i], r = invstd[k];
    dx[i] = (r / M) * (M * g[i] - sg[k] - xh[i] * sgx[k]);
    dxLocal[i] = r * Math.abs(g[i]);
    dxSums[i] = r * (ag[k] + Math.abs(xh[i]) * agx[k]);
  }
  return { dx, dgamma, dbeta, dxLocal, dxSums, M };
}

/** moving = momentum·moving + (1 − momentum)·batch. */
export function emaRef(moving: ArrayLike<number>, batch: ArrayLike<number>, momentum: number): Float64Array {
  return Float64Array.from(moving, (m, i) => momentum * m + (1 - momentum) * batch[i]);
}
