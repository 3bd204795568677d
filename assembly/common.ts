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
