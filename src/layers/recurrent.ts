// The shared part of SimpleRNN, LSTM and GRU (Keras names, layouts and defaults):
// kernel W [features, k·units], recurrentKernel U [units, k·units], gates in Keras order.
// Inputs are [batch, timesteps, features]; the initial state is zero.
//
// Plan (assembly/rnn.ts has the cells): the layers work time-major inside, so a step is one
// dense [N, ·] block and "all timesteps" is one [T·N, ·] matrix:
//   forward   xT = swap(x) [T·N, F];  pre = xT·W + b  (one GEMM for every timestep)
//             per step t: pre[t] (+)= h_{t−1}·U (one GEMM), then the fused cell kernel
//   backward  dh = swap(dy) (or dy at the last step); per step t from T−1 down: the cell
//             backward turns dh[t] into d(pre[t]) in place, and dh[t−1] += d(pre[t])·Uᵀ
//             (one GEMM, on a copy of Uᵀ made once); then over all timesteps at once:
//             dW = xTᵀ·dpre, dU = Hprevᵀ·dpre (steps ≥ 1),
//             db = Σ dpre, dxT = dpre·Wᵀ (three GEMMs and a column sum), dx = swap(dxT).
// Hidden states live in h [(T+1)·N, U], h_t in slot t + 1, so Hprev of steps 1…T−1 (slots
// 1…T−1) is one contiguous matrix for the dU GEMM. Slot 0 (h_{−1} = 0) is kept zero.
// A step's blocks are views of these buffers (hPrev, hNext, preT, dhT, dhPrev, and the
// cells' own), made when the buffers are allocated and moved to step t by seek(t, n), so a
// step allocates nothing.

import type { Operand, TensorView, WasmTensor } from '../../bindings/index.js';
import { Act } from '../../bindings/index.js';
import { getInitializer, type Initializer, type InitializerSpec } from '../initializers.js';
import { checkBool, describe } from '../options.js';
import { checkRegularizer, type Regularizer } from '../regularizers.js';
import { serialize, type Serialized } from '../serialization.js';
import { Layer, positiveInt, type BuildContext, type LayerArgs, type Param, type TrainableParam } from './layer.js';

export const RNN_ACTIVATIONS = ['tanh', 'sigmoid', 'relu', 'linear'] as const;
export type RnnActivation = (typeof RNN_ACTIVATIONS)[number];

export interface RecurrentArgs extends LayerArgs {
  /** Size of the hidden state. */
  units: number;
  /** Output/candidate activation (default 'tanh'). */
  activation?: RnnActivation;
  /** true: the output is every step's state [batch, timesteps, units]; false (default): the last [batch, units]. */
  returnSequences?: boolean;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform' (fans from [features, k·units], as Keras). */
  kernelInitializer?: InitializerSpec;
  /** Default 'orthogonal'. */
  recurrentInitializer?: InitializerSpec;
  /** Default 'zeros'. */
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: Regularizer | Serialized | null;
  recurrentRegularizer?: Regularizer | Serialized | null;
}

export interface GatedArgs extends RecurrentArgs {
  /** Gate activation (default 'sigmoid'). */
  recurrentActivation?: RnnActivation;
}

const KEYS = ['units', 'activation', 'returnSequences', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer', 'kernelRegularizer', 'recurrentRegularizer'];

function rnnActivation(v: unknown, what: string): RnnActivation {
  if (!(RNN_ACTIVATIONS as readonly unknown[]).includes(v)) throw new Error(`Invalid ${what}: ${describe(v)} (expected one of ${RNN_ACTIVATIONS.join(', ')})`);
  return v as RnnActivation;
}

export abstract class Recurrent extends Layer {
  readonly units: number;
  readonly activation: RnnActivation;
  readonly recurrentActivation: RnnActivation;
  readonly returnSequences: boolean;
  readonly useBias: boolean;
  protected readonly kernelInit: Initializer;
  protected readonly recurrentInit: Initializer;
  protected readonly biasInit: Initializer;
  protected readonly kernelReg: Regularizer | null;
  protected readonly recurrentReg: Regularizer | null;
  /** Gates per unit: 1 (SimpleRNN), 4 (LSTM), 3 (GRU). */
  protected abstract readonly gates: number;
  protected kernel!: TrainableParam;
  protected recurrentKernel!: TrainableParam;
  protected bias: TrainableParam | null = null;
  protected T = 0;
  protected F = 0;
  /** time-major input [T·N, F] (saved for dW) and its gradient */
  protected xT!: WasmTensor;
  /** pre-activations [T·N, k·U]; the cells store what BPTT needs here, backward turns them into their gradients */
  protected pre!: WasmTensor;
  /** hidden states [(T+1)·N, U], slot 0 zero */
  protected h!: WasmTensor;
  /** d loss/d h, time-major [T·N, U] */
  protected dh!: WasmTensor;
  /**
   * Uᵀ [k·U, U], transposed once per backward: the per-step dh[t−1] += d·Uᵀ then reads a
   * plain B (GEMM packs a transposed B element by element, which cost T× this copy).
   */
  private ut: WasmTensor | null = null;
  private y!: WasmTensor;
  private dx!: WasmTensor;
  /** Step t's blocks (seek): h_{t−1} (h slot t), h_t (slot t + 1), pre[t], dh[t], dh[t−1] */
  protected hPrev!: TensorView;
  protected hNext!: TensorView;
  protected preT!: TensorView;
  protected dhT!: TensorView;
  protected dhPrev!: TensorView;

  constructor(args: GatedArgs, what: string, keys: readonly string[]) {
    if (!args || typeof args !== 'object') throw new Error(`${what}: expected an args object such as {units: 32}`);
    super(args, what, [...KEYS, ...keys]);
    this.units = positiveInt(args.units, `${what} units`);
    this.activation = rnnActivation(args.activation ?? 'tanh', `${what} activation`);
    this.recurrentActivation = rnnActivation(args.recurrentActivation ?? 'sigmoid', `${what} recurrentActivation`);
    this.returnSequences = checkBool(args.returnSequences ?? false, `${what} returnSequences`);
    this.useBias = checkBool(args.useBias ?? true, `${what} useBias`);
    this.kernelInit = getInitializer(args.kernelInitializer ?? 'glorotUniform', `${what} kernelInitializer`);
    this.recurrentInit = getInitializer(args.recurrentInitializer ?? 'orthogonal', `${what} recurrentInitializer`);
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', `${what} biasInitializer`);
    this.kernelReg = checkRegularizer(args.kernelRegularizer, `${what} kernelRegularizer`);
    this.recurrentReg = checkRegularizer(args.recurrentRegularizer, `${what} recurrentRegularizer`);
  }

  protected get actCode(): number { return Act[this.activation]; }
  protected get recCode(): number { return Act[this.recurrentActivation]; }
  protected get ku(): number { return this.gates * this.units; }

  protected setup(inputShape: number[], ctx: BuildContext): number[] {
    if (inputShape.length !== 2) {
      throw new Error(`${this.className} '${this.name}' expects [batch, timesteps, features], got per-sample shape [${inputShape.join(', ')}] (rank ${inputShape.length + 1} with the batch)`);
    }
    [this.T, this.F] = inputShape;
    const U = this.units, kU = this.ku;
    this.kernel = this.param('kernel', [this.F, kU], this.kernelReg);
    this.kernelInit.fill(this.kernel.value, { fanIn: this.F, fanOut: kU }, ctx.k, ctx.initRng, ctx.scratch);
    this.recurrentKernel = this.param('recurrent_kernel', [U, kU], this.recurrentReg);
    this.recurrentInit.fill(this.recurrentKernel.value, { fanIn: U, fanOut: kU }, ctx.k, ctx.initRng, ctx.scratch);
    if (this.useBias) {
      this.bias = this.param('bias', this.biasShape());
      this.initBias(this.bias.value, ctx);
    }
    return this.returnSequences ? [this.T, U] : [U];
  }

  protected biasShape(): number[] {
    return [this.ku];
  }

  protected initBias(b: WasmTensor, ctx: BuildContext): void {
    this.biasInit.fill(b, { fanIn: this.F, fanOut: this.ku }, ctx.k, ctx.initRng, ctx.scratch);
  }

  protected allocateBuffers(capacity: number): void {
    const { T, F, units: U } = this;
    this.xT = this.buffer([T * capacity, F]);
    this.pre = this.buffer([T * capacity, this.ku]);
    this.h = this.buffer([(T + 1) * capacity, U]);
    this.dh = this.buffer([T * capacity, U]);
    this.y = this.buffer(this.returnSequences ? [capacity, T, U] : [capacity, U]);
    this.dx = this.buffer([capacity, T, F]);
    this.ut = this.needsUt ? this.buffer([this.ku, U]) : null;
    this.hPrev = this.h.at(0);
    this.hNext = this.h.at(0);
    this.preT = this.pre.at(0);
    this.dhT = this.dh.at(0);
    this.dhPrev = this.dh.at(0);
    this.allocateCellBuffers(capacity);
  }

  /** The cell's own buffers (and the views of them its steps use). */
  protected abstract allocateCellBuffers(capacity: number): void;

  override workBytes(capacity: number): number {
    const { F, units: U } = this, kU = this.ku, M = this.T * capacity;
    const g = (m: number, n: number, k: number) => this.k.gemmWorkBytes(m, n, k);
    return Math.max(g(M, kU, F), g(capacity, kU, U), g(capacity, U, kU), g(F, kU, M), g(U, kU, M), g(M, F, kU));
  }

  /** Moves v to `slots` row blocks (n rows of `cols` each) of its tensor from block `slot`; returns it. */
  protected rows(v: TensorView, slot: number, n: number, cols: number, slots = 1): TensorView {
    return v.moveTo(slot * n * cols, slots * n * cols);
  }

  /** Points the step views at step t (dhPrev only for t > 0); cells with views of their own add theirs. */
  protected seek(t: number, n: number): void {
    const U = this.units;
    this.rows(this.hPrev, t, n, U);
    this.rows(this.hNext, t + 1, n, U);
    this.rows(this.preT, t, n, this.ku);
    this.rows(this.dhT, t, n, U);
    if (t > 0) this.rows(this.dhPrev, t - 1, n, U);
  }

  /** Forward of step t (0-based): pre[t] holds x_t·W + b; writes h slot t + 1. */
  protected abstract step(t: number, n: number): void;
  /** Backward of step t: dh[t] is complete; turns pre[t] into d(pre[t]), adds dh[t−1]'s share. */
  protected abstract stepBackward(t: number, n: number): void;
  /** A view of the recurrence's gradient source for dU (pre unless the cell keeps a separate one). */
  protected get dRec(): TensorView { return this.preT; }
  /** Extra work before the forward loop (copies of weight blocks). */
  protected beginForward(): void {}
  /** Extra work before the backward loop (zeroing carried gradients). */
  protected beginBackward(_n: number): void {}
  /** dU = Σ_{t ≥ 1} h_{t−1}ᵀ·d(rec)[t]: step 0's h_{−1} is zero, so its rows are skipped (T = 1: dU = 0). */
  protected recurrentGrad(n: number): void {
    const U = this.units, kU = this.ku;
    // h_0 … h_{T−2} (slots 1…T−1) against d(rec) of steps 1…T−1
    const M = (this.T - 1) * n;
    this.k.gemm(this.recurrentKernel.grad, this.work!, this.rows(this.hPrev, 1, n, U, this.T - 1), this.rows(this.dRec, 1, n, kU, this.T - 1), U, kU, M, true, false, false);
  }
  /** Bias gradient from dpre (and the cell's own recurrent part). */
  protected biasGrad(M: number): void {
    this.k.colSum(this.bias!.grad, this.pre, M, this.ku, false);
  }
  /** Whether backward uses Uᵀ (the cells whose recurrence is one product h·U). */
  protected get needsUt(): boolean { return true; }
  /** The part of the bias added to the input projection (its first k·U values), or null. */
  protected get inputBias(): WasmTensor | null { return this.bias ? this.bias.value : null; }

  forward(x: WasmTensor, n: number): WasmTensor {
    const { T, F, units: U } = this, kU = this.ku, M = T * n, w = this.work!;
    this.k.swapAxes(this.xT, x, n, T, F);
    this.k.gemm(this.pre, w, this.xT, this.kernel.value, M, kU, F, false, false, false);
    const b = this.inputBias;
    if (b) this.k.biasAct(this.pre, this.pre, b, M, kU, Act.linear, 0);
    this.h.view(n * U).fill(0);
    this.beginForward();
    for (let t = 0; t < T; t++) {
      this.seek(t, n);
      this.step(t, n);
    }
    // h_1 … h_T (slots 1…T), or h_T alone
    if (this.returnSequences) this.k.swapAxes(this.y, this.rows(this.hNext, 1, n, U, T), T, n, U);
    else this.k.swapAxes(this.y, this.rows(this.hNext, T, n, U), 1, n, U);
    return this.y;
  }

  backward(dy: WasmTensor, n: number, needDx: boolean): WasmTensor | null {
    const { T, F, units: U } = this, kU = this.ku, M = T * n, w = this.work!;
    if (this.returnSequences) this.k.swapAxes(this.dh, dy, n, T, U);
    else {
      this.dh.view((T - 1) * n * U).fill(0);
      this.k.swapAxes(this.rows(this.dhT, T - 1, n, U), dy, 1, n, U);
    }
    this.beginBackward(n);
    if (T > 1 && this.ut) this.k.swapAxes(this.ut, this.recurrentKernel.value, U, kU, 1);
    for (let t = T - 1; t >= 0; t--) {
      this.seek(t, n);
      this.stepBackward(t, n);
    }
    if (!this.frozen) {
      this.k.gemm(this.kernel.grad, w, this.xT, this.pre, F, kU, M, true, false, false);
      this.recurrentGrad(n);
      if (this.bias) this.biasGrad(M);
    }
    if (!needDx) return null;
    this.k.gemm(this.xT, w, this.pre, this.kernel.value, M, F, kU, false, true, false);
    this.k.swapAxes(this.dx, this.xT, T, n, F);
    return this.dx;
  }

  /** dh[t−1] += d·Uᵀ for the [n, k·U] gradient block d of step t > 0 (the view seek(t) placed). */
  protected recurBack(n: number, d: Operand): void {
    this.k.gemm(this.dhPrev, this.work!, d, this.ut!, n, this.units, this.ku, false, false, true);
  }

  /** out (+)= h_{t−1}·U for step t > 0: out is the [n, k·U] block of step t (the view seek(t) placed). */
  protected recurForward(n: number, out: Operand, accumulate: boolean): void {
    this.k.gemm(out, this.work!, this.hPrev, this.recurrentKernel.value, n, this.ku, this.units, false, false, accumulate);
  }

  override get output(): WasmTensor {
    return this.y;
  }

  override params(): Param[] {
    return this.bias ? [this.kernel, this.recurrentKernel, this.bias] : [this.kernel, this.recurrentKernel];
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      units: this.units, activation: this.activation, returnSequences: this.returnSequences, useBias: this.useBias,
      kernelInitializer: serialize(this.kernelInit), recurrentInitializer: serialize(this.recurrentInit), biasInitializer: serialize(this.biasInit),
      kernelRegularizer: this.kernelReg ? serialize(this.kernelReg) : null,
      recurrentRegularizer: this.recurrentReg ? serialize(this.recurrentReg) : null,
      ...this.cellConfig(),
    };
  }

  protected cellConfig(): Record<string, unknown> {
    return { recurrentActivation: this.recurrentActivation };
  }
}
