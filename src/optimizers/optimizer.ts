// The optimizer contract: a small class over one fused in-place update kernel. attach()
// allocates its state next to the parameters when the model is compiled; step() applies
// one update to every trainable parameter. State names follow the math (expAvg, expAvgSq).

import { WasmTensor, type Kernels } from '../../bindings/index.js';
import type { TrainableParam } from '../layers/layer.js';
import { checkLearningRate, type LearningRate } from '../schedules.js';

export abstract class Optimizer {
  abstract readonly name: string;
  readonly learningRate: LearningRate;
  /** Updates applied so far (torch's `step`, Keras's `iterations`). */
  iterations = 0;
  protected k!: Kernels;
  private slots: WasmTensor[][] = [];
  private params: TrainableParam[] = [];
  private attached = false;

  constructor(learningRate: unknown, defaultLr: number) {
    this.learningRate = checkLearningRate(learningRate, defaultLr);
  }

  /** The learning rate of the next update. */
  get currentLearningRate(): number {
    return typeof this.learningRate === 'number' ? this.learningRate : this.learningRate.at(this.iterations);
  }

  /** Per-parameter state tensors this optimizer needs (zero-initialised). */
  protected abstract readonly slotNames: readonly string[];

  attach(params: TrainableParam[], k: Kernels): void {
    if (this.attached) throw new Error(`this ${this.name} optimizer is already used by a model; create one optimizer per model`);
    this.attached = true;
    this.k = k;
    this.params = params;
    this.slots = params.map((p) => this.slotNames.map(() => new WasmTensor(p.value.shape, p.value.dtype)));
  }

  /** One update of every trainable parameter with its gradient. */
  step(): void {
    const lr = this.currentLearningRate;
    this.iterations++;
    for (let i = 0; i < this.params.length; i++) {
      this.update(this.params[i], this.slots[i], lr, this.iterations);
    }
  }

  protected abstract update(p: TrainableParam, slots: WasmTensor[], lr: number, t: number): void;

  /** State tensors of one parameter, by slot name (for inspection and save/load). */
  state(index: number): Record<string, WasmTensor> {
    return Object.fromEntries(this.slotNames.map((n, j) => [n, this.slots[index][j]]));
  }

  abstract getConfig(): Record<string, unknown>;

  dispose(): void {
    for (const s of this.slots) for (const t of s) t.free();
    this.slots = [];
  }
}

export function checkRange(v: unknown, what: string, lo: number, hi: number, hiOpen = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
    throw new Error(`Invalid ${what} value: ${String(v)} (must be in [${lo}, ${hi}${hiOpen ? ')' : ']'})`);
  }
  return v;
}
