// LSTM (Keras, gates i, f, c, o): with z = x_t·W + h_{t−1}·U + b split into four blocks,
//   i = σ(z_i), f = σ(z_f), g = act(z_c), o = σ(z_o), c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙act(c_t)
// kernel [features, 4·units], recurrentKernel [units, 4·units], bias [4·units]; with
// unitForgetBias (default) the forget block of the bias starts at 1 (Jozefowicz et al. 2015).
// The cell kernels (assembly/rnn.ts lstmCell*) save the activated gates in `pre`, c_t and
// act(c_t); backward carries d loss/d c in `dc`.

import type { TensorView, WasmTensor } from '../../bindings/index.js';
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
  /** Step t's blocks: c_{t−1} (c slot t), c_t (slot t + 1), act(c_t) */
  private cPrev!: TensorView;
  private cNext!: TensorView;
  private acT!: TensorView;

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
    this.cPrev = this.c.at(0);
    this.cNext = this.c.at(0);
    this.acT = this.ac.at(0);
  }

  protected override seek(t: number, n: number): void {
    super.seek(t, n);
    const U = this.units;
    this.rows(this.cPrev, t, n, U);
    this.rows(this.cNext, t + 1, n, U);
    this.rows(this.acT, t, n, U);
  }

  protected step(t: number, n: number): void {
    if (t > 0) this.recurForward(n, this.preT, true);
    this.k.lstmCell(this.hNext, this.cNext, this.acT, this.preT, t > 0 ? this.cPrev : null, n, this.units, this.actCode, this.recCode);
  }

  protected override beginBackward(n: number): void {
    this.dc.view(n * this.units).fill(0);
  }

  protected stepBackward(t: number, n: number): void {
    this.k.lstmCellBackward(this.preT, this.dc, this.dhT, this.preT, t > 0 ? this.cPrev : null, this.acT, n, this.units, this.actCode, this.recCode);
    if (t > 0) this.recurBack(n, this.preT);
  }

  protected override cellConfig(): Record<string, unknown> {
    return { recurrentActivation: this.recurrentActivation, unitForgetBias: this.unitForgetBias };
  }
}

export const lstm = (args: LSTMArgs): LSTM => new LSTM(args);
