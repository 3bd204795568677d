// search: the samplers' distributions (tolerances from the sample size), the JS generator
// against the core's wasm generator (same seed and stream → same bits), reproducibility,
// sorting, failed trials, input checks before any trial, grid order, coarse → fine
// refinement with edge warnings, k-fold splits, and a real learning-rate search.
import { describe, expect, it, vi } from 'vitest';
import { runtime, WasmTensor } from '../../bindings/index.js';
import { Sequential, layers, optimizers, search, tensor, type Trial } from '../../src/index.js';
import { SearchRng, drawParams, shuffled } from '../../src/toolkit/search.js';
import { normalRng, uniformRng } from '../model/helpers.js';

/** Draws n parameter sets of `space` (trial streams 0..n−1 of the seed), as randomSearch does. */
function draws(space: Record<string, ReturnType<typeof search.uniform> | ReturnType<typeof search.choice>>, n: number, seed = 1): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, t) => drawParams(space, seed, t));
}

/** |count − n·p| ≤ z·sqrt(n·p·(1 − p)): a binomial count within z standard deviations. */
function expectBinomial(count: number, n: number, p: number, z = 4): void {
  const sd = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(count - n * p), `count ${count} of ${n}, expected ${n * p} ± ${z}·${sd.toFixed(1)}`).toBeLessThanOrEqual(z * sd);
}

describe('the generator', () => {
  it('is the core\'s xoshiro128**: same state as rng_seed and the same doubles as rngUniform(0, 1) in wasm', () => {
    const rt = runtime();
    const state = new WasmTensor([4], 'int32', 'test rng state');
    const out = new WasmTensor([64], 'float64', 'test draws');
    try {
      for (const [seed, stream] of [[0, 0], [42, 7], [2 ** 40 + 12345, 3], [Number.MAX_SAFE_INTEGER, 0xffffffff]]) {
        rt.kernels.float64.rngSeed(state, seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, stream);
        const js = new SearchRng(seed, stream);
        expect(Array.from(new Uint32Array(state.view().buffer, state.ptr, 4))).toEqual(Array.from(js.state));
        rt.kernels.float64.rngUniform(out, state, 64, 0, 1);
        const wasm = out.read();
        for (let i = 0; i < 64; i++) expect(Object.is(js.nextF64(), wasm[i]), `seed ${seed} stream ${stream} draw ${i}`).toBe(true);
      }
    } finally {
      state.free();
      out.free();
    }
  });

  it('shuffles as the core\'s shuffle_i32', () => {
    const rt = runtime();
    const state = new WasmTensor([4], 'int32', 'test rng state');
    const perm = new WasmTensor([1000], 'int32', 'test perm');
    try {
      rt.exports.rng_seed(state.ptr, 9, 0, 0);
      perm.write(Int32Array.from({ length: 1000 }, (_, i) => i));
      rt.exports.shuffle_i32(perm.ptr, state.ptr, 1000);
      expect(Array.from(shuffled(1000, new SearchRng(9, 0)))).toEqual(Array.from(perm.read()));
    } finally {
      state.free();
      perm.free();
    }
  });

  it('builds doubles in [0, 1) with 53 bits', () => {
    const r = new SearchRng(3, 0);
    let lowBits = 0;
    for (let i = 0; i < 1000; i++) {
      const u = r.nextF64();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      if (Number.isInteger(u * 2 ** 53) && !Number.isInteger(u * 2 ** 52)) lowBits++;
    }
    expect(lowBits).toBeGreaterThan(400); // about half the draws use the 53rd bit
  });
});

describe('samplers', () => {
  it('logUniform(1e-6, 1): about half the draws below 1e-3, each decade about a sixth', () => {
    const N = 6000;
    const v = draws({ lr: search.logUniform(1e-6, 1) }, N).map((p) => p.lr as number);
    for (const x of v) {
      expect(x).toBeGreaterThanOrEqual(1e-6);
      expect(x).toBeLessThanOrEqual(1);
    }
    expectBinomial(v.filter((x) => x < 1e-3).length, N, 0.5);
    for (let d = 0; d < 6; d++) expectBinomial(v.filter((x) => x >= 10 ** (d - 6) && x < 10 ** (d - 5)).length, N, 1 / 6);
    // a uniform sampler over the same range puts almost nothing below 1e-3: that is why the lecture samples in log space
    const u = draws({ lr: search.uniform(1e-6, 1) }, N).map((p) => p.lr as number);
    expect(u.filter((x) => x < 1e-3).length).toBeLessThan(N * 0.003);
  });

  it('uniform(-2, 3): mean and variance within 4 standard errors', () => {
    const N = 6000, lo = -2, hi = 3, w = hi - lo;
    const v = draws({ x: search.uniform(lo, hi) }, N).map((p) => p.x as number);
    for (const x of v) {
      expect(x).toBeGreaterThanOrEqual(lo);
      expect(x).toBeLessThan(hi);
    }
    const mean = v.reduce((a, b) => a + b, 0) / N;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / N;
    expect(Math.abs(mean - (lo + hi) / 2)).toBeLessThan(4 * Math.sqrt(w * w / 12 / N));
    // sd of the sample variance of a uniform: w²/sqrt(180·N)
    expect(Math.abs(variance - w * w / 12)).toBeLessThan(4 * w * w / Math.sqrt(180 * N));
  });

  it('intRange covers both ends, each value about equally often', () => {
    const N = 4000;
    const v = draws({ k: search.intRange(1, 4) }, N).map((p) => p.k as number);
    for (const x of v) expect(Number.isInteger(x) && x >= 1 && x <= 4).toBe(true);
    for (let k = 1; k <= 4; k++) expectBinomial(v.filter((x) => x === k).length, N, 1 / 4);
    const two = draws({ k: search.intRange(-1, 0) }, 200).map((p) => p.k);
    expect(new Set(two)).toEqual(new Set([-1, 0]));
  });

  it('choice: frequencies', () => {
    const N = 3000;
    const v = draws({ c: search.choice(['relu', 'tanh', 'elu']) }, N).map((p) => p.c);
    for (const c of ['relu', 'tanh', 'elu']) expectBinomial(v.filter((x) => x === c).length, N, 1 / 3);
    expect(v.every((x) => ['relu', 'tanh', 'elu'].includes(x as string))).toBe(true);
  });

  it('refuses bad bounds and empty choices when made', () => {
    expect(() => search.uniform(1, 1)).toThrow(/lo must be below hi/);
    expect(() => search.uniform(2, 1)).toThrow(/lo must be below hi/);
    expect(() => search.uniform(0, Infinity)).toThrow(/finite/);
    expect(() => search.uniform(NaN, 1)).toThrow(/finite/);
    expect(() => search.logUniform(0, 1)).toThrow(/positive/);
    expect(() => search.logUniform(-1e-3, 1)).toThrow(/positive/);
    expect(() => search.logUniform(1, 1e-3)).toThrow(/lo must be below hi/);
    expect(() => search.intRange(3, 3)).toThrow(/lo must be below hi/);
    expect(() => search.intRange(1.5, 3)).toThrow(/integers/);
    expect(() => search.choice([])).toThrow(/empty/);
    expect(() => search.choice('abc' as unknown as string[])).toThrow(/array/);
  });
});

describe('randomSearch', () => {
  const space = { lr: search.logUniform(1e-5, 1), dropout: search.uniform(0, 0.5), units: search.intRange(8, 64), act: search.choice(['relu', 'tanh']), epochs: 3, name: 'run' };

  it('is reproducible from the seed; a trial\'s parameters do not depend on the number of trials', async () => {
    const calls: [unknown, number][] = [];
    const a = await search.randomSearch({ space, trials: 10, seed: 123, evaluate: (p, t) => { calls.push([p, t]); return p.lr; } });
    const b = await search.randomSearch({ space, trials: 10, seed: 123, evaluate: (p) => p.lr });
    const c = await search.randomSearch({ space, trials: 3, seed: 123, evaluate: (p) => p.lr });
    const d = await search.randomSearch({ space, trials: 10, seed: 124, evaluate: (p) => p.lr });
    const byTrial = (r: { results: Trial<unknown>[] }) => r.results.slice().sort((x, y) => x.trial - y.trial).map((x) => x.params);
    expect(byTrial(b)).toEqual(byTrial(a));
    expect(byTrial(c)).toEqual(byTrial(a).slice(0, 3));
    expect(byTrial(d)).not.toEqual(byTrial(a));
    expect(calls.map((x) => x[1])).toEqual([...Array(10).keys()]);
    for (const [p] of calls) {
      const q = p as Record<string, unknown>;
      expect(Object.keys(q)).toEqual(Object.keys(space));
      expect(q.epochs).toBe(3);
      expect(q.name).toBe('run');
    }
    expect(a.seed).toBe(123);
    // default seed 0
    const z = await search.randomSearch({ space, trials: 2, evaluate: () => 0 });
    expect(z.seed).toBe(0);
    expect(byTrial(z)).toEqual(byTrial(await search.randomSearch({ space, trials: 2, seed: 0, evaluate: () => 0 })));
  });

  it('sorts best first (higher score), ties by trial index; awaits async evaluate', async () => {
    // trials 1 and 3 tie: the lower index first
    const scores = [0.2, 0.9, -1, 0.9, 0.5, -Infinity, 3];
    const r = await search.randomSearch({ space, trials: scores.length, seed: 1, evaluate: async (_p, t) => { await new Promise((res) => setTimeout(res, 1)); return scores[t]; } });
    expect(r.results.map((x) => x.trial)).toEqual([6, 1, 3, 4, 0, 2, 5]);
    expect(r.results.map((x) => x.score)).toEqual([3, 0.9, 0.9, 0.5, 0.2, -1, -Infinity]);
    expect(r.best).toBe(r.results[0]);
    expect(r.best!.score).toBe(3);
    expect(r.results.every((x) => x.error === undefined)).toBe(true);
  });

  it('records failed trials (throws, rejects, NaN, non-numbers) with score NaN, sorted last, and goes on', async () => {
    const seen: number[] = [];
    const onTrial = vi.fn();
    const r = await search.randomSearch({
      space, trials: 7, seed: 5, onTrial,
      evaluate: async (_p, t) => {
        seen.push(t);
        if (t === 1) throw new Error('loss is NaN at step 3');
        if (t === 2) return NaN;
        if (t === 4) return Promise.reject(new Error('out of memory'));
        if (t === 5) return 'high' as unknown as number;
        return t;
      },
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(onTrial).toHaveBeenCalledTimes(7);
    expect(r.results.map((x) => x.trial)).toEqual([6, 3, 0, 1, 2, 4, 5]);
    const failed = r.results.slice(3);
    expect(failed.every((x) => Number.isNaN(x.score) && typeof x.error === 'string')).toBe(true);
    expect(failed.map((x) => x.error)).toEqual(['loss is NaN at step 3', 'evaluate returned NaN', 'out of memory', "evaluate returned the string 'high', not a number"]);
    expect(failed[0].params).toEqual(drawParams(r.space, 5, 1));
    expect(r.best!.trial).toBe(6);
    const none = await search.randomSearch({ space, trials: 2, evaluate: () => NaN });
    expect(none.best).toBeNull();
    expect(none.results).toHaveLength(2);
  });

  it('refuses bad input before any trial', async () => {
    const evaluate = vi.fn(() => 1);
    const bad: [unknown, RegExp][] = [
      [{ space, trials: 0, evaluate }, /trials must be a positive integer/],
      [{ space, trials: 2.5, evaluate }, /trials must be a positive integer/],
      [{ space, trials: -3, evaluate }, /trials must be a positive integer/],
      [{ space, trials: '10', evaluate }, /trials must be a positive integer/],
      [{ space, evaluate }, /trials must be a positive integer/],
      [{ space: { lr: [1e-3, 1e-2] }, trials: 2, evaluate }, /'lr' is an array.*search\.choice/],
      [{ space: { lr: { lo: 1e-3, hi: 1 } }, trials: 2, evaluate }, /'lr' is an object.*not a sampler/],
      [{ space: { lr: () => 1 }, trials: 2, evaluate }, /'lr' is a function/],
      [{ space: { lr: undefined }, trials: 2, evaluate }, /'lr' is undefined/],
      [{ space: { lr: NaN }, trials: 2, evaluate }, /'lr' is NaN/],
      [{ space: {}, trials: 2, evaluate }, /space is empty/],
      [{ space: [search.uniform(0, 1)], trials: 2, evaluate }, /space must be an object/],
      [{ space, trials: 2, evaluate: 'fit' }, /evaluate must be a function/],
      [{ space, trials: 2, evaluate, seed: -1 }, /seed must be a non-negative integer/],
      [{ space, trials: 2, evaluate, seed: 1.5 }, /seed must be a non-negative integer/],
      [{ space, trials: 2, evaluate, trails: 3 }, /unknown option 'trails'.*did you mean 'trials'/],
    ];
    for (const [opts, msg] of bad) await expect(search.randomSearch(opts as never)).rejects.toThrow(msg);
    expect(evaluate).not.toHaveBeenCalled();
    // objects as values go through search.constant
    const r = await search.randomSearch({ space: { opt: search.constant({ name: 'adam' }) }, trials: 1, evaluate: (p) => (p.opt.name === 'adam' ? 1 : 0) });
    expect(r.best!.score).toBe(1);
  });
});

describe('gridSearch', () => {
  it('runs the cartesian product in nested-loop order, the last key fastest', async () => {
    const seen: unknown[] = [];
    const r = await search.gridSearch({
      grid: { lr: [0.1, 0.01], act: ['relu', 'tanh', 'elu'], bn: [true] },
      evaluate: (p, t) => { seen.push({ ...p, t }); return p.lr * (p.act === 'tanh' ? 2 : 1); },
    });
    expect(seen).toEqual([
      { lr: 0.1, act: 'relu', bn: true, t: 0 }, { lr: 0.1, act: 'tanh', bn: true, t: 1 }, { lr: 0.1, act: 'elu', bn: true, t: 2 },
      { lr: 0.01, act: 'relu', bn: true, t: 3 }, { lr: 0.01, act: 'tanh', bn: true, t: 4 }, { lr: 0.01, act: 'elu', bn: true, t: 5 },
    ]);
    expect(r.results).toHaveLength(6);
    expect(r.best).toMatchObject({ params: { lr: 0.1, act: 'tanh', bn: true }, score: 0.2, trial: 1 });
    expect(Object.keys(r.best!.params)).toEqual(['lr', 'act', 'bn']);
    expect(r.results.map((x) => x.trial)).toEqual([1, 0, 2, 4, 3, 5]);
    const count = await search.gridSearch({ grid: { a: [1, 2, 3], b: [1, 2, 3, 4], c: [0, 1] }, evaluate: () => 0 });
    expect(count.results).toHaveLength(24);
    expect(new Set(count.results.map((x) => JSON.stringify(x.params))).size).toBe(24);
  });

  it('refuses bad grids before any trial', async () => {
    const evaluate = vi.fn(() => 1);
    await expect(search.gridSearch({ grid: { a: [] }, evaluate })).rejects.toThrow(/'a' has no values/);
    await expect(search.gridSearch({ grid: { a: 3 } as never, evaluate })).rejects.toThrow(/'a' must be an array/);
    await expect(search.gridSearch({ grid: {}, evaluate })).rejects.toThrow(/grid is empty/);
    await expect(search.gridSearch({ grid: { a: [1] }, evaluate: null as never })).rejects.toThrow(/evaluate must be a function/);
    expect(evaluate).not.toHaveBeenCalled();
  });

  it('random layout tries more distinct values of the parameter that matters than a grid of the same budget (the lecture\'s figure)', async () => {
    // score depends on x only; y is unimportant. 9 trials: a 3×3 grid sees 3 values of x, random search 9
    const f = (p: { x: number; y: number }) => -((p.x - 0.37) ** 2);
    const grid = await search.gridSearch({ grid: { x: [0, 0.5, 1], y: [0, 0.5, 1] }, evaluate: f });
    const rand = await search.randomSearch({ space: { x: search.uniform(0, 1), y: search.uniform(0, 1) }, trials: 9, seed: 2, evaluate: f });
    expect(new Set(grid.results.map((r) => r.params.x)).size).toBe(3);
    expect(new Set(rand.results.map((r) => r.params.x)).size).toBe(9);
    expect(rand.best!.score).toBeGreaterThan(grid.best!.score);
  });
});

describe('refine', () => {
  const trial = (params: Record<string, unknown>, score: number, t: number): Trial => ({ params, score, trial: t });

  it('narrows each numeric range to the top trials\' span ± margin (log space for logUniform), choices to the values used', () => {
    const space = { lr: search.logUniform(1e-6, 1), drop: search.uniform(0, 0.8), units: search.intRange(1, 100), act: search.choice(['relu', 'tanh', 'elu']), epochs: 5 };
    const results = [
      trial({ lr: 1e-3, drop: 0.2, units: 30, act: 'tanh', epochs: 5 }, 0.9, 0),
      trial({ lr: 1e-2, drop: 0.4, units: 50, act: 'relu', epochs: 5 }, 0.8, 1),
      trial({ lr: 1e-4, drop: 0.3, units: 40, act: 'tanh', epochs: 5 }, 0.7, 2),
      trial({ lr: 0.5, drop: 0.7, units: 95, act: 'elu', epochs: 5 }, 0.1, 3),
      trial({ lr: 2e-6, drop: 0.01, units: 2, act: 'elu', epochs: 5 }, NaN, 4),
    ];
    const { space: s, warnings } = search.refine({ results, space } as never, { top: 3, margin: 0.5 });
    expect(warnings).toEqual([]);
    // log10 span of the top 3: [−4, −2], widened by 0.5·2 decades each side → [1e-5, 1e-1]
    expect(s.lr.kind).toBe('logUniform');
    expect(s.lr.lo).toBeCloseTo(1e-5, 18);
    expect(s.lr.hi).toBeCloseTo(1e-1, 14);
    expect(s.lr.lo / 1e-5).toBeCloseTo(1, 12);
    expect(s.drop).toMatchObject({ kind: 'uniform' });
    expect(s.drop.lo).toBeCloseTo(0.1, 12);
    expect(s.drop.hi).toBeCloseTo(0.5, 12);
    expect(s.units).toMatchObject({ kind: 'intRange', lo: 20, hi: 60 });
    expect(s.act).toMatchObject({ kind: 'choice', values: ['relu', 'tanh'] });
    expect(s.epochs).toMatchObject({ kind: 'constant', values: [5] });
    // the narrowed ranges lie inside the old ones
    expect(s.lr.lo).toBeGreaterThan(space.lr.lo);
    expect(s.lr.hi).toBeLessThan(space.lr.hi);
  });

  it('flags a best value at the edge of its range ("widen the range") and keeps that bound, or moves it out with extend', () => {
    const space = { lr: search.logUniform(1e-6, 1e-1), reg: search.uniform(0, 1), units: search.intRange(1, 10) };
    const results = [
      trial({ lr: 1.5e-6, reg: 0.97, units: 5 }, 1, 0), // lr in the lowest decade-half of 5 decades, reg at the top
      trial({ lr: 1e-5, reg: 0.8, units: 6 }, 0.9, 1),
      trial({ lr: 3e-5, reg: 0.7, units: 4 }, 0.8, 2),
      trial({ lr: 1e-2, reg: 0.1, units: 9 }, 0.1, 3),
    ];
    // margin 0: without the edge rule the new ranges would be exactly the top trials' spans
    const { space: s, warnings } = search.refine(results, { space, top: 3, margin: 0 });
    expect(warnings.map((w) => [w.param, w.edge])).toEqual([['lr', 'low'], ['reg', 'high']]);
    expect(warnings[0]).toMatchObject({ value: 1.5e-6, range: [1e-6, 1e-1] });
    expect(warnings[0].message).toMatch(/lr: the best trial's value 1\.500e-6 is in the lowest 10% of the searched range \[1\.000e-6, 0\.1\] \(log scale\).*below.*widen the range/);
    expect(warnings[1].message).toMatch(/reg: .* highest 10% .*above.*widen the range/);
    expect(s.lr.lo).toBe(1e-6); // kept exactly, not moved up to 1.5e-6
    expect(s.lr.hi / 3e-5).toBeCloseTo(1, 12);
    expect(s.reg.hi).toBe(1); // not 0.97
    expect(s.reg.lo).toBe(0.7);
    expect(s.units).toMatchObject({ kind: 'intRange', lo: 4, hi: 6 });
    const ext = search.refine(results, { space, top: 3, margin: 0, extend: true });
    expect(ext.space.lr.lo).toBeLessThan(1e-6);
    expect(ext.space.lr.lo).toBeGreaterThan(0);
    expect(ext.space.reg.hi).toBeGreaterThan(1);
    expect(ext.warnings.map((w) => w.param)).toEqual(['lr', 'reg']);
    // intRange at its edge, and a narrowed intRange of one value becomes a constant
    const edgeInt = search.refine([trial({ k: 10 }, 1, 0)], { space: { k: search.intRange(1, 10) }, top: 1, margin: 0 });
    expect(edgeInt.warnings).toMatchObject([{ param: 'k', edge: 'high' }]);
    const mid = search.refine([trial({ k: 5 }, 1, 0)], { space: { k: search.intRange(1, 10) }, top: 1, margin: 0 });
    expect(mid.space.k).toMatchObject({ kind: 'constant', values: [5] });
    expect(mid.warnings).toEqual([]);
  });

  it('coarse → fine on a real search: the refined space is narrower, feeds randomSearch, and finds at least as good a score', async () => {
    const f = (p: { lr: number; m: number }) => -((Math.log10(p.lr) + 2.5) ** 2) - (p.m - 0.9) ** 2;
    const space = { lr: search.logUniform(1e-6, 1), m: search.uniform(0, 1) };
    const coarse = await search.randomSearch({ space, trials: 30, seed: 4, evaluate: f });
    const { space: fine, warnings } = search.refine(coarse, { top: 5 });
    expect(warnings.filter((w) => w.param === 'lr')).toEqual([]);
    expect(Math.log10(fine.lr.hi / fine.lr.lo)).toBeLessThan(6);
    expect(fine.lr.lo).toBeLessThan(10 ** -2.5);
    expect(fine.lr.hi).toBeGreaterThan(10 ** -2.5);
    const second = await search.randomSearch({ space: fine, trials: 30, seed: 5, evaluate: f });
    expect(second.best!.score).toBeGreaterThanOrEqual(coarse.best!.score);
  });

  it('refuses what it cannot refine', () => {
    const space = { x: search.uniform(0, 1) };
    expect(() => search.refine([trial({ x: 0.5 }, 1, 0)])).toThrow(/needs the space/);
    expect(() => search.refine([trial({ x: 0.5 }, NaN, 0)], { space })).toThrow(/no successful trial/);
    expect(() => search.refine([trial({ y: 0.5 }, 1, 0)], { space })).toThrow(/no parameter 'x'/);
    expect(() => search.refine([trial({ x: 'a' }, 1, 0)], { space })).toThrow(/not a number/);
    expect(() => search.refine([trial({ x: 0.5 }, 1, 0)], { space, top: 0 })).toThrow(/top must be a positive integer/);
    expect(() => search.refine([trial({ x: 0.5 }, 1, 0)], { space, margin: -1 })).toThrow(/margin/);
    expect(() => search.refine([trial({ x: 0.5 }, 1, 0)], { space, edge: 0.5 })).toThrow(/edge/);
    expect(() => search.refine(42 as never)).toThrow(/randomSearch result or a list of trials/);
  });
});

describe('kFold', () => {
  it('k disjoint folds covering 0..n−1, sizes within one, train = the complement, sorted', () => {
    for (const [n, k] of [[10, 3], [7, 7], [100, 5], [101, 10], [2, 2]]) {
      const folds = search.kFold(n, k, 11);
      expect(folds).toHaveLength(k);
      const sizes = folds.map((f) => f.test.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
      const seen = new Int32Array(n);
      for (const f of folds) {
        expect(f.test).toBeInstanceOf(Int32Array);
        expect(f.train).toBeInstanceOf(Int32Array);
        expect(f.train.length + f.test.length).toBe(n);
        const inTest = new Set(f.test);
        expect(inTest.size).toBe(f.test.length);
        for (const i of f.train) expect(inTest.has(i)).toBe(false);
        expect(new Set([...f.train, ...f.test]).size).toBe(n);
        for (const a of [f.train, f.test]) for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1]);
        for (const i of f.test) seen[i]++;
      }
      expect(Array.from(seen).every((c) => c === 1)).toBe(true);
    }
  });

  it('is shuffled by the seed, reproducibly', () => {
    const a = search.kFold(50, 5, 1), b = search.kFold(50, 5, 1), c = search.kFold(50, 5, 2);
    expect(a.map((f) => Array.from(f.test))).toEqual(b.map((f) => Array.from(f.test)));
    expect(a.map((f) => Array.from(f.test))).not.toEqual(c.map((f) => Array.from(f.test)));
    // not the unshuffled split
    expect(Array.from(a[0].test)).not.toEqual([...Array(10).keys()]);
    expect(search.kFold(50, 5).map((f) => Array.from(f.test))).toEqual(search.kFold(50, 5, 0).map((f) => Array.from(f.test)));
  });

  it('refuses bad n, k and seeds', () => {
    expect(() => search.kFold(10, 1)).toThrow(/k must be an integer in \[2, n = 10\]/);
    expect(() => search.kFold(10, 11)).toThrow(/k must be/);
    expect(() => search.kFold(10, 2.5)).toThrow(/k must be/);
    expect(() => search.kFold(1, 2)).toThrow(/n must be/);
    expect(() => search.kFold(10.5, 2)).toThrow(/n must be/);
    expect(() => search.kFold(10, 2, -1)).toThrow(/seed/);
  });
});

describe('a real search', () => {
  // three Gaussian blobs in 2-D with label noise; a small MLP trained with SGD for a few epochs
  const N = 240;
  const g = normalRng(21), u = uniformRng(22);
  const centers = [[0, 1.5], [1.3, -0.8], [-1.3, -0.8]];
  const labels = Int32Array.from({ length: N }, (_, i) => i % 3);
  const xData = Float32Array.from({ length: N * 2 }, (_, j) => centers[labels[j >> 1]][j & 1] + 0.8 * g());
  for (let i = 0; i < N; i++) if (u() < 0.1) labels[i] = Math.floor(u() * 3);
  const nTrain = 180;
  const xTrain = tensor(xData.slice(0, nTrain * 2), [nTrain, 2]), yTrain = labels.slice(0, nTrain);
  const xVal = tensor(xData.slice(nTrain * 2), [N - nTrain, 2]), yVal = labels.slice(nTrain);

  it('random search over the learning rate (logUniform) finds a better-than-median score; a diverging rate is a failed trial', async () => {
    const space = { learningRate: search.logUniform(1e-5, 30), hidden: 16 };
    const r = await search.randomSearch({
      space, trials: 10, seed: 3,
      evaluate: async ({ learningRate, hidden }, t) => {
        const m = new Sequential({ seed: 100 + t });
        try {
          m.add(layers.dense({ units: hidden, inputShape: [2], activation: 'relu' }));
          m.add(layers.dense({ units: 3 }));
          m.compile({ optimizer: optimizers.sgd({ learningRate }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
          await m.fit(xTrain, yTrain, { epochs: 8, batchSize: 30 });
          return -m.evaluate(xVal, yVal).loss;
        } finally {
          m.dispose();
        }
      },
    });
    const ok = r.results.filter((x) => !Number.isNaN(x.score)).map((x) => x.score).sort((a, b) => a - b);
    const median = (ok[(ok.length - 1) >> 1] + ok[ok.length >> 1]) / 2;
    expect(r.best!.score).toBeGreaterThan(median);
    expect(-r.best!.score).toBeLessThan(0.75); // well below chance (ln 3 ≈ 1.10)
    expect(r.best!.params.learningRate).toBeGreaterThan(1e-2);
    expect(r.best!.params.learningRate).toBeLessThan(30);
    // the draws span the decades: tiny rates barely move from ln 3
    const tiny = r.results.filter((x) => x.params.learningRate < 1e-3);
    expect(tiny.length).toBeGreaterThan(0);
    for (const x of tiny) expect(-x.score).toBeGreaterThan(1.0);
    // too high a rate diverges: fit throws, the trial is recorded as failed and the search goes on
    const failed = r.results.filter((x) => Number.isNaN(x.score));
    expect(failed.length).toBeGreaterThan(0);
    for (const x of failed) {
      expect(x.params.learningRate).toBeGreaterThan(1);
      expect(x.error).toMatch(/non-finite/);
    }
    expect(r.results.slice(-failed.length)).toEqual(failed);
  });
});
