// SGD with optional momentum / Nesterov momentum and weight decay, torch.optim.SGD:
//   g ← ∇ + weightDecay·p
//   momentum ≠ 0:  buf ← (t = 1) ? g : momentum·buf + (1 − dampening)·g
//                  g ← nesterov ? g + momentum·buf : buf
//   p ← p − lr·g
// Defaults: learningRate 0.01 (torch requires one; Keras uses 0.01), momentum 0, dampening 0.

import type { WasmTensor } from '../../bindings/index.js';
import type { TrainableParam } from '../layers/layer.js';
import type { LearningRate } from '../schedules.js';
import { Optimizer, checkRange } from './optimizer.js';
import { checkKeys, checkBool } from '../options.js';

export interface SGDArgs { learningRate?: LearningRate; momentum?: number; dampening?: number; nesterov?: boolean; weightDecay?: number }

export class SGD extends Optimizer {
  readonly className = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  protected readonly slotNames: readonly string[];

  constructor(args: SGDArgs = {}) {
    checkKeys(args, ['learningRate', 'momentum', 'dampening', 'nesterov', 'weightDecay'], 'optimizers.sgd');
    super(args.learningRate, 0.01);
    this.momentum = checkRange(args.momentum ?? 0, 'momentum', 0, Infinity);
    this.dampening = checkRange(args.dampening ?? 0, 'dampening', 0, 1);
    this.nesterov = checkBool(args.nesterov ?? false, 'sgd nesterov');
    this.weightDecay = checkRange(args.weightDecay ?? 0, 'weightDecay', 0, Infinity);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error(`Nesterov momentum requires a momentum > 0 and zero dampening (got momentum ${this.momentum}, dampening ${this.dampening})`);
    }
    this.slotNames = this.momentum !== 0 ? ['momentumBuffer'] : [];
  }

  protected update(p: TrainableParam, out: WasmTensor, s: WasmTensor[], next: WasmTensor[], lr: number, t: number): number {
    return this.k.sgdStep(out, next[0] ?? null, p.value, p.grad, s[0] ?? null, p.value.size, lr, this.momentum, this.dampening, this.nesterov, this.weightDecay, t === 1);
  }

  protected hyperparameters(): Record<string, unknown> {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }
}

export const sgd = (args?: SGDArgs): SGD => new SGD(args);
