// The optimizer contract: a small class over one fused update kernel. attach() allocates
// its state when the model is compiled; step() applies one update to every trainable
// parameter. State names follow the math (expAvg, expAvgSq).
//
// NOTE: updates are transactional. Parameters and state are double-buffered: the kernels
// read the current buffers and write the spare ones (same memory traffic as in place) and
// count non-finite results; only if every new weight is finite are the buffers swapped. An
// update that would overflow (a huge learning rate) is never applied.

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
  private nextSlots: WasmTensor[][] = [];
  private spares: WasmTensor[] = [];
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

  /** True once a model uses this optimizer (one optimizer per model). */
  get isAttached(): boolean {
    return this.attached;
  }

  attach(params: TrainableParam[], k: Kernels): void {
    if (this.attached) throw new Error(`this ${this.name} optimizer is already used by a model; create one optimizer per model`);
    this.attached = true;
    this.k = k;
    this.params = params;
    const alloc = (p: TrainableParam) => this.slotNames.map(() => new WasmTensor(p.value.shape, p.value.dtype));
    this.slots = params.map(alloc);
    this.nextSlots = params.map(alloc);
    this.spares = params.map((p) => new WasmTensor(p.value.shape, p.value.dtype));
  }

  /** One update of every trainable parameter with its gradient; throws (applying nothing) if a weight would become non-finite. */
  step(): void {
    const lr = this.currentLearningRate;
    const t = this.iterations + 1;
    let bad = 0;
    for (let i = 0; i < this.params.length; i++) {
      bad += this.update(this.params[i], this.spares[i], this.slots[i], this.nextSlots[i], lr, t);
    }
    if (bad > 0) {
      throw new Error(`the update would make ${bad} weights non-finite (learning rate ${lr}); it was not applied and the model keeps its last finite weights`);
    }
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      [p.value, this.spares[i]] = [this.spares[i], p.value];
      [this.slots[i], this.nextSlots[i]] = [this.nextSlots[i], this.slots[i]];
    }
    this.iterations = t;
  }

  /**
   * Writes the updated parameter to `out` and the updated state to `next` from the current
   * `p.value` and `slots`; returns the number of non-finite new weights.
   */
  protected abstract update(p: TrainableParam, out: WasmTensor, slots: WasmTensor[], next: WasmTensor[], lr: number, t: number): number;

  /** State tensors of one parameter, by slot name (for inspection and save/load). */
  state(index: number): Record<string, WasmTensor> {
    return Object.fromEntries(this.slotNames.map((n, j) => [n, this.slots[index][j]]));
  }

  abstract getConfig(): Record<string, unknown>;

  dispose(): void {
    for (const s of [...this.slots, ...this.nextSlots]) for (const t of s) t.free();
    for (const t of this.spares) t.free();
    this.slots = [];
    this.nextSlots = [];
    this.spares = [];
  }
}

export function checkRange(v: unknown, what: string, lo: number, hi: number, hiOpen = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
    throw new Error(`Invalid ${what} value: ${String(v)} (must be in [${lo}, ${hi}${hiOpen ? ')' : ']'})`);
  }
  return v;
}
