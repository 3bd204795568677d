// Weight initializers. Random ones draw from the model's initializer stream inside wasm,
// so the same seed gives the same weights in every runtime.
//
//   zeros, ones, constant({value})
//   randomNormal({mean = 0, stddev = 0.05}), randomUniform({minval = -0.05, maxval = 0.05})
//   smallRandom        N(0, 0.01²)                  — the lecture's `0.01 * randn`
//   xavier             N(0, 1/fanIn)                — the lecture's `randn / sqrt(fanIn)`
//   glorotNormal       truncated N, std √(2/(fanIn+fanOut))   (Glorot & Bengio 2010; Keras)
//   glorotUniform      U(±√(6/(fanIn+fanOut)))
//   heNormal           truncated N, std √(2/fanIn)  (He et al. 2015; Keras)
//   heUniform          U(±√(6/fanIn))
//   lecunNormal        truncated N, std √(1/fanIn)
//   lecunUniform       U(±√(3/fanIn))
//   orthogonal({gain = 1})  a random orthogonal matrix (Saxe et al. 2014; Keras Orthogonal): the
//                      last axis is the columns; Q of the QR of a normal matrix, signs fixed so
//                      that R has a positive diagonal, transposed when rows < columns
// NOTE: the truncated normals cut at ±2σ and divide σ by 0.87962566103423978, the std of a
// standard normal truncated to [−2, 2], so the drawn values have the intended variance
// (Keras VarianceScaling).
//
// Each initializer serializes to {className, config} (className = factory name) and
// `initializerRegistry.fromConfig` rebuilds it; a spec may be a name, an initializer or
// such a {className, config} object.

import type { Kernels, WasmTensor } from '../bindings/index.js';
import type { RngStream } from './layers/layer.js';
import { checkKeys, describe } from './options.js';
import { Registry, serialize, type Serialized } from './serialization.js';

export type InitializerName =
  | 'zeros' | 'ones' | 'constant' | 'randomNormal' | 'randomUniform' | 'smallRandom' | 'xavier'
  | 'glorotNormal' | 'glorotUniform' | 'heNormal' | 'heUniform' | 'lecunNormal' | 'lecunUniform' | 'orthogonal';

export interface Fans { fanIn: number; fanOut: number }

export interface Initializer {
  readonly className: InitializerName;
  getConfig(): Record<string, unknown>;
  fill(t: WasmTensor, fans: Fans, k: Kernels, rng: RngStream, scratch: WasmTensor): void;
}

const TRUNC_STD = 0.87962566103423978;

function make(className: InitializerName, config: Record<string, number>, fill: Initializer['fill']): Initializer {
  const frozen = Object.freeze({ ...config });
  return Object.freeze({ className, getConfig: () => ({ ...frozen }), fill });
}

function constantInit(className: InitializerName, value: number): Initializer {
  return make(className, className === 'constant' ? { value } : {}, (t) => { t.view().fill(value); });
}

function normalInit(className: InitializerName, std: (f: Fans) => number, truncated: boolean, mean = 0, config: Record<string, number> = {}): Initializer {
  return make(className, config, (t, fans, k, rng, scratch) => {
    const s = std(fans) / (truncated ? TRUNC_STD : 1);
    k.rngNormal(t, rng, scratch, t.size, mean, s, truncated);
  });
}

function uniformInit(className: InitializerName, lo: (f: Fans) => number, hi: (f: Fans) => number, config: Record<string, number> = {}): Initializer {
  return make(className, config, (t, fans, k, rng) => { k.rngUniform(t, rng, t.size, lo(fans), hi(fans)); });
}

function finite(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`Invalid ${what}: ${describe(v)} (a finite number)`);
  return v;
}

/** Factories of the initializers without arguments: they take no options (or an empty object). */
const plain = (className: InitializerName, build: () => Initializer) => (args?: Record<string, never>): Initializer => {
  checkKeys(args, [], `initializers.${className}`);
  return build();
};

// NOTE: typed per factory: an `(args?: any)` signature for all names came first in the
// intersection and won overload resolution, so `randomNormal({stdev: 1})` type-checked
export const initializers: Record<Exclude<InitializerName, 'constant' | 'randomNormal' | 'randomUniform' | 'orthogonal'>, (args?: Record<string, never>) => Initializer> & {
  orthogonal(args?: { gain?: number }): Initializer;
  constant(args?: { value?: number }): Initializer;
  randomNormal(args?: { mean?: number; stddev?: number }): Initializer;
  randomUniform(args?: { minval?: number; maxval?: number }): Initializer;
} = {
  zeros: plain('zeros', () => constantInit('zeros', 0)),
  ones: plain('ones', () => constantInit('ones', 1)),
  constant: (args: { value?: number } = {}): Initializer => {
    checkKeys(args, ['value'], 'initializers.constant');
    return constantInit('constant', finite(args.value ?? 0, 'constant value'));
  },
  randomNormal: (args: { mean?: number; stddev?: number } = {}): Initializer => {
    checkKeys(args, ['mean', 'stddev'], 'initializers.randomNormal');
    const mean = finite(args.mean ?? 0, 'randomNormal mean');
    const stddev = finite(args.stddev ?? 0.05, 'randomNormal stddev');
    if (stddev < 0) throw new Error(`Invalid randomNormal stddev: ${stddev} (must be ≥ 0)`);
    return normalInit('randomNormal', () => stddev, false, mean, { mean, stddev });
  },
  randomUniform: (args: { minval?: number; maxval?: number } = {}): Initializer => {
    checkKeys(args, ['minval', 'maxval'], 'initializers.randomUniform');
    const minval = finite(args.minval ?? -0.05, 'randomUniform minval');
    const maxval = finite(args.maxval ?? 0.05, 'randomUniform maxval');
    if (!(minval <= maxval)) throw new Error(`Invalid randomUniform range: minval ${minval} > maxval ${maxval}`);
    return uniformInit('randomUniform', () => minval, () => maxval, { minval, maxval });
  },
  smallRandom: plain('smallRandom', () => normalInit('smallRandom', () => 0.01, false)),
  xavier: plain('xavier', () => normalInit('xavier', (f) => Math.sqrt(1 / f.fanIn), false)),
  glorotNormal: plain('glorotNormal', () => normalInit('glorotNormal', (f) => Math.sqrt(2 / (f.fanIn + f.fanOut)), true)),
  glorotUniform: plain('glorotUniform', () => uniformInit('glorotUniform', (f) => -Math.sqrt(6 / (f.fanIn + f.fanOut)), (f) => Math.sqrt(6 / (f.fanIn + f.fanOut)))),
  heNormal: plain('heNormal', () => normalInit('heNormal', (f) => Math.sqrt(2 / f.fanIn), true)),
  heUniform: plain('heUniform', () => uniformInit('heUniform', (f) => -Math.sqrt(6 / f.fanIn), (f) => Math.sqrt(6 / f.fanIn))),
  lecunNormal: plain('lecunNormal', () => normalInit('lecunNormal', (f) => Math.sqrt(1 / f.fanIn), true)),
  lecunUniform: plain('lecunUniform', () => uniformInit('lecunUniform', (f) => -Math.sqrt(3 / f.fanIn), (f) => Math.sqrt(3 / f.fanIn))),
  orthogonal: (args: { gain?: number } = {}): Initializer => {
    checkKeys(args, ['gain'], 'initializers.orthogonal');
    const gain = finite(args.gain ?? 1, 'orthogonal gain');
    return make('orthogonal', { gain }, (t, _fans, k, rng, scratch) => {
      const cols = t.shape[t.shape.length - 1], rows = t.size / cols;
      k.rngNormal(t, rng, scratch, t.size, 0, 1, false);
      t.view().set(orthogonalize(Float64Array.from(t.view()), rows, cols, gain));
    });
  },
};

/**
 * Q·gain from the normal draws `a` read as [max(r, c), min(r, c)] (Keras draws the
 * transposed shape when rows < columns), by Gram–Schmidt with a second pass ("twice is
 * enough", Giraud et al. 2005): Q's columns are those of the QR with a positive R diagonal,
 * the sign convention Keras applies. Plain f64 arithmetic and sqrt only: the same bits in
 * every runtime. Returns the [r, c] result row-major.
 */
function orthogonalize(a: Float64Array, r: number, c: number, gain: number): Float64Array {
  const m = Math.max(r, c), n = Math.min(r, c);
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let d = 0;
        for (let p = 0; p < m; p++) d += a[p * n + i] * a[p * n + j];
        for (let p = 0; p < m; p++) a[p * n + j] -= d * a[p * n + i];
      }
    }
    let norm = 0;
    for (let p = 0; p < m; p++) norm += a[p * n + j] * a[p * n + j];
    norm = Math.sqrt(norm);
    for (let p = 0; p < m; p++) a[p * n + j] = norm > 0 ? a[p * n + j] / norm : 0;
  }
  const out = new Float64Array(r * c);
  for (let p = 0; p < m; p++) {
    for (let j = 0; j < n; j++) {
      // rows ≥ columns: Q itself [m, n]; rows < columns: Qᵀ [n, m]
      if (r >= c) out[p * c + j] = gain * a[p * n + j];
      else out[j * c + p] = gain * a[p * n + j];
    }
  }
  return out;
}

export type InitializerSpec = InitializerName | Initializer | Serialized;

export const initializerRegistry = new Registry<Initializer>('initializer');
for (const [name, factory] of Object.entries(initializers)) initializerRegistry.register(name, factory as (c: Record<string, unknown>) => Initializer);

/** Resolves a name, an Initializer or a serialized {className, config}; unknown names raise an Error listing the valid ones. */
export function getInitializer(spec: unknown, what: string): Initializer {
  if (typeof spec === 'string') {
    if (!initializerRegistry.has(spec)) {
      throw new Error(`Unknown ${what} '${spec}'; expected one of ${initializerRegistry.classNames.join(', ')}`);
    }
    return initializerRegistry.fromConfig({ className: spec, config: {} }, what);
  }
  // NOTE: not an array: Array.prototype.fill would pass for an initializer's fill
  if (spec && typeof spec === 'object' && !Array.isArray(spec) && typeof (spec as Initializer).fill === 'function' && typeof (spec as Initializer).getConfig === 'function') return spec as Initializer;
  if (spec && typeof spec === 'object' && 'className' in spec) return initializerRegistry.fromConfig(spec, what);
  throw new Error(`Invalid ${what}: ${describe(spec)} (a name such as 'heNormal', initializers.constant({value}) or {className, config})`);
}

export { serialize as serializeInitializer };
