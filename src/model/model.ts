// Model: a graph of layers (functional API: `new Model({inputs, outputs})`) trained by one
// loss and one optimizer; Sequential (sequential.ts) is a Model whose graph is a chain it
// grows with add(). A facade over the training session (session.ts), which owns memory,
// RNG streams and the step transaction; this file checks arguments, compiles, and turns
// user data into batches. Every call validates its input before changing anything.

import { type DType } from '../../bindings/index.js';
import { Layer, type Param, type TrainableParam } from '../layers/layer.js';
import { getLoss, lossInput, type Loss, type LossName } from '../losses.js';
import { checkMetricTargets, resolveMetrics, type MetricName, type MetricSpec } from '../metrics.js';
import type { Serialized } from '../serialization.js';
import { getOptimizer, type Optimizer, type OptimizerName } from '../optimizers/index.js';
import { checkKeys, describe, positiveInt } from '../options.js';
import { Tensor } from '../tensor.js';
import { checkBatchSize, checkWeights, inferInputShape, subarray, toFeatures, toTargets, type Features, type Targets } from './data.js';
import { evaluateSource, fit, fitDataset, type BatchSource, type FitContext, type FitDatasetOptions, type FitOptions, type FitRun } from './fit.js';
import type { History } from './history.js';
import { loadModel, registerModelClass, saveModel, type LoadOptions, type ModelArtifacts } from './artifacts.js';
import { replayGraph } from './graph-config.js';
import { planGraph, type SymbolicTensor } from './graph.js';
import { Session, type MemoryUse } from './session.js';
import { formatSummary } from './summary.js';

export interface SequentialArgs {
  /** Seed of every random stream (init, dropout, shuffling, augmentation). Default: random. */
  seed?: number;
  /** 'float32' (default) or 'float64' (gradient checks, research). */
  dtype?: DType;
  name?: string;
}

export interface ModelArgs extends SequentialArgs {
  /** The model input: a symbolic tensor from input({shape}) (or an array of one). */
  inputs: SymbolicTensor | SymbolicTensor[];
  /** The model output: a symbolic tensor from layer.apply() (or an array of one). */
  outputs: SymbolicTensor | SymbolicTensor[];
}

/** Sequential's constructor path: a chain grown by add(). */
export const CHAIN = Symbol('chain');

export interface CompileArgs {
  optimizer: Optimizer | OptimizerName | Serialized;
  /** A name ('sparseCategoricalCrossentropy', …), a losses.*() object or {className, config}. */
  loss: LossName | Loss | Serialized;
  metrics?: (MetricName | MetricSpec | Serialized)[];
}

/** loss (regularization included) and each compiled metric by its History name. */
export interface EvaluateResult { loss: number; accuracy?: number; [metric: string]: number | undefined }

/** The model each layer was added to: a layer belongs to one model. */
export const owners = new WeakMap<Layer, Model>();

export class Model {
  readonly dtype: DType;
  readonly seed: number;
  readonly name: string;
  protected readonly s: Session;
  private disposed = false;
  /** The input's name (input({name})), for summary and export; 'input' for a Sequential. */
  readonly inputName: string;

  /**
   * A functional model from the symbolic tensors of its input and output (TF.js
   * `tf.model({inputs, outputs})`): every layer on a path between them, run in the order
   * they were applied. Built at once (the input shape is known).
   */
  constructor(args: ModelArgs) {
    const chain = (args as unknown as Record<symbol, unknown> | undefined)?.[CHAIN] === true;
    const what = chain ? 'Sequential' : 'Model';
    if (!args || typeof args !== 'object') throw new Error(`Model expects {inputs, outputs}, got ${describe(args)}`);
    checkKeys(args, chain ? ['seed', 'dtype', 'name'] : ['inputs', 'outputs', 'seed', 'dtype', 'name'], what);
    const dtype = args.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`Unknown dtype ${describe(dtype)}; expected 'float32' or 'float64'`);
    const seed = args.seed ?? Math.floor(Math.random() * 2 ** 32);
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) throw new Error(`Invalid seed: ${describe(seed)} (a non-negative integer)`);
    if (args.name !== undefined && typeof args.name !== 'string') throw new Error(`${what} name must be a string, got ${describe(args.name)}`);
    this.dtype = dtype;
    this.seed = seed;
    this.name = args.name ?? (chain ? 'sequential' : 'model');
    if (chain) {
      this.s = new Session(dtype, seed);
      this.inputName = 'input';
      return;
    }
    if (!('inputs' in args) || !('outputs' in args)) throw new Error('Model needs {inputs, outputs} (symbolic tensors from input() and layer.apply()); for a stack of layers use new Sequential()');
    const plan = planGraph(args.inputs, args.outputs);
    const layers: Layer[] = [];
    for (const n of plan.nodes) if (!layers.includes(n.layer)) layers.push(n.layer);
    for (const l of layers) {
      if (owners.has(l) || l.built) throw new Error(`layer '${l.name || l.className}' is already used in a model: a layer's weights live in one model`);
    }
    const named = new Set<string>([plan.input.name]);
    for (const l of layers) {
      if (!l.name) continue;
      if (named.has(l.name)) throw new Error(`two layers (or a layer and the input) are named '${l.name}'; names must be unique within a model`);
      named.add(l.name);
    }
    // all checks passed: name the unnamed layers and take ownership
    for (const l of layers) if (!l.name) { l.name = uniqueName(l, [...named]); named.add(l.name); }
    this.inputName = plan.input.name;
    this.s = new Session(dtype, seed, plan);
    this.s.build(plan.input.shape.slice());
    for (const l of layers) owners.set(l, this);
  }

  /** The layers, in order (a copy of the list; the layers themselves are live). */
  get layers(): Layer[] { return this.s.layers.slice(); }
  get optimizer(): Optimizer | null { return this.s.optimizer; }
  get loss(): Loss | null { return this.s.loss; }
  /** The compiled metrics' History names (resolved once the model is built). */
  get metrics(): string[] {
    const specs = () => this.s.metricSpecList.map((m) => (typeof m === 'string' ? m : (m as { className: string }).className));
    if (!this.s.built) return specs();
    try {
      this.s.prepareLoss();
    } catch {
      return specs(); // the output no longer suits the loss (after pop/add): compile says why
    }
    return this.s.metrics.map((m) => m.name);
  }
  /** Set to true (e.g. from a callback) to end fit() after the current batch. */
  get stopTraining(): boolean { return this.s.stopTraining; }
  set stopTraining(v: boolean) { this.s.stopTraining = v; }
  /** Global L2 norm of the gradients of the last successful step. */
  get lastGradNorm(): number { return this.s.lastGradNorm; }
  get isDisposed(): boolean { return this.disposed; }
  get built(): boolean { return this.s.built; }

  get inputShape(): number[] | null {
    return this.s.built ? this.s.inputShape.slice() : this.s.layers[0]?.declaredInputShape?.slice() ?? null;
  }

  get outputShape(): number[] | null {
    return this.s.built ? this.s.outputShape.slice() : null;
  }

  /** Creates every parameter for this per-sample input shape (done lazily by compile/fit/predict). */
  build(inputShape?: number[]): void {
    this.alive();
    if (this.s.built) return;
    if (this.s.layers.length === 0) throw new Error('the model has no layers: add some before building');
    const shape = inputShape ?? this.s.layers[0].declaredInputShape;
    if (!shape) throw new Error('the first layer needs an inputShape (or call fit/predict, which infer it from the data)');
    if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new Error(`build: inputShape must be a non-empty array of positive integers, got ${describe(shape)}`);
    }
    this.s.build(shape);
  }

  compile(args: CompileArgs): void {
    this.alive();
    this.s.assertIdle('compile');
    if (!args || typeof args !== 'object') throw new Error('compile expects {optimizer, loss, metrics}');
    checkKeys(args, ['optimizer', 'loss', 'metrics'], 'compile');
    const loss = getLoss(args.loss);
    const optimizer = getOptimizer(args.optimizer);
    const metrics = args.metrics ?? [];
    if (optimizer.isAttached && !optimizer.ownedBy(this.s)) {
      throw new Error(`this ${optimizer.className} optimizer is already used by another model; create one optimizer per model`);
    }
    this.buildIfShaped();
    checkLossOutput(this.s, loss, metrics);
    // all checks passed: now change state
    optimizer.claim(this.s);
    if (this.s.optimizer && this.s.optimizer !== optimizer) this.s.optimizer.dispose();
    this.s.setTraining(loss, metrics, optimizer);
  }

  /** All parameters in getWeights() order. */
  params(): Param[] {
    return this.s.params();
  }

  /** Parameters training updates (excludes frozen layers and moving statistics); works before compile. */
  trainableParams(): TrainableParam[] {
    this.buildIfShaped();
    if (!this.s.built) throw new Error('trainableParams: the model is not built yet (give the first layer an inputShape or call build/fit/predict)');
    return this.s.trainableParams();
  }

  countParams(): number {
    this.buildIfShaped();
    if (!this.s.built) throw new Error('countParams: the model is not built yet (give the first layer an inputShape or call build/fit/predict)');
    return this.s.params().reduce((n, p) => n + p.value.size, 0);
  }

  /**
   * One optimizer step on one batch (training mode). Returns that batch's loss before the
   * update, regularization included.
   */
  trainOnBatch(x: Features, y: Targets): number {
    const n = this.loadTrainingBatch('trainOnBatch', x, y);
    return this.s.step(n, this.batchKind, false);
  }

  /**
   * Loss (training mode, regularization included) and its gradient for every parameter, in
   * getWeights() order (zeros for weights the optimizer does not update), without updating
   * anything: the RNG streams are rewound, so a probe does not change later training.
   */
  computeGradients(x: Features, y: Targets): { loss: number; grads: Tensor[] } {
    const b = this.loadTrainingBatch('computeGradients', x, y);
    const loss = this.s.probeGradients(b, this.batchKind);
    const trainable = new Set<Param>(this.s.trainableParams());
    const zeros = (p: Param) => (this.dtype === 'float32' ? new Float32Array(p.value.size) : new Float64Array(p.value.size));
    return { loss, grads: this.s.params().map((p) => new Tensor(trainable.has(p) ? p.grad!.read() : zeros(p), p.value.shape, this.dtype)) };
  }

  /** The target kind of the batch loadTrainingBatch loaded last (a field, not a per-step tuple). */
  private batchKind: 'labels' | 'dense' = 'labels';

  /** Validates and copies a batch into the buffers; returns its size (its target kind in batchKind). */
  private loadTrainingBatch(what: string, x: Features, y: Targets): number {
    this.ready(what);
    this.s.assertIdle(what);
    // a built model has nothing to undo: no closure per step
    return this.s.built ? this.loadBuilt(what, x, y) : this.tentatively(x, () => this.loadBuilt(what, x, y));
  }

  private loadBuilt(what: string, x: Features, y: Targets): number {
    const fx = toFeatures(x, this.s.inputShape);
    const ty = toTargets(y, fx.n, this.s.outputShape, this.s.loss!);
    if (fx.n === 0) throw new Error(`${what}: x has no samples`);
    this.s.loadBatch(fx.data, ty.data, ty.kind, fx.n);
    this.batchKind = ty.kind;
    return fx.n;
  }

  /**
   * Builds an unbuilt model from x's shape, runs fn, and forgets the build again if fn
   * throws (bad data must not fix the model's input shape).
   */
  private tentatively<T>(x: Features, fn: () => T): T {
    const wasBuilt = this.s.built;
    this.ensureBuilt(x);
    try {
      return fn();
    } catch (e) {
      if (!wasBuilt) this.s.unbuild();
      throw e;
    }
  }

  /** Model outputs (logits for the cross-entropy losses) for every sample of x. */
  predict(x: Features, options: { batchSize?: number } = {}): Tensor {
    this.alive();
    options ??= {};
    checkKeys(options, ['batchSize'], 'predict');
    const batchSize = checkBatchSize(options.batchSize ?? 256);
    const fx = this.tentatively(x, () => toFeatures(x, this.s.inputShape));
    const { inSize, outSize } = this.s;
    const result = this.dtype === 'float32' ? new Float32Array(fx.n * outSize) : new Float64Array(fx.n * outSize);
    const chunk = Math.max(1, Math.min(fx.n, batchSize));
    for (let s = 0; s < fx.n; s += chunk) {
      const n = Math.min(chunk, fx.n - s);
      this.s.loadBatch(subarray(fx.data, s * inSize, (s + n) * inSize), null, 'dense', n, s);
      result.set(this.s.forward(n, false).view(n * outSize), s * outSize);
    }
    return new Tensor(result, [fx.n, ...this.s.outputShape], this.dtype);
  }

  /** Mean loss (regularization included) and accuracy over x, y in inference mode. */
  evaluate(x: Features, y: Targets, options: { batchSize?: number } = {}): EvaluateResult {
    this.ready('evaluate');
    options ??= {};
    checkKeys(options, ['batchSize'], 'evaluate');
    const batchSize = checkBatchSize(options.batchSize ?? 256);
    const { fx, ty } = this.tentatively(x, () => {
      const fx = toFeatures(x, this.s.inputShape);
      const ty = toTargets(y, fx.n, this.s.outputShape, this.s.loss!);
      if (fx.n === 0) throw new Error('evaluate: x has no samples');
      return { fx, ty };
    });
    const { inSize, outSize } = this.s;
    const tw = ty.kind === 'labels' ? 1 : outSize;
    const chunk = Math.max(1, Math.min(fx.n, batchSize));
    let lossSum = 0;
    this.s.prepareLoss();
    checkMetricTargets(this.s.metrics, ty.kind);
    // NOTE: evaluate may run from a fit callback: the epoch's metric sums are put back after
    const saved = this.s.saveMetrics();
    try {
      this.s.resetMetrics();
      for (let s = 0; s < fx.n; s += chunk) {
        const n = Math.min(chunk, fx.n - s);
        this.s.loadBatch(subarray(fx.data, s * inSize, (s + n) * inSize), subarray(ty.data, s * tw, (s + n) * tw), ty.kind, n, s);
        lossSum += this.s.evaluateBuffers(n, ty.kind) * n;
      }
      return this.evaluation(lossSum / fx.n);
    } finally {
      this.s.restoreMetrics(saved);
    }
  }

  /** Data loss plus regularization, and the metrics summed since the last reset. */
  private evaluation(dataLoss: number): EvaluateResult {
    return { loss: dataLoss + this.s.regularizationLoss(), ...this.s.metricResults() };
  }

  /** Trains for a number of epochs; see FitOptions. Resolves to a Keras-style History. */
  async fit(x: Features, y: Targets, options: FitOptions = {}): Promise<History> {
    this.ready('fit');
    return this.finish(await this.untilStarted((ctx) => this.s.exclusive('fit', () => fit(this.s, x, y, options ?? {}, ctx))));
  }

  /** Runs a training loop; if it fails before its first epoch on a model it built, the build is undone. */
  private async untilStarted(run: (ctx: FitContext) => Promise<FitRun>): Promise<FitRun> {
    const wasBuilt = this.s.built;
    const ctx = this.fitContext();
    try {
      return await run(ctx);
    } catch (e) {
      if (!wasBuilt && !ctx.started && !this.s.isBusy) this.s.unbuild();
      throw e;
    }
  }

  /**
   * Trains on batches from a (sync or async) iterable of {xs, ys}, iterated afresh each epoch
   * (e.g. an async generator reading files); each batch is copied in and nothing is kept.
   */
  async fitDataset(dataset: BatchSource, options: FitDatasetOptions = {}): Promise<History> {
    this.ready('fitDataset');
    return this.finish(await this.untilStarted((ctx) => this.s.exclusive('fitDataset', () => fitDataset(this.s, dataset, options ?? {}, ctx))));
  }

  /** Mean loss (regularization included) and accuracy over the batches of an iterable, inference mode. */
  async evaluateDataset(dataset: BatchSource, options: { batches?: number } = {}): Promise<EvaluateResult> {
    this.ready('evaluateDataset');
    options ??= {};
    checkKeys(options, ['batches'], 'evaluateDataset');
    const batches = options.batches === undefined ? null : positiveInt(options.batches, 'evaluateDataset batches');
    return this.evaluation(await this.s.exclusive('evaluateDataset', () => evaluateSource(this.s, this.fitContext(), dataset, batches, 'evaluateDataset dataset')));
  }

  /** Outputs for one batch (no chunking); the same as predict(x) for a batch that fits. */
  predictOnBatch(x: Features): Tensor {
    return this.predict(x, { batchSize: Number.MAX_SAFE_INTEGER });
  }

  private fitContext(): FitContext {
    return { model: this, regularization: () => this.s.regularizationLoss(), ensureBuilt: (x) => this.ensureBuilt(x) };
  }

  /** onTrainEnd runs once fit has released the model, so callbacks may set weights there. */
  private async finish(run: FitRun): Promise<History> {
    for (const c of run.callbacks) await c.onTrainEnd?.(run.last);
    return run.history;
  }

  /** Copies of every weight, in the documented order (layer by layer; kernel, bias, …). */
  /**
   * Bytes of wasm memory the model holds, by use: {parameters, gradients, optimizer,
   * activations, workspace, data, total}. The formula per layer is in docs/ARCHITECTURE.md
   * ("Memory"). Activations and data are sized for the largest batch seen so far; after the
   * first batch of that size, training allocates nothing more.
   */
  memory(): MemoryUse {
    this.alive();
    return this.s.memory();
  }

  getWeights(): Tensor[] {
    this.buildIfShaped();
    if (!this.s.built) throw new Error('getWeights: the model is not built yet (give the first layer an inputShape or call fit/predict)');
    return this.s.params().map((p) => new Tensor(p.value.read(), p.value.shape, this.dtype));
  }

  /** Replaces every weight; shapes and count must match getWeights(). Checks all before writing any. */
  setWeights(weights: (Tensor | ArrayLike<number>)[]): void {
    this.buildIfShaped();
    this.s.assertIdle('setWeights');
    if (!this.s.built) throw new Error('setWeights: the model is not built yet (give the first layer an inputShape or call fit/predict)');
    const params = this.s.params();
    const datas = checkWeights(params, weights);
    params.forEach((p, i) => p.value.write(datas[i]));
  }

  /** A Keras-style table of layers, output shapes and parameter counts (also printed when print is given). */
  summary(print: ((s: string) => void) | null = console.log): string {
    this.buildIfShaped();
    const out = formatSummary(this.name, this.dtype, this.s, this.inputName);
    if (print) print(out);
    return out;
  }

  /**
   * Everything needed to rebuild this model and continue training bit for bit: a JSON-able
   * topology and one byte array with every weight, optimizer slot, step counter and RNG
   * stream. See docs/ARCHITECTURE.md for the format.
   */
  save(): ModelArtifacts {
    // NOTE: allowed during fit (modelCheckpoint saves at epoch ends): it only reads the model
    this.alive();
    this.buildIfShaped();
    return saveModel(this.s, { name: this.name, seed: this.seed, dtype: this.dtype, inputName: this.inputName });
  }

  /** Rebuilds a model from save() output (also after JSON.stringify with Array.from(weights)). */
  static async load(artifacts: ModelArtifacts, options: LoadOptions = {}): Promise<Model> {
    return loadModel(artifacts, options, null) as Promise<Model>;
  }

  /** The training session (internal: save/load, toolkit). */
  get session(): Session {
    return this.s;
  }

  /** Frees every wasm buffer of the model; any later use raises an Error. */
  dispose(): void {
    if (this.disposed) return;
    this.s.assertIdle('dispose');
    for (const l of this.s.layers) owners.delete(l);
    this.s.dispose();
    this.disposed = true;
  }

  private ready(what: string): void {
    this.alive();
    if (!this.s.loss || !this.s.optimizer) throw new Error(`${what}: the model must be compiled first (model.compile({optimizer, loss}))`);
    this.s.prepareLoss(); // a layer added or popped since compile may not suit the loss: say so now
  }

  private ensureBuilt(x: Features): void {
    if (!this.s.built) {
      this.build(this.inputShape ?? inferInputShape(x));
      this.s.prepareLoss();
    }
  }

  /** Builds now when the input shape is known (Keras builds as soon as it can). */
  private buildIfShaped(): void {
    this.alive();
    if (!this.s.built && this.s.layers.length && this.inputShape) this.build();
  }

  protected alive(): void {
    if (this.disposed) throw new Error(`model '${this.name}' has been disposed`);
  }
}

/**
 * Refuses loss/output/metric combinations that would train nothing or report nonsense
 * (against the output when the model is built, else the specs alone), before compile
 * changes anything.
 */
function checkLossOutput(s: Session, loss: Loss, metrics: unknown): void {
  if (!s.built) { resolveMetrics(metrics, loss, null, false); return; }
  const last = s.outputLayer;
  const mode = lossInput(loss, last.outputActivation, s.outputShape);
  resolveMetrics(metrics, loss, s.outputShape, loss.onLogits && mode === 'direct');
}

/** `<snake_case class>_<k>`, the first k not used by another layer of the model. */
export function uniqueName(layer: Layer, names: string[]): string {
  const base = layer.className.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  const taken = new Set(names);
  let k = 1;
  while (taken.has(`${base}_${k}`)) k++;
  return `${base}_${k}`;
}

registerModelClass('Model', (config) => {
  const { inputs, outputs } = replayGraph(config, 'topology.model.config');
  return new Model({ inputs, outputs, name: config.name, seed: config.seed, dtype: config.dtype });
});
