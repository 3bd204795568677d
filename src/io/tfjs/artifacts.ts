// Validating what TF.js gives before anything is built: the artifacts' shape, the topology
// (camelCased, plain JSON only), the weight specs and that the weight bytes match them.
// The data may come from anywhere (a model.json off the web), so nothing is trusted.

import { describe, isPlainObject } from '../../options.js';
import { size } from './shapes.js';

/** One weight spec and where its bytes are in weightData. */
export interface SpecEntry { name: string; shape: number[]; offset: number; bytes: number; used: boolean }

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

/** The model's name, its layer configs (camelCased), the float32 weight specs and all weight bytes. */
export function readTfjsArtifacts(a: unknown): { modelName: string; layerJson: Record<string, unknown>[]; graph: { inputLayers: unknown; outputLayers: unknown } | null; specs: SpecEntry[]; data: Uint8Array } {
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
  const functional = m.className === 'Model' || m.className === 'Functional';
  if (m.className !== 'Sequential' && !functional) {
    throw new Error(`fromTfjsLayers: the model is a ${describe(m.className)}; Sequential and functional ('Model') topologies can be imported`);
  }
  const cfg = m.config;
  const layerJson = Array.isArray(cfg) ? cfg : isPlainObject(cfg) ? cfg.layers : undefined;
  if (!Array.isArray(layerJson) || layerJson.length === 0) throw new Error(`fromTfjsLayers: modelTopology.config.layers must be a non-empty array, got ${describe(layerJson)}`);
  const modelName = isPlainObject(cfg) && typeof cfg.name === 'string' ? cfg.name : functional ? 'model' : 'sequential';
  const graph = functional && isPlainObject(cfg) ? { inputLayers: cfg.inputLayers, outputLayers: cfg.outputLayers } : null;

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
    const count = size(w.shape as number[]);
    const optimizer = w.group === 'optimizer';
    if (dtype !== 'float32' && !(optimizer && typeof dtype === 'string' && dtype in BYTES_PER)) {
      throw new Error(`fromTfjsLayers: weight '${w.name}' is ${describe(dtype)}; simdnet imports float32 weights only`);
    }
    const bytes = count * BYTES_PER[dtype as string];
    const e: SpecEntry = { name: w.name, shape: (w.shape as number[]).slice(), offset, bytes: optimizer ? -1 : bytes, used: false };
    offset += bytes;
    return e;
  }).filter((s) => s.bytes >= 0); // NOTE: optimizer weights are skipped (the model comes back uncompiled)
  if (offset !== data.length) {
    throw new Error(`fromTfjsLayers: weightData has ${data.length} bytes but the weight specs need ${offset} (${data.length < offset ? 'truncated' : 'over-long'} weight data)`);
  }
  return { modelName, layerJson: layerJson as Record<string, unknown>[], graph, specs, data };
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
