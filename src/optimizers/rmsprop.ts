// RMSprop (Hinton, lecture 6e), torch.optim.RMSprop; `rho` is torch's `alpha`:
//   g ← ∇ + weightDecay·p;  v ← ρ·v + (1 − ρ)·g²
//   centered: ḡ ← ḡ + (1 − ρ)(g − ḡ), avg ← √(v − ḡ²) + ε;  else avg ← √v + ε
//   momentum > 0: buf ← momentum·buf + g/avg, p ← p − lr·buf;  else p ← p − lr·g/avg
// Defaults (torch): learningRate 0.01, rho 0.99, epsilon 1e-8, momentum 0, centered false.

import type { WasmTensor } from '../../bindings/index.js';
import type { TrainableParam } from '../layers/layer.js';
import type { LearningRate } from '../schedules.js';
import { Optimizer, checkRange } from './optimizer.js';
import { checkKeys, checkBool } from '../options.js';

export interface RMSpropArgs { learningRate?: LearningRate; rho?: number; epsilon?: number; momentum?: number; centered?: boolean; weightDecay?: number }

export class RMSprop extends Optimizer {
  readonly className = 'rmsprop';
  readonly rho: number;
  readonly epsilon: number;
  readonly momentum: number;
  readonly centered: boolean;
  readonly weightDecay: number;
  /** squareAvg always; gradAvg only when centered, momentumBuffer only with momentum. */
  protected readonly slotNames: readonly string[];

  constructor(args: RMSpropArgs = {}) {
    checkKeys(args, ['learningRate', 'rho', 'epsilon', 'momentum', 'centered', 'weightDecay'], 'optimizers.rmsprop');
    super(args.learningRate, 0.01);
    this.rho = checkRange(args.rho ?? 0.99, 'rho', 0, 1);
    this.epsilon = checkRange(args.epsilon ?? 1e-8, 'epsilon', 0, Infinity);
    this.momentum = checkRange(args.momentum ?? 0, 'momentum', 0, Infinity);
    this.centered = checkBool(args.centered ?? false, 'rmsprop centered');
    this.weightDecay = checkRange(args.weightDecay ?? 0, 'weightDecay', 0, Infinity);
    this.slotNames = ['squareAvg', ...(this.centered ? ['gradAvg'] : []), ...(this.momentum > 0 ? ['momentumBuffer'] : [])];
  }

  protected update(p: TrainableParam, out: WasmTensor, s: WasmTensor[], next: WasmTensor[], lr: number): number {
    // absent slots pass null: the kernel never touches them
    const ga = this.centered ? 1 : -1, buf = this.momentum > 0 ? (this.centered ? 2 : 1) : -1;
    return this.k.rmspropStep(out, next[0], slot(next, ga), slot(next, buf), p.value, p.grad, s[0], slot(s, ga), slot(s, buf),
      p.value.size, lr, this.rho, this.epsilon, this.momentum, this.centered, this.weightDecay);
  }

  protected hyperparameters(): Record<string, unknown> {
    return { rho: this.rho, epsilon: this.epsilon, momentum: this.momentum, centered: this.centered, weightDecay: this.weightDecay };
  }
}

/** Slot i of a parameter's state, or null for a slot this configuration has not (i < 0). */
function slot(t: WasmTensor[], i: number): WasmTensor | null {
  return i < 0 ? null : t[i];
}

export const rmsprop = (args?: RMSpropArgs): RMSprop => new RMSprop(args);
