// io.saveBrowser / loadBrowser / listBrowser / deleteBrowser over IndexedDB, and io.loadFiles
// (uploads), in Node: IndexedDB from fake-indexeddb (a dev dependency; an in-memory
// implementation of the W3C API, installed on globalThis only inside this file). The same
// functions run against Chromium's and Firefox's real IndexedDB in tests/browser/page.test.ts.
// io.download needs a page (document, URL.createObjectURL): tested there too.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { Sequential, io, layers, optimizers, tensor } from '../../src/index.js';
import { randn } from '../model/helpers.js';

const g = globalThis as { indexedDB?: unknown };

function trainedModel(seed = 3): Sequential {
  const m = new Sequential({ seed });
  m.add(layers.dense({ units: 12, inputShape: [6], activation: 'relu' }));
  m.add(layers.batchNorm());
  m.add(layers.dropout({ rate: 0.3 }));
  m.add(layers.dense({ units: 3 }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  return m;
}

const data = () => ({ x: randn([64, 6], 5), y: Int32Array.from({ length: 64 }, (_, i) => i % 3) });
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('io.saveBrowser / loadBrowser (IndexedDB)', () => {
  beforeEach(() => { g.indexedDB = new IDBFactory(); });
  afterEach(() => { delete g.indexedDB; });

  it('stores the model file: loading gives the same artifacts, and training resumes to the same bits', async () => {
    const { x, y } = data();
    const m = trainedModel();
    await m.fit(x, y, { epochs: 2, batchSize: 16 });
    const info = await io.saveBrowser(m, 'digits');
    expect(info.name).toBe('digits');
    expect(info.bytes).toBe(io.toBytes(m.save()).length);
    expect(Number.isNaN(Date.parse(info.savedAt))).toBe(false);

    const back = await io.loadBrowser('digits');
    expect(back.save().topology).toEqual(m.save().topology);
    expect(same(back.save().weights, m.save().weights)).toBe(true);
    // Optimizer state and RNG streams came along: two more epochs give the same bits.
    await m.fit(x, y, { epochs: 2, batchSize: 16 });
    await back.fit(x, y, { epochs: 2, batchSize: 16 });
    expect(same(back.save().weights, m.save().weights)).toBe(true);
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    m.dispose(); back.dispose();
  });

  it('artifacts save too; a second save replaces the first; list and delete', async () => {
    const a = trainedModel(1), b = trainedModel(2);
    const { x, y } = data();
    await b.fit(x, y, { epochs: 1 });
    await io.saveBrowser(a.save(), 'one');
    await io.saveBrowser(a, 'two');
    await io.saveBrowser(b, 'one'); // replaces
    expect((await io.listBrowser()).map((i) => i.name)).toEqual(['one', 'two']);
    expect(same((await io.loadBrowserArtifacts('one')).weights, b.save().weights)).toBe(true);
    expect(same((await io.loadBrowserArtifacts('two')).weights, a.save().weights)).toBe(true);
    expect(await io.deleteBrowser('one')).toBe(true);
    expect(await io.deleteBrowser('one')).toBe(false);
    expect((await io.listBrowser()).map((i) => i.name)).toEqual(['two']);
    await expect(io.loadBrowser('one')).rejects.toThrow(/no model named "one" .*saved: "two"/);
    a.dispose(); b.dispose();
  });

  it('bad input is an Error naming the problem, and nothing is stored', async () => {
    const m = trainedModel();
    await expect(io.saveBrowser(m, '')).rejects.toThrow(/name must be a non-empty string/);
    await expect(io.saveBrowser({} as never, 'x')).rejects.toThrow(/expects a model \(Sequential or Model\) or its save\(\) artifacts/);
    await expect(io.saveBrowser({ topology: {}, weights: [1, 2] } as never, 'x')).rejects.toThrow(/toBytes expects/);
    await expect(io.loadBrowser(42 as never)).rejects.toThrow(/name must be/);
    expect(await io.listBrowser()).toEqual([]);
    // A record that was damaged in storage is refused by the file's CRC-32.
    await io.saveBrowser(m, 'm');
    await new Promise<void>((resolve, reject) => {
      const r = (g.indexedDB as IDBFactory).open('simdnet', 1);
      r.onsuccess = () => {
        const tx = r.result.transaction('models', 'readwrite');
        const s = tx.objectStore('models');
        const get = s.get('m');
        get.onsuccess = () => { const rec = get.result; rec.file[20] ^= 0xff; s.put(rec); };
        tx.oncomplete = () => { r.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    });
    await expect(io.loadBrowser('m')).rejects.toThrow(/damaged|CRC/);
    m.dispose();
  });

  it('without IndexedDB (Node, Bun, Deno) every call says what it needs', async () => {
    delete g.indexedDB;
    const m = trainedModel();
    await expect(io.saveBrowser(m, 'x')).rejects.toThrow(/io\.saveBrowser needs IndexedDB .*io\.saveFile/);
    await expect(io.loadBrowser('x')).rejects.toThrow(/io\.loadBrowser needs IndexedDB/);
    await expect(io.listBrowser()).rejects.toThrow(/io\.listBrowser needs IndexedDB/);
    expect(() => io.download(m)).toThrow(/io\.download needs a browser page/);
    m.dispose();
  });
});

describe('io.loadFiles (uploads)', () => {
  const file = (name: string, bytes: Uint8Array | string) => new File([bytes as BlobPart], name);

  it('a .simdnet file loads to the same bits; the TF.js two-file form loads its weights', async () => {
    const m = trainedModel();
    const { x, y } = data();
    await m.fit(x, y, { epochs: 1 });
    const back = await io.loadFiles([file('model.simdnet', io.toBytes(m.save()))]);
    expect(same(back.save().weights, m.save().weights)).toBe(true);
    const one = await io.loadFiles(file('model.simdnet', io.toBytes(m.save())));
    expect(same(one.save().weights, m.save().weights)).toBe(true);

    const t = io.toTfjsLayers(m);
    const json = JSON.stringify({ modelTopology: t.modelTopology, format: t.format, weightsManifest: [{ paths: ['./model.weights.bin'], weights: t.weightSpecs }] });
    const tf = await io.loadFiles([file('model.weights.bin', new Uint8Array(t.weightData)), file('model.json', json)]);
    expect(Array.from(tf.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    m.dispose(); back.dispose(); one.dispose(); tf.dispose();
  });

  it('a file that is not a model gets a clear message', async () => {
    await expect(io.loadFiles([file('cat.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]))])).rejects.toThrow(/cat\.png is not a simdnet model: .*SIMDNET/);
    await expect(io.loadFiles([file('model.json', '{"weightsManifest": [{"paths": ["w.bin"], "weights": []}]}')])).rejects.toThrow(/needs the weight file "w.bin"/);
    await expect(io.loadFiles([file('model.json', 'not json')])).rejects.toThrow(/model\.json is not valid JSON/);
    await expect(io.loadFiles([file('a.bin', 'x'), file('b.bin', 'y')])).rejects.toThrow(/one \.simdnet file/);
    await expect(io.loadFiles([] as never)).rejects.toThrow(/expects files/);
    const m = trainedModel();
    const bytes = io.toBytes(m.save());
    await expect(io.loadFiles([file('cut.simdnet', bytes.subarray(0, 40))])).rejects.toThrow(/cut\.simdnet is not a simdnet model: .*truncated/);
    m.dispose();
  });
});
