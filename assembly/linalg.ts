// Dense linear algebra in f64 for the preprocessors of src/toolkit/preprocess.ts (PCA and
// whitening): the covariance matrix of centred data, products of centred data with a
// matrix of principal axes (both directions), and the symmetric eigendecomposition.
//
// Data x (and projections y) are T = f32 | f64; every statistic (mean, covariance,
// components, scales) is f64, and every product is accumulated in f64: an f32 input is
// promoted (exactly) before any arithmetic, and the result rounded once to T.
// Arguments: outputs, then the scratch `work`, then inputs, sizes. Layout: row-major.
// Alignment: element-aligned pointers (symEig's work is f64 [n]); the work of covariance
// and the projections needs none (it is rounded up to 16 bytes inside; the *WorkBytes
// sizes include the slack). Aliasing: outputs must not alias inputs or work, except that
// symEig may run in place (vectors = a).
// Tails: ragged edges are zero-padded panels (below); symEig's row operations and dot
// products run two f64x2 per step, then a scalar tail, in a fixed order for a given n.
//
// Products use one register-tiled micro-kernel (`tile`): a 4×4 block of f64 dot products
// over `len` terms, from two operands packed into 4-wide panels ([len][4], zero-padded at
// the edges) in caller scratch. Each element is one sequential sum over the inner index,
// starting from 0, in the same order wherever its tile lies, so results do not depend on
// the position of an element, on the edge handling, or on the runtime. Padded lanes only
// feed tile entries outside the output, which are never stored.
//
// The eigendecomposition is Householder tridiagonalization followed by the implicit QL
// method with Wilkinson-type shifts: Numerical Recipes in C, 2nd ed., §11.2 (tred2) and
// §11.3 (tqli); Golub & Van Loan, Matrix Computations, 4th ed., §8.3 (tridiagonalization,
// symmetric QR). It runs in O(n³) with a small constant: about 2n³ flops for the reduction,
// 4n³/3 to accumulate the transformations and ~4.5n³ for QL. Measured on the covariance of
// 8,000 MNIST digits (n = 784, one core, release build): 0.4 s, first call included.
// Cyclic Jacobi (Golub & Van Loan §8.5.3; ~6n³ flops per sweep) needed 12 sweeps and ~12 s
// on the same matrix with the same SIMD row updates, so it was not used. The covariance of
// those 8,000 × 784 values takes another 0.4 s (~12 GFlop/s).
// Storage differs from Numerical Recipes so that every inner loop runs along a row (SIMD,
// contiguous): the reduction keeps the whole symmetric block (both triangles, updated by
// the same expression, so it stays exactly symmetric), and the eigenvectors are kept as
// the ROWS of the output (NR keeps them as columns), so a QL rotation mixes two rows.

const PW: usize = 4; // panel width (values of one packed row)
/** Rows of data per covariance block: two packed panels (2 × 128 × 32 B) stay in L1. */
const COV_ROWS: usize = 128;
/** Rows per block of a projection. */
const PROJ_ROWS: usize = 64;

@inline function roundUp(x: usize, m: usize): usize {
  return (x + m - 1) / m * m;
}

/**
 * t[a·4 + b] = Σ_{k<len} A[k, a]·B[k, b] for a, b < 4, where A and B are panels of [len][4]
 * f64 (32 bytes per k). Eight f64x2 accumulators (rows a, column pairs b); every element
 * is summed in order k = 0, 1, …, starting from 0.
 */
function tile(t: usize, ap: usize, bp: usize, len: usize): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let k: usize = 0; k < len; k++) {
    const o = k << 5;
    const b0 = v128.load(bp + o), b1 = v128.load(bp + o, 16);
    let a = v128.load64_splat(ap + o);
    c00 = f64x2.add(c00, f64x2.mul(a, b0)); c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(ap + o, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0)); c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(ap + o, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0)); c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(ap + o, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0)); c31 = f64x2.add(c31, f64x2.mul(a, b1));
  }
  v128.store(t, c00); v128.store(t, c01, 16);
  v128.store(t, c10, 32); v128.store(t, c11, 48);
  v128.store(t, c20, 64); v128.store(t, c21, 80);
  v128.store(t, c30, 96); v128.store(t, c31, 112);
}

// ---------------------------------------------------------------- covariance

/** Scratch bytes of covariance() for `cols` features. */
export function covarianceWorkBytes(cols: usize): usize {
  return COV_ROWS * roundUp(cols, PW) * 8 + 16 * 8 + 16;
}

/**
 * cov[cols, cols] = X_cᵀ·X_c / rows with X_c = x − mean (x: T [rows, cols], mean: f64 [cols]),
 * the biased (÷N) covariance of CS231n's PCA recipe. cov is f64, 8-byte aligned, and must
 * not alias x, mean or work. work: covarianceWorkBytes(cols) bytes.
 * Blocks of COV_ROWS rows are centred into 4-column panels; for each block the upper
 * triangle of 4×4 tiles is accumulated (cov[i, j] += block sum, blocks in row order), and
 * at the end each upper element is divided by rows and mirrored into the lower triangle,
 * so cov is exactly symmetric. rows = 0 gives NaN (0/0), as a mean of nothing is.
 */
export function covariance<T>(cov: usize, work: usize, x: usize, mean: usize, rows: usize, cols: usize): void {
  const es = sizeof<T>();
  const P = roundUp(cols, PW) / PW;
  const t = (work + 15) & ~(<usize>15);
  const panels = t + 128;
  memory.fill(cov, 0, cols * cols * 8);
  for (let r0: usize = 0; r0 < rows; r0 += COV_ROWS) {
    const R = rows - r0 < COV_ROWS ? rows - r0 : COV_ROWS;
    const ps = R << 5; // bytes of one panel
    // pack: panel p holds columns 4p..4p+3 of the centred rows, [R][4]
    for (let r: usize = 0; r < R; r++) {
      const xr = x + (r0 + r) * cols * es;
      for (let c: usize = 0; c < cols; c++) {
        store<f64>(panels + (c >> 2) * ps + (r << 5) + ((c & 3) << 3), <f64>load<T>(xr + c * es) - load<f64>(mean + (c << 3)));
      }
      for (let c = cols; c < P * PW; c++) store<f64>(panels + (c >> 2) * ps + (r << 5) + ((c & 3) << 3), 0);
    }
    for (let ip: usize = 0; ip < P; ip++) {
      const i0 = ip * PW;
      const ni = cols - i0 < PW ? cols - i0 : PW;
      for (let jp = ip; jp < P; jp++) {
        const j0 = jp * PW;
        const nj = cols - j0 < PW ? cols - j0 : PW;
        tile(t, panels + ip * ps, panels + jp * ps, R);
        for (let a: usize = 0; a < ni; a++) {
          const row = cov + ((i0 + a) * cols + j0) * 8;
          const tr = t + (a << 5);
          if (nj == PW) {
            v128.store(row, f64x2.add(v128.load(row), v128.load(tr)));
            v128.store(row, f64x2.add(v128.load(row, 16), v128.load(tr, 16)), 16);
          } else {
            for (let b: usize = 0; b < nj; b++) store<f64>(row + (b << 3), load<f64>(row + (b << 3)) + load<f64>(tr + (b << 3)));
          }
        }
      }
    }
  }
  const inv = <f64>rows;
  for (let i: usize = 0; i < cols; i++) {
    store<f64>(cov + (i * cols + i) * 8, load<f64>(cov + (i * cols + i) * 8) / inv);
    for (let j = i + 1; j < cols; j++) {
      const v = load<f64>(cov + (i * cols + j) * 8) / inv;
      store<f64>(cov + (i * cols + j) * 8, v);
      store<f64>(cov + (j * cols + i) * 8, v);
    }
  }
}

// ---------------------------------------------------------------- projections

/** Scratch bytes of project()/unproject() with inner size K and output width M. */
export function projectWorkBytes(K: usize, M: usize): usize {
  return (roundUp(M, PW) + PROJ_ROWS) * K * 8 + 16 * 8 + 16;
}

/**
 * y[r, m] = T( (Σ_k x'[r, k]·B[k, m]) / div[m] + add[m] ),  x'[r, k] = (x[r, k] − sub[k])·mul[k]
 * x: T [rows, K]; y: T [rows, M] (must not alias x); B[k, m] = b[m·K + k] when transB
 * (b stored [M, K]) else b[k·M + m] (b stored [K, M]); sub, mul: f64 [K]; div, add: f64 [M];
 * a null (0) pointer skips its operation. All arithmetic in f64: x' and the sums, then the
 * division, then the addition, then one rounding to T. work: projectWorkBytes(K, M) bytes.
 */
function product<T>(y: usize, work: usize, x: usize, sub: usize, mul: usize, b: usize, transB: bool, div: usize, add: usize,
  rows: usize, K: usize, M: usize): void {
  const es = sizeof<T>();
  const t = (work + 15) & ~(<usize>15);
  const packedB = t + 128;
  const MP = roundUp(M, PW);
  const packedA = packedB + MP * K * 8;
  const bs = K << 5; // bytes of one panel
  // B into 4-column panels [K][4]
  for (let m: usize = 0; m < MP; m++) {
    const dst = packedB + (m >> 2) * bs + ((m & 3) << 3);
    if (m >= M) {
      for (let k: usize = 0; k < K; k++) store<f64>(dst + (k << 5), 0);
    } else if (transB) {
      const src = b + m * K * 8;
      for (let k: usize = 0; k < K; k++) store<f64>(dst + (k << 5), load<f64>(src + (k << 3)));
    } else {
      for (let k: usize = 0; k < K; k++) store<f64>(dst + (k << 5), load<f64>(b + (k * M + m) * 8));
    }
  }
  for (let r0: usize = 0; r0 < rows; r0 += PROJ_ROWS) {
    const R = rows - r0 < PROJ_ROWS ? rows - r0 : PROJ_ROWS;
    const RP = roundUp(R, PW);
    // A rows r0..r0+R into 4-row panels [K][4]: panel p, entry (k, q) = x'[r0 + 4p + q, k]
    for (let r: usize = 0; r < RP; r++) {
      const dst = packedA + (r >> 2) * bs + ((r & 3) << 3);
      if (r >= R) {
        for (let k: usize = 0; k < K; k++) store<f64>(dst + (k << 5), 0);
        continue;
      }
      const xr = x + (r0 + r) * K * es;
      for (let k: usize = 0; k < K; k++) {
        let v = <f64>load<T>(xr + k * es);
        if (sub) v -= load<f64>(sub + (k << 3));
        if (mul) v *= load<f64>(mul + (k << 3));
        store<f64>(dst + (k << 5), v);
      }
    }
    for (let ap: usize = 0; ap < RP / PW; ap++) {
      const i0 = ap * PW;
      const ni = R - i0 < PW ? R - i0 : PW;
      for (let bp: usize = 0; bp < MP / PW; bp++) {
        const j0 = bp * PW;
        const nj = M - j0 < PW ? M - j0 : PW;
        tile(t, packedA + ap * bs, packedB + bp * bs, K);
        for (let a: usize = 0; a < ni; a++) {
          const yr = y + ((r0 + i0 + a) * M + j0) * es;
          for (let q: usize = 0; q < nj; q++) {
            let v = load<f64>(t + (a << 5) + (q << 3));
            if (div) v /= load<f64>(div + ((j0 + q) << 3));
            if (add) v += load<f64>(add + ((j0 + q) << 3));
            store<T>(yr + q * es, <T>v);
          }
        }
      }
    }
  }
}

/**
 * PCA transform: y[rows, k] = ((x − mean)·componentsᵀ) / div, with components f64 [k, D]
 * (row j = j-th principal axis), x: T [rows, D], mean: f64 [D], div: f64 [k] (√(λ + ε) when
 * whitening) or 0 for none. Also a layer's forward. See product() for the arithmetic.
 */
export function project<T>(y: usize, work: usize, x: usize, mean: usize, components: usize, div: usize, rows: usize, D: usize, k: usize): void {
  product<T>(y, work, x, mean, 0, components, true, div, 0, rows, D, k);
}

/**
 * Back from k components: x[rows, D] = (y·mul)·components + mean, with y: T [rows, k],
 * mul: f64 [k] or 0, components f64 [k, D], mean f64 [D] or 0. The PCA inverse transform
 * (mul = √(λ + ε) after whitening) and a PCA layer's backward (mul = 1/√(λ + ε), mean 0).
 */
export function unproject<T>(x: usize, work: usize, y: usize, mul: usize, components: usize, mean: usize, rows: usize, k: usize, D: usize): void {
  product<T>(x, work, y, 0, mul, components, false, 0, mean, rows, k, D);
}

// ---------------------------------------------------------------- eigendecomposition

/** √(a² + b²) without destructive overflow or underflow (NR's pythag). */
@inline function pythag(a: f64, b: f64): f64 {
  const aa = Math.abs(a), ab = Math.abs(b);
  if (aa > ab) { const r = ab / aa; return aa * Math.sqrt(1.0 + r * r); }
  if (ab == 0) return 0;
  const r = aa / ab;
  return ab * Math.sqrt(1.0 + r * r);
}

/**
 * Σ_{k<n} p[k]·q[k] in f64: four partial sums (k mod 4, as two f64x2), combined as
 * (s0 + s2) + (s1 + s3), then the scalar tail in order.
 */
function dot(p: usize, q: usize, n: usize): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let k: usize = 0;
  for (; k + 4 <= n; k += 4) {
    const o = k << 3;
    s0 = f64x2.add(s0, f64x2.mul(v128.load(p + o), v128.load(q + o)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(p + o, 16), v128.load(q + o, 16)));
  }
  const t = f64x2.add(s0, s1);
  let r = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; k < n; k++) r += load<f64>(p + (k << 3)) * load<f64>(q + (k << 3));
  return r;
}

/**
 * Eigendecomposition of the symmetric f64 matrix a [n, n] (row-major, both triangles read:
 * it must be exactly symmetric, as covariance() makes it). `vectors` may be `a` itself
 * (in place); otherwise a is left as it was:
 *   values[j]      eigenvalues, descending
 *   vectors[j, :]  the unit eigenvector of values[j] (a ROW), its largest-magnitude
 *                  component positive (the first such component on ties)
 * so that a = Σ_j values[j]·vectors[j]ᵀ·vectors[j]. −0 is stored as +0 everywhere, so the
 * results survive a JSON round trip bit for bit. work: f64 [n], 8-byte aligned.
 * Returns 0, or 1 if the QL iteration did not converge in 60 sweeps of one eigenvalue
 * (outputs are then undefined). Every step is IEEE f64 arithmetic in a fixed order: the
 * same bits in every runtime.
 */
export function symEig(vectors: usize, values: usize, work: usize, a: usize, N: usize): i32 {
  if (N == 0) return 0;
  const n = <i32>N; // signed copy for the QL loops, which count down past 0
  const row = N << 3;
  if (vectors != a) memory.copy(vectors, a, N * row);
  const z = vectors, d = values, e = work;

  // --- Householder reduction to tridiagonal form (NR tred2), rows from the bottom. Step i
  // zeroes row i left of the subdiagonal with H = I − u·uᵀ/h, u stored in row i [0, l],
  // and applies H·A·H to the leading (l + 1)² block. d[i] holds h until the accumulation.
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    const L = <usize>l + 1; // block size
    const ri = z + <usize>i * row;
    let h = 0.0;
    if (l > 0) {
      let scale = 0.0;
      for (let k: usize = 0; k < L; k++) scale += Math.abs(load<f64>(ri + (k << 3)));
      if (scale == 0) {
        store<f64>(e + (<usize>i << 3), load<f64>(ri + (<usize>l << 3)));
      } else {
        for (let k: usize = 0; k < L; k++) {
          const v = load<f64>(ri + (k << 3)) / scale;
          store<f64>(ri + (k << 3), v);
          h += v * v;
        }
        const f = load<f64>(ri + (<usize>l << 3));
        const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        store<f64>(e + (<usize>i << 3), scale * g);
        h -= f * g;
        store<f64>(ri + (<usize>l << 3), f - g);
        // p = A·u/h into e[0..l] (e[j] for j < i is free until step j), and f = pᵀu
        let fs = 0.0;
        for (let j: usize = 0; j < L; j++) {
          const p = dot(z + j * row, ri, L) / h;
          store<f64>(e + (j << 3), p);
          fs += p * load<f64>(ri + (j << 3));
        }
        const hh = fs / (h + h);
        // q = p − hh·u into e; then A −= u·qᵀ + q·uᵀ over the whole block, row by row
        for (let j: usize = 0; j < L; j++) {
          const q = load<f64>(e + (j << 3)) - hh * load<f64>(ri + (j << 3));
          store<f64>(e + (j << 3), q);
        }
        for (let j: usize = 0; j < L; j++) rowOp(RANK2, z + j * row, e, ri, load<f64>(ri + (j << 3)), load<f64>(e + (j << 3)), L);
      }
    } else {
      store<f64>(e + (<usize>i << 3), load<f64>(ri + (<usize>l << 3)));
    }
    store<f64>(d + (<usize>i << 3), h);
  }
  store<f64>(d, 0);
  store<f64>(e, 0);

  // --- Accumulate Qᵀ = H_1·H_2 ⋯ H_{n−1} in place (NR accumulates Q = H_{n−1} ⋯ H_1 in
  // columns; we keep its transpose so that the eigenvectors end up in rows): at step i the
  // leading i×i block holds H_1 ⋯ H_{i−1}, and each of its rows r becomes r − (r·u/h)·uᵀ.
  for (let i: usize = 0; i < N; i++) {
    const ri = z + i * row;
    const h = load<f64>(d + (i << 3));
    if (h != 0) {
      for (let r: usize = 0; r < i; r++) {
        const rr = z + r * row;
        rowOp(AXPY, rr, ri, 0, -(dot(rr, ri, i) / h), 0, i);
      }
    }
    store<f64>(d + (i << 3), load<f64>(ri + (i << 3)));
    store<f64>(ri + (i << 3), 1.0);
    for (let j: usize = 0; j < i; j++) {
      store<f64>(ri + (j << 3), 0);
      store<f64>(z + j * row + (i << 3), 0);
    }
  }

  // --- Implicit QL with shifts on the tridiagonal (d, e) (NR tqli); each plane rotation of
  // columns i, i+1 of NR's z is here a rotation of rows i, i+1.
  for (let i: usize = 1; i < N; i++) store<f64>(e + ((i - 1) << 3), load<f64>(e + (i << 3)));
  store<f64>(e + ((N - 1) << 3), 0);
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m = l;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(load<f64>(d + (<usize>m << 3))) + Math.abs(load<f64>(d + (<usize>(m + 1) << 3)));
        if (Math.abs(load<f64>(e + (<usize>m << 3))) + dd == dd) break;
      }
      if (m != l) {
        if (iter++ == 60) return 1;
        const dl = load<f64>(d + (<usize>l << 3)), el = load<f64>(e + (<usize>l << 3));
        let g = (load<f64>(d + (<usize>(l + 1) << 3)) - dl) / (2.0 * el);
        let r = pythag(g, 1.0);
        g = load<f64>(d + (<usize>m << 3)) - dl + el / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1.0, c = 1.0, p = 0.0;
        let i = m - 1;
        for (; i >= l; i--) {
          const ei = load<f64>(e + (<usize>i << 3));
          const f = s * ei;
          const b = c * ei;
          r = pythag(f, g);
          store<f64>(e + (<usize>(i + 1) << 3), r);
          if (r == 0) {
            store<f64>(d + (<usize>(i + 1) << 3), load<f64>(d + (<usize>(i + 1) << 3)) - p);
            store<f64>(e + (<usize>m << 3), 0);
            break;
          }
          s = f / r;
          c = g / r;
          g = load<f64>(d + (<usize>(i + 1) << 3)) - p;
          r = (load<f64>(d + (<usize>i << 3)) - g) * s + 2.0 * c * b;
          p = s * r;
          store<f64>(d + (<usize>(i + 1) << 3), g + p);
          g = c * r - b;
          rowOp(ROTATE, z + <usize>i * row, z + <usize>(i + 1) * row, 0, c, s, N);
        }
        if (r == 0 && i >= l) continue;
        store<f64>(d + (<usize>l << 3), load<f64>(d + (<usize>l << 3)) - p);
        store<f64>(e + (<usize>l << 3), g);
        store<f64>(e + (<usize>m << 3), 0);
      }
    } while (m != l);
  }

  // --- Sort descending (selection sort, first maximum; rows swapped with the values)
  for (let i: usize = 0; i + 1 < N; i++) {
    let k = i;
    let best = load<f64>(d + (i << 3));
    for (let j = i + 1; j < N; j++) {
      const v = load<f64>(d + (j << 3));
      if (v > best) { best = v; k = j; }
    }
    if (k != i) {
      store<f64>(d + (k << 3), load<f64>(d + (i << 3)));
      store<f64>(d + (i << 3), best);
      const ra = z + i * row, rb = z + k * row;
      for (let q: usize = 0; q < N; q += 1) {
        const t = load<f64>(ra + (q << 3));
        store<f64>(ra + (q << 3), load<f64>(rb + (q << 3)));
        store<f64>(rb + (q << 3), t);
      }
    }
  }

  // --- Sign convention and canonical zeros
  for (let j: usize = 0; j < N; j++) {
    const rj = z + j * row;
    let big = 0.0, neg = false;
    for (let q: usize = 0; q < N; q++) {
      const v = load<f64>(rj + (q << 3));
      if (Math.abs(v) > big) { big = Math.abs(v); neg = v < 0; }
    }
    const sgn = neg ? -1.0 : 1.0;
    for (let q: usize = 0; q < N; q++) store<f64>(rj + (q << 3), load<f64>(rj + (q << 3)) * sgn + 0.0);
    store<f64>(d + (j << 3), load<f64>(d + (j << 3)) + 0.0);
  }
  return 0;
}

// NOTE: the row operations of the eigensolver are one function, `rowOp`, with three call
// sites, so that Binaryen does not inline it into symEig (it inlines single-caller and
// small functions). V8 runs a wasm function's first call in its baseline tier and cannot
// switch a running call to optimized code: were the loops inside symEig, its one long call
// would stay in the baseline tier (measured: 1.7 s instead of 0.58 s for the first 784×784
// decomposition); a function called thousands of times is tiered up after a few calls.
const RANK2: i32 = 0;  // x[k] −= a·y[k] + b·z[k]      (the reduction's rank-2 update of one row)
const AXPY: i32 = 1;   // x[k] += a·y[k]               (accumulating one Householder reflection)
const ROTATE: i32 = 2; // (x, y) ← (a·x − b·y, b·x + a·y)   (a QL plane rotation, a = c, b = s)

/** One of the row operations above over k < n; two f64x2 per step, then the scalar tail. */
function rowOp(op: i32, x: usize, y: usize, z: usize, a: f64, b: f64, n: usize): void {
  const va = f64x2.splat(a), vb = f64x2.splat(b);
  let k: usize = 0;
  if (op == RANK2) {
    for (; k + 4 <= n; k += 4) {
      const o = k << 3;
      const r0 = f64x2.sub(v128.load(x + o), f64x2.add(f64x2.mul(va, v128.load(y + o)), f64x2.mul(vb, v128.load(z + o))));
      const r1 = f64x2.sub(v128.load(x + o, 16), f64x2.add(f64x2.mul(va, v128.load(y + o, 16)), f64x2.mul(vb, v128.load(z + o, 16))));
      v128.store(x + o, r0);
      v128.store(x + o, r1, 16);
    }
    for (; k < n; k++) {
      const o = k << 3;
      store<f64>(x + o, load<f64>(x + o) - (a * load<f64>(y + o) + b * load<f64>(z + o)));
    }
  } else if (op == AXPY) {
    for (; k + 4 <= n; k += 4) {
      const o = k << 3;
      const r0 = f64x2.add(v128.load(x + o), f64x2.mul(va, v128.load(y + o)));
      const r1 = f64x2.add(v128.load(x + o, 16), f64x2.mul(va, v128.load(y + o, 16)));
      v128.store(x + o, r0);
      v128.store(x + o, r1, 16);
    }
    for (; k < n; k++) store<f64>(x + (k << 3), load<f64>(x + (k << 3)) + a * load<f64>(y + (k << 3)));
  } else {
    for (; k + 4 <= n; k += 4) {
      const o = k << 3;
      const x0 = v128.load(x + o), y0 = v128.load(y + o), x1 = v128.load(x + o, 16), y1 = v128.load(y + o, 16);
      v128.store(x + o, f64x2.sub(f64x2.mul(va, x0), f64x2.mul(vb, y0)));
      v128.store(y + o, f64x2.add(f64x2.mul(vb, x0), f64x2.mul(va, y0)));
      v128.store(x + o, f64x2.sub(f64x2.mul(va, x1), f64x2.mul(vb, y1)), 16);
      v128.store(y + o, f64x2.add(f64x2.mul(vb, x1), f64x2.mul(va, y1)), 16);
    }
    for (; k < n; k++) {
      const o = k << 3;
      const xv = load<f64>(x + o), yv = load<f64>(y + o);
      store<f64>(x + o, a * xv - b * yv);
      store<f64>(y + o, b * xv + a * yv);
    }
  }
}
