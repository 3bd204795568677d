// The library's RNG reimplemented in JS, to check the wasm bit for bit:
// xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c) seeded
// through SplitMix64's mixer (https://prng.di.unimi.it/splitmix64.c), with the seeding
// scheme, the 53-bit doubles and the derived draws that docs/ARCHITECTURE.md and assembly/rng.ts
// describe. The generators themselves are checked against published vectors in rng.test.ts.

const MASK64 = (1n << 64n) - 1n;
export const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/** SplitMix64's output function (the state increment is left to the caller). */
export function splitmix64Mix(x: bigint): bigint {
  let z = x & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Xoshiro128ss {
  readonly s: Uint32Array;

  constructor(state: ArrayLike<number>) {
    this.s = Uint32Array.from(state);
  }

  /**
   * The library's seeding: x = mix(seed + γ·(stream + 1)); two more mixes give the 128
   * bits of state (low word first); the last word's low bit is set so the state is never all zero.
   */
  static seeded(seed: bigint, stream: number): Xoshiro128ss {
    const x = splitmix64Mix(seed + GOLDEN_GAMMA * (BigInt(stream) + 1n));
    const a = splitmix64Mix(x + GOLDEN_GAMMA);
    const b = splitmix64Mix(x + 2n * GOLDEN_GAMMA);
    return new Xoshiro128ss([
      Number(a & 0xffffffffn), Number(a >> 32n),
      Number(b & 0xffffffffn), Number(b >> 32n) | 1,
    ]);
  }

  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1): 27 high bits of one draw, 26 of the next, as genrand_res53. */
  nextF64(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextF64() * n);
  }

  /** One standard normal pair by Box–Muller from (1 − u1, u2): [r·cos θ, r·sin θ]. */
  normalPair(): [number, number] {
    const u1 = 1 - this.nextF64();
    const u2 = this.nextF64();
    const r = Math.sqrt(-2 * Math.log(u1));
    const th = 2 * Math.PI * u2;
    return [r * Math.cos(th), r * Math.sin(th)];
  }
}

/** Splits a non-negative integer seed into the (lo, hi) u32 words rng_seed takes. */
export function seedWords(seed: bigint): [number, number] {
  return [Number(seed & 0xffffffffn), Number((seed >> 32n) & 0xffffffffn)];
}

/**
 * A state whose next two nextU32() calls return `first` and `second`. The output depends
 * on s1 only: result = rotl(s1·5, 7)·9 (mod 2^32), invertible since 5 and 9 are odd; and
 * the next s1 is s1 ^ s2 ^ s0, which fixes s2.
 */
export function stateForOutputs(first: number, second: number): Uint32Array {
  const inv = (a: number): number => {
    let x = a; // Newton's iteration x ← x·(2 − a·x) doubles the correct low bits each time
    for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x)) >>> 0;
    return x;
  };
  const s1For = (out: number): number => {
    const r = Math.imul(out >>> 0, inv(9)) >>> 0;
    const s1x5 = ((r >>> 7) | (r << 25)) >>> 0;
    return Math.imul(s1x5, inv(5)) >>> 0;
  };
  const s0 = 0x12345678, s3 = 0x0fedcba9;
  const s1 = s1For(first);
  const s2 = (s1For(second) ^ s1 ^ s0) >>> 0;
  return Uint32Array.from([s0, s1, s2, s3]);
}
