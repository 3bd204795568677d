// Inverted dropout (Srivastava et al. 2014): in training each element is kept with
// probability 1 − rate and scaled by 1/(1 − rate); at inference it is the identity.
// Masks are drawn in wasm from this layer's own RNG stream, so adding a dropout layer
// changes neither the initial weights nor the other layers' masks.

import type { WasmTensor } from '../../bindings/index.js';
import { describe } from '../options.js';
import { Layer, size, type BuildContext, type LayerArgs, type RngStream } from './layer.js';

export interface DropoutArgs extends LayerArgs {
  /** Probability to drop an element, in [0, 1). */
  rate: number;
}

export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  private rng!: RngStream;
  private y!: WasmTensor;
  private mask!: WasmTensor;

  constructor(args: DropoutArgs) {
    super(args, 'dropout', ['rate']);
    const rate = args?.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new Error(`Invalid dropout rate: ${describe(rate)} (must be in [0, 1))`);
    this.rate = rate;
  }

  protected setup(inputShape: number[], ctx: BuildContext): number[] {
    this.rng = ctx.newStream();
    return inputShape.slice();
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, ...this.inputShape]);
    this.mask = this.buffer([capacity, ...this.inputShape]);
  }

  private last: WasmTensor | null = null;

  override get output(): WasmTensor | null {
    return this.last;
  }

  forward(x: WasmTensor, n: number, training: boolean): WasmTensor {
    if (!training || this.rate === 0) return (this.last = x); // identity: hand the input through
    this.k.dropout(this.y, this.mask, this.rng, x, n * size(this.inputShape), this.rate);
    return (this.last = this.y);
  }

  backward(dy: WasmTensor, n: number): WasmTensor {
    if (this.rate !== 0) this.k.mul(dy, dy, this.mask, n * size(this.inputShape));
    return dy;
  }

  protected layerConfig(): Record<string, unknown> {
    return { rate: this.rate };
  }
}

export const dropout = (args: DropoutArgs): Dropout => new Dropout(args);
