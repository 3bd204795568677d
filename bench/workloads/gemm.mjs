// GEMM f32, C = op(A)·op(B), in GFLOP/s (2·m·n·k flops per call).
//
// simdnet: the `gemm_f32` export of build/simdnet.release.wasm (the bytes the bundle
// inlines), instantiated here on its own memory, so the row measures the kernel alone.
// tfjs: tf.matMul(a, b, transposeA, transposeB). Both tfjs backends run a kernel
// synchronously when the op is called, so the step is matMul + dispose (no dataSync: it
// would add a copy of C that simdnet does not pay).
//
// The A·B / Aᵀ·B / A·Bᵀ cases exist because a Dense layer needs all three (y = x·W,
// dW = xᵀ·dy, dx = dy·Wᵀ): simdnet packs every operand into the same panels, so its
// transposed calls should run as fast as the plain one.

import { readFileSync } from 'node:fs';
import { pairedRatio } from '../lib/measure.mjs';

const OPS = { 'A·B': [false, false], 'Aᵀ·B': [true, false], 'A·Bᵀ': [false, true] };

function square(n, op, contenders) {
  const [transA, transB] = OPS[op];
  return { id: `${op} ${n}`, label: `${op} ${n}³`, m: n, n, k: n, transA, transB, contenders };
}
function shaped(m, n, k, op, what) {
  const [transA, transB] = OPS[op];
  return { id: `${op} ${m}x${n}x${k}`, label: `${op} m${m} n${n} k${k} (${what})`, m, n, k, transA, transB };
}

const ALL = ['simdnet', 'tfjs-wasm', 'tfjs-cpu'];
const FAST = ['simdnet', 'tfjs-wasm'];

export const cases = [
  ...[64, 128, 256, 512, 1024].map((n) => square(n, 'A·B', ALL)),
  square(256, 'Aᵀ·B', ALL), square(256, 'A·Bᵀ', ALL),
  square(512, 'Aᵀ·B', FAST), square(512, 'A·Bᵀ', FAST),
  // NOTE: tfjs-wasm is left out at 1024: its Aᵀ·B runs at ~0.2 GFLOP/s there, 10 s a call,
  // which alone would take 40 s of the run; 256 and 512 already show its transposed path.
  square(1024, 'Aᵀ·B', ['simdnet']), square(1024, 'A·Bᵀ', ['simdnet']),
  // The shapes of the MLP row's first two layers at batch 64.
  shaped(64, 256, 784, 'A·B', 'dense fwd'),
  shaped(784, 256, 64, 'Aᵀ·B', 'dense dW'),
  shaped(64, 256, 256, 'A·Bᵀ', 'dense dx'),
];

/** Values in [-1, 1) from a small LCG, identical for every contender. */
function fill(arr, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < arr.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    arr[i] = s / 2 ** 31 - 1;
  }
  return arr;
}

/** Largest relative error of a few entries of C against an f64 dot product. */
function checkC(c, a, b, { m, n, k, transA, transB }) {
  let worst = 0;
  for (const [i, j] of [[0, 0], [m - 1, n - 1], [m >> 1, n >> 1], [m - 1, 0], [0, n - 1]]) {
    let ref = 0, mag = 0;
    for (let p = 0; p < k; p++) {
      const t = (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      ref += t; mag += Math.abs(t);
    }
    worst = Math.max(worst, Math.abs(c[i * n + j] - ref) / mag);
  }
  return { maxRelErr: worst };
}

let simdnetWasm = null;
async function simdnetGemm() {
  if (!simdnetWasm) {
    const bytes = readFileSync(new URL('../../build/simdnet.release.wasm', import.meta.url));
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 32768 });
    const env = { memory, abort() { throw new Error('simdnet kernel assertion failed'); } };
    const { instance } = await WebAssembly.instantiate(bytes, { env });
    const ex = instance.exports;
    // Bump allocation above the module's static data, 16-byte aligned: every case stays
    // live until the end of the run (all cases are timed in rounds), ~50 MB in all.
    let top = (ex.heap_base() + 15) & ~15;
    const alloc = (bytes) => {
      const p = top;
      top = (top + bytes + 15) & ~15;
      if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
      return p;
    };
    simdnetWasm = { memory, ex, alloc };
  }
  return simdnetWasm;
}

export const setup = {
  async simdnet(ctx, c) {
    const { memory, ex, alloc } = await simdnetGemm();
    const { m, n, k, transA, transB } = c;
    const pa = alloc(m * k * 4), pb = alloc(k * n * 4), pc = alloc(m * n * 4);
    const pw = alloc(ex.gemm_work_bytes_f32(m, n, k));
    const a = fill(new Float32Array(m * k), 1), b = fill(new Float32Array(k * n), 2);
    new Float32Array(memory.buffer, pa, m * k).set(a);
    new Float32Array(memory.buffer, pb, k * n).set(b);
    return {
      work: (2 * m * n * k) / 1e9,
      step: () => ex.gemm_f32(pc, pw, pa, pb, m, n, k, transA, transB, false),
      check: () => checkC(new Float32Array(memory.buffer, pc, m * n), a, b, c),
    };
  },
  'tfjs-wasm': tfjsSetup,
  'tfjs-cpu': tfjsSetup,
};

function tfjsSetup({ tf }, c) {
  const { m, n, k, transA, transB } = c;
  const a = fill(new Float32Array(m * k), 1), b = fill(new Float32Array(k * n), 2);
  const ta = tf.tensor2d(a, transA ? [k, m] : [m, k]);
  const tb = tf.tensor2d(b, transB ? [n, k] : [k, n]);
  return {
    work: (2 * m * n * k) / 1e9,
    step: () => tf.matMul(ta, tb, transA, transB).dispose(),
    check: () => {
      const r = tf.matMul(ta, tb, transA, transB);
      const out = checkC(r.dataSync(), a, b, c);
      r.dispose();
      return out;
    },
    dispose: () => { ta.dispose(); tb.dispose(); },
  };
}

/** Transposed ÷ plain throughput of each contender at the same size (paired by round). */
function summary({ series }) {
  const lines = [];
  for (const n of [256, 512, 1024]) {
    for (const who of FAST) {
      const plain = series(`A·B ${n}`, who);
      const ta = pairedRatio(series(`Aᵀ·B ${n}`, who), plain);
      const tb = pairedRatio(series(`A·Bᵀ ${n}`, who), plain);
      if (!(ta > 0 || tb > 0)) continue;
      lines.push({
        id: `transposed/plain ${who} ${n}`,
        text: `${who} at ${n}³: Aᵀ·B ${fmtR(ta)}, A·Bᵀ ${fmtR(tb)} of A·B`,
        aTB: ta, aBT: tb,
      });
    }
  }
  return lines;
}

const fmtR = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');

export default {
  id: 'gemm',
  title: 'GEMM f32, C = op(A)·op(B)',
  unit: 'GFLOP/s',
  contenders: ALL,
  cases,
  setup,
  summary,
};
