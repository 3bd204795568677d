// Flatten: [N, ...dims] → [N, Π dims]. Row-major data is already flat: no copy.

import type { WasmTensor } from '../../bindings/index.js';
import { Layer, size, type LayerArgs } from './layer.js';

export class Flatten extends Layer {
  readonly className = 'Flatten';

  constructor(args: LayerArgs = {}) {
    super(args, 'flatten', []);
  }

  protected setup(inputShape: number[]): number[] {
    return [size(inputShape)];
  }

  protected allocateBuffers(): void {}

  private last: WasmTensor | null = null;

  override get output(): WasmTensor | null {
    return this.last;
  }

  forward(x: WasmTensor): WasmTensor {
    this.last = x;
    return x;
  }

  backward(dy: WasmTensor): WasmTensor {
    return dy;
  }

  protected layerConfig(): Record<string, unknown> {
    return {};
  }
}

export const flatten = (args?: LayerArgs): Flatten => new Flatten(args);
