// io.saveTfjsFiles / io.loadTfjsFiles: the model.json + weights .bin pair tfjs-node's file://
// handler and tensorflowjs_converter write. saveTfjsFiles output is read back by tfjs-core's
// own model.json reader (getModelArtifactsForJSON) and loaded by tfjs-layers; model.json
// files written with tfjs-core's getModelJSONForModelArtifacts, with the weights split over
// several groups and shards, load in simdnet and predict the same. Paths in a manifest that
// leave the model's directory are refused.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { runtime } from '../../bindings/index.js';
import { Sequential, io, layers, optimizers, tensor } from '../../src/index.js';
import { maxAbs, normalRng, randn } from '../model/helpers.js';

let dir = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'simdnet-tfjs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function predictTf(m: tfl.LayersModel, x: { data: ArrayLike<number>; shape: readonly number[] }): Float32Array {
  return tf.tidy(() => (m.predict(tf.tensor(Float32Array.from(x.data), x.shape as number[])) as tf.Tensor).dataSync() as Float32Array);
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  const scale = maxAbs(want);
  expect(scale).toBeGreaterThan(1e-3);
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
  expect(err / scale).toBeLessThanOrEqual(1e-4);
}

/** tfjs-core's reader of a model.json and its weight files, as tfjs-node's file:// loader uses it. */
async function tfjsReadFiles(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
  const base = modelJsonPath.slice(0, modelJsonPath.lastIndexOf('/') + 1);
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((g) => g.weights);
    const bufs: ArrayBuffer[] = [];
    for (const g of manifest) for (const p of g.paths) { const b = await readFile(base + p); bufs.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); }
    return [specs, tf.io.concatenateArrayBuffers(bufs)];
  });
}

function trainedCnn(): Sequential {
  const m = new Sequential({ seed: 3 });
  m.add(layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2] }));
  m.add(layers.batchNorm({ momentum: 0.5 }));
  m.add(layers.relu());
  m.add(layers.maxPool2d({ poolSize: 2 }));
  m.add(layers.flatten());
  m.add(layers.dense({ units: 3, activation: 'softmax' }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'categoricalCrossentropy' });
  const x = randn([8, 6, 6, 2], 1);
  const y = Float32Array.from({ length: 24 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
  for (let i = 0; i < 4; i++) m.trainOnBatch(x, tensor(y, [8, 3]));
  return m;
}

describe('io.saveTfjsFiles / io.loadTfjsFiles', () => {
  it('saveTfjsFiles writes model.json + weights.bin that tfjs reads and predicts the same with; loadTfjsFiles reads them back bit for bit', async () => {
    const m = trainedCnn();
    const out = join(dir, 'saved');
    await io.saveTfjsFiles(m, out);
    const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: io.toTfjsLayers(m).weightSpecs }]);
    expect((await readFile(join(out, 'weights.bin'))).byteLength).toBe(4 * m.countParams());

    const tm = await tfl.loadLayersModel(tf.io.fromMemory(await tfjsReadFiles(join(out, 'model.json'))));
    const x = randn([4, 6, 6, 2], 2);
    expectClose(predictTf(tm, x), m.predict(x).data);

    const back = await io.loadTfjsFiles(join(out, 'model.json'), { seed: 3 });
    const w = m.getWeights(), wb = back.getWeights();
    expect(wb.length).toBe(w.length);
    w.forEach((t, i) => expect(Array.from(wb[i].data)).toEqual(Array.from(t.data)));
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    back.dispose();
    m.dispose();
    tm.dispose();
  });

  it('loadTfjsFiles reads a model.json whose weights are split over groups and shards (as tensorflowjs_converter writes them)', async () => {
    const tm = tfl.sequential();
    tm.add(tfl.layers.dense({ inputShape: [5], units: 8, activation: 'relu' }));
    tm.add(tfl.layers.batchNormalization({}));
    tm.add(tfl.layers.dense({ units: 3 }));
    const r = normalRng(9);
    tm.setWeights(tm.weights.map((v) => tf.tensor(Float32Array.from({ length: v.shape.reduce((a, b) => a! * b!, 1)! }, () => (v.originalName.endsWith('variance') ? 1 + Math.abs(r()) : r())), v.shape as number[])));
    let artifacts: tf.io.ModelArtifacts | null = null;
    await tm.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const a = artifacts!;
    const specs = a.weightSpecs!;
    const bytes = new Uint8Array(a.weightData as ArrayBuffer);
    // group 1: the first 2 weights in 2 shards; group 2: the rest in 3 shards (in a subdirectory)
    const split = specs.slice(0, 2).reduce((n, s) => n + 4 * s.shape.reduce((p, d) => p * d, 1), 0);
    const cut = (b: Uint8Array, k: number) => Array.from({ length: k }, (_, i) => b.slice(Math.floor((i * b.length) / k), Math.floor(((i + 1) * b.length) / k)));
    const g1 = cut(bytes.slice(0, split), 2), g2 = cut(bytes.slice(split), 3);
    const out = join(dir, 'sharded');
    await import('node:fs/promises').then((f) => f.mkdir(join(out, 'shards'), { recursive: true }));
    const manifest: tf.io.WeightsManifestConfig = [
      { paths: g1.map((_, i) => `group1-shard${i + 1}of2.bin`), weights: specs.slice(0, 2) },
      { paths: g2.map((_, i) => `shards/group2-shard${i + 1}of3.bin`), weights: specs.slice(2) },
    ];
    for (const [i, b] of g1.entries()) await writeFile(join(out, manifest[0].paths[i]), b);
    for (const [i, b] of g2.entries()) await writeFile(join(out, manifest[1].paths[i]), b);
    const modelJson: tf.io.ModelJSON = { modelTopology: a.modelTopology as object, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, weightsManifest: manifest };
    await writeFile(join(out, 'model.json'), JSON.stringify(modelJson));

    const m = await io.loadTfjsFiles(join(out, 'model.json'));
    const x = randn([4, 5], 3);
    expectClose(m.predict(x).data, predictTf(tm, x));
    m.dispose();
    tm.dispose();
  });

  it('refuses weight paths outside the model directory, a missing manifest and bad JSON, with nothing allocated', async () => {
    const m = trainedCnn();
    const out = join(dir, 'bad');
    await io.saveTfjsFiles(m, out);
    m.dispose();
    const good = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    const used = runtime().arena.used;
    const attempt = async (json: unknown, needles: string[]) => {
      await writeFile(join(out, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
      let err: unknown = null;
      try { await io.loadTfjsFiles(join(out, 'model.json')); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(Error);
      for (const n of needles) expect((err as Error).message).toContain(n);
      expect(runtime().arena.used).toBe(used);
    };
    await attempt({ ...good, weightsManifest: [{ paths: ['../saved/weights.bin'], weights: good.weightsManifest[0].weights }] }, ["'../saved/weights.bin'", 'inside the model']);
    await attempt({ ...good, weightsManifest: [{ paths: ['/etc/passwd'], weights: good.weightsManifest[0].weights }] }, ["'/etc/passwd'", 'relative paths']);
    await attempt({ ...good, weightsManifest: undefined }, ['no weightsManifest']);
    await attempt('{"modelTopology": ', ['is not valid JSON']);
    await attempt({ ...good, weightsManifest: [{ paths: ['weights.bin'], weights: good.weightsManifest[0].weights.slice(1) }] }, ['weightData has', 'over-long']);
    let err: unknown = null;
    try { await io.saveTfjsFiles(trainedCnn(), ''); } catch (e) { err = e; }
    expect((err as Error).message).toContain('dir must be a non-empty string');
  });
});
