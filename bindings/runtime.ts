// Loads the wasm core once per JS realm and owns its memory. The bytes are inlined in the
// bundle (build/simdnet.release.wasm.js), so the same code runs in Node, Deno, Bun and
// browsers with no file system access or fetch. Users may pass their own bytes or module
// (e.g. the debug build, which checks asserts).
//
// NOTE: no @assemblyscript/loader and no asc-generated bindings: every export takes and
// returns plain numbers (pointers into memory we own), so there is nothing to marshal.

import releaseBase64 from '../build/simdnet.release.wasm.js';
import { Arena, MAX_PAGES } from './arena.js';
import { decodeBase64 } from './base64.js';
import { bindRaw, isDebugBuild, type Exports, type Kernels, type RawKernels, type DType } from './ops.js';
import { bindKernels } from './kernels.js';
import { GEMM_MIN_FLOPS, MIN_SPLIT_WORK, THREADED_EXPORTS, threadedKernels } from './parallel.js';
import { ThreadPool, threadSupport } from './threads.js';
import { withSharedMemory } from './wasm-binary.js';

export interface InitOptions {
  /**
   * wasm bytes or a compiled module; defaults to the release build inlined in the bundle (also
   * for null: `init({ wasm: relaxedSimdWasm() })` from `simdnet/relaxed-simd` falls back to it).
   */
  wasm?: BufferSource | WebAssembly.Module | null;
  /** Initial memory in 64 KiB pages (grows on demand). */
  initialPages?: number;
  /**
   * Threads for the heavy kernels (GEMM), the calling thread included; default 1. Any count
   * gives the same bits. Needs shared memory: Node, Deno, Bun, or a cross-origin-isolated
   * page; elsewhere simdnet runs on one thread and says so once. A later init({threads})
   * resizes the pool of a runtime started with threads (memory stays where it is).
   */
  threads?: number;
}

/** The instantiated core: its exports, memory (arena), kernels per dtype and thread pool. */
export interface Runtime {
  readonly exports: Exports;
  readonly arena: Arena;
  /** The kernels over tensors, per dtype (checked argument by argument in the debug build). */
  readonly kernels: Record<DType, Kernels>;
  /** The same kernels over byte addresses, unchecked: the kernel tests' level (bindings/ops.ts). */
  readonly raw: Record<DType, RawKernels>;
  /** True when the core is the debug build: every kernel call is checked (bindings/checks.ts). */
  readonly debug: boolean;
  /** Threads the kernels run on (1: the calling thread only). */
  readonly threads: number;
  /** True when the memory is shared (the runtime was started with `threads`). */
  readonly shared: boolean;
  /**
   * A GEMM of fewer flops (2·m·n·k) runs on the calling thread alone (default 400,000: waking
   * a worker costs ~1–20 µs). 0 splits every product that has two tiles; the bits are the same.
   */
  minParallelFlops: number;
  /** The same for the elementwise and per-image kernels, in element operations (default 32,768). */
  minSplitWork: number;
}

class Core implements Runtime {
  readonly exports: Exports;
  readonly arena: Arena;
  readonly kernels: Record<DType, Kernels>;
  readonly raw: Record<DType, RawKernels>;
  readonly debug: boolean;
  readonly shared: boolean;
  pool: ThreadPool | null = null;
  minParallelFlops = GEMM_MIN_FLOPS;
  minSplitWork = MIN_SPLIT_WORK;
  /** The compiled core the workers instantiate, when the memory is shared. */
  readonly module: WebAssembly.Module | null;
  /** Per dtype: its RawKernels object, the threaded kernels and the one-thread ones they replace. */
  private readonly swaps: [RawKernels, Partial<RawKernels>, Partial<RawKernels>][] = [];
  /** Largest kernel workspace (GEMM, convolution) any model asked for: each worker holds one this big. */
  private workNeed = 0;

  constructor(exports: Exports, arena: Arena, module: WebAssembly.Module | null) {
    this.exports = exports;
    this.arena = arena;
    this.shared = module !== null;
    this.module = module;
    this.raw = { float32: bindRaw(exports, 'f32'), float64: bindRaw(exports, 'f64') };
    for (const [dtype, suffix] of [['float32', 'f32'], ['float64', 'f64']] as const) {
      const k = this.raw[dtype];
      const threaded = threadedKernels({ ...k }, exports, suffix, this);
      this.swaps.push([k, threaded, Object.fromEntries(Object.keys(threaded).map((op) => [op, k[op as keyof RawKernels]]))]);
    }
    this.debug = isDebugBuild(exports);
    this.kernels = { float32: bindKernels(this.raw.float32, 'float32', this.debug), float64: bindKernels(this.raw.float64, 'float64', this.debug) };
  }

  get threads(): number {
    return this.pool ? this.pool.threads : 1;
  }

  /** Bytes of each worker's kernel workspace (0 without workers). */
  get threadWorkBytes(): number {
    return this.pool ? this.pool.workBytes : 0;
  }

  /** Replaces the pool by one of `threads` threads (none for 1). */
  async resize(threads: number): Promise<void> {
    if (threads === this.threads) return;
    const old = this.pool;
    this.pool = null;
    if (old) { old.terminate(); for (const p of old.workspaces) this.arena.release(p); }
    if (threads > 1) {
      const pool = await ThreadPool.start(threads, this.module!, this.arena.memory, THREADED_EXPORTS);
      this.pool = pool;
      this.reserveThreadWork(Math.max(this.workNeed, this.kernels.float32.gemmWorkBytes(64, 64, 64)));
    }
    // the tensor-level kernels read the RawKernels objects at each call: swapping their functions reaches every model
    for (const [k, threaded, serial] of this.swaps) Object.assign(k, this.pool ? threaded : serial);
  }

  /**
   * Makes every worker's kernel workspace hold `bytes` (models call this when they reserve their
   * own workspace, outside the step; a threaded GEMM or conv kernel that would need more runs on
   * one thread).
   */
  reserveThreadWork(bytes: number): void {
    this.workNeed = Math.max(this.workNeed, bytes);
    const pool = this.pool;
    if (!pool || pool.workBytes >= bytes) return;
    const fresh: number[] = [];
    try {
      for (let i = 0; i < pool.threads - 1; i++) fresh.push(this.arena.alloc(bytes, 'a kernel thread\'s workspace'));
    } catch (e) {
      for (const p of fresh) this.arena.release(p);
      throw e;
    }
    for (const p of pool.workspaces) this.arena.release(p);
    pool.workspaces = fresh;
    pool.workBytes = bytes;
  }
}

let current: Core | null = null;
let pending: Promise<Runtime> | null = null;

/**
 * Instantiates the wasm core. Idempotent: later calls return the same runtime; a later call
 * with another `threads` resizes the thread pool (for a runtime started with `threads`).
 */
export function init(options: InitOptions = {}): Promise<Runtime> {
  const before = pending; // calls run one after another
  const run = async (): Promise<Runtime> => {
    if (before) await before.catch(() => {});
    const threads = await checkThreads(options?.threads);
    if (current) {
      if (threads !== undefined && threads !== current.threads) {
        if (!current.shared) {
          throw new Error(`init({threads: ${options.threads}}): simdnet was initialized without threads; pass {threads} to the first init() call (the memory cannot become shared afterwards)`);
        }
        await current.resize(threads);
        warmUp(current);
      }
      return current;
    }
    const rt = await instantiate(options, threads);
    current = rt;
    return rt;
  };
  const p = run();
  pending = p;
  return p.finally(() => { if (pending === p) pending = null; });
}

/** The runtime, or an Error telling the user to call init() first. */
export function runtime(): Runtime {
  if (!current) throw new Error('simdnet is not initialized: call `await init()` first');
  return current;
}

/** The runtime with its thread controls (bindings and the session only). */
export function core(): Core {
  if (!current) throw new Error('simdnet is not initialized: call `await init()` first');
  return current;
}

let noted = false;
function note(msg: string): void {
  if (noted) return;
  noted = true;
  console.warn(`simdnet: ${msg}`);
}

/** undefined, or the thread count clamped to the hardware's. */
async function checkThreads(threads: unknown): Promise<number | undefined> {
  if (threads === undefined) return undefined;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1) {
    throw new Error(`init: threads must be a positive integer, got ${typeof threads === 'number' ? threads : JSON.stringify(threads)}`);
  }
  const cores = await hardwareThreads();
  if (threads > cores) {
    note(`init({threads: ${threads}}): this machine has ${cores} hardware threads; using ${cores}`);
    return cores;
  }
  return threads;
}

async function hardwareThreads(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node) {
    // Node before 21 has no navigator; node:os is loaded lazily (this file also runs in browsers)
    const os = await import('node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return 1 << 10; // unknown: do not clamp
}

async function instantiate(options: InitOptions, threads: number | undefined): Promise<Core> {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]))) {
    throw new Error('simdnet needs WebAssembly with SIMD (Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+, Deno 1.9+, Bun); this runtime has none');
  }
  let shared = false;
  if (threads !== undefined) {
    const support = threadSupport();
    if (support.ok) shared = true;
    else if (threads > 1) note(`init({threads: ${threads}}): ${support.why}; running on one thread`);
  }
  if (shared && options.wasm instanceof WebAssembly.Module) {
    throw new Error('init: with {threads}, pass the wasm as bytes, not a compiled WebAssembly.Module (the workers need a shared-memory variant of it)');
  }
  const memory = new WebAssembly.Memory({ initial: options.initialPages ?? 256, maximum: MAX_PAGES, shared } as WebAssembly.MemoryDescriptor);
  const imports = {
    env: {
      memory,
      abort(msg: number, file: number, line: number, col: number) {
        throw new Error(`simdnet kernel assertion failed: ${readString(memory, msg)} at ${readString(memory, file)}:${line}:${col}`);
      },
    },
  };
  const source = options.wasm ?? decodeBase64(releaseBase64);
  let bytes: Uint8Array | null = null;
  let module: WebAssembly.Module;
  if (source instanceof WebAssembly.Module) module = source;
  else {
    const view = source as ArrayBufferView | ArrayBuffer;
    const plain = ArrayBuffer.isView(view) ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : new Uint8Array(view);
    if (shared) bytes = withSharedMemory(plain);
    module = await WebAssembly.compile((bytes ?? plain) as Uint8Array<ArrayBuffer>);
  }
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as Exports;
  const arena = new Arena(memory, exports.heap_base());
  const rt = new Core(exports, arena, shared ? module : null);
  if (shared && threads! > 1) await rt.resize(threads!);
  warmUp(rt);
  return rt;
}

/** AssemblyScript strings: UTF-16, byte length stored in the 4 bytes before the pointer. */
function readString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0] >>> 1;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len));
}

/**
 * NOTE: V8 first runs wasm in its baseline tier (5–15× slower) and tiers up hot functions.
 * A few GEMM calls at init push the micro-kernels to the optimizing tier before the first
 * real batch, so the first epoch is not an outlier.
 */
function warmUp(rt: Runtime): void {
  const k = rt.raw.float32;
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
