// Reshape (Keras): per-sample shape → targetShape (one entry may be −1, inferred).
// Row-major data needs no copy: forward and backward pass the buffers through.

import { describe } from '../options.js';
import { size, type LayerArgs } from './layer.js';
import { ViewLayer } from './view-layer.js';

export interface ReshapeArgs extends LayerArgs {
  /** Per-sample output shape, e.g. [28, 28]; at most one −1. */
  targetShape: number[];
}

export class Reshape extends ViewLayer {
  readonly className = 'Reshape';
  readonly targetShape: number[];

  constructor(args: ReshapeArgs) {
    if (!args || typeof args !== 'object') throw new Error('reshape: expected an args object such as {targetShape: [28, 28]}');
    super(args, 'reshape', ['targetShape']);
    const t = args.targetShape;
    if (!Array.isArray(t) || t.length === 0 || t.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1)) || t.filter((d) => d === -1).length > 1) {
      throw new Error(`reshape targetShape must be a non-empty array of positive integers with at most one -1, got ${describe(t)}`);
    }
    this.targetShape = t.slice();
  }

  protected setup(inputShape: number[]): number[] {
    const total = size(inputShape);
    const known = size(this.targetShape.filter((d) => d !== -1));
    const free = this.targetShape.includes(-1);
    if (free ? total % known !== 0 : total !== known) {
      throw new Error(`reshape '${this.name}': targetShape [${this.targetShape.join(', ')}] does not fit the per-sample input [${inputShape.join(', ')}] (${total} elements${free ? '' : ` vs ${known}`})`);
    }
    return this.targetShape.map((d) => (d === -1 ? total / known : d));
  }

  protected layerConfig(): Record<string, unknown> {
    return { targetShape: this.targetShape.slice() };
  }
}

export const reshape = (args: ReshapeArgs): Reshape => new Reshape(args);
