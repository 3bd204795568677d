// SimpleRNN (Keras): h_t = act(x_t·W + h_{t−1}·U + b). kernel [features, units],
// recurrentKernel [units, units], bias [units]. The step needs no cell kernel of its own:
// the bias+activation pass writes h_t, and its backward reads h_t (see recurrent.ts).

import { Recurrent, type RecurrentArgs } from './recurrent.js';

export type SimpleRNNArgs = RecurrentArgs;

export class SimpleRNN extends Recurrent {
  readonly className = 'SimpleRNN';
  protected readonly gates = 1;

  constructor(args: SimpleRNNArgs) {
    super(args, 'simpleRNN', []);
  }

  protected allocateCellBuffers(): void {}

  protected step(t: number, n: number): void {
    if (t > 0) this.recurForward(n, this.preT, true);
    this.k.biasAct(this.hNext, this.preT, null, n, this.units, this.actCode, 0);
  }

  protected stepBackward(t: number, n: number): void {
    // saved by forward: h_t (slot t + 1), from which act' is taken
    this.k.actBackward(this.preT, this.dhT, this.hNext, n * this.units, this.actCode, 0);
    if (t > 0) this.recurBack(n, this.preT);
  }

  protected override cellConfig(): Record<string, unknown> {
    return {};
  }
}

export const simpleRNN = (args: SimpleRNNArgs): SimpleRNN => new SimpleRNN(args);
