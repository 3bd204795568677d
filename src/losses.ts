// Losses: means over the batch, computed with their gradient in one fused kernel pass.
//   softmaxCrossEntropy  logits; int class labels [N] or one-hot/soft targets [N, C]
//   sigmoidCrossEntropy  logits; 0/1 (or soft) targets of the output's shape
//   mse                  outputs; real targets of the output's shape (mean over all elements)
// Accuracy: argmax vs label (softmax), thresholded logits vs targets (sigmoid), argmax vs
// argmax (mse with more than one output).

import type { Kernels } from '../bindings/index.js';
import { closest, describe } from './options.js';

/** 'labels': Int32 class indices [N]; 'dense': float targets shaped like the output. */
export type TargetKind = 'labels' | 'dense';

export interface Loss {
  readonly name: string;
  /** Which target kinds the loss accepts. */
  readonly targets: readonly TargetKind[];
  /** Mean loss over n rows of width `cols`; writes d(loss)/d(output) when grad ≠ 0. */
  compute(k: Kernels, grad: number, out: number, targets: number, kind: TargetKind, n: number, cols: number): number;
  /** Correct predictions among n rows, and how many predictions that counts (rows or elements). */
  hits(k: Kernels, out: number, targets: number, kind: TargetKind, n: number, cols: number): [number, number];
}

export type LossName = 'softmaxCrossEntropy' | 'sigmoidCrossEntropy' | 'mse';

export const losses: Record<LossName, Loss> = {
  softmaxCrossEntropy: {
    name: 'softmaxCrossEntropy',
    targets: ['labels', 'dense'],
    compute: (k, g, o, t, kind, n, c) => (kind === 'labels' ? k.softmaxXent(g, o, t, n, c) : k.softmaxXentDense(g, o, t, n, c)),
    hits: (k, o, t, kind, n, c) => [kind === 'labels' ? k.countArgmaxHits(o, t, n, c) : k.countArgmaxMatches(o, t, n, c), n],
  },
  sigmoidCrossEntropy: {
    name: 'sigmoidCrossEntropy',
    targets: ['dense'],
    compute: (k, g, o, t, _kind, n, c) => k.sigmoidXent(g, o, t, n * c),
    hits: (k, o, t, _kind, n, c) => [k.countBinaryHits(o, t, n * c), n * c],
  },
  mse: {
    name: 'mse',
    targets: ['dense'],
    compute: (k, g, o, t, _kind, n, c) => k.mse(g, o, t, n * c),
    hits: (k, o, t, _kind, n, c) => (c > 1 ? [k.countArgmaxMatches(o, t, n, c), n] : [Number.NaN, n]),
  },
};

export function getLoss(name: unknown): Loss {
  if (typeof name !== 'string' || !Object.hasOwn(losses, name)) {
    const near = typeof name === 'string' ? closest(name, Object.keys(losses)) : null;
    throw new Error(`Unknown loss ${describe(name)}${near ? `; did you mean '${near}'?` : ''} (expected one of ${Object.keys(losses).join(', ')})`);
  }
  return losses[name as LossName];
}
