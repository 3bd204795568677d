// The optimizer kernels' contract beyond the update formulas (optimizers.test.ts checks
// those against torch.optim): each returns the number of non-finite weights it wrote, so
// that the model never applies such an update; decaying state is flushed to zero below
// the smallest normal (assembly/common.ts ftz: subnormal arithmetic is ~100× slower on
// x86); and the SIMD body and the scalar tail do the same operations in the same order,
// so a lane and a tail element with the same inputs give the same bits.
// n = 7 puts elements 0–3 in the f32 SIMD body and 4–6 in its tail; f64 (2 lanes) has
// 0–5 in the body and 6 in the tail.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType, type Kernels } from '../../bindings/index.js';
import { Mem, bytesOf } from '../reference/mem.js';
import { TestRng } from '../reference/prng.js';
import { expectExact } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const mem = new Mem();
afterEach(() => mem.freeAll());

type Step = (k: Kernels, pOut: number, s: number[], p: number, g: number, n: number, t: number) => number;

/** One configuration per code path that keeps state; in place (outputs = inputs). */
const STEPS: [string, Step][] = [
  ['sgd momentum', (k, po, s, p, g, n, t) => k.sgdStep(po, s[0], p, g, s[0], n, 0.1, 0.9, 0.1, false, 0.01, t === 1)],
  ['sgd nesterov', (k, po, s, p, g, n, t) => k.sgdStep(po, s[0], p, g, s[0], n, 0.1, 0.9, 0, true, 0, t === 1)],
  ['rmsprop', (k, po, s, p, g, n) => k.rmspropStep(po, s[0], s[1], s[2], p, g, s[0], s[1], s[2], n, 0.01, 0.99, 1e-8, 0, false, 0)],
  ['rmsprop centered + momentum', (k, po, s, p, g, n) => k.rmspropStep(po, s[0], s[1], s[2], p, g, s[0], s[1], s[2], n, 0.01, 0.99, 1e-8, 0.9, true, 0.01)],
  ['adagrad', (k, po, s, p, g, n, t) => k.adagradStep(po, s[0], p, g, s[0], n, 0.01, 1e-10, 0.1, 0.01, t)],
  ['adam', (k, po, s, p, g, n, t) => k.adamStep(po, s[0], s[1], p, g, s[0], s[1], n, 1e-3, 0.9, 0.999, 1e-8, 0.01, t)],
  ['adamw', (k, po, s, p, g, n, t) => k.adamwStep(po, s[0], s[1], p, g, s[0], s[1], n, 1e-3, 0.9, 0.999, 1e-8, 0.01, t)],
];

describe.each(DTYPES)('optimizer state %s', (dtype) => {
  const es = bytesOf(dtype);
  const k = () => runtime().raw[dtype];

  it.each(STEPS)('%s: a non-finite update is counted and written, in the SIMD body and the tail alike', (name, step) => {
    // NaN gradients at 1 (body for f32 and f64) and 6 (tail for both); Infinity at 3 (body)
    // and 5 (tail in f32, body in f64). Step 2 as well, where sgd's buffer is no longer g.
    const grad = [0.1, NaN, -0.2, Infinity, 0.1, Infinity, NaN];
    for (const t of [1, 2]) {
      const p = mem.put(dtype, new Float64Array(7).fill(0.5)), g = mem.put(dtype, grad);
      const s = [0, 1, 2].map(() => mem.put(dtype, new Float64Array(7).fill(0.01)));
      const count = step(k(), p, s, p, g, 7, t);
      const nonFinite = Array.from(mem.read(dtype, p, 7)).flatMap((v, i) => (Number.isFinite(v) ? [] : [i]));
      expect({ count, nonFinite }, `${name} t=${t}`).toEqual({ count: 4, nonFinite: [1, 3, 5, 6] });
    }
  });

  it('counts an update that overflows from finite inputs', () => {
    const huge = dtype === 'float32' ? 3e38 : 1.7e308;
    const p = mem.put(dtype, [huge, 1, huge, 1, huge]), g = mem.put(dtype, [-huge, 1, -huge, 1, -huge]), out = mem.alloc(5 * es);
    expect(k().sgdStep(out, 0, p, g, 0, 5, 1, 0, 0, false, 0, true)).toBe(3);
    expect(Array.from(mem.read(dtype, out, 5))).toEqual([Infinity, 0, Infinity, 0, Infinity]);
  });

  it('flushes decaying state below the smallest normal to zero, and keeps normal state', () => {
    const minNormal = dtype === 'float32' ? 2 ** -126 : 2 ** -1022;
    // zero gradient, no weight decay: each state decays by its factor (0.9, 0.99, 0.999)
    // from just above minNormal to just below it. [name, step, signed state, nonnegative state]
    const decaying: [string, Step, number[], number[]][] = [
      ['sgd momentum', (k, po, s, p, g, n) => k.sgdStep(po, s[0], p, g, s[0], n, 0.1, 0.9, 0, false, 0, false), [0], []],
      ['rmsprop centered + momentum', (k, po, s, p, g, n) => k.rmspropStep(po, s[0], s[1], s[2], p, g, s[0], s[1], s[2], n, 0.01, 0.99, 1e-8, 0.9, true, 0), [1, 2], [0]],
      ['adam', (k, po, s, p, g, n, t) => k.adamStep(po, s[0], s[1], p, g, s[0], s[1], n, 1e-3, 0.9, 0.999, 1e-8, 0, t), [0], [1]],
      ['adamw', (k, po, s, p, g, n, t) => k.adamwStep(po, s[0], s[1], p, g, s[0], s[1], n, 1e-3, 0.9, 0.999, 1e-8, 0.01, t), [0], [1]],
    ];
    for (const [name, step, signed, nonneg] of decaying) for (const sign of [1, -1]) {
      const p = mem.put(dtype, new Float64Array(7).fill(0.5)), g = mem.put(dtype, new Float64Array(7));
      const s = [0, 1, 2].map((j) => mem.put(dtype, new Float64Array(7).fill((signed.includes(j) ? sign : 1) * 1.0005 * minNormal)));
      step(k(), p, s, p, g, 7, 2);
      for (const j of [...signed, ...nonneg]) expectExact(mem.read(dtype, s[j], 7), new Float64Array(7), `${name} state ${j} sign ${sign}`);
    }
    // state that stays normal is kept: 10·minNormal decays to 9·minNormal, not 0
    const p = mem.put(dtype, new Float64Array(7)), g = mem.put(dtype, new Float64Array(7));
    const buf = mem.put(dtype, new Float64Array(7).fill(10 * minNormal));
    k().sgdStep(p, buf, p, g, buf, 7, 0.1, 0.9, 0, false, 0, false);
    expect(mem.read(dtype, buf, 7).every((v) => v > 8 * minNormal)).toBe(true);
  });

  it.each(STEPS)('%s: SIMD lanes and the scalar tail give the same bits for the same inputs', (name, step) => {
    // the same p, g and state in every element: after 5 steps, all 7 elements (lanes and
    // tail) must be bitwise equal, and equal to a run with n = 1 (tail only)
    const rng = new TestRng(303);
    const runs = [7, 1].map((n) => {
      const p = mem.put(dtype, new Float64Array(n).fill(0.3)), g = mem.alloc(n * es);
      const s = [0, 1, 2].map(() => mem.alloc(n * es));
      return { n, p, g, s };
    });
    for (let t = 1; t <= 5; t++) {
      const gv = dtype === 'float32' ? Math.fround(rng.uniform(-1, 1)) : rng.uniform(-1, 1);
      for (const r of runs) {
        mem.write(dtype, r.g, new Float64Array(r.n).fill(gv));
        step(k(), r.p, r.s, r.p, r.g, r.n, t);
      }
      const [wide, one] = runs;
      const pairs: [string, number, number][] = [['p', wide.p, one.p], ...wide.s.map((ptr, j): [string, number, number] => [`state ${j}`, ptr, one.s[j]])];
      for (const [label, a, b] of pairs) {
        const want = mem.read(dtype, b, 1)[0];
        expectExact(mem.read(dtype, a, 7), new Float64Array(7).fill(want), `${name} ${label} t=${t}`);
      }
    }
  });
});
