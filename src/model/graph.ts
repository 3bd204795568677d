// The functional API's graph: `input({shape})` makes a symbolic tensor, `layer.apply(t)`
// records a node (the layer, its input tensors, its output tensor) and returns the output
// as a new symbolic tensor; `new Model({inputs, outputs})` walks back from the outputs and
// fixes the order the nodes run in. Symbolic tensors hold shapes, never data.
//
// Order: nodes run in the order they were applied, restricted to the nodes the outputs
// need. That order is topological by construction (a node can only be applied to tensors
// that exist), and it is the documented tie-break: getWeights() lists layers in the order
// of their first node.
//
// Shapes are checked at apply time: the layer is built once for the input shapes in a
// throwaway context (weights allocated and freed at once), so a shape the layer cannot
// take is an Error naming both layers there, not later at Model construction or fit.

import { runtime, WasmTensor } from '../../bindings/index.js';
import type { BuildContext, Layer } from '../layers/layer.js';
import { checkKeys, describe } from '../options.js';

let nextTensorId = 0;
let nextNodeId = 0;

/** One application of a layer. */
export interface GraphNode {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  readonly output: SymbolicTensor;
  /** Global apply order: the run order of nodes within a model. */
  readonly id: number;
}

/** What `input({shape})` stands for: the model's input, with no layer behind it. */
export interface InputSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * A tensor of a graph under construction: its per-sample shape and where it comes from.
 * `shape` is TF.js's: `[null, ...perSample]` (null is the batch dimension).
 */
export class SymbolicTensor {
  readonly isSymbolic = true;
  readonly id = nextTensorId++;
  readonly shape: (number | null)[];
  /** Per-sample shape (no batch dimension). */
  readonly sampleShape: readonly number[];
  /** The node that computes it, or null for a model input. */
  readonly node: GraphNode | null;
  readonly input: InputSpec | null;

  constructor(sampleShape: readonly number[], source: { node: GraphNode } | { input: InputSpec }) {
    this.sampleShape = sampleShape.slice();
    this.shape = [null, ...sampleShape];
    this.node = 'node' in source ? source.node : null;
    this.input = 'input' in source ? source.input : null;
  }

  /** Who made it, for error messages: "input 'input_1'" or "dense 'd1'". */
  get origin(): string {
    if (this.input) return `input '${this.input.name}'`;
    const l = this.node!.layer;
    return `${l.className} '${l.name || '(unnamed)'}'`;
  }

  toString(): string {
    return `SymbolicTensor [${this.shape.map((d) => (d === null ? 'null' : d)).join(', ')}] from ${this.origin}`;
  }
}

export interface InputArgs {
  /** Per-sample shape, e.g. [28, 28, 1] (no batch dimension). */
  shape: number[];
  name?: string;
}

let inputCount = 0;

/** A model input (TF.js `tf.input`): a symbolic tensor to apply layers to. */
export function input(args: InputArgs): SymbolicTensor {
  if (!args || typeof args !== 'object') throw new Error(`input expects {shape}, got ${describe(args)}`);
  checkKeys(args, ['shape', 'name'], 'input');
  const { shape } = args;
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new Error(`input shape must be a non-empty array of positive integers (no batch dimension), got ${describe(shape)}`);
  }
  if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '' || args.name.includes('/'))) {
    throw new Error(`input name must be a non-empty string without '/', got ${describe(args.name)}`);
  }
  return new SymbolicTensor(shape, { input: { name: args.name ?? `input_${++inputCount}`, shape: shape.slice() } });
}

export function isSymbolic(v: unknown): v is SymbolicTensor {
  return v instanceof SymbolicTensor;
}

/**
 * Records `layer` applied to `inputs` after checking that it can take their shapes (see
 * the file header). Called by Layer.apply.
 */
export function applyLayer(layer: Layer, inputs: unknown): SymbolicTensor {
  const name = `${layer.className} '${layer.name || '(unnamed)'}'`;
  const list = Array.isArray(inputs) ? inputs : [inputs];
  list.forEach((t, i) => {
    if (!isSymbolic(t)) {
      throw new Error(`${name}.apply expects symbolic tensors (from input() or another layer's apply()), got ${describe(t)}${Array.isArray(inputs) ? ` at [${i}]` : ''}; to run a model on data, use model.predict`);
    }
  });
  if (list.length === 0) throw new Error(`${name}.apply needs at least one input`);
  if (layer.built) throw new Error(`${name} already belongs to a built model: a layer's weights live in one model (apply a new layer, or a copy made with layerRegistry.fromConfig(serialize(layer)))`);
  const tensors = list as SymbolicTensor[];
  let shape: number[];
  try {
    shape = probeOutputShape(layer, tensors.map((t) => t.sampleShape.slice()));
  } catch (e) {
    const from = tensors.map((t) => `${t.origin} [${t.sampleShape.join(', ')}]`).join(' and ');
    throw new Error(`${name} cannot take the output of ${from}: ${(e as Error).message}`);
  }
  const node: GraphNode = { layer, inputs: tensors.slice(), output: null as unknown as SymbolicTensor, id: nextNodeId++ };
  const out = new SymbolicTensor(shape, { node });
  (node as { output: SymbolicTensor }).output = out;
  return out;
}

/** Builds the layer for these shapes in a throwaway context and frees it again. */
function probeOutputShape(layer: Layer, shapes: number[][]): number[] {
  const rt = runtime();
  return WasmTensor.transaction(() => {
    const state = new WasmTensor([4], 'int32', 'shape-check RNG state');
    const scratch = new WasmTensor([2], 'float64', 'shape-check scratch');
    rt.kernels.float32.rngSeed(state, 0, 0, 0);
    const ctx: BuildContext = { dtype: 'float32', k: rt.kernels.float32, rt, initRng: state, newStream: () => state, scratch };
    try {
      return layer.buildMany(shapes, ctx);
    } finally {
      layer.dispose();
      state.free();
      scratch.free();
    }
  });
}

/** A model's graph, ready for a session: nodes in run order, tensors as slots. */
export interface GraphPlan {
  input: InputSpec;
  /** Run order; `inputs` are slot numbers (0 = the model input, i + 1 = output of node i). */
  nodes: { layer: Layer; inputs: number[]; node: GraphNode | null }[];
  /** Slot of the model output. */
  output: number;
}

/**
 * Walks back from the output to the input and returns the nodes in run order, or an Error
 * saying what is wrong (an input not reached, an output that needs another input, a cycle).
 */
export function planGraph(inputs: unknown, outputs: unknown): GraphPlan {
  const inp = single(inputs, 'inputs');
  const out = single(outputs, 'outputs');
  if (!inp.input) throw new Error(`Model inputs must come from input({shape}), got the output of ${inp.origin}`);
  const needed = new Map<number, GraphNode>();
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (t: SymbolicTensor, path: string[]): void => {
    if (t.input) {
      if (t !== inp) throw new Error(`Model output depends on ${t.origin}, which is not the model's input ('${inp.input!.name}'): every path must start at the inputs (${[...path].reverse().join(' → ')})`);
      return;
    }
    const node = t.node!;
    const s = state.get(node.id);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`the graph has a cycle through ${t.origin}`);
    state.set(node.id, 'visiting');
    for (const x of node.inputs) visit(x, [...path, t.origin]);
    state.set(node.id, 'done');
    needed.set(node.id, node);
  };
  visit(out, []);
  if (out === inp) throw new Error('Model outputs are its inputs: apply at least one layer');
  const ordered = [...needed.values()].sort((a, b) => a.id - b.id);
  const slot = new Map<number, number>([[inp.id, 0]]);
  ordered.forEach((n, i) => slot.set(n.output.id, i + 1));
  const reached = ordered.some((n) => n.inputs.includes(inp));
  if (!reached) throw new Error(`Model output is not reachable from input '${inp.input.name}'`);
  return {
    input: inp.input,
    nodes: ordered.map((n) => ({ layer: n.layer, inputs: n.inputs.map((t) => slot.get(t.id)!), node: n })),
    output: slot.get(out.id)!,
  };
}

function single(v: unknown, what: string): SymbolicTensor {
  const list = Array.isArray(v) ? v : [v];
  if (list.length !== 1) throw new Error(`Model ${what}: this version supports one input and one output, got ${list.length} ${what}`);
  if (!isSymbolic(list[0])) throw new Error(`Model ${what} must be a symbolic tensor (from input() or layer.apply()), got ${describe(list[0])}`);
  return list[0];
}
