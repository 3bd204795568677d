// The training session: everything a model needs to run steps, independent of how the
// model was assembled. It owns the layer chain's build, the RNG streams, the batch
// buffers, the step transaction, the metric sums and the "busy" lock; Sequential is a
// facade over it and fit() drives it (with resident.ts for datasets copied into wasm).
// See docs/ARCHITECTURE.md.
//
// Memory plan: build() allocates parameters, gradients and RNG streams; the optimizer its
// state when training starts; reserve(capacity) the activations, the loss gradient, the
// input and target buffers and one GEMM workspace shared by all layers. A training step
// then runs kernels on those buffers only. Every allocation path is one arena transaction:
// when any allocation fails, everything that call took is freed and the state is unchanged.
//
// The step transaction: inputs are validated (shapes and labels in JS, NaN/Infinity by a
// wasm scan of the input buffer) before any layer runs; the loss and the gradients are
// checked before the optimizer runs, which applies an update only if every new weight is
// finite; the RNG streams are restored if the step is abandoned, and batch norm commits its
// moving statistics only after a successful update.

import { runtime, WasmTensor, BYTES, type DType, type Kernels } from '../../bindings/index.js';
import { Layer, size, type BuildContext, type Param, type RngStream, type TrainableParam } from '../layers/layer.js';
import { lossInput, type Loss, type TargetKind } from '../losses.js';
import { resolveMetrics, type Metric } from '../metrics.js';
import type { Optimizer } from '../optimizers/index.js';
import { checkFinite } from './data.js';
import { SPARE_STREAMS, STREAM, StreamBlock } from './streams.js';


interface Buffers { x: WasmTensor; labels: WasmTensor; targets: WasmTensor; weights: WasmTensor; dOut: WasmTensor; work: WasmTensor }

export class Session {
  readonly dtype: DType;
  readonly seed: number;
  readonly k: Kernels;
  readonly layers: Layer[] = [];
  loss: Loss | null = null;
  metrics: Metric[] = [];
  optimizer: Optimizer | null = null;
  /** Set by a callback to end fit() after the current batch. */
  stopTraining = false;
  /** Global L2 norm of the gradients of the last successful step. */
  lastGradNorm = 0;
  /** Per metric: sums and counts accumulated by step/evaluateBuffers since resetMetrics(). */
  private metricSums = new Float64Array(0);
  private metricCounts = new Float64Array(0);
  /** The layer whose logits the loss reads (a softmax/sigmoid output), or null. */
  private fused: Layer | null = null;
  /** compile()'s metrics as given; resolved against the loss and the output in prepareLoss. */
  private metricSpecs: unknown[] = [];
  /** True when the loss, the metrics or the output changed since prepareLoss. */
  private lossStale = true;

  private streams: StreamBlock;
  private scratch: WasmTensor | null = null;
  private bufs: Buffers | null = null;
  private capacity = 0;
  private paramList: Param[] = [];
  private trainableList: TrainableParam[] = [];
  /** Backward stops at this layer: nothing below it has trainable weights. */
  private firstTrainable = 0;
  /** True when the layer set or a trainable flag changed since the optimizer was attached. */
  private stale = true;
  private busyWith: string | null = null;
  private isBuilt = false;

  constructor(dtype: DType, seed: number) {
    this.dtype = dtype;
    this.seed = seed;
    this.k = runtime().kernels[dtype];
    this.streams = new StreamBlock(seed);
  }

  get built(): boolean { return this.isBuilt; }
  get inputShape(): number[] { return this.layers[0].inputShape; }
  get outputShape(): number[] { return this.layers[this.layers.length - 1].outputShape; }
  get inSize(): number { return size(this.inputShape); }
  get outSize(): number { return size(this.outputShape); }

  // ---- the lock: one fit at a time, and nothing that changes the model during it ----

  /** Throws when fit is running (from a callback, or a concurrent call). */
  assertIdle(what: string): void {
    if (this.busyWith) throw new Error(`${what}: ${this.busyWith} is already running on this model; await it first (set model.stopTraining = true to end it early)`);
  }

  /** True while fit/fitDataset/evaluateDataset runs. */
  get isBusy(): boolean {
    return this.busyWith !== null;
  }

  async exclusive<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.assertIdle(what);
    this.busyWith = what;
    try {
      return await fn();
    } finally {
      this.busyWith = null;
    }
  }

  // ---- build and structure ----

  /** Creates every parameter and stream for this per-sample input shape; all or nothing. */
  build(inputShape: number[]): void {
    if (this.isBuilt) return;
    WasmTensor.transaction(() => {
      try {
        this.scratch = new WasmTensor([2], 'float64', 'normal-sampling scratch');
        const initRng = this.streams.create(STREAM.init, 'init');
        this.streams.create(STREAM.shuffle, 'shuffle');
        this.streams.create(STREAM.augment, 'augment');
        let cur = inputShape.slice();
        for (const layer of this.layers) cur = this.buildLayer(layer, cur, initRng);
        this.streams.ensureRoom(SPARE_STREAMS);
      } catch (e) {
        for (const l of this.layers) l.dispose();
        this.streams.free();
        this.scratch = null;
        throw e;
      }
    });
    this.isBuilt = true;
    this.structureChanged();
  }

  private buildLayer(layer: Layer, inputShape: number[], initRng: RngStream): number[] {
    const rt = runtime();
    let k = 0;
    const ctx: BuildContext = {
      dtype: this.dtype, k: this.k, rt, initRng, scratch: this.scratch!,
      newStream: () => this.streams.create(this.streams.nextId++, `${layer.name}/${k++}`),
    };
    return layer.build(inputShape, ctx);
  }

  /** Appends a layer; on a built model it is built now, initialised from a stream of its own. */
  addLayer(layer: Layer): void {
    if (!this.isBuilt) { this.layers.push(layer); return; }
    // NOTE: the block must not grow inside the transaction (a rollback would free the new
    // block the other layers' streams then live in), nor in a call that fails (it would keep
    // the bigger block): build and every add leave SPARE_STREAMS free slots, so this grows
    // only when that reserve failed (a layer takes at most a few streams; 16 is ample)
    this.streams.ensureRoom(SPARE_STREAMS);
    const count = this.streams.count;
    const before = this.streams.nextId;
    WasmTensor.transaction(() => {
      try {
        const own = this.streams.create(this.streams.nextId++, null);
        this.buildLayer(layer, this.outputShape, own);
      } catch (e) {
        layer.dispose();
        this.streams.truncate(count);
        this.streams.forget(layer.name);
        this.streams.nextId = before;
        throw e;
      }
    });
    this.layers.push(layer);
    this.structureChanged();
    try { this.streams.ensureRoom(SPARE_STREAMS); } catch { /* out of memory: the next addLayer grows it first */ }
  }

  /** Removes the last layer and frees its weights. */
  popLayer(): Layer {
    const layer = this.layers.pop()!;
    layer.dispose();
    this.streams.forget(layer.name);
    if (this.layers.length === 0) { this.freeAll(); this.isBuilt = false; }
    this.structureChanged();
    return layer;
  }

  private structureChanged(): void {
    this.lossStale = true;
    this.freeBuffers();
    this.paramList = this.isBuilt ? this.layers.flatMap((l) => l.params()) : [];
    this.stale = true;
  }

  /** All parameters in getWeights() order. */
  params(): Param[] { return this.paramList; }

  /** Parameters the optimizer updates (trainable layers, trainable weights). */
  trainableParams(): TrainableParam[] {
    this.applyTrainable();
    return this.trainableList;
  }

  /**
   * Applies the layers' trainable flags and attaches the optimizer to the trainable
   * parameters when the set changed (cheap otherwise: one flag per layer is compared).
   */
  applyTrainable(): void {
    if (!this.stale && this.layers.every((l) => l.isFrozen === !l.trainable)) return;
    const trainable = this.layers.flatMap((l) => (l.trainable ? l.params() : []))
      .filter((p): p is TrainableParam => p.trainable && p.grad !== null);
    this.optimizer?.attach(this, trainable, this.k); // all or nothing; keeps existing state
    for (const l of this.layers) l.applyTrainable();
    this.trainableList = trainable;
    const first = this.layers.findIndex((l) => l.trainable && l.params().some((p) => p.trainable));
    this.firstTrainable = first < 0 ? this.layers.length : first;
    this.stale = false;
  }

  /** Sets what compile() chose; the optimizer attaches and the metrics resolve lazily. */
  setTraining(loss: Loss, metricSpecs: unknown[], optimizer: Optimizer): void {
    this.loss = loss;
    this.metricSpecs = metricSpecs.slice();
    this.optimizer = optimizer;
    this.stale = true;
    this.lossStale = true;
  }

  /** compile()'s metrics as given (names or {className, config}). */
  get metricSpecList(): unknown[] {
    return this.metricSpecs.slice();
  }

  // ---- buffers ----

  /** Makes sure the batch buffers hold `n` samples; reallocates (rarely, all or nothing) when they do not. */
  reserve(n: number): void {
    // NOTE: an outer transaction that failed (e.g. fit's) may have freed buffers made here
    if (n <= this.capacity && this.bufs && !this.bufs.x.isFreed) return;
    const cap = Math.max(n, this.capacity);
    this.freeBuffers();
    WasmTensor.transaction(() => {
      try {
        for (const l of this.layers) l.allocate(cap);
        const workBytes = Math.max(64, ...this.layers.map((l) => l.workBytes(cap)));
        const work = new WasmTensor([Math.ceil(workBytes / 4)], 'int32', 'GEMM workspace');
        for (const l of this.layers) l.work = work;
        this.bufs = {
          x: new WasmTensor([cap, this.inSize], this.dtype, 'input batch'),
          labels: new WasmTensor([cap], 'int32', 'label batch'),
          targets: new WasmTensor([cap, this.outSize], this.dtype, 'target batch'),
          weights: new WasmTensor([cap], this.dtype, 'sample weights'),
          dOut: new WasmTensor([cap, this.outSize], this.dtype, 'loss gradient'),
          work,
        };
      } catch (e) {
        this.bufs = null;
        throw e;
      }
    });
    this.capacity = cap;
  }

  get batchCapacity(): number { return this.capacity; }
  get inputBuffer(): WasmTensor { return this.bufs!.x; }
  get weightBuffer(): WasmTensor { return this.bufs!.weights; }

  /** The buffer a batch's targets go to: int32 labels or float targets shaped like the output. */
  targetBuffer(kind: TargetKind): WasmTensor {
    return kind === 'labels' ? this.bufs!.labels : this.bufs!.targets;
  }

  /** Bytes of one sample's targets. */
  targetRowBytes(kind: TargetKind): number {
    return kind === 'labels' ? 4 : this.outSize * BYTES[this.dtype];
  }

  /** Copies validated rows (and sample weights) into the batch buffers and scans x for NaN/Infinity there. */
  loadBatch(xs: ArrayLike<number>, ys: ArrayLike<number> | null, kind: TargetKind, n: number, firstSample = 0, what = 'x', ws: ArrayLike<number> | null = null): void {
    this.reserve(n);
    this.bufs!.x.write(xs);
    checkFinite(this.k, this.bufs!.x, n * this.inSize, this.inSize, firstSample, what);
    if (ys) this.targetBuffer(kind).write(ys);
    if (ws) this.bufs!.weights.write(ws);
  }

  // ---- the step ----

  /** Runs the layers on the first n rows of the input buffer. */
  forward(n: number, training: boolean): WasmTensor {
    let h = this.bufs!.x;
    for (const l of this.layers) h = l.forward(h, n, training);
    return h;
  }

  /**
   * Forward, loss and backward on the first n rows in the buffers: leaves the gradients in
   * every trainable param.grad; returns the loss (regularization included) or throws.
   * Callers save and restore the RNG streams.
   */
  private gradients(n: number, kind: TargetKind, measure: boolean, weighted: boolean): number {
    const targets = this.targetBuffer(kind);
    const out = this.forward(n, true);
    if (measure) this.measure(out, targets, kind, n);
    const dataLoss = this.computeLoss(this.bufs!.dOut.ptr, out, targets, kind, n, weighted);
    if (!Number.isFinite(dataLoss)) {
      throw new Error(`loss became ${dataLoss} (non-finite); the step was not applied and the model keeps its last finite weights`);
    }
    let dy = this.bufs!.dOut;
    for (let i = this.layers.length - 1; i >= this.firstTrainable; i--) {
      const dx = this.layers[i].backward(dy, n, i > this.firstTrainable);
      if (dx) dy = dx;
    }
    let total = dataLoss;
    let gradSq = 0;
    const list = this.trainableList;
    if (this.paramGradSq.length !== list.length) this.paramGradSq = new Float64Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (p.regularizer) total += this.k.l2(p.grad.ptr, p.value.ptr, p.value.size, p.regularizer.lambda);
      this.paramGradSq[i] = this.k.sumSquares(p.grad.ptr, p.grad.size);
      gradSq += this.paramGradSq[i];
    }
    if (!Number.isFinite(total) || !Number.isFinite(gradSq)) {
      throw new Error(`${Number.isFinite(total) ? 'gradients' : 'loss'} became non-finite (loss ${total}, squared gradient norm ${gradSq}); the step was not applied and the model keeps its last finite weights`);
    }
    this.lastGradSq = gradSq;
    return total;
  }

  private lastGradSq = 0;
  /** ‖∇‖² of each trainable parameter in the last step (trainableParams() order): fit monitors. */
  paramGradSq = new Float64Array(0);

  /** The loss of the rows in the buffers (from the fused layer's logits when there is one). */
  private computeLoss(grad: number, out: WasmTensor, targets: WasmTensor, kind: TargetKind, n: number, weighted: boolean): number {
    const input = this.fused ? this.fused.logits! : out;
    return this.loss!.compute(this.k, grad, input.ptr, targets.ptr, weighted ? this.bufs!.weights.ptr : 0, kind, n, this.outSize);
  }

  /**
   * One training step on the first n rows in the buffers; returns the loss before the
   * update. `measure` adds the batch to the metric sums; `weighted` applies the sample weights.
   */
  step(n: number, kind: TargetKind, measure: boolean, weighted = false): number {
    this.applyTrainable();
    this.prepareLoss();
    this.streams.save();
    let total: number;
    try {
      total = this.gradients(n, kind, measure, weighted);
      this.optimizer!.step(); // applies nothing when a new weight would be non-finite
    } catch (e) {
      this.streams.restore();
      throw e;
    }
    for (const l of this.layers) l.commit();
    this.lastGradNorm = Math.sqrt(this.lastGradSq);
    return total;
  }

  /** Loss and gradients on the rows in the buffers with nothing updated: the RNG streams are rewound. */
  probeGradients(n: number, kind: TargetKind): number {
    this.applyTrainable();
    this.prepareLoss();
    this.streams.save();
    try {
      return this.gradients(n, kind, false, false);
    } finally {
      this.streams.restore();
    }
  }

  /** Data loss of the first n rows in the buffers, inference mode; adds the batch to the metric sums. */
  evaluateBuffers(n: number, kind: TargetKind): number {
    this.prepareLoss();
    const out = this.forward(n, false);
    const t = this.targetBuffer(kind);
    this.measure(out, t, kind, n);
    return this.computeLoss(0, out, t, kind, n, false);
  }

  private measure(out: WasmTensor, t: WasmTensor, kind: TargetKind, n: number): void {
    for (let i = 0; i < this.metrics.length; i++) {
      const m = this.metrics[i];
      this.metricSums[i] += m.measure(this.k, out.ptr, t.ptr, kind, n, this.outSize);
      this.metricCounts[i] += m.count(n, this.outSize);
    }
  }

  /** Sets new metrics (compile) and clears their sums. */
  setMetrics(ms: Metric[]): void {
    this.metrics = ms;
    this.metricSums = new Float64Array(ms.length);
    this.metricCounts = new Float64Array(ms.length);
  }

  /** The metric sums, to put back after an evaluation that ran in the middle of an epoch. */
  saveMetrics(): [Float64Array, Float64Array] {
    return [this.metricSums.slice(), this.metricCounts.slice()];
  }

  restoreMetrics([sums, counts]: [Float64Array, Float64Array]): void {
    if (sums.length === this.metricSums.length) { this.metricSums.set(sums); this.metricCounts.set(counts); }
  }

  /** Forgets the build (after a call that built the model and then failed on its data). */
  unbuild(): void {
    if (!this.isBuilt) return;
    for (const l of this.layers) l.dispose();
    this.optimizer?.dispose();
    this.freeAll();
    this.isBuilt = false;
    this.structureChanged();
  }

  resetMetrics(): void {
    this.metricSums.fill(0);
    this.metricCounts.fill(0);
  }

  /** Each metric's mean since resetMetrics(), under its History name (prefixed: 'val' → valAccuracy). */
  metricResults(prefix = ''): Record<string, number> {
    const out: Record<string, number> = {};
    this.metrics.forEach((m, i) => {
      const name = prefix ? prefix + m.name[0].toUpperCase() + m.name.slice(1) : m.name;
      out[name] = this.metricCounts[i] ? this.metricSums[i] / this.metricCounts[i] : Number.NaN;
    });
    return out;
  }

  /**
   * Decides whether the loss reads the output or the last layer's logits (see lossInput)
   * and resolves the metrics for this loss and output (binaryAccuracy thresholds logits at 0).
   */
  prepareLoss(): void {
    if (!this.lossStale || !this.loss || !this.isBuilt) return;
    const last = this.layers[this.layers.length - 1];
    const mode = lossInput(this.loss, last.outputActivation, this.outputShape);
    const metrics = resolveMetrics(this.metricSpecs, this.loss, this.outputShape, this.loss.onLogits && mode === 'direct');
    for (const l of this.layers) l.fuseOutput = false;
    last.fuseOutput = mode === 'fused';
    this.fused = mode === 'fused' ? last : null;
    this.setMetrics(metrics);
    this.lossStale = false;
  }

  /** Σ λ·‖W‖² over the regularized kernels of trainable layers (what training adds to the loss). */
  regularizationLoss(): number {
    let s = 0;
    for (const p of this.trainableParams()) if (p.regularizer) s += p.regularizer.lambda * this.k.sumSquares(p.value.ptr, p.value.size);
    return s;
  }

  // ---- state for save/load ----

  /** The named RNG streams and their live 16-byte states. */
  streamStates(): { name: string; bytes: Uint8Array }[] {
    return [...this.streams.named].map(([name, s]) => ({ name, bytes: this.streams.bytes(s) }));
  }

  /** Pointer of a named stream ('shuffle', 'augment', ...). */
  streamPtr(name: string): number {
    return this.streams.named.get(name)!.ptr;
  }

  get nextStreamId(): number { return this.streams.nextId; }
  set nextStreamId(id: number) { this.streams.nextId = id; }

  // ---- teardown ----

  private freeBuffers(): void {
    if (!this.bufs) { this.capacity = 0; return; }
    for (const t of Object.values(this.bufs)) t.free();
    for (const l of this.layers) l.releaseBuffers();
    this.bufs = null;
    this.capacity = 0;
  }

  private freeAll(): void {
    this.freeBuffers();
    this.scratch?.free();
    this.scratch = null;
    this.streams.free();
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
    this.optimizer?.dispose();
    this.freeAll();
    this.isBuilt = false;
  }
}
