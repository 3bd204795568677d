// The f32 GEMM (gemm.ts dispatches here): the block C[rs, re) × [cs, ce) of
// C[m, n] = (accumulate ? C : 0) + op(A)[m, k] · op(B)[k, n], row-major, C not aliasing A or B.
// Pointers need 4-byte alignment only (v128 loads and stores are unaligned-safe); `work`
// holds gemmWorkBytes<f32>(re − rs, ce − cs, k) bytes, 16-byte aligned.
//
// Bits: per element, within each K block of KC = 256 the products are added one at a time in
// increasing k, c = c + a·b with a separate mul and add, from 0; each block sum is then added
// to C in block order. Every path below (in place or packed, whole or edge tile, 4 rows or 1)
// does exactly that, so the path a call takes — and the block a thread gets — cannot change
// a bit. Built with relaxed SIMD (the opt-in binary), the mul and add become one
// f32x4.relaxed_madd: faster where the CPU has FMA, and bit-identical to nothing else.
//
// Micro-kernel: a 4×8 tile in 8 f32x4 accumulators, the k loop not unrolled by hand. V8
// schedules every load of a loop body ahead of the arithmetic, so an unrolled body or a
// taller tile keeps its operands live at once and spills (2 k steps: 12 loads + 8
// accumulators > 15 registers; 5×8 and 6×8 spill per step). What still pays is fewer
// instructions per k step, and fewer on the FP pipes: the loop ends on the B pointer, the
// kernels are inlined into the tile loop (V8 unrolls them itself without spilling), and A's
// values are broadcast by the loads (vbroadcastss, on a load port) rather than by shuffles
// (vpshufd, on two of the four FP pipes the 8 mul + 8 add of a step need). A comes
//   ROWS:  as 4 row pointers in place (non-transposed A), a load_splat each, or
//   LANES: as the 4 rows at one k side by side (a packed [kc][4] panel, or Aᵀ read in
//          place): load_splats at offsets 0, 4, 8, 12 (V8 keeps each offset address as
//          its own induction variable: 3 more integer adds a step, no FP work). Against one
//          v128.load and 4 i32x4.shuffle broadcasts: 1.05–1.17× on the squares 256–1024 and
//          the MLP and CNN training shapes (lab, interleaved, same bits).
// Paths (by the whole product's m and n, so every block of a split takes the same one):
//   n > 32 (dense layers, square):   LANES, A packed; B packed into [kc][8] panels
//   n ≤ 32 (conv filters), A plain:  ROWS, A rows in place
//   n ≤ 32, m ≤ 64, A transposed:    LANES with Aᵀ in place (a conv's dW = colsᵀ·dy)
//   B is read in place (not transposed) when n ≤ 64, or m ≤ 16 (packing it would cost more
//   than the product), or on the conv dW path; single-row tiles (predict on one sample) run
//   on a 1×8 kernel, and a last column panel of ≤ 4 columns on a 4×4 one (a 10-class output
//   layer: 1.15–1.17× its forward and dW). Before the load_splat broadcasts, this kernel
//   measured 1.13–1.32× the one it replaced on every shape of the MLP and CNN training
//   steps and the squares 256–1024 (lab, interleaved, CPU time).
// Tails: a tile with rows < 4 or cols < 8 runs on zero-padded panels into a 4×8 scratch of
// which only the in-range part is added to C; a K block may have any length ≥ 1.

const MR: usize = 4;
const NR: usize = 8;
const KC: usize = 256;
const MC: usize = 192;
/** n ≤ SMALL_N: a non-transposed A is read in place (ROWS). */
const SMALL_N: usize = 32;
/** n ≤ SMALL_N and m ≤ DIRECT_M: a transposed A is read in place too. */
const DIRECT_M: usize = 64;
/** A non-transposed B is read in place when the product has at most this many rows… */
const B_IN_PLACE_ROWS: usize = 16;
/** …or B is at most this many columns wide (its rows are a cache line or four). */
const B_IN_PLACE_COLS: usize = 64;

@inline function roundUp(x: usize, m: usize): usize {
  return (x + m - 1) / m * m;
}

/** acc + x·b per lane: a separate mul and add, or relaxed_madd in the relaxed build. */
@inline function madd(acc: v128, x: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, b, acc);
  return f32x4.add(acc, f32x4.mul(x, b));
}

/** 4×4 transpose: rows at p + i·ld → rows at q + i·ldq (bytes). */
@inline function transpose4(p: usize, ld: usize, q: usize, ldq: usize): void {
  const r0 = v128.load(p), r1 = v128.load(p + ld), r2 = v128.load(p + 2 * ld), r3 = v128.load(p + 3 * ld);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(q, i64x2.shuffle(t0, t1, 0, 2));
  v128.store(q + ldq, i64x2.shuffle(t0, t1, 1, 3));
  v128.store(q + 2 * ldq, i64x2.shuffle(t2, t3, 0, 2));
  v128.store(q + 3 * ldq, i64x2.shuffle(t2, t3, 1, 3));
}

/** op(B) rows [k0, k0 + kc) × cols [js, je) → [kc][8] panels at dst + (j − js)·kc·4, zero-padded. */
function packB(dst: usize, b: usize, n: usize, js: usize, je: usize, k: usize, k0: usize, kc: usize, transB: bool): void {
  for (let j0 = js; j0 < je; j0 += NR) {
    const cols = je - j0 < NR ? je - j0 : NR;
    const panel = dst + (j0 - js) * kc * 4;
    if (!transB) {
      for (let kk: usize = 0; kk < kc; kk++) {
        const src = b + ((k0 + kk) * n + j0) * 4;
        const out = panel + kk * 32;
        if (cols == NR) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
        } else {
          for (let c: usize = 0; c < NR; c++) store<f32>(out + c * 4, c < cols ? load<f32>(src + c * 4) : 0);
        }
      }
    } else if (cols == NR) {
      // B stored [n, k]: 4×4 transposes of (columns j..j+3) × (k..k+3)
      let kk: usize = 0;
      for (; kk + 4 <= kc; kk += 4) {
        const src = b + (j0 * k + k0 + kk) * 4;
        transpose4(src, k * 4, panel + kk * 32, 32);
        transpose4(src + 4 * k * 4, k * 4, panel + kk * 32 + 16, 32);
      }
      for (; kk < kc; kk++) {
        for (let c: usize = 0; c < NR; c++) store<f32>(panel + kk * 32 + c * 4, load<f32>(b + ((j0 + c) * k + k0 + kk) * 4));
      }
    } else {
      for (let c: usize = 0; c < NR; c++) {
        const src = b + ((j0 + c) * k + k0) * 4;
        for (let kk: usize = 0; kk < kc; kk++) store<f32>(panel + kk * 32 + c * 4, c < cols ? load<f32>(src + kk * 4) : 0);
      }
    }
  }
}

/** Rows [i0, i1) (fewer than MR) of a non-transposed A → row-major [MR][kc], zero rows after. */
function packRows(dst: usize, a: usize, i0: usize, i1: usize, k: usize, k0: usize, kc: usize): void {
  for (let r: usize = 0; r < MR; r++) {
    if (i0 + r < i1) memory.copy(dst + r * kc * 4, a + ((i0 + r) * k + k0) * 4, kc * 4);
    else memory.fill(dst + r * kc * 4, 0, kc * 4);
  }
}

/**
 * op(A) rows [m0, m1) → lane panels [kc][4] (one per MR rows), zero-padded. A transposed A
 * goes four k rows at a time across all panels: each source row is read once, in order, and
 * each 64-byte line of a panel is written whole (panel by panel, the walk down a column of
 * Aᵀ cost ~30% of a conv dW product in cache misses).
 */
function packLanes(dst: usize, a: usize, m: usize, m0: usize, m1: usize, k: usize, k0: usize, kc: usize, transA: bool): void {
  const whole = m0 + (m1 - m0) / MR * MR;
  if (transA) {
    const ld = m * 4;
    let kk: usize = 0;
    for (; kk + 4 <= kc; kk += 4) {
      let src = a + ((k0 + kk) * m + m0) * 4;
      let out = dst + kk * 16;
      for (let i0 = m0; i0 < whole; i0 += MR) {
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src + ld), 16);
        v128.store(out, v128.load(src + 2 * ld), 32);
        v128.store(out, v128.load(src + 3 * ld), 48);
        src += 16;
        out += kc * 16;
      }
    }
    for (; kk < kc; kk++) {
      for (let i0 = m0; i0 < whole; i0 += MR) v128.store(dst + ((i0 - m0) * kc + kk * MR) * 4, v128.load(a + ((k0 + kk) * m + i0) * 4));
    }
  } else {
    for (let i0 = m0; i0 < whole; i0 += MR) {
      const src = a + (i0 * k + k0) * 4;
      const panel = dst + (i0 - m0) * kc * 4;
      let kk: usize = 0;
      for (; kk + 4 <= kc; kk += 4) transpose4(src + kk * 4, k * 4, panel + kk * 16, 16);
      for (; kk < kc; kk++) for (let r: usize = 0; r < MR; r++) store<f32>(panel + (kk * MR + r) * 4, load<f32>(src + (r * k + kk) * 4));
    }
  }
  if (whole < m1) {
    const rows = m1 - whole;
    const panel = dst + (whole - m0) * kc * 4;
    for (let kk: usize = 0; kk < kc; kk++) {
      for (let r: usize = 0; r < MR; r++) {
        const src = transA ? a + ((k0 + kk) * m + whole + r) * 4 : a + ((whole + r) * k + k0 + kk) * 4;
        store<f32>(panel + (kk * MR + r) * 4, r < rows ? load<f32>(src) : 0);
      }
    }
  }
}

// ---- micro-kernels: tile[4×8] (= | +=) Σ_k a(r, k)·b(k, 0..8) -----------------------------
// c: tile origin, ldc its row stride in bytes; bp: B at k0, bs its k stride in bytes (32 for
// a packed panel, n·4 in place); kc ≥ 1 k steps; addC: add the tile to C.

/** A: 4 rows (in place, or a packRows panel), row stride rs bytes, k contiguous. */
@inline function microRows(c: usize, ldc: usize, a: usize, rs: usize, bp: usize, bs: usize, kc: usize, addC: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = a, a1 = a + rs, a2 = a1 + rs, a3 = a2 + rs;
  const end = bp + kc * bs;
  while (bp < end) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    const x0 = v128.load_splat<f32>(a0);
    c00 = madd(c00, x0, b0); c01 = madd(c01, x0, b1);
    const x1 = v128.load_splat<f32>(a1);
    c10 = madd(c10, x1, b0); c11 = madd(c11, x1, b1);
    const x2 = v128.load_splat<f32>(a2);
    c20 = madd(c20, x2, b0); c21 = madd(c21, x2, b1);
    const x3 = v128.load_splat<f32>(a3);
    c30 = madd(c30, x3, b0); c31 = madd(c31, x3, b1);
    a0 += 4; a1 += 4; a2 += 4; a3 += 4;
    bp += bs;
  }
  storeTile(c, ldc, addC, c00, c01, c10, c11, c20, c21, c30, c31);
}

/** A: the 4 rows of one k in one v128 (lane panel: as = 16; Aᵀ in place: as = m·4). */
@inline function microLanes(c: usize, ldc: usize, a: usize, as: usize, bp: usize, bs: usize, kc: usize, addC: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = bp + kc * bs;
  while (bp < end) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    const x0 = v128.load_splat<f32>(a);
    c00 = madd(c00, x0, b0); c01 = madd(c01, x0, b1);
    const x1 = v128.load_splat<f32>(a, 4);
    c10 = madd(c10, x1, b0); c11 = madd(c11, x1, b1);
    const x2 = v128.load_splat<f32>(a, 8);
    c20 = madd(c20, x2, b0); c21 = madd(c21, x2, b1);
    const x3 = v128.load_splat<f32>(a, 12);
    c30 = madd(c30, x3, b0); c31 = madd(c31, x3, b1);
    a += as;
    bp += bs;
  }
  storeTile(c, ldc, addC, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * A last column panel of at most 4 columns (n = 10: columns 8 and 9): tile[4×4] (= into the
 * edge scratch, never added to C here), the same
 * products and k order as lanes 0–3 of the 4×8 kernels (B's packed panel is 8 wide; only
 * its first 4 lanes are read). Half the arithmetic of a 4×8 tile, where at most 4 lanes of 8
 * would be kept.
 */
@inline function microNarrow(c: usize, ldc: usize, a: usize, ra: usize, ka: usize, bp: usize, bs: usize, kc: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let a0 = a, a1 = a + ra, a2 = a1 + ra, a3 = a2 + ra;
  const end = bp + kc * bs;
  while (bp < end) {
    const b0 = v128.load(bp);
    c0 = madd(c0, v128.load_splat<f32>(a0), b0);
    c1 = madd(c1, v128.load_splat<f32>(a1), b0);
    c2 = madd(c2, v128.load_splat<f32>(a2), b0);
    c3 = madd(c3, v128.load_splat<f32>(a3), b0);
    a0 += ka; a1 += ka; a2 += ka; a3 += ka;
    bp += bs;
  }
  v128.store(c, c0); v128.store(c + ldc, c1); v128.store(c + 2 * ldc, c2); v128.store(c + 3 * ldc, c3);
}

/** One row: tile[1×8], the same lanes, products and k order as row 0 of the 4×8 kernels. */
@inline function microOne(c: usize, a: usize, as: usize, bp: usize, bs: usize, kc: usize, addC: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  const end = bp + kc * bs;
  while (bp < end) {
    const x = v128.load_splat<f32>(a);
    c0 = madd(c0, x, v128.load(bp));
    c1 = madd(c1, x, v128.load(bp, 16));
    a += as;
    bp += bs;
  }
  if (addC) { c0 = f32x4.add(c0, v128.load(c)); c1 = f32x4.add(c1, v128.load(c, 16)); }
  v128.store(c, c0); v128.store(c, c1, 16);
}

@inline function storeTile(
  c: usize, ldc: usize, addC: bool,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128,
): void {
  if (addC) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc)); c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc)); c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc)); c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

const ROWS: i32 = 0;
const LANES: i32 = 1;

/** Whole panels of A are read in place (ROWS, or Aᵀ on the conv dW path), not packed. */
@inline function aReadInPlace(m: usize, n: usize, transA: bool): bool {
  return n <= SMALL_N && (!transA || m <= DIRECT_M);
}

/** Whole panels of B are read in place, not packed. */
@inline function bReadInPlace(m: usize, n: usize, transB: bool): bool {
  return !transB && ((n <= SMALL_N && m <= DIRECT_M) || n <= B_IN_PLACE_COLS || m <= B_IN_PLACE_ROWS);
}

/**
 * What a product of the whole m × n packs (bit 0: A, bit 1: B): every thread that computes a
 * block of it packs those again, so the thread split (bindings/parallel.ts) weighs them.
 */
export function gemmPackingF32(m: usize, n: usize, transA: bool, transB: bool): i32 {
  return (aReadInPlace(m, n, transA) ? 0 : 1) | (bReadInPlace(m, n, transB) ? 0 : 2);
}

/** The block [rs, re) × [cs, ce) of the product (rs, cs multiples of 4 and 8; k ≥ 1). */
export function gemmPartF32(
  c: usize, work: usize, a: usize, b: usize, m: usize, n: usize, k: usize,
  transA: bool, transB: bool, accumulate: bool, rs: usize, re: usize, cs: usize, ce: usize,
): void {
  const kcMax = k < KC ? k : KC;
  const rows = re - rs;
  const mcMax = rows < MC ? rows : MC;
  const packedB = work;
  const packedA = packedB + roundUp(ce - cs, NR) * kcMax * 4;
  const edge = (packedA + roundUp(mcMax, MR) * kcMax * 4 + 15) & ~(<usize>15);
  const kind = n <= SMALL_N && !transA ? ROWS : LANES;
  const aInPlace = aReadInPlace(m, n, transA); // whole panels of A read where they are
  const bInPlace = bReadInPlace(m, n, transB);
  const bWhole = bInPlace ? cs + (ce - cs) / NR * NR : cs; // columns [cs, bWhole) of B in place
  for (let k0: usize = 0; k0 < k; k0 += KC) {
    const kc = k - k0 < KC ? k - k0 : KC;
    const acc = accumulate || k0 > 0;
    if (bWhole < ce) packB(packedB, b, n, bWhole, ce, k, k0, kc, transB);
    for (let m0: usize = rs; m0 < re; m0 += MC) {
      const m1 = re - m0 < MC ? re : m0 + MC;
      // rows [m0, p0) are read in place; rows [p0, m1) come from packed panels
      const p0 = aInPlace ? m0 + (m1 - m0) / MR * MR : m0;
      if (p0 < m1) {
        if (kind == ROWS) packRows(packedA, a, p0, m1, k, k0, kc);
        else packLanes(packedA, a, m, p0, m1, k, k0, kc, transA);
      }
      for (let j0: usize = cs; j0 < ce; j0 += NR) {
        const cols = ce - j0 < NR ? ce - j0 : NR;
        const inB = j0 < bWhole;
        const bp = inB ? b + (k0 * n + j0) * 4 : packedB + (j0 - bWhole) * kc * 4;
        const bs: usize = inB ? n * 4 : 32;
        for (let i0 = m0; i0 < m1; i0 += MR) {
          const r = m1 - i0 < MR ? m1 - i0 : MR;
          const cp = c + (i0 * n + j0) * 4;
          // the A operand of this tile: its address, and its row stride (ROWS) or k stride (LANES)
          let ap: usize, stride: usize;
          if (i0 >= p0) { ap = packedA + (i0 - p0) * kc * 4; stride = kind == ROWS ? kc * 4 : 16; }
          else if (kind == ROWS) { ap = a + (i0 * k + k0) * 4; stride = k * 4; }
          else { ap = a + (k0 * m + i0) * 4; stride = m * 4; }
          const whole = r == MR && cols == NR;
          if (r == 1 && cols == NR) {
            // row 0 of the operand: k stride 4 in a ROWS panel, 16 in a lane panel
            microOne(cp, ap, kind == ROWS ? 4 : stride, bp, bs, kc, acc);
            continue;
          }
          const dst = whole ? cp : edge;
          const ld = whole ? n * 4 : NR * 4;
          if (cols <= 4) {
            // ROWS: rows stride apart, k steps of 4 bytes; LANES: rows 4 bytes apart, k steps of stride
            // (always an edge tile: its columns are added to C below)
            if (kind == ROWS) microNarrow(edge, NR * 4, ap, stride, 4, bp, bs, kc);
            else microNarrow(edge, NR * 4, ap, 4, stride, bp, bs, kc);
          } else if (kind == ROWS) microRows(dst, ld, ap, stride, bp, bs, kc, acc && whole);
          else microLanes(dst, ld, ap, stride, bp, bs, kc, acc && whole);
          if (!whole) {
            for (let y: usize = 0; y < r; y++) {
              for (let x: usize = 0; x < cols; x++) {
                const p = cp + (y * n + x) * 4;
                const t = load<f32>(edge + (y * NR + x) * 4);
                store<f32>(p, acc ? load<f32>(p) + t : t);
              }
            }
          }
        }
      }
    }
  }
}
