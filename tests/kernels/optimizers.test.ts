// sgdStep, rmspropStep, adagradStep, adamStep, adamwStep vs torch.optim's update rules
// transcribed in f64 (tests/reference/optim.ts): five steps (t = 1..5) with a fresh
// gradient each step, comparing parameters and every state buffer after each step.
// Each kernel reads (p, state) and writes (pOut, stateOut): both in place (the same
// buffers) and double-buffered (separate outputs, swapped after each step, as the model
// does; the inputs must then be left unchanged). State that a configuration must not
// touch (sgd's buffer without momentum, rmsprop's gradAvg when not centered or its buffer
// without momentum) starts as sentinels and must keep them; sgd's buffer starts as
// garbage, which the first step (buf = g) must ignore. The returned count of non-finite
// new weights must be 0 here (optimizer_state.test.ts covers non-finite updates,
// flush-to-zero and SIMD/tail agreement).
//
// Tolerances. f64: every quantity is a handful of roundings from the oracle's (sqrt, one
// division, a few products), and five steps barely compound that: 1e-12 relative, per
// element. f32: the same formulas with u = 2^-24, over 5 steps, with hyperparameters
// rounded to f32. Values pass through cancellation (p − lr·update, m = lerp of gradients
// of either sign), so the error is relative to the operands, not to the result: we allow
// 64u ≈ 4e-6 times the largest magnitude the element has had so far (its earlier values
// are the operands of its later ones). A parameter moves by ~lr ≥ 1e-3 per step and
// state by O(itself), so a wrong formula is off by far more.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType, type Kernels } from '../../bindings/index.js';
import { Mem, bytesOf, sentinels, SENTINEL } from '../reference/mem.js';
import { TestRng, uniformArray } from '../reference/prng.js';
import { SgdRef, RmspropRef, AdagradRef, AdamRef, type SgdOpts, type RmspropOpts, type AdagradOpts, type AdamOpts } from '../reference/optim.js';
import { expectClose, expectExact } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const SIZES = [0, 1, 4, 7, 16, 1027];
const STEPS = 5;
const mem = new Mem();
afterEach(() => mem.freeAll());

type Mode = 'in place' | 'double-buffered';
const MODES: Mode[] = ['in place', 'double-buffered'];

interface Driver {
  /** State buffers the kernel takes, in argument order, with their oracle arrays (null: must stay untouched). */
  states: (() => Float64Array | null)[];
  /** Initial contents of each state buffer in wasm. */
  init: ('zeros' | 'sentinels')[];
  /** Runs the kernel from (p, s) into (pOut, sOut); returns its non-finite count. */
  call(k: Kernels, pOut: number, sOut: number[], p: number, g: number, s: number[], n: number, t: number): number;
  ref: { step(p: Float64Array, g: ArrayLike<number>): void };
}

function runSequence(dtype: DType, n: number, seed: number, d: Driver, mode: Mode, label: string): void {
  const rng = new TestRng(seed);
  const k = runtime().raw[dtype];
  const p = uniformArray(rng, n, -1, 1, dtype);
  const off = n % 2 ? bytesOf(dtype) : 0; // odd sizes also run one element off 16-byte alignment
  const pg = mem.alloc(n * bytesOf(dtype), off);
  let cur = { p: mem.put(dtype, p, off), s: d.init.map((how) => mem.put(dtype, how === 'zeros' ? new Float64Array(n) : sentinels(n), off)) };
  let next = mode === 'in place' ? cur : { p: mem.put(dtype, sentinels(n), off), s: d.init.map(() => mem.put(dtype, sentinels(n), off)) };
  // f64: relative to the value; f32: relative to the element's largest magnitude so far
  const tolerance = (want: Float64Array, hist: Float64Array, floor: number) => {
    for (let i = 0; i < n; i++) hist[i] = Math.max(hist[i], Math.abs(want[i]));
    return (i: number) => (dtype === 'float64' ? 1e-12 * Math.max(Math.abs(want[i]), floor) : 64 * 2 ** -24 * hist[i]);
  };
  const pHist = p.map(Math.abs);
  const sHist = d.states.map(() => new Float64Array(n));
  for (let t = 1; t <= STEPS; t++) {
    const g = uniformArray(rng, n, -1, 1, dtype);
    mem.write(dtype, pg, g);
    const inputs = [cur.p, ...cur.s].map((ptr) => mem.read(dtype, ptr, n));
    const bad = d.call(k, next.p, next.s, cur.p, pg, cur.s, n, t);
    d.ref.step(p, g);
    const at = `${label} ${mode} n=${n} t=${t}`;
    expect(bad, `non-finite count ${at}`).toBe(0);
    expectClose(mem.read(dtype, next.p, n), p, tolerance(p, pHist, 1e-3), `param ${at}`);
    d.states.forEach((state, j) => {
      const want = state();
      const got = mem.read(dtype, next.s[j], n);
      if (want) expectClose(got, want, tolerance(want, sHist[j], 1e-30), `state ${j} ${at}`);
      else expect(got.every((v) => v === SENTINEL) && mem.read(dtype, cur.s[j], n).every((v) => v === SENTINEL), `state ${j} untouched ${at}`).toBe(true);
    });
    if (mode === 'double-buffered') {
      [cur.p, ...cur.s].forEach((ptr, j) => expectExact(mem.read(dtype, ptr, n), inputs[j], `input ${j} unchanged ${at}`));
      [cur, next] = [next, cur];
    }
  }
  mem.freeAll();
}

const SGD: [string, SgdOpts][] = [
  ['plain', { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 }],
  ['plain + weight decay', { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.01 }],
  ['momentum', { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 }],
  ['momentum + dampening', { lr: 0.05, momentum: 0.9, dampening: 0.5, nesterov: false, weightDecay: 0 }],
  ['nesterov', { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0 }],
  ['nesterov + weight decay', { lr: 0.05, momentum: 0.8, dampening: 0, nesterov: true, weightDecay: 0.05 }],
  ['momentum + dampening + weight decay', { lr: 0.02, momentum: 0.5, dampening: 0.1, nesterov: false, weightDecay: 0.1 }],
];

const RMSPROP: [string, RmspropOpts][] = [
  ['defaults', { lr: 0.01, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false, weightDecay: 0 }],
  ['centered', { lr: 0.01, alpha: 0.99, eps: 1e-8, momentum: 0, centered: true, weightDecay: 0 }],
  ['momentum', { lr: 0.01, alpha: 0.9, eps: 1e-6, momentum: 0.9, centered: false, weightDecay: 0 }],
  ['centered + momentum + weight decay', { lr: 0.005, alpha: 0.95, eps: 1e-3, momentum: 0.5, centered: true, weightDecay: 0.1 }],
];

const ADAGRAD: [string, AdagradOpts][] = [
  ['defaults', { lr: 0.01, lrDecay: 0, eps: 1e-10, weightDecay: 0 }],
  ['lr decay', { lr: 0.1, lrDecay: 0.1, eps: 1e-10, weightDecay: 0 }],
  ['lr decay + weight decay', { lr: 0.1, lrDecay: 0.05, eps: 1e-3, weightDecay: 0.01 }],
];

const ADAM: [string, AdamOpts][] = [
  ['adam defaults', { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false }],
  ['adam + weight decay', { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: false }],
  ['adam, other betas and eps', { lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-3, weightDecay: 0, decoupled: false }],
  ['adamw defaults', { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true }],
  ['adamw strong decay', { lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-8, weightDecay: 0.5, decoupled: true }],
];

describe.each(DTYPES)('optimizers %s', (dtype) => {
  it.each(SGD)('sgd %s follows torch.optim.SGD for 5 steps', (name, o) => {
    for (const mode of MODES) for (const n of SIZES) {
      const ref = new SgdRef(o);
      runSequence(dtype, n, 71, {
        states: [() => (o.momentum !== 0 ? ref.buf : null)],
        init: ['sentinels'], // garbage: the first step must set buf = g, whatever was there
        call: (k, pOut, sOut, p, g, s, n, t) => k.sgdStep(pOut, sOut[0], p, g, s[0], n, o.lr, o.momentum, o.dampening, o.nesterov, o.weightDecay, t === 1),
        ref,
      }, mode, `sgd ${name}`);
    }
  });

  it.each(RMSPROP)('rmsprop %s follows torch.optim.RMSprop for 5 steps', (name, o) => {
    for (const mode of MODES) for (const n of SIZES) {
      const ref = new RmspropRef(o, n);
      runSequence(dtype, n, 72, {
        states: [() => ref.squareAvg, () => (o.centered ? ref.gradAvg : null), () => (o.momentum > 0 ? ref.momentumBuffer : null)],
        init: ['zeros', o.centered ? 'zeros' : 'sentinels', o.momentum > 0 ? 'zeros' : 'sentinels'],
        call: (k, pOut, sOut, p, g, s, n) =>
          k.rmspropStep(pOut, sOut[0], sOut[1], sOut[2], p, g, s[0], s[1], s[2], n, o.lr, o.alpha, o.eps, o.momentum, o.centered, o.weightDecay),
        ref,
      }, mode, `rmsprop ${name}`);
    }
  });

  it.each(ADAGRAD)('adagrad %s follows torch.optim.Adagrad for 5 steps', (name, o) => {
    for (const mode of MODES) for (const n of SIZES) {
      const ref = new AdagradRef(o, n);
      runSequence(dtype, n, 73, {
        states: [() => ref.stateSum],
        init: ['zeros'],
        call: (k, pOut, sOut, p, g, s, n, t) => k.adagradStep(pOut, sOut[0], p, g, s[0], n, o.lr, o.eps, o.lrDecay, o.weightDecay, t),
        ref,
      }, mode, `adagrad ${name}`);
    }
  });

  it.each(ADAM)('%s follows torch.optim.Adam/AdamW for 5 steps', (name, o) => {
    for (const mode of MODES) for (const n of SIZES) {
      const ref = new AdamRef(o, n);
      runSequence(dtype, n, 74, {
        states: [() => ref.expAvg, () => ref.expAvgSq],
        init: ['zeros', 'zeros'],
        call: (k, pOut, sOut, p, g, s, n, t) =>
          (o.decoupled ? k.adamwStep : k.adamStep)(pOut, sOut[0], sOut[1], p, g, s[0], s[1], n, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, t),
        ref,
      }, mode, name);
    }
  });
});

describe('optimizers: worked first steps (float64)', () => {
  const k = () => runtime().raw.float64;

  it('adam step 1 moves every parameter by ≈ lr·sign(g) (bias correction divides, not multiplies)', () => {
    const p = mem.put('float64', [1, 1, 1]), g = mem.put('float64', [0.5, -2, 1e-3]);
    const m = mem.alloc(24), v = mem.alloc(24);
    k().adamStep(p, m, v, p, g, m, v, 3, 0.1, 0.9, 0.999, 1e-12, 0, 1);
    // m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps) = ±lr
    expectClose(mem.read('float64', p, 3), [0.9, 1.1, 0.9], 1e-9);
  });

  it('sgd with momentum: step 1 uses buf = g (no dampening), step 2 buf = μ·buf + (1 − d)·g', () => {
    const p = mem.put('float64', [0]), g = mem.put('float64', [1]), buf = mem.put('float64', [123]);
    k().sgdStep(p, buf, p, g, buf, 1, 0.1, 0.9, 0.5, false, 0, true);
    expect(Array.from(mem.read('float64', buf, 1))).toEqual([1]);
    k().sgdStep(p, buf, p, g, buf, 1, 0.1, 0.9, 0.5, false, 0, false);
    expectClose(mem.read('float64', buf, 1), [0.9 + 0.5], 1e-15);
    expectClose(mem.read('float64', p, 1), [-0.1 - 0.14], 1e-15);
  });
});
