// The functional model's topology as JSON, in Keras's layout (what TF.js's model.json
// holds too): the layers with their `inboundNodes` (per application of the layer, the
// [layer name, node index, tensor index] of each input), `inputLayers` and
// `outputLayers`; simdnet adds `nodeOrder`, the order the nodes ran in, which fixes the
// RNG stream ids and the order gradients are summed in, so a loaded model trains on to
// the same bits. Reading treats the JSON as hostile: every reference is checked before
// a layer is applied.

import { layerRegistry } from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import { checkKeys, describe, isPlainObject } from '../options.js';
import { serialize, type Serialized } from '../serialization.js';
import { input, type SymbolicTensor } from './graph.js';
import type { Session } from './session.js';

/** [layer name, node index, tensor index] (Keras); the tensor index is always 0 here. */
export type NodeRef = [string, number, number];

export interface GraphLayerEntry {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Per node of the layer: its inputs. */
  inboundNodes: NodeRef[][];
}

export interface GraphConfig {
  layers: GraphLayerEntry[];
  inputLayers: NodeRef[];
  outputLayers: NodeRef[];
  /** [layer name, node index] in run order. */
  nodeOrder: [string, number][];
}

/** The session's graph as JSON (layers in first-node order, the input layer first). */
export function graphConfig(s: Session, inputName: string): GraphConfig {
  const nodes = s.graphNodes;
  const nodeIndex: number[] = [];
  const count = new Map<Layer, number>();
  for (const n of nodes) { const k = count.get(n.primary) ?? 0; nodeIndex.push(k); count.set(n.primary, k + 1); }
  const ref = (slot: number): NodeRef => (slot === 0 ? [inputName, 0, 0] : [nodes[slot - 1].primary.name, nodeIndex[slot - 1], 0]);
  const entries = new Map<Layer, GraphLayerEntry>();
  for (const n of nodes) {
    let e = entries.get(n.primary);
    if (!e) {
      const ser = serialize(n.primary) as Serialized;
      e = { name: n.primary.name, className: ser.className, config: ser.config, inboundNodes: [] };
      entries.set(n.primary, e);
    }
    e.inboundNodes.push(n.inputs.map(ref));
  }
  const last = nodes.findIndex((n) => n.output === s.graphOutput);
  return {
    layers: [
      { name: inputName, className: 'InputLayer', config: { name: inputName, batchInputShape: [null, ...s.inputShape] }, inboundNodes: [] },
      ...entries.values(),
    ],
    inputLayers: [[inputName, 0, 0]],
    outputLayers: [[nodes[last].primary.name, nodeIndex[last], 0]],
    nodeOrder: nodes.map((n, i) => [n.primary.name, nodeIndex[i]]),
  };
}

/** Checks a graph config and replays it: returns the input and output symbolic tensors. */
export function replayGraph(cfg: Record<string, unknown>, what: string): { inputs: SymbolicTensor; outputs: SymbolicTensor } {
  for (const key of ['layers', 'inputLayers', 'outputLayers', 'nodeOrder']) {
    if (!Array.isArray(cfg[key])) throw new Error(`${what}.${key} must be an array, got ${describe(cfg[key])}`);
  }
  const entries = cfg.layers as unknown[];
  const layers = new Map<string, { entry: GraphLayerEntry; layer: Layer | null }>();
  let inputEntry: GraphLayerEntry | null = null;
  entries.forEach((raw, i) => {
    const at = `${what}.layers[${i}]`;
    if (!isPlainObject(raw)) throw new Error(`${at} must be {name, className, config, inboundNodes}, got ${describe(raw)}`);
    checkKeys(raw, ['name', 'className', 'config', 'inboundNodes'], at);
    const e = raw as unknown as GraphLayerEntry;
    if (typeof e.name !== 'string' || e.name === '') throw new Error(`${at}.name must be a non-empty string, got ${describe(e.name)}`);
    if (layers.has(e.name)) throw new Error(`${at}: the name '${e.name}' is used twice`);
    if (!Array.isArray(e.inboundNodes)) throw new Error(`${at}.inboundNodes must be an array, got ${describe(e.inboundNodes)}`);
    if (e.className === 'InputLayer') {
      if (inputEntry) throw new Error(`${at}: a second InputLayer ('${e.name}'); this version supports one input`);
      inputEntry = e;
      layers.set(e.name, { entry: e, layer: null });
      return;
    }
    const layer = layerRegistry.fromConfig({ className: e.className, config: e.config } as Serialized, at);
    if (layer.name !== e.name) throw new Error(`${at}: the entry is named '${e.name}' but its config names the layer '${layer.name}'`);
    layers.set(e.name, { entry: e, layer });
  });
  if (!inputEntry) throw new Error(`${what}.layers has no InputLayer`);
  const inCfg = (inputEntry as GraphLayerEntry).config;
  const shape = isPlainObject(inCfg) && Array.isArray(inCfg.batchInputShape) ? inCfg.batchInputShape.slice(1) : null;
  if (!shape) throw new Error(`${what}: the InputLayer's config must have batchInputShape [null, ...shape], got ${describe(inCfg)}`);
  const tensors = new Map<string, SymbolicTensor>();
  const inputName = (inputEntry as GraphLayerEntry).name;
  const inp = input({ shape: shape as number[], name: inputName });
  tensors.set(`${inputName}#0`, inp);
  const applied = new Map<string, number>();
  (cfg.nodeOrder as unknown[]).forEach((raw, i) => {
    const at = `${what}.nodeOrder[${i}]`;
    if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== 'string' || !Number.isInteger(raw[1])) throw new Error(`${at} must be [layer name, node index], got ${describe(raw)}`);
    const [name, k] = raw as [string, number];
    const item = layers.get(name);
    if (!item || !item.layer) throw new Error(`${at} names '${name}', which is not a layer of this model`);
    if (k !== (applied.get(name) ?? 0)) throw new Error(`${at}: node ${k} of '${name}' comes out of order (expected node ${applied.get(name) ?? 0})`);
    const inbound = item.entry.inboundNodes[k];
    if (!Array.isArray(inbound) || inbound.length === 0) throw new Error(`${at}: layer '${name}' has no inboundNodes[${k}]`);
    const xs = inbound.map((r, j) => lookup(tensors, r, `${what}.layers['${name}'].inboundNodes[${k}][${j}]`));
    const out = item.layer.apply(xs.length === 1 ? xs[0] : xs);
    tensors.set(`${name}#${k}`, out);
    applied.set(name, k + 1);
  });
  for (const [name, item] of layers) {
    if (item.layer && (applied.get(name) ?? 0) !== item.entry.inboundNodes.length) throw new Error(`${what}: layer '${name}' lists ${item.entry.inboundNodes.length} nodes but nodeOrder runs ${applied.get(name) ?? 0}`);
  }
  const ins = cfg.inputLayers as unknown[];
  const outs = cfg.outputLayers as unknown[];
  if (ins.length !== 1 || outs.length !== 1) throw new Error(`${what}: this version supports one input and one output, got ${ins.length} and ${outs.length}`);
  const inputs = lookup(tensors, ins[0], `${what}.inputLayers[0]`);
  if (inputs !== inp) throw new Error(`${what}.inputLayers[0] must name the InputLayer '${inputName}'`);
  return { inputs, outputs: lookup(tensors, outs[0], `${what}.outputLayers[0]`) };
}

function lookup(tensors: Map<string, SymbolicTensor>, ref: unknown, at: string): SymbolicTensor {
  if (!Array.isArray(ref) || ref.length < 2 || typeof ref[0] !== 'string' || !Number.isInteger(ref[1])) throw new Error(`${at} must be [layer name, node index, tensor index], got ${describe(ref)}`);
  if (ref.length > 2 && ref[2] !== 0) throw new Error(`${at}: tensor index ${describe(ref[2])} (layers here have one output)`);
  const t = tensors.get(`${ref[0]}#${ref[1]}`);
  if (!t) throw new Error(`${at} refers to node ${ref[1]} of '${ref[0]}', which does not exist or has not run yet`);
  return t;
}
