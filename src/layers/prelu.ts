// PReLU (He et al. 2015): y = x > 0 ? x : α_c·x with one learned α per channel (last axis),
// initialised to 0.25. Forward saves its input; backward gives dx (in place on dy) and dα.

import type { WasmTensor } from '../../bindings/index.js';
import { getInitializer, initializers, type Initializer, type InitializerSpec } from '../initializers.js';
import { serialize } from '../serialization.js';
import { Layer, size, type BuildContext, type LayerArgs, type Param, type TrainableParam } from './layer.js';

export interface PReLUArgs extends LayerArgs {
  /** Initial α (default constant 0.25). */
  alphaInitializer?: InitializerSpec;
}

export class PReLU extends Layer {
  readonly className = 'PReLU';
  private readonly alphaInit: Initializer;
  private alpha!: TrainableParam;
  private y!: WasmTensor;
  /** saved by forward: the input buffer */
  private x: WasmTensor | null = null;

  constructor(args: PReLUArgs = {}) {
    super(args, 'prelu', ['alphaInitializer']);
    this.alphaInit = getInitializer(args.alphaInitializer ?? initializers.constant({ value: 0.25 }), 'prelu alphaInitializer');
  }

  protected setup(inputShape: number[], ctx: BuildContext): number[] {
    const c = inputShape[inputShape.length - 1];
    this.alpha = this.param('alpha', [c]);
    this.alphaInit.fill(this.alpha.value, { fanIn: c, fanOut: c }, ctx.k, ctx.initRng, ctx.scratch);
    return inputShape.slice();
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, ...this.inputShape]);
  }

  private get channels(): number {
    return this.inputShape[this.inputShape.length - 1];
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    this.x = x;
    const c = this.channels;
    this.k.prelu(this.y, x, this.alpha.value, (n * size(this.inputShape)) / c, c);
    return this.y;
  }

  backward(dy: WasmTensor, n: number): WasmTensor {
    const c = this.channels;
    this.k.preluBackward(dy, this.alpha.grad, dy, this.x!, this.alpha.value, (n * size(this.inputShape)) / c, c);
    return dy;
  }

  override params(): Param[] {
    return [this.alpha];
  }

  override get output(): WasmTensor {
    return this.y;
  }

  protected layerConfig(): Record<string, unknown> {
    return { alphaInitializer: serialize(this.alphaInit) };
  }
}

export const prelu = (args?: PReLUArgs): PReLU => new PReLU(args);
