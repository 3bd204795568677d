// Normalization (Keras's and TF.js's name): y = (x − mean)/max(√variance, 1e-7) per index of
// the last axis, with mean and variance non-trainable weights — set by adapt(x) (the
// population mean and variance of x over every axis but the last, computed in wasm in
// float64, assembly/preprocess.ts), or given as options, or 0 and 1 until then (Keras).
// The 1e-7 floor is Keras's backend epsilon: a constant feature (variance 0) is divided by
// 1e-7 rather than by 0. The weights are saved and loaded with the model (getWeights lists
// them: mean, variance), so a loaded model normalizes as the saved one did.
//
// The map is affine, so backward is dx = dy / max(√variance, 1e-7), computed in place on dy.
// Forward and backward derive the divisor from the variance weight on every call, in
// float64, and round the output once to the model's dtype (assembly/preprocess.ts).
// Being before the first trainable layer, it is normally never asked for dx; it is exact
// anyway (gradient-checked in tests/toolkit/preprocess.test.ts).

import { runtime, WasmTensor, type DType } from '../../bindings/index.js';
import { ScaleMode } from '../../bindings/ops.js';
import { checkFinite, inferInputShape, toFeatures, type Features } from '../model/data.js';
import { describe } from '../options.js';
import { Tensor, shapeStr } from '../tensor.js';
import { Layer, size, type LayerArgs, type Param } from './layer.js';

/** Keras's backend epsilon: the smallest divisor. */
const FLOOR = 1e-7;

export interface NormalizationArgs extends LayerArgs {
  /** Mean per channel (last axis), or one number for all; default 0 until adapt(). */
  mean?: number | number[];
  /** Variance per channel, ≥ 0, or one number for all; default 1 until adapt(). */
  variance?: number | number[];
}

export class Normalization extends Layer {
  readonly className = 'Normalization';
  private readonly givenMean?: number | number[];
  private readonly givenVariance?: number | number[];
  /** Statistics from adapt() (float64), applied at build or at once when built. */
  private adapted: { mean: Float64Array; variance: Float64Array } | null = null;
  private meanW!: Param;
  private varianceW!: Param;
  private mean64!: WasmTensor;
  private div64!: WasmTensor;
  private zeros64!: WasmTensor;
  private y!: WasmTensor;

  constructor(args: NormalizationArgs = {}) {
    super(args, 'normalization', ['mean', 'variance']);
    args ??= {};
    if ((args.mean === undefined) !== (args.variance === undefined)) throw new Error('normalization: give both mean and variance, or neither (then call adapt(x))');
    if (args.mean !== undefined) {
      this.givenMean = stat(args.mean, 'normalization mean', () => true);
      this.givenVariance = stat(args.variance, 'normalization variance', (v) => v >= 0);
      const [a, b] = [this.givenMean, this.givenVariance];
      if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) throw new Error(`normalization: mean has ${a.length} values but variance has ${b.length}`);
    }
  }

  private get C(): number {
    return this.inputShape[this.inputShape.length - 1];
  }

  /**
   * Sets mean and variance to the population statistics of x (a Tensor [N, ..., C], nested
   * arrays, or a flat typed array when the layer has an inputShape or is built) per index of
   * the last axis. Returns the layer. Before the layer is built the statistics wait for the
   * build; after, they are written into its weights at once.
   */
  adapt(x: Features): this {
    const what = 'normalization.adapt x';
    let shape: number[];
    if (x instanceof Tensor || (Array.isArray(x) && Array.isArray(x[0]))) shape = inferInputShape(x, what);
    else if (this.built) shape = this.inputShape;
    else if (this.declaredInputShape) shape = this.declaredInputShape;
    else throw new Error(`${what} is a flat array: pass a Tensor [N, ..., C] or give the layer an inputShape`);
    if (x instanceof Int32Array) throw new Error(`${what} must be float32 or float64, got an Int32Array`);
    const f = toFeatures(x, shape, what);
    if (f.n === 0) throw new Error(`${what} has no samples`);
    const C = shape[shape.length - 1];
    if (this.built && C !== this.C) throw new Error(`${what} has ${C} channels (last axis of ${shapeStr(shape)}) but the layer was built for ${this.C}`);
    const per = size(shape);
    const rows = (f.n * per) / C;
    const dtype: DType = x instanceof Tensor ? (x.dtype as DType) : x instanceof Float64Array ? 'float64' : 'float32';
    const k = runtime().kernels[dtype];
    const owned: WasmTensor[] = [];
    let stats: { mean: Float64Array; variance: Float64Array };
    try {
      const xt = new WasmTensor([f.n * per], dtype, `${what}`);
      owned.push(xt);
      xt.write(f.data);
      checkFinite(k, xt, f.n * per, per, 0, what);
      const mean = new WasmTensor([C], 'float64', 'normalization mean');
      owned.push(mean);
      const variance = new WasmTensor([C], 'float64', 'normalization variance');
      owned.push(variance);
      k.colMoments(mean, variance, xt, rows, C);
      stats = { mean: mean.read() as Float64Array, variance: variance.read() as Float64Array };
    } finally {
      for (const t of owned) t.free();
    }
    this.adapted = stats;
    if (this.built) {
      this.meanW.value.write(stats.mean);
      this.varianceW.value.write(stats.variance);
    }
    return this;
  }

  protected setup(inputShape: number[]): number[] {
    const c = inputShape[inputShape.length - 1];
    const init = (given: number | number[] | undefined, fill: number, name: string, adapted?: Float64Array): Param => {
      const p = this.state(name, [c], fill);
      const src = adapted ?? given;
      if (src === undefined) return p;
      if (typeof src === 'number') { p.value.view().fill(src); return p; }
      if (src.length !== c) {
        throw new Error(`normalization '${this.name}': ${adapted ? 'adapt() saw' : `its ${name} has`} ${src.length} channels but the input ${shapeStr(inputShape)} has ${c} (last axis)`);
      }
      p.value.write(src);
      return p;
    };
    this.meanW = init(this.givenMean, 0, 'mean', this.adapted?.mean);
    this.varianceW = init(this.givenVariance, 1, 'variance', this.adapted?.variance);
    this.mean64 = this.persistent([c], 'float64', 'mean (float64)');
    this.div64 = this.persistent([c], 'float64', 'divisor');
    this.zeros64 = this.persistent([c], 'float64', 'zeros');
    return inputShape.slice();
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, ...this.inputShape]);
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    const C = this.C;
    const rows = (n * size(this.inputShape)) / C;
    this.k.prepareScale(this.mean64, this.meanW.value, C, ScaleMode.copy, 0);
    this.k.prepareScale(this.div64, this.varianceW.value, C, ScaleMode.variance, FLOOR);
    this.k.standardize(this.y, x, this.mean64, this.div64, rows, C);
    return this.y;
  }

  /** dx = dy / max(√variance, 1e-7), in place on dy. */
  backward(dy: WasmTensor, n: number): WasmTensor {
    const C = this.C;
    const rows = (n * size(this.inputShape)) / C;
    this.k.prepareScale(this.div64, this.varianceW.value, C, ScaleMode.variance, FLOOR);
    this.k.standardize(dy, dy, this.zeros64, this.div64, rows, C);
    return dy;
  }

  override params(): Param[] {
    return [this.meanW, this.varianceW];
  }

  override get output(): WasmTensor {
    return this.y;
  }

  protected layerConfig(): Record<string, unknown> {
    // NOTE: as Keras, the config holds mean/variance only when they were given as options;
    // adapted statistics are weights
    if (this.givenMean === undefined) return {};
    const copy = (v: number | number[]) => (Array.isArray(v) ? v.slice() : v);
    return { mean: copy(this.givenMean), variance: copy(this.givenVariance!) };
  }
}

function stat(v: unknown, what: string, ok: (x: number) => boolean): number | number[] {
  const good = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && ok(x);
  if (good(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every(good)) return v.slice();
  throw new Error(`${what} must be a finite number or a non-empty array of them${what.endsWith('variance') ? ' (≥ 0)' : ''}, got ${describe(v)}`);
}

export const normalization = (args?: NormalizationArgs): Normalization => new Normalization(args);
