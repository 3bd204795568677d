// The functional API: graphs with fan-out (residual), merges, a shared layer; float64
// finite-difference checks of whole graphs; a Sequential and the same chain written as a
// functional Model train to the same bits; getWeights order; save/load of graphs; and the
// errors of bad graphs, raised at apply or construction time before anything changes.
import { describe, expect, it } from 'vitest';
import { Model, Sequential, gradCheck, input, io, layers, optimizers, tensor, type Layer, type SymbolicTensor } from '../../src/index.js';
import { runtime } from '../../bindings/index.js';
import { expectSameBits, randLabels, randn } from '../model/helpers.js';

const bits = (m: Model) => m.getWeights().map((w) => Float64Array.from(w.data));

/** A residual conv block with batch norm and a shared dense head applied twice. */
function convGraph(dtype: 'float32' | 'float64', seed = 3): Model {
  const inp = input({ shape: [6, 6, 2] });
  const c1 = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(inp);
  let h = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(c1);
  h = layers.batchNorm().apply(h);
  h = layers.relu().apply(layers.add().apply([h, c1]));
  h = layers.maxPool2d({ poolSize: 2 }).apply(h);
  const f = layers.flatten().apply(h);
  const shared = layers.dense({ units: 5, activation: 'tanh' });
  const s1 = shared.apply(f);
  const s2 = layers.dense({ units: 5 }).apply(f);
  const s3 = shared.apply(layers.dense({ units: 27 }).apply(s2));
  const out = layers.dense({ units: 3 }).apply(layers.concatenate().apply([s1, s3, s2]));
  return new Model({ inputs: inp, outputs: out, dtype, seed });
}

/** Every merge layer, a fan-out of the input and a twice-applied layer, on vectors. */
function mergeGraph(dtype: 'float32' | 'float64', seed = 5): Model {
  const inp = input({ shape: [4] });
  const p = layers.dense({ units: 4 }).apply(inp);
  const shared = layers.dense({ units: 4, activation: 'tanh' });
  const s1 = shared.apply(p);
  const s2 = shared.apply(s1);
  const merged = [
    layers.multiply().apply([s1, s2, p]), layers.average().apply([s1, s2, p]),
    layers.maximum().apply([s1, s2, inp]), layers.subtract().apply([s1, s2]),
  ];
  const sum = layers.add().apply(merged);
  const out = layers.dense({ units: 3 }).apply(layers.concatenate({ axis: 1 }).apply([sum, s2, inp]));
  return new Model({ inputs: inp, outputs: out, dtype, seed });
}

describe('gradients of graphs (float64 central differences)', () => {
  it('every merge layer, fan-out and a shared layer', async () => {
    const m = mergeGraph('float64');
    m.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' });
    const r = await gradCheck(m, randn([7, 4], 1), randLabels(7, 3, 2), { samples: 30 });
    expect(r.perParam.length).toBe(6);
    expect(r.maxRelError).toBeLessThan(1e-6);
    m.dispose();
  });

  it('a residual conv block with batch norm, pooling and a shared head', async () => {
    const m = convGraph('float64');
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const r = await gradCheck(m, randn([4, 6, 6, 2], 3), randn([4, 3], 4), { samples: 25 });
    expect(r.maxRelError).toBeLessThan(1e-6);
    m.dispose();
  });

  it('a float32 graph is checked on a float64 copy of the same graph', async () => {
    const m = mergeGraph('float32');
    m.compile({ optimizer: 'adam', loss: 'softmaxCrossEntropy' });
    const r = await gradCheck(m, randn([5, 4], 6), randLabels(5, 3, 7));
    expect(r.maxRelError).toBeLessThan(1e-6);
    expect(m.dtype).toBe('float32');
    m.dispose();
  });

  it('a shared layer gets the sum of the gradients of its applications', () => {
    const x = randn([6, 3], 8), y = randn([6, 3], 9);
    const inpA = input({ shape: [3] });
    const shared = layers.dense({ units: 3, activation: 'tanh', name: 'sh' });
    const a = new Model({ inputs: inpA, outputs: shared.apply(shared.apply(inpA)), dtype: 'float64', seed: 1 });
    const inpB = input({ shape: [3] });
    const b = new Model({ inputs: inpB, outputs: layers.dense({ units: 3, activation: 'tanh', name: 'second' }).apply(layers.dense({ units: 3, activation: 'tanh', name: 'first' }).apply(inpB)), dtype: 'float64', seed: 1 });
    for (const m of [a, b]) m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const w = a.getWeights();
    expect(w.length).toBe(2);
    b.setWeights([...w, ...w]);
    const ga = a.computeGradients(x, y), gb = b.computeGradients(x, y);
    expect(ga.loss).toBe(gb.loss);
    for (let i = 0; i < 2; i++) {
      const want = gb.grads[i].data.map((v, j) => v + gb.grads[i + 2].data[j]);
      ga.grads[i].data.forEach((v, j) => expect(Math.abs(v - want[j])).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want[j]))));
      expect(Math.max(...Array.from(gb.grads[i].data, Math.abs))).toBeGreaterThan(1e-3);
    }
    a.dispose(); b.dispose();
  });
});

describe('Sequential is a Model whose graph is a chain', () => {
  it('the same chain as a functional Model trains to the same bits (dropout, batch norm, Adam, shuffling)', async () => {
    const chain = (): Layer[] => [
      layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), layers.batchNorm(), layers.maxPool2d({ poolSize: 2 }),
      layers.flatten(), layers.dropout({ rate: 0.3 }), layers.dense({ units: 3, activation: 'softmax' }),
    ];
    const seq = new Sequential({ seed: 11 });
    for (const l of chain()) seq.add(l);
    seq.build([8, 8, 1]);
    const inp = input({ shape: [8, 8, 1] });
    let h: SymbolicTensor = inp;
    for (const l of chain()) h = l.apply(h);
    const fun = new Model({ inputs: inp, outputs: h, seed: 11 });
    const x = randn([20, 8, 8, 1], 12), y = randLabels(20, 3, 13);
    expectSameBits(bits(fun), bits(seq), 'initial weights');
    const hs = [];
    for (const m of [seq, fun]) {
      m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      hs.push(await m.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.2 }));
    }
    expectSameBits(bits(fun), bits(seq), 'trained weights');
    expectSameBits([fun.predict(x).data], [seq.predict(x).data], 'predictions');
    expect(hs[1].loss).toEqual(hs[0].loss);
    expect(hs[1].valAccuracy).toEqual(hs[0].valAccuracy);
    expect(fun.getWeights().map((w) => w.shape)).toEqual(seq.getWeights().map((w) => w.shape));
    seq.dispose(); fun.dispose();
  });
});

describe('order and structure', () => {
  it('layers and getWeights follow the order layers were applied in (ties: apply order)', () => {
    const inp = input({ shape: [2] });
    const late = layers.dense({ units: 2, name: 'late' });
    const early = layers.dense({ units: 3, name: 'early' });
    const e = early.apply(inp);
    const l = late.apply(inp);
    const out = layers.concatenate({ name: 'cat' }).apply([l, e]);
    const m = new Model({ inputs: inp, outputs: out, seed: 1 });
    expect(m.layers.map((x) => x.name)).toEqual(['early', 'late', 'cat']);
    expect(m.getWeights().map((w) => w.shape)).toEqual([[2, 3], [3], [2, 2], [2]]);
    expect(m.outputShape).toEqual([5]);
    expect(m.summary(null)).toContain('cat (Concatenate)');
    expect(m.summary(null)).toMatch(/late\[0\], early\[0\]/);
    m.dispose();
  });

  it('layers not on a path from the input to the output are left out', () => {
    const inp = input({ shape: [3] });
    const h = layers.dense({ units: 4, name: 'used' }).apply(inp);
    layers.dense({ units: 9, name: 'unused' }).apply(h);
    const m = new Model({ inputs: inp, outputs: layers.dense({ units: 1, name: 'out' }).apply(h) });
    expect(m.layers.map((l) => l.name)).toEqual(['used', 'out']);
    m.dispose();
  });

  it('memory: the model frees everything on dispose', () => {
    const before = runtime().arena.used;
    const m = convGraph('float32');
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    m.trainOnBatch(randn([2, 6, 6, 2], 1), randn([2, 3], 2));
    expect(runtime().arena.used).toBeGreaterThan(before);
    m.dispose();
    expect(runtime().arena.used).toBe(before);
  });
});

describe('save and load of functional models', () => {
  it('a loaded graph predicts and trains on to the same bits (shared layer, batch norm, dropout twin)', async () => {
    const make = () => {
      const inp = input({ shape: [5] });
      const drop = layers.dropout({ rate: 0.4 });
      const d = layers.dense({ units: 6, activation: 'relu' });
      const a = drop.apply(d.apply(inp));
      const b = drop.apply(layers.batchNorm().apply(d.apply(layers.dense({ units: 5 }).apply(inp))));
      return new Model({ inputs: inp, outputs: layers.dense({ units: 2 }).apply(layers.add().apply([a, b])), seed: 21 });
    };
    const m = make();
    m.compile({ optimizer: 'adam', loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    const x = randn([24, 5], 3), y = randLabels(24, 2, 4);
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
    const bytes = io.toBytes(m.save());
    const back = await Model.load(io.fromBytes(bytes));
    expect(back).toBeInstanceOf(Model);
    expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    expectSameBits([back.predict(x).data], [m.predict(x).data], 'predictions');
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
    await back.fit(x, y, { epochs: 2, batchSize: 8 });
    expectSameBits(bits(back), bits(m), 'weights after training on');
    await expect(Sequential.load(m.save())).rejects.toThrow(/functional Model.*Model\.load/);
    m.dispose(); back.dispose();
  });

  it('Model.load loads Sequential files as Sequential', async () => {
    const s = new Sequential({ seed: 1 });
    s.add(layers.dense({ units: 2, inputShape: [3] }));
    const back = await Model.load(s.save());
    expect(back).toBeInstanceOf(Sequential);
    s.dispose(); back.dispose();
  });

  it('a damaged graph topology is refused with the arena as it was', async () => {
    const m = mergeGraph('float32');
    const art = m.save();
    const cases: [string, (c: any) => void, RegExp][] = [
      ['unknown layer in nodeOrder', (c) => { c.nodeOrder[1][0] = 'nope'; }, /'nope', which is not a layer/],
      ['a node before its input', (c) => { [c.nodeOrder[1], c.nodeOrder[3]] = [c.nodeOrder[3], c.nodeOrder[1]]; }, /out of order|has not run yet/],
      ['a reference to a missing node', (c) => { c.layers[2].inboundNodes[0][0] = ['dense_1', 7, 0]; }, /node 7 of 'dense_1'/],
      ['no input layer', (c) => { c.layers.shift(); }, /InputLayer|not a layer/],
      ['a node listed but never run', (c) => { c.nodeOrder.pop(); }, /nodes but nodeOrder runs/],
    ];
    const before = runtime().arena.used;
    for (const [what, mutate, re] of cases) {
      const topology = JSON.parse(JSON.stringify(art.topology));
      mutate(topology.model.config);
      await expect(Model.load({ topology, weights: art.weights }), what).rejects.toThrow(re);
      expect(runtime().arena.used, what).toBe(before);
    }
    m.dispose();
  });
});

describe('bad graphs are refused when they are made', () => {
  it('apply with a shape the layer cannot take names both layers and shapes', () => {
    const inp = input({ shape: [4] });
    const d = layers.dense({ units: 3, name: 'vec' }).apply(inp);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, name: 'img' }).apply(d)).toThrow(/Conv2D 'img' cannot take the output of Dense 'vec' \[3\]/);
  });

  it('merges of mismatched shapes', () => {
    const inp = input({ shape: [4] });
    const a = layers.dense({ units: 3 }).apply(inp), b = layers.dense({ units: 5 }).apply(inp);
    expect(() => layers.add().apply([a, b])).toThrow(/add needs inputs of one shape, got \[3\] and \[5\]/);
    expect(() => layers.subtract().apply([a, a, a])).toThrow(/exactly 2 inputs/);
    expect(() => layers.add().apply([a])).toThrow(/at least 2, got 1/);
    const img = input({ shape: [4, 4, 2] }), img2 = input({ shape: [4, 3, 2] });
    expect(() => layers.concatenate({ axis: -1 }).apply([img, img2])).toThrow(/other dimensions agree, got \[4, 4, 2\] and \[4, 3, 2\]/);
    expect(layers.concatenate({ axis: 2 }).apply([img, img2]).shape).toEqual([null, 4, 7, 2]);
    expect(() => layers.concatenate({ axis: 0 }).apply([img, img])).toThrow(/batch axis/);
  });

  it('outputs not reachable from the inputs, inputs that are not input(), several inputs', () => {
    const a = input({ shape: [2], name: 'a' }), b = input({ shape: [2], name: 'b' });
    const hb = layers.dense({ units: 2 }).apply(b);
    expect(() => new Model({ inputs: a, outputs: hb })).toThrow(/depends on input 'b', which is not the model's input \('a'\)/);
    const ha = layers.dense({ units: 2 }).apply(a);
    expect(() => new Model({ inputs: ha, outputs: layers.dense({ units: 1 }).apply(ha) })).toThrow(/inputs must come from input/);
    expect(() => new Model({ inputs: [a, b], outputs: ha })).toThrow(/one input and one output, got 2 inputs/);
    expect(() => new Model({ inputs: a, outputs: a })).toThrow(/apply at least one layer/);
  });

  it('a symbolic tensor is not data, data is not a symbolic tensor', () => {
    const inp = input({ shape: [3] });
    const m = new Model({ inputs: inp, outputs: layers.dense({ units: 1 }).apply(inp) });
    expect(() => m.predict(inp as never)).toThrow(/symbolic/);
    expect(() => layers.dense({ units: 1 }).apply(new Float32Array(3) as never)).toThrow(/expects symbolic tensors .* model\.predict/);
    m.dispose();
  });

  it('a layer belongs to one model; merge layers cannot be stacked', () => {
    const inp = input({ shape: [3] });
    const d = layers.dense({ units: 2 });
    const m = new Model({ inputs: inp, outputs: d.apply(inp) });
    expect(() => new Model({ inputs: inp, outputs: d.apply(inp) })).toThrow(/already belongs to a built model/);
    const s = new Sequential();
    expect(() => s.add(layers.add())).not.toThrow(); // added unbuilt: the error comes at build
    expect(() => s.build([3])).toThrow(/merges several inputs/);
    m.dispose(); s.dispose();
  });

  it('a shared layer applied to inputs needing other weight shapes', () => {
    const inp = input({ shape: [3] });
    const d = layers.dense({ units: 3 });
    const h = d.apply(inp);
    const wider = layers.dense({ units: 5 }).apply(h);
    const again = d.apply(wider);
    const before = runtime().arena.used;
    expect(() => new Model({ inputs: inp, outputs: again })).toThrow(/weights of other shapes/);
    expect(runtime().arena.used, 'the failed build freed everything, the twin included').toBe(before);
  });

  it('duplicate layer names within a model', () => {
    const inp = input({ shape: [3] });
    const h = layers.dense({ units: 2, name: 'x1' }).apply(inp);
    expect(() => new Model({ inputs: inp, outputs: layers.dense({ units: 2, name: 'x1' }).apply(h) })).toThrow(/named 'x1'/);
  });
});

describe('Model and its factory', () => {
  it('tensor data: fit, evaluate, predict, trainable freezing work on a graph', async () => {
    const m = mergeGraph('float32');
    m.compile({ optimizer: 'adam', loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    const x = tensor(randn([30, 4], 1).data, [30, 4]), y = randLabels(30, 3, 2);
    const h = await m.fit(x, y, { epochs: 20, batchSize: 10 });
    expect(h.loss[19]).toBeLessThan(h.loss[0]);
    const frozen = m.layers[0];
    const w0 = Float64Array.from(m.getWeights()[0].data);
    frozen.trainable = false;
    await m.fit(x, y, { epochs: 2, batchSize: 10 });
    expectSameBits([m.getWeights()[0].data], [w0], 'frozen layer');
    expect(m.evaluate(x, y).accuracy).toBeGreaterThan(0.3);
    m.dispose();
  });
});
