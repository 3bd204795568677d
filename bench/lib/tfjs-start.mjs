// TensorFlow.js started the same way for every contender process (Node, Bun, Deno) and bench
// page (Chromium, Firefox): core in production mode, the wasm or cpu backend, its thread count
// asked for before the backend starts, layers; `info` says what really ran. What differs by
// host comes in `host`: where the .wasm files are, what to do before the wasm backend loads,
// which binary it runs and why it has fewer threads than asked.

/**
 * @param {'wasm' | 'cpu'} backend
 * @param {number} threads
 * @param {{ wasmPaths: string, beforeWasm?: () => void, wasmBinary: (info: object) => string, threadsNote: (info: object) => string }} host
 */
export async function startTfjs(backend, threads, host) {
  const tf = await import('@tensorflow/tfjs-core');
  // Production mode only silences warnings (the Node banner among them); the costly
  // checks sit behind the DEBUG flag, which is off by default.
  tf.enableProdMode();
  const info = { backend, version: tf.version_core };
  let wasm = null;
  if (backend === 'wasm') {
    host.beforeWasm?.();
    wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(host.wasmPaths);
    // Asked for before the backend starts; it takes effect only where the wasm backend finds
    // multithread support: info.threads says.
    wasm.setThreadsCount(threads);
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not set backend '${backend}'`);
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`tfjs runs on '${tf.getBackend()}', not '${backend}'`);
  const tfl = await import('@tensorflow/tfjs-layers');
  info.layersVersion = tfl.version_layers;
  if (wasm) {
    info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    info.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    info.threads = wasm.getThreadsCount();
    info.wasmBinary = host.wasmBinary(info);
    if (info.threads < threads) info.threadsNote = host.threadsNote(info);
  } else {
    info.threads = 1;
  }
  info.threadsRequested = threads;
  return { tf, tfl, info };
}
