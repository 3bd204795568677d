// Moving models in and out of a program. The artifacts of save() are runtime-neutral
// ({topology, weights}); this module packs them into one binary file and, in Node, Bun
// and Deno, writes and reads such files; in browsers browser.ts keeps them in IndexedDB
// and downloads/uploads them.
//
// File layout (`.simdnet`), all integers little-endian:
//   bytes 0–7    magic "SIMDNET\0"
//   bytes 8–11   u32 length L of the topology JSON (UTF-8)
//   bytes 12–15  u32 CRC-32 of those L bytes
//   bytes 16…    the topology JSON, then the weight bytes (their CRC-32 is in the topology)

import { Sequential } from '../model/sequential.js';
import type { LoadOptions, ModelArtifacts } from '../model/artifacts.js';
import { crc32 } from '../model/crc32.js';
import { describe } from '../options.js';
import { toOnnx } from './onnx.js';
import { toTfjsLayers, fromTfjsLayers, saveTfjsFiles, loadTfjsFiles } from './tfjs/index.js';
import { saveBrowser, loadBrowser, loadBrowserArtifacts, listBrowser, deleteBrowser, download, loadFiles } from './browser.js';

export type { BrowserModelInfo, DownloadOptions } from './browser.js';

const MAGIC = [0x53, 0x49, 0x4d, 0x44, 0x4e, 0x45, 0x54, 0x00]; // "SIMDNET\0"
const HEADER = 16;

/** One file's bytes from save() artifacts. */
export function toBytes(artifacts: ModelArtifacts): Uint8Array {
  if (!artifacts || typeof artifacts !== 'object' || !(artifacts.weights instanceof Uint8Array) || !artifacts.topology) {
    throw new Error(`toBytes expects model.save() artifacts {topology, weights: Uint8Array}, got ${describe(artifacts)}`);
  }
  const json = new TextEncoder().encode(JSON.stringify(artifacts.topology));
  const out = new Uint8Array(HEADER + json.length + artifacts.weights.length);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, json.length, true);
  dv.setUint32(12, crc32(json), true);
  out.set(json, HEADER);
  out.set(artifacts.weights, HEADER + json.length);
  return out;
}

/** save() artifacts from one file's bytes; a damaged or foreign file is an Error. */
export function fromBytes(bytes: Uint8Array | ArrayBuffer): ModelArtifacts {
  const b = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(b instanceof Uint8Array)) throw new Error(`fromBytes expects a Uint8Array or ArrayBuffer, got ${describe(bytes)}`);
  if (b.length < HEADER || MAGIC.some((m, i) => b[i] !== m)) throw new Error('not a simdnet model file (the first 8 bytes are not "SIMDNET\\0")');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const len = dv.getUint32(8, true);
  if (len > b.length - HEADER) throw new Error(`the file is truncated: its topology needs ${len} bytes, ${b.length - HEADER} follow the header`);
  const json = b.subarray(HEADER, HEADER + len);
  const sum = crc32(json);
  if (sum !== dv.getUint32(12, true)) throw new Error('the file is damaged: the CRC-32 of its topology does not match');
  let topology: unknown;
  try {
    topology = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    throw new Error(`the file's topology is not valid JSON: ${(e as Error).message}`);
  }
  return { topology: topology as ModelArtifacts['topology'], weights: b.slice(HEADER + len) };
}

interface FsPromises {
  writeFile(path: string, data: Uint8Array): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  rename(from: string, to: string): Promise<void>;
}

async function fs(): Promise<FsPromises> {
  try {
    return (await import('node:fs/promises')) as unknown as FsPromises;
  } catch {
    throw new Error('io.saveFile/io.loadFile need a file system (Node, Bun or Deno); in a browser use model.save() with io.toBytes');
  }
}

/** Writes the model to one `.simdnet` file (written to a temporary name, then renamed). */
export async function saveFile(model: Sequential, path: string): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new Error(`saveFile: path must be a non-empty string, got ${describe(path)}`);
  const bytes = toBytes(model.save());
  const f = await fs();
  const tmp = `${path}.tmp-${Date.now().toString(36)}`;
  await f.writeFile(tmp, bytes);
  await f.rename(tmp, path);
}

/** Reads a `.simdnet` file written by saveFile. */
export async function loadFile(path: string, options?: LoadOptions): Promise<Sequential> {
  if (typeof path !== 'string' || path === '') throw new Error(`loadFile: path must be a non-empty string, got ${describe(path)}`);
  const bytes = await (await fs()).readFile(path);
  return Sequential.load(fromBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)), options);
}

export const io = {
  toBytes, fromBytes, saveFile, loadFile, toOnnx, toTfjsLayers, fromTfjsLayers, saveTfjsFiles, loadTfjsFiles,
  saveBrowser, loadBrowser, loadBrowserArtifacts, listBrowser, deleteBrowser, download, loadFiles,
};
