// Models in a browser: IndexedDB storage and download/upload.
//
//   saveBrowser(model | artifacts, name)   one record per name in the IndexedDB database
//                                          "simdnet", store "models": the `.simdnet` file's
//                                          bytes (io.toBytes, with its CRC-32s), its size and
//                                          the time it was saved. A second save under a name
//                                          replaces the first in one transaction.
//   loadBrowser(name, options)             Model.load of that file: the same artifacts,
//                                          the same bits, training resumes exactly
//   listBrowser()                          [{name, bytes, savedAt}], sorted by name
//   deleteBrowser(name)                    true when there was such a model
//   download(model | artifacts, filename, {format})  a `.simdnet` file (default) or TF.js's
//                                          two files (model.json + weights.bin, as
//                                          tf.io.browserDownloads writes them)
//   loadFiles(files)                       Model from an <input type=file>'s FileList: one
//                                          `.simdnet` file, or a model.json with its weight files
// Runtime-neutral code: IndexedDB and the DOM are looked up when called (feature detection), so
// the library bundles for Node, Bun and Deno carry these functions too and a call there is a
// clear Error, not a ReferenceError.

import { Model } from '../model/model.js';
import type { LoadOptions, ModelArtifacts } from '../model/artifacts.js';
import { describe } from '../options.js';
import { toBytes, fromBytes } from './index.js';
import { toTfjsLayers } from './tfjs/export.js';
import { fromTfjsLayers } from './tfjs/import.js';

const DB = 'simdnet', STORE = 'models', VERSION = 1;

export interface BrowserModelInfo {
  name: string;
  /** Size of the stored `.simdnet` file. */
  bytes: number;
  /** When it was saved (ISO 8601). */
  savedAt: string;
}

interface StoredModel extends BrowserModelInfo { file: Uint8Array }

function indexedDB(what: string): IDBFactory {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) throw new Error(`io.${what} needs IndexedDB (a browser or a worker); in Node, Bun and Deno use io.saveFile / io.loadFile`);
  return idb;
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '' || name.length > 256) throw new Error(`io.${what}: name must be a non-empty string of at most 256 characters, got ${describe(name)}`);
  return name;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function open(what: string): Promise<IDBDatabase> {
  const r = indexedDB(what).open(DB, VERSION);
  r.onupgradeneeded = () => {
    if (!r.result.objectStoreNames.contains(STORE)) r.result.createObjectStore(STORE, { keyPath: 'name' });
  };
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(new Error(`io.${what}: cannot open the IndexedDB database "${DB}": ${r.error?.message ?? 'unknown error'}`));
    r.onblocked = () => reject(new Error(`io.${what}: the IndexedDB database "${DB}" is blocked by another tab holding an older version open`));
  });
}

/** Runs fn in one transaction; resolves once the transaction has committed. */
async function transact<T>(what: string, mode: IDBTransactionMode, fn: (store: IDBObjectStore) => Promise<T>): Promise<T> {
  const db = await open(what);
  try {
    const tx = db.transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(new Error(`io.${what}: ${tx.error?.message ?? 'the IndexedDB transaction failed'}`));
      tx.onabort = () => reject(new Error(`io.${what}: ${tx.error?.message ?? 'the IndexedDB transaction was aborted'}${tx.error?.name === 'QuotaExceededError' ? ' (the browser storage quota is full)' : ''}`));
    });
    const value = await fn(tx.objectStore(STORE));
    await done;
    return value;
  } finally {
    db.close();
  }
}

function artifactsOf(model: Model | ModelArtifacts, what: string): ModelArtifacts {
  if (model instanceof Model) return model.save();
  if (model && typeof model === 'object' && 'topology' in model && 'weights' in model) return model;
  throw new Error(`io.${what} expects a model (Sequential or Model) or its save() artifacts, got ${describe(model)}`);
}

/** Stores the model (or its artifacts) in IndexedDB under `name`, replacing a model of that name. */
export async function saveBrowser(model: Model | ModelArtifacts, name: string): Promise<BrowserModelInfo> {
  checkName(name, 'saveBrowser');
  const file = toBytes(artifactsOf(model, 'saveBrowser'));
  indexedDB('saveBrowser');
  const record: StoredModel = { name, bytes: file.length, savedAt: new Date().toISOString(), file };
  await transact('saveBrowser', 'readwrite', (s) => request(s.put(record)));
  return { name, bytes: record.bytes, savedAt: record.savedAt };
}

/** The artifacts stored under `name` (checked as any `.simdnet` file is). */
export async function loadBrowserArtifacts(name: string): Promise<ModelArtifacts> {
  checkName(name, 'loadBrowser');
  const rec = await transact('loadBrowser', 'readonly', (s) => request(s.get(name) as IDBRequest<StoredModel | undefined>));
  if (!rec) {
    const names = (await listBrowser()).map((m) => m.name);
    throw new Error(`io.loadBrowser: no model named ${JSON.stringify(name)} in this browser's storage (${names.length ? `saved: ${names.map((n) => JSON.stringify(n)).join(', ')}` : 'none saved'})`);
  }
  if (!(rec.file instanceof Uint8Array)) throw new Error(`io.loadBrowser: the record ${JSON.stringify(name)} holds no model file (got ${describe(rec.file)})`);
  return fromBytes(rec.file);
}

/** Loads the model stored under `name` by saveBrowser. */
export async function loadBrowser(name: string, options?: LoadOptions): Promise<Model> {
  return Model.load(await loadBrowserArtifacts(name), options);
}

/** The models in this browser's storage, by name. */
export async function listBrowser(): Promise<BrowserModelInfo[]> {
  const all = await transact('listBrowser', 'readonly', (s) => request(s.getAll() as IDBRequest<StoredModel[]>));
  return all.map(({ name, bytes, savedAt }) => ({ name, bytes, savedAt })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Removes the model stored under `name`; false when there was none. */
export async function deleteBrowser(name: string): Promise<boolean> {
  checkName(name, 'deleteBrowser');
  return transact('deleteBrowser', 'readwrite', async (s) => {
    const had = (await request(s.count(name))) > 0;
    if (had) await request(s.delete(name));
    return had;
  });
}

interface Doc { createElement(tag: 'a'): HTMLAnchorElement; body: HTMLElement }

function saveAs(data: Uint8Array | string, filename: string, type: string): void {
  const doc = (globalThis as { document?: Doc }).document;
  const U = (globalThis as { URL?: typeof URL }).URL;
  if (!doc || typeof Blob === 'undefined' || typeof U?.createObjectURL !== 'function') {
    throw new Error('io.download needs a browser page (document, Blob, URL.createObjectURL); in Node, Bun and Deno use io.saveFile');
  }
  const url = U.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // NOTE: revoked later: some browsers start the download after click() returns
  setTimeout(() => U.revokeObjectURL(url), 10_000);
}

export interface DownloadOptions {
  /** 'simdnet' (one `.simdnet` file, default) or 'tfjs' (model.json + weights.bin). */
  format?: 'simdnet' | 'tfjs';
}

/**
 * Offers the model as a download: one `.simdnet` file (filename default 'model.simdnet';
 * loads with io.loadFiles, io.fromBytes or io.loadFile), or with {format: 'tfjs'} TF.js's
 * two files `<filename>.json` and `<filename>.weights.bin` (filename default 'model').
 */
export function download(model: Model | ModelArtifacts, filename?: string, options: DownloadOptions = {}): void {
  const format = options?.format ?? 'simdnet';
  if (format !== 'simdnet' && format !== 'tfjs') throw new Error(`io.download: format must be 'simdnet' or 'tfjs', got ${describe(format)}`);
  if (filename !== undefined && (typeof filename !== 'string' || filename === '')) throw new Error(`io.download: filename must be a non-empty string, got ${describe(filename)}`);
  if (format === 'simdnet') {
    saveAs(toBytes(artifactsOf(model, 'download')), filename ?? 'model.simdnet', 'application/octet-stream');
    return;
  }
  if (!(model instanceof Model)) throw new Error('io.download: the TF.js form needs a model (Model.load the artifacts first)');
  const base = (filename ?? 'model').replace(/\.json$/, '');
  const a = toTfjsLayers(model);
  const weights = `${base.split('/').pop()}.weights.bin`;
  const json = { modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, weightsManifest: [{ paths: [weights], weights: a.weightSpecs }] };
  saveAs(JSON.stringify(json), `${base}.json`, 'application/json');
  saveAs(new Uint8Array(a.weightData), weights, 'application/octet-stream');
}

interface FileLike { name: string; arrayBuffer(): Promise<ArrayBuffer> }

/**
 * A model from uploaded files (an <input type=file>'s FileList, File[], or one File/Blob): a
 * `.simdnet` file, or a TF.js model.json with the weight files its manifest names. Anything
 * else is an Error that says what was given. `options` apply to a `.simdnet` file (Model.load).
 */
export async function loadFiles(files: ArrayLike<FileLike> | FileLike, options?: LoadOptions): Promise<Model> {
  const list: FileLike[] = files && typeof (files as FileLike).arrayBuffer === 'function' ? [files as FileLike] : Array.from((files ?? []) as ArrayLike<FileLike>);
  if (list.length === 0 || list.some((f) => !f || typeof f.arrayBuffer !== 'function')) throw new Error(`io.loadFiles expects files (a FileList, File[] or one File), got ${describe(files)}`);
  const name = (f: FileLike) => (typeof f.name === 'string' ? f.name : 'the file');
  const jsons = list.filter((f) => /\.json$/i.test(name(f)));
  if (jsons.length === 0) {
    if (list.length !== 1) throw new Error(`io.loadFiles: give one .simdnet file, or a model.json with its weight files (got ${list.length} files and no .json)`);
    const bytes = new Uint8Array(await list[0].arrayBuffer());
    let artifacts: ModelArtifacts;
    try {
      artifacts = fromBytes(bytes);
    } catch (e) {
      throw new Error(`io.loadFiles: ${name(list[0])} is not a simdnet model: ${(e as Error).message}`);
    }
    return Model.load(artifacts, options);
  }
  if (jsons.length > 1) throw new Error(`io.loadFiles: give one model.json, got ${jsons.map(name).join(', ')}`);
  let json: { modelTopology?: unknown; format?: unknown; weightsManifest?: unknown };
  try {
    json = JSON.parse(new TextDecoder().decode(await jsons[0].arrayBuffer()));
  } catch (e) {
    throw new Error(`io.loadFiles: ${name(jsons[0])} is not valid JSON: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || !Array.isArray(json.weightsManifest)) throw new Error(`io.loadFiles: ${name(jsons[0])} is not a TF.js model.json (no weightsManifest)`);
  const specs: unknown[] = [];
  const shards: ArrayBuffer[] = [];
  for (const [i, group] of (json.weightsManifest as Array<{ paths?: unknown; weights?: unknown }>).entries()) {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new Error(`io.loadFiles: weightsManifest[${i}] must be {paths, weights}, got ${describe(group)}`);
    specs.push(...group.weights);
    for (const p of group.paths) {
      const base = String(p).split('/').pop();
      const f = list.find((x) => name(x) === base);
      if (!f) throw new Error(`io.loadFiles: ${name(jsons[0])} needs the weight file ${JSON.stringify(base)}; select it together with the model.json`);
      shards.push(await f.arrayBuffer());
    }
  }
  const total = shards.reduce((s, b) => s + b.byteLength, 0);
  const data = new Uint8Array(total);
  let o = 0;
  for (const b of shards) { data.set(new Uint8Array(b), o); o += b.byteLength; }
  return fromTfjsLayers({ modelTopology: json.modelTopology, format: json.format, weightSpecs: specs, weightData: data.buffer });
}
