// GEMM f32, C = op(A)·op(B), in GFLOP/s (2·m·n·k flops per call).
//
// simdnet: the `gemm_f32` export of build/simdnet.release.wasm (the bytes the bundle
// inlines), instantiated here on its own memory, so the row measures the kernel alone.
// tfjs: tf.matMul(a, b, transposeA, transposeB). Both tfjs backends run a kernel
// synchronously when the op is called, so the step is matMul + dispose (no dataSync: it
// would add a copy of C that simdnet does not pay).
// jax-js: np.matmul(op(a), op(b)) with .transpose() for op, on its wasm device. Its ops are
// queued: the step awaits the product's blockUntilReady() (no copy out either).
//
// The A·B / Aᵀ·B / A·Bᵀ cases exist because a Dense layer needs all three (y = x·W,
// dW = xᵀ·dy, dx = dy·Wᵀ), and a Conv2D the same three on its im2col matrix: simdnet packs
// every operand into the same panels, so its transposed calls should run as fast as the
// plain one. The training-step shapes are every GEMM of one MLP and one CNN training step
// at batch 64 (src/layers/dense.ts and assembly/conv.ts make exactly these calls; a conv's
// once per chunk of images).

import { simdnetReleaseWasm } from '../lib/assets.mjs';
import { pairedRatio } from '../lib/measure.mjs';

const OPS = { 'A·B': [false, false], 'Aᵀ·B': [true, false], 'A·Bᵀ': [false, true] };

function square(n, op, contenders) {
  const [transA, transB] = OPS[op];
  return { id: `${op} ${n}`, label: `${op} ${n}³`, m: n, n, k: n, transA, transB, contenders };
}
/** A training-step shape; `step` says whose product it is (e.g. 'MLP dense2 dW'). */
function shaped(m, n, k, op, step, contenders) {
  const [transA, transB] = OPS[op];
  return { id: `${op} ${m}x${n}x${k}`, label: `${op} m${m} n${n} k${k} (${step})`, m, n, k, transA, transB, step, contenders };
}

const ALL = ['simdnet', 'tfjs-wasm', 'tfjs-cpu', 'jax-js'];
const FAST = ['simdnet', 'tfjs-wasm', 'jax-js'];
const SQUARES = [64, 128, 256, 512, 1024];
/** The sizes of the GEMM target: simdnet ≥ 1.3× tfjs-wasm in the geometric mean of A·B. */
const VS_TFJS_SIZES = [256, 512, 1024];
const VS_TFJS_TARGET = 1.3;
/** Each training-step shape's rate ÷ the square A·B rate nearest in size: target ≥ 0.85. */
const SHAPE_TARGET = 0.85;

const BATCH = 64;
/** Every GEMM of a Dense layer [inputs → units] in a training step: forward, dW, and dx unless it is the first layer. */
function denseShapes(model, name, inputs, units, first) {
  return [
    shaped(BATCH, units, inputs, 'A·B', `${model} ${name} fwd`),
    shaped(inputs, units, BATCH, 'Aᵀ·B', `${model} ${name} dW`),
    ...(first ? [] : [shaped(BATCH, inputs, units, 'A·Bᵀ', `${model} ${name} dx`)]),
  ];
}
/**
 * Images per chunk of simdnet's conv kernels: as many as keep their im2col within 320 KiB
 * (assembly/conv.ts CHUNK_BYTES), for the bench CNN's 'same' stride-1 convs (OH = OW = hw).
 */
const convChunk = (hw, K) => Math.min(BATCH, Math.max(1, Math.floor((320 << 10) / (hw * hw * K * 4))));
/**
 * Every GEMM of a Conv2D in a training step (assembly/conv.ts, per chunk of images): M =
 * chunk·OH·OW rows of im2col, K = kh·kw·C, F filters: y = col·W, dW = colᵀ·dy, and
 * dcol = dy·Wᵀ unless it is the first layer; each runs batch ÷ chunk times a step. tfjs-cpu
 * is left out of the conv shapes (its square rows already place it).
 */
function convShapes(name, hw, k, c, f, first) {
  const K = k * k * c, chunk = convChunk(hw, K), M = chunk * hw * hw, fast = FAST;
  const what = `${chunk} image${chunk > 1 ? 's' : ''}`;
  return [
    shaped(M, f, K, 'A·B', `CNN ${name} fwd, ${what}`, fast),
    shaped(K, f, M, 'Aᵀ·B', `CNN ${name} dW, ${what}`, fast),
    ...(first ? [] : [shaped(M, K, f, 'A·Bᵀ', `CNN ${name} dcol, ${what}`, fast)]),
  ];
}

export const cases = [
  ...SQUARES.map((n) => square(n, 'A·B', ALL)),
  square(256, 'Aᵀ·B', ALL), square(256, 'A·Bᵀ', ALL),
  square(512, 'Aᵀ·B', FAST), square(512, 'A·Bᵀ', FAST),
  // NOTE: tfjs-wasm is left out at 1024: its Aᵀ·B runs at ~0.2 GFLOP/s there, 10 s a call,
  // which alone would take 40 s of the run; 256 and 512 already show its transposed path.
  square(1024, 'Aᵀ·B', ['simdnet', 'jax-js']), square(1024, 'A·Bᵀ', ['simdnet', 'jax-js']),
  // The MLP 784-256-256-10 at batch 64 (the mlp workload's step).
  ...denseShapes('MLP', 'dense1', 784, 256, true),
  ...denseShapes('MLP', 'dense2', 256, 256, false),
  ...denseShapes('MLP', 'dense3', 256, 10, false),
  // The CNN at batch 64 (the cnn workload's step): conv 5×5 'same' on 28×28×1 → 16, on
  // 14×14×16 → 32, then dense 1568 → 10.
  ...convShapes('conv1', 28, 5, 1, 16, true),
  ...convShapes('conv2', 14, 5, 16, 32, false),
  ...denseShapes('CNN', 'dense', 7 * 7 * 32, 10, false),
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
    const bytes = await simdnetReleaseWasm();
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
  'jax-js': jaxSetup,
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

function jaxSetup({ jax }, c) {
  const { numpy: np } = jax;
  const { m, n, k, transA, transB } = c;
  const a = fill(new Float32Array(m * k), 1), b = fill(new Float32Array(k * n), 2);
  const ja = np.array(a).reshape(transA ? [k, m] : [m, k]);
  const jb = np.array(b).reshape(transB ? [n, k] : [k, n]);
  const product = () => np.matmul(transA ? ja.ref.transpose() : ja.ref, transB ? jb.ref.transpose() : jb.ref);
  return {
    work: (2 * m * n * k) / 1e9,
    step: async () => { const r = product(); await r.blockUntilReady(); r.dispose(); },
    check: () => checkC(product().dataSync(), a, b, c),
    dispose: () => { ja.dispose(); jb.dispose(); },
  };
}

/** The square size whose n³ is nearest (in log) to m·n·k: the plain product of comparable size. */
function comparableSquare({ m, n, k }) {
  const side = Math.cbrt(m * n * k);
  return SQUARES.reduce((best, s) => (Math.abs(Math.log(s / side)) < Math.abs(Math.log(best / side)) ? s : best));
}

/**
 * (a) simdnet ÷ tfjs-wasm on A·B at 256, 512, 1024: the geometric mean of the per-size
 *     paired ratios, against its target;
 * (b) every training-step shape's rate ÷ the rate of the square A·B of comparable size
 *     (same contender, paired by round), against its target, for simdnet; the worst and
 *     the geometric mean for the peers;
 * then transposed ÷ plain at the same square size, for each contender.
 */
function summary({ series }) {
  const lines = [];
  const vs = VS_TFJS_SIZES.map((n) => pairedRatio(series(`A·B ${n}`, 'simdnet'), series(`A·B ${n}`, 'tfjs-wasm')));
  if (vs.every(Number.isFinite)) {
    const g = geomean(vs);
    lines.push({
      id: 'gemm simdnet/tfjs-wasm geomean',
      text: `simdnet vs tfjs-wasm, A·B at ${VS_TFJS_SIZES.join('/')}: geometric mean ${g.toFixed(2)}× (${vs.map(fmtR).join(', ')}; target ≥ ${VS_TFJS_TARGET}×: ${g >= VS_TFJS_TARGET ? 'met' : 'NOT met'})`,
      ratio: g, perSize: vs, target: VS_TFJS_TARGET, met: g >= VS_TFJS_TARGET,
    });
  } else {
    lines.push({ id: 'gemm simdnet/tfjs-wasm geomean', text: `simdnet vs tfjs-wasm, A·B at ${VS_TFJS_SIZES.join('/')}: not measured (target ≥ ${VS_TFJS_TARGET}×: NOT met)`, ratio: null, target: VS_TFJS_TARGET, met: false });
  }
  const shapes = cases.filter((c) => c.step);
  for (const who of FAST) {
    const fractions = shapes.map((c) => ({ c, r: pairedRatio(series(c.id, who), series(`A·B ${comparableSquare(c)}`, who)) })).filter((x) => Number.isFinite(x.r));
    if (!fractions.length) continue;
    if (who === 'simdnet') {
      const missed = fractions.filter((x) => x.r < SHAPE_TARGET);
      lines.push({
        id: 'gemm simdnet shapes/square',
        text: `simdnet training-step shapes ÷ square A·B of comparable size (target ≥ ${SHAPE_TARGET} each): ${missed.length ? `NOT met by ${missed.length} of ${fractions.length}` : `met by all ${fractions.length}`}`,
        target: SHAPE_TARGET, met: missed.length === 0,
        shapes: fractions.map(({ c, r }) => ({ id: c.id, step: c.step, square: comparableSquare(c), fraction: r, met: r >= SHAPE_TARGET })),
      });
      for (const { c, r } of fractions) {
        lines.push({ id: `gemm simdnet ${c.id}/square`, text: `  ${c.step.padEnd(18)} ${c.label.split(' (')[0].padEnd(26)} ${r.toFixed(2)} of A·B ${comparableSquare(c)}³${r >= SHAPE_TARGET ? '' : '  NOT met'}`, fraction: r });
      }
    } else {
      const worst = fractions.reduce((a, b) => (b.r < a.r ? b : a));
      lines.push({
        id: `gemm ${who} shapes/square`,
        text: `${who} training-step shapes ÷ its square A·B of comparable size: geometric mean ${geomean(fractions.map((x) => x.r)).toFixed(2)}, worst ${worst.r.toFixed(2)} (${worst.c.step})`,
      });
    }
  }
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
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

export default {
  id: 'gemm',
  title: 'GEMM f32, C = op(A)·op(B)',
  unit: 'GFLOP/s',
  contenders: ALL,
  cases,
  setup,
  summary,
};
