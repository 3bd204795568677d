// Maxout (Goodfellow et al. 2013): y[u] = max_p (x·W[:, u, p] + b[u, p]).
// Kernel [inputDim, units, pieces] is one GEMM of width units·pieces; forward keeps the
// argmax piece per output, backward routes dy to it and runs the Dense backward GEMMs.

import type { WasmTensor } from '../../bindings/index.js';
import { KernelLayer, type KernelArgs } from './kernel-layer.js';
import { positiveInt, type BuildContext } from './layer.js';

export interface MaxoutArgs extends KernelArgs {
  units: number;
  /** Linear pieces per unit (default 2). */
  pieces?: number;
}

export class Maxout extends KernelLayer {
  readonly className = 'Maxout';
  readonly units: number;
  readonly pieces: number;
  private pre!: WasmTensor;
  private idx!: WasmTensor;
  private y!: WasmTensor;
  private dx!: WasmTensor;
  /** saved by forward: the input buffer */
  private x: WasmTensor | null = null;

  constructor(args: MaxoutArgs) {
    if (!args || typeof args !== 'object') throw new Error('maxout: expected an args object such as {units: 64, pieces: 2}');
    super(args, 'maxout', ['units', 'pieces']);
    if (args.activation !== undefined) throw new Error('maxout takes no activation (the max over pieces is its nonlinearity)');
    this.units = positiveInt(args.units, 'maxout units');
    this.pieces = positiveInt(args.pieces ?? 2, 'maxout pieces');
  }

  protected setup(inputShape: number[], ctx: BuildContext): number[] {
    if (inputShape.length !== 1) throw new Error(`maxout expects flat inputs, got per-sample shape [${inputShape.join(', ')}]; add layers.flatten() first`);
    // NOTE: each piece is a Dense of its own, so the fans are those of one piece
    this.createWeights([inputShape[0], this.units, this.pieces], [this.units, this.pieces], { fanIn: inputShape[0], fanOut: this.units }, ctx);
    return [this.units];
  }

  protected allocateBuffers(capacity: number): void {
    this.pre = this.buffer([capacity, this.units * this.pieces]);
    this.idx = this.buffer([capacity, this.units], 'int32');
    this.y = this.buffer([capacity, this.units]);
    this.dx = this.buffer([capacity, this.inputShape[0]]);
  }

  override workBytes(capacity: number): number {
    const [d, w] = [this.inputShape[0], this.units * this.pieces];
    return Math.max(this.k.gemmWorkBytes(capacity, w, d), this.k.gemmWorkBytes(d, w, capacity), this.k.gemmWorkBytes(capacity, d, w));
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    const d = this.inputShape[0];
    const w = this.units * this.pieces;
    this.x = x;
    this.k.gemm(this.pre, this.work!, x, this.kernel.value, n, w, d, false, false, false);
    if (this.bias) this.k.biasAct(this.pre, this.pre, this.biasValue, n, w, 0, 0);
    this.k.maxout(this.y, this.idx, this.pre, n, this.units, this.pieces);
    return this.y;
  }

  backward(dy: WasmTensor, n: number, needDx: boolean): WasmTensor | null {
    const d = this.inputShape[0];
    const w = this.units * this.pieces;
    const dz = this.pre; // the pre-activations are not needed any more: reuse as dz
    this.k.maxoutBackward(dz, dy, this.idx, n, this.units, this.pieces);
    if (!this.frozen) {
      this.k.gemm(this.kernel.grad, this.work!, this.x!, dz, d, w, n, true, false, false);
      if (this.bias) this.k.colSum(this.bias.grad, dz, n, w, false);
    }
    if (!needDx) return null;
    this.k.gemm(this.dx, this.work!, dz, this.kernel.value, n, d, w, false, true, false);
    return this.dx;
  }

  override get output(): WasmTensor {
    return this.y;
  }

  protected layerConfig(): Record<string, unknown> {
    return { units: this.units, pieces: this.pieces, ...this.kernelConfig() };
  }
}

export const maxout = (args: MaxoutArgs): Maxout => new Maxout(args);
