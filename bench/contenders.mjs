// The contenders: how each is loaded in its own child process, and what it reports about
// itself (version, SIMD, threads, BLAS). A workload implements its cases per contender id.
//
// NOTE: one process per (workload, contender, thread count): tfjs keeps one global engine
// per process, and a backend that has run once keeps its JIT state and memory, so separate
// processes keep the numbers independent of what else ran before. A thread count is a
// process-wide setting in every library here (simdnet's init, torch.set_num_threads,
// tfjs-wasm's setThreadsCount), so the 2-thread rows run in processes of their own.
//
// load(threads) returns { info, cpuSeconds(), ... }: cpuSeconds() is the CPU time the
// contender's engine has used so far (this process's, or the python server's for PyTorch),
// from which the harness reports CPU-seconds per wall-second of each cell: ~1 on one
// thread, ~2 when two threads really work.
//
// A contender that is not there (no python3-torch, no @jax-js/jax) fails to load with the
// status 'not installed', which its cells show; the bench never installs anything.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';

import { startTfjs } from './lib/tfjs-start.mjs';
import { startJax } from './lib/jax-start.mjs';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url);

/** This process's CPU time in seconds (all its threads: the main one and its workers). */
const processCpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

const notInstalled = (message) => Object.assign(new Error(message), { status: 'not installed' });

async function loadTfjs(backend, threads) {
  const started = await startTfjs(backend, threads, {
    // A file path with a trailing slash: the Node build reads the .wasm files from there.
    wasmPaths: join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/',
    // The binary its init picks from the two flags (backend_wasm.js, getPathToWasmBinary).
    wasmBinary: (info) => `tfjs-backend-wasm${info.simd && info.multithread ? '-threaded-simd' : info.simd ? '-simd' : ''}.wasm`,
    // NOTE: its multithread check answers false whenever `process.versions.node` exists: Node,
    // Bun and Deno alike (tensorflow/tfjs#3830). Forcing the flag true does not help: its
    // init then fails in all three, because its pthread workers are blob: URLs, which
    // worker_threads rejects (ERR_WORKER_PATH; tried with tfjs 4.22, 2026-12).
    threadsNote: (info) => `multithread support: ${info.multithread ? 'yes' : 'no'}; tfjs-backend-wasm has no threads under Node, Bun or Deno, tensorflow/tfjs#3830`,
  });
  return { ...started, cpuSeconds: processCpuSeconds };
}

/**
 * Native PyTorch through bench/lib/torch_server.py (a line-JSON server on a pipe; Debian's
 * /usr/bin/python3 with python3-torch), on `threads` threads: torch.set_num_threads, and
 * OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set before python starts, so OpenBLAS's own
 * pthreads obey too. The server reports which BLAS torch loaded.
 */
async function loadTorch(threads) {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const python = process.env.SIMDNET_BENCH_PYTHON ?? '/usr/bin/python3';
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  const py = spawn(python, [new URL('lib/torch_server.py', import.meta.url).pathname, String(threads)], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines = createInterface({ input: py.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.resolve(JSON.parse(l)));
  const fail = (e) => { for (const w of waiting.splice(0)) w.reject(e); };
  py.on('error', (e) => fail(e.code === 'ENOENT' ? notInstalled(`PyTorch: no python at ${python}`) : new Error(`PyTorch: cannot start ${python}: ${e.message}`)));
  py.on('exit', (code) => fail(new Error(`PyTorch: python exited (${code})`)));
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const hello = await next();
  if (!hello.ok) throw Object.assign(new Error(`PyTorch: ${hello.error}`), hello.status ? { status: hello.status } : {});
  let cpu = 0; // the python process's CPU seconds, summed over the requests it answered
  const call = async (msg) => {
    const p = next();
    py.stdin.write(JSON.stringify(msg) + '\n');
    const r = await p;
    if (!r.ok) throw new Error(`PyTorch: ${r.error}`);
    cpu += r.cpu ?? 0;
    return r;
  };
  process.on('exit', () => py.kill());
  const { version, blas, blasLibs, mkldnn, cpuCapability } = hello;
  return {
    torch: { call },
    cpuSeconds: () => cpu,
    info: { version, threads: hello.threads, threadsRequested: threads, native: true, blas, blasLibs, mkldnn, cpuCapability },
  };
}

/**
 * @jax-js/jax on its wasm device. It makes a worker pool only where a global `Worker` and
 * SharedArrayBuffer exist (Bun, Deno, isolated pages; not Node), sized by
 * navigator.hardwareConcurrency, with no setting for the count. So where it makes one, the
 * bench sets navigator.hardwareConcurrency to `threads` (an own property of the navigator
 * object, before the pool is made): its 1-thread rows run a pool of one worker (the calling
 * thread waits), its 2-thread rows a pool of two. info.threads says what it ran.
 */
async function loadJax(threads) {
  const started = await startJax(threads, {
    import: async () => {
      try {
        return await import('@jax-js/jax');
      } catch (e) {
        throw notInstalled(`@jax-js/jax: ${e.message.split('\n')[0]}`);
      }
    },
    version: () => JSON.parse(readFileSync(join(dirname(require.resolve('@jax-js/jax')), '..', 'package.json'), 'utf8')).version,
    noPool: 'its worker pool needs a global Worker and SharedArrayBuffer: not in Node',
  });
  return { ...started, cpuSeconds: processCpuSeconds };
}

/** id → { title, load(threads): Promise<ctx> }; ctx.info ends up in the JSON. */
export const CONTENDERS = {
  simdnet: {
    title: 'simdnet (f32)',
    async load(threads) {
      const lib = await import('../dist/simdnet.mjs');
      // NOTE: a simdnet without the threads option ignores it and its runtime has no
      // `threads`: info.threadsOption says 'ignored', and the table flags its 2-thread rows.
      const rt = await lib.init({ threads });
      const version = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version;
      const reported = rt?.threads;
      return {
        lib,
        rt, // the runtime: deep-xor replays a step's raw kernel calls through rt.raw
        cpuSeconds: processCpuSeconds,
        info: { version, threads: reported ?? 1, threadsRequested: threads, threadsOption: reported === undefined ? 'ignored' : 'applied' },
      };
    },
  },
  pytorch: { title: 'PyTorch (native)', load: loadTorch },
  'tfjs-wasm': { title: 'tfjs-backend-wasm', load: (threads) => loadTfjs('wasm', threads) },
  'tfjs-cpu': { title: 'tfjs-backend-cpu', load: () => loadTfjs('cpu', 1) },
  'jax-js': { title: '@jax-js/jax (wasm device)', load: loadJax },
  convnetjs: {
    title: 'ConvNetJS (plain JS, f64, 1 thread)',
    async load() {
      const convnetjs = require('convnetjs');
      const { version } = require('convnetjs/package.json');
      // NOTE: the npm release (0.3.0) predates Adam: its Trainer knows sgd, adagrad,
      // windowgrad and adadelta, and any other method (method: 'adam' included) silently
      // runs SGD with momentum 0.9. GitHub master added 'adam' later (with a bias-correction
      // bug). The CNN workload uses the Trainer's own Adam when it has one, else its own.
      const hasAdam = /['"]adam['"]/.test(convnetjs.Trainer.prototype.train.toString());
      return { convnetjs, cpuSeconds: processCpuSeconds, info: { version, threads: 1, float: 'f64', trainerHasAdam: hasAdam } };
    },
  },
};

/** Table column order. */
export const CONTENDER_ORDER = Object.keys(CONTENDERS);

export { needThreads } from './lib/need-threads.mjs';
