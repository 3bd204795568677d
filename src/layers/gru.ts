// GRU (Keras, gates z, r, h). kernel [features, 3·units], recurrentKernel [units, 3·units].
//   z = σ(x·W_z + b_z + h·U_z + b'_z), r = σ(x·W_r + b_r + h·U_r + b'_r),  h_t = z⊙h_{t−1} + (1−z)⊙hh
//   resetAfter: true (default; Keras 2, cuDNN, torch.nn.GRU):  hh = act(x·W_h + b_h + r⊙(h·U_h + b'_h)),
//     bias [2, 3·units] (row 0 the input bias b, row 1 the recurrent bias b'). The recurrent
//     product h·U goes to its own buffer `rec` (r multiplies only its h block); the cells
//     (assembly/rnn.ts gruCell*) save z, r, hh in `pre` and h·U_h + b'_h in `rec`.
//   resetAfter: false (Keras 1, TF.js's only GRU):  hh = act(x·W_h + b_h + (r⊙h)·U_h), bias [3·units]
//     (no b'). r is needed before the h-block product, so a step is two GEMMs, h·U_zr then
//     (r⊙h)·U_h, on contiguous copies of U's column blocks made once per forward (their
//     transposes once per backward); the cells (gruGates, gruCandidate and their backwards)
//     save z, r, hh in `pre` and r⊙h in `rh`.

import type { TensorView, WasmTensor } from '../../bindings/index.js';
import { checkBool } from '../options.js';
import { Recurrent, type GatedArgs } from './recurrent.js';

export interface GRUArgs extends GatedArgs {
  /** Apply the reset gate after the recurrent product (default true); false is Keras 1's / TF.js's GRU. */
  resetAfter?: boolean;
}

export class GRU extends Recurrent {
  readonly className = 'GRU';
  protected readonly gates = 3;
  readonly resetAfter: boolean;
  /** resetAfter: recurrent products [T·N, 3U]; backward turns them into their gradients */
  private rec: WasmTensor | null = null;
  /** reset before: h·U_zr [T·N, 2U] (backward: d/d(h·U_zr)), r⊙h [T·N, U], dhh [T·N, U], one step's (r⊙h)·U_h / d(r⊙h) [N, U] */
  private zr: WasmTensor | null = null;
  private rh: WasmTensor | null = null;
  private dhh: WasmTensor | null = null;
  private hu: WasmTensor | null = null;
  /** reset before: U_zr [U, 2U], U_h [U, U] and their transposes (the transposes double as dU's blocks after the loop) */
  private uzr: WasmTensor | null = null;
  private uh: WasmTensor | null = null;
  private uzrT: WasmTensor | null = null;
  private uhT: WasmTensor | null = null;
  /** Step t's blocks of rec (resetAfter) or of zr, rh, dhh (reset before) */
  private recT: TensorView | null = null;
  private zrT: TensorView | null = null;
  private rhT: TensorView | null = null;
  private dhhT: TensorView | null = null;
  /**
   * Windows of the weights: resetAfter, the recurrent bias b' (row 1 of bias) and its
   * gradient; reset before, U's h block (columns 2U…3U, from element 2U) and its gradient.
   * NOTE: the optimizer swaps a weight's buffer after each update, so the views of values
   * are re-pointed at the current buffer (retarget) before each use.
   */
  private recBias: TensorView | null = null;
  private recBiasGrad: TensorView | null = null;
  private uhFrom: TensorView | null = null;
  private uhGrad: TensorView | null = null;

  constructor(args: GRUArgs) {
    super(args, 'gru', ['recurrentActivation', 'resetAfter']);
    this.resetAfter = checkBool(args.resetAfter ?? true, 'gru resetAfter');
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, this.ku] : [this.ku];
  }

  protected allocateCellBuffers(capacity: number): void {
    const { T, units: U } = this, kU = this.ku;
    if (this.resetAfter) {
      this.rec = this.buffer([T * capacity, kU]);
      this.recT = this.rec.at(0);
      this.recBias = this.bias ? this.bias.value.at(kU, kU) : null;
      this.recBiasGrad = this.bias ? this.bias.grad.at(kU, kU) : null;
      return;
    }
    this.zr = this.buffer([T * capacity, 2 * U]);
    this.rh = this.buffer([T * capacity, U]);
    this.dhh = this.buffer([T * capacity, U]);
    this.hu = this.buffer([capacity, U]);
    this.uzr = this.buffer([U, 2 * U]);
    this.uh = this.buffer([U, U]);
    this.uzrT = this.buffer([2 * U, U]);
    this.uhT = this.buffer([U, U]);
    this.zrT = this.zr.at(0);
    this.rhT = this.rh.at(0);
    this.dhhT = this.dhh.at(0);
    this.uhFrom = this.recurrentKernel.value.at(2 * U);
    this.uhGrad = this.recurrentKernel.grad.at(2 * U);
  }

  protected override get needsUt(): boolean {
    return this.resetAfter;
  }

  protected override get dRec(): TensorView {
    return this.recT ?? this.preT;
  }

  protected override seek(t: number, n: number): void {
    super.seek(t, n);
    const U = this.units;
    if (this.resetAfter) { this.rows(this.recT!, t, n, this.ku); return; }
    this.rows(this.zrT!, t, n, 2 * U);
    this.rows(this.rhT!, t, n, U);
    this.rows(this.dhhT!, t, n, U);
  }

  /** Strided copy of `rows` rows of `cols` elements (strides given in elements). */
  private copyBlock(dst: WasmTensor | TensorView, src: WasmTensor | TensorView, rows: number, cols: number, dstLd: number, srcLd: number): void {
    const es = this.k.bytes;
    this.k.copyRows(dst, src, rows, cols * es, dstLd * es, srcLd * es);
  }

  protected override beginForward(): void {
    if (this.resetAfter) { this.recBias?.retarget(this.bias!.value); return; }
    const U = this.units, u = this.recurrentKernel.value;
    this.copyBlock(this.uzr!, u, U, 2 * U, 2 * U, 3 * U);
    this.copyBlock(this.uh!, this.uhFrom!.retarget(u), U, U, U, 3 * U);
  }

  protected step(t: number, n: number): void {
    const U = this.units, w = this.work!, pre = this.preT;
    const hPrev = t > 0 ? this.hPrev : null;
    if (this.resetAfter) {
      const rec = this.recT!;
      if (t > 0) this.recurForward(n, rec, false);
      else this.rec!.view(n * this.ku).fill(0);
      this.k.gruCell(this.hNext, pre, rec, hPrev, this.recBias, n, U, this.actCode, this.recCode);
      return;
    }
    const zr = this.zrT!, rh = this.rhT!;
    if (t > 0) this.k.gemm(zr, w, this.hPrev, this.uzr!, n, 2 * U, U, false, false, false);
    this.k.gruGates(rh, pre, t > 0 ? zr : null, hPrev, n, U, this.recCode);
    if (t > 0) this.k.gemm(this.hu!, w, rh, this.uh!, n, U, U, false, false, false);
    this.k.gruCandidate(this.hNext, pre, t > 0 ? this.hu : null, hPrev, n, U, this.actCode);
  }

  protected override beginBackward(): void {
    if (this.resetAfter || this.T < 2) return;
    const U = this.units;
    this.k.swapAxes(this.uzrT!, this.uzr!, U, 2 * U, 1);
    this.k.swapAxes(this.uhT!, this.uh!, U, U, 1);
  }

  protected stepBackward(t: number, n: number): void {
    const U = this.units, w = this.work!, pre = this.preT;
    const hPrev = t > 0 ? this.hPrev : null, dhPrev = t > 0 ? this.dhPrev : null;
    if (this.resetAfter) {
      const rec = this.recT!;
      this.k.gruCellBackward(pre, rec, dhPrev, this.dhT, pre, rec, hPrev, n, U, this.actCode, this.recCode);
      if (t > 0) this.recurBack(n, rec);
      return;
    }
    const dzr = this.zrT!, dhh = this.dhhT!;
    this.k.gruCandidateBackward(pre, dzr, dhh, dhPrev, this.dhT, pre, hPrev, n, U, this.actCode, this.recCode);
    // d(r⊙h) = dhh·U_hᵀ (zero at t = 0, where h_{−1} = 0 makes dr = 0 anyway)
    if (t > 0) this.k.gemm(this.hu!, w, dhh, this.uhT!, n, U, U, false, false, false);
    this.k.gruResetBackward(pre, dzr, dhPrev, t > 0 ? this.hu : null, pre, hPrev, n, U, this.recCode);
    if (t > 0) this.k.gemm(this.dhPrev, w, dzr, this.uzrT!, n, U, 2 * U, false, false, true);
  }

  protected override recurrentGrad(n: number): void {
    if (this.resetAfter) { super.recurrentGrad(n); return; }
    // dU_zr = Σ_{t ≥ 1} h_{t−1}ᵀ·dzr[t], dU_h = Σ_{t ≥ 1} (r⊙h_{t−1})ᵀ·dhh[t], then interleaved into [U, 3U]
    const U = this.units, T1 = this.T - 1, M = T1 * n, w = this.work!, g = this.recurrentKernel.grad;
    this.k.gemm(this.uzrT!, w, this.rows(this.hPrev, 1, n, U, T1), this.rows(this.zrT!, 1, n, 2 * U, T1), U, 2 * U, M, true, false, false);
    this.k.gemm(this.uhT!, w, this.rows(this.rhT!, 1, n, U, T1), this.rows(this.dhhT!, 1, n, U, T1), U, U, M, true, false, false);
    this.copyBlock(g, this.uzrT!, U, 2 * U, 3 * U, 2 * U);
    this.copyBlock(this.uhGrad!.retarget(g), this.uhT!, U, U, 3 * U, U);
  }

  protected override biasGrad(M: number): void {
    const g = this.bias!.grad;
    this.k.colSum(g, this.pre, M, this.ku, false);
    if (this.resetAfter) this.k.colSum(this.recBiasGrad!.retarget(g), this.rec!, M, this.ku, false);
  }

  protected override cellConfig(): Record<string, unknown> {
    return { recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter };
  }
}

export const gru = (args: GRUArgs): GRU => new GRU(args);
