// loadMnist in a browser page (in the place of ../lib/mnist.mjs): the same digits in the same
// order, computed by lib/mnist.mjs in the bench's server (browser/server.mjs) and fetched as
// raw bytes: count·784 f32 pixels, then count i32 labels.

export async function loadMnist(count, seed = 1) {
  const res = await fetch(`/mnist/${count}/${seed}`);
  if (!res.ok) throw new Error(`GET /mnist/${count}/${seed}: ${res.status} ${await res.text()}`);
  const bytes = await res.arrayBuffer();
  const x = new Float32Array(bytes, 0, count * 784);
  const y = new Int32Array(bytes, count * 784 * 4, count);
  return { x, y, n: count };
}
