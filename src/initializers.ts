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
// NOTE: the truncated normals cut at ±2σ and divide σ by 0.87962566103423978, the std of a
// standard normal truncated to [−2, 2], so the drawn values have the intended variance
// (Keras VarianceScaling).

import type { Kernels, WasmTensor } from '../bindings/index.js';
import type { RngStream } from './layers/layer.js';

export interface Fans { fanIn: number; fanOut: number }

export interface Initializer {
  readonly name: string;
  readonly config: Record<string, number>;
  fill(t: WasmTensor, fans: Fans, k: Kernels, rng: RngStream, scratch: WasmTensor): void;
}

const TRUNC_STD = 0.87962566103423978;

function constantInit(name: string, value: number): Initializer {
  return { name, config: name === 'constant' ? { value } : {}, fill: (t) => { t.view().fill(value); } };
}

function normalInit(name: string, std: (f: Fans) => number, truncated: boolean, mean = 0, config: Record<string, number> = {}): Initializer {
  return {
    name, config,
    fill(t, fans, k, rng, scratch) {
      const s = std(fans) / (truncated ? TRUNC_STD : 1);
      k.rngNormal(t.ptr, t.size, rng.ptr, mean, s, truncated, scratch.ptr);
    },
  };
}

function uniformInit(name: string, lo: (f: Fans) => number, hi: (f: Fans) => number, config: Record<string, number> = {}): Initializer {
  return { name, config, fill(t, fans, k, rng) { k.rngUniform(t.ptr, t.size, rng.ptr, lo(fans), hi(fans)); } };
}

function finite(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`Invalid ${what}: ${String(v)}`);
  return v;
}

export const initializers = {
  zeros: (): Initializer => constantInit('zeros', 0),
  ones: (): Initializer => constantInit('ones', 1),
  constant: ({ value = 0 }: { value?: number } = {}): Initializer => constantInit('constant', finite(value, 'constant value')),
  randomNormal: ({ mean = 0, stddev = 0.05 }: { mean?: number; stddev?: number } = {}): Initializer => {
    if (finite(stddev, 'randomNormal stddev') < 0) throw new Error(`Invalid randomNormal stddev: ${stddev}`);
    return normalInit('randomNormal', () => stddev, false, finite(mean, 'randomNormal mean'), { mean, stddev });
  },
  randomUniform: ({ minval = -0.05, maxval = 0.05 }: { minval?: number; maxval?: number } = {}): Initializer => {
    if (!(finite(minval, 'randomUniform minval') <= finite(maxval, 'randomUniform maxval'))) {
      throw new Error(`Invalid randomUniform range: minval ${minval} > maxval ${maxval}`);
    }
    return uniformInit('randomUniform', () => minval, () => maxval, { minval, maxval });
  },
  smallRandom: (): Initializer => normalInit('smallRandom', () => 0.01, false),
  xavier: (): Initializer => normalInit('xavier', (f) => Math.sqrt(1 / f.fanIn), false),
  glorotNormal: (): Initializer => normalInit('glorotNormal', (f) => Math.sqrt(2 / (f.fanIn + f.fanOut)), true),
  glorotUniform: (): Initializer => uniformInit('glorotUniform', (f) => -Math.sqrt(6 / (f.fanIn + f.fanOut)), (f) => Math.sqrt(6 / (f.fanIn + f.fanOut))),
  heNormal: (): Initializer => normalInit('heNormal', (f) => Math.sqrt(2 / f.fanIn), true),
  heUniform: (): Initializer => uniformInit('heUniform', (f) => -Math.sqrt(6 / f.fanIn), (f) => Math.sqrt(6 / f.fanIn)),
  lecunNormal: (): Initializer => normalInit('lecunNormal', (f) => Math.sqrt(1 / f.fanIn), true),
  lecunUniform: (): Initializer => uniformInit('lecunUniform', (f) => -Math.sqrt(3 / f.fanIn), (f) => Math.sqrt(3 / f.fanIn)),
};

export type InitializerName = keyof typeof initializers;
export type InitializerSpec = InitializerName | Initializer;

/** Resolves a name or an Initializer object; unknown names raise an Error listing the valid ones. */
export function getInitializer(spec: unknown, what: string): Initializer {
  if (typeof spec === 'string') {
    if (!Object.hasOwn(initializers, spec)) {
      throw new Error(`Unknown ${what} '${spec}'; expected one of ${Object.keys(initializers).join(', ')}`);
    }
    return (initializers[spec as InitializerName] as () => Initializer)();
  }
  if (spec && typeof spec === 'object' && typeof (spec as Initializer).fill === 'function') return spec as Initializer;
  throw new Error(`Invalid ${what}: ${JSON.stringify(spec)} (a name such as 'heNormal' or initializers.constant({value}))`);
}
