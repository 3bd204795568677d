// io.toOnnx: a built Sequential model as an ONNX ModelProto (opset 17, IR version 8), the
// inference graph only. ORT, TensorRT, OpenVINO, Netron and the like read the result.
//
// The graph computes what model.predict computes:
// - input `input` [N, ...inputShape] float32, simdnet's channels-last layout; N is symbolic.
//   Output `output` [N, ...outputShape], also channels-last.
// - Weights are float32; a float64 model is exported in float32 (most ONNX runtimes run
//   conv, pooling and norms in float32 only).
// - Image tensors switch to NCHW (one Transpose) where an op needs channels first (Conv,
//   MaxPool, AveragePool, BatchNormalization, InstanceNormalization, group norms with
//   groups > 1) and back to NHWC only where the order matters (Flatten, whose order must be
//   simdnet's row-major [H, W, C], and the graph output). Element-wise and per-channel ops
//   (PRelu, Mul/Add by gamma/beta) run in whichever layout the tensor is in.
// - Dropout is the identity at inference and emits nothing. BatchNorm is a
//   BatchNormalization node in inference form with the moving statistics (not folded, so the
//   file keeps the layer and its statistics). Fused activations become their own nodes.
//
// Layer → ONNX:
//   Dense           Gemm (W [inputDim, units] as B) + activation
//   Conv2D          Conv (W transposed to [filters, inC, kh, kw], explicit pads: TensorFlow's
//                   'same' puts the odd extra row/column at the bottom/right) + activation
//   MaxPool2D       MaxPool;  AvgPool2D  AveragePool count_include_pad = 0
//   GlobalAvgPool2D ReduceMean over H, W
//   Flatten         Flatten (after a Transpose to NHWC)
//   BatchNorm       BatchNormalization (epsilon, moving mean/variance)
//   LayerNorm       [N, D]: LayerNormalization axis −1. Images: Reshape [N, 1, H·W·C],
//                   InstanceNormalization (scale 1, bias 0), Reshape back, Mul γ, Add β
//   GroupNorm       the same with [N, groups, H·W·C/groups] on NCHW data
//   InstanceNorm    InstanceNormalization (γ, β per channel)
//   PReLU           PRelu (slope per channel)
//   Maxout          Gemm to [N, units·pieces], Reshape [N, units, pieces], ReduceMax axis 2
//   Sigmoid, Tanh, Relu, LeakyRelu, Elu, Softmax, Activation (layers, or fused into
//                   Dense/Conv2D): the op of that name; Softmax over the channel axis (the
//                   last in simdnet's layout, axis 1 in NCHW)
// Anything else is an Error naming the layer.

import type { Layer, Param } from '../layers/layer.js';
import { geometry, type Padding } from '../layers/geometry.js';
import type { Sequential } from '../model/sequential.js';
import { describe } from '../options.js';
import { Message } from './protobuf.js';

const OPSET = 17;
const IR_VERSION = 8;
// TensorProto.DataType
const FLOAT = 1;
const INT64 = 7;
// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

type Attr = { f: number } | number | number[];
interface Node { op: string; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, Attr> }

/** A float attribute (plain numbers are ints). */
const f = (v: number): { f: number } => ({ f: v });

/** A value flowing through the graph: its name, rank (batch included) and layout. */
interface Value {
  name: string;
  /** per-sample dims in simdnet's channels-last order */
  dims: number[];
  /** true: channels at axis 1 (only ever for rank ≥ 3) */
  cf: boolean;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function floatBytes(data: ArrayLike<number>): Uint8Array {
  const a = data instanceof Float32Array ? data : Float32Array.from(data);
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) dv.setFloat32(i * 4, a[i], true);
  return out;
}

function int64Bytes(data: number[]): Uint8Array {
  const out = new Uint8Array(data.length * 8);
  const dv = new DataView(out.buffer);
  data.forEach((v, i) => dv.setBigInt64(i * 8, BigInt(v), true));
  return out;
}

class Graph {
  readonly nodes: Node[] = [];
  readonly initializers: Message[] = [];
  private readonly used = new Set<string>(['output']);

  /** A fresh value name based on `base`. */
  unique(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** A float32 initializer; returns its name. */
  floats(name: string, dims: number[], data: ArrayLike<number>): string {
    return this.tensor(name, dims, FLOAT, floatBytes(data));
  }

  ints(name: string, data: number[]): string {
    return this.tensor(name, [data.length], INT64, int64Bytes(data));
  }

  private tensor(name: string, dims: number[], type: number, raw: Uint8Array): string {
    const n = this.unique(name);
    const t = new Message();
    for (const d of dims) t.int(1, d);
    t.int(2, type).string(8, n).bytes(9, raw);
    this.initializers.push(t);
    return n;
  }

  /** Appends a node with one output named after `out`; returns the output name. */
  node(op: string, inputs: string[], out: string, attrs: Record<string, Attr> = {}): string {
    const o = this.unique(out);
    this.nodes.push({ op, name: o, inputs, outputs: [o], attrs });
    return o;
  }
}

function encodeNode(n: Node): Message {
  const m = new Message();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.name).string(4, n.op);
  for (const [name, v] of Object.entries(n.attrs)) {
    const a = new Message().string(1, name);
    if (typeof v === 'number') a.int(20, ATTR_INT).int(3, v);
    else if (Array.isArray(v)) { a.int(20, ATTR_INTS); for (const x of v) a.int(8, x); }
    else a.int(20, ATTR_FLOAT).float(2, v.f);
    m.bytes(5, a);
  }
  return m;
}

function valueInfo(name: string, dims: (number | string)[]): Message {
  const shape = new Message();
  for (const d of dims) shape.bytes(1, typeof d === 'string' ? new Message().string(2, d) : new Message().int(1, d));
  const tensorType = new Message().int(1, FLOAT).bytes(2, shape);
  return new Message().string(1, name).bytes(2, new Message().bytes(1, tensorType));
}

/**
 * SimpleRNN / LSTM / GRU as ONNX RNN / LSTM / GRU (one direction, zero initial state). The
 * input [N, T, F] is transposed to ONNX's [T, N, F]; Y [T, 1, N, H] becomes [N, T, H]
 * (returnSequences) or its last step [N, H]. Keras blocks are reordered to ONNX's gate
 * orders (LSTM i, o, f, c from Keras i, f, c, o; GRU z, r, h is the same), kernels
 * transposed to [1, k·H, ·], and B = [input bias, recurrent bias] (zeros where Keras has
 * one bias); GRU's resetAfter is ONNX's linear_before_reset. ONNX's default activations
 * (sigmoid gates, tanh) are the only ones exported: the `activations` attribute would be a
 * list of strings, which this writer does not encode.
 */
function recurrentToOnnx(g: Graph, layer: Layer, v: Value, p: Map<string, Param>, fail: (why: string) => never): Value {
  const at = layer.name;
  const cfg = layer.getConfig();
  const H = cfg.units as number;
  const [T, F] = v.dims;
  const cls = layer.className;
  if (cfg.activation !== 'tanh' || (cls !== 'SimpleRNN' && cfg.recurrentActivation !== 'sigmoid')) {
    fail(`activation '${String(cfg.activation)}'${cls !== 'SimpleRNN' ? ` / recurrentActivation '${String(cfg.recurrentActivation)}'` : ''}: the ONNX export writes the default tanh / sigmoid only`);
  }
  const k = ({ SimpleRNN: 1, LSTM: 4, GRU: 3 } as Record<string, number>)[cls];
  /** ONNX block b ← Keras block order[b] */
  const order = cls === 'LSTM' ? [0, 3, 1, 2] : Array.from({ length: k }, (_, i) => i);
  /** [rows, k·H] Keras (row-major) → [1, k·H, rows] ONNX with the blocks reordered. */
  const onnxWeights = (w: ArrayLike<number>, rows: number): Float32Array => {
    const out = new Float32Array(k * H * rows);
    for (let b = 0; b < k; b++) for (let u = 0; u < H; u++) for (let r = 0; r < rows; r++) out[(b * H + u) * rows + r] = w[r * k * H + order[b] * H + u];
    return out;
  };
  const reorder = (b: ArrayLike<number>, from = 0): Float32Array => Float32Array.from({ length: k * H }, (_, i) => b[from + order[Math.floor(i / H)] * H + (i % H)]);
  const Wt = onnxWeights(p.get('kernel')!.value.read(), F);
  const Rt = onnxWeights(p.get('recurrent_kernel')!.value.read(), H);
  const B = new Float32Array(2 * k * H);
  const resetAfter = cls === 'GRU' && cfg.resetAfter === true;
  if (p.has('bias')) {
    const b = p.get('bias')!.value.read();
    B.set(reorder(b), 0);
    if (resetAfter) B.set(reorder(b, k * H), k * H);
  }
  const x = g.node('Transpose', [v.name], `${at}/to_time_major`, { perm: [1, 0, 2] });
  const inputs = [x, g.floats(`${at}/W`, [1, k * H, F], Wt), g.floats(`${at}/R`, [1, k * H, H], Rt), g.floats(`${at}/B`, [1, 2 * k * H], B)];
  const op = cls === 'SimpleRNN' ? 'RNN' : cls;
  const attrs: Record<string, Attr> = { hidden_size: H, ...(cls === 'GRU' ? { linear_before_reset: resetAfter ? 1 : 0 } : {}) };
  const y = g.node(op, inputs, `${at}/${op}`, attrs);
  if (cfg.returnSequences) {
    const seq = g.node('Reshape', [y, g.ints(`${at}/seq_shape`, [T, -1, H])], `${at}/Reshape`);
    return { name: g.node('Transpose', [seq], `${at}/to_batch_major`, { perm: [1, 0, 2] }), dims: [T, H], cf: false };
  }
  const last = g.node('Gather', [y, g.ints(`${at}/last`, [T - 1])], `${at}/last_step`, { axis: 0 });
  return { name: g.node('Reshape', [last, g.ints(`${at}/shape`, [-1, H])], `${at}/Reshape`), dims: [H], cf: false };
}

/** Parameters of a layer by their short name (`kernel`, `bias`, `gamma`, …). */
function paramsOf(layer: Layer): Map<string, Param> {
  return new Map(layer.params().map((p) => [p.name.slice(p.name.lastIndexOf('/') + 1), p]));
}

const fill = (n: number, v: number): Float32Array => new Float32Array(n).fill(v);

/** The activation a layer applies (fused in Dense/Conv2D, or the layer itself), if it has one. */
const actOf = (layer: Layer): { name: string; alpha: number } | undefined => (layer as { act?: { name: string; alpha: number } }).act;

const ACTIVATION_OPS: Record<string, string> = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', leakyRelu: 'LeakyRelu', elu: 'Elu', softmax: 'Softmax' };

/**
 * The model as the bytes of an ONNX file (ModelProto, opset 17): the inference graph with
 * its weights, input `input` [N, ...inputShape] and output `output` [N, ...outputShape] in
 * simdnet's layout, float32. A model whose input shape is known is built first (as
 * getWeights does); a layer without an ONNX equivalent is an Error naming it.
 */
export function toOnnx(model: Sequential): Uint8Array {
  if (!model || typeof model !== 'object' || !Array.isArray((model as Sequential).layers)) throw new Error(`toOnnx expects a Sequential model, got ${describe(model)}`);
  if ((model as { session?: { isChain: boolean } }).session?.isChain === false) throw new Error(`toOnnx: model '${model.name}' is a functional Model; this version exports Sequential models to ONNX (TF.js Layers export, io.toTfjsLayers, takes functional models)`);
  if (model.isDisposed) throw new Error(`toOnnx: model '${model.name}' has been disposed`);
  if (!model.built && model.inputShape && model.layers.length) model.build();
  if (!model.built) throw new Error('toOnnx: the model is not built yet (give the first layer an inputShape, or call build/fit/predict first)');
  const inputShape = model.inputShape!;
  const outputShape = model.outputShape!;

  const g = new Graph();
  let v: Value = { name: g.unique('input'), dims: inputShape.slice(), cf: false };

  const rank = (x: Value) => x.dims.length + 1;
  const channels = (x: Value) => x.dims[x.dims.length - 1];
  /** Shape a per-channel parameter broadcasts with in the current layout. */
  const channelDims = (x: Value) => (x.cf ? [channels(x), ...Array(rank(x) - 2).fill(1)] : [channels(x)]);
  const channelAxis = (x: Value) => (x.cf ? 1 : rank(x) - 1);
  const toFirst = (x: Value, at: string): Value => {
    if (x.cf || rank(x) < 3) return x;
    const r = rank(x);
    return { ...x, cf: true, name: g.node('Transpose', [x.name], `${at}/to_nchw`, { perm: [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)] }) };
  };
  const toLast = (x: Value, at: string): Value => {
    if (!x.cf) return x;
    const r = rank(x);
    return { ...x, cf: false, name: g.node('Transpose', [x.name], `${at}/to_nhwc`, { perm: [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1] }) };
  };
  /** Current per-sample dims in the tensor's actual layout (for Reshape targets). */
  const layoutDims = (x: Value) => (x.cf ? [channels(x), ...x.dims.slice(0, -1)] : x.dims);

  for (const layer of model.layers) {
    const at = layer.name;
    const fail = (why: string): never => { throw new Error(`toOnnx: layer '${layer.name}' (${layer.className}) cannot be exported: ${why}`); };
    const p = paramsOf(layer);
    const data = (key: string): ArrayLike<number> => p.get(key)!.value.read();
    const activation = (x: Value): Value => {
      const act = actOf(layer);
      if (!act) return fail('it has no activation');
      if (act.name === 'linear') return x;
      const op = Object.hasOwn(ACTIVATION_OPS, act.name) ? ACTIVATION_OPS[act.name] : fail(`activation '${act.name}' has no ONNX mapping`);
      // NOTE: simdnet's softmax runs over the last axis: the channels, at axis 1 in NCHW
      const attrs: Record<string, Attr> = act.name === 'leakyRelu' || act.name === 'elu' ? { alpha: f(act.alpha) } : act.name === 'softmax' ? { axis: channelAxis(x) } : {};
      return { ...x, name: g.node(op, [x.name], `${at}/${op}`, attrs) };
    };
    const out = layer.outputShape.slice();
    const config = layer.getConfig();

    switch (layer.className) {
      case 'Dense':
      case 'Maxout': {
        const kernel = p.get('kernel')!;
        const [d, ...rest] = kernel.value.shape;
        const width = rest.reduce((a, b) => a * b, 1);
        const inputs = [v.name, g.floats(`${at}/kernel`, [d, width], kernel.value.read())];
        if (p.has('bias')) inputs.push(g.floats(`${at}/bias`, [width], data('bias')));
        let y: Value = { name: g.node('Gemm', inputs, `${at}/Gemm`), dims: [width], cf: false };
        if (layer.className === 'Maxout') {
          const [units, pieces] = rest;
          const r = g.node('Reshape', [y.name, g.ints(`${at}/shape`, [0, units, pieces])], `${at}/Reshape`);
          y = { name: g.node('ReduceMax', [r], `${at}/ReduceMax`, { axes: [2], keepdims: 0 }), dims: out, cf: false };
        } else {
          y = activation(y);
        }
        v = y;
        break;
      }
      case 'Conv2D':
      case 'MaxPool2D':
      case 'AvgPool2D': {
        const conv = layer.className === 'Conv2D';
        const size = (conv ? config.kernelSize : config.poolSize) as [number, number];
        const strides = config.strides as [number, number];
        const geo = geometry(layer.inputShape, size, strides, config.padding as Padding, `toOnnx '${at}'`, conv ? 'kernel' : 'pool');
        const total = (o: number, s: number, k: number, i: number) => Math.max((o - 1) * s + k - i, 0);
        const padBottom = config.padding === 'same' ? total(geo.OH, geo.SH, geo.KH, geo.H) - geo.padTop : 0;
        const padRight = config.padding === 'same' ? total(geo.OW, geo.SW, geo.KW, geo.W) - geo.padLeft : 0;
        const attrs: Record<string, Attr> = { kernel_shape: size, strides, pads: [geo.padTop, geo.padLeft, padBottom, padRight] };
        const x = toFirst(v, at);
        if (conv) {
          // simdnet [kh, kw, C, F] → ONNX [F, C, kh, kw]
          const { KH, KW, C } = geo;
          const F = config.filters as number;
          const w = p.get('kernel')!.value.read();
          const t = new Float32Array(w.length);
          for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) for (let c = 0; c < C; c++) for (let o = 0; o < F; o++) {
            t[((o * C + c) * KH + i) * KW + j] = w[((i * KW + j) * C + c) * F + o];
          }
          const inputs = [x.name, g.floats(`${at}/kernel`, [F, C, KH, KW], t)];
          if (p.has('bias')) inputs.push(g.floats(`${at}/bias`, [F], data('bias')));
          v = activation({ name: g.node('Conv', inputs, `${at}/Conv`, attrs), dims: out, cf: true });
        } else if (layer.className === 'MaxPool2D') {
          v = { name: g.node('MaxPool', [x.name], `${at}/MaxPool`, attrs), dims: out, cf: true };
        } else {
          v = { name: g.node('AveragePool', [x.name], `${at}/AveragePool`, { ...attrs, count_include_pad: 0 }), dims: out, cf: true };
        }
        break;
      }
      case 'GlobalAvgPool2D':
        v = { name: g.node('ReduceMean', [v.name], `${at}/ReduceMean`, { axes: v.cf ? [2, 3] : [1, 2], keepdims: 0 }), dims: out, cf: false };
        break;
      case 'Flatten':
        if (rank(v) > 2) {
          const x = toLast(v, at);
          v = { name: g.node('Flatten', [x.name], `${at}/Flatten`, { axis: 1 }), dims: out, cf: false };
        }
        break;
      case 'Dropout':
        break;
      case 'BatchNorm': {
        const x = toFirst(v, at);
        const c = channels(x);
        const inputs = [
          x.name,
          g.floats(`${at}/gamma`, [c], p.has('gamma') ? data('gamma') : fill(c, 1)),
          g.floats(`${at}/beta`, [c], p.has('beta') ? data('beta') : fill(c, 0)),
          g.floats(`${at}/movingMean`, [c], data('movingMean')),
          g.floats(`${at}/movingVariance`, [c], data('movingVariance')),
        ];
        v = { ...x, name: g.node('BatchNormalization', inputs, `${at}/BatchNormalization`, { epsilon: f(config.epsilon as number) }) };
        break;
      }
      case 'LayerNorm':
      case 'GroupNorm':
      case 'InstanceNorm': {
        const c = channels(v);
        const eps = config.epsilon as number;
        const groups = layer.className === 'LayerNorm' ? 1 : layer.className === 'InstanceNorm' ? c : (config.groups as number);
        const gamma = p.has('gamma') ? data('gamma') : fill(c, 1);
        const beta = p.has('beta') ? data('beta') : fill(c, 0);
        if (rank(v) === 2 && groups === 1) {
          const inputs = [v.name, g.floats(`${at}/gamma`, [c], gamma), g.floats(`${at}/beta`, [c], beta)];
          v = { ...v, name: g.node('LayerNormalization', inputs, `${at}/LayerNormalization`, { axis: -1, epsilon: f(eps) }) };
          break;
        }
        if (layer.className === 'InstanceNorm') {
          const x = toFirst(v, at);
          const inputs = [x.name, g.floats(`${at}/gamma`, [c], gamma), g.floats(`${at}/beta`, [c], beta)];
          v = { ...x, name: g.node('InstanceNormalization', inputs, `${at}/InstanceNormalization`, { epsilon: f(eps) }) };
          break;
        }
        // each (sample, group) normalized as one instance-norm channel: the group's elements
        // must be contiguous, which they are for one group in any layout, and per group in NCHW
        const x = groups === 1 ? v : toFirst(v, at);
        const grouped = g.node('Reshape', [x.name, g.ints(`${at}/group_shape`, [0, groups, -1])], `${at}/Reshape`);
        const normed = g.node('InstanceNormalization', [grouped, g.floats(`${at}/ones`, [groups], fill(groups, 1)), g.floats(`${at}/zeros`, [groups], fill(groups, 0))],
          `${at}/InstanceNormalization`, { epsilon: f(eps) });
        let y = g.node('Reshape', [normed, g.ints(`${at}/shape`, [0, ...layoutDims(x)])], `${at}/Reshape_back`);
        if (p.has('gamma')) y = g.node('Mul', [y, g.floats(`${at}/gamma`, channelDims(x), gamma)], `${at}/Mul`);
        if (p.has('beta')) y = g.node('Add', [y, g.floats(`${at}/beta`, channelDims(x), beta)], `${at}/Add`);
        v = { ...x, name: y };
        break;
      }
      case 'PReLU':
        v = { ...v, name: g.node('PRelu', [v.name, g.floats(`${at}/alpha`, channelDims(v), data('alpha'))], `${at}/PRelu`) };
        break;
      case 'Normalization': {
        // y = (x − mean) / max(√variance, 1e-7) along the last axis (the divisor folded here in
        // float64, as the layer's kernel derives it)
        const x = toLast(v, at);
        const variance = data('variance');
        const div = Float64Array.from(variance, (q) => Math.max(Math.sqrt(q), 1e-7));
        const c = channels(x);
        const centred = g.node('Sub', [x.name, g.floats(`${at}/mean`, [c], data('mean'))], `${at}/Sub`);
        v = { ...x, name: g.node('Div', [centred, g.floats(`${at}/divisor`, [c], div)], `${at}/Div`) };
        break;
      }
      case 'Preprocess': {
        // zeroCenter/standardize: y = (x − mean)/(std, or 1 where 0), per channel (last axis)
        // or per feature (the whole sample); pca: y = (flat(x) − mean)·componentsᵀ, divided by
        // √(eigenvalue + ε) when whitening
        const x = toLast(v, at);
        const pre = (config.preprocessor as { className: string; config: { whiten?: boolean; epsilon?: number } });
        const mean = data('mean');
        if (pre.className === 'pca') {
          const comps = p.get('components')!.value;
          const [k, D] = comps.shape;
          const flat = rank(x) > 2 ? g.node('Flatten', [x.name], `${at}/Flatten`, { axis: 1 }) : x.name;
          const centred = g.node('Sub', [flat, g.floats(`${at}/mean`, [D], mean)], `${at}/Sub`);
          const c = comps.read();
          const t = new Float64Array(D * k);
          for (let i = 0; i < k; i++) for (let j = 0; j < D; j++) t[j * k + i] = c[i * D + j];
          let y = g.node('MatMul', [centred, g.floats(`${at}/componentsT`, [D, k], t)], `${at}/MatMul`);
          if (p.has('variance')) {
            const eps = pre.config.epsilon ?? 1e-5;
            const div = Float64Array.from(data('variance'), (q) => Math.sqrt(q + eps));
            y = g.node('Div', [y, g.floats(`${at}/whiten`, [k], div)], `${at}/Div`);
          }
          v = { name: y, dims: out, cf: false };
          break;
        }
        const dims = mean.length === channels(x) ? [channels(x)] : x.dims.slice();
        let y = g.node('Sub', [x.name, g.floats(`${at}/mean`, dims, mean)], `${at}/Sub`);
        if (p.has('std')) y = g.node('Div', [y, g.floats(`${at}/std`, dims, Float64Array.from(data('std'), (q) => (q === 0 ? 1 : q)))], `${at}/Div`);
        v = { ...x, name: y };
        break;
      }
      case 'Sigmoid':
      case 'Tanh':
      case 'Relu':
      case 'LeakyRelu':
      case 'Elu':
      case 'Softmax':
      case 'Activation':
        v = activation(v);
        break;
      case 'SimpleRNN':
      case 'LSTM':
      case 'GRU':
        v = recurrentToOnnx(g, layer, v, p, fail);
        break;
      case 'Embedding': {
        // tokens arrive as floats: Cast to int64 indices, then rows of the table
        const idx = g.node('Cast', [v.name], `${at}/Cast`, { to: INT64 });
        const table = p.get('embeddings')!.value;
        v = { name: g.node('Gather', [g.floats(`${at}/embeddings`, table.shape.slice(), table.read()), idx], `${at}/Gather`, { axis: 0 }), dims: out, cf: false };
        break;
      }
      case 'Reshape': {
        const x = toLast(v, at);
        v = { name: g.node('Reshape', [x.name, g.ints(`${at}/shape`, [0, ...out])], `${at}/Reshape`), dims: out, cf: false };
        break;
      }
      default:
        fail('no ONNX mapping for this layer type');
    }
    if (!v.dims.every((d, i) => d === out[i]) || v.dims.length !== out.length) fail(`internal: shape [${v.dims.join(', ')}] instead of [${out.join(', ')}]`);
  }
  v = toLast(v, 'output');

  // the graph output is named `output`: rename the last node's output (or copy the input)
  const last = g.nodes[g.nodes.length - 1];
  if (last && last.outputs[0] === v.name) last.outputs[0] = 'output';
  else g.nodes.push({ op: 'Identity', name: 'output', inputs: [v.name], outputs: ['output'], attrs: {} });

  const graph = new Message();
  for (const n of g.nodes) graph.bytes(1, encodeNode(n));
  graph.string(2, model.name);
  for (const t of g.initializers) graph.bytes(5, t);
  graph.bytes(11, valueInfo('input', ['N', ...inputShape]));
  graph.bytes(12, valueInfo('output', ['N', ...outputShape]));

  const proto = new Message()
    .int(1, IR_VERSION)
    .string(2, 'simdnet')
    .bytes(7, graph)
    .bytes(8, new Message().string(1, '').int(2, OPSET));
  // NOTE: protobuf parsers refuse messages of 2 GiB or more; ONNX then needs external data files
  if (proto.length >= 2 ** 31) throw new Error(`toOnnx: the model needs ${(proto.length / 2 ** 30).toFixed(2)} GiB as ONNX; one ONNX file holds less than 2 GiB (external weight files are not supported)`);
  return proto.finish();
}
