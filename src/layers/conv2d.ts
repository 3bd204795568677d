// Conv2D over NHWC images: y = act(conv(x, W) + b), kernel W [kh, kw, inChannels, filters].
// im2col + GEMM, a chunk of images at a time inside the workspace (assembly/conv.ts: the
// chunk's im2col stays in cache for its GEMMs; no batch-sized col buffer):
//   forward   y = im2col(x) · W  (W read as [kh·kw·C, filters])
//   backward  dz = act'(y)·dy;  dW = im2col(x)ᵀ · dz;  db = Σ dz;  dx = col2im(dz · Wᵀ)
// A 1×1 kernel with stride 1 and no padding skips im2col: the input already is `col`, and
// the three products are plain GEMMs.

import { MAX_BYTES, formatBytes, type WasmTensor } from '../../bindings/index.js';
import type { InitializerSpec } from '../initializers.js';
import { checkPadding, geometry, pair, type Geometry2D, type Padding } from './geometry.js';
import { KernelLayer, type KernelArgs } from './kernel-layer.js';
import { positiveInt, type BuildContext } from './layer.js';

export interface Conv2DArgs extends KernelArgs {
  /** Output channels. */
  filters: number;
  /** Window size: n or [kh, kw]. */
  kernelSize: number | [number, number];
  /** Default 1. */
  strides?: number | [number, number];
  /** 'valid' (default) or 'same' (TensorFlow's rule). */
  padding?: Padding;
  /** Default 'glorotUniform' with fanIn = kh·kw·inChannels, fanOut = kh·kw·filters (Keras). */
  kernelInitializer?: InitializerSpec;
}

export class Conv2D extends KernelLayer {
  readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  private g!: Geometry2D;
  private pointwise = false;
  private y!: WasmTensor;
  private dx!: WasmTensor;
  /** saved by forward: the input buffer (backward takes its im2col again) */
  private x: WasmTensor | null = null;

  constructor(args: Conv2DArgs) {
    if (!args || typeof args !== 'object') throw new Error('conv2d: expected an args object such as {filters: 16, kernelSize: 3}');
    super(args, 'conv2d', ['filters', 'kernelSize', 'strides', 'padding']);
    this.filters = positiveInt(args.filters, 'conv2d filters');
    this.kernelSize = pair(args.kernelSize, 'conv2d kernelSize');
    this.strides = pair(args.strides ?? 1, 'conv2d strides');
    this.padding = checkPadding(args.padding ?? 'valid', 'conv2d');
  }

  protected setup(inputShape: number[], ctx: BuildContext): number[] {
    this.g = geometry(inputShape, this.kernelSize, this.strides, this.padding, `conv2d '${this.name}'`, 'kernel');
    const { KH, KW, C, SH, SW, padTop, padLeft } = this.g;
    this.pointwise = KH === 1 && KW === 1 && SH === 1 && SW === 1 && padTop === 0 && padLeft === 0;
    const rf = KH * KW;
    // the kernels' workspace holds the im2col of one image at least (sizes are 32-bit in wasm)
    const colBytes = this.g.OH * this.g.OW * rf * C * (this.dtype === 'float64' ? 8 : 4);
    if (!this.pointwise && colBytes >= MAX_BYTES / 2) {
      throw new Error(`conv2d '${this.name}': the im2col of one image (${this.g.OH}×${this.g.OW} windows of ${KH}×${KW}×${C}) needs ${formatBytes(colBytes)}; wasm memory is limited to 4 GiB`);
    }
    this.createWeights([KH, KW, C, this.filters], [this.filters], { fanIn: rf * C, fanOut: rf * this.filters }, ctx);
    return [this.g.OH, this.g.OW, this.filters];
  }

  private get K(): number {
    return this.g.KH * this.g.KW * this.g.C;
  }

  protected allocateBuffers(capacity: number): void {
    const { H, W, C, OH, OW } = this.g;
    this.y = this.buffer([capacity, OH, OW, this.filters]);
    this.z = this.act.output ? this.buffer([capacity, OH, OW, this.filters]) : null;
    this.dx = this.buffer([capacity, H, W, C]);
  }

  override workBytes(capacity: number): number {
    const M = capacity * this.g.OH * this.g.OW, K = this.K, F = this.filters;
    if (!this.pointwise) return this.k.convWorkBytes(this.g, F);
    return Math.max(this.k.gemmWorkBytes(M, F, K), this.k.gemmWorkBytes(K, F, M), this.k.gemmWorkBytes(M, K, F));
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    const M = n * this.g.OH * this.g.OW;
    this.x = x;
    if (this.pointwise) this.k.gemm(this.y, this.work!, x, this.kernel.value, M, this.filters, this.K, false, false, false);
    else this.k.convForward(this.y, this.work!, x, this.kernel.value, n, this.g, this.filters);
    this.biasActivate(this.y, M, this.filters);
    return this.y;
  }

  backward(dy: WasmTensor, n: number, needDx: boolean): WasmTensor | null {
    const M = n * this.g.OH * this.g.OW, K = this.K, F = this.filters;
    const w = this.work!, x = this.x!;
    this.activationBackward(dy, this.y, M, F); // dz, in place
    if (!this.frozen) {
      if (this.pointwise) this.k.gemm(this.kernel.grad, w, x, dy, K, F, M, true, false, false);
      else this.k.convFilterGrad(this.kernel.grad, w, x, dy, n, this.g, F);
      if (this.bias) this.k.colSum(this.bias.grad, dy, M, F, false);
    }
    if (!needDx) return null;
    if (this.pointwise) this.k.gemm(this.dx, w, dy, this.kernel.value, M, K, F, false, true, false);
    else this.k.convInputGrad(this.dx, w, dy, this.kernel.value, n, this.g, F);
    return this.dx;
  }

  override get output(): WasmTensor {
    return this.y;
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, activation: this.act.name,
      ...this.kernelConfig(),
    };
  }
}

export const conv2d = (args: Conv2DArgs): Conv2D => new Conv2D(args);
