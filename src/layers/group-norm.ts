// Group normalization (Wu & He 2018) and its two end points, per docs/ARCHITECTURE.md:
//   groupNorm({groups}): per sample over H, W and the C/groups channels of each group
//   layerNorm():         groups = 1 — per sample over all non-batch axes (Ba et al. 2016)
//   instanceNorm():      groups = C — per sample and channel over H, W (Ulyanov et al. 2016)
// y = γ_c·x̂ + β_c with one gamma/beta per channel (last axis). No moving statistics: the
// same computation in training and inference. Inputs [N, D] (S = 1) or [N, H, W, C].

import type { WasmTensor } from '../../bindings/index.js';
import { checkBool, describe } from '../options.js';
import { Layer, positiveInt, size, type LayerArgs, type Param, type TrainableParam } from './layer.js';

export interface GroupNormArgs extends LayerArgs {
  /** Channel groups; must divide the channel count (groupNorm only). */
  groups?: number;
  /** Added to the variance, > 0 (default 1e-3, as Keras). */
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

type Kind = 'layerNorm' | 'instanceNorm' | 'groupNorm';
const CLASS: Record<Kind, string> = { layerNorm: 'LayerNorm', instanceNorm: 'InstanceNorm', groupNorm: 'GroupNorm' };

export class GroupNorm extends Layer {
  readonly className: string;
  readonly kind: Kind;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  groups: number;
  private gamma!: TrainableParam;
  private beta!: TrainableParam;
  private mean!: WasmTensor;
  private invstd!: WasmTensor;
  private acc!: WasmTensor;
  private y!: WasmTensor;
  private dx!: WasmTensor;
  /** saved by forward: the input buffer; mean/invstd per (sample, group) */
  private x: WasmTensor | null = null;

  constructor(kind: Kind, args: GroupNormArgs = {}) {
    super(args, kind, kind === 'groupNorm' ? ['groups', 'epsilon', 'center', 'scale'] : ['epsilon', 'center', 'scale']);
    args ??= {};
    this.kind = kind;
    this.className = CLASS[kind];
    // NOTE: layerNorm and instanceNorm are groupNorm with groups 1 and C; they take no groups
    this.groups = kind === 'groupNorm' ? positiveInt(args.groups, 'groupNorm groups') : 0;
    const eps = args.epsilon ?? 1e-3;
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new Error(`Invalid ${kind} epsilon value: ${describe(eps)} (must be > 0)`);
    this.epsilon = eps;
    this.center = checkBool(args.center ?? true, `${kind} center`);
    this.scale = checkBool(args.scale ?? true, `${kind} scale`);
  }

  private get C(): number { return this.inputShape[this.inputShape.length - 1]; }
  private get S(): number { return size(this.inputShape) / this.C; }

  protected setup(inputShape: number[]): number[] {
    const c = inputShape[inputShape.length - 1];
    if (inputShape.length !== 1 && inputShape.length !== 3) {
      throw new Error(`${this.kind} expects [batch, features] or [batch, height, width, channels] inputs, got per-sample shape [${inputShape.join(', ')}]`);
    }
    if (this.kind === 'instanceNorm' && inputShape.length !== 3) {
      throw new Error(`instanceNorm expects images [batch, height, width, channels], got per-sample shape [${inputShape.join(', ')}]`);
    }
    if (this.kind === 'layerNorm') this.groups = 1;
    if (this.kind === 'instanceNorm') this.groups = c;
    if (c % this.groups !== 0) throw new Error(`groupNorm groups ${this.groups} does not divide the ${c} channels`);
    this.gamma = this.param('gamma', [c]);
    this.gamma.value.view().fill(1);
    this.beta = this.param('beta', [c]);
    this.gamma.trainable = this.scale;
    this.beta.trainable = this.center;
    return inputShape.slice();
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, ...this.inputShape]);
    this.dx = this.buffer([capacity, ...this.inputShape]);
    this.mean = this.buffer([capacity * this.groups]);
    this.invstd = this.buffer([capacity * this.groups]);
    this.acc = this.buffer([2 * capacity * this.groups], 'float64');
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    this.x = x;
    this.k.groupNorm(this.y, this.mean, this.invstd, this.acc, x, this.gamma.value, this.beta.value, n, this.S, this.C, this.groups, this.epsilon);
    return this.y;
  }

  backward(dy: WasmTensor, n: number): WasmTensor {
    this.k.groupNormBackward(this.dx, this.gamma.grad, this.beta.grad, this.acc, dy, this.x!, this.mean, this.invstd, this.gamma.value, n, this.S, this.C, this.groups);
    return this.dx;
  }

  override params(): Param[] {
    const ps: Param[] = [];
    if (this.scale) ps.push(this.gamma);
    if (this.center) ps.push(this.beta);
    return ps;
  }

  override get output(): WasmTensor {
    return this.y;
  }

  protected layerConfig(): Record<string, unknown> {
    return { ...(this.kind === 'groupNorm' ? { groups: this.groups } : {}), epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}

export const layerNorm = (args?: GroupNormArgs): GroupNorm => new GroupNorm('layerNorm', args);
export const instanceNorm = (args?: GroupNormArgs): GroupNorm => new GroupNorm('instanceNorm', args);
export const groupNorm = (args: GroupNormArgs): GroupNorm => new GroupNorm('groupNorm', args);
