// Pooling over NHWC images: maxPool2d, avgPool2d({poolSize = 2, strides = poolSize,
// padding = 'valid'}) and globalAvgPool2d ([N, H, W, C] → [N, C]). Max pooling keeps the
// winning input pixel per output for backward; average pooling counts only in-bounds
// positions ('same' padding as TensorFlow).

import type { WasmTensor } from '../../bindings/index.js';
import { checkPadding, geometry, imageShape, pair, type Geometry2D, type Padding } from './geometry.js';
import { Layer, type LayerArgs } from './layer.js';

export interface Pool2DArgs extends LayerArgs {
  /** Window: n or [ph, pw] (default 2). */
  poolSize?: number | [number, number];
  /** Default: the pool size. */
  strides?: number | [number, number];
  padding?: Padding;
}

abstract class Pool2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  protected g!: Geometry2D;
  protected y!: WasmTensor;
  protected dx!: WasmTensor;

  constructor(args: Pool2DArgs | undefined, what: string, keys: readonly string[] = ['poolSize', 'strides', 'padding']) {
    super(args, what, keys);
    args ??= {};
    this.poolSize = pair(args.poolSize ?? 2, `${what} poolSize`);
    this.strides = pair(args.strides ?? this.poolSize, `${what} strides`);
    this.padding = checkPadding(args.padding ?? 'valid', what);
  }

  protected setup(inputShape: number[]): number[] {
    this.g = geometry(inputShape, this.poolSize, this.strides, this.padding, `${this.className} '${this.name}'`, 'pool');
    return [this.g.OH, this.g.OW, this.g.C];
  }

  override get output(): WasmTensor {
    return this.y;
  }

  protected layerConfig(): Record<string, unknown> {
    return { poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}

export class MaxPool2D extends Pool2D {
  readonly className = 'MaxPool2D';
  private idx!: WasmTensor;

  constructor(args?: Pool2DArgs) {
    super(args, 'maxPool2d');
  }

  protected allocateBuffers(capacity: number): void {
    const { H, W, C, OH, OW } = this.g;
    this.y = this.buffer([capacity, OH, OW, C]);
    this.idx = this.buffer([capacity, OH, OW, C], 'int32');
    this.dx = this.buffer([capacity, H, W, C]);
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    this.k.maxPool(this.y, this.idx, x, n, this.g);
    return this.y;
  }

  backward(dy: WasmTensor, n: number): WasmTensor {
    this.k.maxPoolBackward(this.dx, dy, this.idx, n, this.g);
    return this.dx;
  }
}

export class AvgPool2D extends Pool2D {
  readonly className: string = 'AvgPool2D';

  constructor(args?: Pool2DArgs, what = 'avgPool2d', keys?: readonly string[]) {
    super(args, what, keys);
  }

  protected allocateBuffers(capacity: number): void {
    const { H, W, C, OH, OW } = this.g;
    this.y = this.buffer([capacity, OH, OW, C]);
    this.dx = this.buffer([capacity, H, W, C]);
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    this.k.avgPool(this.y, x, n, this.g);
    return this.y;
  }

  backward(dy: WasmTensor, n: number): WasmTensor {
    this.k.avgPoolBackward(this.dx, dy, n, this.g);
    return this.dx;
  }
}

/** Mean over height and width: an average pool whose window is the whole image. */
export class GlobalAvgPool2D extends AvgPool2D {
  override readonly className = 'GlobalAvgPool2D';

  constructor(args: LayerArgs = {}) {
    super(args, 'globalAvgPool2d', []);
  }

  protected override setup(inputShape: number[]): number[] {
    const [H, W, C] = imageShape(inputShape, `globalAvgPool2d '${this.name}'`);
    this.g = { H, W, C, KH: H, KW: W, SH: 1, SW: 1, padTop: 0, padLeft: 0, OH: 1, OW: 1 };
    return [C];
  }

  protected override layerConfig(): Record<string, unknown> {
    return {};
  }
}

export const maxPool2d = (args?: Pool2DArgs): MaxPool2D => new MaxPool2D(args);
export const avgPool2d = (args?: Pool2DArgs): AvgPool2D => new AvgPool2D(args);
export const globalAvgPool2d = (args?: LayerArgs): GlobalAvgPool2D => new GlobalAvgPool2D(args);
