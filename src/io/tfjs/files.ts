// TF.js Layers models on disk, as tfjs-node's file:// handler lays them out: a model.json
// (topology + weightsManifest) and the weight files it lists, next to it. Node, Bun and Deno
// only: a browser has no file system to write to.

import type { Model } from '../../model/model.js';
import { describe, isPlainObject } from '../../options.js';
import { toTfjsLayers } from './export.js';
import { fromTfjsLayers } from './import.js';
import type { FromTfjsOptions } from './types.js';

interface Fs {
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
}
interface PathMod { join(...p: string[]): string; dirname(p: string): string; isAbsolute(p: string): boolean; normalize(p: string): string; sep: string }

async function node(): Promise<{ fs: Fs; path: PathMod }> {
  try {
    const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
    return { fs: fs as unknown as Fs, path: path as unknown as PathMod };
  } catch {
    throw new Error('io.saveTfjsFiles/io.loadTfjsFiles need a file system (Node, Bun or Deno); in a browser use io.toTfjsLayers with tf.io.browserDownloads');
  }
}

/** Writes `model.json` (with weightsManifest [{paths: ['weights.bin'], weights}]) and `weights.bin` into dir, as tfjs-node's file:// handler does. */
export async function saveTfjsFiles(model: Model, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`saveTfjsFiles: dir must be a non-empty string, got ${describe(dir)}`);
  const a = toTfjsLayers(model);
  const { fs, path } = await node();
  await fs.mkdir(dir, { recursive: true });
  const json = {
    modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  };
  const tag = `.tmp-${Date.now().toString(36)}`;
  const put = async (name: string, data: Uint8Array | string) => {
    const to = path.join(dir, name);
    await fs.writeFile(to + tag, data);
    await fs.rename(to + tag, to);
  };
  // NOTE: the weights first: a model.json on disk always has its weights next to it
  await put('weights.bin', new Uint8Array(a.weightData));
  await put('model.json', JSON.stringify(json));
}

/** Reads a TF.js Layers `model.json` and the weight files its weightsManifest lists (paths relative to it). */
export async function loadTfjsFiles(modelJsonPath: string, options?: FromTfjsOptions): Promise<Model> {
  if (typeof modelJsonPath !== 'string' || modelJsonPath === '') throw new Error(`loadTfjsFiles: the path must be a non-empty string, got ${describe(modelJsonPath)}`);
  const { fs, path } = await node();
  const text = new TextDecoder('utf-8').decode(await fs.readFile(modelJsonPath));
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { throw new Error(`loadTfjsFiles: ${modelJsonPath} is not valid JSON: ${(e as Error).message}`); }
  if (!isPlainObject(json)) throw new Error(`loadTfjsFiles: ${modelJsonPath} must hold a JSON object, got ${describe(json)}`);
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new Error(`loadTfjsFiles: ${modelJsonPath} has no weightsManifest array (got ${describe(manifest)})`);
  const dir = path.dirname(modelJsonPath);
  const specs: unknown[] = [];
  const shards: Uint8Array[] = [];
  for (const [i, group] of manifest.entries()) {
    if (!isPlainObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new Error(`loadTfjsFiles: weightsManifest[${i}] must be {paths, weights}, got ${describe(group)}`);
    }
    specs.push(...group.weights);
    for (const p of group.paths) {
      // NOTE: a model.json from elsewhere must not make us read files outside its directory
      if (typeof p !== 'string' || p === '' || path.isAbsolute(p) || path.normalize(p).split(/[\\/]/).includes('..')) {
        throw new Error(`loadTfjsFiles: weightsManifest[${i}] lists the path ${describe(p)}; weight files must be relative paths inside the model's directory`);
      }
      shards.push(await fs.readFile(path.join(dir, p)));
    }
  }
  return fromTfjsLayers({ modelTopology: json.modelTopology, format: json.format, weightSpecs: specs, weightData: shards }, options);
}
