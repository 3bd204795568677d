// TF.js Layers format, both ways: io.toTfjsLayers(model) gives the ModelArtifacts that
// `tf.loadLayersModel(tf.io.fromMemory(artifacts))` loads, and io.fromTfjsLayers(artifacts)
// builds a simdnet Sequential from what `tfModel.save(tf.io.withSaveHandler(...))` gives
// (or from a model.json + .bin pair: io.saveTfjsFiles / io.loadTfjsFiles, Node, Bun, Deno).
//
// The topology is Keras JSON as tfjs-layers writes it: snake_case keys, {class_name, config}
// per layer, `batch_input_shape` [null, ...] on the first layer, weights named
// '<layer>/<weight>' (TF.js matches weights by name, not by order), all float32.
//
// simdnet → TF.js                                 (import maps back the same way)
//   Dense, Conv2D        Dense, Conv2D (channels_last, dilation 1). A fused leakyRelu has no
//                        TF.js activation: it is exported as a linear Dense/Conv2D followed
//                        by a LeakyReLU layer named '<layer>_activation' (same outputs; the
//                        import gives two layers).
//   MaxPool2D, AvgPool2D, GlobalAvgPool2D   MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D
//   Flatten              Flatten; on flat [N, D] inputs (where it is the identity, and which
//                        TF.js's Flatten refuses) Reshape {target_shape: [D]}, which the
//                        import reads back as a Flatten.
//   Dropout              Dropout (noise_shape null)
//   BatchNorm            BatchNormalization axis −1 (gamma, beta, moving_mean, moving_variance)
//   LayerNorm            LayerNormalization axis −1, only where the two agree: simdnet
//                        normalizes each sample over ALL its non-batch axes with per-channel
//                        gamma/beta, TF.js over the last axis (or, with more axes, with a
//                        gamma/beta per position), so only inputs whose non-channel axes all
//                        have size 1 ([N, D]) map; anything else is an Error saying why.
//                        (GroupNorm with groups 1 is layerNorm and maps the same way.)
//   PReLU                PReLU, alpha [1, …, 1, C] with shared_axes over all but the channel axis
//   Relu, LeakyRelu, Elu, Softmax   ReLU, LeakyReLU {alpha}, ELU (alpha 1 only: tfjs-layers
//                        refuses any other), Softmax {axis: −1}
//   Sigmoid, Tanh, Activation       Activation {activation}
//   Maxout, InstanceNorm, GroupNorm (groups > 1): no TF.js equivalent, an Error.
// Only on import: InputLayer (its shape becomes the input shape), ELU with any alpha,
// Activation 'linear'. Any other class, or an option that would change what the layer
// computes or how it trains (channels_first, dilation, causal padding, ReLU max_value,
// noise_shape, l1 or bias/activity regularizers, constraints, …) is an Error naming the
// layer, the option and why.
//
// Initializers (they matter only when a layer is re-initialized, never for loaded weights):
//   zeros, ones, constant   Zeros, Ones, Constant {value}
//   randomNormal, randomUniform   RandomNormal, RandomUniform (same parameters)
//   glorotUniform, heUniform, lecunUniform   VarianceScaling {scale 1|2|1, fan_avg|fan_in|fan_in, uniform}
//   glorotNormal, heNormal, lecunNormal      VarianceScaling {…, distribution 'normal'}, as
//                        tfjs-layers writes them. Lossy on the TF.js side: TF.js draws a
//                        normal truncated at 2σ WITHOUT rescaling (std ≈ 0.88·√scale/fan);
//                        Keras (Python) reads 'normal' as truncated_normal with the
//                        rescaling, which is simdnet's.
//   smallRandom          RandomNormal {0, 0.01}: same distribution; imported as randomNormal
//   xavier               RandomNormal {0, √(1/fanIn)} with that layer's fanIn: same
//                        distribution for that layer; imported as randomNormal. (Keras's
//                        untruncated_normal is not a distribution TF.js accepts.)
//   Import also accepts GlorotUniform, HeNormal, LeCunNormal/LecunNormal, … by class name;
//   VarianceScaling with other parameters becomes the nearest named one (uniform or normal;
//   fan_in with scale ≥ 1.5 → he, fan_in otherwise → lecun, fan_avg/fan_out → glorot),
//   TruncatedNormal → randomNormal (untruncated), Orthogonal and Identity → glorotUniform.
//   BatchNormalization/LayerNormalization initializers are not kept (simdnet's are fixed:
//   gamma 1, beta 0, moving mean 0, moving variance 1).
// Regularizers: l2(λ) ↔ L1L2 {l1: 0, l2: λ} (also Keras's L2 {l2}); l1 is an Error.
//
// Lossy: a float64 model is exported in float32; the compile settings and optimizer state
// are neither exported nor imported (compile the imported model); seeds are not kept.
// An import checks everything it can before allocating, and frees everything it allocated
// when it fails.

import { layerRegistry } from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import { geometry } from '../layers/geometry.js';
import { Sequential } from '../model/sequential.js';
import type { DType } from '../../bindings/index.js';
import { checkKeys, describe, isPlainObject } from '../options.js';
import type { Serialized } from '../serialization.js';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface TfjsLayerJson {
  class_name: string;
  config: Record<string, unknown>;
}

export interface TfjsModelTopology {
  class_name: 'Sequential';
  config: { name: string; layers: TfjsLayerJson[] };
  keras_version: string;
  backend: string;
}

/** TF.js `ModelArtifacts` of a Layers model. */
export interface TfjsArtifacts {
  modelTopology: TfjsModelTopology;
  weightSpecs: TfjsWeightSpec[];
  weightData: ArrayBuffer;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
}

export interface FromTfjsOptions {
  /** Seed of the imported model's random streams (dropout, shuffling, re-initialization). */
  seed?: number;
  /** 'float32' (default) or 'float64' (the float32 weights are widened). */
  dtype?: DType;
}

const GENERATED_BY = 'simdnet';

// ────────────────────────────────────────── export ──────────────────────────────────────────

interface ExportWeight { name: string; shape: number[]; data: Float32Array }

/** The model as TF.js Layers artifacts; an Error names any layer TF.js cannot express. */
export function toTfjsLayers(model: Sequential): TfjsArtifacts {
  if (!(model instanceof Sequential)) throw new Error(`toTfjsLayers expects a Sequential model, got ${describe(model)}`);
  if (model.isDisposed) throw new Error(`toTfjsLayers: model '${model.name}' has been disposed`);
  if (!model.built) {
    if (!model.inputShape) throw new Error(`toTfjsLayers: model '${model.name}' is not built (give the first layer an inputShape or call build/fit/predict first)`);
    model.build();
  }
  const out: TfjsLayerJson[] = [];
  const weights: ExportWeight[] = [];
  const names = new Set(model.layers.map((l) => l.name));
  for (const layer of model.layers) exportLayer(layer, out, weights, names);
  Object.assign(out[0].config, { batch_input_shape: [null, ...model.inputShape!], dtype: 'float32' });

  const total = weights.reduce((n, w) => n + w.data.length, 0);
  const data = new Float32Array(total);
  let off = 0;
  for (const w of weights) { data.set(w.data, off); off += w.data.length; }
  return {
    modelTopology: { class_name: 'Sequential', config: { name: model.name, layers: out }, keras_version: GENERATED_BY, backend: 'tensor_flow.js' },
    weightSpecs: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
    weightData: data.buffer,
    format: 'layers-model',
    generatedBy: GENERATED_BY,
    convertedBy: null,
  };
}

const NO_REGULARIZERS = { bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null };

function exportLayer(layer: Layer, out: TfjsLayerJson[], weights: ExportWeight[], names: Set<string>): void {
  const cfg = layer.getConfig();
  const what = `${layer.className} '${layer.name}'`;
  const inShape = layer.inputShape;
  const base = { name: layer.name, trainable: layer.trainable };
  const values = new Map(layer.params().map((p) => [p.name.slice(layer.name.length + 1), p.value]));
  const push = (class_name: string, config: Record<string, unknown>) => out.push({ class_name, config: { ...config, ...base } });
  /** Adds simdnet weight `suffix` as '<layer>/<tfSuffix>' with the TF.js shape (same data order). */
  const weight = (suffix: string, tfSuffix = suffix, shape?: number[]) => {
    const t = values.get(suffix);
    if (!t) throw new Error(`toTfjsLayers: ${what} has no weight '${suffix}'`); // NOTE: a bug, not bad input
    weights.push({ name: `${layer.name}/${tfSuffix}`, shape: shape ?? t.shape.slice(), data: Float32Array.from(t.read()) });
  };
  const fail = (why: string): never => { throw new Error(`toTfjsLayers: ${what} cannot be expressed in TF.js Layers: ${why}`); };

  switch (layer.className) {
    case 'Dense':
    case 'Conv2D': {
      const act = String(cfg.activation ?? 'linear');
      const alpha = (layer as unknown as { act?: { alpha: number } }).act?.alpha;
      const split = act === 'leakyRelu';
      if (act === 'elu' && alpha !== undefined && alpha !== 1) fail(`its elu alpha is ${alpha}; TF.js's elu has alpha 1`);
      const fans = layer.className === 'Dense'
        ? { fanIn: inShape[0], fanOut: cfg.units as number }
        : (() => { const [kh, kw] = cfg.kernelSize as number[]; return { fanIn: kh * kw * inShape[2], fanOut: kh * kw * (cfg.filters as number) }; })();
      const common = {
        activation: split ? 'linear' : act, use_bias: cfg.useBias,
        kernel_initializer: initializerToTf(cfg.kernelInitializer as Serialized, fans, `${what} kernelInitializer`),
        bias_initializer: initializerToTf(cfg.biasInitializer as Serialized, fans, `${what} biasInitializer`),
        kernel_regularizer: regularizerToTf(cfg.kernelRegularizer as Serialized | null),
        ...NO_REGULARIZERS,
      };
      if (layer.className === 'Dense') push('Dense', { units: cfg.units, ...common });
      else push('Conv2D', { filters: cfg.filters, kernel_size: cfg.kernelSize, strides: cfg.strides, padding: cfg.padding, data_format: 'channels_last', dilation_rate: [1, 1], ...common });
      weight('kernel');
      if (cfg.useBias) weight('bias');
      if (split) {
        let name = `${layer.name}_activation`;
        for (let k = 2; names.has(name); k++) name = `${layer.name}_activation_${k}`;
        names.add(name);
        out.push({ class_name: 'LeakyReLU', config: { alpha: alpha ?? 0.01, name, trainable: true } });
      }
      return;
    }
    case 'MaxPool2D':
    case 'AvgPool2D':
      push(layer.className === 'MaxPool2D' ? 'MaxPooling2D' : 'AveragePooling2D', { pool_size: cfg.poolSize, padding: cfg.padding, strides: cfg.strides, data_format: 'channels_last' });
      return;
    case 'GlobalAvgPool2D':
      push('GlobalAveragePooling2D', { data_format: 'channels_last' });
      return;
    case 'Flatten':
      // NOTE: TF.js's Flatten needs rank ≥ 3 inputs; on flat inputs simdnet's is the identity
      if (inShape.length >= 2) push('Flatten', {});
      else push('Reshape', { target_shape: inShape.slice() });
      return;
    case 'Dropout':
      push('Dropout', { rate: cfg.rate, noise_shape: null, seed: null });
      return;
    case 'BatchNorm':
      push('BatchNormalization', {
        axis: -1, momentum: cfg.momentum, epsilon: cfg.epsilon, center: cfg.center, scale: cfg.scale,
        beta_initializer: ZEROS, gamma_initializer: ONES, moving_mean_initializer: ZEROS, moving_variance_initializer: ONES,
        beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
      });
      if (cfg.scale) weight('gamma');
      if (cfg.center) weight('beta');
      weight('movingMean', 'moving_mean');
      weight('movingVariance', 'moving_variance');
      return;
    case 'LayerNorm':
    case 'GroupNorm': {
      if (layer.className === 'GroupNorm' && cfg.groups !== 1) fail(`TF.js Layers has no GroupNormalization (groups ${String(cfg.groups)})`);
      const spatial = inShape.slice(0, -1).reduce((a, b) => a * b, 1);
      if (spatial !== 1) {
        fail(`on inputs [${inShape.join(', ')}] it normalizes each sample over all of them with one gamma/beta per channel, while TF.js's LayerNormalization normalizes over the last axis only (axis −1) or, over all axes, learns a gamma/beta per position; the two agree only on flat [batch, features] inputs`);
      }
      push('LayerNormalization', {
        axis: -1, epsilon: cfg.epsilon, center: cfg.center, scale: cfg.scale,
        beta_initializer: ZEROS, gamma_initializer: ONES, beta_regularizer: null, gamma_regularizer: null,
      });
      if (cfg.scale) weight('gamma');
      if (cfg.center) weight('beta');
      return;
    }
    case 'InstanceNorm':
      fail('TF.js Layers has no InstanceNormalization');
      return;
    case 'Maxout':
      fail('TF.js Layers has no maxout layer');
      return;
    case 'PReLU': {
      const c = inShape[inShape.length - 1];
      const shared = inShape.length > 1 ? inShape.slice(0, -1).map((_, i) => i + 1) : null;
      push('PReLU', {
        alpha_initializer: initializerToTf(cfg.alphaInitializer as Serialized, { fanIn: c, fanOut: c }, `${what} alphaInitializer`),
        alpha_regularizer: null, alpha_constraint: null, shared_axes: shared,
      });
      weight('alpha', 'alpha', [...inShape.slice(0, -1).map(() => 1), c]);
      return;
    }
    case 'Relu':
      push('ReLU', { max_value: null });
      return;
    case 'LeakyRelu':
      push('LeakyReLU', { alpha: cfg.alpha });
      return;
    case 'Elu':
      if (cfg.alpha !== 1) fail(`its alpha is ${String(cfg.alpha)}; tfjs-layers' ELU supports only alpha 1 (it throws NotImplementedError for any other)`);
      push('ELU', { alpha: 1 });
      return;
    case 'Softmax':
      push('Softmax', { axis: -1 });
      return;
    case 'Sigmoid':
    case 'Tanh':
      push('Activation', { activation: layer.className.toLowerCase() });
      return;
    case 'Activation': {
      const act = String(cfg.activation);
      if (act === 'leakyRelu') push('LeakyReLU', { alpha: cfg.alpha });
      else if (act === 'elu' && cfg.alpha !== 1) fail(`its elu alpha is ${String(cfg.alpha)}; TF.js's elu has alpha 1`);
      else push('Activation', { activation: act });
      return;
    }
    default:
      fail(`simdnet layer class '${layer.className}' has no TF.js Layers equivalent here`);
  }
}

const ZEROS = { class_name: 'Zeros', config: {} };
const ONES = { class_name: 'Ones', config: {} };

const VARIANCE_SCALING: Record<string, [number, string, string]> = {
  glorotUniform: [1, 'fan_avg', 'uniform'], glorotNormal: [1, 'fan_avg', 'normal'],
  heUniform: [2, 'fan_in', 'uniform'], heNormal: [2, 'fan_in', 'normal'],
  lecunUniform: [1, 'fan_in', 'uniform'], lecunNormal: [1, 'fan_in', 'normal'],
};

/** simdnet {className, config} → Keras JSON initializer (see the table at the top). */
function initializerToTf(init: Serialized, fans: { fanIn: number; fanOut: number }, what: string): TfjsLayerJson {
  const c = init.config as Record<string, number>;
  switch (init.className) {
    case 'zeros': return { class_name: 'Zeros', config: {} };
    case 'ones': return { class_name: 'Ones', config: {} };
    case 'constant': return { class_name: 'Constant', config: { value: c.value } };
    case 'randomNormal': return { class_name: 'RandomNormal', config: { mean: c.mean, stddev: c.stddev, seed: null } };
    case 'randomUniform': return { class_name: 'RandomUniform', config: { minval: c.minval, maxval: c.maxval, seed: null } };
    case 'smallRandom': return { class_name: 'RandomNormal', config: { mean: 0, stddev: 0.01, seed: null } };
    case 'xavier': return { class_name: 'RandomNormal', config: { mean: 0, stddev: Math.sqrt(1 / fans.fanIn), seed: null } };
  }
  const vs = VARIANCE_SCALING[init.className];
  if (!vs) throw new Error(`toTfjsLayers: ${what}: initializer '${init.className}' has no TF.js equivalent`);
  return { class_name: 'VarianceScaling', config: { scale: vs[0], mode: vs[1], distribution: vs[2], seed: null } };
}

function regularizerToTf(r: Serialized | null): TfjsLayerJson | null {
  return r ? { class_name: 'L1L2', config: { l1: 0, l2: (r.config as { lambda: number }).lambda } } : null;
}

// ────────────────────────────────────────── import ──────────────────────────────────────────

/** One simdnet layer to build, and where its weights come from. */
interface Planned {
  what: string;
  spec: Serialized;
  /** simdnet weight suffix → TF.js weight suffix and the TF.js shape it must have */
  weights: { suffix: string; tfName: string; tfSuffix: string; shape: number[] }[];
}

interface SpecEntry { name: string; shape: number[]; offset: number; bytes: number; used: boolean }

/**
 * A simdnet Sequential with the architecture and weights of a TF.js Layers model, from
 * `tfModel.save(tf.io.withSaveHandler(...))` artifacts ({modelTopology, weightSpecs,
 * weightData}; a model.json's {modelTopology, weightsManifest} with weightData also works).
 * Anything simdnet cannot reproduce exactly is an Error naming the layer and why; nothing
 * stays allocated when it fails. The model comes back uncompiled.
 */
export async function fromTfjsLayers(artifacts: unknown, options: FromTfjsOptions = {}): Promise<Sequential> {
  checkKeys(options, ['seed', 'dtype'], 'fromTfjsLayers');
  const { modelName, layerJson, specs, data } = readTfjsArtifacts(artifacts);
  const { inputShape, plan } = planLayers(layerJson);

  // weights: every planned weight has its spec, of the right shape; every spec is used
  const bySuffix = new Map<string, SpecEntry[]>();
  for (const s of specs) {
    const key = s.name.split('/').slice(-1)[0].replace(/:\d+$/, '');
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

  const model = new Sequential({ name: modelName, ...options });
  try {
    for (const p of plan) wrap(() => model.add(layerRegistry.fromConfig(p.spec)), p.what);
    model.build(inputShape);
    const params = model.params();
    model.setWeights(params.map((prm) => {
      const v = values.get(prm.name);
      if (!v) throw new Error(`fromTfjsLayers: no TF.js weight for simdnet weight '${prm.name}'`); // NOTE: a bug, not bad input
      return v;
    }));
  } catch (e) {
    model.dispose();
    const msg = (e as Error).message ?? String(e);
    throw msg.startsWith('fromTfjsLayers') ? e : new Error(`fromTfjsLayers: ${msg}`);
  }
  return model;
}

function wrap<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (e) {
    throw new Error(`fromTfjsLayers: ${what}: ${(e as Error).message}`);
  }
}

/** The spec '<layer>/<suffix>', or one that ends with '/<layer>/<suffix>' (a scope prefix) or '<layer>/<cell>/<suffix>'. */
function findSpec(candidates: SpecEntry[], layer: string, suffix: string): SpecEntry | undefined {
  const bare = (n: string) => n.replace(/:\d+$/, ''); // NOTE: TF variable names may end in ':0'
  const exact = candidates.find((s) => bare(s.name) === `${layer}/${suffix}`);
  if (exact) return exact;
  const near = candidates.filter((s) => {
    const t = bare(s.name).split('/');
    return t.length >= 3 && (t[t.length - 2] === layer || t[t.length - 3] === layer);
  });
  return near.length === 1 ? near[0] : undefined;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** snake_case keys → camelCase (values untouched), rejecting prototype keys and deep nesting. */
function camelKeys(v: unknown, path: string, depth = 0): unknown {
  if (depth > 64) throw new Error(`fromTfjsLayers: ${path} is nested more than 64 levels deep`);
  if (Array.isArray(v)) return v.map((x, i) => camelKeys(x, `${path}[${i}]`, depth + 1));
  if (v !== null && typeof v === 'object') {
    if (!isPlainObject(v)) throw new Error(`fromTfjsLayers: ${path} must be plain JSON data, got ${describe(v)}`);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (FORBIDDEN.has(k)) throw new Error(`fromTfjsLayers: ${path} has a forbidden key '${k}'`);
      out[k.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase())] = camelKeys(x, `${path}.${k}`, depth + 1);
    }
    return out;
  }
  return v;
}

const BYTES_PER: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, int8: 1, uint16: 2, int16: 2 };

function readTfjsArtifacts(a: unknown): { modelName: string; layerJson: Record<string, unknown>[]; specs: SpecEntry[]; data: Uint8Array } {
  if (!isPlainObject(a)) throw new Error(`fromTfjsLayers expects TF.js ModelArtifacts {modelTopology, weightSpecs, weightData}, got ${describe(a)}`);
  if (a.format !== undefined && a.format !== null && a.format !== 'layers-model') {
    throw new Error(`fromTfjsLayers: the artifacts are format ${describe(a.format)}; only TF.js Layers models ('layers-model') can be imported (a graph model has no layers to map)`);
  }
  let topo: unknown = a.modelTopology;
  if (topo === undefined || topo === null) throw new Error('fromTfjsLayers: the artifacts have no modelTopology');
  if (typeof topo === 'string') {
    try { topo = JSON.parse(topo); } catch (e) { throw new Error(`fromTfjsLayers: modelTopology is not valid JSON: ${(e as Error).message}`); }
  }
  const t = camelKeys(topo, 'modelTopology') as Record<string, unknown>;
  if (!isPlainObject(t)) throw new Error(`fromTfjsLayers: modelTopology must be an object, got ${describe(topo)}`);
  const m = (isPlainObject(t.modelConfig) ? t.modelConfig : t) as Record<string, unknown>;
  if (m.className !== 'Sequential') {
    throw new Error(`fromTfjsLayers: the model is a ${describe(m.className)}; only Sequential models can be imported (simdnet models are a stack of layers)`);
  }
  const cfg = m.config;
  const layerJson = Array.isArray(cfg) ? cfg : isPlainObject(cfg) ? cfg.layers : undefined;
  if (!Array.isArray(layerJson) || layerJson.length === 0) throw new Error(`fromTfjsLayers: modelTopology.config.layers must be a non-empty array, got ${describe(layerJson)}`);
  const modelName = isPlainObject(cfg) && typeof cfg.name === 'string' ? cfg.name : 'sequential';

  let rawSpecs: unknown = a.weightSpecs;
  if (rawSpecs === undefined && Array.isArray(a.weightsManifest)) {
    rawSpecs = a.weightsManifest.flatMap((g: unknown) => (isPlainObject(g) && Array.isArray(g.weights) ? g.weights : [g]));
  }
  if (!Array.isArray(rawSpecs)) throw new Error(`fromTfjsLayers: the artifacts have no weightSpecs array (got ${describe(rawSpecs)})`);
  if (a.weightData === undefined || a.weightData === null) {
    throw new Error(`fromTfjsLayers: the artifacts have no weightData (the topology lists ${rawSpecs.length} weights); save with the weights, or read model.json with io.loadTfjsFiles`);
  }
  const data = weightBytes(a.weightData);

  const names = new Set<string>();
  let offset = 0;
  const specs = rawSpecs.map((w: unknown, i): SpecEntry => {
    const what = `weightSpecs[${i}]`;
    if (!isPlainObject(w)) throw new Error(`fromTfjsLayers: ${what} must be {name, shape, dtype}, got ${describe(w)}`);
    if (typeof w.name !== 'string' || w.name === '') throw new Error(`fromTfjsLayers: ${what}.name must be a non-empty string, got ${describe(w.name)}`);
    if (names.has(w.name)) throw new Error(`fromTfjsLayers: ${what}: weight '${w.name}' is listed twice`);
    names.add(w.name);
    if (!Array.isArray(w.shape) || w.shape.length > 8 || w.shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
      throw new Error(`fromTfjsLayers: ${what} '${w.name}' shape must be an array of non-negative integers, got ${describe(w.shape)}`);
    }
    if (w.quantization !== undefined && w.quantization !== null) {
      throw new Error(`fromTfjsLayers: weight '${w.name}' is quantized (${describe(w.quantization)}); simdnet imports float32 weights only (convert without quantization)`);
    }
    const dtype = w.dtype ?? 'float32';
    const size = (w.shape as number[]).reduce((p, d) => p * d, 1);
    const optimizer = w.group === 'optimizer';
    if (dtype !== 'float32' && !(optimizer && typeof dtype === 'string' && dtype in BYTES_PER)) {
      throw new Error(`fromTfjsLayers: weight '${w.name}' is ${describe(dtype)}; simdnet imports float32 weights only`);
    }
    const bytes = size * BYTES_PER[dtype as string];
    const e: SpecEntry = { name: w.name, shape: (w.shape as number[]).slice(), offset, bytes: optimizer ? -1 : bytes, used: false };
    offset += bytes;
    return e;
  }).filter((s) => s.bytes >= 0); // NOTE: optimizer weights are skipped (the model comes back uncompiled)
  if (offset !== data.length) {
    throw new Error(`fromTfjsLayers: weightData has ${data.length} bytes but the weight specs need ${offset} (${data.length < offset ? 'truncated' : 'over-long'} weight data)`);
  }
  return { modelName, layerJson: layerJson as Record<string, unknown>[], specs, data };
}

/** One Uint8Array from an ArrayBuffer, a typed array, or TF.js's ArrayBuffer[] (shards). */
function weightBytes(v: unknown): Uint8Array {
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v) && v.every((b) => b instanceof ArrayBuffer || ArrayBuffer.isView(b))) {
    const parts = v.map(weightBytes);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) { out.set(p, off); off += p.length; }
    return out;
  }
  throw new Error(`fromTfjsLayers: weightData must be an ArrayBuffer (or an array of them), got ${describe(v)}`);
}

/** Reads one TF.js layer config: tracks which keys were read so unknown ones are refused. */
class Config {
  private readonly seen = new Set<string>();
  constructor(readonly raw: Record<string, unknown>, readonly what: string) {}

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  get(key: string): unknown {
    this.seen.add(key);
    return this.raw[key];
  }

  /** Marks keys that do not change what the layer computes (seeds, initializers of norms, …). */
  ignore(...keys: string[]): void {
    for (const k of keys) this.seen.add(k);
  }

  fail(why: string): never {
    throw new Error(`fromTfjsLayers: ${this.what}: ${why}`);
  }

  num(key: string, dflt?: number): number {
    const v = this.get(key) ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${key} must be a finite number, got ${describe(v)}`);
    return v;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.get(key) ?? dflt;
    if (typeof v !== 'boolean') this.fail(`${key} must be true or false, got ${describe(v)}`);
    return v;
  }

  /** Throws unless the option is absent or has its neutral value. */
  neutral(key: string, ok: (v: unknown) => boolean, why: string): void {
    const v = this.get(key);
    if (v !== undefined && v !== null && !ok(v)) this.fail(`${key} ${JSON.stringify(v)} is not supported: ${why}`);
  }

  /** Throws unless the option is absent or null (regularizers, constraints). */
  none(key: string, why: string): void {
    const v = this.get(key);
    if (v !== undefined && v !== null) this.fail(`${key} ${describe(v)} is not supported: ${why}`);
  }

  pair(key: string, dflt?: [number, number]): [number, number] {
    const v = this.get(key) ?? dflt;
    const p = typeof v === 'number' ? [v, v] : v;
    if (!Array.isArray(p) || p.length !== 2 || p.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0)) {
      this.fail(`${key} must be a positive integer or a pair of them, got ${describe(v)}`);
    }
    return [p[0], p[1]];
  }

  channelsLast(): void {
    const v = this.get('dataFormat');
    if (v !== undefined && v !== null && norm(v) !== 'channelslast') {
      this.fail(`dataFormat ${describe(v)} is not supported: simdnet's images are channels-last [batch, height, width, channels]`);
    }
  }

  padding(): 'valid' | 'same' {
    const v = this.get('padding') ?? 'valid';
    if (v !== 'valid' && v !== 'same') this.fail(`padding ${describe(v)} is not supported (simdnet has 'valid' and 'same')`);
    return v;
  }

  /** The keys nobody read: options this importer does not know, which might change the layer. */
  done(): void {
    const left = Object.keys(this.raw).filter((k) => !this.seen.has(k) && !COMMON_KEYS.has(k));
    if (left.length) this.fail(`unknown option${left.length > 1 ? 's' : ''} ${left.map((k) => `'${k}'`).join(', ')}; simdnet cannot tell whether ${left.length > 1 ? 'they change' : 'it changes'} what the layer computes`);
  }
}

/** Keys every layer may have that are handled elsewhere (name, input shape, dtype) or change nothing. */
const COMMON_KEYS = new Set(['name', 'trainable', 'dtype', 'batchInputShape', 'batchShape', 'batchSize', 'inputDtype']);

const norm = (v: unknown): string => (typeof v === 'string' ? v.replace(/_/g, '').toLowerCase() : String(v));

const FUSED: Record<string, string> = { linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', elu: 'elu', softmax: 'softmax' };

function fusedActivation(c: Config): string {
  const v = c.get('activation');
  if (v === undefined || v === null) return 'linear';
  const a = FUSED[norm(v)];
  if (!a) c.fail(`activation ${describe(v)} has no simdnet equivalent (supported: ${Object.keys(FUSED).join(', ')})`);
  return a;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Per-sample input shape from [null, ...dims]. */
function inputShapeOf(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || v.length < 2 || v.slice(1).some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d <= 0)) {
    throw new Error(`fromTfjsLayers: ${what}: batch_input_shape must be [null, ...positive integers], got ${describe(v)}; simdnet needs a fixed per-sample input shape`);
  }
  return v.slice(1) as number[];
}

/** Maps every TF.js layer to simdnet layers, tracking the per-sample shape; allocates nothing. */
function planLayers(layerJson: Record<string, unknown>[]): { inputShape: number[]; plan: Planned[] } {
  const plan: Planned[] = [];
  let shape: number[] | null = null;
  let inputShape: number[] | null = null;
  layerJson.forEach((entry, i) => {
    if (!isPlainObject(entry) || typeof entry.className !== 'string' || !isPlainObject(entry.config ?? {})) {
      throw new Error(`fromTfjsLayers: modelTopology.config.layers[${i}] must be {class_name, config}, got ${describe(entry)}`);
    }
    const raw = (entry.config ?? {}) as Record<string, unknown>;
    const tfName = typeof raw.name === 'string' && raw.name !== '' ? raw.name : `layer_${i}`;
    const what = `TF.js layer '${tfName}' (${entry.className})`;
    const c = new Config(raw, what);
    const dtype = isPlainObject(raw.dtype) ? (raw.dtype.config as Record<string, unknown> | undefined)?.name ?? raw.dtype.name : raw.dtype;
    if (dtype !== undefined && dtype !== null && dtype !== 'float32') c.fail(`dtype ${describe(dtype)} is not supported (simdnet imports float32 models)`);
    if (i === 0) {
      const s = raw.batchInputShape ?? raw.batchShape;
      if (s === undefined || s === null) c.fail('the first layer has no batch_input_shape; simdnet needs the input shape to place the weights');
      shape = inputShapeOf(s, what);
      inputShape = shape.slice();
    }
    if (entry.className === 'InputLayer') {
      if (i !== 0) c.fail('an InputLayer must be the first layer');
      c.neutral('sparse', (v) => v === false, 'simdnet has dense inputs only');
      c.neutral('ragged', (v) => v === false, 'simdnet has dense inputs only');
      c.done();
      return;
    }
    const planned = mapLayer(entry.className, c, tfName, shape!);
    c.done();
    for (const p of planned.layers) {
      p.spec.config = { name: p.spec.config.name ?? tfName, trainable: raw.trainable ?? true, ...p.spec.config };
      plan.push(p);
    }
    shape = planned.outShape;
  });
  if (plan.length === 0) throw new Error('fromTfjsLayers: the model has no layers besides its input');
  return { inputShape: inputShape!, plan };
}

function mapLayer(cls: string, c: Config, tfName: string, inShape: number[]): { layers: Planned[]; outShape: number[] } {
  const what = c.what;
  const rank = inShape.length + 1; // with the batch axis
  const C = inShape[inShape.length - 1];
  const one = (className: string, config: Record<string, unknown>, outShape: number[], weights: Planned['weights'] = []) =>
    ({ layers: [{ what, spec: { className, config }, weights }], outShape });
  const w = (suffix: string, shape: number[], tfSuffix = suffix) => ({ suffix, tfName, tfSuffix, shape });
  /** The one axis the option names, as an index with the batch axis, from a number or a one-element array. */
  const axisOf = (key: string, dflt: number): number => {
    let v = c.get(key) ?? dflt;
    if (Array.isArray(v) && v.length === 1) v = v[0];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -rank || v >= rank) c.fail(`${key} must be one axis of the rank-${rank} input, got ${describe(v)}`);
    return v < 0 ? v + rank : v;
  };

  switch (cls) {
    case 'Dense': {
      if (inShape.length !== 1) c.fail(`on a rank-${rank} input TF.js's Dense applies to the last axis; simdnet's dense needs flat [batch, features] inputs (add a Flatten before it)`);
      const units = c.num('units');
      if (!Number.isInteger(units) || units <= 0) c.fail(`units must be a positive integer, got ${units}`);
      const k = kernelOptions(c);
      return one('Dense', { units, ...k }, [units], [w('kernel', [inShape[0], units]), ...(k.useBias ? [w('bias', [units])] : [])]);
    }
    case 'Conv2D': {
      if (inShape.length !== 3) c.fail(`expects images [batch, height, width, channels], got per-sample shape [${inShape.join(', ')}]`);
      c.channelsLast();
      const filters = c.num('filters');
      if (!Number.isInteger(filters) || filters <= 0) c.fail(`filters must be a positive integer, got ${filters}`);
      const kernelSize = c.pair('kernelSize');
      const strides = c.pair('strides', [1, 1]);
      const dil = c.pair('dilationRate', [1, 1]);
      if (dil[0] !== 1 || dil[1] !== 1) c.fail(`dilationRate [${dil.join(', ')}] is not supported: simdnet's conv2d has no dilation`);
      c.neutral('groups', (v) => v === 1, "simdnet's conv2d has no grouped convolution");
      const padding = c.padding();
      const k = kernelOptions(c);
      const g = wrap(() => geometry(inShape, kernelSize, strides, padding, `conv2d '${tfName}'`, 'kernel'), what);
      return one('Conv2D', { filters, kernelSize, strides, padding, ...k }, [g.OH, g.OW, filters],
        [w('kernel', [kernelSize[0], kernelSize[1], C, filters]), ...(k.useBias ? [w('bias', [filters])] : [])]);
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (inShape.length !== 3) c.fail(`expects images [batch, height, width, channels], got per-sample shape [${inShape.join(', ')}]`);
      c.channelsLast();
      const poolSize = c.pair('poolSize', [2, 2]);
      const strides = c.pair('strides', poolSize);
      const padding = c.padding();
      const g = wrap(() => geometry(inShape, poolSize, strides, padding, `${cls} '${tfName}'`, 'pool'), what);
      return one(cls === 'MaxPooling2D' ? 'MaxPool2D' : 'AvgPool2D', { poolSize, strides, padding }, [g.OH, g.OW, g.C]);
    }
    case 'GlobalAveragePooling2D':
      if (inShape.length !== 3) c.fail(`expects images [batch, height, width, channels], got per-sample shape [${inShape.join(', ')}]`);
      c.channelsLast();
      c.neutral('keepdims', (v) => v === false, "simdnet's globalAvgPool2d outputs [batch, channels]");
      return one('GlobalAvgPool2D', {}, [C]);
    case 'Flatten':
      c.channelsLast();
      return one('Flatten', {}, [size(inShape)]);
    case 'Reshape': {
      const target = c.get('targetShape');
      if (!Array.isArray(target) || target.length !== 1 || target[0] !== size(inShape)) {
        c.fail(`only a Reshape to [${size(inShape)}] (a flatten) is supported, got target_shape ${describe(target)}`);
      }
      return one('Flatten', {}, [size(inShape)]);
    }
    case 'Dropout': {
      const rate = c.num('rate');
      c.none('noiseShape', 'simdnet drops each element independently');
      c.ignore('seed');
      return one('Dropout', { rate }, inShape);
    }
    case 'BatchNormalization': {
      const axis = axisOf('axis', -1);
      if (axis !== rank - 1) c.fail(`axis ${axis} is not supported: simdnet's batchNorm normalizes the last (channel) axis, ${rank - 1} here`);
      const center = c.bool('center', true), scale = c.bool('scale', true);
      const config = { momentum: c.num('momentum', 0.99), epsilon: c.num('epsilon', 1e-3), center, scale };
      for (const k of ['betaRegularizer', 'gammaRegularizer']) c.none(k, 'simdnet regularizes kernels only');
      for (const k of ['betaConstraint', 'gammaConstraint']) c.none(k, 'simdnet has no weight constraints');
      c.neutral('renorm', (v) => v === false, 'simdnet has no batch renormalization');
      c.neutral('synchronized', (v) => v === false, 'simdnet trains on one device');
      c.ignore('betaInitializer', 'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer');
      return one('BatchNorm', config, inShape, [
        ...(scale ? [w('gamma', [C])] : []), ...(center ? [w('beta', [C])] : []),
        w('movingMean', [C], 'moving_mean'), w('movingVariance', [C], 'moving_variance'),
      ]);
    }
    case 'LayerNormalization': {
      let axes = c.get('axis') ?? -1;
      if (!Array.isArray(axes)) axes = [axes];
      const list = (axes as unknown[]).map((a) => {
        if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank || a === 0 || a === -rank) c.fail(`axis must list non-batch axes of the rank-${rank} input, got ${describe(c.raw.axis)}`);
        return a < 0 ? a + rank : a;
      });
      const spatial = size(inShape.slice(0, -1));
      if (!list.includes(rank - 1) || spatial !== 1) {
        c.fail(`axis ${JSON.stringify(c.raw.axis ?? -1)} on per-sample shape [${inShape.join(', ')}] has no simdnet equivalent: simdnet's layerNorm normalizes each sample over all its non-batch axes with one gamma/beta per channel; that agrees with TF.js's LayerNormalization only on flat [batch, features] inputs`);
      }
      const center = c.bool('center', true), scale = c.bool('scale', true);
      for (const k of ['betaRegularizer', 'gammaRegularizer']) c.none(k, 'simdnet regularizes kernels only');
      for (const k of ['betaConstraint', 'gammaConstraint']) c.none(k, 'simdnet has no weight constraints');
      c.neutral('rmsScaling', (v) => v === false, "simdnet's layerNorm subtracts the mean");
      c.ignore('betaInitializer', 'gammaInitializer');
      const pshape = list.sort((a, b) => a - b).map((a) => inShape[a - 1]);
      return one('LayerNorm', { epsilon: c.num('epsilon', 1e-3), center, scale }, inShape,
        [...(scale ? [w('gamma', pshape)] : []), ...(center ? [w('beta', pshape)] : [])]);
    }
    case 'PReLU': {
      const sharedRaw = c.get('sharedAxes');
      const shared = sharedRaw === undefined || sharedRaw === null ? [] : Array.isArray(sharedRaw) ? sharedRaw : [sharedRaw];
      if (shared.some((a) => typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank || a === 0)) c.fail(`sharedAxes must list non-batch axes, got ${describe(sharedRaw)}`);
      const sh = shared.map((a: number) => (a < 0 ? a + rank : a));
      const pshape = inShape.map((d, i) => (sh.includes(i + 1) ? 1 : d));
      if (pshape.slice(0, -1).some((d) => d !== 1) || pshape[pshape.length - 1] !== C) {
        c.fail(`with sharedAxes ${JSON.stringify(sharedRaw ?? null)} on per-sample shape [${inShape.join(', ')}] it learns an alpha of shape [${pshape.join(', ')}]; simdnet's prelu learns one per channel (TF.js sharedAxes ${JSON.stringify(inShape.slice(0, -1).map((_, j) => j + 1))})`);
      }
      c.none('alphaRegularizer', 'simdnet regularizes kernels only');
      c.none('alphaConstraint', 'simdnet has no weight constraints');
      return one('PReLU', { alphaInitializer: initializerFromTf(c, 'alphaInitializer') ?? { className: 'zeros', config: {} } }, inShape, [w('alpha', pshape)]);
    }
    case 'ReLU':
      c.neutral('maxValue', () => false, 'simdnet has no capped relu');
      c.neutral('negativeSlope', (v) => v === 0, 'use LeakyReLU');
      c.neutral('threshold', (v) => v === 0, 'simdnet has no thresholded relu');
      return one('Relu', {}, inShape);
    case 'LeakyReLU': {
      const alpha = c.has('negativeSlope') ? c.num('negativeSlope') : c.num('alpha', 0.3);
      return one('LeakyRelu', { alpha }, inShape);
    }
    case 'ELU':
      return one('Elu', { alpha: c.num('alpha', 1) }, inShape);
    case 'Softmax': {
      // NOTE: tfjs-layers' Softmax defaults to axis 1 (Keras to −1)
      const axis = axisOf('axis', 1);
      if (axis !== rank - 1) c.fail(`axis ${axis} is not supported: simdnet's softmax runs over the last axis, ${rank - 1} here`);
      return one('Softmax', {}, inShape);
    }
    case 'Activation': {
      const v = c.get('activation');
      const a = FUSED[norm(v ?? 'linear')];
      if (!a) c.fail(`activation ${describe(v)} has no simdnet equivalent (supported: ${Object.keys(FUSED).join(', ')})`);
      return one('Activation', { activation: a }, inShape);
    }
    default:
      c.fail(`layer class '${cls}' has no simdnet equivalent (supported: InputLayer, ${SUPPORTED.join(', ')})`);
  }
}

const SUPPORTED = ['Dense', 'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Flatten', 'Reshape (to flat)', 'Dropout',
  'BatchNormalization', 'LayerNormalization (flat inputs)', 'PReLU', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'Activation'];

/** Dense/Conv2D options shared by both: activation, bias, initializers, the kernel's l2; no constraints or other regularizers. */
function kernelOptions(c: Config): Record<string, unknown> & { useBias: boolean } {
  const useBias = c.bool('useBias', true);
  const out: Record<string, unknown> & { useBias: boolean } = { activation: fusedActivation(c), useBias };
  const ki = initializerFromTf(c, 'kernelInitializer');
  const bi = initializerFromTf(c, 'biasInitializer');
  if (ki) out.kernelInitializer = ki;
  if (bi) out.biasInitializer = bi;
  const reg = regularizerFromTf(c, 'kernelRegularizer');
  if (reg) out.kernelRegularizer = reg;
  c.none('biasRegularizer', 'simdnet regularizes kernels only');
  c.none('activityRegularizer', 'simdnet has no activity regularization');
  c.none('kernelConstraint', 'simdnet has no weight constraints');
  c.none('biasConstraint', 'simdnet has no weight constraints');
  c.neutral('loraRank', (v) => v === 0, 'simdnet has no LoRA');
  return out;
}

/** TF.js / Keras initializer → simdnet {className, config} (see the table at the top); undefined → the simdnet default. */
function initializerFromTf(c: Config, key: string): Serialized | undefined {
  const v = c.get(key);
  if (v === undefined || v === null) return undefined;
  const fail = (why: string): never => c.fail(`${key}: ${why}`);
  let cls: string;
  let cfg: Record<string, unknown> = {};
  if (typeof v === 'string') cls = v;
  else if (isPlainObject(v) && typeof v.className === 'string') { cls = v.className; cfg = isPlainObject(v.config) ? v.config : {}; }
  else return fail(`expected {class_name, config} or a name, got ${describe(v)}`);
  const n = (k: string, d: number): number => {
    const x = cfg[k] ?? d;
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${k} must be a finite number, got ${describe(x)}`);
    return x as number;
  };
  const named = (className: string): Serialized => ({ className, config: {} });
  switch (norm(cls)) {
    case 'zeros': case 'zero': return named('zeros');
    case 'ones': case 'one': return named('ones');
    case 'constant': return { className: 'constant', config: { value: n('value', 0) } };
    case 'randomnormal': return { className: 'randomNormal', config: { mean: n('mean', 0), stddev: n('stddev', 0.05) } };
    case 'truncatednormal': return { className: 'randomNormal', config: { mean: n('mean', 0), stddev: n('stddev', 0.05) } };
    case 'randomuniform': return { className: 'randomUniform', config: { minval: n('minval', -0.05), maxval: n('maxval', 0.05) } };
    case 'glorotuniform': return named('glorotUniform');
    case 'glorotnormal': return named('glorotNormal');
    case 'heuniform': return named('heUniform');
    case 'henormal': return named('heNormal');
    case 'lecununiform': return named('lecunUniform');
    case 'lecunnormal': return named('lecunNormal');
    case 'orthogonal': case 'identity': return named('glorotUniform');
    case 'variancescaling': {
      const scale = n('scale', 1);
      const mode = norm(cfg.mode ?? 'fan_in');
      const dist = norm(cfg.distribution ?? 'normal');
      if (!['fanin', 'fanout', 'fanavg'].includes(mode)) fail(`VarianceScaling mode ${describe(cfg.mode)} is not fan_in, fan_out or fan_avg`);
      if (!['normal', 'truncatednormal', 'untruncatednormal', 'uniform'].includes(dist)) fail(`VarianceScaling distribution ${describe(cfg.distribution)} is unknown`);
      if (dist === 'untruncatednormal' && mode === 'fanin' && scale === 1) return named('xavier');
      const family = dist === 'uniform' ? 'Uniform' : 'Normal';
      const kind = mode === 'fanin' ? (scale >= 1.5 ? 'he' : 'lecun') : 'glorot';
      return named(`${kind}${family}`);
    }
    default:
      return fail(`initializer '${cls}' has no simdnet equivalent`);
  }
}

function regularizerFromTf(c: Config, key: string): Serialized | null {
  const v = c.get(key);
  if (v === undefined || v === null) return null;
  if (!isPlainObject(v) || typeof v.className !== 'string') c.fail(`${key}: expected {class_name, config}, got ${describe(v)}`);
  const r = v as { className: string; config?: Record<string, unknown> };
  const cfg = r.config ?? {};
  const cls = norm(r.className);
  if (cls !== 'l1l2' && cls !== 'l2') c.fail(`${key} '${r.className}' is not supported: simdnet has l2 only`);
  const l1 = cfg.l1 ?? 0;
  if (l1 !== 0) c.fail(`${key} has l1 ${describe(l1)}: simdnet has l2 regularization only`);
  const l2 = cfg.l2 ?? 0.01;
  if (typeof l2 !== 'number' || !Number.isFinite(l2) || l2 < 0) c.fail(`${key} l2 must be a finite number ≥ 0, got ${describe(l2)}`);
  return l2 === 0 ? null : { className: 'l2', config: { lambda: l2 } };
}

// ──────────────────────────────────────── model.json files ────────────────────────────────────────

interface Fs {
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
}
interface PathMod { join(...p: string[]): string; dirname(p: string): string; isAbsolute(p: string): boolean; normalize(p: string): string; sep: string }

async function node(): Promise<{ fs: Fs; path: PathMod }> {
  try {
    const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
    return { fs: fs as unknown as Fs, path: path as unknown as PathMod };
  } catch {
    throw new Error('io.saveTfjsFiles/io.loadTfjsFiles need a file system (Node, Bun or Deno); in a browser use io.toTfjsLayers with tf.io.browserDownloads');
  }
}

/** Writes `model.json` (with weightsManifest [{paths: ['weights.bin'], weights}]) and `weights.bin` into dir, as tfjs-node's file:// handler does. */
export async function saveTfjsFiles(model: Sequential, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`saveTfjsFiles: dir must be a non-empty string, got ${describe(dir)}`);
  const a = toTfjsLayers(model);
  const { fs, path } = await node();
  await fs.mkdir(dir, { recursive: true });
  const json = {
    modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  };
  const tag = `.tmp-${Date.now().toString(36)}`;
  const put = async (name: string, data: Uint8Array | string) => {
    const to = path.join(dir, name);
    await fs.writeFile(to + tag, data);
    await fs.rename(to + tag, to);
  };
  // NOTE: the weights first: a model.json on disk always has its weights next to it
  await put('weights.bin', new Uint8Array(a.weightData));
  await put('model.json', JSON.stringify(json));
}

/** Reads a TF.js Layers `model.json` and the weight files its weightsManifest lists (paths relative to it). */
export async function loadTfjsFiles(modelJsonPath: string, options?: FromTfjsOptions): Promise<Sequential> {
  if (typeof modelJsonPath !== 'string' || modelJsonPath === '') throw new Error(`loadTfjsFiles: the path must be a non-empty string, got ${describe(modelJsonPath)}`);
  const { fs, path } = await node();
  const text = new TextDecoder('utf-8').decode(await fs.readFile(modelJsonPath));
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { throw new Error(`loadTfjsFiles: ${modelJsonPath} is not valid JSON: ${(e as Error).message}`); }
  if (!isPlainObject(json)) throw new Error(`loadTfjsFiles: ${modelJsonPath} must hold a JSON object, got ${describe(json)}`);
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new Error(`loadTfjsFiles: ${modelJsonPath} has no weightsManifest array (got ${describe(manifest)})`);
  const dir = path.dirname(modelJsonPath);
  const specs: unknown[] = [];
  const shards: Uint8Array[] = [];
  for (const [i, group] of manifest.entries()) {
    if (!isPlainObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new Error(`loadTfjsFiles: weightsManifest[${i}] must be {paths, weights}, got ${describe(group)}`);
    }
    specs.push(...group.weights);
    for (const p of group.paths) {
      // NOTE: a model.json from elsewhere must not make us read files outside its directory
      if (typeof p !== 'string' || p === '' || path.isAbsolute(p) || path.normalize(p).split(/[\\/]/).includes('..')) {
        throw new Error(`loadTfjsFiles: weightsManifest[${i}] lists the path ${describe(p)}; weight files must be relative paths inside the model's directory`);
      }
      shards.push(await fs.readFile(path.join(dir, p)));
    }
  }
  return fromTfjsLayers({ modelTopology: json.modelTopology, format: json.format, weightSpecs: specs, weightData: shards }, options);
}
