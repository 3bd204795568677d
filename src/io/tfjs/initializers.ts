// Initializers and regularizers, both ways (the table is in index.ts). Initializers matter
// only when a layer is re-initialized, never for loaded weights, so an import maps an
// unknown-to-simdnet one to the nearest named one instead of refusing it.

import { describe, isPlainObject } from '../../options.js';
import type { Serialized } from '../../serialization.js';
import { norm, type Config } from './config.js';
import type { TfjsLayerJson } from './types.js';

export const ZEROS = { class_name: 'Zeros', config: {} };
export const ONES = { class_name: 'Ones', config: {} };

const VARIANCE_SCALING: Record<string, [number, string, string]> = {
  glorotUniform: [1, 'fan_avg', 'uniform'], glorotNormal: [1, 'fan_avg', 'normal'],
  heUniform: [2, 'fan_in', 'uniform'], heNormal: [2, 'fan_in', 'normal'],
  lecunUniform: [1, 'fan_in', 'uniform'], lecunNormal: [1, 'fan_in', 'normal'],
};

/** simdnet {className, config} → Keras JSON initializer (see the table in index.ts). */
export function initializerToTf(init: Serialized, fans: { fanIn: number; fanOut: number }, what: string): TfjsLayerJson {
  const c = init.config as Record<string, number>;
  switch (init.className) {
    case 'zeros': return { class_name: 'Zeros', config: {} };
    case 'ones': return { class_name: 'Ones', config: {} };
    case 'constant': return { class_name: 'Constant', config: { value: c.value } };
    case 'randomNormal': return { class_name: 'RandomNormal', config: { mean: c.mean, stddev: c.stddev, seed: null } };
    case 'randomUniform': return { class_name: 'RandomUniform', config: { minval: c.minval, maxval: c.maxval, seed: null } };
    case 'smallRandom': return { class_name: 'RandomNormal', config: { mean: 0, stddev: 0.01, seed: null } };
    case 'xavier': return { class_name: 'RandomNormal', config: { mean: 0, stddev: Math.sqrt(1 / fans.fanIn), seed: null } };
    case 'orthogonal': return { class_name: 'Orthogonal', config: { gain: c.gain, seed: null } };
  }
  const vs = VARIANCE_SCALING[init.className];
  if (!vs) throw new Error(`toTfjsLayers: ${what}: initializer '${init.className}' has no TF.js equivalent`);
  return { class_name: 'VarianceScaling', config: { scale: vs[0], mode: vs[1], distribution: vs[2], seed: null } };
}

export function regularizerToTf(r: Serialized | null): TfjsLayerJson | null {
  return r ? { class_name: 'L1L2', config: { l1: 0, l2: (r.config as { lambda: number }).lambda } } : null;
}

/** TF.js / Keras initializer → simdnet {className, config} (see the table in index.ts); undefined → the simdnet default. */
export function initializerFromTf(c: Config, key: string): Serialized | undefined {
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
    // NOTE: TruncatedNormal becomes an untruncated randomNormal: simdnet has no truncated one with a free mean and stddev
    case 'randomnormal': case 'truncatednormal': return { className: 'randomNormal', config: { mean: n('mean', 0), stddev: n('stddev', 0.05) } };
    case 'randomuniform': return { className: 'randomUniform', config: { minval: n('minval', -0.05), maxval: n('maxval', 0.05) } };
    case 'glorotuniform': return named('glorotUniform');
    case 'glorotnormal': return named('glorotNormal');
    case 'heuniform': return named('heUniform');
    case 'henormal': return named('heNormal');
    case 'lecununiform': return named('lecunUniform');
    case 'lecunnormal': return named('lecunNormal');
    case 'orthogonal': return { className: 'orthogonal', config: { gain: n('gain', 1) } };
    case 'identity': return named('glorotUniform');
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

/** TF.js / Keras kernel regularizer → simdnet l2 (null for none or l2 0); l1 is refused. */
export function regularizerFromTf(c: Config, key: string): Serialized | null {
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
