// The optimizer contract: a small class over one fused update kernel. attach() allocates
// its state for the model's trainable parameters; step() applies one update to each of
// them. State names follow the math (expAvg, expAvgSq).
//
// NOTE: updates are transactional. Parameters and state are double-buffered: the kernels
// read the current buffers and write the spare ones (same memory traffic as in place) and
// count non-finite results; only if every new weight is finite are the buffers swapped. An
// update that would overflow (a huge learning rate) is never applied.
//
// Re-attaching (after layers were frozen, unfrozen, added or popped) keeps the state of
// every parameter that stays trainable; a parameter that leaves the set (frozen, popped)
// loses its state, and one that joins (unfrozen, added) starts from zero state at t = 1.

import { WasmTensor, type Kernels } from '../../bindings/index.js';
import type { TrainableParam } from '../layers/layer.js';
import { describe } from '../options.js';
import { checkLearningRate, serializeLearningRate, type LearningRate } from '../schedules.js';

/** Per-parameter buffers: the current state slots, their double buffers and the spare value buffer. */
interface ParamState { slots: WasmTensor[]; next: WasmTensor[]; spare: WasmTensor; steps: number }

export abstract class Optimizer {
  abstract readonly className: string;
  private lr: LearningRate;
  /** Updates applied so far (torch's `step`, Keras's `iterations`); schedules read it. */
  iterations = 0;
  protected k!: Kernels;
  private params: TrainableParam[] = [];
  private states: ParamState[] = [];
  private owner: object | null = null;

  constructor(learningRate: unknown, defaultLr: number) {
    this.lr = checkLearningRate(learningRate, defaultLr);
  }

  /** A number, or a schedule of the step. */
  get learningRate(): LearningRate {
    return this.lr;
  }

  /** Replaces the learning rate (a number ≥ 0 or a schedule), e.g. from reduceLROnPlateau. */
  setLearningRate(lr: LearningRate): void {
    this.lr = checkLearningRate(lr, Number.NaN);
  }

  /** The learning rate of the next update. */
  get currentLearningRate(): number {
    return typeof this.lr === 'number' ? this.lr : this.lr.at(this.iterations);
  }

  /** Per-parameter state tensors this optimizer needs (zero-initialised). */
  protected abstract readonly slotNames: readonly string[];

  /** True once a model uses this optimizer (one optimizer per model). */
  get isAttached(): boolean {
    return this.owner !== null;
  }

  /** Whether `owner` (a model's session) is the one this optimizer belongs to. */
  ownedBy(owner: object): boolean {
    return this.owner === owner;
  }

  /** Makes `owner` this optimizer's only model (compile does it; one optimizer per model). */
  claim(owner: object): void {
    if (this.owner && this.owner !== owner) throw new Error(`this ${this.className} optimizer is already used by another model; create one optimizer per model`);
    this.owner = owner;
  }

  /**
   * Allocates state for `params` (all or nothing), keeping the state of parameters it
   * already had and freeing the state of those no longer given.
   */
  attach(owner: object, params: TrainableParam[], k: Kernels): void {
    if (this.owner && this.owner !== owner) throw new Error(`this ${this.className} optimizer is already used by another model; create one optimizer per model`);
    const old = new Map(this.params.map((p, i) => [p, this.states[i]]));
    const alloc = (p: TrainableParam, what: string) => new WasmTensor(p.value.shape, p.value.dtype, `${this.className} ${what} of ${p.name}`);
    const states = WasmTensor.transaction(() => params.map((p) => old.get(p) ?? {
      slots: this.slotNames.map((s) => alloc(p, s)),
      next: this.slotNames.map((s) => alloc(p, s)),
      spare: alloc(p, 'spare buffer'),
      steps: 0,
    }));
    // all allocated: now change state
    for (const [p, s] of old) if (!params.includes(p)) freeState(s);
    this.owner = owner;
    this.k = k;
    this.params = params.slice();
    this.states = states;
  }

  /** One update of every trainable parameter with its gradient; throws (applying nothing) if a weight would become non-finite. */
  step(): void {
    const lr = this.currentLearningRate;
    let bad = 0;
    for (let i = 0; i < this.params.length; i++) {
      const s = this.states[i];
      // NOTE: bias corrections count each parameter's own updates (torch keeps state['step']
      // per parameter), so a head added to a trained model starts at t = 1
      bad += this.update(this.params[i], s.spare, s.slots, s.next, lr, s.steps + 1);
    }
    if (bad > 0) {
      throw new Error(`the update would make ${bad} weights non-finite (learning rate ${lr}); it was not applied and the model keeps its last finite weights`);
    }
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i], s = this.states[i];
      const value = p.value, slots = s.slots; // swaps by temporaries: no array per step
      p.value = s.spare; s.spare = value;
      s.slots = s.next; s.next = slots;
      s.steps++;
    }
    this.iterations++;
  }

  /**
   * Writes the updated parameter to `out` and the updated state to `next` from the current
   * `p.value` and `slots`; returns the number of non-finite new weights.
   */
  protected abstract update(p: TrainableParam, out: WasmTensor, slots: WasmTensor[], next: WasmTensor[], lr: number, t: number): number;

  /** Parameter i's value before the last successful update (its double buffer): ‖Δw‖ for monitors. */
  previousValue(i: number): WasmTensor {
    return this.states[i].spare;
  }

  /** State tensors of one parameter, by slot name (for inspection). */
  state(index: number): Record<string, WasmTensor> {
    return Object.fromEntries(this.slotNames.map((n, j) => [n, this.states[index].slots[j]]));
  }

  /** Every state tensor with its name ('dense_1/kernel/expAvg'), in parameter order: what save() writes. */
  stateTensors(): { name: string; tensor: WasmTensor }[] {
    return this.params.flatMap((p, i) => this.slotNames.map((s, j) => ({ name: `${p.name}/${s}`, tensor: this.states[i].slots[j] })));
  }

  /** Bytes of the state and its double buffers, and the spare parameter buffers (model.memory()). */
  get stateBytes(): number {
    let b = 0;
    for (const s of this.states) for (const t of [...s.slots, ...s.next, s.spare]) b += t.bytes;
    return b;
  }

  /** Updates applied to each parameter (save/load). */
  get paramSteps(): number[] {
    return this.states.map((s) => s.steps);
  }

  set paramSteps(steps: number[]) {
    steps.forEach((t, i) => { this.states[i].steps = t; });
  }

  /** {className, config}: the factory's arguments; the learning rate as a number or a serialized schedule. */
  getConfig(): Record<string, unknown> {
    return { learningRate: serializeLearningRate(this.lr), ...this.hyperparameters() };
  }

  protected abstract hyperparameters(): Record<string, unknown>;

  /** Frees the state; the optimizer may then be attached again (to the same model). */
  dispose(): void {
    for (const s of this.states) freeState(s);
    this.states = [];
    this.params = [];
  }
}

function freeState(s: ParamState): void {
  for (const t of [...s.slots, ...s.next, s.spare]) t.free();
}

export function checkRange(v: unknown, what: string, lo: number, hi: number, hiOpen = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
    throw new Error(`Invalid ${what} value: ${describe(v)} (must be in [${lo}, ${hi}${hiOpen ? ')' : ']'})`);
  }
  return v;
}
