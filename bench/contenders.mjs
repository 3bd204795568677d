// The contenders: how each is loaded in its own child process, and what it reports about
// itself (version, SIMD, threads). A workload implements its cases per contender id.
//
// NOTE: one process per (workload, contender): tfjs keeps one global engine per process,
// and a backend that has run once keeps its JIT state and memory, so separate processes
// keep the numbers independent of what else ran before.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url);

async function loadTfjs(backend) {
  const tf = await import('@tensorflow/tfjs-core');
  // Production mode only silences warnings (the Node banner among them); the costly
  // checks sit behind the DEBUG flag, which is off by default.
  tf.enableProdMode();
  const info = { backend, version: tf.version_core };
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // A file path with a trailing slash: the Node build reads the .wasm files from there.
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not set backend '${backend}'`);
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`tfjs runs on '${tf.getBackend()}', not '${backend}'`);
  const tfl = await import('@tensorflow/tfjs-layers');
  info.layersVersion = tfl.version_layers;
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    info.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    info.threads = wasm.getThreadsCount();
  } else {
    info.threads = 1;
  }
  return { tf, tfl, info };
}

/**
 * Native PyTorch on one thread, through bench/lib/torch_server.py (a line-JSON server on a
 * pipe; Debian's /usr/bin/python3 with python3-torch). Absent torch is a load failure the
 * run reports, not a crash.
 */
async function loadTorch() {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const py = spawn(process.env.SIMDNET_BENCH_PYTHON ?? '/usr/bin/python3', [new URL('lib/torch_server.py', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: py.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.resolve(JSON.parse(l)));
  const fail = (why) => { for (const w of waiting.splice(0)) w.reject(new Error(why)); };
  py.on('error', (e) => fail(`PyTorch: cannot start python: ${e.message}`));
  py.on('exit', (code) => fail(`PyTorch: python exited (${code}); is python3-torch installed?`));
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const hello = await next();
  const call = async (msg) => {
    const p = next();
    py.stdin.write(JSON.stringify(msg) + '\n');
    const r = await p;
    if (!r.ok) throw new Error(`PyTorch: ${r.error}`);
    return r;
  };
  process.on('exit', () => py.kill());
  return { torch: { call }, info: { version: hello.version, threads: hello.threads, native: true } };
}

/** id → { title, load(): Promise<ctx> }; ctx.info ends up in the JSON. */
export const CONTENDERS = {
  simdnet: {
    title: 'simdnet (f32, 1 thread)',
    async load() {
      const lib = await import('../dist/simdnet.mjs');
      await lib.init();
      const version = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version;
      return { lib, info: { version, threads: 1 } };
    },
  },
  pytorch: { title: 'PyTorch (native, 1 thread)', load: loadTorch },
  'tfjs-wasm': { title: 'tfjs-backend-wasm', load: () => loadTfjs('wasm') },
  'tfjs-cpu': { title: 'tfjs-backend-cpu', load: () => loadTfjs('cpu') },
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
      return { convnetjs, info: { version, threads: 1, float: 'f64', trainerHasAdam: hasAdam } };
    },
  },
};

/** Table column order. */
export const CONTENDER_ORDER = Object.keys(CONTENDERS);
