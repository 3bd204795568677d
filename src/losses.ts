// Losses: batch means, computed with their gradient in one fused kernel pass; optional
// per-sample weights (Keras: Σ w·loss / batch size).
//
//   softmaxCrossEntropy              logits; int class labels [N] or one-hot/soft targets [N, C]
//   sigmoidCrossEntropy              logits; 0/1 (or soft) targets shaped like the output
//   categoricalCrossentropy({fromLogits = false})        one-hot targets (Keras)
//   sparseCategoricalCrossentropy({fromLogits = false})  int labels (Keras)
//   binaryCrossentropy({fromLogits = false})             0/1 targets (Keras)
//   meanSquaredError / mse, meanAbsoluteError / mae, huber({delta = 1})
//
// Cross-entropies on probabilities are never computed from probabilities: when the model
// ends with a softmax (sigmoid) activation, the loss takes that layer's logits and the
// layer's backward skips the activation, so the pair is the stable logits formula
// (softmax + cross-entropy has gradient p − t). A Keras loss without fromLogits needs such
// an output; with fromLogits: true it takes a linear output.

import type { Kernels, Operand } from '../bindings/index.js';
import { checkBool, checkKeys, closest, describe, isPlainObject } from './options.js';
import { Registry } from './serialization.js';

/** 'labels': Int32 class indices [N]; 'dense': float targets shaped like the output. */
export type TargetKind = 'labels' | 'dense';

/** Which output activation a loss is fused with: it then reads that activation's logits. */
export type OutputActivation = 'softmax' | 'sigmoid';

export type LossName =
  | 'softmaxCrossEntropy' | 'sigmoidCrossEntropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy'
  | 'binaryCrossentropy' | 'meanSquaredError' | 'mse' | 'meanAbsoluteError' | 'mae' | 'huber';

type Family = 'categorical' | 'binary' | 'regression';

export interface Loss {
  readonly className: LossName;
  /** Same as className (History and error messages). */
  readonly name: LossName;
  readonly family: Family;
  /** Which target kinds the loss accepts. */
  readonly targets: readonly TargetKind[];
  /** True when the loss reads logits (a linear output, or the logits of a fused softmax/sigmoid). */
  readonly onLogits: boolean;
  /** false: the model must end with the family's activation (probabilities); true: with none. */
  readonly fromLogits: boolean | null;
  getConfig(): Record<string, unknown>;
  /** Mean loss over `rows` rows of width `cols`; writes d(loss)/d(input) unless grad is null; w: row weights or null. */
  compute(k: Kernels, grad: Operand | null, input: Operand, targets: Operand, w: Operand | null, kind: TargetKind, rows: number, cols: number): number;
}

function make(className: LossName, family: Family, targets: TargetKind[], fromLogits: boolean | null, config: Record<string, unknown>,
  compute: Loss['compute']): Loss {
  const onLogits = family !== 'regression';
  return Object.freeze({ className, name: className, family, targets, onLogits, fromLogits, getConfig: () => ({ ...config }), compute });
}

const categorical: Loss['compute'] = (k, g, x, t, w, kind, n, c) => (kind === 'labels' ? k.softmaxXent(g, x, t, w, n, c) : k.softmaxXentDense(g, x, t, w, n, c));
const binary: Loss['compute'] = (k, g, x, t, w, _kind, n, c) => k.sigmoidXent(g, x, t, w, n, c);
const squared: Loss['compute'] = (k, g, x, t, w, _kind, n, c) => k.mse(g, x, t, w, n, c);
const absolute: Loss['compute'] = (k, g, x, t, w, _kind, n, c) => k.mae(g, x, t, w, n, c);

function logitsOption(args: { fromLogits?: boolean } | undefined, what: string): boolean {
  checkKeys(args, ['fromLogits'], `losses.${what}`);
  return checkBool(args?.fromLogits ?? false, `${what} fromLogits`);
}

function noOptions(args: unknown, what: string): void {
  checkKeys(args, [], `losses.${what}`);
}

/** Loss factories (Keras names); compile also takes the names as strings. */
export const losses = {
  softmaxCrossEntropy: (args?: Record<string, never>): Loss => { noOptions(args, 'softmaxCrossEntropy'); return make('softmaxCrossEntropy', 'categorical', ['labels', 'dense'], null, {}, categorical); },
  sigmoidCrossEntropy: (args?: Record<string, never>): Loss => { noOptions(args, 'sigmoidCrossEntropy'); return make('sigmoidCrossEntropy', 'binary', ['dense'], null, {}, binary); },
  categoricalCrossentropy: (args?: { fromLogits?: boolean }): Loss => {
    const fromLogits = logitsOption(args, 'categoricalCrossentropy');
    return make('categoricalCrossentropy', 'categorical', ['dense'], fromLogits, { fromLogits }, categorical);
  },
  sparseCategoricalCrossentropy: (args?: { fromLogits?: boolean }): Loss => {
    const fromLogits = logitsOption(args, 'sparseCategoricalCrossentropy');
    return make('sparseCategoricalCrossentropy', 'categorical', ['labels'], fromLogits, { fromLogits }, categorical);
  },
  binaryCrossentropy: (args?: { fromLogits?: boolean }): Loss => {
    const fromLogits = logitsOption(args, 'binaryCrossentropy');
    return make('binaryCrossentropy', 'binary', ['dense'], fromLogits, { fromLogits }, binary);
  },
  meanSquaredError: (args?: Record<string, never>): Loss => { noOptions(args, 'meanSquaredError'); return make('meanSquaredError', 'regression', ['dense'], null, {}, squared); },
  mse: (args?: Record<string, never>): Loss => { noOptions(args, 'mse'); return make('mse', 'regression', ['dense'], null, {}, squared); },
  meanAbsoluteError: (args?: Record<string, never>): Loss => { noOptions(args, 'meanAbsoluteError'); return make('meanAbsoluteError', 'regression', ['dense'], null, {}, absolute); },
  mae: (args?: Record<string, never>): Loss => { noOptions(args, 'mae'); return make('mae', 'regression', ['dense'], null, {}, absolute); },
  huber: (args?: { delta?: number }): Loss => {
    checkKeys(args, ['delta'], 'losses.huber');
    const delta = args?.delta ?? 1;
    if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) throw new Error(`Invalid huber delta: ${describe(delta)} (a finite number > 0)`);
    return make('huber', 'regression', ['dense'], null, { delta }, (k, g, x, t, w, _kind, n, c) => k.huber(g, x, t, w, n, c, delta));
  },
};

export const lossRegistry = new Registry<Loss>('loss');
for (const [name, factory] of Object.entries(losses)) lossRegistry.register(name, factory as (c: Record<string, unknown>) => Loss);

/** A loss name, a losses.*() object or a serialized {className, config}. */
export function getLoss(spec: unknown): Loss {
  if (typeof spec === 'string') {
    if (!lossRegistry.has(spec)) {
      const near = closest(spec, lossRegistry.classNames);
      throw new Error(`Unknown loss ${describe(spec)}${near ? `; did you mean '${near}'?` : ''} (expected one of ${lossRegistry.classNames.join(', ')})`);
    }
    return lossRegistry.fromConfig({ className: spec, config: {} }, 'loss');
  }
  if (spec && typeof spec === 'object' && typeof (spec as Loss).compute === 'function' && lossRegistry.has((spec as Loss).className)) return spec as Loss;
  if (isPlainObject(spec) && 'className' in spec) return lossRegistry.fromConfig(spec, 'loss');
  throw new Error(`Unknown loss ${describe(spec)}; expected a name such as 'sparseCategoricalCrossentropy', a losses.*() object or {className, config}`);
}

/**
 * How a loss meets the model's output: 'fused' (take the last layer's logits, skip its
 * activation in backward), 'direct' (the output itself). Throws for pairs that would
 * train the wrong thing.
 */
export function lossInput(loss: Loss, output: OutputActivation | null, outputShape: number[]): 'fused' | 'direct' {
  const units = outputShape[outputShape.length - 1];
  if (loss.family === 'regression') return 'direct';
  const act: OutputActivation = loss.family === 'categorical' ? 'softmax' : 'sigmoid';
  if (loss.family === 'categorical' && units < 2) {
    throw new Error(`${loss.name} needs ≥ 2 output units (the model outputs ${units}); for binary labels use sigmoidCrossEntropy or binaryCrossentropy`);
  }
  const size = outputShape.reduce((x, y) => x * y, 1);
  if (loss.family === 'categorical' && loss.fromLogits !== null && size !== units) {
    throw new Error(`${loss.name} needs a flat output [batch, classes], but the model outputs [${outputShape.join(', ')}] per sample; add layers.flatten() or layers.globalAvgPool2d() before the classifier`);
  }
  if (output === act) {
    if (loss.fromLogits === true) throw new Error(`${loss.name} has fromLogits: true but the model ends with a ${act}: drop the ${act} or fromLogits`);
    // NOTE: the loss kernels treat each sample as one row; a softmax over the last axis of an
    // image-shaped output is one distribution per pixel, which they would not match
    if (act === 'softmax' && size !== units) {
      throw new Error(`${loss.name} after a softmax needs a flat output [batch, classes], but the model outputs [${outputShape.join(', ')}] per sample (a softmax per position); add layers.flatten() or layers.globalAvgPool2d() before the classifier`);
    }
    return 'fused';
  }
  // the logits losses read whatever the output is as logits (a bounded tanh or sigmoid output is legal)
  if (loss.fromLogits === null) return 'direct';
  if (output !== null) throw new Error(`${loss.name} cannot follow a ${output} output; end the model with a ${act}, or a linear layer and fromLogits: true`);
  if (loss.fromLogits === false) {
    throw new Error(`${loss.name} expects probabilities: end the model with activation: '${act}' (or layers.${act}()), or pass fromLogits: true for a linear output`);
  }
  return 'direct';
}
