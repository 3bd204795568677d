// GEMM: C[m, n] = (accumulate ? C : 0) + op(A)[m, k] · op(B)[k, n]
// gemm<T>(c, work, a, b, m, n, k, transA, transB, accumulate): output, workspace, inputs,
// sizes, flags; gemmPart<T>(…, rs, re, cs, ce) computes one block of C (a thread's share).
//
// Layout: row-major and contiguous. A is [m, k] (or [k, m] when transA), B is [k, n]
// (or [n, k] when transB), C is [m, n]. C must not alias A or B.
// Alignment: c, a, b T-aligned (asserted in the debug build); work 16-byte aligned.
// Tails: m and n need not be multiples of the 4×8 tile: ragged panels are zero-padded when
// packed, and a partial tile is computed whole into an edge scratch tile, of which only the
// in-range part is written to C.
//
// f32 runs in gemm-f32.ts (4×8 SIMD micro-kernels, operands read in place where packing does
// not pay). f64 (gradient checks, research) runs here: every operand packed into the same
// panels — A into MR-row panels ([kc][MR]), B into NR-column panels ([kc][NR]) — and a scalar
// 4×8 tile.
//
// Bits: every element's sum over k is sequential within each K block of KC, from zero, and
// the block sums are added to C in order, on every path and for every block a thread gets:
// the results do not depend on the path, the tile an element falls in, or the thread count.
// `work` is caller-owned scratch of gemmWorkBytes<T>(m, n, k) bytes (its contents need not
// survive between calls).

import { checkAligned } from "./common";
import { gemmPartF32 } from "./gemm-f32";

const MR: usize = 4;
const NR: usize = 8;
export const GEMM_MR = MR;
export const GEMM_NR = NR;
/** K block: a B panel (KC·NR·4 = 8 KiB in f32) stays in L1 while A panels stream by. */
const KC: usize = 256;
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
  if (sizeof<T>() == 4) {
    gemmPartF32(c, work, a, b, m, n, k, transA, transB, accumulate, rs, re, cs, ce);
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
    packB<T>(packedB, b, n, cs, ce, k, k0, kc, transB);
    for (let m0: usize = rs; m0 < re; m0 += MC) {
      const m1 = re - m0 < MC ? re : m0 + MC;
      packA<T>(packedA, a, m, m0, m1, k, k0, kc, transA);
      for (let j0: usize = cs; j0 < ce; j0 += NR) {
        const cols = ce - j0 < NR ? ce - j0 : NR;
        const bp = packedB + (j0 - cs) * kc * es;
        for (let i0 = m0; i0 < m1; i0 += MR) {
          const r = m1 - i0 < MR ? m1 - i0 : MR;
          micro_f64(c + (i0 * n + j0) * es, n, packedA + (i0 - m0) * kc * es, bp, kc, r, cols, acc, edge);
        }
      }
    }
  }
}
