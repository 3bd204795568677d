// Working copies of a model for the toolkit: the same layers (same classes, configs and
// names), built for the same input shape, holding a copy of every weight, optionally in
// another dtype (gradCheck's float64 copy of a float32 model) or without regularizers
// (sanityCheck's overfitting run). Only the public model API is used: layer configs, the
// model's loss and optimizer configs, getWeights/setWeights. The original is only read.
//
// NOTE: the copy's RNG streams start from the model's seed, not from the positions the
// original's streams have reached (those are not part of the public API). Nothing here
// needs them: a gradient check needs each evaluation *of the copy* to draw the same masks,
// which computeGradients guarantees by rewinding the copy's streams.

import type { DType } from '../../bindings/index.js';
import { layerRegistry, type Layer } from '../layers/index.js';
import { Model } from '../model/model.js';
import type { Sequential } from '../model/sequential.js';
import { graphConfig, replayGraph } from '../model/graph-config.js';
import { serialize, type Serialized } from '../serialization.js';
import type { MetricName } from '../metrics.js';

export interface CloneOptions {
  /** dtype of the copy (default: the model's). */
  dtype?: DType;
  /** Set every `*Regularizer` layer option to null. */
  dropRegularizers?: boolean;
  /** Optimizer of the copy (default: a fresh one with the model's config, or 'sgd' when uncompiled). */
  optimizer?: Serialized | string;
  metrics?: MetricName[];
  /** The caller's name, for errors. */
  what: string;
}

/** A built (and, when the model is, compiled) copy of a built model. The caller disposes it. */
export function cloneModel<M extends Model>(model: M, opts: CloneOptions): M {
  const inputShape = model.inputShape;
  if (!model.built || !inputShape) throw new Error(`${opts.what}: the model is not built`);
  const args = { seed: model.seed, dtype: opts.dtype ?? model.dtype, name: model.name };
  if (!model.session.isChain) return finishCopy(model, functionalCopy(model, args, opts), opts) as M;
  // NOTE: the model's own class (Sequential or a subclass): importing Sequential here would
  // close an import cycle (model → fit → callbacks → diagnostics → clone → sequential → model)
  const copy = new (model.constructor as typeof Sequential)(args);
  try {
    for (const layer of model.layers) copy.add(copyLayer(layer, opts.dropRegularizers ?? false, opts.what));
    copy.build(inputShape);
  } catch (e) {
    copy.dispose();
    throw e;
  }
  return finishCopy(model, copy, opts) as M;
}

/** A functional model's copy: the same graph, replayed on layers rebuilt from their configs. */
function functionalCopy(model: Model, args: { seed: number; dtype: DType; name: string }, opts: CloneOptions): Model {
  const cfg = graphConfig(model.session, model.inputName);
  for (const e of cfg.layers) {
    if (opts.dropRegularizers) for (const key of Object.keys(e.config)) if (key.endsWith('Regularizer')) e.config[key] = null;
  }
  const { inputs, outputs } = replayGraph(cfg as unknown as Record<string, unknown>, `${opts.what}: copying model '${model.name}'`);
  return new Model({ inputs, outputs, ...args });
}

/** Compiles the copy like the model and copies every weight in. */
function finishCopy(model: Model, copy: Model, opts: CloneOptions): Model {
  try {
    if (model.loss) {
      const optimizer = opts.optimizer ?? (model.optimizer ? serialize(model.optimizer) : 'sgd');
      copy.compile({ optimizer: optimizer as Serialized, loss: serialize(model.loss), metrics: opts.metrics ?? [] });
    }
    copy.setWeights(model.getWeights());
  } catch (e) {
    copy.dispose();
    throw e;
  }
  return copy;
}

/**
 * A new, unbuilt layer like `layer`: rebuilt from the registry by its className, or, for a
 * user subclass (whose className is inherited, so the registry would build the base class),
 * by its own constructor from the same config. Anything else is an Error rather than a copy
 * that silently runs different code.
 */
function copyLayer(layer: Layer, dropRegularizers: boolean, what: string): Layer {
  const config = layer.getConfig();
  if (dropRegularizers) for (const key of Object.keys(config)) if (key.endsWith('Regularizer')) config[key] = null;
  const proto = Object.getPrototypeOf(layer);
  if (layerRegistry.has(layer.className)) {
    const copy = layerRegistry.fromConfig({ className: layer.className, config }, `${what}: layer '${layer.name}'`);
    if (Object.getPrototypeOf(copy) === proto) return copy;
  }
  const Ctor = layer.constructor as new (config: Record<string, unknown>) => Layer;
  let copy: Layer;
  try {
    copy = new Ctor(config);
  } catch (e) {
    throw new Error(`${what}: cannot copy layer '${layer.name}' (class ${Ctor.name}): its constructor does not take its getConfig() (${(e as Error).message})`);
  }
  if (Object.getPrototypeOf(copy) !== proto || copy.className !== layer.className) {
    throw new Error(`${what}: cannot copy layer '${layer.name}' (class ${Ctor.name}): its constructor built a different layer from its getConfig()`);
  }
  return copy;
}
