// Adam (Kingma & Ba 2015), torch.optim.Adam, t = 1, 2, …:
//   g ← ∇ + weightDecay·p            (L2 folded into the gradient; AdamW decouples it)
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
//   p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
// Defaults (torch): learningRate 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-8, weightDecay 0.

import type { WasmTensor } from '../../bindings/index.js';
import type { TrainableParam } from '../layers/layer.js';
import type { LearningRate } from '../schedules.js';
import { Optimizer, checkRange } from './optimizer.js';
import { checkKeys } from '../options.js';

export interface AdamArgs { learningRate?: LearningRate; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number }

export class Adam extends Optimizer {
  readonly className: string = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  protected readonly slotNames = ['expAvg', 'expAvgSq'] as const;

  constructor(args: AdamArgs = {}, defaultWeightDecay = 0) {
    checkKeys(args, ['learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay'], `optimizers.${defaultWeightDecay ? 'adamw' : 'adam'}`);
    super(args.learningRate, 1e-3);
    this.beta1 = checkRange(args.beta1 ?? 0.9, 'beta1', 0, 1, true);
    this.beta2 = checkRange(args.beta2 ?? 0.999, 'beta2', 0, 1, true);
    this.epsilon = checkRange(args.epsilon ?? 1e-8, 'epsilon', 0, Infinity);
    this.weightDecay = checkRange(args.weightDecay ?? defaultWeightDecay, 'weightDecay', 0, Infinity);
  }

  protected update(p: TrainableParam, out: WasmTensor, s: WasmTensor[], next: WasmTensor[], lr: number, t: number): number {
    return this.k.adamStep(out, next[0], next[1], p.value, p.grad, s[0], s[1], p.value.size, lr, this.beta1, this.beta2, this.epsilon, this.weightDecay, t);
  }

  protected hyperparameters(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay };
  }
}

export const adam = (args?: AdamArgs): Adam => new Adam(args);
