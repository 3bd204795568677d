// Memory lifecycle: building, training and disposing models gives every byte back to the
// arena (a hyperparameter search creates hundreds of models in one page).
import { describe, it, expect } from 'vitest';
import { runtime } from '../../bindings/index.js';
import { Sequential, layers, optimizers, tensor } from '../../src/index.js';

function makeAndTrain(seed: number): Promise<unknown> {
  const m = new Sequential({ seed });
  m.add(layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', inputShape: [6, 6, 1] }));
  m.add(layers.batchNorm());
  m.add(layers.relu());
  m.add(layers.maxPool2d());
  m.add(layers.flatten());
  m.add(layers.dropout({ rate: 0.2 }));
  m.add(layers.dense({ units: 3 }));
  m.compile({ optimizer: seed % 2 ? optimizers.adam() : optimizers.sgd({ momentum: 0.9 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  const x = tensor(Float32Array.from({ length: 10 * 36 }, (_, i) => Math.sin(i * seed)), [10, 6, 6, 1]);
  const y = Int32Array.from({ length: 10 }, (_, i) => i % 3);
  return m.fit(x, y, { epochs: 2, batchSize: 4, validationSplit: 0.2, augment: { shift: 1 } }).then(() => {
    m.predict(x, { batchSize: 7 });
    m.dispose();
  });
}

describe('model lifecycle', () => {
  it('dispose returns all memory: 30 build/train/dispose cycles leave the arena as it was', async () => {
    const arena = runtime().arena;
    await makeAndTrain(1);
    const before = arena.used;
    expect(before).toBe(0); // nothing outlives a disposed model
    const pagesBefore = arena.buffer.byteLength;
    for (let s = 2; s < 32; s++) await makeAndTrain(s);
    expect(arena.used).toBe(before);
    expect(arena.buffer.byteLength).toBe(pagesBefore); // freed blocks are reused, memory did not grow
  });

  it('a disposed model refuses every call, with a message', () => {
    const m = new Sequential({ seed: 1 });
    m.add(layers.dense({ units: 2, inputShape: [3] }));
    m.dispose();
    expect(() => m.predict(tensor(new Float32Array(3), [1, 3]))).toThrow(/disposed/);
    expect(() => m.getWeights()).toThrow(/disposed/);
    expect(() => m.dispose()).not.toThrow(); // idempotent
  });
});

describe('fit while fit is running', () => {
  it('a second fit, trainOnBatch or dispose is refused; predict from a callback is safe', async () => {
    const m = new Sequential({ seed: 5 });
    m.add(layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }));
    m.add(layers.dense({ units: 2 }));
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'softmaxCrossEntropy' });
    const x = tensor(Float32Array.from({ length: 60 }, (_, i) => Math.cos(i)), [20, 3]);
    const y = Int32Array.from({ length: 20 }, (_, i) => i % 2);
    const twin = new Sequential({ seed: 5 });
    twin.add(layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }));
    twin.add(layers.dense({ units: 2 }));
    twin.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'softmaxCrossEntropy' });
    const big = tensor(new Float32Array(300 * 3), [300, 3]);
    const running = m.fit(x, y, {
      epochs: 3, batchSize: 4,
      // a predict with a larger batch reallocates the model's buffers between two steps
      callbacks: [{ onBatchEnd: () => { m.predict(big, { batchSize: 300 }); } }],
    });
    await expect(m.fit(x, y)).rejects.toThrow(/already running/);
    expect(() => m.trainOnBatch(x, y)).toThrow(/fit is already running/);
    expect(() => m.dispose()).toThrow(/fit is already running/);
    await running;
    await twin.fit(x, y, { epochs: 3, batchSize: 4 });
    // the interleaved predicts changed nothing about training
    m.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(twin.getWeights()[i].data)));
    m.dispose();
    twin.dispose();
  });
});
