// GEMM: C[m, n] = (accumulate ? C : 0) + op(A)[m, k] · op(B)[k, n]
// gemm<T>(c, work, a, b, m, n, k, transA, transB, accumulate): output, workspace, inputs,
// sizes, flags.
//
// Layout: row-major and contiguous. A is [m, k] (or [k, m] when transA), B is [k, n]
// (or [n, k] when transB), C is [m, n]. C must not alias A or B.
// Alignment: c, a, b T-aligned (asserted in the debug build); work 16-byte aligned.
// Tails: m and n need not be multiples of the 4×8 tile: ragged panels are zero-padded when
// packed, and a partial tile is computed whole into an edge scratch tile, of which only the
// in-range part is written to C.
//
// NOTE: every operand, transposed or not, is first packed into the same panel layout:
// A into MR-row panels ([kc][MR]), B into NR-column panels ([kc][NR]), zero-padded at
// the edges. The micro-kernel then never sees a stride, so dW = xᵀ·dy and dx = dy·Wᵀ run
// as fast as y = x·W (tfjs-backend-wasm loses ~15× on its transposed path). The 4×8 f32
// tile keeps 8 accumulators + 2 B vectors + A splats in V8's 15 usable v128 registers;
// 6×8 or 4×16 tiles spill (measured 30–40% slower), as does unrolling K by hand.
//
// `work` is caller-owned scratch of gemmWorkBytes<T>(m, n, k) bytes (its contents need not
// survive between calls).
// Summation order over k is sequential for every element, on every path, so results are
// deterministic and identical between the SIMD and the scalar edge code.

import { checkAligned } from "./common";

const MR: usize = 4;
const NR: usize = 8;
export const GEMM_MR = MR;
export const GEMM_NR = NR;
/** K block: a B panel (KC·NR·4 = 8 KiB in f32) stays in L1 while A panels stream by. */
const KC: usize = 256;
/**
 * A non-transposed f32 B is read in place instead of packed when the product has at most
 * this many rows (packing would cost more than the product), or when B is at most this many
 * columns wide (its rows are a cache line or four: in place is as local as a panel).
 */
const B_IN_PLACE_ROWS: usize = 16;
const B_IN_PLACE_COLS: usize = 64;
/** M block: a packed A block (MC·KC·4 = 192 KiB in f32) stays in L2 across all B panels. */
const MC: usize = 192;

@inline function roundUp(x: usize, m: usize): usize {
  return (x + m - 1) / m * m;
}

export function gemmWorkBytes<T>(m: usize, n: usize, k: usize): usize {
  const kc = k < KC ? k : KC;
  const mc = m < MC ? m : MC;
  // packed A block + packed B + one MR×NR edge tile
  return ((roundUp(mc, MR) + roundUp(n, NR)) * kc + MR * NR) * sizeof<T>() + 16;
}

/** Packs rows [m0, m1) × cols [k0, k0 + kc) of op(A) (m rows in all) into MR-row panels. */
function packA<T>(dst: usize, a: usize, m: usize, m0: usize, m1: usize, k: usize, k0: usize, kc: usize, transA: bool): void {
  const es = sizeof<T>();
  for (let i0: usize = m0; i0 < m1; i0 += MR) {
    const rows = m1 - i0 < MR ? m1 - i0 : MR;
    const panel = dst + (i0 - m0) * kc * es;
    if (transA) {
      // A is stored [k, m]: the MR values of one k are contiguous.
      for (let kk: usize = 0; kk < kc; kk++) {
        const src = a + ((k0 + kk) * m + i0) * es;
        const out = panel + kk * MR * es;
        if (rows == MR && sizeof<T>() == 4) {
          v128.store(out, v128.load(src));
        } else {
          for (let r: usize = 0; r < MR; r++) {
            store<T>(out + r * es, r < rows ? load<T>(src + r * es) : <T>0);
          }
        }
      }
    } else {
      for (let r: usize = 0; r < MR; r++) {
        const out = panel + r * es;
        if (r < rows) {
          const src = a + ((i0 + r) * k + k0) * es;
          for (let kk: usize = 0; kk < kc; kk++) store<T>(out + kk * MR * es, load<T>(src + kk * es));
        } else {
          for (let kk: usize = 0; kk < kc; kk++) store<T>(out + kk * MR * es, <T>0);
        }
      }
    }
  }
}

/** Packs rows [k0, k0 + kc) × cols [js, je) of op(B) (n columns in all) into NR-column panels. */
function packB<T>(dst: usize, b: usize, n: usize, js: usize, je: usize, k: usize, k0: usize, kc: usize, transB: bool): void {
  const es = sizeof<T>();
  for (let j0: usize = js; j0 < je; j0 += NR) {
    const cols = je - j0 < NR ? je - j0 : NR;
    const panel = dst + (j0 - js) * kc * es;
    if (!transB) {
      // B is stored [k, n]: the NR values of one k are contiguous.
      for (let kk: usize = 0; kk < kc; kk++) {
        const src = b + ((k0 + kk) * n + j0) * es;
        const out = panel + kk * NR * es;
        if (cols == NR) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
          if (sizeof<T>() == 8) {
            v128.store(out, v128.load(src, 32), 32);
            v128.store(out, v128.load(src, 48), 48);
          }
        } else {
          for (let c: usize = 0; c < NR; c++) {
            store<T>(out + c * es, c < cols ? load<T>(src + c * es) : <T>0);
          }
        }
      }
    } else {
      for (let c: usize = 0; c < NR; c++) {
        const out = panel + c * es;
        if (c < cols) {
          const src = b + ((j0 + c) * k + k0) * es;
          for (let kk: usize = 0; kk < kc; kk++) store<T>(out + kk * NR * es, load<T>(src + kk * es));
        } else {
          for (let kk: usize = 0; kk < kc; kk++) store<T>(out + kk * NR * es, <T>0);
        }
      }
    }
  }
}

/**
 * f32 micro-kernel: tile[4×8] = Σ_kk a[0..4][kk] ⊗ bp[kk][0..8], then C (+)= tile.
 * A element (r, kk) is at ap + r·rs + kk·ks: a packed panel has rs = 4, ks = 16; a
 * non-transposed A is read in place with rs = lda bytes, ks = 4 (no packing pass).
 * Writes straight into C when the tile is whole, else through `edge` scratch.
 */
function micro_f32(
  c: usize, ldc: usize, ap: usize, rs: usize, ks: usize, bp: usize, bs: usize, kc: usize,
  rows: usize, cols: usize, acc: bool, edge: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const rs2 = rs + rs, rs3 = rs2 + rs;
  for (let kk: usize = 0; kk < kc; kk++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load_splat<f32>(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load_splat<f32>(ap + rs);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load_splat<f32>(ap + rs2);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load_splat<f32>(ap + rs3);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += ks;
    bp += bs;
  }
  const full = rows == MR && cols == NR;
  const dst = full ? c : edge;
  const ld: usize = full ? ldc * 4 : 32;
  if (full && acc) {
    c00 = f32x4.add(c00, v128.load(dst)); c01 = f32x4.add(c01, v128.load(dst, 16));
    c10 = f32x4.add(c10, v128.load(dst + ld)); c11 = f32x4.add(c11, v128.load(dst + ld, 16));
    c20 = f32x4.add(c20, v128.load(dst + 2 * ld)); c21 = f32x4.add(c21, v128.load(dst + 2 * ld, 16));
    c30 = f32x4.add(c30, v128.load(dst + 3 * ld)); c31 = f32x4.add(c31, v128.load(dst + 3 * ld, 16));
  }
  v128.store(dst, c00); v128.store(dst, c01, 16);
  v128.store(dst + ld, c10); v128.store(dst + ld, c11, 16);
  v128.store(dst + 2 * ld, c20); v128.store(dst + 2 * ld, c21, 16);
  v128.store(dst + 3 * ld, c30); v128.store(dst + 3 * ld, c31, 16);
  if (!full) edgeCopy<f32>(c, ldc, edge, rows, cols, acc);
}

/**
 * f32 micro-kernel for a single row: tile[1×8] = Σ_kk a[kk] ⊗ b[kk][0..8], the same lanes,
 * products and k order as row 0 of micro_f32 (same bits), a quarter of the work. A row-vector
 * product (predict on one sample) and the last row of an m ≡ 1 (mod 4) product run here.
 */
function micro1_f32(c: usize, ap: usize, ks: usize, bp: usize, bs: usize, kc: usize, cols: usize, acc: bool, edge: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  for (let kk: usize = 0; kk < kc; kk++) {
    const a = v128.load_splat<f32>(ap);
    c0 = f32x4.add(c0, f32x4.mul(a, v128.load(bp)));
    c1 = f32x4.add(c1, f32x4.mul(a, v128.load(bp, 16)));
    ap += ks;
    bp += bs;
  }
  if (cols == NR) {
    if (acc) { c0 = f32x4.add(c0, v128.load(c)); c1 = f32x4.add(c1, v128.load(c, 16)); }
    v128.store(c, c0); v128.store(c, c1, 16);
    return;
  }
  v128.store(edge, c0); v128.store(edge, c1, 16);
  edgeCopy<f32>(c, 0, edge, 1, cols, acc);
}

/** f64 micro-kernel: same panels and the same k order, scalar (f64 is for gradient checks). */
function micro_f64(
  c: usize, ldc: usize, ap: usize, bp: usize, kc: usize,
  rows: usize, cols: usize, acc: bool, edge: usize,
): void {
  memory.fill(edge, 0, MR * NR * 8);
  for (let kk: usize = 0; kk < kc; kk++) {
    for (let r: usize = 0; r < MR; r++) {
      const a = load<f64>(ap + r * 8);
      const t = edge + r * NR * 8;
      for (let j: usize = 0; j < NR; j++) {
        store<f64>(t + j * 8, load<f64>(t + j * 8) + a * load<f64>(bp + j * 8));
      }
    }
    ap += MR * 8;
    bp += NR * 8;
  }
  edgeCopy<f64>(c, ldc, edge, rows, cols, acc);
}

@inline function edgeCopy<T>(c: usize, ldc: usize, edge: usize, rows: usize, cols: usize, acc: bool): void {
  const es = sizeof<T>();
  for (let r: usize = 0; r < rows; r++) {
    for (let j: usize = 0; j < cols; j++) {
      const p = c + (r * ldc + j) * es;
      const t = load<T>(edge + (r * NR + j) * es);
      store<T>(p, acc ? load<T>(p) + t : t);
    }
  }
}

export function gemm<T>(
  c: usize, work: usize, a: usize, b: usize, m: usize, n: usize, k: usize,
  transA: bool, transB: bool, accumulate: bool,
): void {
  gemmPart<T>(c, work, a, b, m, n, k, transA, transB, accumulate, 0, m, 0, n);
}

/**
 * The block C[rs, re) × [cs, ce) of the same product: what one thread computes. rs and cs
 * must be multiples of MR and NR (re, ce: multiples too, or m, n), so the tiles and every
 * element's k order are those of the whole product — any partition gives the same bits.
 * `work` holds gemmWorkBytes<T>(re − rs, ce − cs, k) bytes.
 */
export function gemmPart<T>(
  c: usize, work: usize, a: usize, b: usize, m: usize, n: usize, k: usize,
  transA: bool, transB: bool, accumulate: bool, rs: usize, re: usize, cs: usize, ce: usize,
): void {
  checkAligned<T>(c); checkAligned<T>(a); checkAligned<T>(b);
  assert(work % 16 == 0, "gemm workspace must be 16-byte aligned");
  assert(rs % MR == 0 && cs % NR == 0 && rs <= re && re <= m && cs <= ce && ce <= n, "gemm part out of range or misaligned");
  if (re == rs || ce == cs) return;
  const es = sizeof<T>();
  if (k == 0) {
    if (!accumulate) {
      for (let i = rs; i < re; i++) memory.fill(c + (i * n + cs) * es, 0, (ce - cs) * es);
    }
    return;
  }
  const kcMax = k < KC ? k : KC;
  const rows = re - rs;
  const mcMax = rows < MC ? rows : MC;
  const packedB = work;
  const packedA = packedB + roundUp(ce - cs, NR) * kcMax * es;
  const edge = (packedA + roundUp(mcMax, MR) * kcMax * es + 15) & ~(<usize>15);
  for (let k0: usize = 0; k0 < k; k0 += KC) {
    const kc = k - k0 < KC ? k - k0 : KC;
    const acc = accumulate || k0 > 0;
    // NOTE: a non-transposed f32 B is read in place when packing it would not pay (see
    // B_IN_PLACE_ROWS): its 8 columns of one k are contiguous, like a panel's; only a ragged
    // last panel is packed
    const fullCols = sizeof<T>() == 4 && !transB && (rows <= B_IN_PLACE_ROWS || n <= B_IN_PLACE_COLS) ? cs + (ce - cs) / NR * NR : cs;
    if (fullCols < ce) packB<T>(packedB, b, n, fullCols, ce, k, k0, kc, transB);
    for (let m0: usize = rs; m0 < re; m0 += MC) {
      const m1 = re - m0 < MC ? re : m0 + MC;
      // NOTE: a non-transposed f32 A is read in place (splat loads need no panel layout);
      // only its ragged last panel is packed, zero-padded. Transposed A is packed: its
      // column walk would touch a new cache line per k.
      const inPlace = sizeof<T>() == 4 && !transA;
      const full = inPlace ? m0 + (m1 - m0) / MR * MR : m0;
      if (full < m1) packA<T>(packedA, a, m, full, m1, k, k0, kc, transA);
      for (let j0: usize = cs; j0 < ce; j0 += NR) {
        const cols = ce - j0 < NR ? ce - j0 : NR;
        const inB = j0 < fullCols;
        const bp = inB ? b + (k0 * n + j0) * es : packedB + (j0 - fullCols) * kc * es;
        const bs = inB ? n * es : NR * es;
        for (let i0 = m0; i0 < m1; i0 += MR) {
          const r = m1 - i0 < MR ? m1 - i0 : MR;
          const cp = c + (i0 * n + j0) * es;
          if (sizeof<T>() == 4) {
            if (i0 < full) micro_f32(cp, n, a + (i0 * k + k0) * es, k * es, es, bp, bs, kc, r, cols, acc, edge);
            else if (r == 1) micro1_f32(cp, packedA + (i0 - full) * kc * es, MR * es, bp, bs, kc, cols, acc, edge);
            else micro_f32(cp, n, packedA + (i0 - full) * kc * es, es, MR * es, bp, bs, kc, r, cols, acc, edge);
          } else {
            micro_f64(cp, n, packedA + (i0 - m0) * kc * es, bp, kc, r, cols, acc, edge);
          }
        }
      }
    }
  }
}
