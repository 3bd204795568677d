// The opt-in relaxed-SIMD core, package entry `simdnet/relaxed-simd`: the release build with
// f32x4.relaxed_madd in the f32 GEMM's micro-kernels (one fused multiply-add where the CPU has
// FMA, instead of a separate multiply and add). Measured here 1.4–1.85× the default kernel on
// the training-step products (bench/README.md, "Relaxed SIMD").
//
// Off by default, because it gives up simdnet's bit guarantees: its results differ from the
// default build's in the last bits, and the spec lets relaxed_madd round once or twice, so
// they may differ between CPUs (x86 with and without FMA, ARM) — not between thread counts on
// one machine. Its own module, so that the main bundles do not carry a second core (+48 kB
// gzip): importing it is the opt-in.
//
//   import { init } from 'simdnet';
//   import { relaxedSimdWasm } from 'simdnet/relaxed-simd';
//   await init({ wasm: relaxedSimdWasm() });   // null where unsupported: the default core

import relaxedBase64 from '../build/simdnet.relaxed.wasm.js';
import { decodeBase64 } from '../bindings/base64.js';

let supported: boolean | undefined;

/**
 * The relaxed-SIMD core's bytes when this engine validates it (WebAssembly.validate: V8 11.4+,
 * i.e. Chrome/Edge 114+ and Node 22+; Node 20 only with --experimental-wasm-relaxed-simd),
 * else null.
 */
export function relaxedSimdWasm(): Uint8Array | null {
  const bytes = decodeBase64(relaxedBase64) as Uint8Array<ArrayBuffer>;
  supported ??= WebAssembly.validate(bytes);
  return supported ? bytes : null;
}
