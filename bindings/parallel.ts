// The threaded kernels: each splits its output into disjoint blocks, hands all but the first
// to the pool's workers and computes the first on the calling thread. The blocks are chosen
// so that every output element is computed exactly as the one-thread kernel computes it
// (GEMM: whole micro-kernel tiles, each with its sequential k sum), so the bits do not depend
// on the thread count. Small calls run on the calling thread: a job round trip to a spinning
// worker costs ~2 µs.
//
// The runtime installs these in its RawKernels objects while it has a pool (and the
// one-thread exports without one); they read the pool at each call (`host.pool`).

import type { Exports, RawKernels } from './ops.js';
import type { ThreadPool } from './threads.js';

/** What the wrappers read at call time. */
export interface PoolHost {
  pool: ThreadPool | null;
  /** Below this many flops (2·m·n·k) a GEMM runs on one thread (tests set 0 to split every call). */
  minParallelFlops: number;
  /** Below this many element operations a split kernel runs on one thread (tests: 0). */
  minSplitWork: number;
}

/** Default of minParallelFlops: ~15 µs of one thread's GEMM, several times the cost of a wake. */
export const GEMM_MIN_FLOPS = 400_000;

type Gemm = RawKernels['gemm'];

/** A threaded k.gemm (k holds the one-thread kernels). */
function threadedGemm(k: RawKernels, ex: Exports, suffix: 'f32' | 'f64', host: PoolHost): Gemm {
  const serial: Gemm = k.gemm;
  const part = ex[`gemm_part_${suffix}`] as (c: number, work: number, a: number, b: number, m: number, n: number, kk: number,
    ta: boolean, tb: boolean, acc: boolean, rs: number, re: number, cs: number, ce: number) => void;
  const workBytes = k.gemmWorkBytes;
  const MR = (ex.gemm_tile_rows as () => number)();
  const NR = (ex.gemm_tile_cols as () => number)();
  const fn = THREADED_EXPORTS.indexOf(`gemm_part_${suffix}`);
  // what the kernel packs, from the kernel itself (its path choice lives in one place)
  const packing = ex[`gemm_packing_${suffix}`] as (m: number, n: number, ta: boolean, tb: boolean) => number;

  return (c, work, a, b, m, n, kk, transA, transB, accumulate) => {
    const pool = host.pool;
    if (!pool || 2 * m * n * kk < host.minParallelFlops) { serial(c, work, a, b, m, n, kk, transA, transB, accumulate); return; }
    const tm = Math.ceil(m / MR), tn = Math.ceil(n / NR);
    // Split the columns or the rows, whichever leaves the busiest thread less to do: with a
    // column split each thread packs its own B columns and all of A, with a row split its own
    // A rows and all of B (when the kernel packs them). Packing an element costs about as
    // much as 8 multiply-adds.
    const threads = pool.threads;
    const pn = Math.min(threads, tn), pm = Math.min(threads, tm);
    const packs = packing(m, n, transA, transB);
    const aPacked = (packs & 1) !== 0, bPacked = (packs & 2) !== 0;
    const costN = Math.ceil(tn / pn) * NR * m * kk / 8 + (aPacked ? m * kk : 0) + (bPacked ? Math.ceil(tn / pn) * NR * kk : 0);
    const costM = Math.ceil(tm / pm) * MR * n * kk / 8 + (bPacked ? n * kk : 0) + (aPacked ? Math.ceil(tm / pm) * MR * kk : 0);
    const byCols = costN <= costM;
    const parts = byCols ? pn : pm;
    if (parts < 2) { serial(c, work, a, b, m, n, kk, transA, transB, accumulate); return; }
    const tiles = byCols ? tn : tm;
    const step = byCols ? NR : MR;
    const total = byCols ? n : m;
    const widest = Math.ceil(tiles / parts) * step;
    if ((workBytes(byCols ? m : widest, byCols ? widest : n, kk) >>> 0) > pool.workBytes) {
      serial(c, work, a, b, m, n, kk, transA, transB, accumulate);
      return;
    }
    for (let p = 1; p < parts; p++) {
      const lo = Math.min(total, Math.floor((p * tiles) / parts) * step);
      const hi = Math.min(total, Math.floor(((p + 1) * tiles) / parts) * step);
      const s = pool.slot(p - 1, fn, 14);
      s[2] = c; s[3] = pool.workspaces[p - 1]; s[4] = a; s[5] = b; s[6] = m; s[7] = n; s[8] = kk;
      s[9] = transA ? 1 : 0; s[10] = transB ? 1 : 0; s[11] = accumulate ? 1 : 0;
      if (byCols) { s[12] = 0; s[13] = m; s[14] = lo; s[15] = hi; } else { s[12] = lo; s[13] = hi; s[14] = 0; s[15] = n; }
    }
    pool.post(parts - 1);
    const first = Math.min(total, Math.floor(tiles / parts) * step);
    try {
      if (byCols) part(c, work, a, b, m, n, kk, transA, transB, accumulate, 0, m, 0, first);
      else part(c, work, a, b, m, n, kk, transA, transB, accumulate, 0, first, 0, n);
    } finally {
      pool.wait(parts - 1);
    }
  };
}

/**
 * A kernel split over a leading count (images, rows, elements): part p runs the same export
 * with its pointers advanced by lo·stride and the count set to hi − lo.
 */
interface Split {
  /** camelCase binding name; the export is its snake_case with the dtype suffix. */
  op: keyof RawKernels;
  argc: number;
  /** Argument index of the count that is split. */
  count: number;
  /** Argument indices of the pointers that advance with it (a 0 pointer, "none", stays 0). */
  ptrs: number[];
  /** Bytes per unit of each pointer, from the call's arguments and the element size. */
  strides(a: Float64Array, es: number, out: Float64Array): void;
  /** Units a part starts on a multiple of (elementwise kernels: whole SIMD vectors and more). */
  align: number;
  /** Work of one unit, in element operations: a call below MIN_SPLIT_WORK runs on one thread. */
  unitWork(a: Float64Array): number;
  /** Argument indices of unit indices (not pointers) that advance by lo with the count. */
  offsets?: number[];
  /** Argument index of a workspace: a worker's part gets its own (the pool's), of workBytes(k, args) bytes. */
  work?: number;
  workBytes?(k: RawKernels, a: Float64Array): number;
}

/** Default of minSplitWork: ~20–40 µs of one thread's elementwise work. */
export const MIN_SPLIT_WORK = 1 << 15;

// conv kernels (y|dx|dw, work, x|dy, w|dy, N, H, W, C, KH, KW, SH, SW, pt, pl, OH, OW, F[, t0, taps]):
// per image, per tap, in element operations as MIN_SPLIT_WORK counts them: multiply-adds ÷ 8
// (a GEMM streams ~8 of them in the time of one elementwise op), so a conv splits where its
// products would have as GEMMs (~GEMM_MIN_FLOPS)
const convImageWork = (a: Float64Array) => (a[14] * a[15] * a[8] * a[9] * a[7] * a[16]) / 8;
const convTapWork = (a: Float64Array) => (a[4] * a[14] * a[15] * a[7] * a[16]) / 8;
const convWorkBytes = (k: RawKernels, a: Float64Array) =>
  k.convWorkBytes(a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16]);

export const SPLITS: Split[] = [
  // biasAct(y, x, bias, rows, cols, act, alpha): by rows
  { op: 'biasAct', argc: 7, count: 3, ptrs: [0, 1], align: 1, unitWork: (a) => a[4], strides: (a, es, o) => { o[0] = o[1] = a[4] * es; } },
  // actBackward(dx, dy, y, n, act, alpha): by elements
  { op: 'actBackward', argc: 6, count: 3, ptrs: [0, 1, 2], align: 64, unitWork: () => 1, strides: (_, es, o) => { o[0] = o[1] = o[2] = es; } },
  // convForward(y, work, x, w, N, …geometry, F), convInputGrad(dx, work, dy, w, …): by images, each part in its own workspace
  { op: 'convForward', argc: 17, count: 4, ptrs: [0, 2], align: 1, unitWork: convImageWork, work: 1, workBytes: convWorkBytes,
    strides: (a, es, o) => { o[0] = a[14] * a[15] * a[16] * es; o[1] = a[5] * a[6] * a[7] * es; } },
  { op: 'convInputGrad', argc: 17, count: 4, ptrs: [0, 2], align: 1, unitWork: convImageWork, work: 1, workBytes: convWorkBytes,
    strides: (a, es, o) => { o[0] = a[5] * a[6] * a[7] * es; o[1] = a[14] * a[15] * a[16] * es; } },
  // convFilterGrad(dw, work, x, dy, N, …geometry, F, t0, taps): by kernel taps (a part's rows of dW, over every image)
  { op: 'convFilterGrad', argc: 19, count: 18, ptrs: [0], offsets: [17], align: 1, unitWork: convTapWork, work: 1, workBytes: convWorkBytes,
    strides: (a, es, o) => { o[0] = a[7] * a[16] * es; } },
  // maxPool(y, idx, x, N, H, W, C, PH, PW, SH, SW, pt, pl, OH, OW): by images
  { op: 'maxPool', argc: 15, count: 3, ptrs: [0, 1, 2], align: 1, unitWork: (a) => a[6] * a[7] * a[8] * a[13] * a[14],
    strides: (a, es, o) => { const out = a[13] * a[14] * a[6]; o[0] = out * es; o[1] = out * 4; o[2] = a[4] * a[5] * a[6] * es; } },
  // maxPoolBackward(dx, dy, idx, N, H, W, C, OH, OW): by images
  { op: 'maxPoolBackward', argc: 9, count: 3, ptrs: [0, 1, 2], align: 1, unitWork: (a) => a[4] * a[5] * a[6],
    strides: (a, es, o) => { const out = a[7] * a[8] * a[6]; o[0] = a[4] * a[5] * a[6] * es; o[1] = out * es; o[2] = out * 4; } },
  // the optimizers' fused updates: by elements; they return a count of non-finite weights (summed)
  { op: 'sgdStep', argc: 12, count: 5, ptrs: [0, 1, 2, 3, 4], align: 64, unitWork: () => 4, strides: (_, es, o) => o.fill(es) },
  { op: 'rmspropStep', argc: 16, count: 9, ptrs: [0, 1, 2, 3, 4, 5, 6, 7, 8], align: 64, unitWork: () => 6, strides: (_, es, o) => o.fill(es) },
  { op: 'adagradStep', argc: 11, count: 5, ptrs: [0, 1, 2, 3, 4], align: 64, unitWork: () => 5, strides: (_, es, o) => o.fill(es) },
  { op: 'adamStep', argc: 14, count: 7, ptrs: [0, 1, 2, 3, 4, 5, 6], align: 64, unitWork: () => 8, strides: (_, es, o) => o.fill(es) },
  { op: 'adamwStep', argc: 14, count: 7, ptrs: [0, 1, 2, 3, 4, 5, 6], align: 64, unitWork: () => 8, strides: (_, es, o) => o.fill(es) },
];

/** The exports workers may run, in the order of their function indices. */
export const THREADED_EXPORTS: string[] = ['f32', 'f64'].flatMap((d) => [`gemm_part_${d}`, ...SPLITS.map((s) => `${snake(s.op)}_${d}`)]);

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

type Fn = (...args: number[]) => number;

/**
 * The threaded versions of gemm and the SPLITS kernels of `k` (the one-thread kernels of one
 * dtype), by binding name. The runtime installs them in its RawKernels objects while it has a
 * pool and puts the one-thread ones back without: with one thread, calls go straight to wasm.
 */
export function threadedKernels(k: RawKernels, ex: Exports, suffix: 'f32' | 'f64', host: PoolHost): Partial<RawKernels> {
  const out: Record<string, unknown> = { gemm: threadedGemm(k, ex, suffix, host) };
  const es = suffix === 'f32' ? 4 : 8;
  for (const spec of SPLITS) {
    const serial = k[spec.op] as unknown as Fn;
    const fn = THREADED_EXPORTS.indexOf(`${snake(spec.op)}_${suffix}`);
    const a = new Float64Array(spec.argc);
    const strides = new Float64Array(spec.ptrs.length);
    const call: number[] = new Array(spec.argc).fill(0);
    const { count, ptrs, argc, align } = spec;
    const offsets = spec.offsets ?? [];
    // NOTE: fixed parameters, not (...args): a rest array would be allocated on every call
    const threaded = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number,
      a8: number, a9: number, a10: number, a11: number, a12: number, a13: number, a14: number, a15: number,
      a16: number, a17: number, a18: number): number => {
      const pool = host.pool;
      if (!pool) return serial(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18);
      a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3; a[4] = a4; a[5] = a5;
      if (argc > 6) a[6] = a6; if (argc > 7) a[7] = a7; if (argc > 8) a[8] = a8; if (argc > 9) a[9] = a9;
      if (argc > 10) a[10] = a10; if (argc > 11) a[11] = a11; if (argc > 12) a[12] = a12; if (argc > 13) a[13] = a13;
      if (argc > 14) a[14] = a14; if (argc > 15) a[15] = a15; if (argc > 16) a[16] = a16; if (argc > 17) a[17] = a17;
      if (argc > 18) a[18] = a18;
      const total = a[count];
      const parts = Math.min(pool.threads, Math.floor(total / align));
      if (parts < 2 || total * spec.unitWork(a) < host.minSplitWork ||
        (spec.workBytes !== undefined && spec.workBytes(k, a) > pool.workBytes)) {
        // (a worker's workspace too small for this call: the model did not reserve it)
        return serial(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18);
      }
      spec.strides(a, es, strides);
      const per = Math.ceil(total / parts / align) * align;
      let used = 0;
      for (let p = 1; p < parts; p++) {
        const lo = p * per;
        if (lo >= total) break;
        const s = pool.slot(p - 1, fn, argc);
        for (let i = 0; i < argc; i++) s[2 + i] = a[i];
        for (let j = 0; j < ptrs.length; j++) if (a[ptrs[j]] !== 0) s[2 + ptrs[j]] = a[ptrs[j]] + lo * strides[j];
        for (let j = 0; j < offsets.length; j++) s[2 + offsets[j]] = a[offsets[j]] + lo;
        if (spec.work !== undefined) s[2 + spec.work] = pool.workspaces[p - 1];
        s[2 + count] = Math.min(total, lo + per) - lo;
        used++;
      }
      pool.post(used);
      let mine = 0;
      try {
        for (let i = 0; i < argc; i++) call[i] = a[i];
        call[count] = Math.min(total, per);
        mine = serial.apply(null, call) ?? 0;
      } finally {
        mine += pool.wait(used);
      }
      return mine;
    };
    out[spec.op] = threaded;
  }
  return out as Partial<RawKernels>;
}
