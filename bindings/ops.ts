// The kernel interfaces. Each dtype-generic export `op_f32` / `op_f64` is bound once per
// dtype under the same camelCase name (`gemm_f32` → kernels('float32').gemm), so the model
// layer picks its dtype once and calls kernels with no per-call dispatch.
//
// Two levels:
// - `Kernels` (what src/ calls): buffers are Operands — WasmTensors or views of them
//   (bindings/wasm-tensor.ts) — and `null` where a kernel takes "none". bindings/kernels.ts
//   turns them into addresses; in the debug build it first checks each one's dtype, that it
//   is not freed, that it holds what the sizes ask for, and the aliasing the kernel forbids
//   (bindings/checks.ts).
// - `RawKernels`: the same kernels over byte addresses (numbers; 0 for "none"), no checks.
//   The thread wrappers (bindings/parallel.ts) work at this level, and the kernel tests call
//   it with odd offsets and guard bytes.
// Sizes are element counts (usize in wasm: non-negative integers below 2³²).
// Argument order, in every kernel: outputs, then RNG state and scratch (`work`, `acc`),
// then inputs, sizes, and scalars or flags last.

import type { Operand } from './wasm-tensor.js';

export type DType = 'float32' | 'float64';

/** Activation codes understood by biasAct / actBackward (mirrors assembly/activations.ts). */
export const Act = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, leakyRelu: 4, elu: 5 } as const;

/** Modes of prepareScale (mirrors assembly/preprocess.ts): how a divisor is derived from a statistic. */
export const ScaleMode = { copy: 0, std: 1, variance: 2, eig: 3, invEig: 4, sqrt: 5 } as const;

type Buf = Operand;
/** A buffer a kernel may go without (the raw kernel gets address 0). */
type Opt = Operand | null;

/** Window geometry of the NHWC kernels (convolution, pooling), as conv2d and the pooling layers compute it. */
export interface Geometry {
  H: number; W: number; C: number;
  KH: number; KW: number; SH: number; SW: number;
  padTop: number; padLeft: number; OH: number; OW: number;
}

/** The dtype-generic kernels, bound to one dtype, over tensors. */
export interface Kernels {
  readonly bytes: 4 | 8;
  gemmWorkBytes(m: number, n: number, k: number): number;
  gemm(c: Buf, work: Buf, a: Buf, b: Buf, m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean): void;
  biasAct(y: Buf, x: Buf, bias: Opt, rows: number, cols: number, act: number, alpha: number): void;
  actBackward(dx: Buf, dy: Buf, y: Buf, n: number, act: number, alpha: number): void;
  prelu(y: Buf, x: Buf, alpha: Buf, rows: number, cols: number): void;
  preluBackward(dx: Buf, dalpha: Buf, dy: Buf, x: Buf, alpha: Buf, rows: number, cols: number): void;
  maxout(y: Buf, idx: Buf, z: Buf, rows: number, units: number, pieces: number): void;
  maxoutBackward(dz: Buf, dy: Buf, idx: Buf, rows: number, units: number, pieces: number): void;
  // losses: the gradient is null for "value only"; `w` is one weight per row, or null for all ones
  softmaxXent(dlogits: Opt, logits: Buf, labels: Buf, w: Opt, rows: number, cols: number): number;
  softmaxXentDense(dlogits: Opt, logits: Buf, targets: Buf, w: Opt, rows: number, cols: number): number;
  sigmoidXent(dx: Opt, x: Buf, t: Buf, w: Opt, rows: number, cols: number): number;
  mse(dp: Opt, p: Buf, t: Buf, w: Opt, rows: number, cols: number): number;
  mae(dp: Opt, p: Buf, t: Buf, w: Opt, rows: number, cols: number): number;
  huber(dp: Opt, p: Buf, t: Buf, w: Opt, rows: number, cols: number, delta: number): number;
  countArgmaxHits(x: Buf, labels: Buf, rows: number, cols: number): number;
  countArgmaxMatches(x: Buf, t: Buf, rows: number, cols: number): number;
  countBinaryHits(x: Buf, t: Buf, n: number, threshold: number): number;
  countTopKHits(x: Buf, t: Buf, rows: number, cols: number, k: number, dense: boolean): number;
  softmax(y: Buf, x: Buf, rows: number, cols: number): void;
  softmaxBackward(dx: Buf, dy: Buf, y: Buf, rows: number, cols: number): void;
  argMax(out: Buf, x: Buf, rows: number, cols: number): void;
  oneHot(out: Buf, labels: Buf, rows: number, depth: number): void;
  sumSquaredDiff(a: Buf, b: Buf, n: number): number;
  countZeros(x: Buf, n: number): number;
  // optimizers: outputs first (they may alias the inputs); return the non-finite count of pOut; absent slots are null
  sgdStep(pOut: Buf, bufOut: Opt, p: Buf, g: Buf, buf: Opt, n: number, lr: number, momentum: number, dampening: number, nesterov: boolean, weightDecay: number, first: boolean): number;
  rmspropStep(pOut: Buf, sqOut: Buf, gaOut: Opt, bufOut: Opt, p: Buf, g: Buf, squareAvg: Buf, gradAvg: Opt, buf: Opt, n: number, lr: number, rho: number, eps: number, momentum: number, centered: boolean, weightDecay: number): number;
  adagradStep(pOut: Buf, sumOut: Buf, p: Buf, g: Buf, sum: Buf, n: number, lr: number, eps: number, lrDecay: number, weightDecay: number, t: number): number;
  adamStep(pOut: Buf, mOut: Buf, vOut: Buf, p: Buf, g: Buf, m: Buf, v: Buf, n: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, t: number): number;
  adamwStep(pOut: Buf, mOut: Buf, vOut: Buf, p: Buf, g: Buf, m: Buf, v: Buf, n: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, t: number): number;
  // random numbers: `state` is one 16-byte xoshiro128** stream (int32 [4], assembly/rng.ts), advanced in place
  rngUniform(out: Buf, state: Buf, n: number, lo: number, hi: number): void;
  rngNormal(out: Buf, state: Buf, scratch: Buf, n: number, mean: number, std: number, truncate: boolean): void;
  dropout(y: Buf, mask: Buf, state: Buf, x: Buf, n: number, rate: number): void;
  colSum(out: Buf, x: Buf, rows: number, cols: number, accumulate: boolean): void;
  mul(out: Buf, a: Buf, b: Buf, n: number): void;
  sumSquares(x: Buf, n: number): number;
  firstNonFinite(x: Buf, n: number): number;
  l2(grad: Buf, w: Buf, n: number, lambda: number): number;
  randomShift(out: Buf, state: Buf, x: Buf, count: number, h: number, w: number, c: number, maxShift: number): void;
  // convolutions of N NHWC images, F filters, w [KH·KW·C, F] (assembly/conv.ts): im2col a
  // chunk of images at a time inside `work` (convWorkBytes(g, F) bytes); the raw kernels take
  // the geometry as 11 integers after N, then F
  convWorkBytes(g: Geometry, F: number): number;
  convForward(y: Buf, work: Buf, x: Buf, w: Buf, N: number, g: Geometry, F: number): void;
  convInputGrad(dx: Buf, work: Buf, dy: Buf, w: Buf, N: number, g: Geometry, F: number): void;
  convFilterGrad(dw: Buf, work: Buf, x: Buf, dy: Buf, N: number, g: Geometry, F: number): void;
  // NHWC windows over N images (the raw kernels take the geometry as 11 integers after N)
  maxPool(y: Buf, idx: Buf, x: Buf, N: number, g: Geometry): void;
  maxPoolBackward(dx: Buf, dy: Buf, idx: Buf, N: number, g: Geometry): void;
  avgPool(y: Buf, x: Buf, N: number, g: Geometry): void;
  avgPoolBackward(dx: Buf, dy: Buf, N: number, g: Geometry): void;
  // recurrent cells (assembly/rnn.ts): time-major [N, k·units] blocks per step, Keras gate order; act codes as Act
  swapAxes(out: Buf, x: Buf, a: number, b: number, c: number): void;
  lstmCell(h: Buf, c: Buf, ac: Buf, gates: Buf, cPrev: Opt, N: number, U: number, act: number, rec: number): void;
  lstmCellBackward(dgates: Buf, dc: Buf, dh: Buf, gates: Buf, cPrev: Opt, ac: Buf, N: number, U: number, act: number, rec: number): void;
  gruCell(h: Buf, gates: Buf, recur: Buf, hPrev: Opt, recBias: Opt, N: number, U: number, act: number, rec: number): void;
  gruCellBackward(dgates: Buf, drecur: Buf, dhPrev: Opt, dh: Buf, gates: Buf, recur: Buf, hPrev: Opt, N: number, U: number, act: number, rec: number): void;
  // GRU with the reset gate before the recurrent product (resetAfter: false)
  gruGates(rh: Buf, gates: Buf, zr: Opt, hPrev: Opt, N: number, U: number, rec: number): void;
  gruCandidate(h: Buf, gates: Buf, hu: Opt, hPrev: Opt, N: number, U: number, act: number): void;
  gruCandidateBackward(dgates: Buf, dzr: Buf, dhh: Buf, dhPrev: Opt, dh: Buf, gates: Buf, hPrev: Opt, N: number, U: number, act: number, rec: number): void;
  gruResetBackward(dgates: Buf, dzr: Buf, dhPrev: Opt, drh: Opt, gates: Buf, hPrev: Opt, N: number, U: number, rec: number): void;
  /** −1, or the index of the first token that is not an integer in [0, inputDim) */
  embedding(out: Buf, table: Buf, tokens: Buf, n: number, inputDim: number, D: number): number;
  embeddingBackward(dtable: Buf, dy: Buf, tokens: Buf, n: number, inputDim: number, D: number): void;
  // normalization (assembly/norm.ts): `acc` is f64 scratch, 2·C (batch norm) or 2·N·G (group norm) values
  batchNormTrain(y: Buf, mean: Buf, invstd: Buf, variance: Buf, acc: Buf, x: Buf, gamma: Buf, beta: Buf, rows: number, C: number, eps: number): void;
  batchNormInfer(y: Buf, invstd: Buf, x: Buf, movingMean: Buf, movingVar: Buf, gamma: Buf, beta: Buf, rows: number, C: number, eps: number): void;
  batchNormBackward(dx: Buf, dgamma: Buf, dbeta: Buf, acc: Buf, dy: Buf, x: Buf, mean: Buf, invstd: Buf, gamma: Buf, rows: number, C: number): void;
  ema(moving: Buf, batch: Buf, n: number, momentum: number): void;
  groupNorm(y: Buf, mean: Buf, invstd: Buf, acc: Buf, x: Buf, gamma: Buf, beta: Buf, N: number, S: number, C: number, G: number, eps: number): void;
  groupNormBackward(dx: Buf, dgamma: Buf, dbeta: Buf, acc: Buf, dy: Buf, x: Buf, mean: Buf, invstd: Buf, gamma: Buf, N: number, S: number, C: number, G: number): void;
  // diagnostics: out f64[6] = [Σ(x−shift), Σ(x−shift)², #zeros, #|x−center|>threshold, min, max]; counts f64[bins] (accumulated)
  activationStats(out: Buf, x: Buf, n: number, shift: number, center: number, threshold: number): void;
  histogram(counts: Buf, x: Buf, n: number, bins: number, lo: number, hi: number): void;
  // preprocessing (assembly/preprocess.ts, assembly/linalg.ts): x, y in T; statistics, scales, components f64
  colMoments(mean: Buf, variance: Buf, x: Buf, rows: number, cols: number): void;
  standardize(y: Buf, x: Buf, mean: Buf, div: Buf, rows: number, cols: number): void;
  unstandardize(x: Buf, y: Buf, mean: Buf, div: Buf, rows: number, cols: number): void;
  prepareScale(out: Buf, v: Buf, n: number, mode: number, eps: number): void;
  covariance(cov: Buf, work: Buf, x: Buf, mean: Buf, rows: number, cols: number): void;
  project(y: Buf, work: Buf, x: Buf, mean: Buf, components: Buf, div: Opt, rows: number, D: number, k: number): void;
  unproject(x: Buf, work: Buf, y: Buf, mul: Opt, components: Buf, mean: Opt, rows: number, k: number, D: number): void;
  // merge layers and gradient sums (assembly/merge.ts): out may alias the inputs
  addTo(out: Buf, a: Buf, b: Buf, n: number): void;
  subTo(out: Buf, a: Buf, b: Buf, n: number): void;
  scaleTo(out: Buf, x: Buf, n: number, s: number): void;
  maxMerge(out: Buf, idx: Buf, x: Buf, n: number, which: number): void;
  selectGrad(dx: Buf, dy: Buf, idx: Buf, n: number, which: number): void;
  // dtype-free kernels, the same function in both dtypes' objects (symEig is always f64)
  /** out[i, :] = x[idx[i], :] for i < count (idx int32); rows of rowBytes bytes of any dtype. */
  gatherRows(out: Buf, x: Buf, idx: Buf, count: number, rowBytes: number): void;
  /** Strided byte-block copy (concatenate and its backward); blocks must not overlap. */
  copyRows(dst: Buf, src: Buf, rows: number, rowBytes: number, dstStride: number, srcStride: number): void;
  /** Fisher–Yates shuffle of an int32 array in place. */
  shuffle(perm: Buf, state: Buf, n: number): void;
  rngSeed(state: Buf, seedLo: number, seedHi: number, stream: number): void;
  /** 0 on success, 1 if the QL iteration did not converge (assembly/linalg.ts symEig). */
  symEig(vectors: Buf, values: Buf, work: Buf, a: Buf, n: number): number;
  covarianceWorkBytes(cols: number): number;
  projectWorkBytes(K: number, M: number): number;
}

/** The kernels' names (what bindings/checks.ts has a rule for). */
export type KernelName = Exclude<keyof Kernels, 'bytes' | 'gemmWorkBytes' | 'convWorkBytes' | 'covarianceWorkBytes' | 'projectWorkBytes'>;

/** A kernel's signature over byte addresses: every Operand (or null) becomes a number. */
type RawOf<F> = F extends (...args: infer A) => infer R ? (...args: { [I in keyof A]: A[I] extends Opt ? number : A[I] }) => R : F;

/** H, W, C, KH, KW, SH, SW, padTop, padLeft, OH, OW: the window kernels' integers after N. */
export type GeometryArgs = [number, number, number, number, number, number, number, number, number, number, number];

type WindowOp = 'convWorkBytes' | 'convForward' | 'convInputGrad' | 'convFilterGrad' | 'maxPool' | 'maxPoolBackward' | 'avgPool' | 'avgPoolBackward';

/** The kernels over byte addresses (0 for "none"): the exports themselves, and the thread wrappers. */
export type RawKernels = { [K in Exclude<keyof Kernels, WindowOp>]: RawOf<Kernels[K]> } & {
  convWorkBytes(...geometryAndF: [...GeometryArgs, number]): number;
  convForward(y: number, work: number, x: number, w: number, N: number, ...geometryAndF: [...GeometryArgs, number]): void;
  convInputGrad(dx: number, work: number, dy: number, w: number, N: number, ...geometryAndF: [...GeometryArgs, number]): void;
  /** The rows of dW for window taps [t0, t0 + taps) (dw points at the first): a thread's share; the whole is t0 0, taps KH·KW. */
  convFilterGrad(dw: number, work: number, x: number, dy: number, N: number, ...geometryFTaps: [...GeometryArgs, number, number, number]): void;
  maxPool(y: number, idx: number, x: number, N: number, ...geometry: GeometryArgs): void;
  maxPoolBackward(dx: number, dy: number, idx: number, N: number, H: number, W: number, C: number, OH: number, OW: number): void;
  avgPool(y: number, x: number, N: number, ...geometry: GeometryArgs): void;
  avgPoolBackward(dx: number, dy: number, N: number, ...geometry: GeometryArgs): void;
};

const GENERIC_OPS = [
  'gemmWorkBytes', 'gemm', 'biasAct', 'actBackward', 'prelu', 'preluBackward', 'maxout', 'maxoutBackward',
  'softmaxXent', 'softmaxXentDense', 'sigmoidXent', 'mse', 'mae', 'huber', 'countArgmaxHits', 'countArgmaxMatches', 'countBinaryHits',
  'countTopKHits', 'softmax', 'softmaxBackward', 'argMax', 'oneHot', 'sumSquaredDiff', 'countZeros',
  'sgdStep', 'rmspropStep', 'adagradStep', 'adamStep', 'adamwStep',
  'swapAxes', 'lstmCell', 'lstmCellBackward', 'gruCell', 'gruCellBackward', 'gruGates', 'gruCandidate', 'gruCandidateBackward', 'gruResetBackward',
  'embedding', 'embeddingBackward',
  'rngUniform', 'rngNormal', 'dropout', 'colSum', 'mul', 'sumSquares', 'firstNonFinite', 'l2', 'randomShift',
  'convWorkBytes', 'convForward', 'convInputGrad', 'convFilterGrad', 'maxPool', 'maxPoolBackward', 'avgPool', 'avgPoolBackward',
  'batchNormTrain', 'batchNormInfer', 'batchNormBackward', 'ema', 'groupNorm', 'groupNormBackward',
  'activationStats', 'histogram',
  'colMoments', 'standardize', 'unstandardize', 'prepareScale', 'covariance', 'project', 'unproject',
  'addTo', 'subTo', 'scaleTo', 'maxMerge', 'selectGrad',
] as const satisfies readonly Exclude<keyof Kernels, 'bytes'>[];

/** The dtype-free kernels: binding name → export (bound alike in both dtypes' objects). */
const SHARED_OPS = {
  gatherRows: 'gather_rows', copyRows: 'copy_rows', shuffle: 'shuffle_i32', rngSeed: 'rng_seed', symEig: 'sym_eig_f64',
  covarianceWorkBytes: 'covariance_work_bytes', projectWorkBytes: 'project_work_bytes',
} as const satisfies Partial<Record<keyof Kernels, string>>;

type Ptr = number;

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

/** The exports of one dtype (and the dtype-free ones) under their binding names, over addresses. */
export function bindRaw(ex: Exports, suffix: 'f32' | 'f64'): RawKernels {
  const k: Record<string, unknown> = { bytes: suffix === 'f32' ? 4 : 8 };
  const bind = (op: string, name: string) => {
    const fn = ex[name];
    if (typeof fn !== 'function') throw new Error(`simdnet wasm is missing export ${name}`);
    k[op] = fn;
  };
  for (const op of GENERIC_OPS) bind(op, `${snakeCase(op)}_${suffix}`);
  for (const [op, name] of Object.entries(SHARED_OPS)) bind(op, name);
  // NOTE: usize results come back as i32; read them unsigned so sizes above 2 GiB stay positive
  for (const op of ['gemmWorkBytes', 'covarianceWorkBytes', 'projectWorkBytes']) {
    const fn = k[op] as (...sizes: number[]) => number;
    k[op] = (a: number, b: number, c: number) => fn(a, b, c) >>> 0;
  }
  // fixed parameters, not (...sizes): the threaded conv kernels call this per call (no rest array)
  const convWork = k.convWorkBytes as (...sizes: number[]) => number;
  k.convWorkBytes = (H: number, W: number, C: number, KH: number, KW: number, SH: number, SW: number, pt: number, pl: number,
    OH: number, OW: number, F: number) => convWork(H, W, C, KH, KW, SH, SW, pt, pl, OH, OW, F) >>> 0;
  return k as unknown as RawKernels;
}

/** True when the module is the debug build (its `debug_checks` export says so): the bindings then check every call. */
export function isDebugBuild(ex: Exports): boolean {
  return typeof ex.debug_checks === 'function' && (ex.debug_checks as () => number)() !== 0;
}
