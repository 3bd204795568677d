// AdamW (Loshchilov & Hutter 2019), torch.optim.AdamW: decoupled weight decay
//   p ← p·(1 − lr·weightDecay), then the Adam update with the raw gradient.
// Defaults (torch): learningRate 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-8, weightDecay 0.01.

import type { WasmTensor } from '../../bindings/index.js';
import type { TrainableParam } from '../layers/layer.js';
import { Adam, type AdamArgs } from './adam.js';

export class AdamW extends Adam {
  override readonly className = 'adamw';

  constructor(args: AdamArgs = {}) {
    super(args, 0.01);
  }

  protected override update(p: TrainableParam, out: WasmTensor, s: WasmTensor[], next: WasmTensor[], lr: number, t: number): number {
    return this.k.adamwStep(out, next[0], next[1], p.value, p.grad, s[0], s[1], p.value.size, lr, this.beta1, this.beta2, this.epsilon, this.weightDecay, t);
  }
}

export const adamw = (args?: AdamArgs): AdamW => new AdamW(args);
