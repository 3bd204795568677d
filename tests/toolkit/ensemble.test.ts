// ensemble(models) against independent JS computations of the members' probabilities and
// of the cross-entropy/accuracy of their mean; the lecture's claim on a noisy problem; the
// member checks. callbacks.weightAverage against a JS EMA of weight snapshots taken by a
// lambda callback after each batch (bit for bit in float64), swapIn/swapOut, averagedModel.
import { describe, expect, it } from 'vitest';
import { runtime } from '../../bindings/index.js';
import { Sequential, callbacks, ensemble, layers, losses, optimizers, tensor, type Tensor } from '../../src/index.js';
import { expectSameBits, normalRng, randLabels, randn, uniformRng } from '../model/helpers.js';

const D = 4, C = 3, N = 30;
const x = randn([N, D], 1);
const y = randLabels(N, C, 2);

type Out = 'logits' | 'softmax' | 'binaryLogits' | 'sigmoid' | 'regression';

function member(seed: number, out: Out = 'logits', dtype: 'float32' | 'float64' = 'float32', units = out === 'binaryLogits' || out === 'sigmoid' ? 2 : C): Sequential {
  const m = new Sequential({ seed, dtype });
  m.add(layers.dense({ units: 8, inputShape: [D], activation: 'tanh' }));
  m.add(layers.dense({ units, activation: out === 'softmax' ? 'softmax' : out === 'sigmoid' ? 'sigmoid' : 'linear' }));
  const loss = { logits: 'softmaxCrossEntropy', softmax: 'sparseCategoricalCrossentropy', binaryLogits: 'sigmoidCrossEntropy', sigmoid: 'binaryCrossentropy', regression: 'mse' }[out];
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: loss as 'mse', metrics: out === 'regression' ? [] : ['accuracy'] });
  return m;
}

function jsSoftmax(t: Tensor): Float64Array {
  const [n, c] = [t.shape[0], t.size / t.shape[0]];
  const out = new Float64Array(t.size);
  for (let r = 0; r < n; r++) {
    let mx = -Infinity;
    for (let j = 0; j < c; j++) mx = Math.max(mx, t.data[r * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += (out[r * c + j] = Math.exp(t.data[r * c + j] - mx));
    for (let j = 0; j < c; j++) out[r * c + j] /= s;
  }
  return out;
}

const jsSigmoid = (t: Tensor) => Float64Array.from(t.data, (v) => 1 / (1 + Math.exp(-v)));

function mean(arrays: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(arrays[0].length);
  for (const a of arrays) for (let i = 0; i < out.length; i++) out[i] += a[i] / arrays.length;
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(worst).toBeLessThan(tol);
}

const argmax = (a: ArrayLike<number>, r: number, c: number) => {
  let b = 0;
  for (let j = 1; j < c; j++) if (a[r * c + j] > a[r * c + b]) b = j;
  return b;
};

describe('ensemble.predict', () => {
  it('is the mean of the members\' probabilities: softmax of logits members, softmax outputs as they are', () => {
    const ms = [member(1), member(2, 'softmax'), member(3, 'logits', 'float64')];
    const e = ensemble(ms);
    expect(e.kind).toBe('categorical');
    const p = e.predict(x);
    expect(p.shape).toEqual([N, C]);
    expect(p.dtype).toBe('float64'); // one float64 member
    const want = mean([jsSoftmax(ms[0].predict(x)), ms[1].predict(x).data, jsSoftmax(ms[2].predict(x))]);
    expectClose(p.data, want, 2e-7);
    for (let r = 0; r < N; r++) expect(p.data[r * C] + p.data[r * C + 1] + p.data[r * C + 2]).toBeCloseTo(1, 6);
    // float32 members only: a float32 result, the same mean
    const e32 = ensemble([ms[0], ms[1]]);
    const p32 = e32.predict(x, { batchSize: 7 });
    expect(p32.dtype).toBe('float32');
    expectClose(p32.data, mean([jsSoftmax(ms[0].predict(x)), ms[1].predict(x).data]), 2e-7);
    for (const m of ms) m.dispose();
  });

  it('binary members: sigmoid of logits, sigmoid outputs as they are; regression: the plain mean', () => {
    const bs = [member(4, 'binaryLogits'), member(5, 'sigmoid')];
    const eb = ensemble(bs);
    expect(eb.kind).toBe('binary');
    expectClose(eb.predict(x).data, mean([jsSigmoid(bs[0].predict(x)), bs[1].predict(x).data]), 2e-7);
    const rs = [member(6, 'regression'), member(7, 'regression'), member(8, 'regression')];
    const er = ensemble(rs);
    expect(er.kind).toBe('regression');
    expectClose(er.predict(x).data, mean(rs.map((m) => m.predict(x).data)), 1e-6);
    for (const m of [...bs, ...rs]) m.dispose();
  });

  it('of one member is that member\'s probabilities, the same bits as the softmax helper', async () => {
    const m = member(9);
    const { softmax } = await import('../../src/index.js');
    expectSameBits([ensemble([m]).predict(x).data], [softmax(m.predict(x)).data]);
    m.dispose();
  });
});

describe('ensemble.evaluate', () => {
  it('cross-entropy and accuracy of the averaged probabilities (labels and one-hot)', () => {
    const ms = [member(1), member(2, 'softmax'), member(3)];
    const e = ensemble(ms);
    const p = e.predict(x).data;
    let ce = 0, hits = 0;
    for (let r = 0; r < N; r++) {
      ce -= Math.log(p[r * C + y[r]]) / N;
      if (argmax(p, r, C) === y[r]) hits++;
    }
    const ev = e.evaluate(x, y);
    expect(ev.loss).toBeCloseTo(ce, 10);
    expect(ev.accuracy).toBe(hits / N);
    const onehot = Array.from(y, (l) => Array.from({ length: C }, (_, j) => (j === l ? 1 : 0)));
    const ev2 = e.evaluate(x, onehot);
    expect(ev2.loss).toBeCloseTo(ce, 10);
    expect(ev2.accuracy).toBe(hits / N);
    for (const m of ms) m.dispose();
  });

  it('of one logits member matches the member\'s own evaluate (its fused logits loss)', () => {
    const m = member(11);
    const own = m.evaluate(x, y);
    const ev = ensemble([m]).evaluate(x, y);
    expect(Math.abs(ev.loss - own.loss)).toBeLessThan(1e-6);
    expect(ev.accuracy).toBe(own.accuracy);
    m.dispose();
  });

  it('binary: mean over outputs of the binary cross-entropy; accuracy p > 0.5 vs t > 0.5; regression: mse', () => {
    const bs = [member(4, 'binaryLogits'), member(5, 'sigmoid')];
    const t = Float32Array.from({ length: N * 2 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
    const e = ensemble(bs);
    const p = e.predict(x).data;
    let ce = 0, hits = 0;
    for (let i = 0; i < p.length; i++) {
      ce -= (t[i] * Math.log(p[i]) + (1 - t[i]) * Math.log(1 - p[i])) / p.length;
      if ((p[i] > 0.5) === (t[i] > 0.5)) hits++;
    }
    const ev = e.evaluate(x, tensor(t, [N, 2]));
    expect(ev.loss).toBeCloseTo(ce, 10);
    expect(ev.accuracy).toBe(hits / p.length);
    // one binary-logits member: its own loss
    expect(Math.abs(ensemble([bs[0]]).evaluate(x, tensor(t, [N, 2])).loss - bs[0].evaluate(x, tensor(t, [N, 2])).loss)).toBeLessThan(1e-6);

    const rs = [member(6, 'regression', 'float64'), member(7, 'regression', 'float64')];
    const yr = randn([N, C], 3);
    const er = ensemble(rs);
    const pr = er.predict(x).data;
    let mse = 0;
    for (let i = 0; i < pr.length; i++) mse += (pr[i] - yr.data[i]) ** 2 / pr.length;
    const evr = er.evaluate(x, yr);
    expect(evr.loss).toBeCloseTo(mse, 12);
    expect(evr.accuracy).toBeUndefined();
    for (const m of [...bs, ...rs]) m.dispose();
  });

  it('clips probabilities at 1e-7: a confidently wrong ensemble has a finite loss', () => {
    const m = new Sequential({ seed: 1 });
    m.add(layers.dense({ units: 2, inputShape: [1], kernelInitializer: 'zeros', biasInitializer: 'zeros' }));
    m.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' });
    m.setWeights([Float32Array.of(0, 0), Float32Array.of(200, -200)]);
    const ev = ensemble([m]).evaluate([[0], [0]], Int32Array.of(1, 0));
    expect(ev.loss).toBeCloseTo(-0.5 * Math.log(1e-7), 4);
    expect(ev.accuracy).toBe(0.5);
    m.dispose();
  });
});

describe('an ensemble on a noisy problem', () => {
  it('3 differently seeded, overfitted models: the ensemble\'s held-out loss is below every member\'s, its accuracy above their mean', async () => {
    // two noisy concentric rings in 2-D with 10% flipped labels; 80 training samples, 1,000 held out
    const g = normalRng(7), u = uniformRng(8);
    const make = (n: number) => {
      const lab = Int32Array.from({ length: n }, () => (u() < 0.5 ? 0 : 1));
      const xs = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        const a = u() * 2 * Math.PI, r = lab[i] ? 1.5 : 0.6;
        xs[2 * i] = r * Math.cos(a) + 0.3 * g();
        xs[2 * i + 1] = r * Math.sin(a) + 0.3 * g();
        if (u() < 0.1) lab[i] = 1 - lab[i];
      }
      return { x: tensor(xs, [n, 2]), y: lab };
    };
    const train = make(80), test = make(1000);
    const ms: Sequential[] = [];
    for (const seed of [1, 2, 3]) {
      const m = new Sequential({ seed });
      m.add(layers.dense({ units: 64, inputShape: [2], activation: 'relu' }));
      m.add(layers.dense({ units: 64, activation: 'relu' }));
      m.add(layers.dense({ units: 2 }));
      m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      await m.fit(train.x, train.y, { epochs: 150, batchSize: 16 });
      ms.push(m);
    }
    const own = ms.map((m) => m.evaluate(test.x, test.y));
    const ev = ensemble(ms).evaluate(test.x, test.y);
    const meanLoss = own.reduce((s, o) => s + o.loss, 0) / 3;
    const meanAcc = own.reduce((s, o) => s + o.accuracy!, 0) / 3;
    // −log is convex: the cross-entropy of averaged probabilities never exceeds the members' mean
    // cross-entropy; overfitted members are confidently wrong in different places, so here it
    // is far below every member's (about 1.5 against 2.3–2.6)
    expect(ev.loss).toBeLessThan(meanLoss);
    expect(ev.loss).toBeLessThan(0.8 * Math.min(...own.map((o) => o.loss)));
    expect(ev.accuracy!).toBeGreaterThan(meanAcc);
    for (const m of ms) m.dispose();
  });
});

describe('ensemble member checks', () => {
  it('refuses bad member lists before running anything', () => {
    const a = member(1), b = member(2);
    expect(() => ensemble([])).toThrow(/list of models is empty/);
    expect(() => ensemble(a as never)).toThrow(/expects an array/);
    expect(() => ensemble([a, {} as never])).toThrow(/member 1 is an object .*not a model \(Sequential or Model\)/);
    const unc = new Sequential({ seed: 1 });
    unc.add(layers.dense({ units: C, inputShape: [D] }));
    expect(() => ensemble([a, unc])).toThrow(/member 1 .*is not compiled/);
    const unbuilt = new Sequential({ seed: 1 });
    unbuilt.add(layers.dense({ units: C }));
    unbuilt.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' });
    expect(() => ensemble([unbuilt])).toThrow(/member 0 .*is not built/);
    const wideIn = new Sequential({ seed: 1 });
    wideIn.add(layers.dense({ units: C, inputShape: [D + 1] }));
    wideIn.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' });
    expect(() => ensemble([a, wideIn])).toThrow(/member 1 takes inputs of shape \[5\] but member 0 takes \[4\]/);
    expect(() => ensemble([a, member(3, 'logits', 'float32', 4)])).toThrow(/member 1 outputs shape \[4\] but member 0 outputs \[3\]/);
    expect(() => ensemble([a, member(3, 'regression')])).toThrow(/member 1 has a regression loss \(mse\) but member 0 a categorical one/);
    expect(() => ensemble([member(4, 'binaryLogits'), member(5, 'logits', 'float32', 2)])).toThrow(/categorical loss/);
    const gone = member(6);
    gone.dispose();
    expect(() => ensemble([a, gone])).toThrow(/member 1 .*has been disposed/);
    // a member disposed after the ensemble was made: predict says so
    const e = ensemble([a, b]);
    b.dispose();
    expect(() => e.predict(x)).toThrow(/ensemble.predict: member 1 .*has been disposed/);
    expect(() => e.evaluate(x, y)).toThrow(/ensemble.evaluate: member 1 .*has been disposed/);
    expect(() => ensemble([a]).predict(x, { batch: 3 } as never)).toThrow(/unknown option 'batch'/);
    a.dispose();
    unc.dispose();
    unbuilt.dispose();
    wideIn.dispose();
  });

  it('frees its scratch memory', () => {
    const ms = [member(1, 'binaryLogits'), member(2, 'sigmoid')];
    const e = ensemble(ms);
    const t = tensor(new Float32Array(N * 2).fill(1), [N, 2]);
    e.evaluate(x, t);
    const before = runtime().arena.used;
    for (let i = 0; i < 3; i++) e.evaluate(x, t);
    expect(runtime().arena.used).toBe(before);
    for (const m of ms) m.dispose();
  });
});

// ---- callbacks.weightAverage -----------------------------------------------------------

function avgNet(seed: number, dtype: 'float32' | 'float64', bn = true): Sequential {
  const m = new Sequential({ seed, dtype });
  m.add(layers.dense({ units: 6, inputShape: [D], name: 'h' }));
  if (bn) m.add(layers.batchNorm({ name: 'bn' }));
  m.add(layers.relu());
  m.add(layers.dense({ units: C, name: 'out' }));
  m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  return m;
}

/** JS EMA (float64) of snapshots: avg = d·avg + (1 − d)·w after each batch. */
function snapshotEma(decay: number | ((t: number) => number)) {
  let avg: Float64Array[] | null = null;
  let t = 0;
  const cb = callbacks.lambda({
    onTrainBegin: (info) => { if (!avg) avg = info.model.getWeights().map((w) => Float64Array.from(w.data)); },
    onBatchEnd: () => {
      t++;
      const d = typeof decay === 'number' ? decay : decay(t);
      ws!().forEach((w, i) => { for (let j = 0; j < w.length; j++) avg![i][j] = d * avg![i][j] + (1 - d) * w[j]; });
    },
  });
  let ws: (() => ArrayLike<number>[]) | null = null;
  return { cb, bind: (m: Sequential) => { ws = () => m.getWeights().map((w) => w.data); }, get avg() { return avg!; } };
}

describe('callbacks.weightAverage', () => {
  const names = (m: Sequential) => m.params().map((p) => p.name);

  it('float64: the average is a JS EMA of per-batch snapshots, bit for bit; batch-norm statistics are copied, not averaged', async () => {
    const m = avgNet(1, 'float64');
    const wa = callbacks.weightAverage({ decay: 0.9 });
    const js = snapshotEma(0.9);
    js.bind(m);
    await m.fit(x, y, { epochs: 3, batchSize: 8, callbacks: [wa, js.cb] });
    expect(wa.updates).toBe(12);
    const got = wa.averagedWeights();
    const own = m.getWeights();
    const stat = names(m).map((n) => /moving/.test(n));
    expect(stat.filter(Boolean)).toHaveLength(2);
    expectSameBits(got.filter((_, i) => !stat[i]).map((t) => t.data), js.avg.filter((_, i) => !stat[i]), 'averaged');
    expectSameBits(got.filter((_, i) => stat[i]).map((t) => t.data), own.filter((_, i) => stat[i]).map((t) => t.data), 'moving statistics');
    // and the average is not just the final weights
    expect(got[0].data).not.toEqual(own[0].data);
    got.forEach((t, i) => { expect(t.shape).toEqual(own[i].shape); expect(t.dtype).toBe('float64'); });
    m.dispose();
  });

  it('float32: close to the float64 JS EMA (the kernel rounds in float32)', async () => {
    const m = avgNet(2, 'float32');
    const wa = callbacks.weightAverage({ decay: 0.95 });
    const js = snapshotEma(0.95);
    js.bind(m);
    await m.fit(x, y, { epochs: 4, batchSize: 5, callbacks: [js.cb, wa] });
    const got = wa.averagedWeights();
    got.forEach((t, i) => {
      if (/moving/.test(names(m)[i])) return;
      const scale = Math.max(1, ...Array.from(js.avg[i], Math.abs));
      expectClose(t.data, js.avg[i], 2e-6 * scale);
    });
    m.dispose();
  });

  it('warmup follows TensorFlow\'s num_updates rule; a second fit continues the average', async () => {
    const m = avgNet(3, 'float64', false);
    const wa = callbacks.weightAverage({ decay: 0.99, warmup: true });
    const js = snapshotEma((t) => Math.min(0.99, (1 + t) / (10 + t)));
    js.bind(m);
    await m.fit(x, y, { epochs: 2, batchSize: 10, callbacks: [wa, js.cb] });
    await m.fit(x, y, { epochs: 2, batchSize: 10, callbacks: [wa, js.cb] });
    expect(wa.updates).toBe(12);
    expectSameBits(wa.averagedWeights().map((t) => t.data), js.avg);
    m.dispose();
  });

  it('does not average a frozen layer', async () => {
    const m = avgNet(4, 'float64', false);
    const wa = callbacks.weightAverage({ decay: 0.9 });
    await m.fit(x, y, { epochs: 1, batchSize: 10, callbacks: [wa] });
    const first = wa.averagedWeights();
    expect(first[0].data).not.toEqual(m.getWeights()[0].data); // the average lags the weights
    m.layers[0].trainable = false;
    await m.fit(x, y, { epochs: 1, batchSize: 10, callbacks: [wa] });
    const second = wa.averagedWeights();
    // the frozen layer's average stays where it was (it would otherwise move toward its constant weights)
    expectSameBits([second[0].data, second[1].data], [first[0].data, first[1].data]);
    expect(second[2].data).not.toEqual(first[2].data);
    m.dispose();
  });

  it('swapIn/swapOut put the averaged weights in and the model\'s own back, bit for bit; averagedModel predicts the same', async () => {
    const m = avgNet(5, 'float32');
    const wa = callbacks.weightAverage({ decay: 0.8 });
    await m.fit(x, y, { epochs: 3, batchSize: 6, callbacks: [wa] });
    const own = m.getWeights().map((w) => w.data);
    const ownPred = m.predict(x).data;
    const avg = wa.averagedWeights().map((w) => w.data);
    expect(wa.swapped).toBe(false);
    wa.swapIn();
    expect(wa.swapped).toBe(true);
    expectSameBits(m.getWeights().map((w) => w.data), avg, 'swapped in');
    const avgPred = m.predict(x).data;
    expect(avgPred).not.toEqual(ownPred);
    expect(() => wa.swapIn()).toThrow(/already swapped in/);
    await expect(m.fit(x, y, { epochs: 1, callbacks: [wa] })).rejects.toThrow(/swapOut\(\) before training/);
    const am = await wa.averagedModel();
    expectSameBits([am.predict(x).data], [avgPred], 'averagedModel');
    expectSameBits(am.getWeights().map((w) => w.data), avg, 'averagedModel weights');
    wa.swapOut();
    expect(wa.swapped).toBe(false);
    expectSameBits(m.getWeights().map((w) => w.data), own, 'swapped out');
    expectSameBits([m.predict(x).data], [ownPred], 'predictions restored');
    expect(() => wa.swapOut()).toThrow(/not swapped in/);
    am.dispose();
    m.dispose();
  });

  it('averagedModel works during fit; wasm copies live only during fit (or until dispose after a failed fit)', async () => {
    const m = avgNet(6, 'float32');
    const wa = callbacks.weightAverage({ decay: 0.9 });
    const arena = runtime().arena;
    const before = arena.used;
    let during = 0;
    let mid: Sequential | null = null;
    await m.fit(x, y, { epochs: 2, batchSize: 10, callbacks: [wa, callbacks.lambda({
      onBatchEnd: () => { during = Math.max(during, arena.used); },
      onEpochEnd: async (epoch) => { if (epoch === 0) mid = await wa.averagedModel(); },
    })] });
    expect(during).toBeGreaterThan(before);
    expect(mid).not.toBeNull();
    mid!.dispose();
    const after = arena.used;
    wa.averagedWeights(); // from the JS copy
    expect(arena.used).toBe(after);
    // a fit that throws leaves the copies in wasm: dispose frees them
    const used = arena.used;
    await expect(m.fit(x, y, { epochs: 1, batchSize: 10, callbacks: [wa, callbacks.lambda({ onBatchEnd: () => { throw new Error('stop'); } })] })).rejects.toThrow('stop');
    expect(arena.used).toBeGreaterThan(used);
    wa.dispose();
    expect(arena.used).toBe(used);
    expect(() => wa.averagedWeights()).toThrow(/nothing averaged yet/);
    m.dispose();
  });

  it('refuses bad options and use before training', () => {
    expect(() => callbacks.weightAverage({ decay: 1 })).toThrow(/decay/);
    expect(() => callbacks.weightAverage({ decay: -0.1 })).toThrow(/decay/);
    expect(() => callbacks.weightAverage({ decay: '0.9' as never })).toThrow(/decay/);
    expect(() => callbacks.weightAverage({ decy: 0.9 } as never)).toThrow(/unknown option 'decy'.*did you mean 'decay'/);
    const wa = callbacks.weightAverage();
    expect(wa.decay).toBe(0.999);
    expect(() => wa.swapIn()).toThrow(/nothing averaged yet/);
    expect(() => wa.averagedWeights()).toThrow(/nothing averaged yet/);
  });

  it('with a high SGD learning rate on noisy labels, the averaged weights do better on held-out data than the last ones', async () => {
    const data = (n: number, seed: number) => {
      const xs = randn([n, D], seed);
      const ys = randLabels(n, C, seed + 1);
      for (let i = 0; i < n; i++) if (xs.data[i * D] > 0.3) ys[i] = 0; // some signal in the noise
      return { xs, ys };
    };
    const { xs, ys } = data(200, 31), test = data(1000, 41);
    // NOTE: one seed's outcome is a coin toss of the last noisy steps: compare means over seeds
    let last = 0, averaged = 0;
    const seeds = [9, 10, 11, 12];
    for (const seed of seeds) {
      const m = new Sequential({ seed });
      m.add(layers.dense({ units: 16, inputShape: [D], activation: 'relu' }));
      m.add(layers.dense({ units: C }));
      m.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: losses.softmaxCrossEntropy() });
      const wa = callbacks.weightAverage({ decay: 0.98 });
      await m.fit(xs, ys, { epochs: 30, batchSize: 10, callbacks: [wa] });
      last += m.evaluate(test.xs, test.ys).loss / seeds.length;
      wa.swapIn();
      averaged += m.evaluate(test.xs, test.ys).loss / seeds.length;
      wa.swapOut();
      m.dispose();
    }
    expect(averaged, `averaged ${averaged} vs last ${last}`).toBeLessThan(last - 0.02);
  });
});
