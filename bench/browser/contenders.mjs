// The contenders in a browser page (bundled by browser/bundle.mjs, which puts this file in
// the place of ../contenders.mjs for the workloads): the same ids and the same ctx as in
// Node, loaded the browser way. No PyTorch (native: measured in the Node run).
//
//   simdnet    dist/simdnet.browser.mjs, the file package.json exports to browsers, served
//              as is (not bundled); init({threads}) as in Node
//   tfjs-wasm  @tensorflow/tfjs-backend-wasm with its .wasm files served from /tfjs-wasm/
//              (setWasmPaths). In a cross-origin-isolated page its multithread check says
//              yes and init loads tfjs-backend-wasm-threaded-simd.wasm: XNNPACK on a
//              pthreadpool of setThreadsCount(n) threads. info.wasmBinary is the .wasm the
//              page really fetched (the Resource Timing entries), info.threads what the
//              backend reports (see the note in loadTfjs on its cap of cores / 2)
//   tfjs-cpu   @tensorflow/tfjs-backend-cpu, plain JS, 1 thread
//   jax-js     @jax-js/jax on its wasm device: in an isolated page it makes a worker pool
//              sized by navigator.hardwareConcurrency, which is set to the thread count
//              first (as in contenders.mjs for Bun and Deno)
//   convnetjs  convnetjs 0.3.0, plain JS, 1 thread
// Browsers do not tell a page its CPU time: ctx.cpuSeconds() is NaN and the parent measures
// the browser's processes instead (browser/session.mjs).

import { startTfjs } from '../lib/tfjs-start.mjs';
import { startJax } from '../lib/jax-start.mjs';

export { needThreads } from '../lib/need-threads.mjs';

/** Versions read at bundle time (browser/bundle.mjs), as the Node contenders read them from package.json. */
const VERSIONS = __BENCH_VERSIONS__;
const noCpuTime = () => NaN;
const SIMDNET_URL = '/simdnet.browser.mjs';

/** File names of the .wasm files the page has fetched so far. */
const fetchedWasm = () => performance.getEntriesByType('resource').map((e) => e.name.split('/').pop()).filter((n) => n.endsWith('.wasm'));

async function loadTfjs(backend, threads) {
  const started = await startTfjs(backend, threads, {
    wasmPaths: '/tfjs-wasm/',
    // NOTE: tfjs-backend-wasm caps its thread pool at navigator.hardwareConcurrency / 2, "many
    // x86-64 processors have 2 threads per core" (init_with_threads_count in its backend.cc):
    // on a 2-core machine it runs 1 thread whatever setThreadsCount says. So the page reports
    // 2·n cores to it (an own property of navigator, before its module starts), and
    // setThreadsCount(n) is then what it runs; info.threads is what it reports running.
    beforeWasm: () => Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true }),
    wasmBinary: () => fetchedWasm().join(', ') || 'none fetched',
    threadsNote: (info) => `multithread support: ${info.multithread ? 'yes' : 'no'}; crossOriginIsolated: ${globalThis.crossOriginIsolated}`,
  });
  return { ...started, cpuSeconds: noCpuTime };
}

async function loadJax(threads) {
  const started = await startJax(threads, {
    import: () => import('@jax-js/jax'),
    version: () => VERSIONS.jax,
    noPool: 'its worker pool needs SharedArrayBuffer: the page is not cross-origin isolated',
  });
  return { ...started, cpuSeconds: noCpuTime };
}

export const CONTENDERS = {
  simdnet: {
    title: 'simdnet (f32)',
    async load(threads) {
      const lib = await import(/* @vite-ignore */ SIMDNET_URL);
      const rt = await lib.init({ threads });
      const reported = rt?.threads;
      return {
        lib,
        rt, // the runtime: deep-xor replays a step's raw kernel calls through rt.raw
        cpuSeconds: noCpuTime,
        info: { version: VERSIONS.simdnet, threads: reported ?? 1, threadsRequested: threads, threadsOption: reported === undefined ? 'ignored' : 'applied', crossOriginIsolated: globalThis.crossOriginIsolated },
      };
    },
  },
  'tfjs-wasm': { title: 'tfjs-backend-wasm', load: (threads) => loadTfjs('wasm', threads) },
  'tfjs-cpu': { title: 'tfjs-backend-cpu', load: () => loadTfjs('cpu', 1) },
  'jax-js': { title: '@jax-js/jax (wasm device)', load: loadJax },
  convnetjs: {
    title: 'ConvNetJS (plain JS, f64, 1 thread)',
    async load() {
      const convnetjs = (await import('convnetjs')).default;
      // NOTE: as in contenders.mjs: 0.3.0's Trainer has no Adam; the cnn workload brings its own.
      const hasAdam = /['"]adam['"]/.test(convnetjs.Trainer.prototype.train.toString());
      return { convnetjs, cpuSeconds: noCpuTime, info: { version: VERSIONS.convnetjs, threads: 1, float: 'f64', trainerHasAdam: hasAdam } };
    },
  },
};
