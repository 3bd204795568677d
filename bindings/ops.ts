// Typed wrappers of the wasm exports. Each dtype-generic op `op_f32` / `op_f64` is bound
// once per dtype under the same camelCase name (`gemm_f32` → kernels('float32').gemm), so
// the model layer picks its dtype once and calls kernels with no per-call dispatch.
// Pointers are byte offsets into the runtime's memory; sizes are element counts (usize in
// wasm: non-negative integers below 2³²).
// Argument order, in every kernel: outputs, then RNG state and scratch (`work`, `acc`),
// then inputs, sizes, and scalars or flags last.

export type DType = 'float32' | 'float64';

/** Activation codes understood by biasAct / actBackward (mirrors assembly/activations.ts). */
export const Act = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, leakyRelu: 4, elu: 5 } as const;

/** Modes of prepareScale (mirrors assembly/preprocess.ts): how a divisor is derived from a statistic. */
export const ScaleMode = { copy: 0, std: 1, variance: 2, eig: 3, invEig: 4, sqrt: 5 } as const;

type Ptr = number;

/** The dtype-generic kernels, bound to one dtype. */
export interface Kernels {
  readonly bytes: 4 | 8;
  gemmWorkBytes(m: number, n: number, k: number): number;
  gemm(c: Ptr, work: Ptr, a: Ptr, b: Ptr, m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean): void;
  biasAct(y: Ptr, x: Ptr, bias: Ptr, rows: number, cols: number, act: number, alpha: number): void;
  actBackward(dx: Ptr, dy: Ptr, y: Ptr, n: number, act: number, alpha: number): void;
  prelu(y: Ptr, x: Ptr, alpha: Ptr, rows: number, cols: number): void;
  preluBackward(dx: Ptr, dalpha: Ptr, dy: Ptr, x: Ptr, alpha: Ptr, rows: number, cols: number): void;
  maxout(y: Ptr, idx: Ptr, z: Ptr, rows: number, units: number, pieces: number): void;
  maxoutBackward(dz: Ptr, dy: Ptr, idx: Ptr, rows: number, units: number, pieces: number): void;
  // losses: `w` is one weight per row, or 0 for all ones
  softmaxXent(dlogits: Ptr, logits: Ptr, labels: Ptr, w: Ptr, rows: number, cols: number): number;
  softmaxXentDense(dlogits: Ptr, logits: Ptr, targets: Ptr, w: Ptr, rows: number, cols: number): number;
  sigmoidXent(dx: Ptr, x: Ptr, t: Ptr, w: Ptr, rows: number, cols: number): number;
  mse(dp: Ptr, p: Ptr, t: Ptr, w: Ptr, rows: number, cols: number): number;
  mae(dp: Ptr, p: Ptr, t: Ptr, w: Ptr, rows: number, cols: number): number;
  huber(dp: Ptr, p: Ptr, t: Ptr, w: Ptr, rows: number, cols: number, delta: number): number;
  countArgmaxHits(x: Ptr, labels: Ptr, rows: number, cols: number): number;
  countArgmaxMatches(x: Ptr, t: Ptr, rows: number, cols: number): number;
  countBinaryHits(x: Ptr, t: Ptr, n: number, threshold: number): number;
  countTopKHits(x: Ptr, t: Ptr, rows: number, cols: number, k: number, dense: boolean): number;
  softmax(y: Ptr, x: Ptr, rows: number, cols: number): void;
  softmaxBackward(dx: Ptr, dy: Ptr, y: Ptr, rows: number, cols: number): void;
  argMax(out: Ptr, x: Ptr, rows: number, cols: number): void;
  oneHot(out: Ptr, labels: Ptr, rows: number, depth: number): void;
  sumSquaredDiff(a: Ptr, b: Ptr, n: number): number;
  countZeros(x: Ptr, n: number): number;
  // optimizers: outputs first (they may alias the inputs); return the non-finite count of pOut
  sgdStep(pOut: Ptr, bufOut: Ptr, p: Ptr, g: Ptr, buf: Ptr, n: number, lr: number, momentum: number, dampening: number, nesterov: boolean, weightDecay: number, first: boolean): number;
  rmspropStep(pOut: Ptr, sqOut: Ptr, gaOut: Ptr, bufOut: Ptr, p: Ptr, g: Ptr, squareAvg: Ptr, gradAvg: Ptr, buf: Ptr, n: number, lr: number, rho: number, eps: number, momentum: number, centered: boolean, weightDecay: number): number;
  adagradStep(pOut: Ptr, sumOut: Ptr, p: Ptr, g: Ptr, sum: Ptr, n: number, lr: number, eps: number, lrDecay: number, weightDecay: number, t: number): number;
  adamStep(pOut: Ptr, mOut: Ptr, vOut: Ptr, p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, t: number): number;
  adamwStep(pOut: Ptr, mOut: Ptr, vOut: Ptr, p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, t: number): number;
  // random numbers: `state` is one 16-byte xoshiro128** stream (assembly/rng.ts), advanced in place
  rngUniform(out: Ptr, state: Ptr, n: number, lo: number, hi: number): void;
  rngNormal(out: Ptr, state: Ptr, scratch: Ptr, n: number, mean: number, std: number, truncate: boolean): void;
  dropout(y: Ptr, mask: Ptr, state: Ptr, x: Ptr, n: number, rate: number): void;
  colSum(out: Ptr, x: Ptr, rows: number, cols: number, accumulate: boolean): void;
  mul(out: Ptr, a: Ptr, b: Ptr, n: number): void;
  sumSquares(x: Ptr, n: number): number;
  firstNonFinite(x: Ptr, n: number): number;
  l2(grad: Ptr, w: Ptr, n: number, lambda: number): number;
  randomShift(out: Ptr, state: Ptr, x: Ptr, count: number, h: number, w: number, c: number, maxShift: number): void;
  // NHWC geometry: (N, H, W, C, KH, KW, SH, SW, padTop, padLeft, OH, OW)
  im2col(col: Ptr, x: Ptr, ...geometry: Geometry): void;
  col2im(dx: Ptr, col: Ptr, ...geometry: Geometry): void;
  maxPool(y: Ptr, idx: Ptr, x: Ptr, ...geometry: Geometry): void;
  maxPoolBackward(dx: Ptr, dy: Ptr, idx: Ptr, N: number, H: number, W: number, C: number, OH: number, OW: number): void;
  avgPool(y: Ptr, x: Ptr, ...geometry: Geometry): void;
  avgPoolBackward(dx: Ptr, dy: Ptr, ...geometry: Geometry): void;
  // recurrent cells (assembly/rnn.ts): time-major [N, k·units] blocks per step, Keras gate order; act codes as Act
  swapAxes(out: Ptr, x: Ptr, a: number, b: number, c: number): void;
  lstmCell(h: Ptr, c: Ptr, ac: Ptr, gates: Ptr, cPrev: Ptr, N: number, U: number, act: number, rec: number): void;
  lstmCellBackward(dgates: Ptr, dc: Ptr, dh: Ptr, gates: Ptr, cPrev: Ptr, ac: Ptr, N: number, U: number, act: number, rec: number): void;
  gruCell(h: Ptr, gates: Ptr, recur: Ptr, hPrev: Ptr, recBias: Ptr, N: number, U: number, act: number, rec: number): void;
  gruCellBackward(dgates: Ptr, drecur: Ptr, dhPrev: Ptr, dh: Ptr, gates: Ptr, recur: Ptr, hPrev: Ptr, N: number, U: number, act: number, rec: number): void;
  // GRU with the reset gate before the recurrent product (resetAfter: false)
  gruGates(rh: Ptr, gates: Ptr, zr: Ptr, hPrev: Ptr, N: number, U: number, rec: number): void;
  gruCandidate(h: Ptr, gates: Ptr, hu: Ptr, hPrev: Ptr, N: number, U: number, act: number): void;
  gruCandidateBackward(dgates: Ptr, dzr: Ptr, dhh: Ptr, dhPrev: Ptr, dh: Ptr, gates: Ptr, hPrev: Ptr, N: number, U: number, act: number, rec: number): void;
  gruResetBackward(dgates: Ptr, dzr: Ptr, dhPrev: Ptr, drh: Ptr, gates: Ptr, hPrev: Ptr, N: number, U: number, rec: number): void;
  /** −1, or the index of the first token that is not an integer in [0, inputDim) */
  embedding(out: Ptr, table: Ptr, tokens: Ptr, n: number, inputDim: number, D: number): number;
  embeddingBackward(dtable: Ptr, dy: Ptr, tokens: Ptr, n: number, inputDim: number, D: number): void;
  // normalization (assembly/norm.ts): `acc` is f64 scratch, 2·C (batch norm) or 2·N·G (group norm) values
  batchNormTrain(y: Ptr, mean: Ptr, invstd: Ptr, variance: Ptr, acc: Ptr, x: Ptr, gamma: Ptr, beta: Ptr, rows: number, C: number, eps: number): void;
  batchNormInfer(y: Ptr, invstd: Ptr, x: Ptr, movingMean: Ptr, movingVar: Ptr, gamma: Ptr, beta: Ptr, rows: number, C: number, eps: number): void;
  batchNormBackward(dx: Ptr, dgamma: Ptr, dbeta: Ptr, acc: Ptr, dy: Ptr, x: Ptr, mean: Ptr, invstd: Ptr, gamma: Ptr, rows: number, C: number): void;
  ema(moving: Ptr, batch: Ptr, n: number, momentum: number): void;
  groupNorm(y: Ptr, mean: Ptr, invstd: Ptr, acc: Ptr, x: Ptr, gamma: Ptr, beta: Ptr, N: number, S: number, C: number, G: number, eps: number): void;
  groupNormBackward(dx: Ptr, dgamma: Ptr, dbeta: Ptr, acc: Ptr, dy: Ptr, x: Ptr, mean: Ptr, invstd: Ptr, gamma: Ptr, N: number, S: number, C: number, G: number): void;
  // diagnostics: out f64[6] = [Σ(x−shift), Σ(x−shift)², #zeros, #|x−center|>threshold, min, max]; counts f64[bins] (accumulated)
  activationStats(out: Ptr, x: Ptr, n: number, shift: number, center: number, threshold: number): void;
  histogram(counts: Ptr, x: Ptr, n: number, bins: number, lo: number, hi: number): void;
  // preprocessing (assembly/preprocess.ts, assembly/linalg.ts): x, y in T; statistics, scales, components f64
  colMoments(mean: Ptr, variance: Ptr, x: Ptr, rows: number, cols: number): void;
  standardize(y: Ptr, x: Ptr, mean: Ptr, div: Ptr, rows: number, cols: number): void;
  unstandardize(x: Ptr, y: Ptr, mean: Ptr, div: Ptr, rows: number, cols: number): void;
  prepareScale(out: Ptr, v: Ptr, n: number, mode: number, eps: number): void;
  covariance(cov: Ptr, work: Ptr, x: Ptr, mean: Ptr, rows: number, cols: number): void;
  project(y: Ptr, work: Ptr, x: Ptr, mean: Ptr, components: Ptr, div: Ptr, rows: number, D: number, k: number): void;
  unproject(x: Ptr, work: Ptr, y: Ptr, mul: Ptr, components: Ptr, mean: Ptr, rows: number, k: number, D: number): void;
  // merge layers and gradient sums (assembly/merge.ts): out may alias the inputs
  addTo(out: Ptr, a: Ptr, b: Ptr, n: number): void;
  subTo(out: Ptr, a: Ptr, b: Ptr, n: number): void;
  scaleTo(out: Ptr, x: Ptr, n: number, s: number): void;
  maxMerge(out: Ptr, idx: Ptr, x: Ptr, n: number, which: number): void;
  selectGrad(dx: Ptr, dy: Ptr, idx: Ptr, n: number, which: number): void;
}

/** N, H, W, C, KH, KW, SH, SW, padTop, padLeft, OH, OW */
export type Geometry = [number, number, number, number, number, number, number, number, number, number, number, number];

const GENERIC_OPS = [
  'gemmWorkBytes', 'gemm', 'biasAct', 'actBackward', 'prelu', 'preluBackward', 'maxout', 'maxoutBackward',
  'softmaxXent', 'softmaxXentDense', 'sigmoidXent', 'mse', 'mae', 'huber', 'countArgmaxHits', 'countArgmaxMatches', 'countBinaryHits',
  'countTopKHits', 'softmax', 'softmaxBackward', 'argMax', 'oneHot', 'sumSquaredDiff', 'countZeros',
  'sgdStep', 'rmspropStep', 'adagradStep', 'adamStep', 'adamwStep',
  'swapAxes', 'lstmCell', 'lstmCellBackward', 'gruCell', 'gruCellBackward', 'gruGates', 'gruCandidate', 'gruCandidateBackward', 'gruResetBackward',
  'embedding', 'embeddingBackward',
  'rngUniform', 'rngNormal', 'dropout', 'colSum', 'mul', 'sumSquares', 'firstNonFinite', 'l2', 'randomShift',
  'im2col', 'col2im', 'maxPool', 'maxPoolBackward', 'avgPool', 'avgPoolBackward',
  'batchNormTrain', 'batchNormInfer', 'batchNormBackward', 'ema', 'groupNorm', 'groupNormBackward',
  'activationStats', 'histogram',
  'colMoments', 'standardize', 'unstandardize', 'prepareScale', 'covariance', 'project', 'unproject',
  'addTo', 'subTo', 'scaleTo', 'maxMerge', 'selectGrad',
] as const satisfies readonly Exclude<keyof Kernels, 'bytes'>[];

/** The raw exports: generic ops as `snake_case_f32|f64`, plus the dtype-free ones below. */
export interface Exports {
  [name: string]: unknown;
  heap_base(): number;
  rng_seed(state: Ptr, seedLo: number, seedHi: number, stream: number): void;
  shuffle_i32(perm: Ptr, state: Ptr, n: number): void;
  covariance_work_bytes(cols: number): number;
  project_work_bytes(K: number, M: number): number;
  /** 0 on success, 1 if the QL iteration did not converge (assembly/linalg.ts symEig). */
  sym_eig_f64(vectors: Ptr, values: Ptr, work: Ptr, a: Ptr, n: number): number;
  gather_rows(out: Ptr, x: Ptr, idx: Ptr, count: number, rowBytes: number): void;
  /** Strided byte-block copy (concatenate and its backward); blocks must not overlap. */
  copy_rows(dst: Ptr, src: Ptr, rows: number, rowBytes: number, dstStride: number, srcStride: number): void;
  math_pow(x: number, y: number): number;
  math_cos(x: number): number;
  math_exp(x: number): number;
  math_log(x: number): number;
}

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

export function bindKernels(ex: Exports, suffix: 'f32' | 'f64'): Kernels {
  const k: Record<string, unknown> = { bytes: suffix === 'f32' ? 4 : 8 };
  for (const op of GENERIC_OPS) {
    const fn = ex[`${snakeCase(op)}_${suffix}`];
    if (typeof fn !== 'function') throw new Error(`simdnet wasm is missing export ${snakeCase(op)}_${suffix}`);
    k[op] = fn;
  }
  // NOTE: usize results come back as i32; read them unsigned so sizes above 2 GiB stay positive
  const workBytes = k.gemmWorkBytes as (m: number, n: number, kk: number) => number;
  k.gemmWorkBytes = (m: number, n: number, kk: number) => workBytes(m, n, kk) >>> 0;
  return k as unknown as Kernels;
}
