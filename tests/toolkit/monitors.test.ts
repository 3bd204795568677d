// fit({monitor: true}) and callbacks.babysitter(): the monitors against independent JS
// computations from weight snapshots and gradients, their scaling with the learning rate,
// and the babysitter's warnings on the lecture's failure modes.
import { describe, expect, it } from 'vitest';
import { Sequential, callbacks, initializers, layers, optimizers, tensor, type Tensor } from '../../src/index.js';
import { randLabels, randn } from '../model/helpers.js';

const N = 24, D = 6, C = 3;
const x = randn([N, D], 11);
const y = randLabels(N, C, 12);

function net(lr: number, seed = 5, biasInit: unknown = 'zeros'): Sequential {
  const m = new Sequential({ seed, dtype: 'float64' });
  m.add(layers.dense({ units: 8, inputShape: [D], activation: 'relu', kernelInitializer: 'heNormal', biasInitializer: biasInit as 'zeros', name: 'hidden' }));
  m.add(layers.dense({ units: C, name: 'out' }));
  m.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss: 'softmaxCrossEntropy' });
  return m;
}

const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
const diffNorm = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v, i) => s + (v - b[i]) ** 2, 0));

describe('fit monitors', () => {
  it('updateRatio is the mean over the epoch of ‖Δw‖/‖w‖ from weight snapshots; gradNorm the mean ‖∇w‖', async () => {
    const m = net(0.05);
    const names = m.params().map((p) => p.name);
    const snaps: Tensor[][] = [m.getWeights()];
    const grads: number[][] = [];
    const batch = 8;
    // the gradients of each batch, from a twin that takes the same steps (no dropout: computeGradients is the step's gradient)
    const twin = net(0.05);
    for (let s = 0; s < N / batch; s++) {
      const xb = randnSlice(x, s * batch, batch), yb = y.subarray(s * batch, (s + 1) * batch);
      grads.push(twin.computeGradients(xb, yb).grads.map((g) => norm(g.data)));
      twin.trainOnBatch(xb, yb);
    }
    const h = await m.fit(x, y, { epochs: 1, batchSize: batch, shuffle: false, monitor: true,
      callbacks: [callbacks.lambda({ onBatchEnd: () => { snaps.push(m.getWeights()); } })] });
    expect(h.monitors).toHaveLength(1);
    const mon = h.monitors[0];
    names.forEach((name, i) => {
      let ratio = 0, counted = 0, g = 0;
      for (let s = 1; s < snaps.length; s++) {
        const w = norm(snaps[s - 1][i].data);
        if (w > 0) { ratio += diffNorm(snaps[s][i].data, snaps[s - 1][i].data) / w; counted++; } // zero biases at first: left out
        g += grads[s - 1][i];
      }
      expect(counted).toBeGreaterThan(0);
      expect(mon.updateRatio[name], name).toBeCloseTo(ratio / counted, 12);
      expect(mon.gradNorm[name], name).toBeCloseTo(g / (snaps.length - 1), 10);
    });
    expect(Object.keys(mon.deadShare)).toEqual(['hidden']);
    m.dispose(); twin.dispose();
  });

  it('deadShare is the share of exact zeros of the ReLU layer in the training batch', async () => {
    const m = net(0, 5, initializers.constant({ value: -0.5 }));
    const probe = new Sequential({ seed: 5, dtype: 'float64' });
    probe.add(layers.dense({ units: 8, inputShape: [D], activation: 'relu' }));
    probe.setWeights(m.getWeights().slice(0, 2));
    const h = probe.predict(x).data;
    const zeros = Array.from(h).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThan(h.length);
    const hist = await m.fit(x, y, { epochs: 1, batchSize: N, monitor: true });
    expect(hist.monitors[0].deadShare.hidden).toBe(zeros / h.length);
    m.dispose(); probe.dispose();
  });

  it('10× the learning rate gives about 10× the update/weight ratio (first epoch, plain SGD)', async () => {
    const ratios: number[] = [];
    for (const lr of [1e-4, 1e-3]) {
      const m = net(lr);
      const h = await m.fit(x, y, { epochs: 1, batchSize: N, monitor: true });
      ratios.push(h.monitors[0].updateRatio['hidden/kernel']);
      m.dispose();
    }
    expect(ratios[1] / ratios[0]).toBeGreaterThan(9.9);
    expect(ratios[1] / ratios[0]).toBeLessThan(10.1);
  });

  it('without monitor, history.monitors stays empty; a non-boolean monitor is refused', async () => {
    const m = net(0.01);
    expect((await m.fit(x, y, { epochs: 2 })).monitors).toEqual([]);
    await expect(m.fit(x, y, { monitor: 'yes' as unknown as boolean })).rejects.toThrow(/monitor/);
    m.dispose();
  });
});

describe('babysitter', () => {
  const run = async (lr: number, biasInit: unknown = 'zeros') => {
    const warned: string[] = [];
    const b = callbacks.babysitter({ warn: (s) => warned.push(s) });
    const m = net(lr, 5, biasInit);
    await m.fit(x, y, { epochs: 3, batchSize: 8, callbacks: [b] }).catch(() => undefined);
    m.dispose();
    expect(b.warnings).toEqual(warned);
    return warned;
  };

  it('says nothing on a healthy run, once per kind otherwise', async () => {
    const healthy = await run(0.003);
    expect(healthy, healthy.join('; ')).toEqual([]);
    const low = await run(1e-7);
    expect(low).toHaveLength(1);
    expect(low[0]).toMatch(/below 0.0001.*too low/);
    const high = await run(30);
    expect(high.some((w) => /too high/.test(w))).toBe(true);
    expect(new Set(high).size).toBe(high.length);
    const dead = await run(0.02, initializers.constant({ value: -100 }));
    expect(dead.some((w) => /'hidden' are exactly zero/.test(w))).toBe(true);
  });

  it('refuses a bad ratio range', () => {
    expect(() => callbacks.babysitter({ ratioRange: [1e-2, 1e-4] })).toThrow(/ratioRange/);
  });
});

function randnSlice(t: Tensor, from: number, n: number): Tensor {
  const per = t.shape[1];
  return tensor(t.data.slice(from * per, (from + n) * per), [n, per], 'float64');
}
