// The layer contract. Every layer is one file with, in order: build (create parameters),
// allocate (activation buffers for a batch capacity), forward, backward (right under the
// forward it reverses), params. Layers plan kernel calls; the math runs in wasm.
//
// Buffers: forward(x, n) reads the first n rows of x and returns its own output buffer
// (capacity rows, n valid). backward(dy, n) may overwrite dy and returns dx — either its
// own buffer or dy itself when the layer works in place — or null when needDx is false.
// The output buffer of each layer is exposed (`output`) for diagnostics without copies.
//
// Serialization: getConfig() is everything the layer's factory takes (name, trainable,
// inputShape, initializers and regularizers as {className, config}), so
// layerRegistry.fromConfig({className, config}) rebuilds the same layer.
//
// Freezing: `trainable = false` takes effect at the model's next training step (the model
// calls applyTrainable()); a frozen layer computes no parameter gradients and the
// optimizer skips its weights.

import { WasmTensor, type DType, type Kernels, type Operand, type Runtime } from '../../bindings/index.js';
import { checkBool, checkKeys, describe } from '../options.js';
import type { Regularizer } from '../regularizers.js';
import type { OutputActivation } from '../losses.js';
import { applyLayer, type SymbolicTensor } from '../model/graph.js';

export interface Param {
  /** e.g. 'dense_1/kernel' */
  name: string;
  /** the current buffer: the optimizer may swap it for its spare after an update */
  value: WasmTensor;
  /** null for non-trainable state such as batch norm's moving statistics */
  grad: WasmTensor | null;
  regularizer: Regularizer | null;
  trainable: boolean;
}

/** A parameter the optimizer updates: it always has a gradient buffer. */
export interface TrainableParam extends Param {
  grad: WasmTensor;
}

/**
 * A random stream: 16 bytes of xoshiro128** state in wasm memory (int32 [4], see
 * assembly/rng.ts) — a view of the model's stream block (which may move when layers are
 * added: the view follows it), or a tensor of its own.
 */
export type RngStream = Operand;

export interface BuildContext {
  dtype: DType;
  k: Kernels;
  rt: Runtime;
  /** RNG state of the initializer stream (shared by all layers, in order). */
  initRng: RngStream;
  /** A fresh RNG stream for a consumer such as a dropout layer. */
  newStream(): RngStream;
  /** 8 bytes of scratch for kernels that need it (normal sampling). */
  scratch: WasmTensor;
}

export interface LayerArgs {
  /** Per-sample input shape; needed on the first layer unless fit/predict infer it. */
  inputShape?: number[];
  /** Unique within the model; default `<snake_case class>_<k>`, given when added to a model. */
  name?: string;
  /** false freezes the layer's weights (finetuning); default true. */
  trainable?: boolean;
}

const BASE_KEYS = ['inputShape', 'name', 'trainable'] as const;

export abstract class Layer {
  abstract readonly className: string;
  name: string;
  inputShape: number[] = [];
  outputShape: number[] = [];
  private isTrainable = true;
  /** The trainable flag the model last applied: frozen layers skip their parameter gradients. */
  protected frozen = false;
  protected k!: Kernels;
  protected dtype!: DType;
  protected owned: WasmTensor[] = [];
  /** The owned tensors that are not weights or gradients (persistent()). */
  private extras: WasmTensor[] = [];
  private activations: WasmTensor[] = [];
  readonly declaredInputShape?: number[];

  /** `what` is the factory name for errors; `keys` the factory's own option names. */
  constructor(args: LayerArgs | undefined, what: string, keys: readonly string[]) {
    args ??= {};
    checkKeys(args, [...BASE_KEYS, ...keys], what);
    if (args.inputShape !== undefined) {
      if (!Array.isArray(args.inputShape) || args.inputShape.length === 0 || args.inputShape.some((d) => !Number.isInteger(d) || d <= 0)) {
        throw new Error(`${what} inputShape must be a non-empty array of positive integers, got ${describe(args.inputShape)}`);
      }
      this.declaredInputShape = args.inputShape.slice();
    }
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '' || args.name.includes('/'))) {
      throw new Error(`${what} name must be a non-empty string without '/', got ${describe(args.name)}`);
    }
    this.name = args.name ?? '';
    this.trainable = checkBool(args.trainable ?? true, `${what} trainable`);
  }

  /** Layers are trainable unless frozen (finetuning); a change applies at the next training step. */
  get trainable(): boolean {
    return this.isTrainable;
  }

  set trainable(v: boolean) {
    this.isTrainable = checkBool(v, `layer '${this.name || this.className}' trainable`);
  }

  get built(): boolean {
    return this.outputShape.length > 0 || this.inputShape.length > 0;
  }

  /** Creates parameters for this input shape and returns the output shape. */
  build(inputShape: number[], ctx: BuildContext): number[] {
    this.k = ctx.k;
    this.dtype = ctx.dtype;
    this.inputShape = inputShape.slice();
    this.outputShape = this.setup(inputShape, ctx);
    return this.outputShape;
  }

  /** Subclass part of build: validate, create parameters, return output shape. */
  protected abstract setup(inputShape: number[], ctx: BuildContext): number[];

  /** Builds for the shapes of all inputs (one, except for merge layers). */
  buildMany(inputShapes: number[][], ctx: BuildContext): number[] {
    if (inputShapes.length !== 1) throw new Error(`${this.className} takes one input, got ${inputShapes.length}`);
    return this.build(inputShapes[0], ctx);
  }

  /**
   * Functional API (TF.js `layer.apply`): the layer applied to symbolic tensors from
   * input() or other layers' apply(). Checks the shapes now and returns the output's
   * symbolic tensor; applying a layer twice shares its weights.
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
    return applyLayer(this, inputs);
  }

  /** The run step of a graph node: forward on all inputs (one, except for merge layers). */
  forwardInputs(xs: WasmTensor[], n: number, training: boolean): WasmTensor {
    return this.forward(xs[0], n, training);
  }

  /** The backward of a graph node: one gradient per input (null where needDx[i] is false). */
  backwardInputs(dy: WasmTensor, n: number, needDx: boolean[]): (WasmTensor | null)[] {
    return [this.backward(dy, n, needDx[0])];
  }

  /** Applies `trainable` (called by the model before a training step when it changed). */
  applyTrainable(): void {
    this.frozen = !this.trainable;
  }

  /** softmax or sigmoid when the layer ends with that activation (a loss may be fused with it). */
  get outputActivation(): OutputActivation | null {
    return null;
  }

  /** The activation the layer's output went through ('relu', 'tanh', …), or null (diagnostics). */
  get activationName(): string | null {
    return null;
  }

  /**
   * Set by the model when the loss reads this layer's `logits`: forward still computes the
   * activation (for predict and metrics), and backward receives d(loss)/d(logits).
   */
  fuseOutput = false;

  /** The pre-activations of the last forward, for a fused loss (null unless outputActivation). */
  get logits(): WasmTensor | null {
    return null;
  }

  /** Whether the last applied flag froze this layer. */
  get isFrozen(): boolean {
    return this.frozen;
  }

  /** (Re)allocates activation buffers for up to `capacity` samples. */
  allocate(capacity: number): void {
    this.releaseBuffers();
    this.allocateBuffers(capacity);
  }

  /** Frees the activation buffers (the model reallocates them before the next batch). */
  releaseBuffers(): void {
    for (const t of this.activations) t.free();
    this.activations = [];
  }

  protected abstract allocateBuffers(capacity: number): void;

  /** Allocates an activation buffer that allocate()/dispose() free. */
  protected buffer(shape: number[], dtype: DType | 'int32' = this.dtype): WasmTensor {
    const t = new WasmTensor(shape, dtype, `${this.className} '${this.name}' activations`);
    this.activations.push(t);
    return t;
  }

  /** Allocates a parameter-lifetime tensor (freed on dispose): working state beyond the weights. */
  protected persistent(shape: number[], dtype: DType | 'int32' = this.dtype, what = 'state'): WasmTensor {
    const t = this.weightTensor(shape, dtype, what);
    this.extras.push(t);
    return t;
  }

  /** A weight or gradient tensor (freed on dispose). */
  private weightTensor(shape: number[], dtype: DType | 'int32', what: string): WasmTensor {
    const t = new WasmTensor(shape, dtype, `${this.className} '${this.name}' ${what}`);
    this.owned.push(t);
    return t;
  }

  /** Bytes of the activation buffers allocate() made (model.memory()). */
  get activationBytes(): number {
    let s = 0;
    for (const t of this.activations) s += t.bytes;
    return s;
  }

  /** Bytes of the working state persistent() made: batch statistics, accumulators (model.memory()). */
  get stateBytes(): number {
    let s = 0;
    for (const t of this.extras) if (!t.isFreed) s += t.bytes;
    return s;
  }

  /**
   * The buffer the last forward wrote (its first n rows are valid): what diagnostics read,
   * with no copy. Layers that pass their input through return that input's buffer.
   */
  abstract get output(): WasmTensor | null;

  abstract forward(x: WasmTensor, n: number, training: boolean): WasmTensor;
  abstract backward(dy: WasmTensor, n: number, needDx: boolean): WasmTensor | null;

  /** Parameters in getWeights() order. */
  params(): Param[] {
    return [];
  }

  /** Kernel workspace bytes (GEMM, convolution) this layer needs at this capacity. */
  workBytes(_capacity: number): number {
    return 0;
  }

  /** Set by the model: the shared kernel workspace. */
  work: WasmTensor | null = null;

  /** Called after a successful optimizer step (e.g. batch norm commits moving statistics). */
  commit(): void {}

  /** The factory's arguments: {name (once it has one), trainable, inputShape?, ...layerConfig()}. */
  getConfig(): Record<string, unknown> {
    return {
      // NOTE: a layer not yet added to a model has no name, and the factory refuses ''
      ...(this.name ? { name: this.name } : {}), trainable: this.trainable,
      ...(this.declaredInputShape ? { inputShape: this.declaredInputShape.slice() } : {}),
      ...this.layerConfig(),
    };
  }

  /** The layer's own arguments (initializers and regularizers serialized). */
  protected abstract layerConfig(): Record<string, unknown>;

  /** Frees every buffer and forgets the build: the layer can be built again (or dropped). */
  dispose(): void {
    // NOTE: the optimizer swaps param buffers, so free what the params hold now as well
    // (a layer whose build failed half-way has undefined params: skip them)
    if (this.built) for (const p of this.params().filter(Boolean)) { p.value.free(); p.grad?.free(); }
    for (const t of this.activations) t.free();
    for (const t of this.owned) t.free();
    this.activations = [];
    this.owned = [];
    this.extras = [];
    this.inputShape = [];
    this.outputShape = [];
    this.work = null;
  }

  protected param(name: string, shape: number[], regularizer: Regularizer | null = null): TrainableParam {
    return { name: `${this.name}/${name}`, value: this.weightTensor(shape, this.dtype, name), grad: this.weightTensor(shape, this.dtype, `${name} gradient`), regularizer, trainable: true };
  }

  /** A non-trainable weight (saved and restored with the others, never updated by the optimizer). */
  protected state(name: string, shape: number[], fill: number): Param {
    const value = this.weightTensor(shape, this.dtype, name);
    value.view().fill(fill);
    return { name: `${this.name}/${name}`, value, grad: null, regularizer: null, trainable: false };
  }
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export { positiveInt } from '../options.js';
