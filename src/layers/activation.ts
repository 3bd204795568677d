// Standalone activation layers: sigmoid, tanh, relu, leakyRelu({alpha = 0.01}),
// elu({alpha = 1}). Forward y = f(x) into its own buffer; backward works in place on dy
// using the saved output (see assembly/activations.ts for why the output suffices).

import type { WasmTensor } from '../../bindings/index.js';
import { activationSpec, type ActivationSpec } from '../activations.js';
import { Layer, size, type LayerArgs } from './layer.js';

export interface ActivationArgs extends LayerArgs {
  /** leakyRelu: slope for x < 0 (default 0.01); elu: scale of the negative part (default 1). */
  alpha?: number;
}

export class Activation extends Layer {
  readonly className: string;
  readonly act: ActivationSpec;
  private y!: WasmTensor;

  constructor(kind: string, args: ActivationArgs = {}) {
    const hasAlpha = kind === 'leakyRelu' || kind === 'elu';
    super(args, kind, hasAlpha ? ['alpha'] : []);
    this.act = activationSpec(kind, args?.alpha);
    this.className = kind[0].toUpperCase() + kind.slice(1);
  }

  protected setup(inputShape: number[]): number[] {
    return inputShape.slice();
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, ...this.inputShape]);
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    this.k.biasAct(this.y.ptr, x.ptr, 0, n, size(this.inputShape), this.act.code, this.act.alpha);
    return this.y;
  }

  backward(dy: WasmTensor, n: number): WasmTensor {
    this.k.actBackward(dy.ptr, dy.ptr, this.y.ptr, n * size(this.inputShape), this.act.code, this.act.alpha);
    return dy;
  }

  override get output(): WasmTensor {
    return this.y;
  }

  protected layerConfig(): Record<string, unknown> {
    return this.act.name === 'leakyRelu' || this.act.name === 'elu' ? { alpha: this.act.alpha } : {};
  }
}

export const sigmoid = (args?: LayerArgs): Activation => new Activation('sigmoid', args);
export const tanh = (args?: LayerArgs): Activation => new Activation('tanh', args);
export const relu = (args?: LayerArgs): Activation => new Activation('relu', args);
export const leakyRelu = (args?: ActivationArgs): Activation => new Activation('leakyRelu', args);
export const elu = (args?: ActivationArgs): Activation => new Activation('elu', args);
