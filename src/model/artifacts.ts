// save() and load(): the model as `{topology, weights}`. `topology` is plain JSON (the
// format name and version, the model's and each layer's {className, config}, the compile
// settings, and a manifest of the weight bytes); `weights` is one Uint8Array holding, in
// manifest order, every weight, every optimizer slot, the step counters and every RNG
// stream, little-endian, as they are in wasm memory. A loaded model predicts the same bits
// and trains on to the same bits as the model that was saved. docs/ARCHITECTURE.md has the
// versioning rules.
//
// Loading treats its input as hostile: every field is checked before it is used, the
// manifest must account for every byte (and match a CRC-32), no key may be __proto__,
// constructor or prototype, and the untrusted topology is built under an allocation budget
// derived from the size of the weights, so `units: 2000000000` fails at once. Any failure
// frees everything the load allocated.

import { runtime, WasmTensor, BYTES, MAX_BYTES, type DType } from '../../bindings/index.js';
import { getLoss } from '../losses.js';
import { resolveMetrics } from '../metrics.js';
import { optimizerRegistry } from '../optimizers/index.js';
import { checkKeys, describe, isPlainObject } from '../options.js';
import { serialize, type Serialized } from '../serialization.js';
import { crc32 } from './crc32.js';
import { graphConfig, type GraphConfig } from './graph-config.js';
import type { Session } from './session.js';

export const FORMAT = 'simdnet-model';
export const FORMAT_VERSION = 1;

export interface WeightSpec { name: string; shape: number[]; dtype: 'float32' | 'float64' | 'int32' }

export interface Topology {
  format: typeof FORMAT;
  version: number;
  model:
    | { className: 'Sequential'; config: { name: string; seed: number; dtype: DType; layers: Serialized[] } }
    | { className: 'Model'; config: { name: string; seed: number; dtype: DType } & GraphConfig };
  /** The per-sample input shape the model was built for; null when it was not built. */
  inputShape: number[] | null;
  /** compile() arguments; null for a model saved uncompiled. */
  training: { loss: Serialized; metrics: (string | Serialized)[]; optimizer: Serialized } | null;
  /** Id of the next RNG stream a layer added later will get. */
  nextStreamId: number;
  weightSpecs: WeightSpec[];
  weightsBytes: number;
  /** CRC-32 (IEEE) of the weight bytes, 8 hex digits. */
  weightsCrc32: string;
}

export interface ModelArtifacts {
  topology: Topology;
  weights: Uint8Array;
}

export interface LoadOptions {
  /** Load weights that are NaN or ±Infinity instead of refusing the file (default false). */
  allowNonFinite?: boolean;
}

/** A manifest entry: its spec, its live bytes, and the tensor they are (null for counters and streams). */
interface Entry { spec: WeightSpec; bytes: () => Uint8Array; tensor: WasmTensor | null }

/** Every stateful tensor of a session, in manifest order, as live byte views. */
function entries(s: Session): Entry[] {
  const out: Entry[] = [];
  const tensor = (name: string, t: WasmTensor) => out.push({ spec: { name, shape: t.shape.slice(), dtype: t.dtype }, bytes: () => t.byteView(), tensor: t });
  if (!s.built) return out;
  for (const p of s.params()) tensor(p.name, p.value);
  const opt = s.optimizer;
  if (opt?.isAttached) {
    for (const { name, tensor: t } of opt.stateTensors()) tensor(`optimizer/${name}`, t);
    // NOTE: counters are stored as float64: exact for every count below 2^53
    out.push({ spec: { name: 'optimizer/iterations', shape: [1], dtype: 'float64' }, bytes: () => f64Bytes([opt.iterations]), tensor: null });
    out.push({ spec: { name: 'optimizer/steps', shape: [opt.paramSteps.length], dtype: 'float64' }, bytes: () => f64Bytes(opt.paramSteps), tensor: null });
  }
  for (const { name, bytes } of s.streamStates()) out.push({ spec: { name: `rng/${name}`, shape: [4], dtype: 'int32' }, bytes: () => bytes, tensor: null });
  return out;
}

/** How load() makes a model of a class from its checked config (registered by model.ts and sequential.ts). */
export type ModelBuilder = (config: Record<string, unknown> & { name: string; seed: number; dtype: DType }, inputShape: number[] | null) => LoadedModel;
interface LoadedModel { dispose(): void; build(shape: number[]): void; readonly session: Session }
const builders = new Map<string, ModelBuilder>();
export function registerModelClass(className: string, build: ModelBuilder): void {
  builders.set(className, build);
}

export function saveModel(s: Session, model: { name: string; seed: number; dtype: DType; inputName: string }): ModelArtifacts {
  // the optimizer's state follows the current trainable flags before it is written
  if (s.built && s.optimizer) s.applyTrainable();
  const list = entries(s);
  const total = list.reduce((n, e) => n + specBytes(e.spec), 0);
  const weights = new Uint8Array(total);
  let off = 0;
  for (const e of list) { const b = e.bytes(); weights.set(b, off); off += b.length; }
  const topology: Topology = {
    format: FORMAT,
    version: FORMAT_VERSION,
    model: s.isChain
      ? { className: 'Sequential', config: { name: model.name, seed: model.seed, dtype: model.dtype, layers: s.layers.map((l) => serialize(l)) } }
      : { className: 'Model', config: { name: model.name, seed: model.seed, dtype: model.dtype, ...graphConfig(s, model.inputName) } },
    inputShape: s.built ? s.inputShape.slice() : null,
    training: s.loss && s.optimizer ? { loss: serialize(s.loss), metrics: s.metricSpecList.map(metricSpec), optimizer: serialize(s.optimizer) } : null,
    nextStreamId: s.nextStreamId,
    weightSpecs: list.map((e) => e.spec),
    weightsBytes: total,
    weightsCrc32: hex(crc32(weights)),
  };
  return { topology: JSON.parse(JSON.stringify(topology)) as Topology, weights };
}

/**
 * Rebuilds a model from artifacts: `expect` is the class the caller wants (Sequential.load)
 * or null for any (Model.load). The topology is built under an allocation budget derived
 * from the weight bytes; any failure frees everything the load allocated.
 */
export async function loadModel(artifacts: unknown, options: LoadOptions, expect: 'Sequential' | null): Promise<LoadedModel> {
  options ??= {};
  checkKeys(options, ['allowNonFinite'], 'load');
  const { topology, weights } = readArtifacts(artifacts);
  const { className, config } = topology.model;
  if (expect && className !== expect) throw new Error(`this file holds a functional Model ('${config.name}'), not a ${expect}: load it with Model.load`);
  const build = builders.get(className);
  if (!build) throw new Error(`no model class '${className}' is registered (import simdnet's index, which registers Sequential and Model)`);
  const arena = runtime().arena;
  let model: LoadedModel | null = null;
  try {
    arena.transaction(() => {
      // NOTE: a build allocates weights and gradients (2×) plus small per-layer state; a
      // topology that would take far more than its weight bytes cannot be this file's
      const budget = 4 * weights.length + (1 << 20);
      arena.transaction(() => {
        model = build(config as never, topology.inputShape);
        if (topology.inputShape) model.build(topology.inputShape);
      }, { bytes: budget, what: `loading a model with ${weights.length} weight bytes` });
      const session = model!.session;
      if (topology.training) {
        // NOTE: set as saved, without compile's loss-vs-output check: a model saved after
        // pop() (a headless backbone) loads in the same state and is compiled again later
        const t = topology.training;
        const loss = getLoss(t.loss);
        resolveMetrics(t.metrics, loss, null, false);
        const optimizer = optimizerRegistry.fromConfig(t.optimizer, 'topology.training.optimizer');
        optimizer.claim(session);
        session.setTraining(loss, t.metrics, optimizer);
      }
      restoreState(session, topology, weights, options.allowNonFinite ?? false);
    });
  } catch (e) {
    (model as LoadedModel | null)?.dispose();
    throw e;
  }
  return model!;
}

/** Writes the weight bytes into a freshly built (and compiled) session, checking every spec. */
function restoreState(s: Session, topology: Topology, weights: Uint8Array, allowNonFinite: boolean): void {
  const specs = topology.weightSpecs;
  const hasOptimizer = specs.some((w) => w.name.startsWith('optimizer/'));
  if (!s.built && specs.length > 0) throw new Error(`the weights list ${specs.length} tensors but the topology has no inputShape (an unbuilt model has none)`);
  if (hasOptimizer && !s.optimizer) throw new Error('the weights hold optimizer state but the topology has no training (compile) section');
  if (hasOptimizer) s.applyTrainable(); // allocates the optimizer's slots for the trainable weights
  const list = entries(s);
  const have = new Map(list.map((e) => [e.spec.name, e]));
  for (const e of list) {
    if (!specs.some((w) => w.name === e.spec.name)) throw new Error(`the weights have no '${e.spec.name}' (${e.spec.dtype} ${JSON.stringify(e.spec.shape)}) that the topology needs`);
  }
  let off = 0;
  for (const w of specs) {
    const e = have.get(w.name);
    if (!e) throw new Error(`the weights hold '${w.name}', which this topology has no place for`);
    if (e.spec.dtype !== w.dtype || e.spec.shape.length !== w.shape.length || e.spec.shape.some((d, i) => d !== w.shape[i])) {
      throw new Error(`weight '${w.name}' is ${w.dtype} ${JSON.stringify(w.shape)} in the file but the model needs ${e.spec.dtype} ${JSON.stringify(e.spec.shape)}`);
    }
    const n = specBytes(w);
    const src = weights.subarray(off, off + n);
    off += n;
    if (w.name === 'optimizer/iterations' || w.name === 'optimizer/steps') {
      const counts = Array.from(new Float64Array(src.slice().buffer));
      if (counts.some((c) => !Number.isSafeInteger(c) || c < 0)) throw new Error(`'${w.name}' holds an invalid count (${counts.find((c) => !Number.isSafeInteger(c) || c < 0)})`);
      if (w.name === 'optimizer/iterations') s.optimizer!.iterations = counts[0];
      else s.optimizer!.paramSteps = counts;
      continue;
    }
    const dst = e.bytes();
    dst.set(src);
    if (!allowNonFinite && w.dtype !== 'int32' && e.tensor) {
      const t = e.tensor;
      const bad = runtime().kernels[w.dtype].firstNonFinite(t, t.size);
      if (bad >= 0) throw new Error(`weight '${w.name}' holds ${t.view()[bad]} at index ${bad}; load with {allowNonFinite: true} to accept it`);
    }
  }
  s.nextStreamId = topology.nextStreamId;
}

// ---- validation of untrusted artifacts ----

const TOPOLOGY_KEYS = ['format', 'version', 'model', 'inputShape', 'training', 'nextStreamId', 'weightSpecs', 'weightsBytes', 'weightsCrc32'];
/**
 * NOTE: layers without weights cost a file a few bytes each, and adding n layers to a model
 * takes O(n²) (names are checked against every layer): a file of 10,000 unnamed layers took
 * 14 s to load. No Sequential model comes near this bound.
 */
const MAX_LAYERS = 2000;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Checks the artifacts' shape and bytes before anything is built. */
export function readArtifacts(artifacts: unknown): { topology: Topology; weights: Uint8Array } {
  if (!isPlainObject(artifacts)) throw new Error(`load expects {topology, weights} as save() returns, got ${describe(artifacts)}`);
  checkKeys(artifacts, ['topology', 'weights'], 'model artifacts');
  let raw: unknown = artifacts.topology;
  if (typeof raw === 'string') {
    try { raw = JSON.parse(raw); } catch (e) { throw new Error(`topology is not valid JSON: ${(e as Error).message}`); }
  }
  checkTree(raw, 'topology', 0);
  if (!isPlainObject(raw)) throw new Error(`topology must be an object, got ${describe(raw)}`);
  const t = raw;
  if (t.format !== FORMAT) throw new Error(`topology.format is ${describe(t.format)}, not '${FORMAT}': not a simdnet model`);
  if (typeof t.version !== 'number' || !Number.isInteger(t.version) || t.version < 1) throw new Error(`topology.version must be a positive integer, got ${describe(t.version)}`);
  if (t.version > FORMAT_VERSION) throw new Error(`format version ${t.version} is newer than this simdnet supports (${FORMAT_VERSION})`);
  checkKeys(t, TOPOLOGY_KEYS, 'topology');
  for (const key of TOPOLOGY_KEYS) if (!(key in t)) throw new Error(`topology has no '${key}'`);

  const model = t.model;
  if (!isPlainObject(model) || (model.className !== 'Sequential' && model.className !== 'Model')) throw new Error(`topology.model must be {className: 'Sequential' or 'Model', config}, got ${describe(model)}`);
  checkKeys(model, ['className', 'config'], 'topology.model');
  const cfg = model.config;
  if (!isPlainObject(cfg)) throw new Error(`topology.model.config must be an object, got ${describe(cfg)}`);
  checkKeys(cfg, model.className === 'Sequential' ? ['name', 'seed', 'dtype', 'layers'] : ['name', 'seed', 'dtype', 'layers', 'inputLayers', 'outputLayers', 'nodeOrder'], 'topology.model.config');
  if (typeof cfg.name !== 'string') throw new Error(`topology.model.config.name must be a string, got ${describe(cfg.name)}`);
  if (cfg.dtype !== 'float32' && cfg.dtype !== 'float64') throw new Error(`topology.model.config.dtype must be 'float32' or 'float64', got ${describe(cfg.dtype)}`);
  if (typeof cfg.seed !== 'number' || !Number.isSafeInteger(cfg.seed) || cfg.seed < 0) throw new Error(`topology.model.config.seed must be a non-negative integer, got ${describe(cfg.seed)}`);
  if (!Array.isArray(cfg.layers)) throw new Error(`topology.model.config.layers must be an array, got ${describe(cfg.layers)}`);
  if (cfg.layers.length > MAX_LAYERS) throw new Error(`topology.model.config.layers has ${cfg.layers.length} layers; load accepts at most ${MAX_LAYERS}`);
  if (model.className === 'Model' && (!Array.isArray(cfg.nodeOrder) || cfg.nodeOrder.length > MAX_LAYERS)) throw new Error(`topology.model.config.nodeOrder must be an array of at most ${MAX_LAYERS} nodes, got ${describe(cfg.nodeOrder)}`);
  if (t.inputShape !== null && !isShape(t.inputShape, 1)) throw new Error(`topology.inputShape must be null or an array of positive integers, got ${describe(t.inputShape)}`);
  if (t.training !== null) {
    const tr = t.training;
    if (!isPlainObject(tr)) throw new Error(`topology.training must be null or {loss, metrics, optimizer}, got ${describe(tr)}`);
    checkKeys(tr, ['loss', 'metrics', 'optimizer'], 'topology.training');
    getLoss(tr.loss);
    if (!Array.isArray(tr.metrics)) throw new Error(`topology.training.metrics must be an array, got ${describe(tr.metrics)}`);
  }
  if (typeof t.nextStreamId !== 'number' || !Number.isSafeInteger(t.nextStreamId) || t.nextStreamId < 0 || t.nextStreamId > 2 ** 32 - 1) {
    throw new Error(`topology.nextStreamId must be an integer in [0, 2^32), got ${describe(t.nextStreamId)}`);
  }
  const specs = checkSpecs(t.weightSpecs);
  const total = specs.reduce((n, w) => n + specBytes(w), 0);
  if (t.weightsBytes !== total) throw new Error(`topology.weightsBytes is ${describe(t.weightsBytes)} but the weight specs add up to ${total} bytes`);

  const weights = toBytes(artifacts.weights);
  if (weights.length !== total) {
    throw new Error(`the weights have ${weights.length} bytes but the topology lists ${total} (${weights.length < total ? 'truncated' : 'over-long'} weights)`);
  }
  if (typeof t.weightsCrc32 !== 'string' || !/^[0-9a-f]{8}$/.test(t.weightsCrc32)) throw new Error(`topology.weightsCrc32 must be 8 hex digits, got ${describe(t.weightsCrc32)}`);
  const sum = hex(crc32(weights));
  if (sum !== t.weightsCrc32) throw new Error(`the weights are damaged: CRC-32 ${sum}, the topology says ${t.weightsCrc32}`);
  return { topology: t as unknown as Topology, weights };
}

function checkSpecs(v: unknown): WeightSpec[] {
  if (!Array.isArray(v)) throw new Error(`topology.weightSpecs must be an array, got ${describe(v)}`);
  const names = new Set<string>();
  return v.map((w, i) => {
    const what = `topology.weightSpecs[${i}]`;
    if (!isPlainObject(w)) throw new Error(`${what} must be {name, shape, dtype}, got ${describe(w)}`);
    checkKeys(w, ['name', 'shape', 'dtype'], what);
    if (typeof w.name !== 'string' || w.name === '') throw new Error(`${what}.name must be a non-empty string, got ${describe(w.name)}`);
    if (names.has(w.name)) throw new Error(`${what}: '${w.name}' is listed twice`);
    names.add(w.name);
    if (w.dtype !== 'float32' && w.dtype !== 'float64' && w.dtype !== 'int32') throw new Error(`${what}.dtype must be float32, float64 or int32, got ${describe(w.dtype)}`);
    if (!isShape(w.shape, 0)) throw new Error(`${what}.shape must be an array of non-negative integers, got ${describe(w.shape)}`);
    const spec = w as unknown as WeightSpec;
    if (specBytes(spec) > MAX_BYTES) throw new Error(`${what} '${w.name}' ${JSON.stringify(w.shape)} would need ${specBytes(spec)} bytes; wasm memory is limited to 4 GiB`);
    return spec;
  });
}

/** Rejects prototype keys anywhere in the tree, and absurd nesting. */
function checkTree(v: unknown, path: string, depth: number): void {
  if (depth > 64) throw new Error(`${path} is nested more than 64 levels deep`);
  if (Array.isArray(v)) { v.forEach((x, i) => checkTree(x, `${path}[${i}]`, depth + 1)); return; }
  if (v !== null && typeof v === 'object') {
    if (!isPlainObject(v)) throw new Error(`${path} must be plain JSON data, got ${describe(v)}`);
    for (const key of Object.keys(v)) {
      if (FORBIDDEN.has(key)) throw new Error(`${path} has a forbidden key '${key}'`);
      checkTree(v[key], `${path}.${key}`, depth + 1);
    }
  }
}

function isShape(v: unknown, min: number): v is number[] {
  return Array.isArray(v) && v.length <= 8 && v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= min);
}

function specBytes(w: WeightSpec): number {
  return w.shape.reduce((a, b) => a * b, 1) * BYTES[w.dtype];
}

/** A Uint8Array from save() output, an ArrayBuffer, or the plain array JSON gives back. */
function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const b = v[i];
      if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) throw new Error(`weights[${i}] is ${describe(b)}, not a byte (0–255)`);
    }
    return Uint8Array.from(v as number[]);
  }
  throw new Error(`weights must be a Uint8Array (or an array of bytes), got ${describe(v)}`);
}

/** A metric as compile() takes it back: its name, or {className, config} when it has options. */
function metricSpec(m: unknown): string | Serialized {
  if (typeof m === 'string') return m;
  const s = m as { className: string; getConfig?(): Record<string, unknown>; config?: Record<string, unknown> };
  return { className: s.className, config: typeof s.getConfig === 'function' ? s.getConfig() : { ...(s.config ?? {}) } };
}

function f64Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(values).buffer);
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
