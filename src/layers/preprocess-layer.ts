// Preprocess: a fitted preprocessor (src/toolkit/preprocess.ts: zeroCenter, standardize,
// pca) as the model's first layer, so that the model takes raw data and saving it keeps the
// preprocessing. `layers.preprocess(p)` snapshots p (a later refit of p does not change the
// layer). Its config holds p.toJSON(), so layerRegistry.fromConfig(serialize(layer)) — and
// so Sequential.load — rebuilds the same layer; its statistics are also non-trainable
// weights (getWeights order below), which save/load restore bit for bit and setWeights may
// change; forward reads the weights, not the config.
//
//   zeroCenter   weights mean [cols]                  y = x − mean
//   standardize  weights mean, std [cols]             y = (x − mean)/(std, or 1 where 0)
//   pca          weights mean [D], components [k, D], y = (x − mean)·componentsᵀ
//                and variance [k] when whitening         (÷ √(variance + epsilon) when whitening)
// cols is the feature count (per 'feature', the per-sample size) or the channel count (per
// 'channel', the last axis); D the per-sample size. Weights are in the model's dtype;
// forward converts them to float64, computes in float64 and rounds the output once
// (assembly/preprocess.ts, assembly/linalg.ts), so in a float64 model the layer gives
// exactly p.transform(x).
//
// backward (the maps are affine): zeroCenter dx = dy; standardize dx = dy/std (in place);
// pca dx = (dy ÷ √(variance + epsilon))·components.

import { WasmTensor } from '../../bindings/index.js';
import { ScaleMode } from '../../bindings/ops.js';
import { describe } from '../options.js';
import { shapeStr } from '../tensor.js';
import { fromJSON, PCA, Preprocessor, Standardize, type PreprocessorJSON } from '../toolkit/preprocess.js';
import { Layer, size, type LayerArgs, type Param } from './layer.js';

export interface PreprocessArgs extends LayerArgs {
  /** A fitted preprocessor, or its toJSON() (with a state). */
  preprocessor: Preprocessor | PreprocessorJSON;
}

export class Preprocess extends Layer {
  readonly className = 'Preprocess';
  /** The preprocessor's JSON at the time the layer was made. */
  private readonly json: PreprocessorJSON;
  private readonly pre: Preprocessor;
  private meanW!: Param;
  private stdW: Param | null = null;
  private componentsW: Param | null = null;
  private varianceW: Param | null = null;
  private mean64!: WasmTensor;
  private div64: WasmTensor | null = null;
  private zeros64: WasmTensor | null = null;
  private comps64: WasmTensor | null = null;
  private y!: WasmTensor;
  private dx: WasmTensor | null = null;
  private last: WasmTensor | null = null;

  constructor(args: PreprocessArgs) {
    if (!args || typeof args !== 'object') throw new Error(`preprocess: expected a fitted preprocessor (preprocess.zeroCenter/standardize/pca(...).fit(x)), got ${describe(args)}`);
    super(args, 'preprocess', ['preprocessor']);
    const p = args.preprocessor;
    const json = p instanceof Preprocessor ? p.toJSON() : p;
    this.pre = fromJSON(json);
    if (!this.pre.fitted) throw new Error(`preprocess: the ${this.pre.className} preprocessor is not fitted; call fit(x) on the training data first`);
    this.json = this.pre.toJSON();
  }

  /** The preprocessor kind: 'zeroCenter', 'standardize' or 'pca'. */
  get kind(): string {
    return this.pre.className;
  }

  private get stats(): PreprocessorJSON['state'] & object {
    return this.json.state!;
  }

  /** Columns of the map: the statistics' length (D for pca). */
  private get cols(): number {
    return this.stats.mean.length;
  }

  protected setup(inputShape: number[]): number[] {
    const st = this.stats;
    const fitted = shapeStr(st.inputShape);
    const per = size(inputShape);
    if (this.pre instanceof PCA) {
      const D = st.mean.length, k = st.eigenvalues!.length;
      if (per !== D) throw new Error(`preprocess '${this.name}': the pca was fitted on ${D} features (per-sample shape ${fitted}) but the input ${shapeStr(inputShape)} has ${per}`);
      this.meanW = this.fixed('mean', [D], st.mean);
      this.componentsW = this.fixed('components', [k, D], st.components!);
      if (this.pre.whiten) this.varianceW = this.fixed('variance', [k], st.eigenvalues!);
      this.mean64 = this.persistent([D], 'float64', 'mean (float64)');
      this.comps64 = this.persistent([k, D], 'float64', 'components (float64)');
      this.div64 = this.persistent([k], 'float64', 'scale');
      return [k];
    }
    const channel = (this.pre as Standardize).per === 'channel';
    const cols = channel ? inputShape[inputShape.length - 1] : per;
    if (cols !== st.mean.length) {
      const unit = channel ? 'channels (last axis)' : 'features';
      throw new Error(`preprocess '${this.name}': the ${this.pre.className} was fitted on ${st.mean.length} ${unit} (per-sample shape ${fitted}) but the input ${shapeStr(inputShape)} has ${cols}`);
    }
    this.meanW = this.fixed('mean', [cols], st.mean);
    this.mean64 = this.persistent([cols], 'float64', 'mean (float64)');
    this.div64 = this.persistent([cols], 'float64', 'divisor');
    if (this.pre instanceof Standardize) {
      this.stdW = this.fixed('std', [cols], st.std!);
      this.zeros64 = this.persistent([cols], 'float64', 'zeros');
    } else {
      this.div64.view().fill(1);
    }
    return inputShape.slice();
  }

  /** A non-trainable weight holding `values` (rounded to the model's dtype). */
  private fixed(name: string, shape: number[], values: number[]): Param {
    const p = this.state(name, shape, 0);
    p.value.write(values);
    return p;
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, ...this.outputShape]);
    this.dx = this.pre instanceof PCA ? this.buffer([capacity, ...this.inputShape]) : null;
  }

  override workBytes(): number {
    if (!(this.pre instanceof PCA)) return 0;
    const D = this.stats.mean.length, k = this.stats.eigenvalues!.length;
    return Math.max(this.k.projectWorkBytes(D, k), this.k.projectWorkBytes(k, D));
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    const k = this.k;
    if (this.pre instanceof PCA) {
      const D = this.cols, kc = this.stats.eigenvalues!.length;
      k.prepareScale(this.mean64, this.meanW.value, D, ScaleMode.copy, 0);
      k.prepareScale(this.comps64!, this.componentsW!.value, kc * D, ScaleMode.copy, 0);
      if (this.varianceW) k.prepareScale(this.div64!, this.varianceW.value, kc, ScaleMode.eig, this.pre.epsilon);
      k.project(this.y, this.work!, x, this.mean64, this.comps64!, this.varianceW ? this.div64! : null, n, D, kc);
    } else {
      const cols = this.cols;
      const rows = (n * size(this.inputShape)) / cols;
      k.prepareScale(this.mean64, this.meanW.value, cols, ScaleMode.copy, 0);
      if (this.stdW) k.prepareScale(this.div64!, this.stdW.value, cols, ScaleMode.std, 0);
      k.standardize(this.y, x, this.mean64, this.div64!, rows, cols);
    }
    this.last = this.y;
    return this.y;
  }

  backward(dy: WasmTensor, n: number): WasmTensor {
    const k = this.k;
    if (this.pre instanceof PCA) {
      const D = this.cols, kc = this.stats.eigenvalues!.length;
      k.prepareScale(this.comps64!, this.componentsW!.value, kc * D, ScaleMode.copy, 0);
      if (this.varianceW) k.prepareScale(this.div64!, this.varianceW.value, kc, ScaleMode.invEig, this.pre.epsilon);
      k.unproject(this.dx!, this.work!, dy, this.varianceW ? this.div64! : null, this.comps64!, null, n, kc, D);
      return this.dx!;
    }
    if (!this.stdW) return dy; // x − mean: the identity
    const cols = this.cols;
    const rows = (n * size(this.inputShape)) / cols;
    k.prepareScale(this.div64!, this.stdW.value, cols, ScaleMode.std, 0);
    k.standardize(dy, dy, this.zeros64!, this.div64!, rows, cols);
    return dy;
  }

  override params(): Param[] {
    return [this.meanW, this.stdW, this.componentsW, this.varianceW].filter((p): p is Param => p !== null);
  }

  override get output(): WasmTensor | null {
    return this.last;
  }

  override dispose(): void {
    super.dispose();
    this.stdW = this.componentsW = this.varianceW = null;
    this.div64 = this.zeros64 = this.comps64 = this.dx = this.last = null;
  }

  protected layerConfig(): Record<string, unknown> {
    return { preprocessor: JSON.parse(JSON.stringify(this.json)) };
  }
}

/**
 * A fitted preprocessor as a non-trainable layer: `layers.preprocess(p)` or
 * `layers.preprocess(p, {name})`; also takes {preprocessor, name?, ...} (its config).
 */
export function preprocess(p: Preprocessor | PreprocessArgs, args: LayerArgs = {}): Preprocess {
  if (p instanceof Preprocessor) return new Preprocess({ ...args, preprocessor: p });
  // a bare toJSON() output
  if (p && typeof p === 'object' && 'className' in p && 'state' in p) return new Preprocess({ ...args, preprocessor: p as unknown as PreprocessorJSON });
  return new Preprocess(p);
}
