// Initializers and learning-rate schedules against their formulas (src/initializers.ts and
// src/schedules.ts headers; Keras VarianceScaling; torch StepLR; SGDR). Expected values are
// computed here from the formulas, never read back from the library.

import { describe, expect, it } from 'vitest';
import { Sequential, initializers, layers, optimizers, schedules, type Initializer, type LearningRateSchedule } from '../../src/index.js';
import { randLabels, randn } from './helpers.js';

const FAN_IN = 400;
const FAN_OUT = 300;

function kernel(init: string | Initializer, units = FAN_OUT, pieces = 0): Float64Array {
  const m = new Sequential({ seed: 3, dtype: 'float64' });
  const kernelInitializer = init as Initializer;
  m.add(pieces ? layers.maxout({ units, pieces, inputShape: [FAN_IN], kernelInitializer }) : layers.dense({ units, inputShape: [FAN_IN], kernelInitializer }));
  return Float64Array.from(m.getWeights()[0].data);
}

function moments(w: Float64Array) {
  const n = w.length;
  const mean = w.reduce((s, v) => s + v, 0) / n;
  let m2 = 0, m4 = 0, min = Infinity, max = -Infinity;
  for (const v of w) {
    const d = v - mean;
    m2 += d * d; m4 += d ** 4;
    min = Math.min(min, v); max = Math.max(max, v);
  }
  return { n, mean, std: Math.sqrt(m2 / n), kurtosis: (m4 / n) / (m2 / n) ** 2, min, max };
}

/** Variance and kurtosis of N(0, 1) truncated to [−2, 2], by Simpson's rule. */
const truncated = (() => {
  const steps = 4000, a = -2, h = 4 / steps;
  const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  let z = 0, m2 = 0, m4 = 0;
  for (let i = 0; i <= steps; i++) {
    const x = a + i * h;
    const wt = i === 0 || i === steps ? 1 : i % 2 ? 4 : 2;
    z += wt * phi(x); m2 += wt * x * x * phi(x); m4 += wt * x ** 4 * phi(x);
  }
  return { std: Math.sqrt(m2 / z), kurtosis: (m4 / z) / (m2 / z) ** 2 };
})();

function expectNormal(w: Float64Array, mean: number, std: number): void {
  const s = moments(w);
  expect(Math.abs(s.mean - mean)).toBeLessThan(5 * std / Math.sqrt(s.n));
  expect(Math.abs(s.std / std - 1)).toBeLessThan(0.015);
  expect(Math.abs(s.kurtosis - 3)).toBeLessThan(0.1);
  expect(Math.max(mean - s.min, s.max - mean)).toBeGreaterThan(3.5 * std); // not truncated
}

/** Keras VarianceScaling truncated normal: cut at ±2σ′, σ′ = std / std(truncated N). */
function expectTruncatedNormal(w: Float64Array, std: number): void {
  const s = moments(w);
  const cut = (2 * std) / truncated.std;
  expect(Math.abs(s.mean)).toBeLessThan(5 * std / Math.sqrt(s.n));
  expect(Math.abs(s.std / std - 1)).toBeLessThan(0.015);
  expect(Math.abs(s.kurtosis - truncated.kurtosis)).toBeLessThan(0.05);
  expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(cut * (1 + 1e-12));
  expect(Math.min(-s.min, s.max)).toBeGreaterThan(0.98 * cut);
}

function expectUniform(w: Float64Array, lo: number, hi: number): void {
  const s = moments(w);
  const range = hi - lo;
  expect(s.min).toBeGreaterThanOrEqual(lo);
  expect(s.max).toBeLessThanOrEqual(hi);
  expect(s.min).toBeLessThan(lo + 1e-3 * range);
  expect(s.max).toBeGreaterThan(hi - 1e-3 * range);
  expect(Math.abs(s.mean - (lo + hi) / 2)).toBeLessThan(5 * range / Math.sqrt(12 * s.n));
  expect(Math.abs(s.std / (range / Math.sqrt(12)) - 1)).toBeLessThan(0.015);
  expect(Math.abs(s.kurtosis - 1.8)).toBeLessThan(0.05);
}

describe('initializers on a dense 400 → 300 kernel', () => {
  it('zeros, ones, constant', () => {
    expect(kernel('zeros').every((v) => v === 0)).toBe(true);
    expect(kernel('ones').every((v) => v === 1)).toBe(true);
    expect(kernel(initializers.constant({ value: -0.7 })).every((v) => v === -0.7)).toBe(true);
    expect(kernel('constant').every((v) => v === 0)).toBe(true); // Keras default value 0
  });

  it('randomNormal and randomUniform, default and given arguments', () => {
    expectNormal(kernel('randomNormal'), 0, 0.05);
    expectNormal(kernel(initializers.randomNormal({ mean: 0.5, stddev: 0.2 })), 0.5, 0.2);
    expectUniform(kernel('randomUniform'), -0.05, 0.05);
    expectUniform(kernel(initializers.randomUniform({ minval: -0.3, maxval: 0.1 })), -0.3, 0.1);
  });

  it("the lecture's smallRandom N(0, 0.01²) and xavier N(0, 1/fanIn)", () => {
    expectNormal(kernel('smallRandom'), 0, 0.01);
    expectNormal(kernel('xavier'), 0, Math.sqrt(1 / FAN_IN));
  });

  it('glorot, he, lecun (truncated normal and uniform)', () => {
    expectTruncatedNormal(kernel('glorotNormal'), Math.sqrt(2 / (FAN_IN + FAN_OUT)));
    expectUniform(kernel('glorotUniform'), -Math.sqrt(6 / (FAN_IN + FAN_OUT)), Math.sqrt(6 / (FAN_IN + FAN_OUT)));
    expectTruncatedNormal(kernel('heNormal'), Math.sqrt(2 / FAN_IN));
    expectUniform(kernel('heUniform'), -Math.sqrt(6 / FAN_IN), Math.sqrt(6 / FAN_IN));
    expectTruncatedNormal(kernel('lecunNormal'), Math.sqrt(1 / FAN_IN));
    expectUniform(kernel('lecunUniform'), -Math.sqrt(3 / FAN_IN), Math.sqrt(3 / FAN_IN));
  });

  it('maxout fans are those of one piece (fanOut = units)', () => {
    const limit = Math.sqrt(6 / (FAN_IN + 100));
    expectUniform(kernel('glorotUniform', 100, 3), -limit, limit);
  });

  it('the default kernel initializer is glorotUniform (Keras)', () => {
    const m = new Sequential({ seed: 3, dtype: 'float64' });
    m.add(layers.dense({ units: FAN_OUT, inputShape: [FAN_IN] }));
    const limit = Math.sqrt(6 / (FAN_IN + FAN_OUT));
    expectUniform(Float64Array.from(m.getWeights()[0].data), -limit, limit);
    expect(Array.from(m.getWeights()[1].data).every((v) => v === 0)).toBe(true);
  });
});

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function expectSchedule(s: LearningRateSchedule, want: (step: number) => number, steps = 40): void {
  for (let t = 0; t < steps; t++) expect(rel(s.at(t), want(t)), `step ${t}: ${s.at(t)} vs ${want(t)}`).toBeLessThan(1e-12);
}

describe('learning-rate schedules', () => {
  it('stepDecay: lr·γ^⌊t/stepSize⌋ (torch StepLR), default γ = 0.1', () => {
    expectSchedule(schedules.stepDecay({ initialLearningRate: 0.1, stepSize: 3, gamma: 0.5 }), (t) => 0.1 * 0.5 ** Math.floor(t / 3));
    expectSchedule(schedules.stepDecay({ initialLearningRate: 2, stepSize: 10 }), (t) => 2 * 0.1 ** Math.floor(t / 10));
  });

  it('exponentialDecay: lr·rate^(t/decaySteps), and ⌊t/decaySteps⌋ with staircase', () => {
    expectSchedule(schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.9 }), (t) => 0.1 * 0.9 ** (t / 4));
    expectSchedule(schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.9, staircase: true }), (t) => 0.1 * 0.9 ** Math.floor(t / 4));
  });

  it('cosineDecay: lr·((1 − α)·½(1 + cos(π·min(t, T)/T)) + α)', () => {
    const cos = (t: number, T: number, a: number) => 0.1 * ((1 - a) * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, T)) / T)) + a);
    expectSchedule(schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }), (t) => cos(t, 10, 0));
    expectSchedule(schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 0.2 }), (t) => cos(t, 10, 0.2));
    expect(schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }).at(10)).toBeLessThan(1e-17);
  });

  it('cosineDecay warm-up: linear in equal steps of lr/warmupSteps, nonzero at step 0, lr when it ends', () => {
    const W = 5;
    const s = schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupSteps: W });
    expect(s.at(0)).toBeGreaterThan(0);
    for (let t = 1; t < W; t++) expect(rel(s.at(t) - s.at(t - 1), 0.1 / W)).toBeLessThan(1e-12);
    expect(rel(s.at(W), 0.1)).toBeLessThan(1e-12);
    for (let t = W; t < W + 15; t++) expect(Math.abs(s.at(t) - 0.1 * 0.5 * (1 + Math.cos((Math.PI * Math.min(t - W, 10)) / 10)))).toBeLessThan(1e-13);
  });

  it('the optimizer applies the scheduled rate: SGD steps are w − lr(t)·∇ for t = 0, 1, …', () => {
    const lr = (t: number) => 0.5 * 0.5 ** Math.floor(t / 2);
    const m = new Sequential({ seed: 4, dtype: 'float64' });
    m.add(layers.dense({ units: 3, inputShape: [5], activation: 'tanh' }));
    m.compile({ optimizer: optimizers.sgd({ learningRate: schedules.stepDecay({ initialLearningRate: 0.5, stepSize: 2, gamma: 0.5 }) }), loss: 'softmaxCrossEntropy' });
    const x = randn([8, 5], 1);
    const y = randLabels(8, 3, 2);
    for (let t = 0; t < 6; t++) {
      expect(rel(m.optimizer!.currentLearningRate, lr(t))).toBeLessThan(1e-12);
      const before = m.getWeights().map((w) => Float64Array.from(w.data));
      const g = m.computeGradients(x, y).grads;
      m.trainOnBatch(x, y);
      m.getWeights().forEach((w, i) => {
        for (let j = 0; j < w.size; j++) expect(Math.abs(w.data[j] - (before[i][j] - lr(t) * g[i].data[j]))).toBeLessThan(1e-15);
      });
    }
  });

  it('fit reports the learning rate of the next update in the epoch logs', async () => {
    const s = { initialLearningRate: 0.01, decaySteps: 3, decayRate: 0.5 };
    const m = new Sequential({ seed: 5, dtype: 'float64' });
    m.add(layers.dense({ units: 3, inputShape: [5] }));
    m.compile({ optimizer: optimizers.adam({ learningRate: schedules.exponentialDecay(s) }), loss: 'softmaxCrossEntropy' });
    const got: number[] = [];
    await m.fit(randn([12, 5], 3), randLabels(12, 3, 4), { epochs: 3, batchSize: 4, callbacks: [{ onEpochEnd: (_e, logs) => { got.push(logs.learningRate!); } }] });
    [3, 6, 9].forEach((steps, e) => expect(rel(got[e], 0.01 * 0.5 ** (steps / 3))).toBeLessThan(1e-12));
  });
});
