// The shared part of the layers with a kernel and a bias (dense, maxout, conv2d): their
// Keras arguments with defaults, the creation and initialization of the two parameters,
// params() in the documented order, and the config fields they have in common.

import { getInitializer, type Fans, type Initializer, type InitializerSpec } from '../initializers.js';
import { checkBool } from '../options.js';
import { checkRegularizer, type Regularizer } from '../regularizers.js';
import { serialize, type Serialized } from '../serialization.js';
import type { WasmTensor } from '../../bindings/index.js';
import { activate, activateBackward, activationSpec, type ActivationName, type ActivationSpec } from '../activations.js';
import type { OutputActivation } from '../losses.js';
import { Layer, type BuildContext, type LayerArgs, type Param, type TrainableParam } from './layer.js';

export interface KernelArgs extends LayerArgs {
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Default 'zeros'. */
  biasInitializer?: InitializerSpec;
  /** Fused activation (default 'linear'); 'softmax' over the last axis. */
  activation?: ActivationName;
  /** e.g. regularizers.l2(1e-4) */
  kernelRegularizer?: Regularizer | Serialized | null;
}

export abstract class KernelLayer extends Layer {
  readonly useBias: boolean;
  protected readonly kernelInit: Initializer;
  protected readonly biasInit: Initializer;
  protected readonly regularizer: Regularizer | null;
  readonly act: ActivationSpec;
  protected kernel!: TrainableParam;
  protected bias: TrainableParam | null = null;
  /** Pre-activations, kept only for an output activation (softmax, sigmoid). */
  protected z: WasmTensor | null = null;

  constructor(args: KernelArgs, what: string, keys: readonly string[]) {
    super(args, what, [...keys, 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer']);
    this.useBias = checkBool(args.useBias ?? true, `${what} useBias`);
    this.kernelInit = getInitializer(args.kernelInitializer ?? 'glorotUniform', `${what} kernelInitializer`);
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', `${what} biasInitializer`);
    this.regularizer = checkRegularizer(args.kernelRegularizer, `${what} kernelRegularizer`);
    this.act = activationSpec(args.activation);
  }

  /**
   * Bias and activation of the linear output in `y` (rows × cols): fused in one pass, or,
   * for an output activation, through `z` so the logits stay available.
   */
  protected biasActivate(y: WasmTensor, rows: number, cols: number): void {
    if (!this.z) { this.k.biasAct(y, y, this.biasValue, rows, cols, this.act.code, this.act.alpha); return; }
    this.k.biasAct(this.z, y, this.biasValue, rows, cols, 0, 0);
    activate(this.k, this.act, y, this.z, rows, cols);
  }

  /** dz in place on dy (rows × cols) from the saved output y. */
  protected activationBackward(dy: WasmTensor, y: WasmTensor, rows: number, cols: number): void {
    activateBackward(this.k, this.act, dy, y, rows, cols, this.fuseOutput);
  }

  override get outputActivation(): OutputActivation | null {
    return this.act.output;
  }

  override get activationName(): string | null {
    return this.act.name;
  }

  override get logits(): WasmTensor | null {
    return this.z;
  }

  /** Creates and initializes the kernel (regularized) and, with useBias, the bias. */
  protected createWeights(kernelShape: number[], biasShape: number[], fans: Fans, ctx: BuildContext): void {
    this.kernel = this.param('kernel', kernelShape, this.regularizer);
    this.kernelInit.fill(this.kernel.value, fans, ctx.k, ctx.initRng, ctx.scratch);
    if (this.useBias) {
      this.bias = this.param('bias', biasShape);
      this.biasInit.fill(this.bias.value, fans, ctx.k, ctx.initRng, ctx.scratch);
    }
  }

  /** The bias for kernels (its current buffer), null without bias. */
  protected get biasValue(): WasmTensor | null {
    return this.bias ? this.bias.value : null;
  }

  override params(): Param[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  protected kernelConfig(): Record<string, unknown> {
    return {
      useBias: this.useBias, kernelInitializer: serialize(this.kernelInit), biasInitializer: serialize(this.biasInit),
      kernelRegularizer: this.regularizer ? serialize(this.regularizer) : null,
    };
  }
}
