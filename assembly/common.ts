// Shared inline helpers for the kernels. Every kernel is generic over T = f32 | f64;
// the exported names carry the suffix (`relu_f32`, `relu_f64`).
// Math runs here, inside wasm (AssemblyScript's musl-derived Math/Mathf), so every
// runtime gives the same bits.

/** Lanes of T in one v128: 4 for f32, 2 for f64. */
@inline export function lanes<T>(): usize {
  return 16 / sizeof<T>();
}

@inline export function exp_<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.exp(<f32>x);
  return <T>Math.exp(<f64>x);
}

@inline export function log_<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.log(<f32>x);
  return <T>Math.log(<f64>x);
}

@inline export function log1p_<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.log1p(<f32>x);
  return <T>Math.log1p(<f64>x);
}

@inline export function tanh_<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.tanh(<f32>x);
  return <T>Math.tanh(<f64>x);
}

@inline export function sqrt_<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.sqrt(<f32>x);
  return <T>Math.sqrt(<f64>x);
}

@inline export function expm1_<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.expm1(<f32>x);
  return <T>Math.expm1(<f64>x);
}

/** Numerically stable logistic: never evaluates exp of a large positive number. */
@inline export function sigmoid_<T>(x: T): T {
  if (x >= <T>0) return <T>1 / (<T>1 + exp_<T>(-x));
  const e = exp_<T>(x);
  return e / (<T>1 + e);
}

/** Debug builds check a kernel's pointer alignment; release builds compile this away. */
@inline export function checkAligned<T>(ptr: usize): void {
  assert(ptr % sizeof<T>() == 0, "misaligned pointer");
}

/** Smallest normal magnitude of T. */
@inline export function minNormal<T>(): T {
  return sizeof<T>() == 4 ? <T>1.17549435e-38 : <T>2.2250738585072014e-308;
}

/**
 * Flush-to-zero for optimizer state: |x| below the smallest normal becomes 0.
 * NOTE: a decaying moment (m ← 0.9·m with a zero gradient, e.g. weights of always-black
 * pixels) reaches subnormals after ~800 steps, and x86 handles subnormal operands ~100×
 * slower: measured as 43% of MLP training time. TensorFlow runs its CPU kernels in FTZ
 * mode for the same reason; wasm has no FTZ flag, so the kernels flush explicitly.
 */
@inline export function ftz<T>(x: T): T {
  return abs<T>(x) < minNormal<T>() ? <T>0 : x;
}

/** Vector ftz: clears lanes with |x| < min normal; NaN lanes compare false and are kept, as in ftz. */
@inline export function ftzV<T>(x: v128): v128 {
  return v128.andnot(x, v128.lt<T>(v128.abs<T>(x), v128.splat<T>(minNormal<T>())));
}

/** Number of non-finite values among n of T at p (the rare path after a vector check). */
export function countNonFinite<T>(p: usize, n: usize): i32 {
  let bad: i32 = 0;
  for (let i: usize = 0; i < n; i++) {
    const v = load<T>(p + i * sizeof<T>());
    if (v - v != <T>0) bad++;
  }
  return bad;
}

/** True if any lane of a vector accumulated with (x − x) terms is not exactly zero (NaN). */
@inline export function anyNonZero<T>(v: v128): bool {
  return v128.any_true(v128.ne<T>(v, v128.splat<T>(0)));
}
