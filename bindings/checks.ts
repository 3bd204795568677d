// The debug build's checks of every kernel call (bindings/ops.ts isDebugBuild: the module's
// `debug_checks` export, true unless compiled with --noAssert). Before a kernel runs, each
// buffer argument must be an Operand (or null where the kernel takes "none"), not freed, of
// the kernel's dtype (int32 for labels, indices and RNG states; f64 for statistics and
// scratch), and hold what the call's sizes ask of it; the outputs a kernel's header says
// must not alias its inputs are checked for overlap. A failed check throws an Error naming
// the kernel, the argument, and the tensor (label and shape).
// The release build never runs this file's code: its bindings are bindings/kernels.ts alone.
//
// RULES has one line per kernel:
//   bufs   the buffer arguments in order, `name[:type][?]`. Types: T (default: the kernel's
//          dtype), i32, f64, T|i32, rng (int32 [4]: an RNG state) and bytes (any dtype,
//          counted in bytes: workspaces and the dtype-free copies); `?`: may be null.
//   need   from the size and scalar arguments (those after the buffers), the elements (bytes
//          for `bytes`) each buffer must hold; undefined where it is not cheap to state.
//   apart  the buffers that must not overlap any other buffer argument (as far as the call
//          reads or writes them).

import type { DType, Geometry, KernelName, Kernels, RawKernels } from './ops.js';
import { BYTES, type Operand } from './wasm-tensor.js';

/** The arguments after the leading buffers: what `need` receives. */
type SizesOf<A extends unknown[]> = A extends [infer H, ...infer Rest] ? (H extends Operand | null ? SizesOf<Rest> : A) : A;

interface Rule<F> {
  bufs: string;
  need?: F extends (...args: infer A) => unknown ? (...sizes: SizesOf<A>) => (number | undefined)[] : never;
  apart?: string;
}

type Rules = { [K in KernelName]: Rule<Kernels[K]> };

/** Elements of an image batch and of its pooled outputs, from a window geometry. */
const images = (N: number, g: Geometry) => N * g.H * g.W * g.C;
const outputs = (N: number, g: Geometry) => N * g.OH * g.OW * g.C;
/** Windows (output pixels) of N images, and the elements of one window (a conv's K). */
const windows = (N: number, g: Geometry) => N * g.OH * g.OW;
const taps = (g: Geometry) => g.KH * g.KW * g.C;
/** Bytes a strided copy of `rows` blocks touches. */
const strided = (rows: number, rowBytes: number, stride: number) => (rows > 0 ? (rows - 1) * stride + rowBytes : 0);

function rules(r: RawKernels): Rules {
  const convWork = (g: Geometry, F: number) => r.convWorkBytes(g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft, g.OH, g.OW, F);
  const loss = (rows: number, cols: number) => [rows * cols, rows * cols, rows * cols, rows];
  const elementwise = (n: number) => [n, n, n];
  return {
    gemm: { bufs: 'c work:bytes a b', need: (m, n, k) => [m * n, r.gemmWorkBytes(m, n, k), m * k, k * n], apart: 'c work' },
    biasAct: { bufs: 'y x bias?', need: (rows, cols) => [rows * cols, rows * cols, cols] },
    actBackward: { bufs: 'dx dy y', need: elementwise },
    prelu: { bufs: 'y x alpha', need: (rows, cols) => [rows * cols, rows * cols, cols] },
    preluBackward: { bufs: 'dx dalpha dy x alpha', need: (rows, cols) => [rows * cols, cols, rows * cols, rows * cols, cols], apart: 'dalpha' },
    maxout: { bufs: 'y idx:i32 z', need: (rows, units, pieces) => [rows * units, rows * units, rows * units * pieces], apart: 'y idx' },
    maxoutBackward: { bufs: 'dz dy idx:i32', need: (rows, units, pieces) => [rows * units * pieces, rows * units, rows * units], apart: 'dz' },

    softmaxXent: { bufs: 'dlogits? logits labels:i32 w?', need: (rows, cols) => [rows * cols, rows * cols, rows, rows] },
    softmaxXentDense: { bufs: 'dlogits? logits targets w?', need: loss },
    sigmoidXent: { bufs: 'dx? x t w?', need: loss },
    mse: { bufs: 'dp? p t w?', need: loss },
    mae: { bufs: 'dp? p t w?', need: loss },
    huber: { bufs: 'dp? p t w?', need: loss },
    countArgmaxHits: { bufs: 'x labels:i32', need: (rows, cols) => [rows * cols, rows] },
    countArgmaxMatches: { bufs: 'x t', need: (rows, cols) => [rows * cols, rows * cols] },
    countBinaryHits: { bufs: 'x t', need: (n) => [n, n] },
    countTopKHits: { bufs: 'x t:T|i32', need: (rows, cols, _k, dense) => [rows * cols, dense ? rows * cols : rows] },
    softmax: { bufs: 'y x', need: (rows, cols) => [rows * cols, rows * cols] },
    softmaxBackward: { bufs: 'dx dy y', need: (rows, cols) => elementwise(rows * cols) },
    argMax: { bufs: 'out:i32 x', need: (rows, cols) => [rows, rows * cols], apart: 'out' },
    oneHot: { bufs: 'out labels:i32', need: (rows, depth) => [rows * depth, rows], apart: 'out' },
    sumSquaredDiff: { bufs: 'a b', need: (n) => [n, n] },
    countZeros: { bufs: 'x', need: (n) => [n] },

    sgdStep: { bufs: 'pOut bufOut? p g buf?', need: (n) => [n, n, n, n, n] },
    rmspropStep: { bufs: 'pOut sqOut gaOut? bufOut? p g squareAvg gradAvg? buf?', need: (n) => [n, n, n, n, n, n, n, n, n] },
    adagradStep: { bufs: 'pOut sumOut p g sum', need: (n) => [n, n, n, n, n] },
    adamStep: { bufs: 'pOut mOut vOut p g m v', need: (n) => [n, n, n, n, n, n, n] },
    adamwStep: { bufs: 'pOut mOut vOut p g m v', need: (n) => [n, n, n, n, n, n, n] },

    rngUniform: { bufs: 'out state:rng', need: (n) => [n], apart: 'out' },
    rngNormal: { bufs: 'out state:rng scratch:f64', need: (n) => [n, undefined, 1], apart: 'out state' },
    dropout: { bufs: 'y mask state:rng x', need: (n) => [n, n, undefined, n], apart: 'mask state' },
    colSum: { bufs: 'out x', need: (rows, cols) => [cols, rows * cols], apart: 'out' },
    mul: { bufs: 'out a b', need: elementwise },
    sumSquares: { bufs: 'x', need: (n) => [n] },
    firstNonFinite: { bufs: 'x', need: (n) => [n] },
    l2: { bufs: 'grad w', need: (n) => [n, n] },
    randomShift: { bufs: 'out state:rng x', need: (count, h, w, c) => [count * h * w * c, undefined, count * h * w * c], apart: 'out state' },

    convForward: { bufs: 'y work:bytes x w', need: (N, g, F) => [windows(N, g) * F, convWork(g, F), images(N, g), taps(g) * F], apart: 'y work' },
    convInputGrad: { bufs: 'dx work:bytes dy w', need: (N, g, F) => [images(N, g), convWork(g, F), windows(N, g) * F, taps(g) * F], apart: 'dx work' },
    convFilterGrad: { bufs: 'dw work:bytes x dy', need: (N, g, F) => [taps(g) * F, convWork(g, F), images(N, g), windows(N, g) * F], apart: 'dw work' },
    maxPool: { bufs: 'y idx:i32 x', need: (N, g) => [outputs(N, g), outputs(N, g), images(N, g)], apart: 'y idx' },
    maxPoolBackward: { bufs: 'dx dy idx:i32', need: (N, g) => [images(N, g), outputs(N, g), outputs(N, g)], apart: 'dx' },
    avgPool: { bufs: 'y x', need: (N, g) => [outputs(N, g), images(N, g)], apart: 'y' },
    avgPoolBackward: { bufs: 'dx dy', need: (N, g) => [images(N, g), outputs(N, g)], apart: 'dx' },

    swapAxes: { bufs: 'out x', need: (a, b, c) => [a * b * c, a * b * c], apart: 'out' },
    lstmCell: { bufs: 'h c ac gates cPrev?', need: (N, U) => [N * U, N * U, N * U, 4 * N * U, N * U], apart: 'h c ac' },
    lstmCellBackward: { bufs: 'dgates dc dh gates cPrev? ac', need: (N, U) => [4 * N * U, N * U, N * U, 4 * N * U, N * U, N * U], apart: 'dc dh cPrev ac' },
    gruCell: { bufs: 'h gates recur hPrev? recBias?', need: (N, U) => [N * U, 3 * N * U, 3 * N * U, N * U, 3 * U], apart: 'h' },
    gruCellBackward: { bufs: 'dgates drecur dhPrev? dh gates recur hPrev?', need: (N, U) => [3 * N * U, 3 * N * U, N * U, N * U, 3 * N * U, 3 * N * U, N * U], apart: 'dhPrev dh hPrev' },
    gruGates: { bufs: 'rh gates zr? hPrev?', need: (N, U) => [N * U, 3 * N * U, 2 * N * U, N * U], apart: 'rh' },
    gruCandidate: { bufs: 'h gates hu? hPrev?', need: (N, U) => [N * U, 3 * N * U, N * U, N * U], apart: 'h' },
    gruCandidateBackward: { bufs: 'dgates dzr dhh dhPrev? dh gates hPrev?', need: (N, U) => [3 * N * U, 2 * N * U, N * U, N * U, N * U, 3 * N * U, N * U], apart: 'dzr dhh dhPrev' },
    gruResetBackward: { bufs: 'dgates dzr dhPrev? drh? gates hPrev?', need: (N, U) => [3 * N * U, 2 * N * U, N * U, N * U, 3 * N * U, N * U], apart: 'dzr dhPrev' },
    embedding: { bufs: 'out table tokens', need: (n, inputDim, D) => [n * D, inputDim * D, n], apart: 'out' },
    embeddingBackward: { bufs: 'dtable dy tokens', need: (n, inputDim, D) => [inputDim * D, n * D, n], apart: 'dtable' },

    batchNormTrain: { bufs: 'y mean invstd variance acc:f64 x gamma beta', need: (rows, C) => [rows * C, C, C, C, 2 * C, rows * C, C, C], apart: 'mean invstd variance acc' },
    batchNormInfer: { bufs: 'y invstd x movingMean movingVar gamma beta', need: (rows, C) => [rows * C, C, rows * C, C, C, C, C], apart: 'invstd' },
    batchNormBackward: { bufs: 'dx dgamma dbeta acc:f64 dy x mean invstd gamma', need: (rows, C) => [rows * C, C, C, 2 * C, rows * C, rows * C, C, C, C], apart: 'dgamma dbeta acc' },
    ema: { bufs: 'moving batch', need: (n) => [n, n] },
    groupNorm: { bufs: 'y mean invstd acc:f64 x gamma beta', need: (N, S, C, G) => [N * S * C, N * G, N * G, 2 * N * G, N * S * C, C, C], apart: 'mean invstd acc' },
    groupNormBackward: { bufs: 'dx dgamma dbeta acc:f64 dy x mean invstd gamma', need: (N, S, C, G) => [N * S * C, C, C, 2 * N * G, N * S * C, N * S * C, N * G, N * G, C], apart: 'dgamma dbeta acc' },

    activationStats: { bufs: 'out:f64 x', need: (n) => [6, n], apart: 'out' },
    histogram: { bufs: 'counts:f64 x', need: (n, bins) => [bins, n], apart: 'counts' },

    colMoments: { bufs: 'mean:f64 variance:f64 x', need: (rows, cols) => [cols, cols, rows * cols], apart: 'mean variance' },
    standardize: { bufs: 'y x mean:f64 div:f64', need: (rows, cols) => [rows * cols, rows * cols, cols, cols] },
    unstandardize: { bufs: 'x y mean:f64 div:f64', need: (rows, cols) => [rows * cols, rows * cols, cols, cols] },
    prepareScale: { bufs: 'out:f64 v', need: (n) => [n, n], apart: 'out' },
    covariance: { bufs: 'cov:f64 work:bytes x mean:f64', need: (rows, cols) => [cols * cols, r.covarianceWorkBytes(cols), rows * cols, cols], apart: 'cov work' },
    project: { bufs: 'y work:bytes x mean:f64 components:f64 div:f64?', need: (rows, D, k) => [rows * k, r.projectWorkBytes(D, k), rows * D, D, k * D, k], apart: 'y work' },
    unproject: { bufs: 'x work:bytes y mul:f64? components:f64 mean:f64?', need: (rows, k, D) => [rows * D, r.projectWorkBytes(k, D), rows * k, k, k * D, D], apart: 'x work' },

    addTo: { bufs: 'out a b', need: elementwise },
    subTo: { bufs: 'out a b', need: elementwise },
    scaleTo: { bufs: 'out x', need: (n) => [n, n] },
    maxMerge: { bufs: 'out idx:i32 x', need: elementwise },
    selectGrad: { bufs: 'dx dy idx:i32', need: elementwise },

    gatherRows: { bufs: 'out:bytes x:bytes idx:i32', need: (count, rowBytes) => [count * rowBytes, undefined, count], apart: 'out' },
    copyRows: { bufs: 'dst:bytes src:bytes', need: (rows, rowBytes, dstStride, srcStride) => [strided(rows, rowBytes, dstStride), strided(rows, rowBytes, srcStride)], apart: 'dst' },
    shuffle: { bufs: 'perm:i32 state:rng', need: (n) => [n], apart: 'perm' },
    rngSeed: { bufs: 'state:rng' },
    symEig: { bufs: 'vectors:f64 values:f64 work:f64 a:f64', need: (n) => [n * n, n, n, n * n], apart: 'values work' },
  };
}

interface Arg { name: string; type: string; optional: boolean }

/** 'c work:bytes a? b' → [{name: 'c', type: 'T', …}, …] */
function parse(bufs: string): Arg[] {
  return bufs.split(' ').map((s) => {
    const optional = s.endsWith('?');
    const [name, type = 'T'] = (optional ? s.slice(0, -1) : s).split(':');
    return { name, type, optional };
  });
}

/** Whether `a` has the Operand surface (a WasmTensor or a TensorView). */
function isOperand(a: unknown): a is Operand {
  return typeof a === 'object' && a !== null && typeof (a as Operand).describe === 'function' && typeof (a as Operand).size === 'number';
}

function show(v: unknown): string {
  return typeof v === 'number' ? `the number ${v} (a raw address? kernels take tensors)` : v === null ? 'null' : typeof v === 'object' ? 'an object that is not a tensor' : String(v);
}

/** The check of one call of `op`; throws an Error naming the kernel, the argument and the tensor. */
function checker(op: string, rule: Rule<unknown>, dtype: DType): (args: unknown[]) => void {
  const bufs = parse(rule.bufs);
  const need = rule.need as ((...sizes: unknown[]) => (number | undefined)[]) | undefined;
  const apart = rule.apart ? rule.apart.split(' ').map((n) => bufs.findIndex((b) => b.name === n)) : [];
  const T = dtype;
  return (args) => {
    const sizes = args.slice(bufs.length);
    const needs = need ? need(...sizes) : [];
    const fail = (i: number, what: string) => new Error(`${op}: argument ${bufs[i].name} ${what} (sizes ${sizes.map((s) => (typeof s === 'object' ? JSON.stringify(s) : String(s))).join(', ')})`);
    // [start, end) in bytes of each buffer, as far as this call uses it (null: none)
    const spans: ([number, number] | null)[] = [];
    bufs.forEach((b, i) => {
      const a = args[i];
      if (a === null && b.optional) { spans.push(null); return; }
      if (!isOperand(a)) throw fail(i, `must be a WasmTensor or a view of one${b.optional ? ' (or null)' : ''}, got ${show(a)}`);
      if (a.isFreed) throw fail(i, `is ${a.describe()}, which has been freed`);
      const want = b.type === 'T' ? [T] : b.type === 'T|i32' ? [T, 'int32'] : b.type === 'i32' || b.type === 'rng' ? ['int32'] : b.type === 'f64' ? ['float64'] : null;
      if (want && !want.includes(a.dtype)) throw fail(i, `must be ${want.join(' or ')}, got ${a.describe()} (${a.dtype})`);
      const es = BYTES[a.dtype];
      const inBytes = b.type === 'bytes';
      const have = inBytes ? a.size * es : a.size;
      const n = b.type === 'rng' ? 4 : needs[i];
      if (n !== undefined && !(n <= have)) {
        throw fail(i, `is ${a.describe()} with ${have} ${inBytes ? 'bytes' : 'elements'}; the call needs ${n}`);
      }
      const start = a.ptr;
      spans.push([start, start + (n === undefined ? a.size * es : inBytes ? n : n * es)]);
    });
    for (const i of apart) {
      const s = spans[i];
      if (!s || s[0] === s[1]) continue;
      spans.forEach((o, j) => {
        if (j === i || !o || o[0] === o[1]) return;
        if (s[0] < o[1] && o[0] < s[1]) {
          throw fail(i, `(${(args[i] as Operand).describe()}) overlaps argument ${bufs[j].name} (${(args[j] as Operand).describe()}); the kernel's ${bufs[i].name} must not alias its other arguments`);
        }
      });
    }
  };
}

/** `k` with every kernel call checked first (the debug build). */
export function checkedKernels(k: Kernels, r: RawKernels, dtype: DType): Kernels {
  const out: Record<string, unknown> = { ...k };
  for (const [op, rule] of Object.entries(rules(r))) {
    const check = checker(op, rule as Rule<unknown>, dtype);
    const run = (k as unknown as Record<string, (...args: unknown[]) => unknown>)[op];
    // NOTE: a rest parameter allocates per call; fine here, this wrapper exists only in the debug build
    out[op] = (...args: unknown[]) => { check(args); return run(...args); };
  }
  return out as unknown as Kernels;
}
