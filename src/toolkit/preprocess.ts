// preprocess: CS231n's data preprocessing, fitted on the training data and applied
// unchanged to validation and test data ("compute the mean on the training set only").
//
//   zeroCenter({per})     x − μ                          per 'feature': the mean image
//                                                         (AlexNet); per 'channel': one mean
//                                                         per channel, the last axis (VGG)
//   standardize({per})    (x − μ)/σ                      σ the population standard deviation;
//                                                         a constant feature (σ = 0) is only
//                                                         centred (sklearn's StandardScaler)
//   pca({components, whiten, epsilon})
//                         (x − μ)·U_k  [÷ √(λ + ε)]       U_k: the top-k eigenvectors of the
//                                                         covariance X_cᵀX_c/N (÷N, as the
//                                                         lecture notes' recipe), λ their
//                                                         eigenvalues, ε = 1e-5 by default
//
// Each has fit(x) (returns itself), transform(x), inverseTransform(x) (for PCA the
// projection back, x̂ = y·U_kᵀ + μ after undoing the whitening scale: exact when k = D,
// the best rank-k approximation otherwise), toJSON() and preprocess.fromJSON(json), which
// gives a preprocessor whose transforms are bit-identical (JSON numbers round-trip f64
// exactly; the kernels store −0 as +0 so that nothing is lost).
//
// Data: x is a Tensor [N, ...] (float32 or float64), nested arrays (float32, as tensor()
// makes them), or a flat Float32Array/Float64Array with the per-sample shape from the
// `inputShape` option (for fit) or the fitted one. Outputs are Tensors of x's dtype.
// 'feature' statistics are over N for each of the Π(per-sample shape) features; 'channel'
// statistics over N·H·W (every axis but the last) for each channel; PCA always works on
// the flattened features.
//
// Precision and determinism. Statistics are computed in wasm in float64 whatever x's dtype
// (assembly/preprocess.ts: one-pass shifted sums; assembly/linalg.ts: covariance, projections,
// and the eigendecomposition by Householder tridiagonalization + implicit QL, Numerical
// Recipes tred2/tqli, with eigenvalues sorted descending and each eigenvector's largest
// component positive). Transforms compute in float64 from x promoted exactly and round once
// to x's dtype. Every summation order is fixed, so every runtime gives the same bits.
//
// Errors. Every check runs before anything changes: a fit that throws leaves the previous
// fit in place. Checked: transform before fit; a feature/channel count other than the
// fitted one; PCA components not an integer in [1, features]; an unknown `per`; NaN or
// ±Infinity anywhere in x (found by a wasm scan); unknown option keys.
//
// Speed (8,000 × 784 float32 digits, one core, release build): mean and variance ~20 ms,
// the 784 × 784 covariance ~0.4 s, its eigendecomposition ~0.4 s (see assembly/linalg.ts),
// a transform to 50 components ~60 ms.

import { runtime, WasmTensor, type DType } from '../../bindings/index.js';
import { ScaleMode } from '../../bindings/ops.js';
import { checkFinite, inferInputShape, toFeatures, type Features } from '../model/data.js';
import { checkBool, checkKeys, closest, describe, isPlainObject } from '../options.js';
import { Tensor, shapeStr, type TypedArray } from '../tensor.js';

export type Per = 'feature' | 'channel';
const PERS: readonly Per[] = ['feature', 'channel'];

export interface CenterOptions {
  /** 'feature' (default): one statistic per feature (the mean image); 'channel': one per channel (last axis). */
  per?: Per;
  /** Per-sample shape of a flat typed-array x given to fit (a Tensor carries its own). */
  inputShape?: number[];
}

export interface PCAOptions {
  /** Principal components kept, an integer in [1, features] (default: all features). */
  components?: number;
  /** Divide each component by √(λ + epsilon), so the training data's covariance becomes ≈ I (default false). */
  whiten?: boolean;
  /** Added to each eigenvalue before whitening, ≥ 0 (default 1e-5, as the lecture notes). */
  epsilon?: number;
  /** Per-sample shape of a flat typed-array x given to fit (a Tensor carries its own). */
  inputShape?: number[];
}

export type PreprocessorName = 'zeroCenter' | 'standardize' | 'pca';

/** What toJSON() returns and fromJSON() takes: the factory's options and the fitted state. */
export interface PreprocessorJSON {
  className: PreprocessorName;
  version: number;
  config: Record<string, unknown>;
  /** null until fitted. Arrays of float64 values, row-major. */
  state: {
    /** Per-sample shape seen by fit. */
    inputShape: number[];
    /** Samples the statistics were computed from. */
    samples: number;
    mean: number[];
    /** standardize: population standard deviations. */
    std?: number[];
    /** pca: [k, D], row j the j-th principal axis (column j of U_k). */
    components?: number[];
    /** pca: the k largest eigenvalues of the covariance, descending. */
    eigenvalues?: number[];
    /** pca: trace of the covariance (the sum of all D eigenvalues). */
    totalVariance?: number;
  } | null;
}

const VERSION = 1;

interface Input { data: ArrayLike<number>; n: number; shape: number[]; dtype: DType }
interface FitInfo { inputShape: number[]; samples: number }

/** Common part: input coercion, wasm scratch, JSON. */
export abstract class Preprocessor {
  abstract readonly className: PreprocessorName;
  /** Per-sample shape from the `inputShape` option, for flat typed arrays at fit. */
  protected readonly declaredShape: number[] | null;
  protected fittedShape: number[] | null = null;
  protected samples = 0;

  protected constructor(inputShape: unknown, what: string) {
    if (inputShape === undefined) { this.declaredShape = null; return; }
    this.declaredShape = checkShape(inputShape, `${what} inputShape`);
  }

  /** Whether fit() (or fromJSON with a state) has run. */
  get fitted(): boolean {
    return this.fittedShape !== null;
  }

  /** The per-sample shape fit() saw, or null before fit. */
  get inputShape(): number[] | null {
    return this.fittedShape ? this.fittedShape.slice() : null;
  }

  /** Computes the statistics of x (the training data); returns this. */
  abstract fit(x: Features): this;
  abstract transform(x: Features): Tensor;
  abstract inverseTransform(x: Features): Tensor;
  protected abstract config(): Record<string, unknown>;
  protected abstract stateJSON(): Omit<NonNullable<PreprocessorJSON['state']>, 'inputShape' | 'samples'>;

  /** {className, version, config, state}: plain JSON (JSON.stringify(p) calls this). */
  toJSON(): PreprocessorJSON {
    const config = { ...this.config(), ...(this.declaredShape ? { inputShape: this.declaredShape.slice() } : {}) };
    return {
      className: this.className, version: VERSION, config,
      state: this.fittedShape ? { inputShape: this.fittedShape.slice(), samples: this.samples, ...this.stateJSON() } : null,
    };
  }

  protected requireFitted(what: string): number[] {
    if (!this.fittedShape) throw new Error(`${this.className}.${what}: not fitted yet; call fit(x) on the training data first`);
    return this.fittedShape;
  }

  /**
   * x as flat data, sample count, per-sample shape and dtype. `shape` is used for flat typed
   * arrays (the declared or fitted per-sample shape); Tensors and nested arrays carry theirs.
   */
  protected input(x: Features, shape: number[] | null, what: string): Input {
    let sampleShape: number[];
    if (x instanceof Tensor || (Array.isArray(x) && Array.isArray(x[0]))) sampleShape = inferInputShape(x, what);
    else if (ArrayBuffer.isView(x) || Array.isArray(x)) {
      if (!shape) throw new Error(`${what} is a flat array: pass a Tensor [N, ...] or give the preprocessor an inputShape`);
      sampleShape = shape;
    } else throw new Error(`${what} must be a Tensor, a typed array or an array, got ${describe(x)}`);
    if (x instanceof Int32Array) throw new Error(`${what} must be float32 or float64, got an Int32Array`);
    const f = toFeatures(x, sampleShape, what);
    if (f.n === 0) throw new Error(`${what} has no samples`);
    const dtype: DType = x instanceof Tensor ? (x.dtype as DType) : x instanceof Float64Array ? 'float64' : 'float32';
    return { data: f.data, n: f.n, shape: sampleShape.slice(), dtype };
  }
}

// ---------------------------------------------------------------- wasm helpers

/** Runs fn with a tracker of wasm scratch tensors, all freed afterwards (also on a throw). */
function scratch<R>(fn: (alloc: (shape: number[], dtype: DType, what: string, data?: ArrayLike<number>) => WasmTensor) => R): R {
  const owned: WasmTensor[] = [];
  try {
    return fn((shape, dtype, what, data) => {
      const t = new WasmTensor(shape, dtype, what);
      owned.push(t);
      if (data) t.write(data);
      return t;
    });
  } finally {
    for (const t of owned) t.free();
  }
}

type Alloc = Parameters<Parameters<typeof scratch>[0]>[0];

/** Copies x into wasm (in its dtype) and refuses NaN/±Infinity. */
function upload(alloc: Alloc, x: Input, what: string): WasmTensor {
  const per = x.shape.reduce((a, b) => a * b, 1);
  const t = alloc([x.n * per], x.dtype, what, x.data);
  checkFinite(runtime().kernels[x.dtype], t, x.n * per, per, 0, what);
  return t;
}

/** Reads a tensor into a new Tensor of shape [n, ...shape]. */
function download(t: WasmTensor, shape: number[]): Tensor {
  return new Tensor(t.read() as TypedArray, shape, t.dtype as DType);
}

/** Per-column mean and (biased) variance of x viewed as [rows, cols], in float64. */
function moments(alloc: Alloc, xt: WasmTensor, dtype: DType, rows: number, cols: number): { mean: WasmTensor; variance: WasmTensor } {
  const mean = alloc([cols], 'float64', 'preprocess mean');
  const variance = alloc([cols], 'float64', 'preprocess variance');
  runtime().kernels[dtype].colMoments(mean, variance, xt, rows, cols);
  return { mean, variance };
}

// ---------------------------------------------------------------- zeroCenter / standardize

/** zeroCenter and standardize: one statistic per feature or per channel. */
abstract class ColumnPreprocessor extends Preprocessor {
  readonly per: Per;
  protected meanV: Float64Array | null = null;

  protected constructor(options: CenterOptions | undefined, what: string) {
    checkKeys(options, ['per', 'inputShape'], what);
    super(options?.inputShape, what);
    this.per = checkPer(options?.per ?? 'feature', what);
  }

  /** Per-column mean (copy): [features] for 'feature', [channels] for 'channel'. */
  get mean(): Float64Array | null {
    return this.meanV ? this.meanV.slice() : null;
  }

  /** [rows, cols] of x for this.per; checks cols against `expect` when given. */
  protected layout(x: Input, expect: number | null, what: string): { rows: number; cols: number } {
    const size = x.shape.reduce((a, b) => a * b, 1);
    const cols = this.per === 'feature' ? size : x.shape[x.shape.length - 1];
    if (expect !== null && cols !== expect) {
      const unit = this.per === 'feature' ? 'features' : 'channels (last axis)';
      throw new Error(`${what} has ${cols} ${unit} (per-sample shape ${shapeStr(x.shape)}) but ${this.className} was fitted on ${expect} (per-sample shape ${shapeStr(this.fittedShape!)})`);
    }
    return { rows: (x.n * size) / cols, cols };
  }

  protected config(): Record<string, unknown> {
    return { per: this.per };
  }

  /** The divisors of the map, as float64 in wasm: 1 for zeroCenter, σ (or 1 where σ = 0) for standardize. */
  protected abstract divisor(alloc: Alloc, cols: number): WasmTensor;

  /** Shared fit: the statistics are computed, then committed by `commit` only if nothing threw. */
  protected fitColumns(x: Features, commit: (mean: Float64Array, variance: WasmTensor, alloc: Alloc) => void): void {
    const what = `${this.className}.fit x`;
    const inp = this.input(x, this.declaredShape, what);
    const { rows, cols } = this.layout(inp, null, what);
    scratch((alloc) => {
      const xt = upload(alloc, inp, what);
      const { mean, variance } = moments(alloc, xt, inp.dtype, rows, cols);
      const m = mean.read() as Float64Array;
      commit(m, variance, alloc);
      this.meanV = m;
      this.fittedShape = inp.shape;
      this.samples = inp.n;
    });
  }

  protected apply(x: Features, inverse: boolean): Tensor {
    const what = `${this.className}.${inverse ? 'inverseTransform' : 'transform'} x`;
    const fitted = this.requireFitted(inverse ? 'inverseTransform' : 'transform');
    const inp = this.input(x, this.declaredShape ?? fitted, what);
    const { rows, cols } = this.layout(inp, this.meanV!.length, what);
    return scratch((alloc) => {
      const xt = upload(alloc, inp, what);
      const mean = alloc([cols], 'float64', 'preprocess mean', this.meanV!);
      const div = this.divisor(alloc, cols);
      const k = runtime().kernels[inp.dtype];
      // in place: the kernels allow y = x
      if (inverse) k.unstandardize(xt, xt, mean, div, rows, cols);
      else k.standardize(xt, xt, mean, div, rows, cols);
      return download(xt, [inp.n, ...inp.shape]);
    });
  }

  transform(x: Features): Tensor {
    return this.apply(x, false);
  }

  inverseTransform(x: Features): Tensor {
    return this.apply(x, true);
  }
}

/** x − μ: the mean image ('feature') or the per-channel mean ('channel'). */
export class ZeroCenter extends ColumnPreprocessor {
  readonly className = 'zeroCenter';

  constructor(options?: CenterOptions) {
    super(options, 'zeroCenter');
  }

  fit(x: Features): this {
    this.fitColumns(x, () => {});
    return this;
  }

  protected divisor(alloc: Alloc, cols: number): WasmTensor {
    const t = alloc([cols], 'float64', 'preprocess divisor');
    t.view().fill(1);
    return t;
  }

  protected stateJSON() {
    return { mean: Array.from(this.meanV!) };
  }

  /** @internal fromJSON */
  restore(state: FitInfo, mean: Float64Array): void {
    this.meanV = mean;
    this.fittedShape = state.inputShape.slice();
    this.samples = state.samples;
  }
}

/** (x − μ)/σ per feature or channel; σ = 0 (a constant column) divides by 1. */
export class Standardize extends ColumnPreprocessor {
  readonly className = 'standardize';
  private stdV: Float64Array | null = null;

  constructor(options?: CenterOptions) {
    super(options, 'standardize');
  }

  /** Population standard deviations (copy), or null before fit. */
  get std(): Float64Array | null {
    return this.stdV ? this.stdV.slice() : null;
  }

  fit(x: Features): this {
    let std: Float64Array | null = null;
    this.fitColumns(x, (_mean, variance, alloc) => {
      const s = alloc([variance.size], 'float64', 'preprocess std');
      runtime().kernels.float64.prepareScale(s, variance, variance.size, ScaleMode.sqrt, 0);
      std = s.read() as Float64Array;
    });
    this.stdV = std;
    return this;
  }

  protected divisor(alloc: Alloc, cols: number): WasmTensor {
    const s = alloc([cols], 'float64', 'preprocess std', this.stdV!);
    const t = alloc([cols], 'float64', 'preprocess divisor');
    runtime().kernels.float64.prepareScale(t, s, cols, ScaleMode.std, 0);
    return t;
  }

  protected stateJSON() {
    return { mean: Array.from(this.meanV!), std: Array.from(this.stdV!) };
  }

  /** @internal fromJSON */
  restore(state: FitInfo, mean: Float64Array, std: Float64Array): void {
    this.meanV = mean;
    this.stdV = std;
    this.fittedShape = state.inputShape.slice();
    this.samples = state.samples;
  }
}

// ---------------------------------------------------------------- PCA

interface PCAState { mean: Float64Array; components: Float64Array; eigenvalues: Float64Array; totalVariance: number }

/** PCA on the flattened features, optionally whitened. */
export class PCA extends Preprocessor {
  readonly className = 'pca';
  /** Requested components (null: all features). */
  readonly nComponents: number | null;
  readonly whiten: boolean;
  readonly epsilon: number;
  private st: PCAState | null = null;

  constructor(options?: PCAOptions) {
    checkKeys(options, ['components', 'whiten', 'epsilon', 'inputShape'], 'pca');
    super(options?.inputShape, 'pca');
    const c = options?.components;
    if (c !== undefined && (typeof c !== 'number' || !Number.isInteger(c) || c < 1)) {
      throw new Error(`pca components must be an integer ≥ 1 (and at most the number of features), got ${describe(c)}`);
    }
    this.nComponents = c ?? null;
    this.whiten = checkBool(options?.whiten ?? false, 'pca whiten');
    const eps = options?.epsilon ?? 1e-5;
    if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) throw new Error(`pca epsilon must be a finite number ≥ 0, got ${describe(eps)}`);
    this.epsilon = eps;
  }

  /** Components kept: k (after fit), else the requested number or null. */
  get k(): number | null {
    return this.st ? this.st.eigenvalues.length : this.nComponents;
  }

  get mean(): Float64Array | null {
    return this.st ? this.st.mean.slice() : null;
  }

  /** [k, D]: row j is the j-th principal axis, unit length, its largest component positive (U_k = componentsᵀ). */
  get components(): Tensor | null {
    if (!this.st) return null;
    const D = this.st.mean.length;
    return new Tensor(this.st.components.slice(), [this.st.eigenvalues.length, D], 'float64');
  }

  /** The k largest eigenvalues λ of the covariance (÷N), descending: each component's variance. */
  get explainedVariance(): number[] | null {
    return this.st ? Array.from(this.st.eigenvalues) : null;
  }

  /** λ_j / Σ all D eigenvalues (the trace of the covariance): each component's share of the variance. */
  get explainedVarianceRatio(): number[] | null {
    if (!this.st) return null;
    const total = this.st.totalVariance;
    return Array.from(this.st.eigenvalues, (v) => (total > 0 ? v / total : 0));
  }

  fit(x: Features): this {
    const what = 'pca.fit x';
    const inp = this.input(x, this.declaredShape, what);
    const D = inp.shape.reduce((a, b) => a * b, 1);
    const k = this.nComponents ?? D;
    if (k > D) throw new Error(`pca components ${k} is more than the ${D} features of x (per-sample shape ${shapeStr(inp.shape)})`);
    const st = scratch((alloc): PCAState => {
      const kk = runtime().kernels[inp.dtype];
      const xt = upload(alloc, inp, what);
      const { mean } = moments(alloc, xt, inp.dtype, inp.n, D);
      const cov = alloc([D, D], 'float64', 'pca covariance');
      const work = alloc([Math.ceil(kk.covarianceWorkBytes(D) / 8)], 'float64', 'pca workspace');
      kk.covariance(cov, work, xt, mean, inp.n, D);
      xt.free();
      const c = cov.view() as Float64Array;
      let trace = 0;
      for (let i = 0; i < D; i++) trace += c[i * D + i];
      const values = alloc([D], 'float64', 'pca eigenvalues');
      const rc = kk.symEig(cov, values, work, cov, D);
      if (rc !== 0) throw new Error(`pca.fit: the eigendecomposition of the ${D}×${D} covariance did not converge`);
      const eigenvalues = (values.read() as Float64Array).slice(0, k);
      return { mean: mean.read() as Float64Array, components: (cov.read(k * D) as Float64Array), eigenvalues, totalVariance: trace };
    });
    if (this.whiten) checkWhitening(st.eigenvalues, this.epsilon, 'pca.fit');
    this.st = st;
    this.fittedShape = inp.shape;
    this.samples = inp.n;
    return this;
  }

  /** [N, k]: (x − μ)·U_k, ÷ √(λ + ε) when whitening. */
  transform(x: Features): Tensor {
    const what = 'pca.transform x';
    const fitted = this.requireFitted('transform');
    const st = this.st!;
    const D = st.mean.length, k = st.eigenvalues.length;
    const inp = this.input(x, this.declaredShape ?? fitted, what);
    const size = inp.shape.reduce((a, b) => a * b, 1);
    if (size !== D) throw new Error(`${what} has ${size} features (per-sample shape ${shapeStr(inp.shape)}) but pca was fitted on ${D} (per-sample shape ${shapeStr(fitted)})`);
    return scratch((alloc) => {
      const kk = runtime().kernels[inp.dtype];
      const xt = upload(alloc, inp, what);
      const mean = alloc([D], 'float64', 'pca mean', st.mean);
      const comps = alloc([k, D], 'float64', 'pca components', st.components);
      const div = this.whiten ? this.scale(alloc, ScaleMode.eig) : null;
      const y = alloc([inp.n, k], inp.dtype, 'pca output');
      const work = alloc([Math.ceil(kk.projectWorkBytes(D, k) / 8)], 'float64', 'pca workspace');
      kk.project(y, work, xt, mean, comps, div, inp.n, D, k);
      return download(y, [inp.n, k]);
    });
  }

  /** [N, ...inputShape] from [N, k]: y (× √(λ + ε) when whitening) · U_kᵀ + μ. */
  inverseTransform(x: Features): Tensor {
    const what = 'pca.inverseTransform x';
    const fitted = this.requireFitted('inverseTransform');
    const st = this.st!;
    const D = st.mean.length, k = st.eigenvalues.length;
    const inp = this.input(x, [k], what);
    const size = inp.shape.reduce((a, b) => a * b, 1);
    if (size !== k) throw new Error(`${what} has ${size} features per sample (shape ${shapeStr(inp.shape)}) but pca has ${k} components`);
    return scratch((alloc) => {
      const kk = runtime().kernels[inp.dtype];
      const yt = upload(alloc, inp, what);
      const mean = alloc([D], 'float64', 'pca mean', st.mean);
      const comps = alloc([k, D], 'float64', 'pca components', st.components);
      const mul = this.whiten ? this.scale(alloc, ScaleMode.eig) : null;
      const out = alloc([inp.n, D], inp.dtype, 'pca inverse output');
      const work = alloc([Math.ceil(kk.projectWorkBytes(k, D) / 8)], 'float64', 'pca workspace');
      kk.unproject(out, work, yt, mul, comps, mean, inp.n, k, D);
      return download(out, [inp.n, ...fitted]);
    });
  }

  /** f64 [k] in wasm from the eigenvalues: √(λ + ε) (ScaleMode.eig) or its reciprocal. */
  private scale(alloc: Alloc, mode: number): WasmTensor {
    const st = this.st!;
    const k = st.eigenvalues.length;
    const ev = alloc([k], 'float64', 'pca eigenvalues', st.eigenvalues);
    const t = alloc([k], 'float64', 'pca scale');
    runtime().kernels.float64.prepareScale(t, ev, k, mode, this.epsilon);
    return t;
  }

  protected config(): Record<string, unknown> {
    return { ...(this.nComponents !== null ? { components: this.nComponents } : {}), whiten: this.whiten, epsilon: this.epsilon };
  }

  protected stateJSON() {
    const st = this.st!;
    return { mean: Array.from(st.mean), components: Array.from(st.components), eigenvalues: Array.from(st.eigenvalues), totalVariance: st.totalVariance };
  }

  /** @internal fromJSON */
  restore(state: FitInfo, st: PCAState): void {
    if (this.whiten) checkWhitening(st.eigenvalues, this.epsilon, 'pca fromJSON');
    this.st = st;
    this.fittedShape = state.inputShape.slice();
    this.samples = state.samples;
  }
}

function checkWhitening(eigenvalues: Float64Array, epsilon: number, what: string): void {
  const j = eigenvalues.findIndex((v) => !(v + epsilon > 0));
  if (j >= 0) {
    throw new Error(`${what}: component ${j} has eigenvalue ${eigenvalues[j]} and whitening divides by √(λ + epsilon) with epsilon ${epsilon}: use a larger epsilon or fewer components`);
  }
}

// ---------------------------------------------------------------- factories and JSON

function checkPer(per: unknown, what: string): Per {
  if (typeof per === 'string' && (PERS as readonly string[]).includes(per)) return per as Per;
  const near = typeof per === 'string' ? closest(per, PERS) : null;
  throw new Error(`${what}: unknown per ${describe(per)}${near ? `; did you mean '${near}'?` : ''} (expected 'feature' or 'channel')`);
}

function checkShape(shape: unknown, what: string): number[] {
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 8 || shape.some((d) => !Number.isSafeInteger(d) || d <= 0)) {
    throw new Error(`${what} must be a non-empty array of positive integers, got ${describe(shape)}`);
  }
  return shape.slice();
}

/** A float64 copy of a JSON array of `length` finite numbers. */
function numbers(v: unknown, length: number, what: string, check?: (x: number) => boolean): Float64Array {
  if (!Array.isArray(v)) throw new Error(`${what} must be an array of ${length} numbers, got ${describe(v)}`);
  if (v.length !== length) throw new Error(`${what} has ${v.length} numbers but ${length} are needed`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || (check && !check(x))) throw new Error(`${what}[${i}] is ${describe(x)}: not a valid value`);
    out[i] = x;
  }
  return out;
}

/** Rebuilds a preprocessor from toJSON()'s output (an object or its JSON string); its transforms are bit-identical. */
export function fromJSON(json: unknown): ZeroCenter | Standardize | PCA {
  const what = 'preprocess.fromJSON';
  let j = json;
  if (typeof j === 'string') {
    try { j = JSON.parse(j); } catch (e) { throw new Error(`${what}: not valid JSON (${(e as Error).message})`); }
  }
  if (!isPlainObject(j)) throw new Error(`${what} expects {className, version, config, state}, got ${describe(j)}`);
  checkKeys(j, ['className', 'version', 'config', 'state'], what);
  const { className, version, config = {}, state = null } = j as Record<string, unknown>;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new Error(`${what}: version must be a positive integer, got ${describe(version)}`);
  if (version > VERSION) throw new Error(`${what}: format version ${version} is newer than this simdnet supports (${VERSION})`);
  if (!isPlainObject(config)) throw new Error(`${what}: config must be an object, got ${describe(config)}`);
  const p = className === 'zeroCenter' ? new ZeroCenter(config as CenterOptions)
    : className === 'standardize' ? new Standardize(config as CenterOptions)
    : className === 'pca' ? new PCA(config as PCAOptions)
    : null;
  if (!p) throw new Error(`${what}: unknown className ${describe(className)} (expected 'zeroCenter', 'standardize' or 'pca')`);
  if (state === null) return p;
  if (!isPlainObject(state)) throw new Error(`${what}: state must be an object or null, got ${describe(state)}`);
  const s = state as Record<string, unknown>;
  const keys = p instanceof PCA ? ['inputShape', 'samples', 'mean', 'components', 'eigenvalues', 'totalVariance']
    : p instanceof Standardize ? ['inputShape', 'samples', 'mean', 'std'] : ['inputShape', 'samples', 'mean'];
  checkKeys(s, keys, `${what} state`);
  for (const key of keys) if (!(key in s)) throw new Error(`${what}: state has no '${key}'`);
  const inputShape = checkShape(s.inputShape, `${what} state.inputShape`);
  if (typeof s.samples !== 'number' || !Number.isSafeInteger(s.samples) || s.samples < 1) throw new Error(`${what}: state.samples must be a positive integer, got ${describe(s.samples)}`);
  const st = { inputShape, samples: s.samples };
  const D = inputShape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(D) || D > 2 ** 28) throw new Error(`${what}: state.inputShape ${shapeStr(inputShape)} is too large`);
  if (p instanceof PCA) {
    const eigenvalues = Array.isArray(s.eigenvalues) ? s.eigenvalues : null;
    const k = eigenvalues?.length ?? 0;
    if (k < 1 || k > D) throw new Error(`${what}: state.eigenvalues must list between 1 and ${D} eigenvalues, got ${describe(s.eigenvalues)}`);
    if (p.nComponents !== null && p.nComponents !== k) throw new Error(`${what}: config.components is ${p.nComponents} but the state has ${k} eigenvalues`);
    if (k * D > 2 ** 28) throw new Error(`${what}: ${k} components of ${D} features are too many`);
    const total = s.totalVariance;
    if (typeof total !== 'number' || !Number.isFinite(total) || total < 0) throw new Error(`${what}: state.totalVariance must be a finite number ≥ 0, got ${describe(total)}`);
    p.restore(st, {
      mean: numbers(s.mean, D, `${what} state.mean`),
      components: numbers(s.components, k * D, `${what} state.components`),
      eigenvalues: numbers(s.eigenvalues, k, `${what} state.eigenvalues`),
      totalVariance: total,
    });
  } else {
    const cols = p.per === 'feature' ? D : inputShape[inputShape.length - 1];
    const mean = numbers(s.mean, cols, `${what} state.mean`);
    if (p instanceof Standardize) p.restore(st, mean, numbers(s.std, cols, `${what} state.std`, (x) => x >= 0));
    else p.restore(st, mean);
  }
  return p;
}

/** The preprocessing factories (CS231n lecture 6): fit on the training data, transform every split. */
export const preprocess = {
  /** x − μ per feature (the mean image) or per channel (last axis). */
  zeroCenter: (options?: CenterOptions): ZeroCenter => new ZeroCenter(options),
  /** (x − μ)/σ per feature or per channel; a constant column is only centred. */
  standardize: (options?: CenterOptions): Standardize => new Standardize(options),
  /** PCA on the flattened features, optionally whitened: (x − μ)·U_k [÷ √(λ + ε)]. */
  pca: (options?: PCAOptions): PCA => new PCA(options),
  fromJSON,
};
