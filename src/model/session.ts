// The training session: everything a model needs to run steps, independent of how the
// model was assembled. It owns the graph's build, the RNG streams, the batch buffers, the
// step transaction, the metric sums and the "busy" lock; Model (and Sequential, a model
// whose graph is a chain) is a facade over it and fit() drives it (with resident.ts for
// datasets copied into wasm). See docs/ARCHITECTURE.md.
//
// The graph: nodes run in a fixed order (graph.ts); each node reads tensors by slot (0 is
// the model input, i + 1 the output of node i). Backward runs the nodes in reverse; a
// tensor read by several nodes gets its gradients summed into an accumulator of its own,
// in reverse node order, so the bits never depend on anything but the graph. A layer
// applied twice runs its later nodes on a twin: a layer of the same config with buffers
// and gradients of its own whose weights are the first node's (the optimizer updates
// those once); the twins' gradients are added to the layer's, in node order.
//
// Memory plan: build() allocates parameters, gradients and RNG streams; the optimizer its
// state when training starts; reserve(capacity) the activations, the loss gradient, the
// input and target buffers and one kernel workspace (GEMM, convolution) shared by all layers. A training step
// then runs kernels on those buffers only. Every allocation path is one arena transaction:
// when any allocation fails, everything that call took is freed and the state is unchanged.
//
// The step transaction: inputs are validated (shapes and labels in JS, NaN/Infinity by a
// wasm scan of the input buffer) before any layer runs; the loss and the gradients are
// checked before the optimizer runs, which applies an update only if every new weight is
// finite; the RNG streams are restored if the step is abandoned, and batch norm commits its
// moving statistics only after a successful update.

import { core, runtime, WasmTensor, BYTES, type DType, type Kernels } from '../../bindings/index.js';
import { layerRegistry } from '../layers/index.js';
import { Layer, size, type BuildContext, type Param, type RngStream, type TrainableParam } from '../layers/layer.js';
import { serialize } from '../serialization.js';
import type { GraphPlan } from './graph.js';
import { lossInput, type Loss, type TargetKind } from '../losses.js';
import { resolveMetrics, type Metric } from '../metrics.js';
import type { Optimizer } from '../optimizers/index.js';
import { checkFinite } from './data.js';
import { SPARE_STREAMS, STREAM, StreamBlock } from './streams.js';


/** Bytes of wasm memory a model holds, by use (see Session.memory). */
export interface MemoryUse {
  /** Weights and non-trainable weights (batch-norm moving statistics). */
  parameters: number;
  /** One gradient per trainable weight (per node, for a layer applied more than once). */
  gradients: number;
  /** The optimizer's state (e.g. Adam's expAvg, expAvgSq), double-buffered, and a spare buffer per weight. */
  optimizer: number;
  /** Each layer's outputs and input gradients for the batch capacity, gradient sums, the loss gradient. */
  activations: number;
  /** Kernel workspaces (GEMM and convolution: this model's, and each kernel thread's), per-layer batch statistics, the RNG stream states, scratch. */
  workspace: number;
  /** The batch input, label, target and sample-weight buffers, and datasets fit() copied in. */
  data: number;
  total: number;
}

interface Buffers { x: WasmTensor; labels: WasmTensor; targets: WasmTensor; weights: WasmTensor; dOut: WasmTensor; work: WasmTensor }

/** A node of the graph as given: a layer and the slots it reads. */
interface NodeSpec { layer: Layer; inputs: number[] }

/** A built node. */
interface RunNode {
  /** What runs: the layer itself on its first node, a twin on later ones. */
  layer: Layer;
  /** Whose weights it uses. */
  primary: Layer;
  inputs: number[];
  output: number;
  /** Input buffers of a multi-input node (reused every step). */
  xs: WasmTensor[];
  /** Some trainable weight is at or before this node: backward must run it. */
  needsBackward: boolean;
  /** Per input: its producer needs a gradient. */
  needDx: boolean[];
}

export class Session {
  readonly dtype: DType;
  readonly seed: number;
  readonly k: Kernels;
  /** Each layer once, in the order of its first node: what getWeights and save list. */
  readonly layers: Layer[] = [];
  /** True for Sequential: the graph is the chain of `layers`, which add/pop may change. */
  readonly isChain: boolean;
  private specs: NodeSpec[] = [];
  private outputSlot = 0;
  private nodes: RunNode[] = [];
  /** Per-sample shape of each slot (when built). */
  private slotShapes: number[][] = [];
  /** How many node inputs read each slot. */
  private fanout: number[] = [];
  /** Gradient accumulators of the slots read more than once. */
  private accs: (WasmTensor | null)[] = [];
  /** This step's tensor and gradient of each slot, and how many gradients were summed. */
  private acts: WasmTensor[] = [];
  private grads: (WasmTensor | null)[] = [];
  private summed: number[] = [];
  /** [layer grad, twin grad, size] to add after backward: the shared layers' gradient sums. */
  private twinSums: [WasmTensor, WasmTensor, number][] = [];
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

  /** Datasets fit() has copied into wasm memory (while it runs): model.memory()'s data. */
  readonly resident = new Set<{ x: WasmTensor; y: WasmTensor; w: WasmTensor | null; order: WasmTensor }>();
  private streams: StreamBlock;
  private scratch: WasmTensor | null = null;
  private bufs: Buffers | null = null;
  private capacity = 0;
  private paramList: Param[] = [];
  private trainableList: TrainableParam[] = [];
  /** True when the layer set or a trainable flag changed since the optimizer was attached. */
  private stale = true;
  private busyWith: string | null = null;
  private isBuilt = false;

  /** A chain (Sequential) when `graph` is omitted. */
  constructor(dtype: DType, seed: number, graph?: GraphPlan) {
    this.dtype = dtype;
    this.seed = seed;
    this.k = runtime().kernels[dtype];
    this.streams = new StreamBlock(seed);
    this.isChain = !graph;
    if (graph) {
      this.specs = graph.nodes.map((n) => ({ layer: n.layer, inputs: n.inputs.slice() }));
      this.outputSlot = graph.output;
      for (const n of graph.nodes) if (!this.layers.includes(n.layer)) this.layers.push(n.layer);
    }
  }

  get built(): boolean { return this.isBuilt; }
  get inputShape(): number[] { return this.slotShapes[0]; }
  get outputShape(): number[] { return this.slotShapes[this.outputSlot]; }
  /** The node instance that computes the model output (its activation may be fused with the loss). */
  get outputLayer(): Layer { return this.nodes[this.outputSlot - 1].layer; }
  /** Slot of the model output (graphNodes' `output` numbering). */
  get graphOutput(): number { return this.outputSlot; }
  /** The built nodes: layer, input slots and output slot (summary, export). */
  get graphNodes(): readonly { layer: Layer; primary: Layer; inputs: readonly number[]; output: number }[] { return this.nodes; }
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
        this.nodes = [];
        this.slotShapes = [inputShape.slice()];
        if (this.isChain) this.specs = this.layers.map((layer, i) => ({ layer, inputs: [i] }));
        if (this.isChain) this.outputSlot = this.layers.length;
        for (const spec of this.specs) this.buildNode(spec, initRng);
        this.streams.ensureRoom(SPARE_STREAMS);
      } catch (e) {
        for (const n of this.nodes) n.layer.dispose();
        for (const l of this.layers) l.dispose();
        this.nodes = [];
        this.slotShapes = [];
        this.streams.free();
        this.scratch = null;
        throw e;
      }
    });
    this.isBuilt = true;
    this.structureChanged();
  }

  /** Builds a node (a twin for a layer's later nodes) and appends it. */
  private buildNode(spec: NodeSpec, initRng: RngStream): void {
    const primary = spec.layer;
    const index = this.nodes.length;
    const shared = this.nodes.some((n) => n.primary === primary);
    // NOTE: a twin's build runs inside build()'s transaction: if it fails, its tensors are freed
    const layer = shared ? twinOf(primary) : primary;
    // a twin's streams are named after its node: a shared dropout draws its own masks per node
    const out = this.buildLayer(layer, spec.inputs.map((s) => this.slotShapes[s]), initRng, shared ? `${primary.name}@${index}` : primary.name);
    if (shared) shareWeights(layer, primary);
    this.nodes.push({ layer, primary, inputs: spec.inputs.slice(), output: index + 1, xs: spec.inputs.map(() => null as unknown as WasmTensor), needsBackward: false, needDx: [] });
    this.slotShapes.push(out);
  }

  private buildLayer(layer: Layer, inputShapes: number[][], initRng: RngStream, streamPrefix: string): number[] {
    const rt = runtime();
    let k = 0;
    const ctx: BuildContext = {
      dtype: this.dtype, k: this.k, rt, initRng, scratch: this.scratch!,
      newStream: () => this.streams.create(this.streams.nextId++, `${streamPrefix}/${k++}`),
    };
    return layer.buildMany(inputShapes, ctx);
  }

  /** Appends a layer; on a built model it is built now, initialised from a stream of its own. */
  addLayer(layer: Layer): void {
    if (!this.isChain) throw new Error('addLayer: only a Sequential model grows layer by layer');
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
        this.buildNode({ layer, inputs: [this.layers.length] }, own);
      } catch (e) {
        layer.dispose();
        this.streams.truncate(count);
        this.streams.forget(layer.name);
        this.streams.nextId = before;
        throw e;
      }
    });
    this.layers.push(layer);
    this.specs.push({ layer, inputs: [this.layers.length - 1] });
    this.outputSlot = this.layers.length;
    this.structureChanged();
    try { this.streams.ensureRoom(SPARE_STREAMS); } catch { /* out of memory: the next addLayer grows it first */ }
  }

  /** Removes the last layer and frees its weights. */
  popLayer(): Layer {
    if (!this.isChain) throw new Error('popLayer: only a Sequential model is changed layer by layer');
    const layer = this.layers.pop()!;
    layer.dispose();
    this.streams.forget(layer.name);
    if (this.isBuilt) {
      this.nodes.pop();
      this.specs.pop();
      this.slotShapes.pop();
      this.outputSlot = this.layers.length;
    }
    if (this.layers.length === 0) { this.freeAll(); this.isBuilt = false; this.nodes = []; this.slotShapes = []; }
    this.structureChanged();
    return layer;
  }

  private structureChanged(): void {
    this.lossStale = true;
    this.freeBuffers();
    this.paramList = this.isBuilt ? this.layers.flatMap((l) => l.params()) : [];
    this.fanout = this.slotShapes.map(() => 0);
    for (const n of this.nodes) for (const s of n.inputs) this.fanout[s]++;
    this.acts = this.slotShapes.map(() => null as unknown as WasmTensor);
    this.grads = this.slotShapes.map(() => null);
    this.summed = this.slotShapes.map(() => 0);
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
    if (!this.stale && this.trainableUnchanged()) return;
    const trainable = this.layers.flatMap((l) => (l.trainable ? l.params() : []))
      .filter((p): p is TrainableParam => p.trainable && p.grad !== null);
    this.optimizer?.attach(this, trainable, this.k); // all or nothing; keeps existing state
    for (const l of this.layers) l.applyTrainable();
    const needs: boolean[] = [];
    this.twinSums = [];
    for (const n of this.nodes) {
      if (n.layer !== n.primary) {
        n.layer.trainable = n.primary.trainable;
        n.layer.applyTrainable();
        if (n.primary.trainable) {
          const own = n.primary.params(), twin = n.layer.params();
          own.forEach((p, i) => { if (p.trainable && p.grad) this.twinSums.push([p.grad, twin[i].grad!, p.grad.size]); });
        }
      }
      n.needDx = n.inputs.map((s) => s > 0 && needs[s - 1]);
      n.needsBackward = (n.primary.trainable && n.primary.params().some((p) => p.trainable)) || n.needDx.some(Boolean);
      needs.push(n.needsBackward);
    }
    this.trainableList = trainable;
    this.stale = false;
  }

  private trainableUnchanged(): boolean {
    const layers = this.layers;
    for (let j = 0; j < layers.length; j++) if (layers[j].isFrozen !== !layers[j].trainable) return false;
    return true;
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
        for (const n of this.nodes) n.layer.allocate(cap);
        const workBytes = Math.max(64, ...this.nodes.map((n) => n.layer.workBytes(cap)));
        const work = new WasmTensor([Math.ceil(workBytes / 4)], 'int32', 'kernel workspace');
        core().reserveThreadWork(workBytes); // each kernel thread's share of a GEMM needs as much at most
        for (const n of this.nodes) n.layer.work = work;
        this.accs = this.slotShapes.map((shape, s) => (s > 0 && this.fanout[s] > 1 ? new WasmTensor([cap, ...shape], this.dtype, `gradient sum of the output of '${this.nodes[s - 1].layer.name}'`) : null));
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
    const acts = this.acts;
    acts[0] = this.bufs!.x;
    const nodes = this.nodes;
    // NOTE: indexed loops in the step: a for-of allocates an iterator per call in V8's lower tiers
    for (let j = 0; j < nodes.length; j++) {
      const node = nodes[j];
      const { inputs, xs } = node;
      if (inputs.length === 1) {
        acts[node.output] = node.layer.forward(acts[inputs[0]], n, training);
      } else {
        for (let i = 0; i < inputs.length; i++) xs[i] = acts[inputs[i]];
        acts[node.output] = node.layer.forwardInputs(xs, n, training);
      }
    }
    return acts[this.outputSlot];
  }

  /** Runs the nodes backward from the loss gradient in dOut: leaves every trainable param.grad. */
  private backward(n: number): void {
    const { grads, summed, nodes } = this;
    grads.fill(null);
    summed.fill(0);
    grads[this.outputSlot] = this.bufs!.dOut;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      if (!node.needsBackward) continue;
      const dy = grads[node.output]!;
      const { inputs, needDx } = node;
      if (inputs.length === 1) {
        const dx = node.layer.backward(dy, n, needDx[0]);
        if (needDx[0]) this.addGradient(inputs[0], dx!, n);
      } else {
        const dxs = node.layer.backwardInputs(dy, n, needDx);
        for (let j = 0; j < inputs.length; j++) if (needDx[j]) this.addGradient(inputs[j], dxs[j]!, n);
      }
    }
    for (let j = 0; j < this.twinSums.length; j++) {
      const [own, twin, m] = this.twinSums[j];
      this.k.addTo(own, own, twin, m);
    }
  }

  /** One consumer's gradient of a slot: kept as is, or summed (in arrival order) when the slot has several. */
  private addGradient(slot: number, dx: WasmTensor, n: number): void {
    if (this.fanout[slot] === 1 || this.summed[slot] === 0) {
      this.grads[slot] = dx;
      this.summed[slot] = 1;
      return;
    }
    const acc = this.accs[slot]!;
    this.k.addTo(acc, this.grads[slot]!, dx, n * size(this.slotShapes[slot]));
    this.grads[slot] = acc;
    this.summed[slot]++;
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
    const dataLoss = this.computeLoss(this.bufs!.dOut, out, targets, kind, n, weighted);
    if (!Number.isFinite(dataLoss)) {
      throw new Error(`loss became ${dataLoss} (non-finite); the step was not applied and the model keeps its last finite weights`);
    }
    this.backward(n);
    let total = dataLoss;
    let gradSq = 0;
    const list = this.trainableList;
    if (this.paramGradSq.length !== list.length) this.paramGradSq = new Float64Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (p.regularizer) total += this.k.l2(p.grad, p.value, p.value.size, p.regularizer.lambda);
      this.paramGradSq[i] = this.k.sumSquares(p.grad, p.grad.size);
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
  private computeLoss(grad: WasmTensor | null, out: WasmTensor, targets: WasmTensor, kind: TargetKind, n: number, weighted: boolean): number {
    const input = this.fused ? this.fused.logits! : out;
    return this.loss!.compute(this.k, grad, input, targets, weighted ? this.bufs!.weights : null, kind, n, this.outSize);
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
    for (let j = 0; j < this.nodes.length; j++) this.nodes[j].layer.commit();
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
    return this.computeLoss(null, out, t, kind, n, false);
  }

  private measure(out: WasmTensor, t: WasmTensor, kind: TargetKind, n: number): void {
    for (let i = 0; i < this.metrics.length; i++) {
      const m = this.metrics[i];
      this.metricSums[i] += m.measure(this.k, out, t, kind, n, this.outSize);
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
    this.disposeLayers();
    this.optimizer?.dispose();
    this.freeAll();
    this.isBuilt = false;
    this.structureChanged();
  }

  /** Disposes every layer and twin and forgets the built nodes. */
  private disposeLayers(): void {
    for (const n of this.nodes) if (n.layer !== n.primary) n.layer.dispose();
    for (const l of this.layers) l.dispose();
    this.nodes = [];
    this.slotShapes = [];
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
    const last = this.outputLayer;
    const mode = lossInput(this.loss, last.outputActivation, this.outputShape);
    const metrics = resolveMetrics(this.metricSpecs, this.loss, this.outputShape, this.loss.onLogits && mode === 'direct');
    for (const node of this.nodes) node.layer.fuseOutput = false;
    last.fuseOutput = mode === 'fused';
    this.fused = mode === 'fused' ? last : null;
    this.setMetrics(metrics);
    this.lossStale = false;
  }

  /** Σ λ·‖W‖² over the regularized kernels of trainable layers (what training adds to the loss). */
  regularizationLoss(): number {
    let s = 0;
    for (const p of this.trainableParams()) if (p.regularizer) s += p.regularizer.lambda * this.k.sumSquares(p.value, p.value.size);
    return s;
  }

  // ---- memory ----

  /** Bytes of wasm memory this model holds, by what for (model.memory(); docs/ARCHITECTURE.md has the formula). */
  memory(): MemoryUse {
    let parameters = 0, gradients = 0, activations = 0, workspace = this.streams.blockBytes, data = 0;
    for (const l of this.layers) {
      for (const p of l.params()) { parameters += p.value.bytes; gradients += p.grad?.bytes ?? 0; }
    }
    for (const n of this.nodes) {
      if (n.layer !== n.primary) for (const p of n.layer.params()) gradients += p.grad?.bytes ?? 0; // a twin: its own gradients only
      activations += n.layer.activationBytes;
      workspace += n.layer.stateBytes;
    }
    for (const t of this.accs) activations += t?.bytes ?? 0;
    if (this.scratch) workspace += this.scratch.bytes;
    if (this.bufs) {
      const b = this.bufs;
      activations += b.dOut.bytes;
      workspace += b.work.bytes + (core().threads - 1) * core().threadWorkBytes;
      data += b.x.bytes + b.labels.bytes + b.targets.bytes + b.weights.bytes;
    }
    for (const d of this.resident) data += d.x.bytes + d.y.bytes + (d.w?.bytes ?? 0) + d.order.bytes;
    const optimizer = this.optimizer?.stateBytes ?? 0;
    return { parameters, gradients, optimizer, activations, workspace, data, total: parameters + gradients + optimizer + activations + workspace + data };
  }

  // ---- state for save/load ----

  /** The named RNG streams and their live 16-byte states. */
  streamStates(): { name: string; bytes: Uint8Array }[] {
    return [...this.streams.named].map(([name, s]) => ({ name, bytes: this.streams.bytes(s) }));
  }

  /** A named stream ('shuffle', 'augment', ...). */
  stream(name: string): RngStream {
    return this.streams.named.get(name)!;
  }

  get nextStreamId(): number { return this.streams.nextId; }
  set nextStreamId(id: number) { this.streams.nextId = id; }

  // ---- teardown ----

  private freeBuffers(): void {
    if (!this.bufs) { this.capacity = 0; return; }
    for (const t of Object.values(this.bufs)) t.free();
    for (const t of this.accs) t?.free();
    this.accs = [];
    for (const n of this.nodes) n.layer.releaseBuffers();
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
    this.freeBuffers();
    this.disposeLayers();
    this.optimizer?.dispose();
    this.freeAll();
    this.isBuilt = false;
  }
}

/** A layer of the same class and config, for a later node of a shared layer. */
function twinOf(layer: Layer): Layer {
  const twin = layerRegistry.fromConfig(serialize(layer) as never);
  twin.name = layer.name;
  return twin;
}

/**
 * Points the twin's weights at the layer's (the optimizer may swap a weight's buffer: the
 * twin always reads the current one) and frees the twin's own; gradients stay separate.
 */
function shareWeights(twin: Layer, layer: Layer): void {
  const own = layer.params(), other = twin.params();
  const same = own.length === other.length && own.every((p, i) => p.value.shape.join() === other[i].value.shape.join());
  if (!same) {
    const shapes = (ps: Param[]) => ps.map((p) => `[${p.value.shape.join(', ')}]`).join(' ');
    throw new Error(`layer '${layer.name}' is applied to inputs that need weights of other shapes (${shapes(other)}) than its first application's (${shapes(own)})`);
  }
  other.forEach((p, i) => {
    p.value.free();
    Object.defineProperty(p, 'value', { get: () => own[i].value, set: (v: WasmTensor) => { own[i].value = v; }, configurable: true, enumerable: true });
  });
}
