// Functional models ⇄ TF.js Layers 'Model' topologies (Keras's functional format: layers
// with inbound_nodes, input_layers, output_layers). The layer mapping is the Sequential
// one (export.ts exportLayer, layers.ts planOne); this file adds the graph: export gives each
// TF.js layer the inbound nodes of the simdnet layer it came from (a layer exported as two,
// e.g. a Dense with leakyRelu → Dense + LeakyReLU, is chained internally), and import
// replays the TF.js nodes in an order where every input exists, mapping each layer once.

import type { Layer } from '../../layers/layer.js';
import { layerRegistry } from '../../layers/index.js';
import { Model } from '../../model/model.js';
import { input, type SymbolicTensor } from '../../model/graph.js';
import { describe, isPlainObject } from '../../options.js';
import type { Serialized } from '../../serialization.js';
import { Config, wrap } from './config.js';
import { planOne, type Planned } from './layers.js';
import type { TfjsLayerJson } from './types.js';

type Ref = [string, number, number, Record<string, never>];
const MERGES: Record<string, string> = { Add: 'Add', Subtract: 'Subtract', Multiply: 'Multiply', Average: 'Average', Maximum: 'Maximum', Concatenate: 'Concatenate' };

/**
 * The functional model's TF.js layer list: `exportOne(layer, out)` appends the TF.js
 * layer(s) of one simdnet layer (Sequential's mapping); this wires their inbound nodes.
 */
export function graphTopology(model: Model, exportOne: (layer: Layer, out: TfjsLayerJson[]) => void): { layers: (TfjsLayerJson & { name: string; inbound_nodes: Ref[][] })[]; input_layers: [string, number, number][]; output_layers: [string, number, number][] } {
  const s = model.session;
  const nodes = s.graphNodes;
  const inputName = model.inputName;
  const entries: (TfjsLayerJson & { name: string; inbound_nodes: Ref[][] })[] = [{
    class_name: 'InputLayer', name: inputName,
    config: { batch_input_shape: [null, ...s.inputShape], dtype: 'float32', sparse: false, name: inputName }, inbound_nodes: [],
  }];
  /** Per simdnet layer: its TF.js entries (the last one's output is the layer's). */
  const exported = new Map<Layer, (TfjsLayerJson & { name: string; inbound_nodes: Ref[][] })[]>();
  for (const layer of model.layers) {
    const out: TfjsLayerJson[] = [];
    exportOne(layer, out);
    const list = out.map((e) => ({ ...e, name: String(e.config.name), inbound_nodes: [] as Ref[][] }));
    exported.set(layer, list);
    entries.push(...list);
  }
  const nodeIndex: number[] = [];
  const count = new Map<Layer, number>();
  for (const n of nodes) { const k = count.get(n.primary) ?? 0; nodeIndex.push(k); count.set(n.primary, k + 1); }
  const ref = (slot: number): Ref => {
    if (slot === 0) return [inputName, 0, 0, {}];
    const list = exported.get(nodes[slot - 1].primary)!;
    return [list[list.length - 1].name, nodeIndex[slot - 1], 0, {}];
  };
  nodes.forEach((n, i) => {
    const list = exported.get(n.primary)!;
    list[0].inbound_nodes.push(n.inputs.map(ref));
    for (let j = 1; j < list.length; j++) list[j].inbound_nodes.push([[list[j - 1].name, nodeIndex[i], 0, {}]]);
  });
  const out = ref(s.graphOutput);
  return { layers: entries, input_layers: [[inputName, 0, 0]], output_layers: [[out[0], out[1], 0]] };
}

/** A planned TF.js node: the simdnet layers to apply, in order, to its inputs. */
interface PlannedLayer { planned: Planned[]; merge: Serialized | null }

/**
 * Plans a TF.js functional topology (camelCased layer entries with inboundNodes): returns
 * every simdnet layer to build (with where its weights come from) and a `build` that
 * applies them in a valid order and makes the Model. Allocates nothing until build.
 */
export function planGraphImport(layerJson: Record<string, unknown>[], inputLayers: unknown, outputLayers: unknown): { plan: Planned[]; build: (args: { name: string; seed?: number; dtype?: 'float32' | 'float64' }) => Model } {
  const byName = new Map<string, { entry: Record<string, unknown>; i: number }>();
  let inputEntry: { name: string; shape: number[] } | null = null;
  layerJson.forEach((entry, i) => {
    if (!isPlainObject(entry) || typeof entry.className !== 'string') throw new Error(`fromTfjsLayers: modelTopology.config.layers[${i}] must be {class_name, config, inbound_nodes}, got ${describe(entry)}`);
    const raw = (isPlainObject(entry.config) ? entry.config : {}) as Record<string, unknown>;
    const name = typeof entry.name === 'string' ? entry.name : typeof raw.name === 'string' ? raw.name : '';
    if (!name) throw new Error(`fromTfjsLayers: modelTopology.config.layers[${i}] has no name`);
    if (byName.has(name)) throw new Error(`fromTfjsLayers: two layers are named '${name}'`);
    byName.set(name, { entry, i });
    if (entry.className === 'InputLayer') {
      if (inputEntry) throw new Error(`fromTfjsLayers: a second InputLayer '${name}'; simdnet models have one input`);
      const s = raw.batchInputShape ?? raw.batchShape;
      if (!Array.isArray(s) || s.length < 2 || s.slice(1).some((d) => !Number.isSafeInteger(d) || (d as number) <= 0)) {
        throw new Error(`fromTfjsLayers: InputLayer '${name}' batch_input_shape must be [null, ...positive integers], got ${describe(s)}`);
      }
      inputEntry = { name, shape: s.slice(1) as number[] };
    }
  });
  if (!inputEntry) throw new Error('fromTfjsLayers: the functional model has no InputLayer');
  const one = (v: unknown, what: string): [string, number] => {
    const list = Array.isArray(v) ? v : [];
    const r = Array.isArray(list[0]) ? list[0] : list;
    if (list.length !== 1 && !(typeof list[0] === 'string')) throw new Error(`fromTfjsLayers: ${what} must name one layer (simdnet models have one input and one output), got ${describe(v)}`);
    if (typeof r[0] !== 'string' || !Number.isInteger(r[1] ?? 0)) throw new Error(`fromTfjsLayers: ${what} must be [[name, node, tensor]], got ${describe(v)}`);
    return [r[0], (r[1] as number) ?? 0];
  };
  const [inName] = one(inputLayers, 'input_layers');
  const [outName, outNode] = one(outputLayers, 'output_layers');
  if (inName !== (inputEntry as { name: string }).name) throw new Error(`fromTfjsLayers: input_layers names '${inName}', not the InputLayer '${(inputEntry as { name: string }).name}'`);

  // replay: shapes per node output, each layer planned at its first node
  const shapes = new Map<string, number[]>([[`${inName}#0`, (inputEntry as { shape: number[] }).shape]]);
  const planned = new Map<string, PlannedLayer>();
  const order: { name: string; k: number; inputs: string[] }[] = [];
  const pending: { name: string; k: number; refs: unknown[] }[] = [];
  for (const [name, { entry }] of byName) {
    if (entry.className === 'InputLayer') continue;
    const nodes = entry.inboundNodes;
    if (!Array.isArray(nodes) || nodes.length === 0) throw new Error(`fromTfjsLayers: layer '${name}' has no inbound_nodes`);
    nodes.forEach((refs, k) => {
      if (!Array.isArray(refs) || refs.length === 0) throw new Error(`fromTfjsLayers: layer '${name}' inbound_nodes[${k}] must be a non-empty list, got ${describe(refs)}`);
      pending.push({ name, k, refs });
    });
  }
  const key = (r: unknown, what: string): string => {
    if (!Array.isArray(r) || typeof r[0] !== 'string' || !Number.isInteger(r[1])) throw new Error(`fromTfjsLayers: ${what} must be [name, node, tensor, kwargs], got ${describe(r)}`);
    if (r[2] !== undefined && r[2] !== 0) throw new Error(`fromTfjsLayers: ${what}: tensor index ${describe(r[2])} (simdnet layers have one output)`);
    return `${r[0]}#${r[1]}`;
  };
  while (pending.length) {
    const i = pending.findIndex((p) => p.refs.every((r, j) => shapes.has(key(r, `layer '${p.name}' inbound_nodes[${p.k}][${j}]`))) && (p.k === 0 || order.some((o) => o.name === p.name && o.k === p.k - 1)));
    if (i < 0) throw new Error(`fromTfjsLayers: the inputs of ${pending.map((p) => `'${p.name}' node ${p.k}`).join(', ')} can never be computed (a missing layer or a cycle)`);
    const p = pending.splice(i, 1)[0];
    const inputs = p.refs.map((r) => key(r, ''));
    const inShapes = inputs.map((x) => shapes.get(x)!);
    const { entry, i: index } = byName.get(p.name)!;
    let pl = planned.get(p.name);
    let outShape: number[];
    if (MERGES[entry.className as string]) {
      const c = new Config((entry.config ?? {}) as Record<string, unknown>, `TF.js layer '${p.name}' (${entry.className as string})`);
      const config: Record<string, unknown> = { name: p.name, trainable: c.get('trainable') ?? true };
      if (entry.className === 'Concatenate') config.axis = c.num('axis', -1);
      c.done();
      const spec = { className: MERGES[entry.className as string], config } as Serialized;
      // the merge's output shape, from a throwaway layer (merges have no weights)
      outShape = wrap(() => mergeShape(spec, inShapes), `TF.js layer '${p.name}'`);
      pl ??= { planned: [], merge: spec };
    } else {
      if (inShapes.length !== 1) throw new Error(`fromTfjsLayers: layer '${p.name}' (${entry.className as string}) takes one input, got ${inShapes.length}`);
      const r = planOne(entry, index, inShapes[0]);
      outShape = r.outShape;
      pl ??= { planned: r.layers, merge: null };
    }
    planned.set(p.name, pl);
    shapes.set(`${p.name}#${p.k}`, outShape);
    order.push({ name: p.name, k: p.k, inputs });
  }
  if (!shapes.has(`${outName}#${outNode}`)) throw new Error(`fromTfjsLayers: output_layers names node ${outNode} of '${outName}', which the topology does not have`);

  const plan = [...planned.values()].flatMap((p) => p.planned);
  const build = (args: { name: string; seed?: number; dtype?: 'float32' | 'float64' }): Model => {
    const layers = new Map<string, Layer[]>();
    for (const [name, p] of planned) {
      layers.set(name, p.merge ? [layerRegistry.fromConfig(p.merge)] : p.planned.map((q) => wrap(() => layerRegistry.fromConfig(q.spec), q.what)));
    }
    const t = new Map<string, SymbolicTensor>([[`${inName}#0`, input({ shape: shapes.get(`${inName}#0`)!, name: inName })]]);
    for (const o of order) {
      const xs = o.inputs.map((x) => t.get(x)!);
      let h = wrap(() => layers.get(o.name)![0].apply(xs.length === 1 ? xs[0] : xs), `TF.js layer '${o.name}'`);
      for (const l of layers.get(o.name)!.slice(1)) h = l.apply(h);
      t.set(`${o.name}#${o.k}`, h);
    }
    return new Model({ inputs: t.get(`${inName}#0`)!, outputs: t.get(`${outName}#${outNode}`)!, ...args });
  };
  return { plan, build };
}

/** Output shape of a merge layer for these input shapes (its shape checks, no weights). */
function mergeShape(spec: Serialized, shapes: number[][]): number[] {
  const ins = shapes.map((s) => input({ shape: s }));
  return layerRegistry.fromConfig(spec).apply(ins).sampleShape.slice();
}
