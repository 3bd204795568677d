// AdaGrad (Duchi et al. 2011), torch.optim.Adagrad:
//   g ← ∇ + weightDecay·p;  clr ← lr / (1 + (t − 1)·lrDecay)
//   s ← s + g²;  p ← p − clr·g / (√s + ε)
// Defaults (torch): learningRate 0.01, epsilon 1e-10, lrDecay 0, initial accumulator 0.

import type { WasmTensor } from '../../bindings/index.js';
import type { TrainableParam } from '../layers/layer.js';
import type { LearningRate } from '../schedules.js';
import { Optimizer, checkRange } from './optimizer.js';
import { checkKeys } from '../options.js';

export interface AdagradArgs { learningRate?: LearningRate; epsilon?: number; lrDecay?: number; weightDecay?: number }

export class Adagrad extends Optimizer {
  readonly className = 'adagrad';
  readonly epsilon: number;
  readonly lrDecay: number;
  readonly weightDecay: number;
  protected readonly slotNames = ['sum'] as const;

  constructor(args: AdagradArgs = {}) {
    checkKeys(args, ['learningRate', 'epsilon', 'lrDecay', 'weightDecay'], 'optimizers.adagrad');
    super(args.learningRate, 0.01);
    this.epsilon = checkRange(args.epsilon ?? 1e-10, 'epsilon', 0, Infinity);
    this.lrDecay = checkRange(args.lrDecay ?? 0, 'lrDecay', 0, Infinity);
    this.weightDecay = checkRange(args.weightDecay ?? 0, 'weightDecay', 0, Infinity);
  }

  protected update(p: TrainableParam, out: WasmTensor, s: WasmTensor[], next: WasmTensor[], lr: number, t: number): number {
    return this.k.adagradStep(out, next[0], p.value, p.grad, s[0], p.value.size, lr, this.epsilon, this.lrDecay, this.weightDecay, t);
  }

  protected hyperparameters(): Record<string, unknown> {
    return { epsilon: this.epsilon, lrDecay: this.lrDecay, weightDecay: this.weightDecay };
  }
}

export const adagrad = (args?: AdagradArgs): Adagrad => new Adagrad(args);
