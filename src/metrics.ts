// Metrics: counted in wasm per batch, summed over an epoch, recorded in History under
// Keras's names (camelCase): accuracy, binaryAccuracy, topKCategoricalAccuracy, mae, mse,
// and valAccuracy, … for validation data. Unweighted (Keras's `metrics`, not
// `weightedMetrics`).
//
//   'accuracy' / 'acc'        follows the loss, as Keras does: argmax vs label (or vs the
//                             one-hot argmax) for categorical losses; binaryAccuracy for
//                             binary losses; argmax match for mse with ≥ 2 outputs
//   'binaryAccuracy'          (output > 0.5) == (target > 0.5); threshold 0 on logits
//   metrics.topKCategoricalAccuracy({k = 5})   label among the k largest outputs
//   'mae', 'mse'              mean absolute / squared error over all outputs

import type { Kernels, Operand } from '../bindings/index.js';
import type { Loss, TargetKind } from './losses.js';
import { checkKeys, closest, describe, isPlainObject, positiveInt } from './options.js';

export type MetricName = 'accuracy' | 'acc' | 'binaryAccuracy' | 'topKCategoricalAccuracy' | 'mae' | 'mse';

/** A metric as the user names it: a name, metrics.topKCategoricalAccuracy({k}) or {className, config}. */
export interface MetricSpec { readonly className: MetricName; getConfig(): Record<string, unknown> }

export interface Metric extends MetricSpec {
  /** History key ('accuracy', 'binaryAccuracy', …). */
  readonly name: string;
  /** Sum of the metric over the rows (hits, or absolute/squared errors). */
  measure(k: Kernels, out: Operand, targets: Operand, kind: TargetKind, rows: number, cols: number): number;
  /** How many values `measure` summed. */
  count(rows: number, cols: number): number;
  /** Which target kinds it can read. */
  readonly targets: readonly TargetKind[];
}

const NAMES: MetricName[] = ['accuracy', 'acc', 'binaryAccuracy', 'topKCategoricalAccuracy', 'mae', 'mse'];

/** Metric factories (for the ones with options); compile also takes the names. */
export const metrics = {
  topKCategoricalAccuracy: (args: { k?: number } = {}): MetricSpec => {
    args ??= {};
    checkKeys(args, ['k'], 'metrics.topKCategoricalAccuracy');
    const k = positiveInt(args.k ?? 5, 'topKCategoricalAccuracy k');
    return { className: 'topKCategoricalAccuracy', getConfig: () => ({ k }) };
  },
};

/**
 * Resolves compile's metrics for a loss and the model's output: `logits` is true when the
 * output the metrics read is logits (binaryAccuracy then thresholds at 0).
 */
export function resolveMetrics(specs: unknown, loss: Loss, outputShape: number[] | null, logits: boolean): Metric[] {
  if (!Array.isArray(specs)) throw new Error(`metrics must be an array such as ['accuracy'], got ${describe(specs)}`);
  const out: Metric[] = [];
  for (const spec of specs) {
    const m = resolve(spec, loss, outputShape, logits);
    if (out.some((o) => o.name === m.name)) throw new Error(`metric '${m.name}' is listed twice`);
    out.push(m);
  }
  return out;
}

function resolve(spec: unknown, loss: Loss, outputShape: number[] | null, logits: boolean): Metric {
  let name: unknown = spec;
  let config: Record<string, unknown> = {};
  if (spec && typeof spec === 'object') {
    const s = spec as MetricSpec;
    if (typeof s.getConfig === 'function') { name = s.className; config = s.getConfig(); }
    else if (isPlainObject(spec)) { name = spec.className; config = isPlainObject(spec.config) ? spec.config : {}; }
  }
  if (typeof name !== 'string' || !NAMES.includes(name as MetricName)) {
    const near = typeof name === 'string' ? closest(name, NAMES) : null;
    throw new Error(`Unknown metric ${describe(name)}${near ? `; did you mean '${near}'?` : ''} (supported: ${NAMES.join(', ')})`);
  }
  const units = outputShape ? outputShape.reduce((a, b) => a * b, 1) : null;
  const threshold = logits ? 0 : 0.5;
  switch (name as MetricName) {
    case 'accuracy':
    case 'acc':
      if (loss.family === 'binary') return binaryAccuracy('accuracy', threshold);
      if (loss.family === 'regression' && units !== null && units < 2) {
        throw new Error(`metric 'accuracy' is undefined for ${loss.name} with one output unit (it compares argmax of outputs and targets); drop the metric or use binaryAccuracy for 0/1 targets`);
      }
      return categoricalAccuracy();
    case 'binaryAccuracy':
      return binaryAccuracy('binaryAccuracy', threshold);
    case 'topKCategoricalAccuracy': {
      checkKeys(config, ['k'], 'topKCategoricalAccuracy');
      const k = positiveInt(config.k ?? 5, 'topKCategoricalAccuracy k');
      return {
        className: 'topKCategoricalAccuracy', name: 'topKCategoricalAccuracy', targets: ['labels', 'dense'], getConfig: () => ({ k }),
        measure: (kk, o, t, kind, rows, cols) => kk.countTopKHits(o, t, rows, cols, k, kind === 'dense'),
        count: (rows) => rows,
      };
    }
    case 'mae':
    case 'mse': {
      const sq = name === 'mse';
      return {
        className: name as MetricName, name: name as string, targets: ['dense'], getConfig: () => ({}),
        measure: (kk, o, t, _kind, rows, cols) => (sq ? kk.mse(null, o, t, null, rows, cols) : kk.mae(null, o, t, null, rows, cols)) * rows * cols,
        count: (rows, cols) => rows * cols,
      };
    }
  }
}

function categoricalAccuracy(): Metric {
  return {
    className: 'accuracy', name: 'accuracy', targets: ['labels', 'dense'], getConfig: () => ({}),
    measure: (k, o, t, kind, rows, cols) => (kind === 'labels' ? k.countArgmaxHits(o, t, rows, cols) : k.countArgmaxMatches(o, t, rows, cols)),
    count: (rows) => rows,
  };
}

function binaryAccuracy(name: string, threshold: number): Metric {
  return {
    className: name === 'accuracy' ? 'accuracy' : 'binaryAccuracy', name, targets: ['dense'], getConfig: () => ({}),
    measure: (k, o, t, _kind, rows, cols) => k.countBinaryHits(o, t, rows * cols, threshold),
    count: (rows, cols) => rows * cols,
  };
}

/** Serialized form of resolved metrics, as compile() takes them back. */
export function serializeMetrics(ms: Metric[]): (string | { className: string; config: Record<string, unknown> })[] {
  return ms.map((m) => (Object.keys(m.getConfig()).length ? { className: m.className, config: m.getConfig() } : m.className));
}

/** Throws when a metric cannot read this batch's targets (e.g. mae with int labels). */
export function checkMetricTargets(ms: Metric[], kind: TargetKind): void {
  for (const m of ms) {
    if (!m.targets.includes(kind)) throw new Error(`metric '${m.name}' needs targets shaped like the output, but the targets are integer labels`);
  }
}
