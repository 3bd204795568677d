// Sequential: a Model whose graph is a chain of layers, grown with add() and shortened with
// pop(). Everything else (compile, fit, evaluate, predict, save, …) is Model's.

import { layerRegistry } from '../layers/index.js';
import { Layer } from '../layers/layer.js';
import { describe } from '../options.js';
import type { Serialized } from '../serialization.js';
import { loadModel, registerModelClass, type LoadOptions, type ModelArtifacts } from './artifacts.js';
import { CHAIN, Model, owners, uniqueName, type ModelArgs, type SequentialArgs } from './model.js';

export class Sequential extends Model {
  constructor(args: SequentialArgs = {}) {
    super({ ...(args ?? {}), [CHAIN]: true } as unknown as ModelArgs);
  }

  /** Appends a layer. On a built model it is built at once (weights from a stream of its own). */
  add(layer: Layer): this {
    this.alive();
    this.s.assertIdle('add');
    if (!(layer instanceof Layer)) throw new Error(`Sequential.add expects a layer (e.g. layers.dense({units: 10})), got ${describe(layer)}`);
    if (owners.has(layer) || layer.built) throw new Error(`layer '${layer.name || layer.className}' is already used in a model`);
    if (this.s.layers.length > 0 && layer.declaredInputShape) throw new Error(`only the first layer takes an inputShape (layer '${layer.name || layer.className}' has one)`);
    const name = layer.name || uniqueName(layer, this.s.layers.map((l) => l.name));
    if (this.s.layers.some((l) => l.name === name)) throw new Error(`the model already has a layer named '${name}'`);
    layer.name = name;
    this.s.addLayer(layer);
    owners.set(layer, this);
    return this;
  }

  /** Removes and returns the last layer (its weights are freed); the others keep theirs. */
  pop(): Layer {
    this.alive();
    this.s.assertIdle('pop');
    if (this.s.layers.length === 0) throw new Error('pop: the model has no layers');
    const layer = this.s.popLayer();
    owners.delete(layer);
    return layer;
  }

  /** Rebuilds a Sequential model from save() output (Model.load takes functional models too). */
  static override async load(artifacts: ModelArtifacts, options: LoadOptions = {}): Promise<Sequential> {
    return loadModel(artifacts, options, 'Sequential') as Promise<Sequential>;
  }
}

registerModelClass('Sequential', (config) => {
  const specs = config.layers as Serialized[];
  const layers = specs.map((spec, i) => layerRegistry.fromConfig(spec, `topology.model.config.layers[${i}]`));
  const m = new Sequential({ name: config.name, seed: config.seed, dtype: config.dtype });
  for (const l of layers) m.add(l);
  return m;
});
