// Every conv / pool / norm backward by central differences in float64 (max relative error
// ≤ 1e-7), at the awkward geometries the issue names: stride 2, 'same' padding with even
// kernels, 1×1 kernels, channel counts not divisible by 4, a batch of 1.
import { describe, it } from 'vitest';
import { Sequential, layers, tensor, type Layer } from '../../src/index.js';
import { checkGradients, lcgData } from './fd.js';

function model(inputShape: number[], body: Layer[], classes = 3, seed = 5): Sequential {
  const m = new Sequential({ seed, dtype: 'float64' });
  for (const l of body) m.add(l);
  m.add(layers.flatten());
  m.add(layers.dense({ units: classes }));
  m.build(inputShape);
  m.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' });
  return m;
}

function run(inputShape: number[], body: Layer[], n = 3, opts = {}) {
  const m = model(inputShape, body);
  const x = tensor(lcgData(n * inputShape.reduce((a, b) => a * b, 1), 7 + n), [n, ...inputShape], 'float64');
  const y = Int32Array.from({ length: n }, (_, i) => (i * 2 + 1) % 3);
  checkGradients(m, x, y, opts);
  m.dispose();
}

describe('conv2d backward (float64 central differences)', () => {
  it('3×3 valid, stride 1, C = 3', () => run([6, 5, 3], [layers.conv2d({ filters: 4, kernelSize: 3, activation: 'tanh' })]));
  it('stride 2, same, even kernel 4×2', () => run([7, 6, 2], [layers.conv2d({ filters: 5, kernelSize: [4, 2], strides: 2, padding: 'same', activation: 'elu' })]));
  it('1×1 kernel (pointwise path)', () => run([4, 4, 5], [layers.conv2d({ filters: 3, kernelSize: 1, activation: 'sigmoid' })]));
  it('1×1 kernel with stride 2', () => run([5, 5, 3], [layers.conv2d({ filters: 2, kernelSize: 1, strides: 2 })]));
  it('batch of 1, stride [2, 1], no bias', () => run([6, 6, 1], [layers.conv2d({ filters: 3, kernelSize: 3, strides: [2, 1], padding: 'same', useBias: false })], 1));
  it('two stacked convs with relu', () => run([6, 6, 2], [layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }), layers.conv2d({ filters: 2, kernelSize: 2, strides: 2 })]));
});

describe('pooling backward', () => {
  it('maxPool2d 2×2', () => run([6, 6, 3], [layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }), layers.maxPool2d()]));
  it('maxPool2d 3×3 stride 2 same', () => run([7, 7, 2], [layers.conv2d({ filters: 5, kernelSize: 2, activation: 'tanh' }), layers.maxPool2d({ poolSize: 3, strides: 2, padding: 'same' })]));
  it('avgPool2d 2×2 same (counts only in-bounds)', () => run([5, 5, 3], [layers.conv2d({ filters: 3, kernelSize: 1 }), layers.avgPool2d({ poolSize: 2, padding: 'same' })]));
  it('globalAvgPool2d', () => run([4, 5, 6], [layers.conv2d({ filters: 5, kernelSize: 3, activation: 'tanh' }), layers.globalAvgPool2d()]));
});

describe('normalization backward', () => {
  it('batchNorm on images', () => run([4, 4, 3], [layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same' }), layers.batchNorm(), layers.relu()], 4));
  it('batchNorm on dense features', () => run([7], [layers.dense({ units: 6 }), layers.batchNorm({ momentum: 0.9 }), layers.tanh()], 5));
  it('layerNorm on images', () => run([3, 4, 5], [layers.conv2d({ filters: 6, kernelSize: 1 }), layers.layerNorm()]));
  it('layerNorm on features', () => run([7], [layers.dense({ units: 5 }), layers.layerNorm()]));
  it('instanceNorm', () => run([4, 3, 3], [layers.conv2d({ filters: 5, kernelSize: 2, padding: 'same' }), layers.instanceNorm()]));
  it('groupNorm, 3 groups of 2 channels, batch of 1', () => run([3, 3, 2], [layers.conv2d({ filters: 6, kernelSize: 2 }), layers.groupNorm({ groups: 3 })], 1));
});
