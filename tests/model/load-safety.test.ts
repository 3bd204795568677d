// The loader treats its input as hostile (docs/ARCHITECTURE.md "Serialization"): damaged,
// truncated, oversized or malicious artifacts are refused with an Error that names the
// field or value, quickly, without polluting prototypes, and with every byte the load
// allocated given back to the arena. Fuzzing (random byte flips, truncations, and
// mutations of the parsed topology) checks that nothing else ever comes out: a load either
// gives a working model or throws a plain Error.

import { describe, expect, it } from 'vitest';
import { runtime } from '../../bindings/index.js';
import { Sequential, io, layers, optimizers, tensor, type LoadOptions, type ModelArtifacts, type Tensor } from '../../src/index.js';
import { crc32 } from '../../src/model/crc32.js';
import { expectSameBits, randLabels, randn, uniformRng } from './helpers.js';

const arena = () => runtime().arena;
const INPUT = [6, 6, 2];

/** conv → batchNorm → relu → flatten → dropout → dense, Adam, trained one step (so every kind of state is saved). */
function makeModel(): Sequential {
  const m = new Sequential({ seed: 11, name: 'victim' });
  m.add(layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', inputShape: INPUT, name: 'conv' }));
  m.add(layers.batchNorm({ name: 'bn' }));
  m.add(layers.relu());
  m.add(layers.flatten());
  m.add(layers.dropout({ rate: 0.25, name: 'drop' }));
  m.add(layers.dense({ units: 4, name: 'head' }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  m.trainOnBatch(randn([8, ...INPUT], 1), randLabels(8, 4, 2));
  return m;
}

const model = makeModel();
const original: ModelArtifacts = model.save();
const probe = randn([3, ...INPUT], 3);
const reference = Float64Array.from(model.predict(probe).data);
const fileBytes = io.toBytes(original);

/** A deep copy of the artifacts: topology as a fresh plain object, weights as a fresh array. */
function copy(a: ModelArtifacts = original): { topology: any; weights: Uint8Array } {
  return { topology: JSON.parse(JSON.stringify(a.topology)), weights: a.weights.slice() };
}

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** Sets the topology's weightsCrc32 to the CRC of the weights (a tampered file that passes the checksum). */
function fixCrc<T extends { topology: any; weights: Uint8Array }>(a: T): T {
  a.topology.weightsCrc32 = hex(crc32(a.weights));
  return a;
}

/** Byte offset of a tensor in the weights (the sum of the byte sizes of the specs before it). */
function offsetOf(a: { topology: any }, name: string): number {
  const bytes = { float32: 4, float64: 8, int32: 4 } as Record<string, number>;
  let off = 0;
  for (const w of a.topology.weightSpecs) {
    if (w.name === name) return off;
    off += w.shape.reduce((x: number, y: number) => x * y, 1) * bytes[w.dtype];
  }
  throw new Error(`no weight spec '${name}'`);
}

function layerConfig(a: { topology: any }, name: string): any {
  const l = a.topology.model.config.layers.find((s: any) => s.config.name === name);
  if (!l) throw new Error(`no layer '${name}'`);
  return l.config;
}

/** Loads, expecting a plain Error containing every needle, fast, with the arena as it was. */
async function expectLoadError(artifacts: unknown, needles: string[], options?: LoadOptions): Promise<Error> {
  const before = arena().used;
  const t0 = performance.now();
  let err: unknown = null;
  let loaded: Sequential | null = null;
  try {
    loaded = await Sequential.load(artifacts as ModelArtifacts, options);
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  loaded?.dispose();
  expect(err, `expected an Error mentioning ${needles.join(', ')}`).toBeInstanceOf(Error);
  expect((err as Error).constructor, `a plain Error, not ${(err as Error).name}: ${(err as Error).message}`).toBe(Error);
  const msg = (err as Error).message;
  for (const n of needles) expect(msg, 'the message names the field and the value').toContain(n);
  expect(arena().used, `${msg}: every byte the load allocated is freed`).toBe(before);
  expect(ms, `${msg}: refused quickly`).toBeLessThan(1000);
  return err as Error;
}

function predictBits(m: Sequential, x: Tensor = probe): Float64Array {
  return Float64Array.from(m.predict(x).data);
}

describe('the loader accepts what save() wrote', () => {
  // the control for every case below: the untouched copies load and predict the same bits
  it('artifacts, a JSON round trip, and io bytes all load to the same predictions', async () => {
    const viaJson = JSON.parse(JSON.stringify({ topology: original.topology, weights: Array.from(original.weights) }));
    for (const a of [copy(), viaJson, io.fromBytes(fileBytes), { topology: JSON.stringify(original.topology), weights: original.weights.slice() }]) {
      const before = arena().used;
      const m = await Sequential.load(a);
      expectSameBits([predictBits(m)], [reference], 'loaded vs saved');
      m.dispose();
      expect(arena().used).toBe(before);
    }
  });
});

describe('damaged weights', () => {
  it('truncated weights', async () => {
    const a = copy();
    a.weights = a.weights.slice(0, a.weights.length - 3);
    await expectLoadError(a, [`${original.weights.length - 3} bytes`, `${original.weights.length}`, 'truncated']);
  });

  it('over-long weights', async () => {
    const a = copy();
    a.weights = Uint8Array.from([...a.weights, 0, 0, 0, 0]);
    await expectLoadError(a, [`${original.weights.length + 4} bytes`, 'over-long']);
  });

  it('a wrong CRC-32', async () => {
    const a = copy();
    a.weights[17] ^= 0x40;
    await expectLoadError(a, ['damaged', 'CRC-32', original.topology.weightsCrc32]);
    const b = copy();
    b.topology.weightsCrc32 = 'zzzzzzzz';
    await expectLoadError(b, ['weightsCrc32', "'zzzzzzzz'"]);
  });

  it('a weights array holding 256, -1 or a string', async () => {
    for (const [bad, shown] of [[256, '256'], [-1, '-1'], ['a', "the string 'a'"], [1.5, '1.5'], [null, 'null']] as const) {
      const arr: unknown[] = Array.from(original.weights);
      arr[5] = bad;
      await expectLoadError({ topology: copy().topology, weights: arr }, ['weights[5]', shown, 'byte']);
    }
    await expectLoadError({ topology: copy().topology, weights: 'abc' }, ['weights', "the string 'abc'"]);
  });

  it('NaN or Infinity in a weight (with a correct CRC) is refused, and loads with {allowNonFinite: true}', async () => {
    const spots: [string, number, number, string][] = [
      ['head/kernel', 7, NaN, 'NaN'],
      ['bn/movingVariance', 1, Infinity, 'Infinity'],
      ['optimizer/conv/kernel/expAvgSq', 0, -Infinity, '-Infinity'],
    ];
    for (const [name, index, value, shown] of spots) {
      const a = copy();
      new DataView(a.weights.buffer).setFloat32(offsetOf(a, name) + 4 * index, value, true);
      fixCrc(a);
      await expectLoadError(a, [`'${name}'`, shown, `index ${index}`, 'allowNonFinite']);
      const before = arena().used;
      const m = await Sequential.load(a, { allowNonFinite: true });
      if (!name.startsWith('optimizer/')) {
        const i = m.params().findIndex((p) => p.name === name);
        expect(Object.is(m.getWeights()[i].data[index], value), `${name}[${index}] is ${shown} after the load`).toBe(true);
      } else {
        expect(Object.is(m.optimizer!.stateTensors().find((s) => s.name === name.slice('optimizer/'.length))!.tensor.view()[index], value)).toBe(true);
      }
      m.dispose();
      expect(arena().used).toBe(before);
    }
  });

  it('an invalid optimizer step count', async () => {
    const a = copy();
    new DataView(a.weights.buffer).setFloat64(offsetOf(a, 'optimizer/iterations'), -3, true);
    await expectLoadError(fixCrc(a), ["'optimizer/iterations'", '-3']);
  });
});

describe('damaged or hostile topology', () => {
  it('weightSpecs: a shape whose byte count does not match', async () => {
    // the specs no longer add up to weightsBytes
    const a = copy();
    a.topology.weightSpecs[0].shape = [3, 3, 2, 4];
    await expectLoadError(a, ['weightsBytes', `${original.topology.weightsBytes}`]);
    // consistent specs, bytes and CRC, but not the shape the model has
    const b = copy();
    b.topology.weightSpecs[0].shape = [3, 3, 2, 4];
    b.weights = Uint8Array.from([...b.weights.subarray(0, 3 * 3 * 2 * 3 * 4), ...new Uint8Array(3 * 3 * 2 * 4), ...b.weights.subarray(3 * 3 * 2 * 3 * 4)]);
    b.topology.weightsBytes = b.weights.length;
    await expectLoadError(fixCrc(b), ["'conv/kernel'", '[3,3,2,4]', '[3,3,2,3]']);
    // a spec the model has no place for, and one the model needs that is missing
    const c = copy();
    c.topology.weightSpecs[0].name = 'conv/kernal';
    await expectLoadError(c, ["no 'conv/kernel'"]);
    const d = copy();
    d.topology.weightSpecs[1].name = d.topology.weightSpecs[0].name;
    await expectLoadError(d, ['weightSpecs[1]', "'conv/kernel'", 'twice']);
    const e = copy();
    e.topology.weightSpecs[0].dtype = 'float16';
    await expectLoadError(e, ['weightSpecs[0].dtype', "the string 'float16'"]);
  });

  it('a weight shape whose product exceeds 4 GiB', async () => {
    const a = copy();
    a.topology.weightSpecs[0].shape = [65536, 65536, 2];
    await expectLoadError(a, ['weightSpecs[0]', 'conv/kernel', '4 GiB']);
    const b = copy();
    b.topology.weightSpecs[0].shape = [2 ** 40, 2 ** 40];
    await expectLoadError(b, ['weightSpecs[0]', '4 GiB']);
  });

  it('a dense layer with units: 2000000000 fails in well under a second', async () => {
    const a = copy();
    layerConfig(a, 'head').units = 2000000000;
    await expectLoadError(a, ["'head'", 'kernel', '2000000000', '4 GiB']);
  });

  it('allocations under 4 GiB but far beyond the file size are refused by the build budget', async () => {
    // 108 × 2,000,000 float32 = 824 MiB: possible for wasm, absurd for a file of a few KiB
    const a = copy();
    layerConfig(a, 'head').units = 2000000;
    await expectLoadError(a, ["'head'", 'kernel', 'MiB', `${original.weights.length} weight bytes`]);
    const b = copy();
    b.topology.inputShape = [6000, 6000, 2];
    // the conv layer comes first: its workspace's im2col of one 6000×6000 image alone cannot fit
    await expectLoadError(b, ["conv2d 'conv'", 'im2col of one image', 'GiB', 'limited to 4 GiB']);
    const c = copy();
    layerConfig(c, 'conv').filters = 300000;
    await expectLoadError(c, ["'conv'", `${original.weights.length} weight bytes`]);
  });

  it('__proto__, constructor and prototype keys at several depths; Object.prototype stays clean', async () => {
    const sites: ((t: any) => any)[] = [
      (t) => t,
      (t) => t.model,
      (t) => t.model.config,
      (t) => t.model.config.layers[1],
      (t) => t.model.config.layers[5].config,
      (t) => t.model.config.layers[0].config.kernelInitializer.config,
      (t) => t.training.optimizer.config,
      (t) => t.weightSpecs[2],
    ];
    const payloads = [
      ['__proto__', '{"polluted":"yes","weightsCrc32":"00000000"}'],
      ['constructor', '{"prototype":{"polluted":"yes"}}'],
      ['prototype', '{"polluted":"yes"}'],
    ];
    for (const [key, payload] of payloads) {
      for (const [i, site] of sites.entries()) {
        const t = copy().topology;
        site(t)['@@inject@@'] = 0;
        const json = JSON.stringify(t).replace('"@@inject@@":0', `"${key}":${payload}`);
        const hostile = JSON.parse(json); // JSON.parse makes `__proto__` an own property
        expect(Object.keys(site(hostile)), `site ${i}`).toContain(key);
        const w = original.weights.slice();
        await expectLoadError({ topology: hostile, weights: w }, ['forbidden key', `'${key}'`]);
        // the same as a JSON string, and as a file
        await expectLoadError({ topology: json, weights: w }, ['forbidden key', `'${key}'`]);
        await expectLoadError(io.fromBytes(repack(json, w)), ['forbidden key', `'${key}'`]);
      }
    }
    // the artifacts object itself
    await expectLoadError(JSON.parse(`{"topology":${JSON.stringify(original.topology)},"weights":[],"__proto__":{"polluted":"yes"}}`), ["'__proto__'"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect((Object as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('unknown layer className, unknown config keys, unknown topology keys', async () => {
    const a = copy();
    a.topology.model.config.layers[5].className = 'Dense2';
    await expectLoadError(a, ['layers[5]', "'Dense2'", "did you mean 'Dense'"]);
    const b = copy();
    layerConfig(b, 'head').kernel_initializer = 'zeros';
    await expectLoadError(b, ["'kernel_initializer'", "did you mean 'kernelInitializer'"]);
    const c = copy();
    c.topology.weights_manifest = [];
    await expectLoadError(c, ["'weights_manifest'", 'topology']);
    const d = copy();
    d.topology.training.optimizer.config.learning_rate = 0.1;
    await expectLoadError(d, ["'learning_rate'", "did you mean 'learningRate'"]);
    const e = copy();
    delete e.topology.nextStreamId;
    await expectLoadError(e, ["'nextStreamId'"]);
  });

  it('format version 999', async () => {
    const a = copy();
    a.topology.version = 999;
    await expectLoadError(a, ['format version 999 is newer than this simdnet supports (1)']);
    const b = copy();
    b.topology.format = 'keras';
    await expectLoadError(b, ["the string 'keras'", 'not a simdnet model']);
  });

  it('values of the wrong type in the model section', async () => {
    const cases: [(t: any) => void, string[]][] = [
      [(t) => { t.model.config.seed = -1; }, ['seed', '-1']],
      [(t) => { t.model.config.dtype = 'int32'; }, ['dtype', "the string 'int32'"]],
      [(t) => { t.model.config.layers = {}; }, ['layers', 'an object']],
      [(t) => { t.inputShape = [6, 0, 2]; }, ['inputShape', '[6,0,2]']],
      [(t) => { t.training.loss = 'hinge'; }, ["'hinge'"]],
      [(t) => { t.nextStreamId = 2 ** 40; }, ['nextStreamId', String(2 ** 40)]],
      [(t) => { t.model.config.layers[5].config.units = '4'; }, ["the string '4'"]],
      // arrays have fill() and at(): they must not pass for an initializer or a schedule
      [(t) => { t.model.config.layers[0].config.kernelInitializer = [1, 2]; }, ['kernelInitializer', '[1,2]']],
      [(t) => { t.model.config.layers[5].config.biasInitializer = []; }, ['biasInitializer', '[]']],
      [(t) => { t.training.optimizer.config.learningRate = [0.1]; }, ['learning rate', '[0.1]']],
    ];
    for (const [mutate, needles] of cases) {
      const a = copy();
      mutate(a.topology);
      await expectLoadError(a, needles);
    }
  });

  it('a topology of 100,000 weightless layers is refused at once', async () => {
    // adding n layers takes O(n²) name checks: unbounded, a small file would load for minutes
    const a = copy();
    const extra = Array.from({ length: 100000 }, () => ({ className: 'Relu', config: {} }));
    a.topology.model.config.layers.splice(3, 0, ...extra);
    await expectLoadError(a, ['topology.model.config.layers', '100006 layers', '2000']);
  });

  it('nesting deeper than 64 levels', async () => {
    const a = copy();
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    layerConfig(a, 'head').extra = deep;
    await expectLoadError(a, ['nested more than 64 levels']);
  });
});

// ---- fuzzing ----

const HEADER = 16;

/** A file with a valid header around this topology JSON and these weights. */
function repack(json: string, weights: Uint8Array): Uint8Array {
  const j = new TextEncoder().encode(json);
  const out = new Uint8Array(HEADER + j.length + weights.length);
  out.set(fileBytes.subarray(0, 8), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, j.length, true);
  dv.setUint32(12, crc32(j), true);
  out.set(j, HEADER);
  out.set(weights, HEADER + j.length);
  return out;
}

/** Rewrites both checksums of a file in place so that a tampered file passes them. */
function fixFileCrcs(b: Uint8Array): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const len = dv.getUint32(8, true);
  if (len > b.length - HEADER) return;
  const json = b.subarray(HEADER, HEADER + len);
  const text = new TextDecoder().decode(json);
  const at = text.indexOf('"weightsCrc32":"');
  if (at >= 0 && text.slice(0, at).length === new TextEncoder().encode(text.slice(0, at)).length) {
    const digits = new TextEncoder().encode(hex(crc32(b.subarray(HEADER + len))));
    json.set(digits, at + '"weightsCrc32":"'.length);
  }
  dv.setUint32(12, crc32(json), true);
}

interface Outcome { loaded: boolean; message: string; ms: number }

/**
 * Loads `input` (file bytes or artifacts); a load must give a model that predicts and
 * disposes, a failure must be a plain Error. The arena is back where it was either way.
 */
async function tryLoad(input: Uint8Array | ModelArtifacts, check: (m: Sequential) => unknown, label: string): Promise<Outcome> {
  const before = arena().used;
  const t0 = performance.now();
  let m: Sequential | null = null;
  try {
    m = await Sequential.load(input instanceof Uint8Array ? io.fromBytes(input) : input);
  } catch (e) {
    const ms = performance.now() - t0;
    if (!(e instanceof Error) || e.constructor !== Error || !e.message) {
      expect.fail(`${label}: threw ${e instanceof Error ? `a ${e.constructor.name}` : typeof e}: ${(e as Error)?.message ?? String(e)}\n${(e as Error)?.stack ?? ''}`);
    }
    if (arena().used !== before) expect.fail(`${label}: ${(e as Error).message}: the arena holds ${arena().used - before} bytes more after the failed load`);
    return { loaded: false, message: (e as Error).message, ms };
  }
  const ms = performance.now() - t0;
  try {
    await check(m);
  } catch (e) {
    expect.fail(`${label}: loaded, but the model is not usable: ${(e as Error).message}\n${(e as Error).stack}`);
  }
  m.dispose();
  if (arena().used !== before) expect.fail(`${label}: the loaded model left ${arena().used - before} bytes after dispose`);
  return { loaded: true, message: '', ms };
}

/** Predict works on data of the loaded model's input shape, and the model saves and loads again. */
async function usable(m: Sequential): Promise<void> {
  const shape = m.inputShape;
  if (shape && shape.reduce((a, b) => a * b, 1) <= 1e6) {
    const out = m.predict(tensor(new Float32Array(2 * shape.reduce((a, b) => a * b, 1)).fill(0.5), [2, ...shape]));
    expect(out.shape[0]).toBe(2);
  }
  const again = await Sequential.load(m.save());
  again.dispose();
}

const identical = (m: Sequential): void => expectSameBits([predictBits(m)], [reference], 'a load that succeeds predicts the saved bits');

describe('fuzzing the file', () => {
  it('300 random byte flips and 100 truncations: the same model or an Error', async () => {
    const r = uniformRng(0xf1a5);
    let failures = 0, slowest = 0;
    for (let i = 0; i < 300; i++) {
      const b = fileBytes.slice();
      const flips = 1 + Math.floor(r() * 4);
      const at: number[] = [];
      for (let k = 0; k < flips; k++) {
        // half the flips land in the header and topology, half anywhere
        const pos = r() < 0.5 ? Math.floor(r() * Math.min(b.length, HEADER + 400)) : Math.floor(r() * b.length);
        b[pos] ^= 1 + Math.floor(r() * 255);
        at.push(pos);
      }
      const o = await tryLoad(b, identical, `flip ${i} at ${at.join(',')}`);
      if (!o.loaded) failures++;
      slowest = Math.max(slowest, o.ms);
    }
    for (let i = 0; i < 100; i++) {
      const len = i < 20 ? i : Math.floor(r() * fileBytes.length);
      const o = await tryLoad(fileBytes.slice(0, len), identical, `truncated to ${len}`);
      expect(o.loaded, `truncated to ${len} bytes must not load`).toBe(false);
      slowest = Math.max(slowest, o.ms);
    }
    expect(failures).toBeGreaterThan(290); // the checksums catch (nearly) every flip
    expect(slowest).toBeLessThan(1000);
  });

  it('300 byte flips with both checksums fixed up: a usable model or an Error', async () => {
    // the checksums no longer help: this exercises the parser and the checks behind them
    const r = uniformRng(0xc0ffee);
    const jsonLen = new DataView(fileBytes.buffer).getUint32(8, true);
    let loaded = 0, slowest = 0;
    const messages = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const b = fileBytes.slice();
      const flips = 1 + Math.floor(r() * 3);
      const at: number[] = [];
      for (let k = 0; k < flips; k++) {
        // mostly the topology JSON (where the checks are), some in the weights
        const pos = r() < 0.75 ? HEADER + Math.floor(r() * jsonLen) : HEADER + jsonLen + Math.floor(r() * (b.length - HEADER - jsonLen));
        b[pos] ^= 1 << Math.floor(r() * 8);
        at.push(pos);
      }
      fixFileCrcs(b);
      const o = await tryLoad(b, usable, `fixed-up flip ${i} at ${at.join(',')}`);
      if (o.loaded) loaded++; else messages.add(o.message.replace(/\d+/g, 'N').slice(0, 60));
      slowest = Math.max(slowest, o.ms);
    }
    // both outcomes happen (a flipped digit of a hyperparameter loads; a flipped name does not)
    expect(loaded).toBeGreaterThan(0);
    expect(loaded).toBeLessThan(300);
    expect(messages.size).toBeGreaterThan(5);
    expect(slowest).toBeLessThan(1000);
  });
});

// ---- structure-aware fuzzing ----

type Path = (string | number)[];

function allPaths(v: unknown, p: Path = [], out: Path[] = []): Path[] {
  out.push(p);
  if (Array.isArray(v)) v.forEach((x, i) => allPaths(x, [...p, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) allPaths((v as Record<string, unknown>)[k], [...p, k], out);
  return out;
}

function randomJson(r: () => number, depth = 0): unknown {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  switch (Math.floor(r() * 10)) {
    case 0: return pick([2e9, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e20, 1e308, 65536, 1e6]);
    case 1: return pick([-1, -2e9, -0.5, -1e308, 0, -0]);
    case 2: return pick([0.5, 1, 2, 3, 7, 1e-9, 0.999999]);
    case 3: return pick(['', 'a', 'Dense', 'BatchNorm', 'relu', 'same', 'valid', 'float64', 'int32', 'adam', 'mse', '__proto__', 'x'.repeat(5000), '1e9', 'conv/kernel']);
    case 4: return pick([null, true, false]);
    case 5: return pick([[], [0], [-1], [1e9, 1e9], [65536, 65536, 2], [6, 6, 2], [1, 1, 1, 1, 1, 1, 1, 1, 1], [2 ** 31, 2]]);
    case 6: return depth > 3 ? [] : Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
    case 7: return depth > 3 ? {} : Object.fromEntries(Array.from({ length: Math.floor(r() * 3) }, (_, i) => [pick(['className', 'config', 'units', 'name', 'shape', `k${i}`]), randomJson(r, depth + 1)]));
    case 8: return pick([{ className: 'Dense', config: { units: 3 } }, { className: 'constant', config: { value: 1e308 } }, { className: 'cosineDecay', config: { initialLearningRate: 1, decaySteps: 0 } }, { className: 'l2', config: { l2: -1 } }]);
    default: {
      let deep: unknown = 1;
      for (let i = 0; i < 70; i++) deep = { a: deep };
      return deep;
    }
  }
}

function parentOf(root: any, p: Path): any {
  let cur = root;
  for (const k of p.slice(0, -1)) cur = cur[k];
  return cur;
}

describe('fuzzing the topology', () => {
  it('200 random mutations of the parsed topology: a usable model or an Error', async () => {
    const r = uniformRng(0x5eed);
    let loaded = 0, slowest = 0;
    for (let i = 0; i < 200; i++) {
      const a = copy();
      // the model and training sections hold most of the checks; the manifest is sampled less
      const region = r();
      const root: Path = region < 0.6 ? ['model', 'config', 'layers'] : region < 0.8 ? ['training'] : [];
      const paths = allPaths(a.topology).filter((p) => p.length > root.length && root.every((k, j) => p[j] === k));
      const p = paths[Math.floor(r() * paths.length)];
      const parent = parentOf(a.topology, p);
      const key = p[p.length - 1];
      const kind = r();
      let what: string;
      if (kind < 0.75) {
        const v = randomJson(r);
        parent[key] = v;
        what = `${p.join('.')} = ${JSON.stringify(v)?.slice(0, 60)}`;
      } else if (kind < 0.9) {
        if (Array.isArray(parent)) parent.splice(key as number, 1); else delete parent[key];
        what = `delete ${p.join('.')}`;
      } else {
        const target = parent !== null && typeof parent === 'object' ? parent : a.topology;
        const v = randomJson(r);
        if (Array.isArray(target)) target.push(v); else target[`extra${i}`] = v;
        what = `add to ${p.slice(0, -1).join('.')}: ${JSON.stringify(v)?.slice(0, 60)}`;
      }
      const o = await tryLoad(a as ModelArtifacts, usable, `mutation ${i}: ${what}`);
      if (o.loaded) loaded++;
      slowest = Math.max(slowest, o.ms);
    }
    expect(loaded).toBeGreaterThan(0); // some mutations are harmless (a name, a seed, a momentum)
    expect(loaded).toBeLessThan(200);
    expect(slowest).toBeLessThan(1000);
  });

  it('the reference model is untouched by all of the above', () => {
    expectSameBits([predictBits(model)], [reference], 'reference model');
  });
});
