// Loads the wasm core once per JS realm and owns its memory. The bytes are inlined in the
// bundle (build/simdnet.release.wasm.js), so the same code runs in Node, Deno, Bun and
// browsers with no file system access or fetch. Users may pass their own bytes or module
// (e.g. the debug build, which checks asserts).
//
// NOTE: no @assemblyscript/loader and no asc-generated bindings: every export takes and
// returns plain numbers (pointers into memory we own), so there is nothing to marshal.

import releaseBase64 from '../build/simdnet.release.wasm.js';
import { Arena, MAX_PAGES } from './arena.js';
import { bindKernels, type Exports, type Kernels, type DType } from './ops.js';

export interface InitOptions {
  /** wasm bytes or a compiled module; defaults to the release build inlined in the bundle. */
  wasm?: BufferSource | WebAssembly.Module;
  /** Initial memory in 64 KiB pages (grows on demand). */
  initialPages?: number;
}

export interface Runtime {
  exports: Exports;
  arena: Arena;
  kernels: Record<DType, Kernels>;
}

let current: Runtime | null = null;
let pending: Promise<Runtime> | null = null;

/** Instantiates the wasm core. Idempotent: later calls return the same runtime. */
export function init(options: InitOptions = {}): Promise<Runtime> {
  if (current) return Promise.resolve(current);
  if (!pending) {
    pending = instantiate(options).then((rt) => (current = rt)).finally(() => { pending = null; });
  }
  return pending;
}

/** The runtime, or an Error telling the user to call init() first. */
export function runtime(): Runtime {
  if (!current) throw new Error('simdnet is not initialized: call `await init()` first');
  return current;
}

async function instantiate(options: InitOptions): Promise<Runtime> {
  const memory = new WebAssembly.Memory({ initial: options.initialPages ?? 256, maximum: MAX_PAGES }); // 4 GiB
  const imports = {
    env: {
      memory,
      abort(msg: number, file: number, line: number, col: number) {
        throw new Error(`simdnet kernel assertion failed: ${readString(memory, msg)} at ${readString(memory, file)}:${line}:${col}`);
      },
    },
  };
  const source = options.wasm ?? decodeBase64(releaseBase64);
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as Exports;
  const arena = new Arena(memory, exports.heap_base());
  const rt: Runtime = { exports, arena, kernels: { float32: bindKernels(exports, 'f32'), float64: bindKernels(exports, 'f64') } };
  warmUp(rt);
  return rt;
}

/** AssemblyScript strings: UTF-16, byte length stored in the 4 bytes before the pointer. */
function readString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0] >>> 1;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len));
}

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * NOTE: V8 first runs wasm in its baseline tier (5–15× slower) and tiers up hot functions.
 * A few GEMM calls at init push the micro-kernels to the optimizing tier before the first
 * real batch, so the first epoch is not an outlier.
 */
function warmUp(rt: Runtime): void {
  const k = rt.kernels.float32;
  const n = 64;
  const bytes = n * n * 4;
  const work = rt.arena.alloc(k.gemmWorkBytes(n, n, n), 'warm-up workspace');
  const a = rt.arena.alloc(bytes), b = rt.arena.alloc(bytes), c = rt.arena.alloc(bytes);
  for (let i = 0; i < 8; i++) {
    k.gemm(c, work, a, b, n, n, n, false, false, false);
    k.gemm(c, work, a, b, n, n, n, true, false, true);
    k.gemm(c, work, a, b, n, n, n, false, true, true);
  }
  for (const p of [c, b, a, work]) rt.arena.release(p);
}
