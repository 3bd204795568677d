import { describe, it, expect } from 'vitest';
import { Sequential, layers, optimizers, tensor } from '../../src/index.js';

describe('quick', () => {
  it('trains xor', async () => {
    const m = new Sequential({ seed: 1 });
    m.add(layers.dense({ units: 8, inputShape: [2], activation: 'tanh' }));
    m.add(layers.dense({ units: 2 }));
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = new Int32Array([0, 1, 1, 0]);
    const h = await m.fit(x, y, { epochs: 200, batchSize: 4 });
    console.log(h.loss.at(-1), h.accuracy.at(-1));
    m.summary();
    expect(h.accuracy.at(-1)).toBe(1);
  });
});
