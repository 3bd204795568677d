// Flatten: [N, ...dims] → [N, Π dims]. Row-major data is already flat: no copy.

import { size, type LayerArgs } from './layer.js';
import { ViewLayer } from './view-layer.js';

export class Flatten extends ViewLayer {
  readonly className = 'Flatten';

  constructor(args: LayerArgs = {}) {
    super(args, 'flatten', []);
  }

  protected setup(inputShape: number[]): number[] {
    return [size(inputShape)];
  }

  protected layerConfig(): Record<string, unknown> {
    return {};
  }
}

export const flatten = (args?: LayerArgs): Flatten => new Flatten(args);
