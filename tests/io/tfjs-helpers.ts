// Shared by the TF.js interchange suites (tests/io/tfjs*.test.ts, tests/recurrent/tfjs-rnn.test.ts):
// loading, saving and running a model in real tfjs-layers, and the comparisons they make.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Model, Tensor } from '../../src/index.js';
import { maxAbs } from '../model/helpers.js';

export const tfLoad = (a: unknown): Promise<tfl.LayersModel> => tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));

/** The artifacts tfjs-layers saves (tf.io.withSaveHandler). */
export async function tfSave(m: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let out: tf.io.ModelArtifacts | null = null;
  await m.save(tf.io.withSaveHandler(async (a) => { out = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return out!;
}

export function tfPredict(m: tfl.LayersModel, x: Tensor): Float32Array {
  return tf.tidy(() => (m.predict(tf.tensor(Float32Array.from(x.data), x.shape as number[])) as tf.Tensor).dataSync() as Float32Array);
}

/** max |got − want| ≤ 1e-4 · max |want|, on outputs that are not all zero. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  expect(got.length, `${label}: output size`).toBe(want.length);
  const scale = maxAbs(want);
  expect(scale, `${label}: outputs are not all zero`).toBeGreaterThan(1e-3);
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
  expect(err / scale, `${label}: max relative difference`).toBeLessThanOrEqual(1e-4);
}

/** TF.js weights by name (originalName, e.g. 'dense_1/kernel'). */
export const tfWeights = (m: tfl.LayersModel): Map<string, Float32Array> =>
  new Map(m.weights.map((v) => [v.originalName, v.read().dataSync() as Float32Array]));

/** simdnet weights by TF.js name. */
export const simdWeights = (m: Model): Map<string, Float32Array> =>
  new Map(m.params().map((p) => [p.name.replace(/movingMean$/, 'moving_mean').replace(/movingVariance$/, 'moving_variance'), Float32Array.from(p.value.read())]));

/** The same names and the same bits. */
export function expectSameWeights(got: Map<string, Float32Array>, want: Map<string, Float32Array>, label: string): void {
  expect([...got.keys()].sort(), `${label}: weight names`).toEqual([...want.keys()].sort());
  for (const [name, w] of want) {
    const g = got.get(name)!;
    expect(g.length, `${label}: size of ${name}`).toBe(w.length);
    for (let i = 0; i < w.length; i++) if (!Object.is(g[i], w[i])) expect.fail(`${label}: ${name}[${i}] is ${g[i]}, want ${w[i]}`);
  }
}
