// Standalone activation layers: sigmoid, tanh, relu, leakyRelu({alpha = 0.01}),
// elu({alpha = 1}), softmax (over the last axis), and activation({activation, alpha}) with
// any of them by name (TF.js `Activation`). Forward y = f(x) into its own buffer; backward
// works in place on dy from the saved output (see assembly/activations.ts for why the
// output suffices). A softmax or sigmoid at the end of a model hands its input (the logits)
// to a fused cross-entropy loss, and its backward is then the identity.

import type { WasmTensor } from '../../bindings/index.js';
import { activate, activateBackward, activationSpec, type ActivationName, type ActivationSpec } from '../activations.js';
import type { OutputActivation } from '../losses.js';
import { Layer, size, type LayerArgs } from './layer.js';

export interface ActivationArgs extends LayerArgs {
  /** leakyRelu: slope for x < 0 (default 0.01); elu: scale of the negative part (default 1). */
  alpha?: number;
}

export interface GenericActivationArgs extends ActivationArgs {
  activation: ActivationName;
}

const CLASS: Record<string, string> = { sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', leakyRelu: 'LeakyRelu', elu: 'Elu', softmax: 'Softmax' };

export class Activation extends Layer {
  readonly className: string;
  readonly act: ActivationSpec;
  private y!: WasmTensor;
  /** saved by forward: the input (the logits of a softmax/sigmoid) */
  private x: WasmTensor | null = null;
  private readonly generic: boolean;

  /** `kind` a fixed activation (layers.relu()), or null for layers.activation({activation}). */
  constructor(kind: ActivationName | null, args: ActivationArgs | GenericActivationArgs = {}) {
    const name = kind ?? (args as GenericActivationArgs)?.activation;
    const hasAlpha = kind === null || kind === 'leakyRelu' || kind === 'elu';
    super(args, kind ?? 'activation', [...(kind === null ? ['activation'] : []), ...(hasAlpha ? ['alpha'] : [])]);
    this.act = activationSpec(name, args?.alpha);
    if (kind === null && args?.alpha !== undefined && this.act.name !== 'leakyRelu' && this.act.name !== 'elu') {
      throw new Error(`activation '${this.act.name}' takes no alpha`);
    }
    this.generic = kind === null;
    this.className = kind === null ? 'Activation' : CLASS[kind];
  }

  protected setup(inputShape: number[]): number[] {
    return inputShape.slice();
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, ...this.inputShape]);
  }

  private get cols(): number {
    return this.inputShape[this.inputShape.length - 1];
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    this.x = x;
    activate(this.k, this.act, this.y, x, (n * size(this.inputShape)) / this.cols, this.cols);
    return this.y;
  }

  backward(dy: WasmTensor, n: number): WasmTensor {
    activateBackward(this.k, this.act, dy, this.y, (n * size(this.inputShape)) / this.cols, this.cols, this.fuseOutput);
    return dy;
  }

  override get output(): WasmTensor {
    return this.y;
  }

  override get outputActivation(): OutputActivation | null {
    return this.act.output;
  }

  override get activationName(): string | null {
    return this.act.name;
  }

  override get logits(): WasmTensor | null {
    return this.act.output ? this.x : null;
  }

  protected layerConfig(): Record<string, unknown> {
    const alpha = this.act.name === 'leakyRelu' || this.act.name === 'elu' ? { alpha: this.act.alpha } : {};
    return this.generic ? { activation: this.act.name, ...alpha } : alpha;
  }
}

export const sigmoid = (args?: LayerArgs): Activation => new Activation('sigmoid', args);
export const tanh = (args?: LayerArgs): Activation => new Activation('tanh', args);
export const relu = (args?: LayerArgs): Activation => new Activation('relu', args);
export const leakyRelu = (args?: ActivationArgs): Activation => new Activation('leakyRelu', args);
export const elu = (args?: ActivationArgs): Activation => new Activation('elu', args);
/** Softmax over the last axis. */
export const softmax = (args?: LayerArgs): Activation => new Activation('softmax', args);
/** Any activation by name (TF.js `tf.layers.activation`). */
export const activation = (args: GenericActivationArgs): Activation => new Activation(null, args);
