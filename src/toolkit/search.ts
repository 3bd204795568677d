// search: CS231n lecture 6's hyperparameter optimization.
//
//   randomSearch({space, trials, seed = 0, evaluate, onTrial})
//       draws `trials` parameter sets from `space` and awaits evaluate(params, trial) for
//       each, one after the other (no parallel workers: a trial trains a model on the same
//       wasm core, so running trials concurrently would only interleave them). Higher scores
//       are better: return e.g. validation accuracy, or −validation loss. Resolves to
//       {best, results, seed, space}: `results` sorted best first (ties: lower trial index
//       first), `best` = results[0], or null when every trial failed.
//   gridSearch({grid, evaluate, onTrial})
//       every combination of `grid` (name → array of values), for the lecture's "random
//       layout beats grid layout" comparison. Order: nested loops over the keys in their
//       insertion order, the LAST key varying fastest (itertools.product, sklearn's
//       ParameterGrid without its key sort); trial i is the i-th combination.
//       Resolves to {best, results, grid}.
//   refine(searchResult, {top = 5, margin = 0.25, edge = 0.1, extend = false, space})
//       coarse → fine: a narrowed space around the `top` best successful trials, plus
//       "widen the range" warnings. See refine() below.
//   kFold(n, k, seed = 0)
//       k folds {train, test} (sorted Int32Array indices) of a seeded shuffle of 0..n−1.
//
// Space entries: search.logUniform(lo, hi) (0 < lo < hi; uniform in log space: the
// lecture's learning rates and regularization strengths), search.uniform(lo, hi),
// search.intRange(lo, hi) (integers, both ends included), search.choice([...]),
// search.constant(v), or a bare number, string, boolean or null (a constant). Anything
// else (an array, a plain object, a function, undefined, NaN) is an Error: an array is
// probably meant as choice([...]).
//
// Failed trials: when evaluate throws, rejects, returns NaN or returns a non-number, the
// trial is recorded as {params, score: NaN, trial, error: message}, sorted after every
// successful trial, and the search goes on. ±Infinity are valid scores (e.g. −loss of a
// diverged run).
//
// Random numbers: the core's generator, re-implemented in JS (only the drawing of
// parameters and folds happens here; no model math): xoshiro128** (Blackman & Vigna) in
// 32-bit integer ops, seeded exactly as assembly/rng.ts's rngSeed (splitmix64 over (seed,
// stream), in BigInt), doubles built from 53 bits exactly as its nextF64. Trial t draws
// from stream t of the seed, one double per sampled key in the space's key order, so a
// trial's parameters do not depend on how many trials run; kFold shuffles with stream 0
// exactly as the core's shuffle_i32 does. logUniform's log/exp run in wasm (the core's
// musl-derived Math, as the schedules do), so the same seed draws the same bits in every
// runtime; it therefore needs `await init()` first, as training does.

import { runtime } from '../../bindings/index.js';
import { checkKeys, describe, positiveInt } from '../options.js';

// ---- random numbers ------------------------------------------------------------------

const M64 = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n;

function splitmix64(x: bigint): bigint {
  let z = x & M64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** xoshiro128** with the core's seeding and double construction (assembly/rng.ts). */
export class SearchRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** seed: a non-negative safe integer; stream: an integer in [0, 2³²). */
  constructor(seed: number, stream: number) {
    const x = splitmix64(BigInt(seed) + GAMMA * (BigInt(stream >>> 0) + 1n));
    const a = splitmix64(x + GAMMA);
    const b = splitmix64(x + 2n * GAMMA);
    this.s0 = Number(a & 0xffffffffn) | 0;
    this.s1 = Number(a >> 32n) | 0;
    this.s2 = Number(b & 0xffffffffn) | 0;
    this.s3 = (Number(b >> 32n) | 1) | 0; // never all zero
  }

  /** The 16 bytes of state as the core lays them out (s0..s3, u32 each). */
  get state(): Uint32Array {
    return Uint32Array.of(this.s0, this.s1, this.s2, this.s3);
  }

  /** Next 32 random bits (unsigned). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) from 53 random bits (exact: every step is an exact double operation). */
  nextF64(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) * (1 / 9007199254740992);
  }

  /** Integer in [0, n) for 1 ≤ n ≤ 2⁵³, as the core's nextInt. */
  nextInt(n: number): number {
    return Math.floor(this.nextF64() * n);
  }
}

function checkSeed(seed: unknown, what: string): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) throw new Error(`${what} seed must be a non-negative integer, got ${describe(seed)}`);
  return seed;
}

// ---- samplers ------------------------------------------------------------------------

export type SamplerKind = 'uniform' | 'logUniform' | 'intRange' | 'choice' | 'constant';

const BRAND = Symbol('simdnet.search.sampler');

/** A space entry made by search.uniform/logUniform/intRange/choice/constant. */
export class Sampler<T = unknown> {
  /** @internal */
  readonly [BRAND] = true;
  readonly kind: SamplerKind;
  /** Bounds of uniform, logUniform and intRange (both ends included for intRange). */
  readonly lo: number;
  readonly hi: number;
  /** The values of a choice (one value for a constant). */
  readonly values: readonly T[];

  private constructor(kind: SamplerKind, lo: number, hi: number, values: readonly T[]) {
    this.kind = kind;
    this.lo = lo;
    this.hi = hi;
    this.values = Object.freeze(values.slice());
    Object.freeze(this);
  }

  /** @internal */
  static make<T>(kind: SamplerKind, lo: number, hi: number, values: readonly T[]): Sampler<T> {
    return new Sampler<T>(kind, lo, hi, values);
  }

  /** Whether a draw uses the generator (a constant does not). */
  get random(): boolean {
    return this.kind !== 'constant';
  }

  /** One draw (one nextF64 of `rng` unless a constant). */
  sample(rng: SearchRng): T {
    switch (this.kind) {
      case 'constant': return this.values[0];
      case 'choice': return this.values[rng.nextInt(this.values.length)];
      case 'intRange': return (this.lo + rng.nextInt(this.hi - this.lo + 1)) as T;
      case 'uniform': {
        // as the core's rngUniform: a value that rounds up to hi is redrawn
        let v = this.lo + (this.hi - this.lo) * rng.nextF64();
        while (v >= this.hi) v = this.lo + (this.hi - this.lo) * rng.nextF64();
        return v as T;
      }
      case 'logUniform': {
        const { math_log: log, math_exp: exp } = runtime().exports;
        const a = log(this.lo), b = log(this.hi);
        const v = exp(a + (b - a) * rng.nextF64());
        return Math.min(this.hi, Math.max(this.lo, v)) as T;
      }
    }
  }

  toString(): string {
    if (this.kind === 'choice') return `choice(${JSON.stringify(this.values)})`;
    if (this.kind === 'constant') return `constant(${JSON.stringify(this.values[0])})`;
    return `${this.kind}(${this.lo}, ${this.hi})`;
  }
}

function isSampler(v: unknown): v is Sampler {
  return v instanceof Sampler && (v as Sampler)[BRAND] === true;
}

function finiteBounds(lo: unknown, hi: unknown, what: string): [number, number] {
  if (typeof lo !== 'number' || !Number.isFinite(lo)) throw new Error(`search.${what}: lo must be a finite number, got ${describe(lo)}`);
  if (typeof hi !== 'number' || !Number.isFinite(hi)) throw new Error(`search.${what}: hi must be a finite number, got ${describe(hi)}`);
  if (!(lo < hi)) throw new Error(`search.${what}(${lo}, ${hi}): lo must be below hi`);
  return [lo, hi];
}

/** Uniform in [lo, hi). */
export function uniform(lo: number, hi: number): Sampler<number> {
  [lo, hi] = finiteBounds(lo, hi, 'uniform');
  if (!Number.isFinite(hi - lo)) throw new Error(`search.uniform(${lo}, ${hi}): the range is too wide for a double`);
  return Sampler.make<number>('uniform', lo, hi, []);
}

/** exp(uniform(log lo, log hi)): every decade of [lo, hi] is drawn equally often (0 < lo < hi). */
export function logUniform(lo: number, hi: number): Sampler<number> {
  [lo, hi] = finiteBounds(lo, hi, 'logUniform');
  if (!(lo > 0)) throw new Error(`search.logUniform(${lo}, ${hi}): the bounds must be positive (a log scale), got lo = ${lo}`);
  return Sampler.make<number>('logUniform', lo, hi, []);
}

/** An integer in [lo, hi], both ends included. */
export function intRange(lo: number, hi: number): Sampler<number> {
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new Error(`search.intRange: lo and hi must be integers, got ${describe(lo)} and ${describe(hi)}`);
  if (!(lo < hi)) throw new Error(`search.intRange(${lo}, ${hi}): lo must be below hi (for a single value use a constant)`);
  if (!Number.isSafeInteger(hi - lo + 1)) throw new Error(`search.intRange(${lo}, ${hi}): the range is too wide`);
  return Sampler.make<number>('intRange', lo, hi, []);
}

/** One of `values`, each equally likely. */
export function choice<T>(values: readonly T[]): Sampler<T> {
  if (!Array.isArray(values)) throw new Error(`search.choice expects an array of values, got ${describe(values)}`);
  if (values.length === 0) throw new Error('search.choice: the list of values is empty');
  return Sampler.make<T>('choice', NaN, NaN, values);
}

/** Always `value` (for values a bare constant cannot be: objects, arrays). */
export function constant<T>(value: T): Sampler<T> {
  return Sampler.make<T>('constant', NaN, NaN, [value]);
}

// ---- spaces and results --------------------------------------------------------------

type Bare = number | string | boolean | null;
export type SpaceEntry = Sampler<unknown> | Bare;
export type Space = Record<string, SpaceEntry>;
/** The parameters a space draws: each sampler's value type, constants as given. */
export type ParamsOf<S extends Space> = { [K in keyof S]: S[K] extends Sampler<infer T> ? T : S[K] };
/** A space that draws parameters of type P (what randomSearch and refine return). */
export type SpaceOf<P> = { [K in keyof P]: Sampler<P[K]> };

export interface Trial<P = Record<string, unknown>> {
  params: P;
  /** evaluate's result; NaN for a failed trial. */
  score: number;
  /** Index of the trial (the order it was drawn and run in). */
  trial: number;
  /** Why the trial failed (present only for failed trials). */
  error?: string;
}

export interface RandomSearchResult<P = Record<string, unknown>> {
  /** The best successful trial, or null when every trial failed. */
  best: Trial<P> | null;
  /** Every trial, best first; failed trials last, in trial order. */
  results: Trial<P>[];
  seed: number;
  /** The space searched (constants as search.constant samplers): refine() reads it. */
  space: SpaceOf<P>;
}

export interface GridSearchResult<P = Record<string, unknown>> {
  best: Trial<P> | null;
  results: Trial<P>[];
  grid: Record<string, unknown[]>;
}

type Evaluate<P> = (params: P, trial: number) => number | Promise<number>;

export interface RandomSearchOptions<S extends Space> {
  space: S;
  /** Number of trials (a positive integer). */
  trials: number;
  /** Non-negative integer (default 0). */
  seed?: number;
  /** Scores one parameter set (higher is better); may be async. */
  evaluate: Evaluate<ParamsOf<S>>;
  /** Called after each trial (progress reports). */
  onTrial?: (trial: Trial<ParamsOf<S>>) => void;
}

export interface GridSearchOptions<G extends Record<string, readonly unknown[]>> {
  grid: G;
  evaluate: Evaluate<{ [K in keyof G]: G[K][number] }>;
  onTrial?: (trial: Trial<{ [K in keyof G]: G[K][number] }>) => void;
}

/** Checks a space and returns it with every entry a Sampler. */
function normalizeSpace(space: unknown, what: string): Record<string, Sampler> {
  if (space === null || typeof space !== 'object' || Array.isArray(space) || isSampler(space)) {
    throw new Error(`${what}: space must be an object mapping names to search.uniform/logUniform/intRange/choice samplers or constants, got ${describe(space)}`);
  }
  const keys = Object.keys(space);
  if (keys.length === 0) throw new Error(`${what}: the space is empty`);
  const out: Record<string, Sampler> = {};
  for (const key of keys) {
    const v = (space as Record<string, unknown>)[key];
    if (isSampler(v)) out[key] = v;
    else if (typeof v === 'string' || typeof v === 'boolean' || v === null || (typeof v === 'number' && !Number.isNaN(v))) out[key] = constant(v);
    else {
      const hint = Array.isArray(v) ? ' (for one of several values use search.choice([...]))'
        : typeof v === 'object' ? ' (use search.uniform/logUniform/intRange/choice, or search.constant(value) for an object)' : '';
      throw new Error(`${what}: space entry '${key}' is ${describe(v)}, not a sampler or a constant${hint}`);
    }
  }
  return out;
}

/** Draws trial `t`'s parameters: stream t of the seed, one double per random entry, in key order. */
export function drawParams(space: Record<string, Sampler>, seed: number, t: number): Record<string, unknown> {
  const rng = new SearchRng(seed, t);
  const params: Record<string, unknown> = {};
  for (const key of Object.keys(space)) params[key] = space[key].sample(rng);
  return params;
}

function checkEvaluate(evaluate: unknown, onTrial: unknown, what: string): void {
  if (typeof evaluate !== 'function') throw new Error(`${what}: evaluate must be a function (params, trial) => score, got ${describe(evaluate)}`);
  if (onTrial !== undefined && typeof onTrial !== 'function') throw new Error(`${what}: onTrial must be a function, got ${describe(onTrial)}`);
}

async function runTrial<P>(evaluate: Evaluate<P>, params: P, trial: number): Promise<Trial<P>> {
  let score: unknown;
  try {
    score = await evaluate(params, trial);
  } catch (e) {
    return { params, score: NaN, trial, error: e instanceof Error ? e.message : String(e) };
  }
  if (typeof score !== 'number') return { params, score: NaN, trial, error: `evaluate returned ${describe(score)}, not a number` };
  if (Number.isNaN(score)) return { params, score: NaN, trial, error: 'evaluate returned NaN' };
  return { params, score, trial };
}

/** Best first: higher scores, then lower trial indices; failed (NaN) trials last. */
function byScore(a: Trial<unknown>, b: Trial<unknown>): number {
  const fa = Number.isNaN(a.score), fb = Number.isNaN(b.score);
  if (fa !== fb) return fa ? 1 : -1;
  if (!fa && a.score !== b.score) return a.score > b.score ? -1 : 1;
  return a.trial - b.trial;
}

function finish<P>(results: Trial<P>[]): { best: Trial<P> | null; results: Trial<P>[] } {
  results.sort(byScore);
  return { best: results.length && !Number.isNaN(results[0].score) ? results[0] : null, results };
}

/** Random search (see the file header). */
export async function randomSearch<S extends Space>(options: RandomSearchOptions<S>): Promise<RandomSearchResult<ParamsOf<S>>> {
  if (!options || typeof options !== 'object') throw new Error('search.randomSearch expects {space, trials, seed, evaluate}');
  checkKeys(options, ['space', 'trials', 'seed', 'evaluate', 'onTrial'], 'search.randomSearch');
  const space = normalizeSpace(options.space, 'search.randomSearch');
  const trials = positiveInt(options.trials, 'search.randomSearch trials');
  if (trials > 2 ** 32) throw new Error(`search.randomSearch trials must be at most 2³², got ${trials}`);
  const seed = checkSeed(options.seed ?? 0, 'search.randomSearch');
  checkEvaluate(options.evaluate, options.onTrial, 'search.randomSearch');
  if (Object.values(space).some((s) => s.kind === 'logUniform')) runtime(); // logUniform draws in wasm: say "call init()" before any trial
  const results: Trial<ParamsOf<S>>[] = [];
  for (let t = 0; t < trials; t++) {
    const r = await runTrial(options.evaluate, drawParams(space, seed, t) as ParamsOf<S>, t);
    results.push(r);
    options.onTrial?.(r);
  }
  return { ...finish(results), seed, space: space as SpaceOf<ParamsOf<S>> };
}

/** Every combination of the grid, in nested-loop order with the last key fastest. */
export function gridCombinations(grid: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  const keys = Object.keys(grid);
  const total = keys.reduce((n, k) => n * grid[k].length, 1);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const params: Record<string, unknown> = {};
    let rest = i;
    for (let j = keys.length - 1; j >= 0; j--) {
      const vals = grid[keys[j]];
      params[keys[j]] = vals[rest % vals.length];
      rest = Math.floor(rest / vals.length);
    }
    // keys in the grid's order, not the reverse order they were filled in
    out.push(Object.fromEntries(keys.map((k) => [k, params[k]])));
  }
  return out;
}

/** Grid search (see the file header). */
export async function gridSearch<G extends Record<string, readonly unknown[]>>(options: GridSearchOptions<G>): Promise<GridSearchResult<{ [K in keyof G]: G[K][number] }>> {
  type P = { [K in keyof G]: G[K][number] };
  if (!options || typeof options !== 'object') throw new Error('search.gridSearch expects {grid, evaluate}');
  checkKeys(options, ['grid', 'evaluate', 'onTrial'], 'search.gridSearch');
  const grid = options.grid as unknown;
  if (grid === null || typeof grid !== 'object' || Array.isArray(grid)) throw new Error(`search.gridSearch: grid must be an object mapping names to arrays of values, got ${describe(grid)}`);
  const keys = Object.keys(grid);
  if (keys.length === 0) throw new Error('search.gridSearch: the grid is empty');
  const copy: Record<string, unknown[]> = {};
  let total = 1;
  for (const key of keys) {
    const v = (grid as Record<string, unknown>)[key];
    if (!Array.isArray(v)) throw new Error(`search.gridSearch: grid entry '${key}' must be an array of values, got ${describe(v)}`);
    if (v.length === 0) throw new Error(`search.gridSearch: grid entry '${key}' has no values`);
    copy[key] = v.slice();
    total *= v.length;
  }
  if (!Number.isSafeInteger(total)) throw new Error(`search.gridSearch: the grid has too many combinations (${total})`);
  checkEvaluate(options.evaluate, options.onTrial, 'search.gridSearch');
  const results: Trial<P>[] = [];
  const combos = gridCombinations(copy);
  for (let t = 0; t < combos.length; t++) {
    const r = await runTrial(options.evaluate, combos[t] as P, t);
    results.push(r);
    options.onTrial?.(r);
  }
  return { ...finish(results), grid: copy };
}

// ---- coarse → fine -------------------------------------------------------------------

export interface RefineOptions {
  /** How many of the best successful trials span the new ranges (default 5). */
  top?: number;
  /** Each new range is the top trials' span widened by margin × that span on both sides (default 0.25). */
  margin?: number;
  /** The best value is "at the edge" when it lies in the lowest or highest `edge` share of its range (default 0.1). */
  edge?: number;
  /** Move a flagged bound outward instead of keeping it (default false: bounds can be hard limits, e.g. a dropout rate ≥ 0). */
  extend?: boolean;
  /** The space searched, when `results` is a bare list of trials (default: result.space). */
  space?: Space;
}

export interface EdgeWarning {
  param: string;
  /** Which end of the range the best value is at. */
  edge: 'low' | 'high';
  /** The best trial's value and the range it was drawn from. */
  value: number;
  range: [number, number];
  message: string;
}

export interface RefineResult<P = Record<string, unknown>> {
  /** The narrowed space: pass it to randomSearch for the fine stage. */
  space: SpaceOf<P>;
  warnings: EdgeWarning[];
}

/**
 * Coarse → fine (the lecture: search a wide range for a few epochs, then a narrower one
 * around the best results; if the best value sits at the edge of its range, the range was
 * wrong: widen it). From the `top` best successful trials, for each space entry:
 *   uniform, logUniform  the span [min, max] of the top trials' values, widened on both
 *                        sides by margin × span (by margin × the old range when the span
 *                        is 0, e.g. top = 1), in log space for logUniform, and clipped to
 *                        the old range;
 *   intRange             the same, then rounded outward to integers (a constant when
 *                        that leaves one integer);
 *   choice               the values the top trials used, in the choice's order;
 *   constant             unchanged.
 * For numeric entries, a best trial whose value lies in the lowest (highest) `edge` share
 * of the old range (log scale for logUniform) gets a warning {param, edge: 'low'|'high',
 * value, range, message}, and the new range keeps the old bound at that end (the optimum
 * may lie beyond it, so the fine stage must not move away from it); with extend: true
 * that bound moves out instead, by the new range's width (in log space for logUniform, so
 * a logUniform range stays positive).
 */
export function refine<P = Record<string, unknown>>(results: RandomSearchResult<P> | Trial<P>[], options: RefineOptions = {}): RefineResult<P> {
  checkKeys(options, ['top', 'margin', 'edge', 'extend', 'space'], 'search.refine');
  const list: Trial<unknown>[] | undefined = Array.isArray(results) ? results : (results as RandomSearchResult<P> | null)?.results;
  if (!Array.isArray(list)) throw new Error(`search.refine expects a randomSearch result or a list of trials, got ${describe(results)}`);
  const spaceArg: unknown = options.space ?? (Array.isArray(results) ? undefined : (results as RandomSearchResult<P>).space);
  if (spaceArg === undefined) throw new Error('search.refine needs the space that was searched: pass the randomSearch result itself, or {space}');
  const space = normalizeSpace(spaceArg, 'search.refine');
  const top = positiveInt(options.top ?? 5, 'search.refine top');
  const margin = options.margin ?? 0.25;
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0) throw new Error(`search.refine margin must be a finite number ≥ 0, got ${describe(margin)}`);
  const edge = options.edge ?? 0.1;
  if (typeof edge !== 'number' || !(edge >= 0 && edge < 0.5)) throw new Error(`search.refine edge must be in [0, 0.5), got ${describe(edge)}`);
  const extend = options.extend ?? false;
  if (typeof extend !== 'boolean') throw new Error(`search.refine extend must be true or false, got ${describe(extend)}`);

  const ok = list.filter((r) => r && typeof r.score === 'number' && !Number.isNaN(r.score)).slice().sort(byScore as (a: Trial<unknown>, b: Trial<unknown>) => number);
  if (ok.length === 0) throw new Error('search.refine: there is no successful trial to refine around');
  const best = ok.slice(0, top);

  const out: Record<string, Sampler> = {};
  const warnings: EdgeWarning[] = [];
  for (const key of Object.keys(space)) {
    const s = space[key];
    const vals = best.map((r, i) => {
      const p = r.params as Record<string, unknown> | null;
      if (!p || typeof p !== 'object' || !(key in p)) throw new Error(`search.refine: trial ${r.trial ?? i} has no parameter '${key}' (is this the space it was drawn from?)`);
      return p[key];
    });
    if (s.kind === 'constant') { out[key] = s; continue; }
    if (s.kind === 'choice') {
      const used = s.values.filter((v) => vals.some((u) => Object.is(u, v)));
      for (const v of vals) if (!used.some((u) => Object.is(u, v))) used.push(v);
      out[key] = choice(used);
      continue;
    }
    for (const v of vals) if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`search.refine: parameter '${key}' of a top trial is ${describe(v)}, not a number of its ${s.kind} range`);
    const isLog = s.kind === 'logUniform';
    if (isLog && (vals as number[]).some((v) => v <= 0)) throw new Error(`search.refine: parameter '${key}' has a value ≤ 0 in a top trial, outside its logUniform range`);
    const { math_log: log, math_exp: exp } = isLog ? runtime().exports : { math_log: (v: number) => v, math_exp: (v: number) => v };
    const T = (v: number) => log(v);
    const lo = T(s.lo), hi = T(s.hi);
    const tv = (vals as number[]).map(T);
    const tmin = Math.min(...tv), tmax = Math.max(...tv);
    const span = tmax - tmin;
    const pad = margin * (span > 0 ? span : hi - lo);
    let nlo = Math.max(lo, tmin - pad), nhi = Math.min(hi, tmax + pad);
    // where the best value sits in the old range
    const pos = (tv[0] - lo) / (hi - lo);
    const scale = isLog ? ' (log scale)' : '';
    const pct = `${+(edge * 100).toFixed(6)}%`;
    const flag = (side: 'low' | 'high') => {
      const v = vals[0] as number;
      warnings.push({
        param: key, edge: side, value: v, range: [s.lo, s.hi],
        message: `${key}: the best trial's value ${fmt(v)} is in the ${side === 'low' ? 'lowest' : 'highest'} ${pct} of the searched range [${fmt(s.lo)}, ${fmt(s.hi)}]${scale}: ` +
          `the optimum may lie ${side === 'low' ? 'below' : 'above'} it; widen the range${extend ? ' (the refined range extends past it)' : ' (refine({extend: true}) moves the bound out)'}`,
      });
    };
    const atLow = pos <= edge, atHigh = pos >= 1 - edge;
    if (atLow) { flag('low'); nlo = lo; }
    if (atHigh) { flag('high'); nhi = hi; }
    if (extend) {
      const width = nhi - nlo;
      if (atLow) nlo = lo - width;
      if (atHigh) nhi = hi + width;
    }
    // back to values; an unmoved bound keeps the old number exactly (no exp(log(x)) rounding)
    let vlo = nlo === lo ? s.lo : exp(nlo);
    let vhi = nhi === hi ? s.hi : exp(nhi);
    if (s.kind === 'intRange') {
      vlo = Math.floor(vlo);
      vhi = Math.ceil(vhi);
      out[key] = vlo < vhi ? intRange(vlo, vhi) : constant(vlo);
    } else if (!(vlo < vhi)) {
      out[key] = constant(vlo);
    } else {
      out[key] = isLog ? logUniform(vlo, vhi) : uniform(vlo, vhi);
    }
  }
  return { space: out as SpaceOf<P>, warnings };
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(+v.toPrecision(4)) : v.toExponential(3);
}

// ---- cross-validation folds ----------------------------------------------------------

export interface Fold {
  /** Indices of the training samples, ascending. */
  train: Int32Array;
  /** Indices of the held-out samples, ascending. */
  test: Int32Array;
}

/**
 * k-fold cross-validation splits of n samples: a seeded shuffle of 0..n−1 (stream 0 of the
 * seed, the core's shuffle_i32 algorithm), cut into k consecutive folds whose sizes differ
 * by at most one (the first n mod k folds have one more, as sklearn's KFold). Each fold's
 * test indices are disjoint from every other fold's, together they cover 0..n−1, and a
 * fold's train indices are all the others.
 */
export function kFold(n: number, k: number, seed = 0): Fold[] {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 2 || n > 0x7fffffff) throw new Error(`search.kFold n must be an integer in [2, 2³¹), got ${describe(n)}`);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 2 || k > n) throw new Error(`search.kFold k must be an integer in [2, n = ${n}], got ${describe(k)}`);
  checkSeed(seed, 'search.kFold');
  const perm = shuffled(n, new SearchRng(seed, 0));
  const folds: Fold[] = [];
  const base = Math.floor(n / k), extra = n % k;
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < extra ? 1 : 0);
    const test = perm.slice(start, start + size).sort();
    const train = new Int32Array(n - size);
    train.set(perm.subarray(0, start));
    train.set(perm.subarray(start + size), start);
    train.sort();
    folds.push({ train, test });
    start += size;
  }
  return folds;
}

/** 0..n−1 shuffled as assembly/rng.ts's shuffleI32 (Fisher–Yates from the end). */
export function shuffled(n: number, rng: SearchRng): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const a = perm[i];
    perm[i] = perm[j];
    perm[j] = a;
  }
  return perm;
}

/** The search toolkit (see the file header). */
export const search = { randomSearch, gridSearch, refine, kFold, uniform, logUniform, intRange, choice, constant };
