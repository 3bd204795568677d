// Dense: y = act(x·W + b). Kernel W [inputDim, units], bias b [units].
// Forward is one GEMM and one fused bias+activation pass; backward is one activation pass
// (from the saved output), dW = xᵀ·dz, db = Σ_rows dz, dx = dz·Wᵀ — both transposed GEMMs
// run on the same packed-panel micro-kernel as the forward.

import type { WasmTensor } from '../../bindings/index.js';
import { KernelLayer, type KernelArgs } from './kernel-layer.js';
import { positiveInt, type BuildContext } from './layer.js';

export interface DenseArgs extends KernelArgs {
  /** Output features. */
  units: number;
}

export class Dense extends KernelLayer {
  readonly className = 'Dense';
  readonly units: number;
  private y!: WasmTensor;
  private dx!: WasmTensor;
  /** saved by forward for backward: the input buffer (owned by the previous layer) */
  private x: WasmTensor | null = null;

  constructor(args: DenseArgs) {
    if (!args || typeof args !== 'object') throw new Error('dense: expected an args object such as {units: 10}');
    super(args, 'dense', ['units']);
    this.units = positiveInt(args.units, 'dense units');
  }

  protected setup(inputShape: number[], ctx: BuildContext): number[] {
    if (inputShape.length !== 1) {
      throw new Error(`dense '${this.name}' expects flat inputs [batch, features], got per-sample shape [${inputShape.join(', ')}]; add layers.flatten() first`);
    }
    this.createWeights([inputShape[0], this.units], [this.units], { fanIn: inputShape[0], fanOut: this.units }, ctx);
    return [this.units];
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, this.units]);
    this.z = this.act.output ? this.buffer([capacity, this.units]) : null;
    this.dx = this.buffer([capacity, this.inputShape[0]]);
  }

  override workBytes(capacity: number): number {
    const [d, u] = [this.inputShape[0], this.units];
    return Math.max(this.k.gemmWorkBytes(capacity, u, d), this.k.gemmWorkBytes(d, u, capacity), this.k.gemmWorkBytes(capacity, d, u));
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    const d = this.inputShape[0];
    this.x = x;
    this.k.gemm(this.y, this.work!, x, this.kernel.value, n, this.units, d, false, false, false);
    this.biasActivate(this.y, n, this.units);
    return this.y;
  }

  backward(dy: WasmTensor, n: number, needDx: boolean): WasmTensor | null {
    const d = this.inputShape[0];
    const u = this.units;
    const w = this.work!;
    this.activationBackward(dy, this.y, n, u); // dz, in place
    if (!this.frozen) {
      this.k.gemm(this.kernel.grad, w, this.x!, dy, d, u, n, true, false, false);
      if (this.bias) this.k.colSum(this.bias.grad, dy, n, u, false);
    }
    if (!needDx) return null;
    this.k.gemm(this.dx, w, dy, this.kernel.value, n, d, u, false, true, false);
    return this.dx;
  }

  override get output(): WasmTensor {
    return this.y;
  }

  protected layerConfig(): Record<string, unknown> {
    return { units: this.units, activation: this.act.name, ...this.kernelConfig() };
  }
}

export const dense = (args: DenseArgs): Dense => new Dense(args);
