// What this machine gives two threads: a one-thread GEMM loop (simdnet's own gemm_f32, 256³,
// on its own memory) timed alone, then two of them at once in two worker threads, for the
// same wall time, in alternating rounds. On a shared 2-vCPU VM the second vCPU is not a whole core for sure (the
// host may run it on the first one's SMT sibling, or give it to a neighbour), and this ratio
// — two independent threads' total ÷ one's — is the ceiling of any 2-thread speedup measured
// in the same minutes. Measured in the harness (Node worker_threads) at the start and the end
// of a run; the threads summary lines cite it.

import { Worker } from 'node:worker_threads';
import { simdnetReleaseWasm } from './assets.mjs';

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536 });
const { exports: ex } = new WebAssembly.Instance(new WebAssembly.Module(workerData.wasm), { env: { memory } });
const n = 256, a = (ex.heap_base() + 15) & ~15, b = a + n * n * 4, c = b + n * n * 4, w = c + n * n * 4;
new Float32Array(memory.buffer, a, 2 * n * n).fill(0.5);
const run = (ms) => { const t0 = performance.now(); let calls = 0; while (performance.now() - t0 < ms) { ex.gemm_f32(c, w, a, b, n, n, n, 0, 0, 0); calls++; } return 2 * n ** 3 * calls / ((performance.now() - t0) / 1000) / 1e9; };
run(300); // compiled, warm
parentPort.on('message', (ms) => parentPort.postMessage(run(ms)));
`;

/**
 * In `rounds` rounds of one thread alone then two at once (or the other way round, every
 * other round), `ms` each: the ratio of the medians (two threads' total GFLOP/s ÷ one's),
 * the range of the per-round ratios, and the median GFLOP/s of each.
 */
export async function measureParallelism(rounds = 10, ms = 200) {
  const wasm = await simdnetReleaseWasm();
  const workers = [0, 1].map(() => new Worker(SOURCE, { eval: true, workerData: { wasm } }));
  const ask = (w) => new Promise((resolve, reject) => {
    const fail = (e) => { w.off('message', done); reject(e); };
    const done = (v) => { w.off('error', fail); resolve(v); };
    w.once('message', done); w.once('error', fail); w.postMessage(ms);
  });
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  try {
    await Promise.all(workers.map((w) => ask(w))); // both warm (this round also starts them)
    const ones = [], twos = [], ratios = [];
    for (let r = 0; r < rounds; r++) {
      let one = 0, two = 0;
      const solo = async () => { one = await ask(workers[0]); };
      const pair = async () => { const both = await Promise.all(workers.map((w) => ask(w))); two = both[0] + both[1]; };
      if (r % 2) { await pair(); await solo(); } else { await solo(); await pair(); }
      ones.push(one); twos.push(two); ratios.push(two / one);
    }
    return {
      ratio: +(median(twos) / median(ones)).toFixed(3), min: +Math.min(...ratios).toFixed(3), max: +Math.max(...ratios).toFixed(3),
      oneThreadGflops: +median(ones).toFixed(2), twoThreadsGflops: +median(twos).toFixed(2), rounds, seconds: (2 * rounds * ms) / 1000,
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
