// A layer that only changes the per-sample shape (flatten, reshape): row-major data needs no
// copy, so forward hands its input buffer on and backward hands dy back.

import type { WasmTensor } from '../../bindings/index.js';
import { Layer } from './layer.js';

export abstract class ViewLayer extends Layer {
  private last: WasmTensor | null = null;

  protected allocateBuffers(): void {}

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
}
