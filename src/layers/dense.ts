// Dense: y = act(x·W + b). Kernel W [inputDim, units], bias b [units].
// Forward is one GEMM and one fused bias+activation pass; backward is one activation pass
// (from the saved output), dW = xᵀ·dz, db = Σ_rows dz, dx = dz·Wᵀ — both transposed GEMMs
// run on the same packed-panel micro-kernel as the forward.

import type { WasmTensor } from '../../bindings/index.js';
import { activationSpec, type ActivationName, type ActivationSpec } from '../activations.js';
import { getInitializer, type Initializer, type InitializerSpec } from '../initializers.js';
import { checkRegularizer, type Regularizer } from '../regularizers.js';
import { Layer, positiveInt, type BuildContext, type LayerArgs, type Param, type TrainableParam } from './layer.js';

export interface DenseArgs extends LayerArgs {
  /** Output features. */
  units: number;
  /** Fused activation (default 'linear'). */
  activation?: ActivationName;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Default 'zeros'. */
  biasInitializer?: InitializerSpec;
  /** e.g. regularizers.l2(1e-4) */
  kernelRegularizer?: Regularizer;
}

export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly act: ActivationSpec;
  readonly useBias: boolean;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private readonly regularizer: Regularizer | null;
  private kernel!: TrainableParam;
  private bias: TrainableParam | null = null;
  private y!: WasmTensor;
  private dx!: WasmTensor;
  /** saved by forward for backward: the input buffer (owned by the previous layer) */
  private x: WasmTensor | null = null;

  constructor(args: DenseArgs) {
    super(args);
    if (!args || typeof args !== 'object') throw new Error('dense: expected an args object such as {units: 10}');
    this.units = positiveInt(args.units, 'dense units');
    this.act = activationSpec(args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInit = getInitializer(args.kernelInitializer ?? 'glorotUniform', 'kernelInitializer');
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', 'biasInitializer');
    this.regularizer = checkRegularizer(args.kernelRegularizer, 'dense kernelRegularizer');
  }

  protected setup(inputShape: number[], ctx: BuildContext): number[] {
    if (inputShape.length !== 1) {
      throw new Error(`dense '${this.name}' expects flat inputs [batch, features], got per-sample shape [${inputShape.join(', ')}]; add layers.flatten() first`);
    }
    const fans = { fanIn: inputShape[0], fanOut: this.units };
    this.kernel = this.param('kernel', [inputShape[0], this.units], this.regularizer);
    this.kernelInit.fill(this.kernel.value, fans, ctx.k, ctx.initRng, ctx.scratch);
    if (this.useBias) {
      this.bias = this.param('bias', [this.units]);
      this.biasInit.fill(this.bias.value, fans, ctx.k, ctx.initRng, ctx.scratch);
    }
    return [this.units];
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, this.units]);
    this.dx = this.buffer([capacity, this.inputShape[0]]);
  }

  override workBytes(capacity: number): number {
    const [d, u] = [this.inputShape[0], this.units];
    return Math.max(this.k.gemmWorkBytes(capacity, u, d), this.k.gemmWorkBytes(d, u, capacity), this.k.gemmWorkBytes(capacity, d, u));
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    const d = this.inputShape[0];
    this.x = x;
    this.k.gemm(this.y.ptr, x.ptr, this.kernel.value.ptr, n, this.units, d, false, false, false, this.work!.ptr);
    this.k.biasAct(this.y.ptr, this.y.ptr, this.bias ? this.bias.value.ptr : 0, n, this.units, this.act.code, this.act.alpha);
    return this.y;
  }

  backward(dy: WasmTensor, n: number, needDx: boolean): WasmTensor | null {
    const d = this.inputShape[0];
    const u = this.units;
    const w = this.work!.ptr;
    this.k.actBackward(dy.ptr, dy.ptr, this.y.ptr, n * u, this.act.code, this.act.alpha); // dz, in place
    this.k.gemm(this.kernel.grad.ptr, this.x!.ptr, dy.ptr, d, u, n, true, false, false, w);
    if (this.bias) this.k.colSum(this.bias.grad.ptr, dy.ptr, n, u, false);
    if (!needDx) return null;
    this.k.gemm(this.dx.ptr, dy.ptr, this.kernel.value.ptr, n, d, u, false, true, false, w);
    return this.dx;
  }

  override params(): Param[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  override get output(): WasmTensor {
    return this.y;
  }

  getConfig(): Record<string, unknown> {
    return { units: this.units, activation: this.act.name, useBias: this.useBias, kernelInitializer: this.kernelInit.name, biasInitializer: this.biasInit.name, kernelRegularizer: this.regularizer };
  }
}

export const dense = (args: DenseArgs): Dense => new Dense(args);
