// Seeded random numbers, all inside wasm so every runtime draws the same bits.
//
// Generator: xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/), 4×u32 of state
// that lives in caller memory at `state` (16 bytes): the module holds no state of its own,
// so any number of independent streams (per consumer, per worker) can exist.
// Seeding goes through splitmix64 over (seed, stream): seeds 1, 2, 3 and streams 0, 1, 2
// give unrelated, well-spread states, never the all-zero state.
//
// Arguments: outputs, then `state` (advanced in place) and scratch, then inputs, sizes,
// scalars. Layout: flat arrays of n elements of T (perm: i32); state is 16 bytes, 4-byte
// aligned; T-aligned pointers. Aliasing: dropout's y may alias x; no other output may
// alias an input, the state or the scratch.
// Tails: none; every kernel is a scalar loop that draws in element order.

@inline function rotl(x: u32, k: u32): u32 {
  return (x << k) | (x >>> (32 - k));
}

@inline function splitmix64(x: u64): u64 {
  let z = x;
  z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >>> 27)) * 0x94D049BB133111EB;
  return z ^ (z >>> 31);
}

/** Initializes the 16-byte state at `state` from a 64-bit seed (lo, hi words) and a stream id. */
export function rngSeed(state: usize, seedLo: u32, seedHi: u32, stream: u32): void {
  const seed = (<u64>seedHi << 32) | <u64>seedLo;
  const gamma: u64 = 0x9E3779B97F4A7C15;
  let x = splitmix64(seed + gamma * (<u64>stream + 1));
  const a = splitmix64(x + gamma);
  const b = splitmix64(x + 2 * gamma);
  store<u32>(state, <u32>a);
  store<u32>(state, <u32>(a >>> 32), 4);
  store<u32>(state, <u32>b, 8);
  store<u32>(state, <u32>(b >>> 32) | 1, 12); // never all zero
}

/** Next 32 random bits; advances the state. */
@inline export function nextU32(state: usize): u32 {
  let s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  const result = rotl(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
  store<u32>(state, s0); store<u32>(state, s1, 4); store<u32>(state, s2, 8); store<u32>(state, s3, 12);
  return result;
}

/** Uniform in [0, 1) with 53 random bits. */
@inline export function nextF64(state: usize): f64 {
  const hi = <f64>(nextU32(state) >>> 5);
  const lo = <f64>(nextU32(state) >>> 6);
  return (hi * 67108864.0 + lo) * (1.0 / 9007199254740992.0);
}

/** Uniform integer in [0, n) for n ≥ 1 (bias below 2⁻⁴⁰ for n < 2²⁰). */
@inline export function nextInt(state: usize, n: u32): u32 {
  return <u32>(nextF64(state) * <f64>n);
}

/**
 * out[i] = lo + (hi − lo)·u, u uniform in [0, 1), computed in f64 then rounded to T.
 * A value that rounds up to hi is redrawn, so the result stays in [lo, hi) (lo when lo == hi).
 */
export function rngUniform<T>(out: usize, state: usize, n: usize, lo: f64, hi: f64): void {
  const es = sizeof<T>();
  for (let i: usize = 0; i < n; i++) {
    let v = <T>(lo + (hi - lo) * nextF64(state));
    while (<f64>v >= hi && hi > lo) v = <T>(lo + (hi - lo) * nextF64(state));
    store<T>(out + i * es, v);
  }
}

/** One standard normal pair by Box–Muller; the second value goes to `spare`. */
@inline function boxMuller(state: usize, spare: usize): f64 {
  const u1 = 1.0 - nextF64(state); // (0, 1]: log is finite
  const u2 = nextF64(state);
  const r = Math.sqrt(-2.0 * Math.log(u1));
  const th = 2.0 * Math.PI * u2;
  store<f64>(spare, r * Math.sin(th));
  return r * Math.cos(th);
}

/**
 * out[i] = mean + std·z, z standard normal (Box–Muller, both values of each pair used).
 * truncate: z is redrawn until |z| ≤ 2, as Keras's truncated normal.
 * `scratch` is 8 bytes of caller memory.
 */
export function rngNormal<T>(out: usize, state: usize, scratch: usize, n: usize, mean: f64, std: f64, truncate: bool): void {
  const es = sizeof<T>();
  let haveSpare = false;
  for (let i: usize = 0; i < n; i++) {
    let z: f64;
    do {
      if (haveSpare) { z = load<f64>(scratch); haveSpare = false; }
      else { z = boxMuller(state, scratch); haveSpare = true; }
    } while (truncate && (z > 2.0 || z < -2.0));
    store<T>(out + i * es, <T>(mean + std * z));
  }
}

/**
 * Inverted dropout: mask[i] = u ≥ rate ? 1 / (1 − rate) : 0, y[i] = x[i]·mask[i].
 * y may alias x. rate in [0, 1).
 */
export function dropout<T>(y: usize, mask: usize, state: usize, x: usize, n: usize, rate: f64): void {
  const es = sizeof<T>();
  const scale = <T>(1.0 / (1.0 - rate));
  // compare 32-bit draws against an integer threshold: one draw per element
  const threshold = <u64>(rate * 4294967296.0);
  for (let i: usize = 0; i < n; i++) {
    const keep = <u64>nextU32(state) >= threshold;
    const m = keep ? scale : <T>0;
    store<T>(mask + i * es, m);
    store<T>(y + i * es, load<T>(x + i * es) * m);
  }
}

/** Fisher–Yates shuffle of an i32 array in place. */
export function shuffleI32(perm: usize, state: usize, n: usize): void {
  if (n < 2) return;
  for (let i = n - 1; i > 0; i--) {
    const j = <usize>nextInt(state, <u32>(i + 1));
    const a = load<i32>(perm + i * 4);
    store<i32>(perm + i * 4, load<i32>(perm + j * 4));
    store<i32>(perm + j * 4, a);
  }
}
