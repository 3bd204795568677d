// TF.js Layers → simdnet: validate the artifacts, plan the layers, match every planned weight
// to exactly one weight spec, and only then allocate the model (freed again on any failure).

import { layerRegistry } from '../../layers/index.js';
import type { Model } from '../../model/model.js';
import { Sequential } from '../../model/sequential.js';
import { planGraphImport } from './graph.js';
import { checkKeys } from '../../options.js';
import { readTfjsArtifacts, type SpecEntry } from './artifacts.js';
import { wrap } from './config.js';
import { planLayers } from './layers.js';
import type { FromTfjsOptions } from './types.js';

/**
 * A simdnet Sequential with the architecture and weights of a TF.js Layers model, from
 * `tfModel.save(tf.io.withSaveHandler(...))` artifacts ({modelTopology, weightSpecs,
 * weightData}; a model.json's {modelTopology, weightsManifest} with weightData also works).
 * Anything simdnet cannot reproduce exactly is an Error naming the layer and why; nothing
 * stays allocated when it fails. The model comes back uncompiled.
 */
export async function fromTfjsLayers(artifacts: unknown, options: FromTfjsOptions = {}): Promise<Model> {
  checkKeys(options, ['seed', 'dtype'], 'fromTfjsLayers');
  const { modelName, layerJson, graph, specs, data } = readTfjsArtifacts(artifacts);
  const g = graph ? planGraphImport(layerJson, graph.inputLayers, graph.outputLayers) : null;
  const { inputShape, plan } = g ? { inputShape: [], plan: g.plan } : planLayers(layerJson);

  // weights: every planned weight has its spec, of the right shape; every spec is used
  const bySuffix = new Map<string, SpecEntry[]>();
  for (const s of specs) {
    const key = bare(s.name).split('/').slice(-1)[0];
    bySuffix.set(key, [...(bySuffix.get(key) ?? []), s]);
  }
  const values = new Map<string, Float32Array>();
  for (const p of plan) {
    for (const w of p.weights) {
      const s = findSpec(bySuffix.get(w.tfSuffix) ?? [], w.tfName, w.tfSuffix);
      if (!s) throw new Error(`fromTfjsLayers: ${p.what} needs the weight '${w.tfName}/${w.tfSuffix}' ${JSON.stringify(w.shape)}, which the weight specs do not have`);
      if (s.used) throw new Error(`fromTfjsLayers: weight '${s.name}' is claimed twice`);
      if (s.shape.length !== w.shape.length || s.shape.some((d, i) => d !== w.shape[i])) {
        throw new Error(`fromTfjsLayers: weight '${s.name}' has shape ${JSON.stringify(s.shape)} but ${p.what} needs ${JSON.stringify(w.shape)}`);
      }
      s.used = true;
      const v = new Float32Array(data.slice(s.offset, s.offset + s.bytes).buffer);
      const bad = v.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new Error(`fromTfjsLayers: weight '${s.name}' holds ${v[bad]} at index ${bad}`);
      values.set(`${p.spec.config.name as string}/${w.suffix}`, v);
    }
  }
  const unused = specs.find((s) => !s.used);
  if (unused) throw new Error(`fromTfjsLayers: the weight specs hold '${unused.name}' ${JSON.stringify(unused.shape)}, which no layer of the topology has`);

  let model: Model | null = null;
  try {
    if (g) {
      model = g.build({ name: modelName, ...options });
    } else {
      const seq = new Sequential({ name: modelName, ...options });
      model = seq;
      for (const p of plan) wrap(() => seq.add(layerRegistry.fromConfig(p.spec)), p.what);
      seq.build(inputShape);
    }
    const params = model.params();
    model.setWeights(params.map((prm) => {
      const v = values.get(prm.name);
      if (!v) throw new Error(`fromTfjsLayers: no TF.js weight for simdnet weight '${prm.name}'`); // NOTE: a bug, not bad input
      return v;
    }));
  } catch (e) {
    model?.dispose();
    const msg = (e as Error).message ?? String(e);
    throw msg.startsWith('fromTfjsLayers') ? e : new Error(`fromTfjsLayers: ${msg}`);
  }
  return model;
}

/** The weight name without TF's variable suffix (':0'), which TF variable names may end in. */
const bare = (n: string) => n.replace(/:\d+$/, '');

/** The spec '<layer>/<suffix>', or one that ends with '/<layer>/<suffix>' (a scope prefix) or '<layer>/<cell>/<suffix>'. */
function findSpec(candidates: SpecEntry[], layer: string, suffix: string): SpecEntry | undefined {
  const exact = candidates.find((s) => bare(s.name) === `${layer}/${suffix}`);
  if (exact) return exact;
  const near = candidates.filter((s) => {
    const t = bare(s.name).split('/');
    return t.length >= 3 && (t[t.length - 2] === layer || t[t.length - 3] === layer);
  });
  return near.length === 1 ? near[0] : undefined;
}
