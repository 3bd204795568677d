// Threads: init({threads}) checks its argument; any thread count trains to the same bits
// (every threaded kernel of these models is split, down to the smallest call, with
// minParallelFlops = minSplitWork = 0);
// a worker that fails mid-step rejects the step and leaves the model as it was.
//
// tests/setup.ts starts the runtime with {threads: 1} (shared memory, no workers); these
// tests resize the pool through core().resize, which skips init's clamp to the hardware's
// thread count, so 3 threads run on this 2-core machine too.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { core, init, type DType } from '../../bindings/index.js';
import { Sequential, layers, optimizers, type Model } from '../../src/index.js';
import { TestRng, uniformArray } from '../reference/prng.js';

const rt = core();
const defaults = [rt.minParallelFlops, rt.minSplitWork];
beforeAll(() => { rt.minParallelFlops = 0; rt.minSplitWork = 0; });
afterAll(async () => { [rt.minParallelFlops, rt.minSplitWork] = defaults; await rt.resize(1); });

/** The raw bytes of every weight, concatenated. */
function bits(m: Model): Uint8Array[] {
  return m.getWeights().map((w) => new Uint8Array(w.data.buffer.slice(w.data.byteOffset, w.data.byteOffset + w.data.byteLength)));
}

function data(n: number, per: number, classes: number, seed: number) {
  const rng = new TestRng(seed);
  const x = Float32Array.from(uniformArray(rng, n * per, -1, 1));
  const y = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % classes);
  return { x, y };
}

interface Case { name: string; make: () => Model; n: number; per: number; classes: number }

const CASES: Case[] = [
  {
    name: 'MLP with dropout, Adam (f32)', n: 61, per: 37, classes: 5,
    make: () => {
      const m = new Sequential({ seed: 11 });
      m.add(layers.dense({ units: 45, activation: 'relu', inputShape: [37] }));
      m.add(layers.dropout({ rate: 0.25 }));
      m.add(layers.dense({ units: 23, activation: 'tanh' }));
      m.add(layers.dense({ units: 5, activation: 'softmax' }));
      m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      return m;
    },
  },
  {
    name: 'CNN with batch norm and pooling, SGD momentum (f32)', n: 19, per: 11 * 11 * 2, classes: 3,
    make: () => {
      const m = new Sequential({ seed: 12 });
      m.add(layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', inputShape: [11, 11, 2] }));
      m.add(layers.batchNorm({}));
      m.add(layers.maxPool2d({ poolSize: 2 }));
      m.add(layers.conv2d({ filters: 9, kernelSize: 2, padding: 'same', activation: 'relu' }));
      m.add(layers.flatten());
      m.add(layers.dense({ units: 3, activation: 'softmax' }));
      m.compile({ optimizer: optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }), loss: 'sparseCategoricalCrossentropy' });
      return m;
    },
  },
  {
    name: 'GRU then LSTM, RMSprop (f32)', n: 13, per: 7 * 5, classes: 4,
    make: () => {
      const m = new Sequential({ seed: 13 });
      m.add(layers.gru({ units: 9, returnSequences: true, inputShape: [7, 5] }));
      m.add(layers.lstm({ units: 6 }));
      m.add(layers.dense({ units: 4, activation: 'softmax' }));
      m.compile({ optimizer: optimizers.rmsprop({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      return m;
    },
  },
  {
    name: 'MLP in float64', n: 33, per: 21, classes: 3,
    make: () => {
      const m = new Sequential({ seed: 14, dtype: 'float64' });
      m.add(layers.dense({ units: 17, activation: 'elu', inputShape: [21] }));
      m.add(layers.dense({ units: 3, activation: 'softmax' }));
      m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      return m;
    },
  },
];

async function train(c: Case, threads: number): Promise<{ weights: Uint8Array[]; loss: number[]; pred: Uint8Array }> {
  await rt.resize(threads);
  expect(rt.threads).toBe(threads);
  const { x, y } = data(c.n, c.per, c.classes, 5);
  const m = c.make();
  try {
    const h = await m.fit(x, y, { epochs: 3, batchSize: 8, shuffle: true, verbose: 0 });
    const p = m.predict(x).data;
    return { weights: bits(m), loss: h.history.loss, pred: new Uint8Array(p.buffer.slice(0)) };
  } finally {
    m.dispose();
  }
}

/** What a raw-kernel run records: one result's bytes under a key, for each thread count. */
type Record = (key: string, bytes: Uint8Array) => void;

/**
 * Runs `body` for f32 and f64 on 1, 2 and 3 threads; expects at least `minJobs` worker jobs
 * on each of 2 and 3 threads, and every recorded result equal to its one-thread bytes.
 */
async function acrossThreadCounts(minJobs: number, jobsWhy: string,
  body: (t: number, dtype: DType, es: number, T: Float32ArrayConstructor | Float64ArrayConstructor, record: Record) => void): Promise<void> {
  const results = new Map<string, Uint8Array[]>();
  const record: Record = (key, bytes) => results.set(key, [...(results.get(key) ?? []), bytes]);
  for (const t of [1, 2, 3]) {
    await rt.resize(t);
    const jobs = rt.pool?.jobs ?? 0;
    for (const dtype of ['float32', 'float64'] as DType[]) {
      body(t, dtype, dtype === 'float32' ? 4 : 8, dtype === 'float32' ? Float32Array : Float64Array, record);
    }
    if (t > 1) expect(rt.pool!.jobs - jobs, `${t} threads: jobs handed to workers (${jobsWhy})`).toBeGreaterThanOrEqual(minJobs);
  }
  for (const [key, [one, two, three]] of results) {
    expect(two, `${key}: 2 threads`).toEqual(one);
    expect(three, `${key}: 3 threads`).toEqual(one);
  }
}

describe('any thread count gives the same bits', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const one = await train(c, 1);
      for (const t of [2, 3]) {
        const many = await train(c, t);
        expect(many.loss, `${t} threads: losses`).toEqual(one.loss);
        expect(many.pred, `${t} threads: predictions`).toEqual(one.pred);
        many.weights.forEach((w, i) => expect(w, `${t} threads: weight ${i}`).toEqual(one.weights[i]));
      }
    });
  }

  it('gemm split by rows or columns equals one thread for every transpose, accumulate and awkward shape', async () => {
    const shapes: [number, number, number][] = [[1, 1, 1], [3, 17, 5], [17, 3, 9], [5, 33, 257], [67, 9, 300], [130, 70, 3], [4, 8, 0]];
    const flags = [[false, false, false], [true, false, true], [false, true, false], [true, true, true]] as const;
    // all but the 1×1×1 and k = 0 cases (one tile) split
    await acrossThreadCounts(40, 'all but the one-tile cases', (_t, dtype, es, T, record) => {
      const k = rt.raw[dtype];
      for (const [m, n, kk] of shapes) {
        for (const [ta, tb, acc] of flags) {
          const rng = new TestRng(m * 1000 + n * 10 + kk);
          const A = uniformArray(rng, m * kk, -1, 1), B = uniformArray(rng, kk * n, -1, 1), C0 = uniformArray(rng, m * n, -1, 1);
          const work = k.gemmWorkBytes(m, n, kk);
          rt.reserveThreadWork(work);
          const pa = rt.arena.alloc(Math.max(1, A.length) * es), pb = rt.arena.alloc(Math.max(1, B.length) * es);
          const pc = rt.arena.alloc(C0.length * es), pw = rt.arena.alloc(work);
          new T(rt.arena.buffer, pa, A.length).set(A);
          new T(rt.arena.buffer, pb, B.length).set(B);
          new T(rt.arena.buffer, pc, C0.length).set(C0);
          k.gemm(pc, pw, pa, pb, m, n, kk, ta, tb, acc);
          record(`${dtype} ${m}×${n}×${kk} transA ${ta} transB ${tb} accumulate ${acc}`, new Uint8Array(rt.arena.buffer.slice(pc, pc + C0.length * es)));
          for (const p of [pa, pb, pc, pw]) rt.arena.release(p);
        }
      }
    });
  });
});

describe('the conv kernels split by images (forward, input gradient) and by kernel taps (filter gradient)', () => {
  // [N, H, W, C, KH, KW, SH, SW, padTop, padLeft, OH, OW, F]: chunks of one image (5×5 same on
  // 20×20×8), chunks of 10 images that the thread shares cut across (3×3 same on 12×12×6, N 23),
  // and stride 2 'valid' (the input gradient's col2im path)
  const GEOMS: number[][] = [
    [5, 20, 20, 8, 5, 5, 1, 1, 2, 2, 20, 20, 6],
    [23, 12, 12, 6, 3, 3, 1, 1, 1, 1, 12, 12, 5],
    [4, 9, 8, 3, 3, 2, 2, 2, 0, 0, 4, 4, 7],
  ];
  const GUARD = 16; // elements of a sentinel before and after every output

  it('any thread count writes the same bits, and nothing outside its output', async () => {
    // every one of the 18 calls split (each has ≥ 2 images and ≥ 2 taps): a worker job at least
    await acrossThreadCounts(18, 'one per call at least', (t, dtype, es, T, record) => {
      const k = rt.raw[dtype];
      for (const [N, H, W, C, KH, KW, SH, SW, pt, pl, OH, OW, F] of GEOMS) {
        const g = [H, W, C, KH, KW, SH, SW, pt, pl, OH, OW, F] as const;
        const rng = new TestRng(N * 100 + H + C);
        const K = KH * KW * C, xs = N * H * W * C, ys = N * OH * OW * F;
        const x = uniformArray(rng, xs, -1, 1), dy = uniformArray(rng, ys, -1, 1), w = uniformArray(rng, K * F, -1, 1);
        const work = k.convWorkBytes(...g);
        rt.reserveThreadWork(work);
        const blocks: number[] = [];
        const put = (v: ArrayLike<number>) => { const p = rt.arena.alloc(v.length * es); blocks.push(p); new T(rt.arena.buffer, p, v.length).set(v); return p; };
        const guarded = (n: number) => put(new Float64Array(n + 2 * GUARD).fill(-7.25)) + GUARD * es;
        const px = put(x), pdy = put(dy), pw = put(w), pwork = rt.arena.alloc(work);
        blocks.push(pwork);
        const outs = { y: [guarded(ys), ys], dx: [guarded(xs), xs], dw: [guarded(K * F), K * F] } as const;
        k.convForward(outs.y[0], pwork, px, pw, N, ...g);
        k.convInputGrad(outs.dx[0], pwork, pdy, pw, N, ...g);
        k.convFilterGrad(outs.dw[0], pwork, px, pdy, N, ...g, 0, KH * KW);
        for (const [name, [p, n]] of Object.entries(outs)) {
          const all = new T(rt.arena.buffer, p - GUARD * es, n + 2 * GUARD);
          for (const i of [...Array(GUARD).keys(), ...Array.from({ length: GUARD }, (_, j) => n + GUARD + j)]) {
            expect(all[i], `${dtype} ${g} ${t} threads: ${name} written outside its ${n} elements`).toBe(-7.25);
          }
          record(`${dtype} N${N} ${g} ${name}`, new Uint8Array(rt.arena.buffer.slice(p, p + n * es)));
        }
        for (const p of blocks) rt.arena.release(p);
      }
    });
  });
});

describe('a worker that fails mid-step', () => {
  it('rejects the step with the worker\'s error and leaves weights and optimizer state as they were', async () => {
    await rt.resize(2);
    const c = CASES[0];
    const { x, y } = data(c.n, c.per, c.classes, 9);
    const xs = x.subarray(0, 16 * c.per), ys = y.subarray(0, 16);
    const m = c.make(), ref = c.make();
    try {
      for (let i = 0; i < 3; i++) { m.trainOnBatch(xs, ys); ref.trainOnBatch(xs, ys); }
      const before = bits(m);
      rt.pool!.injectFault(1);
      expect(() => m.trainOnBatch(xs, ys)).toThrow(/simdnet worker 1 failed: injected fault/);
      bits(m).forEach((w, i) => expect(w, `weight ${i} after the failed step`).toEqual(before[i]));
      // the next steps match a model that never saw the failure: optimizer state and RNG streams held too
      for (let i = 0; i < 2; i++) expect(m.trainOnBatch(xs, ys)).toBe(ref.trainOnBatch(xs, ys));
      bits(m).forEach((w, i) => expect(w, `weight ${i} after two more steps`).toEqual(bits(ref)[i]));
    } finally {
      m.dispose();
      ref.dispose();
    }
  });
});

describe('init({threads})', () => {
  it('refuses counts that are not positive integers, naming the value', async () => {
    for (const bad of [0, -2, 1.5, Number.NaN, '2', null]) {
      await expect(init({ threads: bad as number })).rejects.toThrow(new RegExp(`threads must be a positive integer, got ${bad === '2' ? '"2"' : String(bad)}`));
    }
  });

  it('clamps a count above the hardware threads, with a note', async () => {
    const cores = os.availableParallelism();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const r = await init({ threads: cores + 5 });
      expect(r.threads).toBe(cores);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`threads: ${cores + 5}\\}\\): this machine has ${cores} hardware threads; using ${cores}`)));
    } finally {
      warn.mockRestore();
      await rt.resize(1);
    }
  });

  it('without shared memory: one thread and one note; without SIMD: an Error that says so (fresh processes)', () => {
    const run = (prelude: string, body: string) => execFileSync(process.execPath, ['--input-type=module', '-e',
      `${prelude}; import('./dist/simdnet.mjs').then(async (l) => { try { ${body} } catch (e) { console.log('error:', e.message); } });`],
    { cwd: new URL('../..', import.meta.url), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const noShared = execFileSync(process.execPath, ['--input-type=module', '-e',
      `delete globalThis.SharedArrayBuffer; const warn = console.warn; console.warn = (m) => console.log('warn:', m);
       import('./dist/simdnet.mjs').then(async (l) => { const rt = await l.init({ threads: 2 }); console.log('threads', rt.threads, rt.shared); });`],
    { cwd: new URL('../..', import.meta.url), encoding: 'utf8' });
    expect(noShared).toMatch(/warn: simdnet: init\(\{threads: 2\}\): this runtime has no SharedArrayBuffer; running on one thread/);
    expect(noShared).toMatch(/threads 1 false/);
    const noSimd = run('WebAssembly.validate = () => false', 'await l.init(); console.log("no error");');
    expect(noSimd).toMatch(/error: simdnet needs WebAssembly with SIMD .*this runtime has none/);
  });

  it('a runtime started without threads says how to get them (dist bundle, fresh process)', () => {
    const script = `import('./dist/simdnet.mjs').then(async (l) => { await l.init(); try { await l.init({ threads: 2 }); console.log('no error'); } catch (e) { console.log(e.message); } });`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url), encoding: 'utf8' });
    expect(out).toMatch(/simdnet was initialized without threads; pass \{threads\} to the first init\(\) call/);
  });
});
