// @jax-js/jax started the same way in contender processes and bench pages: its wasm device,
// and its worker pool (made where a global Worker and SharedArrayBuffer exist, sized by
// navigator.hardwareConcurrency, with no setting of its own) sized to `threads` by setting
// that property first. `info` says what it ran; `noPool` says why there is no pool.

/**
 * @param {number} threads
 * @param {{ import: () => Promise<object>, version: () => string, noPool: string }} host
 */
export async function startJax(threads, host) {
  const pool = typeof Worker !== 'undefined' && typeof SharedArrayBuffer !== 'undefined';
  if (pool) Object.defineProperty(globalThis.navigator, 'hardwareConcurrency', { value: threads, configurable: true });
  const jax = await host.import();
  const devices = await jax.init('wasm');
  if (!devices.includes('wasm')) throw new Error(`@jax-js/jax: no wasm device (devices: ${devices.join(', ')})`);
  jax.defaultDevice('wasm');
  const ran = pool ? Math.max(1, (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 4) : 1;
  return { jax, info: { version: host.version(), device: 'wasm', threads: ran, workerPool: pool, ...(pool ? {} : { threadsNote: host.noPool }) } };
}
