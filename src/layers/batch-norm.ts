// Batch normalization (Ioffe & Szegedy 2015) for [N, D] and [N, H, W, C] inputs, with the
// conventions of docs/ARCHITECTURE.md (Keras): statistics over every axis but the last; training uses
// the batch mean and the biased batch variance; inference uses moving statistics,
//   moving = momentum·moving + (1 − momentum)·batch   (momentum 0.99, epsilon 1e-3).
// Weights: gamma, beta (trainable), movingMean, movingVariance (not trainable).
// The moving statistics are committed only after a successful optimizer step, so a step
// that fails on a NaN loss leaves them as they were.
// A frozen batch norm (trainable = false) runs with its moving statistics in training too
// and leaves them unchanged (Keras semantics for finetuning); its backward is then the
// inference-mode derivative dx = dy·γ/√(movingVariance + ε).

import { WasmTensor } from '../../bindings/index.js';
import { checkRange } from '../optimizers/optimizer.js';
import { checkBool, describe } from '../options.js';
import { Layer, size, type LayerArgs, type Param, type TrainableParam } from './layer.js';

export interface BatchNormArgs extends LayerArgs {
  /** Moving-average momentum in [0, 1) (default 0.99). */
  momentum?: number;
  /** Added to the variance, > 0 (default 1e-3). */
  epsilon?: number;
  /** Learn beta (default true). */
  center?: boolean;
  /** Learn gamma (default true). */
  scale?: boolean;
}

export class BatchNorm extends Layer {
  readonly className = 'BatchNorm';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private gamma!: TrainableParam;
  private beta!: TrainableParam;
  private movingMean!: Param;
  private movingVariance!: Param;
  private mean!: WasmTensor;
  private invstd!: WasmTensor;
  private variance!: WasmTensor;
  private acc!: WasmTensor;
  /** [C] zeros: the mean and shift of the frozen (inference-mode) backward */
  private zeros!: WasmTensor;
  private y!: WasmTensor;
  private dx!: WasmTensor;
  /** saved by forward: the input buffer; mean and invstd hold its batch statistics */
  private x: WasmTensor | null = null;
  private pending = false;

  constructor(args: BatchNormArgs = {}) {
    super(args, 'batchNorm', ['momentum', 'epsilon', 'center', 'scale']);
    args ??= {};
    this.momentum = checkRange(args.momentum ?? 0.99, 'batchNorm momentum', 0, 1, true);
    const eps = args.epsilon ?? 1e-3;
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new Error(`Invalid batchNorm epsilon value: ${describe(eps)} (must be > 0)`);
    this.epsilon = eps;
    this.center = checkBool(args.center ?? true, 'batchNorm center');
    this.scale = checkBool(args.scale ?? true, 'batchNorm scale');
  }

  private get C(): number {
    return this.inputShape[this.inputShape.length - 1];
  }

  protected setup(inputShape: number[]): number[] {
    const c = inputShape[inputShape.length - 1];
    this.gamma = this.param('gamma', [c]);
    this.gamma.value.view().fill(1);
    this.beta = this.param('beta', [c]);
    this.gamma.trainable = this.scale;
    this.beta.trainable = this.center;
    this.movingMean = this.state('movingMean', [c], 0);
    this.movingVariance = this.state('movingVariance', [c], 1);
    this.mean = this.persistent([c]);
    this.invstd = this.persistent([c]);
    this.variance = this.persistent([c]);
    this.acc = this.persistent([2 * c], 'float64');
    this.zeros = this.persistent([c]);
    return inputShape.slice();
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, ...this.inputShape]);
    this.dx = this.buffer([capacity, ...this.inputShape]);
  }

  forward(x: WasmTensor, n: number, training: boolean): WasmTensor {
    const rows = (n * size(this.inputShape)) / this.C;
    const [g, b] = [this.gamma.value, this.beta.value];
    if (training && !this.frozen) {
      this.x = x;
      this.k.batchNormTrain(this.y, this.mean, this.invstd, this.variance, this.acc, x, g, b, rows, this.C, this.epsilon);
      this.pending = true;
    } else {
      this.k.batchNormInfer(this.y, this.invstd, x, this.movingMean.value, this.movingVariance.value, g, b, rows, this.C, this.epsilon);
      this.pending = false;
    }
    return this.y;
  }

  backward(dy: WasmTensor, n: number): WasmTensor {
    const rows = (n * size(this.inputShape)) / this.C;
    if (this.frozen) {
      // NOTE: the affine kernel computes (dy − 0)·invstd·γ + 0 = dy·γ/√(movingVariance + ε),
      // with invstd left by the inference forward
      this.k.batchNormInfer(this.dx, this.invstd, dy, this.zeros, this.movingVariance.value, this.gamma.value, this.zeros, rows, this.C, this.epsilon);
      return this.dx;
    }
    this.k.batchNormBackward(this.dx, this.gamma.grad, this.beta.grad, this.acc, dy, this.x!, this.mean, this.invstd, this.gamma.value, rows, this.C);
    return this.dx;
  }

  /** After a successful step: fold this batch's statistics into the moving ones. */
  override commit(): void {
    if (!this.pending) return;
    this.k.ema(this.movingMean.value, this.mean, this.C, this.momentum);
    this.k.ema(this.movingVariance.value, this.variance, this.C, this.momentum);
    this.pending = false;
  }

  override params(): Param[] {
    const ps: Param[] = [];
    if (this.scale) ps.push(this.gamma);
    if (this.center) ps.push(this.beta);
    return [...ps, this.movingMean, this.movingVariance];
  }

  override get output(): WasmTensor {
    return this.y;
  }

  protected layerConfig(): Record<string, unknown> {
    return { momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}

export const batchNorm = (args?: BatchNormArgs): BatchNorm => new BatchNorm(args);
