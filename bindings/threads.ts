// The kernel thread pool: `threads − 1` workers, each with its own instance of the core over
// the runtime's one shared WebAssembly.Memory. The calling thread is thread 0: a threaded
// kernel writes each helper's share of the work into its job slot, wakes it, computes its
// own share, then waits for the others. Shares are disjoint blocks of the output (GEMM
// tiles, images, element ranges) and each element is computed by the same code in the same
// order whatever thread runs it — so any thread count gives the same bits.
//
// Synchronization is through a small SharedArrayBuffer of its own (not the wasm memory):
// per worker a job counter (posted by the caller), a done counter, a status and an error
// message. Workers spin on their job counter for 5 ms before sleeping in Atomics.wait: a
// training step posts a job every few tens of µs, and a futex wake costs far more than that
// (2–4 ms measured on the 2-vCPU VM). The caller spins while its helpers work (up to 100 ms,
// then sleeps where the host allows it: not on a browser's main thread, where it only spins).
//
// A worker whose kernel throws (a trap, a failed assertion, an injected fault) reports the
// message in its slot; the caller waits for every share to end, then throws an Error with
// it — the step transaction above rolls back as for a trap on the calling thread.
//
// Nothing here allocates per call: jobs are numbers written into preallocated slots.

/** Doubles per job slot: [function index, argument count, args…]. */
const SLOT = 24;
/** Int32 control words per worker: job, done, status, message length. */
const CTL = 4;
const MESSAGE_CHARS = 512;
/** Function index that makes a worker fail instead of running its share (tests only). */
const FAULT = -1;


interface WorkerHandle { terminate(): void }

// The worker's whole program, as source: it runs in Node's worker_threads (eval) and in web
// workers (a blob URL: browsers, Deno, Bun) with no file to locate.
const WORKER_SOURCE = `
// Node, Deno, Bun: worker_threads, through import() (an eval'd worker is a script or a module
// depending on the parent's flags; import() works in both); browsers: the worker's self
const nodeLike = typeof process === 'object' && process !== null && !!(process.versions && process.versions.node);
const ports = nodeLike ? import('node:worker_threads').then((m) => m.parentPort) : Promise.resolve(null);
ports.then((parent) => {
const port = parent ?? self;
const on = (f) => parent ? parent.on('message', f) : (self.onmessage = (e) => f(e.data));
on((init) => {
  const { module, memory, control, jobs, messages, index, names, spinMs } = init;
  let instance;
  try {
    const decode = (p) => { if (!p) return ''; const n = new Uint32Array(memory.buffer, p - 4, 1)[0] >>> 1; let s = ''; const u = new Uint16Array(memory.buffer, p, n); for (let i = 0; i < n; i++) s += String.fromCharCode(u[i]); return s; };
    const env = { memory, abort(m, f, l, c) { throw new Error('kernel assertion failed: ' + decode(m) + ' at ' + decode(f) + ':' + l + ':' + c); } };
    instance = new WebAssembly.Instance(module, { env });
  } catch (e) {
    port.postMessage({ error: String(e && e.message || e) });
    return;
  }
  const fns = names.map((n) => instance.exports[n]);
  const ctl = new Int32Array(control);
  const base = index * ${CTL};
  const job = new Float64Array(jobs, index * ${SLOT} * 8, ${SLOT});
  const args = [];
  port.postMessage({ ready: true });
  let seen = 0;
  for (;;) {
    let posted = Atomics.load(ctl, base);
    if (posted === seen) {
      const until = performance.now() + spinMs;
      let spins = 0;
      while ((posted = Atomics.load(ctl, base)) === seen) {
        if ((++spins & 1023) === 0 && performance.now() > until) { Atomics.wait(ctl, base, seen); spins = 0; }
      }
    }
    seen = posted;
    if (posted < 0) break;
    let status = 0;
    try {
      const f = job[0];
      if (f < 0) throw new Error('injected fault');
      const argc = job[1];
      args.length = argc;
      for (let i = 0; i < argc; i++) args[i] = job[2 + i];
      const r = fns[f].apply(null, args);
      job[${SLOT - 1}] = typeof r === 'number' ? r : 0;
    } catch (e) {
      status = 1;
      const msg = String(e && e.message || e).slice(0, ${MESSAGE_CHARS});
      const out = new Uint16Array(messages, index * ${MESSAGE_CHARS} * 2, ${MESSAGE_CHARS});
      for (let i = 0; i < msg.length; i++) out[i] = msg.charCodeAt(i);
      ctl[base + 3] = msg.length;
    }
    ctl[base + 2] = status;
    Atomics.store(ctl, base + 1, posted);
    Atomics.notify(ctl, base + 1);
  }
});
});
`;

/**
 * How long an idle worker spins before it sleeps, in ms. Waking a sleeping thread costs 2–4 ms
 * on the 2-vCPU VMs this was tuned on (futex wake of a halted vCPU), 50–300 µs on others: a
 * training step's gaps between threaded kernels (tens of µs) and between steps must not pay it.
 */
const WORKER_SPIN_MS = 5;
/**
 * How long the caller spins for its helpers before it sleeps (where it may), in ms. It has
 * nothing else to do: sleeping only adds a wake-up to the end of a long share.
 */
const CALLER_SPIN_MS = 100;

export class ThreadPool {
  /** Threads in all, the caller included. */
  readonly threads: number;
  private readonly ctl: Int32Array;
  private readonly messages: Uint16Array;
  /** Per worker: its job slot (a view of the shared jobs buffer). */
  private readonly slots: Float64Array[];
  private readonly workers: WorkerHandle[];
  private readonly canBlock: boolean;
  private readonly posted: Int32Array;
  /** Workspace per worker (byte offsets in wasm memory) and their size. */
  workspaces: number[] = [];
  workBytes = 0;
  private faults = 0;

  private constructor(threads: number, ctl: Int32Array, jobs: SharedArrayBuffer, messages: SharedArrayBuffer, workers: WorkerHandle[]) {
    this.threads = threads;
    this.ctl = ctl;
    this.messages = new Uint16Array(messages);
    this.slots = workers.map((_, i) => new Float64Array(jobs, i * SLOT * 8, SLOT));
    this.workers = workers;
    this.posted = new Int32Array(workers.length);
    this.canBlock = callerCanBlock();
  }

  /**
   * Starts `threads − 1` workers on `memory` (shared) running the compiled core `module` (sent, not
   * recompiled: V8 shares a module's optimized code between threads); resolves when all are ready.
   */
  static async start(threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory, names: readonly string[]): Promise<ThreadPool> {
    const n = threads - 1;
    const control = new SharedArrayBuffer(Math.max(1, n) * CTL * 4);
    const jobs = new SharedArrayBuffer(Math.max(1, n) * SLOT * 8);
    const messages = new SharedArrayBuffer(Math.max(1, n) * MESSAGE_CHARS * 2);
    const workers: WorkerHandle[] = [];
    try {
      const ready: Promise<void>[] = [];
      for (let index = 0; index < n; index++) {
        const { handle, ready: r } = await spawn({ module, memory, control, jobs, messages, index, names, spinMs: WORKER_SPIN_MS });
        workers.push(handle);
        ready.push(r);
      }
      await Promise.all(ready);
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    }
    return new ThreadPool(threads, new Int32Array(control), jobs, messages, workers);
  }

  /** The job slot of worker `w` (0-based: thread w + 1): the caller fills [2…] with arguments. */
  slot(w: number, fn: number, argc: number): Float64Array {
    const s = this.slots[w];
    s[0] = this.faults > 0 && w === 0 ? FAULT : fn;
    if (s[0] === FAULT) this.faults--;
    s[1] = argc;
    return s;
  }


  /** Jobs handed to workers so far. */
  get jobs(): number {
    let s = 0;
    for (let w = 0; w < this.posted.length; w++) s += this.posted[w];
    return s;
  }

  /** Wakes workers 0…count−1 on the jobs written to their slots. */
  post(count: number): void {
    const ctl = this.ctl;
    for (let w = 0; w < count; w++) {
      const job = ++this.posted[w];
      Atomics.store(ctl, w * CTL, job);
      Atomics.notify(ctl, w * CTL);
    }
  }

  /**
   * Waits for workers 0…count−1 to finish their jobs; returns the sum of their results.
   * Throws the first worker error, after every worker has stopped touching memory.
   */
  wait(count: number): number {
    const ctl = this.ctl;
    let failed = -1;
    let sum = 0;
    for (let w = 0; w < count; w++) {
      const job = this.posted[w];
      const at = w * CTL + 1;
      if (Atomics.load(ctl, at) !== job) {
        const until = performance.now() + CALLER_SPIN_MS;
        let spins = 0;
        while (Atomics.load(ctl, at) !== job) {
          if ((++spins & 1023) === 0 && this.canBlock && performance.now() > until) {
            Atomics.wait(ctl, at, Atomics.load(ctl, at), 1000);
          }
        }
      }
      if (ctl[w * CTL + 2] !== 0) { if (failed < 0) failed = w; } else sum += this.slots[w][SLOT - 1];
    }
    if (failed >= 0) {
      const len = this.ctl[failed * CTL + 3];
      const chars = this.messages.subarray(failed * MESSAGE_CHARS, failed * MESSAGE_CHARS + len);
      let msg = '';
      for (let i = 0; i < chars.length; i++) msg += String.fromCharCode(chars[i]);
      throw new Error(`simdnet worker ${failed + 1} failed: ${msg}`);
    }
    return sum;
  }

  /** Makes the next `count` jobs of worker 1 fail with "injected fault" (tests: a worker dying mid-step). */
  injectFault(count = 1): void {
    this.faults = count;
  }

  /** Stops the workers (they finish no further jobs). */
  terminate(): void {
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(this.ctl, w * CTL, -1);
      Atomics.notify(this.ctl, w * CTL);
      this.workers[w].terminate();
    }
  }
}

/** Atomics.wait throws on a browser's main thread: there the caller only spins. */
function callerCanBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether this host can run threads: shared memory, and a worker API. */
export function threadSupport(): { ok: true } | { ok: false; why: string } {
  if (typeof SharedArrayBuffer !== 'function') {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    return { ok: false, why: isolated === false ? 'the page is not cross-origin isolated (serve it with COOP/COEP headers), so SharedArrayBuffer is unavailable' : 'this runtime has no SharedArrayBuffer' };
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
  } catch (e) {
    return { ok: false, why: `this runtime cannot create shared wasm memory (${(e as Error).message})` };
  }
  return { ok: true };
}

interface WorkerInit {
  module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer; jobs: SharedArrayBuffer;
  messages: SharedArrayBuffer; index: number; names: readonly string[]; spinMs: number;
}

async function spawn(init: WorkerInit): Promise<{ handle: WorkerHandle; ready: Promise<void> }> {
  let settle!: (e?: Error) => void;
  const ready = new Promise<void>((resolve, reject) => { settle = (e) => (e ? reject(e) : resolve()); });
  const onMessage = (m: { ready?: boolean; error?: string }) => settle(m.error ? new Error(`simdnet: a kernel thread could not start: ${m.error}`) : undefined);
  // Node, Deno and Bun: worker_threads, whose workers can be unref'd (a web Worker keeps Deno
  // and Bun running after the script ends); browsers: a module Worker from a blob URL
  const nodeLike = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';
  const WebWorker = (globalThis as { Worker?: typeof Worker }).Worker;
  if (!nodeLike) {
    if (typeof WebWorker !== 'function') throw new Error('simdnet: this runtime has no Worker, so it cannot run kernel threads');
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const w = new WebWorker(url, { type: 'module' });
    void ready.then(() => URL.revokeObjectURL(url), () => URL.revokeObjectURL(url));
    w.onmessage = (e) => onMessage(e.data);
    w.onerror = (e) => { e.preventDefault?.(); settle(new Error(`simdnet: a kernel thread failed: ${e.message || 'the worker script did not run'}`)); };
    w.postMessage(init);
    return { handle: w, ready };
  }
  const { Worker: NodeWorker } = await import('node:worker_threads');
  const w = new NodeWorker(WORKER_SOURCE, { eval: true });
  w.on('message', (m) => { onMessage(m); w.unref(); }); // once started, an idle pool must not keep the process alive
  w.on('error', (e: Error) => settle(new Error(`simdnet: a kernel thread failed: ${e.message}`)));
  w.postMessage(init);
  return { handle: { terminate: () => { void w.terminate(); } }, ready };
}
