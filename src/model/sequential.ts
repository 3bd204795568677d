// Sequential: a stack of layers trained by one loss and one optimizer.
//
// Memory plan: build() allocates parameters, gradients and RNG streams; compile() the
// optimizer state; reserve(capacity) the activations, the loss gradient, the input and
// target buffers and one GEMM workspace shared by all layers. A training step then runs
// kernels on those buffers only: nothing is allocated per step.
//
// A failed step changes nothing: inputs are validated (shapes and labels in JS, NaN and
// Infinity by a wasm scan of the scratch input buffer) before any layer runs; the loss and
// the gradients are checked before the optimizer runs, which applies an update only if
// every new weight is finite; the RNG streams are restored if the step is abandoned, and
// batch norm commits its moving statistics only after a successful update.

import { runtime, WasmTensor, type DType, type Kernels } from '../../bindings/index.js';
import { Layer, size, type BuildContext, type Param, type RngStream, type TrainableParam } from '../layers/layer.js';
import { getLoss, type Loss, type TargetKind } from '../losses.js';
import { getOptimizer, type Optimizer } from '../optimizers/index.js';
import { Tensor } from '../tensor.js';
import { checkBatchSize, checkFinite, checkWeights, inferInputShape, subarray, toFeatures, toTargets, type Features, type Targets } from './data.js';
import { formatSummary } from './summary.js';
import { fit, type FitOptions } from './fit.js';
import type { History } from './history.js';

export interface SequentialArgs {
  /** Seed of every random stream (init, dropout, shuffling, augmentation). Default: random. */
  seed?: number;
  /** 'float32' (default) or 'float64' (gradient checks, research). */
  dtype?: DType;
  name?: string;
}

export interface CompileArgs {
  optimizer: Optimizer | string;
  loss: string;
  metrics?: string[];
}

export interface EvaluateResult { loss: number; accuracy?: number }

/** Stream ids of the model's RNG consumers (each derived from the seed). */
const STREAM = { init: 0, shuffle: 1, augment: 2, firstLayer: 16 } as const;
const RNG_BYTES = 16;

export class Sequential {
  readonly layers: Layer[] = [];
  readonly dtype: DType;
  readonly seed: number;
  readonly name: string;
  /** Set by a callback to end fit() after the current batch. */
  stopTraining = false;
  optimizer: Optimizer | null = null;
  loss: Loss | null = null;
  metrics: string[] = [];

  private k: Kernels;
  private built = false;
  private disposed = false;
  private persistent: WasmTensor[] = [];
  /** Every RNG stream of the model, 16 bytes each, in one block: one copy saves them all. */
  private streams: WasmTensor | null = null;
  private streamSnapshot = new Int32Array(0);
  /** Derived at build: params() in getWeights() order, and the ones the optimizer updates. */
  private paramList: Param[] = [];
  private trainableList: TrainableParam[] = [];
  private capacity = 0;
  private bufs: { x: WasmTensor; labels: WasmTensor; targets: WasmTensor; dOut: WasmTensor; work: WasmTensor } | null = null;
  private scratch: WasmTensor | null = null;
  /** @internal used by fit */
  rngShuffle: RngStream | null = null;
  /** @internal used by fit */
  rngAugment: RngStream | null = null;

  constructor(args: SequentialArgs = {}) {
    const dtype = args.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`Unknown dtype '${String(dtype)}'; expected 'float32' or 'float64'`);
    const seed = args.seed ?? Math.floor(Math.random() * 2 ** 32);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`Invalid seed: ${String(seed)} (a non-negative integer)`);
    this.dtype = dtype;
    this.seed = seed;
    this.name = args.name ?? 'sequential';
    this.k = runtime().kernels[dtype];
  }

  add(layer: Layer): this {
    this.alive();
    if (!(layer instanceof Layer)) throw new Error(`Sequential.add expects a layer (e.g. layers.dense({units: 10})), got ${String(layer)}`);
    if (this.built) throw new Error('cannot add layers to a model that is already built');
    if (this.layers.includes(layer) || layer.built) throw new Error(`layer '${layer.name || layer.className}' is already used in a model`);
    if (this.layers.length > 0 && layer.declaredInputShape) throw new Error('only the first layer takes an inputShape');
    this.layers.push(layer);
    return this;
  }

  get inputShape(): number[] | null {
    return this.built ? this.layers[0].inputShape.slice() : this.layers[0]?.declaredInputShape?.slice() ?? null;
  }

  get outputShape(): number[] | null {
    return this.built ? this.layers[this.layers.length - 1].outputShape.slice() : null;
  }

  /** Creates every parameter for this per-sample input shape (done lazily by compile/fit/predict). */
  build(inputShape?: number[]): void {
    this.alive();
    if (this.built) return;
    if (this.layers.length === 0) throw new Error('the model has no layers: add some before building');
    const shape = inputShape ?? this.layers[0].declaredInputShape;
    if (!shape) throw new Error('the first layer needs an inputShape (or call fit/predict, which infer it from the data)');
    const rt = runtime();
    // at most one stream per layer, plus init, shuffle and augment
    const block = new WasmTensor([(3 + this.layers.length) * (RNG_BYTES / 4)], 'int32');
    this.streams = block;
    let used = 0;
    const stream = (id: number): RngStream => {
      const ptr = block.ptr + used++ * RNG_BYTES;
      rt.exports.rng_seed(ptr, this.seed >>> 0, Math.floor(this.seed / 2 ** 32) >>> 0, id);
      return { ptr };
    };
    this.scratch = new WasmTensor([2], 'float64');
    this.persistent.push(this.scratch);
    const initRng = stream(STREAM.init);
    this.rngShuffle = stream(STREAM.shuffle);
    this.rngAugment = stream(STREAM.augment);
    let nextLayerStream = STREAM.firstLayer;
    const counts: Record<string, number> = {};
    const ctx: BuildContext = { dtype: this.dtype, k: this.k, rt, initRng, scratch: this.scratch, newStream: () => stream(nextLayerStream++) };
    let cur = shape.slice();
    try {
      for (const layer of this.layers) {
        const base = snake(layer.className);
        counts[base] = (counts[base] ?? 0) + 1;
        if (!layer.name) layer.name = `${base}_${counts[base]}`;
        cur = layer.build(cur, ctx);
      }
    } catch (e) {
      for (const l of this.layers) l.dispose();
      this.freeAll();
      throw e;
    }
    this.paramList = this.layers.flatMap((l) => l.params());
    this.trainableList = this.paramList.filter((p): p is TrainableParam => p.trainable && p.grad !== null);
    this.streamSnapshot = new Int32Array(block.size);
    this.built = true;
  }

  compile(args: CompileArgs): void {
    this.alive();
    if (!args || typeof args !== 'object') throw new Error('compile expects {optimizer, loss, metrics}');
    const loss = getLoss(args.loss);
    const optimizer = getOptimizer(args.optimizer);
    const metrics = args.metrics ?? [];
    if (!Array.isArray(metrics)) throw new Error(`metrics must be an array such as ['accuracy'], got ${JSON.stringify(metrics)}`);
    for (const m of metrics) if (m !== 'accuracy' && m !== 'acc') throw new Error(`Unknown metric '${String(m)}'; supported: accuracy`);
    if (optimizer !== this.optimizer && optimizer.isAttached) {
      throw new Error(`this ${optimizer.name} optimizer is already used by another model; create one optimizer per model`);
    }
    // all checks passed: now change state
    if (this.optimizer && this.optimizer !== optimizer) {
      this.optimizer.dispose();
      this.attached = false;
    }
    this.loss = loss;
    this.metrics = metrics.length ? ['accuracy'] : [];
    this.optimizer = optimizer;
    if (this.inputShape) this.build();
    if (this.built) this.attachOptimizer();
  }

  private attached = false;
  private attachOptimizer(): void {
    if (this.attached || !this.optimizer) return;
    this.optimizer.attach(this.trainableParams(), this.k);
    this.attached = true;
  }

  /** All parameters in getWeights() order. */
  params(): Param[] {
    return this.paramList;
  }

  /** Parameters the optimizer updates (excludes frozen layers and moving statistics). */
  trainableParams(): TrainableParam[] {
    return this.trainableList;
  }

  countParams(): number {
    this.alive();
    return this.params().reduce((s, p) => s + p.value.size, 0);
  }

  /** Makes sure activation buffers hold `n` samples; reallocates (rarely) when they do not. */
  reserve(n: number): void {
    if (n <= this.capacity && this.bufs) return;
    const cap = Math.max(n, this.capacity);
    this.freeBuffers();
    for (const l of this.layers) l.allocate(cap);
    const inSize = size(this.layers[0].inputShape);
    const outSize = size(this.outputShape!);
    const work = new WasmTensor([Math.max(16, ...this.layers.map((l) => l.workBytes(cap)))], 'int32');
    for (const l of this.layers) l.work = work;
    this.bufs = {
      x: new WasmTensor([cap, inSize], this.dtype),
      labels: new WasmTensor([cap], 'int32'),
      targets: new WasmTensor([cap, outSize], this.dtype),
      dOut: new WasmTensor([cap, outSize], this.dtype),
      work,
    };
    this.capacity = cap;
  }

  /** @internal input buffer of the current batch */
  get inputBuffer(): WasmTensor { return this.bufs!.x; }
  /** @internal */
  get labelBuffer(): WasmTensor { return this.bufs!.labels; }
  /** @internal */
  get targetBuffer(): WasmTensor { return this.bufs!.targets; }

  /** Runs the layers on the first n rows of the input buffer. */
  forward(n: number, training: boolean): WasmTensor {
    let h = this.bufs!.x;
    for (const l of this.layers) h = l.forward(h, n, training);
    return h;
  }

  /**
   * Forward, loss and backward on the first n rows already in the input/target buffers:
   * leaves the gradients in every param.grad. Returns [loss including regularization, hits,
   * counted, squared gradient norm], or throws; callers save and restore the RNG streams.
   */
  private gradientsOnBuffers(n: number, kind: TargetKind, wantHits: boolean): [number, number, number, number] {
    const loss = this.loss!;
    const outSize = size(this.outputShape!);
    const targets = kind === 'labels' ? this.bufs!.labels : this.bufs!.targets;
    const out = this.forward(n, true);
    const [hits, counted] = wantHits ? loss.hits(this.k, out.ptr, targets.ptr, kind, n, outSize) : [0, 0];
    const dataLoss = loss.compute(this.k, this.bufs!.dOut.ptr, out.ptr, targets.ptr, kind, n, outSize);
    if (!Number.isFinite(dataLoss)) {
      throw new Error(`loss became ${dataLoss} (non-finite); the step was not applied and the model keeps its last finite weights`);
    }
    let dy = this.bufs!.dOut;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const dx = this.layers[i].backward(dy, n, i > 0);
      if (dx) dy = dx;
    }
    let total = dataLoss;
    let gradSq = 0;
    for (const p of this.trainableParams()) {
      if (p.regularizer) total += this.k.l2(p.grad.ptr, p.value.ptr, p.value.size, p.regularizer.lambda);
      gradSq += this.k.sumSquares(p.grad.ptr, p.grad.size);
    }
    if (!Number.isFinite(total) || !Number.isFinite(gradSq)) {
      throw new Error(`${Number.isFinite(total) ? 'gradients' : 'loss'} became non-finite (loss ${total}, squared gradient norm ${gradSq}); the step was not applied and the model keeps its last finite weights`);
    }
    return [total, hits, counted, gradSq];
  }

  private saveStreams(): void {
    this.streamSnapshot.set(this.streams!.view());
  }

  private restoreStreams(): void {
    this.streams!.write(this.streamSnapshot);
  }

  /** One training step on the first n rows in the buffers. @internal */
  stepOnBuffers(n: number, kind: TargetKind, wantHits: boolean): [number, number, number] {
    this.saveStreams();
    let total: number, hits: number, counted: number, gradSq: number;
    try {
      [total, hits, counted, gradSq] = this.gradientsOnBuffers(n, kind, wantHits);
      this.optimizer!.step(); // applies nothing when a new weight would be non-finite
    } catch (e) {
      this.restoreStreams();
      throw e;
    }
    for (const l of this.layers) l.commit();
    this.lastGradNorm = Math.sqrt(gradSq);
    return [total, hits, counted];
  }

  /**
   * Loss (training mode, regularization included) and its gradient for every parameter, in
   * getWeights() order (zeros for non-trainable weights such as moving statistics), without updating anything: the RNG streams are rewound afterwards,
   * so a probe does not change later training. For gradient checks and diagnostics.
   */
  computeGradients(x: Features, y: Targets): { loss: number; grads: Tensor[] } {
    this.ready('computeGradients');
    this.ensureBuilt(x);
    const fx = toFeatures(x, this.layers[0].inputShape);
    const ty = toTargets(y, fx.n, this.outputShape!, this.loss!);
    if (fx.n === 0) throw new Error('computeGradients: x has no samples');
    this.loadBatch(fx.data, ty.data, ty.kind, fx.n);
    this.saveStreams();
    let loss: number;
    try {
      [loss] = this.gradientsOnBuffers(fx.n, ty.kind, false);
    } finally {
      this.restoreStreams();
    }
    const zeros = (p: Param) => (this.dtype === 'float32' ? new Float32Array(p.value.size) : new Float64Array(p.value.size));
    return { loss, grads: this.params().map((p) => new Tensor(p.trainable && p.grad ? p.grad.read() : zeros(p), p.value.shape, this.dtype)) };
  }

  /** Global L2 norm of the gradients of the last successful step. */
  lastGradNorm = 0;

  private ready(what: string): void {
    this.alive();
    if (!this.loss || !this.optimizer) throw new Error(`${what}: the model must be compiled first (model.compile({optimizer, loss}))`);
  }

  private ensureBuilt(x: Features): void {
    if (!this.built) this.build(this.inputShape ?? inferInputShape(x));
    this.attachOptimizer();
  }

  /**
   * Copies validated rows into the input buffer and checks them for NaN/Infinity there
   * (`firstSample` numbers the rows in errors). Only scratch buffers change. @internal
   */
  loadBatch(xs: ArrayLike<number>, ys: ArrayLike<number> | null, kind: TargetKind, n: number, firstSample = 0, what = 'x'): void {
    this.reserve(n);
    this.bufs!.x.write(xs);
    checkFinite(this.k, this.bufs!.x, n * size(this.layers[0].inputShape), size(this.layers[0].inputShape), firstSample, what);
    if (ys) (kind === 'labels' ? this.bufs!.labels : this.bufs!.targets).write(ys);
  }

  /**
   * One optimizer step on one batch (training mode). Returns that batch's loss before the
   * update, regularization included.
   */
  trainOnBatch(x: Features, y: Targets): number {
    this.ready('trainOnBatch');
    if (this.fitting) throw new Error('trainOnBatch: fit is running on this model; await it first');
    this.ensureBuilt(x);
    const fx = toFeatures(x, this.layers[0].inputShape);
    const ty = toTargets(y, fx.n, this.outputShape!, this.loss!);
    if (fx.n === 0) throw new Error('trainOnBatch: x has no samples');
    this.loadBatch(fx.data, ty.data, ty.kind, fx.n);
    return this.stepOnBuffers(fx.n, ty.kind, false)[0];
  }

  /** Model outputs (logits for the cross-entropy losses) for every sample of x. */
  predict(x: Features, { batchSize = 256 }: { batchSize?: number } = {}): Tensor {
    this.alive();
    this.ensureBuilt(x);
    const fx = toFeatures(x, this.layers[0].inputShape);
    checkBatchSize(batchSize);
    const outShape = this.outputShape!;
    const outSize = size(outShape);
    const result = this.dtype === 'float32' ? new Float32Array(fx.n * outSize) : new Float64Array(fx.n * outSize);
    const chunk = Math.max(1, Math.min(fx.n, batchSize));
    const inSize = size(this.layers[0].inputShape);
    for (let s = 0; s < fx.n; s += chunk) {
      const n = Math.min(chunk, fx.n - s);
      this.loadBatch(subarray(fx.data, s * inSize, (s + n) * inSize), null, 'dense', n, s);
      result.set(this.forward(n, false).view(n * outSize), s * outSize);
    }
    return new Tensor(result, [fx.n, ...outShape], this.dtype);
  }

  /** Mean loss (regularization included) and accuracy over x, y in inference mode. */
  evaluate(x: Features, y: Targets, { batchSize = 256 }: { batchSize?: number } = {}): EvaluateResult {
    this.ready('evaluate');
    this.ensureBuilt(x);
    checkBatchSize(batchSize);
    const fx = toFeatures(x, this.layers[0].inputShape);
    const ty = toTargets(y, fx.n, this.outputShape!, this.loss!);
    if (fx.n === 0) throw new Error('evaluate: x has no samples');
    const inSize = size(this.layers[0].inputShape);
    const outSize = size(this.outputShape!);
    const chunk = Math.max(1, Math.min(fx.n, batchSize));
    let lossSum = 0, hits = 0, counted = 0;
    for (let s = 0; s < fx.n; s += chunk) {
      const n = Math.min(chunk, fx.n - s);
      const tw = ty.kind === 'labels' ? 1 : outSize;
      this.loadBatch(subarray(fx.data, s * inSize, (s + n) * inSize), subarray(ty.data, s * tw, (s + n) * tw), ty.kind, n, s);
      const [l, h, c] = this.evaluateBuffers(n, ty.kind);
      lossSum += l * n; hits += h; counted += c;
    }
    return this.evaluation(lossSum / fx.n, hits, counted);
  }

  /** Loss and hits of the first n rows already in the buffers, inference mode. @internal */
  evaluateBuffers(n: number, kind: TargetKind): [number, number, number] {
    const out = this.forward(n, false);
    const outSize = size(this.outputShape!);
    const t = kind === 'labels' ? this.bufs!.labels : this.bufs!.targets;
    const loss = this.loss!.compute(this.k, 0, out.ptr, t.ptr, kind, n, outSize);
    const [h, c] = this.metrics.length ? this.loss!.hits(this.k, out.ptr, t.ptr, kind, n, outSize) : [0, 0];
    return [loss, h, c];
  }

  /** @internal */
  evaluation(dataLoss: number, hits: number, counted: number): EvaluateResult {
    const r: EvaluateResult = { loss: dataLoss + this.regularizationLoss() };
    if (this.metrics.length) r.accuracy = counted ? hits / counted : Number.NaN;
    return r;
  }

  /** Σ λ·‖W‖² over regularized kernels. */
  regularizationLoss(): number {
    let s = 0;
    for (const p of this.params()) if (p.regularizer) s += p.regularizer.lambda * this.k.sumSquares(p.value.ptr, p.value.size);
    return s;
  }

  /** Trains for a number of epochs; see FitOptions. Resolves to a Keras-style History. */
  async fit(x: Features, y: Targets, options: FitOptions = {}): Promise<History> {
    this.ready('fit');
    if (this.fitting) throw new Error('fit is already running on this model; await it before calling fit again');
    this.ensureBuilt(x);
    this.fitting = true;
    try {
      return await fit(this, x, y, options);
    } finally {
      this.fitting = false;
    }
  }

  private fitting = false;

  /** Copies of every parameter, in the documented order (layer by layer; kernel, bias, …). */
  getWeights(): Tensor[] {
    this.buildIfShaped();
    if (!this.built) throw new Error('getWeights: the model is not built yet (give the first layer an inputShape or call fit/predict)');
    return this.params().map((p) => new Tensor(p.value.read(), p.value.shape, this.dtype));
  }

  /** Replaces every parameter; shapes and count must match getWeights(). Checks all before writing any. */
  setWeights(weights: (Tensor | ArrayLike<number>)[]): void {
    this.buildIfShaped();
    if (!this.built) throw new Error('setWeights: the model is not built yet (give the first layer an inputShape or call fit/predict)');
    const params = this.params();
    const datas = checkWeights(params, weights);
    params.forEach((p, i) => p.value.write(datas[i]));
  }

  /** A Keras-style table of layers, output shapes and parameter counts (also printed when print is given). */
  summary(print: ((s: string) => void) | null = console.log): string {
    this.buildIfShaped();
    const out = formatSummary(this.name, this.dtype, this.layers, this.built);
    if (print) print(out);
    return out;
  }

  /** Frees every wasm buffer of the model; any later use raises an Error. */
  dispose(): void {
    if (this.disposed) return;
    if (this.fitting) throw new Error('dispose: fit is running on this model; set model.stopTraining = true and await it first');
    for (const l of this.layers) l.dispose();
    this.optimizer?.dispose();
    this.freeAll();
    this.disposed = true;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Builds now when the input shape is known (Keras builds as soon as it can). */
  private buildIfShaped(): void {
    this.alive();
    if (!this.built && this.layers.length && this.inputShape) this.build();
    if (this.built) this.attachOptimizer();
  }

  private alive(): void {
    if (this.disposed) throw new Error(`model '${this.name}' has been disposed`);
  }

  private freeBuffers(): void {
    if (!this.bufs) return;
    for (const t of Object.values(this.bufs)) t.free();
    this.bufs = null;
    this.capacity = 0;
  }

  private freeAll(): void {
    this.freeBuffers();
    for (const t of this.persistent) t.free();
    this.streams?.free();
    this.persistent = [];
    this.streams = null;
  }
}

function snake(s: string): string {
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
