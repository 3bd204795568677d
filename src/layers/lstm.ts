// LSTM (Keras, gates i, f, c, o): with z = x_t·W + h_{t−1}·U + b split into four blocks,
//   i = σ(z_i), f = σ(z_f), g = act(z_c), o = σ(z_o), c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙act(c_t)
// kernel [features, 4·units], recurrentKernel [units, 4·units], bias [4·units]; with
// unitForgetBias (default) the forget block of the bias starts at 1 (Jozefowicz et al. 2015).
// The cell kernels (assembly/rnn.ts lstmCell*) save the activated gates in `pre`, c_t and
// act(c_t); backward carries d loss/d c in `dc`.

import type { WasmTensor } from '../../bindings/index.js';
import { checkBool } from '../options.js';
import type { BuildContext } from './layer.js';
import { Recurrent, type GatedArgs } from './recurrent.js';

export interface LSTMArgs extends GatedArgs {
  /** Initialize the forget gate's bias to 1 (default true, as Keras). */
  unitForgetBias?: boolean;
}

export class LSTM extends Recurrent {
  readonly className = 'LSTM';
  protected readonly gates = 4;
  readonly unitForgetBias: boolean;
  /** cell states [(T+1)·N, U] (slot 0 unused) and act(c) [T·N, U], saved for backward */
  private c!: WasmTensor;
  private ac!: WasmTensor;
  private dc!: WasmTensor;

  constructor(args: LSTMArgs) {
    super(args, 'lstm', ['recurrentActivation', 'unitForgetBias']);
    this.unitForgetBias = checkBool(args.unitForgetBias ?? true, 'lstm unitForgetBias');
  }

  protected override initBias(b: WasmTensor, ctx: BuildContext): void {
    super.initBias(b, ctx);
    if (this.unitForgetBias) b.view().fill(1, this.units, 2 * this.units);
  }

  protected allocateCellBuffers(capacity: number): void {
    const U = this.units;
    this.c = this.buffer([(this.T + 1) * capacity, U]);
    this.ac = this.buffer([this.T * capacity, U]);
    this.dc = this.buffer([capacity, U]);
  }

  protected step(t: number, n: number): void {
    const U = this.units, pre = this.at(this.pre, t, n, 4 * U);
    if (t > 0) this.recurForward(t, n, pre, true);
    this.k.lstmCell(this.at(this.h, t + 1, n, U), this.at(this.c, t + 1, n, U), this.at(this.ac, t, n, U), pre,
      t > 0 ? this.at(this.c, t, n, U) : 0, n, U, this.actCode, this.recCode);
  }

  protected override beginBackward(n: number): void {
    this.dc.view(n * this.units).fill(0);
  }

  protected stepBackward(t: number, n: number): void {
    const U = this.units, pre = this.at(this.pre, t, n, 4 * U);
    this.k.lstmCellBackward(pre, this.dc.ptr, this.at(this.dh, t, n, U), pre, t > 0 ? this.at(this.c, t, n, U) : 0,
      this.at(this.ac, t, n, U), n, U, this.actCode, this.recCode);
    if (t > 0) this.recurBack(t, n, pre);
  }

  protected override cellConfig(): Record<string, unknown> {
    return { recurrentActivation: this.recurrentActivation, unitForgetBias: this.unitForgetBias };
  }
}

export const lstm = (args: LSTMArgs): LSTM => new LSTM(args);
