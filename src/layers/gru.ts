// GRU (Keras, gates z, r, h; resetAfter: true, the cuDNN/torch.nn.GRU variant):
//   z = σ(x·W_z + b_z + h·U_z + b'_z), r = σ(x·W_r + b_r + h·U_r + b'_r),
//   hh = act(x·W_h + b_h + r⊙(h·U_h + b'_h)),  h_t = z⊙h_{t−1} + (1−z)⊙hh
// kernel [features, 3·units], recurrentKernel [units, 3·units], bias [2, 3·units]
// (row 0 the input bias b, row 1 the recurrent bias b'). The recurrent product goes to its
// own buffer `rec` because r multiplies only its h block; the cell kernels (assembly/rnn.ts
// gruCell*) save z, r, hh in `pre` and h·U_h + b'_h in `rec`.
// NOTE: resetAfter: false (r applied before the product, one bias) needs the product of
// r⊙h with U_h separately from the z, r columns: not implemented; it raises an Error.

import type { WasmTensor } from '../../bindings/index.js';
import { checkBool } from '../options.js';
import { Recurrent, type GatedArgs } from './recurrent.js';

export interface GRUArgs extends GatedArgs {
  /** Apply the reset gate after the recurrent product (default true; false is not supported). */
  resetAfter?: boolean;
}

export class GRU extends Recurrent {
  readonly className = 'GRU';
  protected readonly gates = 3;
  readonly resetAfter = true;
  /** recurrent products [T·N, 3U]; backward turns them into their gradients */
  private rec!: WasmTensor;

  constructor(args: GRUArgs) {
    super(args, 'gru', ['recurrentActivation', 'resetAfter']);
    if (!checkBool(args.resetAfter ?? true, 'gru resetAfter')) {
      throw new Error('gru resetAfter: false is not supported (only the resetAfter: true variant, the Keras 2 / TF.js default and torch.nn.GRU\'s)');
    }
  }

  protected override biasShape(): number[] {
    return [2, this.ku];
  }

  protected allocateCellBuffers(capacity: number): void {
    this.rec = this.buffer([this.T * capacity, this.ku]);
  }

  protected override get dRec(): WasmTensor {
    return this.rec;
  }

  private get recBiasPtr(): number {
    return this.bias ? this.bias.value.ptr + this.ku * this.k.bytes : 0;
  }

  protected step(t: number, n: number): void {
    const U = this.units, kU = this.ku, rec = this.at(this.rec, t, n, kU);
    if (t > 0) this.recurForward(t, n, rec, false);
    else this.rec.view(n * kU).fill(0);
    this.k.gruCell(this.at(this.h, t + 1, n, U), this.at(this.pre, t, n, kU), rec, t > 0 ? this.at(this.h, t, n, U) : 0,
      this.recBiasPtr, n, U, this.actCode, this.recCode);
  }

  protected stepBackward(t: number, n: number): void {
    const U = this.units, kU = this.ku, pre = this.at(this.pre, t, n, kU), rec = this.at(this.rec, t, n, kU);
    this.k.gruCellBackward(pre, rec, t > 0 ? this.at(this.dh, t - 1, n, U) : 0, this.at(this.dh, t, n, U), pre, rec,
      t > 0 ? this.at(this.h, t, n, U) : 0, n, U, this.actCode, this.recCode);
    if (t > 0) this.recurBack(t, n, rec);
  }

  protected override biasGrad(M: number): void {
    const g = this.bias!.grad.ptr;
    this.k.colSum(g, this.pre.ptr, M, this.ku, false);
    this.k.colSum(g + this.ku * this.k.bytes, this.rec.ptr, M, this.ku, false);
  }

  protected override cellConfig(): Record<string, unknown> {
    // NOTE: resetAfter is not in the config: true is the only value, so it configures nothing
    return { recurrentActivation: this.recurrentActivation };
  }
}

export const gru = (args: GRUArgs): GRU => new GRU(args);
