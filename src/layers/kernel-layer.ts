// The shared part of the layers with a kernel and a bias (dense, maxout, conv2d): their
// Keras arguments with defaults, the creation and initialization of the two parameters,
// params() in the documented order, and the config fields they have in common.

import { getInitializer, type Fans, type Initializer, type InitializerSpec } from '../initializers.js';
import { checkBool } from '../options.js';
import { checkRegularizer, type Regularizer } from '../regularizers.js';
import { serialize, type Serialized } from '../serialization.js';
import { Layer, type BuildContext, type LayerArgs, type Param, type TrainableParam } from './layer.js';

export interface KernelArgs extends LayerArgs {
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Default 'zeros'. */
  biasInitializer?: InitializerSpec;
  /** e.g. regularizers.l2(1e-4) */
  kernelRegularizer?: Regularizer | Serialized | null;
}

export abstract class KernelLayer extends Layer {
  readonly useBias: boolean;
  protected readonly kernelInit: Initializer;
  protected readonly biasInit: Initializer;
  protected readonly regularizer: Regularizer | null;
  protected kernel!: TrainableParam;
  protected bias: TrainableParam | null = null;

  constructor(args: KernelArgs, what: string, keys: readonly string[]) {
    super(args, what, [...keys, 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer']);
    this.useBias = checkBool(args.useBias ?? true, `${what} useBias`);
    this.kernelInit = getInitializer(args.kernelInitializer ?? 'glorotUniform', `${what} kernelInitializer`);
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', `${what} biasInitializer`);
    this.regularizer = checkRegularizer(args.kernelRegularizer, `${what} kernelRegularizer`);
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

  /** The bias pointer for kernels, 0 without bias. */
  protected get biasPtr(): number {
    return this.bias ? this.bias.value.ptr : 0;
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
