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

import { runtime, type WasmTensor } from '../../bindings/index.js';
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

  constructor(args: GRUArgs) {
    super(args, 'gru', ['recurrentActivation', 'resetAfter']);
    this.resetAfter = checkBool(args.resetAfter ?? true, 'gru resetAfter');
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, this.ku] : [this.ku];
  }

  protected allocateCellBuffers(capacity: number): void {
    const { T, units: U } = this;
    if (this.resetAfter) { this.rec = this.buffer([T * capacity, this.ku]); return; }
    this.zr = this.buffer([T * capacity, 2 * U]);
    this.rh = this.buffer([T * capacity, U]);
    this.dhh = this.buffer([T * capacity, U]);
    this.hu = this.buffer([capacity, U]);
    this.uzr = this.buffer([U, 2 * U]);
    this.uh = this.buffer([U, U]);
    this.uzrT = this.buffer([2 * U, U]);
    this.uhT = this.buffer([U, U]);
  }

  protected override get needsUt(): boolean {
    return this.resetAfter;
  }

  protected override get dRec(): WasmTensor {
    return this.rec ?? this.pre;
  }

  private get recBiasPtr(): number {
    return this.bias && this.resetAfter ? this.bias.value.ptr + this.ku * this.k.bytes : 0;
  }

  /** Strided copy of `rows` rows of `cols` elements (byte strides given in elements). */
  private copyBlock(dst: number, src: number, rows: number, cols: number, dstLd: number, srcLd: number): void {
    const es = this.k.bytes;
    runtime().exports.copy_rows(dst, src, rows, cols * es, dstLd * es, srcLd * es);
  }

  protected override beginForward(): void {
    if (this.resetAfter) return;
    const U = this.units, u = this.recurrentKernel.value.ptr;
    this.copyBlock(this.uzr!.ptr, u, U, 2 * U, 2 * U, 3 * U);
    this.copyBlock(this.uh!.ptr, u + 2 * U * this.k.bytes, U, U, U, 3 * U);
  }

  protected step(t: number, n: number): void {
    const U = this.units, kU = this.ku, w = this.work!.ptr, pre = this.at(this.pre, t, n, kU);
    const hPrev = t > 0 ? this.at(this.h, t, n, U) : 0, hOut = this.at(this.h, t + 1, n, U);
    if (this.resetAfter) {
      const rec = this.at(this.rec!, t, n, kU);
      if (t > 0) this.recurForward(t, n, rec, false);
      else this.rec!.view(n * kU).fill(0);
      this.k.gruCell(hOut, pre, rec, hPrev, this.recBiasPtr, n, U, this.actCode, this.recCode);
      return;
    }
    const zr = this.at(this.zr!, t, n, 2 * U), rh = this.at(this.rh!, t, n, U);
    if (t > 0) this.k.gemm(zr, w, hPrev, this.uzr!.ptr, n, 2 * U, U, false, false, false);
    this.k.gruGates(rh, pre, t > 0 ? zr : 0, hPrev, n, U, this.recCode);
    if (t > 0) this.k.gemm(this.hu!.ptr, w, rh, this.uh!.ptr, n, U, U, false, false, false);
    this.k.gruCandidate(hOut, pre, t > 0 ? this.hu!.ptr : 0, hPrev, n, U, this.actCode);
  }

  protected override beginBackward(): void {
    if (this.resetAfter || this.T < 2) return;
    const U = this.units;
    this.k.swapAxes(this.uzrT!.ptr, this.uzr!.ptr, U, 2 * U, 1);
    this.k.swapAxes(this.uhT!.ptr, this.uh!.ptr, U, U, 1);
  }

  protected stepBackward(t: number, n: number): void {
    const U = this.units, kU = this.ku, w = this.work!.ptr, pre = this.at(this.pre, t, n, kU);
    const hPrev = t > 0 ? this.at(this.h, t, n, U) : 0, dhPrev = t > 0 ? this.at(this.dh, t - 1, n, U) : 0;
    const dh = this.at(this.dh, t, n, U);
    if (this.resetAfter) {
      const rec = this.at(this.rec!, t, n, kU);
      this.k.gruCellBackward(pre, rec, dhPrev, dh, pre, rec, hPrev, n, U, this.actCode, this.recCode);
      if (t > 0) this.recurBack(t, n, rec);
      return;
    }
    const dzr = this.at(this.zr!, t, n, 2 * U), dhh = this.at(this.dhh!, t, n, U);
    this.k.gruCandidateBackward(pre, dzr, dhh, dhPrev, dh, pre, hPrev, n, U, this.actCode, this.recCode);
    // d(r⊙h) = dhh·U_hᵀ (zero at t = 0, where h_{−1} = 0 makes dr = 0 anyway)
    if (t > 0) this.k.gemm(this.hu!.ptr, w, dhh, this.uhT!.ptr, n, U, U, false, false, false);
    this.k.gruResetBackward(pre, dzr, dhPrev, t > 0 ? this.hu!.ptr : 0, pre, hPrev, n, U, this.recCode);
    if (t > 0) this.k.gemm(dhPrev, w, dzr, this.uzrT!.ptr, n, U, 2 * U, false, false, true);
  }

  protected override recurrentGrad(n: number): void {
    if (this.resetAfter) { super.recurrentGrad(n); return; }
    // dU_zr = Σ_{t ≥ 1} h_{t−1}ᵀ·dzr[t], dU_h = Σ_{t ≥ 1} (r⊙h_{t−1})ᵀ·dhh[t], then interleaved into [U, 3U]
    const U = this.units, M = (this.T - 1) * n, w = this.work!.ptr, g = this.recurrentKernel.grad.ptr;
    this.k.gemm(this.uzrT!.ptr, w, this.at(this.h, 1, n, U), this.at(this.zr!, 1, n, 2 * U), U, 2 * U, M, true, false, false);
    this.k.gemm(this.uhT!.ptr, w, this.at(this.rh!, 1, n, U), this.at(this.dhh!, 1, n, U), U, U, M, true, false, false);
    this.copyBlock(g, this.uzrT!.ptr, U, 2 * U, 3 * U, 2 * U);
    this.copyBlock(g + 2 * U * this.k.bytes, this.uhT!.ptr, U, U, 3 * U, U);
  }

  protected override biasGrad(M: number): void {
    const g = this.bias!.grad.ptr;
    this.k.colSum(g, this.pre.ptr, M, this.ku, false);
    if (this.resetAfter) this.k.colSum(g + this.ku * this.k.bytes, this.rec!.ptr, M, this.ku, false);
  }

  protected override cellConfig(): Record<string, unknown> {
    return { recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter };
  }
}

export const gru = (args: GRUArgs): GRU => new GRU(args);
