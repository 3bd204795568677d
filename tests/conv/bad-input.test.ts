// Bad conv / pool / norm configurations raise Errors that name the problem and the value,
// before any state changes: the model keeps predicting exactly as before.
import { describe, it, expect } from 'vitest';
import { Sequential, layers, tensor, type Layer } from '../../src/index.js';
import { lcgData } from './fd.js';

function buildWith(inputShape: number[], ...ls: Layer[]): Sequential {
  const m = new Sequential({ seed: 1 });
  for (const l of ls) m.add(l);
  m.build(inputShape);
  return m;
}

describe('bad conv/pool/norm input', () => {
  it('conv2d on a rank-2 input names the shape', () => {
    expect(() => buildWith([784], layers.conv2d({ filters: 4, kernelSize: 3 }))).toThrow(/images \[batch, height, width, channels\].*\[784\].*rank 2/);
  });

  it('kernel larger than a valid input', () => {
    expect(() => buildWith([4, 6, 1], layers.conv2d({ filters: 2, kernelSize: 5 }))).toThrow(/kernel height 5 is larger than the input height 4/);
    expect(() => buildWith([6, 4, 1], layers.conv2d({ filters: 2, kernelSize: [3, 5] }))).toThrow(/kernel width 5 is larger than the input width 4/);
    // 'same' padding makes it legal
    expect(buildWith([4, 4, 1], layers.conv2d({ filters: 2, kernelSize: 5, padding: 'same' })).outputShape).toEqual([4, 4, 2]);
  });

  it("a conv whose one image's im2col cannot fit the 4 GiB memory names the layer and the size", () => {
    // 2048×2048 'same' windows of 5×5×64: 26.8 GB of im2col for one image
    expect(() => buildWith([2048, 2048, 64], layers.conv2d({ filters: 2, kernelSize: 5, padding: 'same', name: 'huge' })))
      .toThrow(/conv2d 'huge': the im2col of one image \(2048×2048 windows of 5×5×64\) needs 25\.0 GiB; wasm memory is limited to 4 GiB/);
  });

  it('non-integer or zero filters / kernelSize / strides', () => {
    expect(() => layers.conv2d({ filters: 0, kernelSize: 3 })).toThrow(/filters must be a positive integer, got 0/);
    expect(() => layers.conv2d({ filters: 2.5, kernelSize: 3 })).toThrow(/filters must be a positive integer, got 2.5/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 0 })).toThrow(/kernelSize .* got 0/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: [3, 1.5] })).toThrow(/kernelSize .* got \[3,1.5\]/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, strides: 0 })).toThrow(/strides .* got 0/);
    expect(() => layers.maxPool2d({ poolSize: -2 })).toThrow(/poolSize .* got -2/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, padding: 'full' as 'same' })).toThrow(/padding must be 'valid' or 'same', got "full"/);
  });

  it('groups not dividing channels; instanceNorm on flat input', () => {
    expect(() => buildWith([5, 5, 6], layers.groupNorm({ groups: 4 }))).toThrow(/groups 4 does not divide the 6 channels/);
    expect(() => layers.groupNorm({ groups: 0 })).toThrow(/groups must be a positive integer, got 0/);
    expect(() => buildWith([8], layers.instanceNorm())).toThrow(/instanceNorm expects images.*\[8\]/);
  });

  it('pool size larger than the input', () => {
    expect(() => buildWith([3, 3, 2], layers.maxPool2d({ poolSize: 4 }))).toThrow(/pool height 4 is larger than the input height 3/);
    expect(() => buildWith([3, 8, 2], layers.avgPool2d({ poolSize: [2, 9], padding: 'same' }))).toThrow(/pool width 9 is larger than the input width 8/);
  });

  it('batchNorm momentum outside [0, 1) or epsilon ≤ 0', () => {
    expect(() => layers.batchNorm({ momentum: 1 })).toThrow(/momentum value: 1 /);
    expect(() => layers.batchNorm({ momentum: -0.1 })).toThrow(/momentum value: -0.1/);
    expect(() => layers.batchNorm({ epsilon: 0 })).toThrow(/epsilon value: 0 /);
    expect(() => layers.batchNorm({ epsilon: -1e-3 })).toThrow(/epsilon value: -0.001/);
    expect(() => layers.layerNorm({ epsilon: 0 })).toThrow(/layerNorm epsilon value: 0/);
  });

  it('wrong image shape at fit time changes nothing', async () => {
    const m = new Sequential({ seed: 3 });
    m.add(layers.conv2d({ filters: 3, kernelSize: 3, inputShape: [6, 6, 1], activation: 'relu' }));
    m.add(layers.batchNorm());
    m.add(layers.flatten());
    m.add(layers.dense({ units: 2 }));
    m.compile({ optimizer: 'adam', loss: 'softmaxCrossEntropy' });
    const x = tensor(Float32Array.from(lcgData(4 * 36, 9)), [4, 6, 6, 1]);
    const y = new Int32Array([0, 1, 1, 0]);
    await m.fit(x, y, { epochs: 1, batchSize: 2 });
    const before = m.predict(x).data.slice();
    const w = m.getWeights().map((t) => t.data.slice());
    const bad = tensor(Float32Array.from(lcgData(4 * 36, 9)), [4, 36, 1, 1]);
    await expect(m.fit(bad, y, { epochs: 1 })).rejects.toThrow(/per-sample shape \[36, 1, 1\] but the model expects \[6, 6, 1\]/);
    expect(() => m.trainOnBatch(tensor(new Float32Array(4 * 36), [4, 6, 6]), y)).toThrow(/rank 4/);
    expect(m.predict(x).data).toEqual(before);
    m.getWeights().forEach((t, i) => expect(t.data).toEqual(w[i]));
  });
});
