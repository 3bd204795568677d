// Normalization semantics through the public API, against float64 formulas computed here.
import { describe, it, expect } from 'vitest';
import { Sequential, layers, optimizers, tensor, type Layer } from '../../src/index.js';
import { lcgData } from './fd.js';

const shape = [5, 4, 6];
const n = 3;
const x = tensor(lcgData(n * 120, 21).map((v, i) => v * 3 + (i % 6)), [n, ...shape], 'float64');

function single(layer: Layer): Sequential {
  const m = new Sequential({ seed: 2, dtype: 'float64' });
  m.add(layer);
  m.build(shape);
  m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'mse' });
  return m;
}

/** Per-channel mean and biased std of a [rows, C] view. */
function channelStats(d: ArrayLike<number>, C: number): { mean: number[]; std: number[] } {
  const rows = d.length / C;
  const mean = Array.from({ length: C }, (_, c) => { let s = 0; for (let r = 0; r < rows; r++) s += d[r * C + c]; return s / rows; });
  const std = mean.map((mu, c) => { let s = 0; for (let r = 0; r < rows; r++) s += (d[r * C + c] - mu) ** 2; return Math.sqrt(s / rows); });
  return { mean, std };
}

describe('batch normalization', () => {
  it('training output has per-channel mean ≈ beta and std ≈ gamma', () => {
    const m = single(layers.batchNorm({ momentum: 0.5 }));
    const gamma = [0.5, 1, 2, 3, 0.25, 1.5], beta = [-1, 0, 1, 2, 3, -2];
    m.setWeights([gamma, beta, new Array(6).fill(0), new Array(6).fill(1)]);
    // one training step with learning rate 0: the layer output is what mse saw; read it back
    // through computeGradients' loss identity instead: y = x̂·γ + β, so check via the targets
    const zeros = tensor(new Float64Array(n * 120), [n, ...shape], 'float64');
    const { loss } = m.computeGradients(x, zeros); // mean(y²) in training mode
    const st = channelStats(x.data, 6);
    // E[y²] per channel = γ²·(σ²/(σ² + ε)) + β² for a normalized batch (biased variance)
    let expected = 0;
    for (let c = 0; c < 6; c++) expected += gamma[c] ** 2 * (st.std[c] ** 2 / (st.std[c] ** 2 + 1e-3)) + beta[c] ** 2;
    expect(loss).toBeCloseTo(expected / 6, 10);
  });

  it('training mode normalizes per channel; inference uses the moving statistics', () => {
    const m = single(layers.batchNorm({ momentum: 0.9, epsilon: 1e-3 }));
    const gamma = [1, 2, 1, 1, 0.5, 1], beta = [0, 1, 0, -1, 0, 0.5];
    const mm = [1, 2, 3, 4, 5, 6], mv = [0.5, 1, 2, 4, 1, 3];
    m.setWeights([gamma, beta, mm, mv]);
    const y = m.predict(x).data;
    for (let i = 0; i < y.length; i++) {
      const c = i % 6;
      expect(y[i]).toBeCloseTo(((x.data[i] - mm[c]) / Math.sqrt(mv[c] + 1e-3)) * gamma[c] + beta[c], 12);
    }
    // a training step commits m = 0.9·m + 0.1·batch (biased variance)
    m.trainOnBatch(x, tensor(new Float64Array(n * 120), [n, ...shape], 'float64'));
    const st = channelStats(x.data, 6);
    const [, , newMean, newVar] = m.getWeights().map((t) => Array.from(t.data));
    for (let c = 0; c < 6; c++) {
      expect(newMean[c]).toBeCloseTo(0.9 * mm[c] + 0.1 * st.mean[c], 12);
      expect(newVar[c]).toBeCloseTo(0.9 * mv[c] + 0.1 * st.std[c] ** 2, 12);
    }
  });

  it('the training-mode output itself: mean ≈ beta, std ≈ gamma per channel', () => {
    // dense identity trick: batchNorm then a frozen-free dense with identity kernel would
    // change the stats, so read the output through the layer's exposed buffer instead
    const bn = layers.batchNorm();
    const m = single(bn);
    const gamma = [0.5, 1, 2, 3, 0.25, 1.5], beta = [-1, 0, 1, 2, 3, -2];
    m.setWeights([gamma, beta, new Array(6).fill(0), new Array(6).fill(1)]);
    m.computeGradients(x, tensor(new Float64Array(n * 120), [n, ...shape], 'float64'));
    const out = Array.from(bn.output.view(n * 120));
    const st = channelStats(out, 6);
    const xs = channelStats(x.data, 6);
    for (let c = 0; c < 6; c++) {
      expect(st.mean[c]).toBeCloseTo(beta[c], 10);
      // biased std of x̂ is σ/√(σ² + ε): slightly below 1 because of epsilon
      expect(st.std[c]).toBeCloseTo(gamma[c] * xs.std[c] / Math.sqrt(xs.std[c] ** 2 + 1e-3), 10);
    }
  });
});

describe('group normalization end points', () => {
  const gb = [[0.5, 1, 2, 3, 0.25, 1.5], [-1, 0, 1, 2, 3, -2]];
  const run = (l: Layer) => { const m = single(l); m.setWeights(gb); return Array.from(m.predict(x).data); };

  it('groups 1 equals layerNorm; groups C equals instanceNorm', () => {
    expect(run(layers.groupNorm({ groups: 1 }))).toEqual(run(layers.layerNorm()));
    expect(run(layers.groupNorm({ groups: 6 }))).toEqual(run(layers.instanceNorm()));
  });

  it('groupNorm matches the formula per sample and group', () => {
    const G = 3, C = 6, S = 20, cg = 2;
    const y = run(layers.groupNorm({ groups: G }));
    for (let s0 = 0; s0 < n; s0++) {
      for (let g = 0; g < G; g++) {
        const vals: number[] = [];
        for (let s = 0; s < S; s++) for (let c = g * cg; c < (g + 1) * cg; c++) vals.push(x.data[(s0 * S + s) * C + c]);
        const mu = vals.reduce((a, b) => a + b, 0) / vals.length;
        const v = vals.reduce((a, b) => a + (b - mu) ** 2, 0) / vals.length;
        for (let s = 0; s < S; s++) {
          for (let c = g * cg; c < (g + 1) * cg; c++) {
            const i = (s0 * S + s) * C + c;
            expect(y[i]).toBeCloseTo(((x.data[i] - mu) / Math.sqrt(v + 1e-3)) * gb[0][c] + gb[1][c], 11);
          }
        }
      }
    }
  });

  it('layerNorm differs from instanceNorm on images (they normalize different sets)', () => {
    const a = run(layers.layerNorm()), b = run(layers.instanceNorm());
    expect(a.some((v, i) => Math.abs(v - b[i]) > 1e-3)).toBe(true);
  });
});

describe('layer registry', () => {
  it('rebuilds every layer class from its className and getConfig()', async () => {
    const { layerRegistry } = await import('../../src/layers/index.js');
    const m = new Sequential({ seed: 4 });
    const ls = [
      layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'elu' }), layers.batchNorm({ momentum: 0.9 }),
      layers.prelu(), layers.maxPool2d(), layers.groupNorm({ groups: 2 }), layers.instanceNorm(), layers.avgPool2d({ poolSize: 1 }),
      layers.layerNorm(), layers.leakyRelu({ alpha: 0.2 }), layers.globalAvgPool2d(), layers.dropout({ rate: 0.1 }),
      layers.dense({ units: 6, activation: 'tanh' }), layers.maxout({ units: 3, pieces: 2 }), layers.sigmoid(), layers.relu(), layers.elu(), layers.tanh(),
    ];
    for (const l of ls) m.add(l);
    m.build([6, 6, 2]);
    const names = new Set<string>();
    for (const l of m.layers) {
      names.add(l.className);
      const copy = layerRegistry.fromConfig({ className: l.className, config: l.getConfig() });
      expect(copy.className).toBe(l.className);
      expect(copy.getConfig()).toEqual(l.getConfig());
    }
    expect(names.size).toBe(17);
  });
});
