// Child-process side of tests/runtimes/parity.test.ts: run under Bun or Deno, it imports the
// release bundle (dist/simdnet.mjs, the file package.json exports to Node, Deno and Bun) and
// the workloads shared with the Chromium parity test, runs them, and prints one JSON object
// on stdout: { runtime, version, results, resume }. Plain JS with relative imports only, so it
// needs no config, no package resolution and no network in either runtime.
//
// `--resume PATH` (repeatable): a `.simdnet` model file Node saved; after the workloads each
// is loaded and trained on with resumeFromFile (workloads.mjs), in the order given, and
// `resume` holds the results (with the bytes of the file the continued model saves), and
// `files` the files this runtime writes itself after the same first phase of training.
//
// Non-vacuity checks, never used by the test itself: `--seed-offset N` adds N to every
// model's seed and `--flip-bit` flips the lowest bit of one weight in every resumed file;
// either must make the parity test fail.

import * as lib from '../../dist/simdnet.mjs';
import { flipLowestBit, resumableFiles, resumeFromFile, runAll } from '../browser/workloads.mjs';

const args = globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2);
const at = args.indexOf('--seed-offset');
const seedOffset = at >= 0 ? Number(args[at + 1]) : 0;
const resumePaths = args.flatMap((a, i) => (a === '--resume' ? [args[i + 1]] : []));
const flipBit = args.includes('--flip-bit');

async function readBytes(path) {
  if (globalThis.Deno) return globalThis.Deno.readFile(path);
  const b = await (await import('node:fs/promises')).readFile(path); // Bun (and Node)
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

let target = lib;
if (seedOffset) {
  class Sequential extends lib.Sequential {
    constructor(options = {}) { super({ ...options, seed: (options.seed ?? 0) + seedOffset }); }
  }
  target = { ...lib, Sequential };
}

const runtime = globalThis.Bun ? 'bun' : globalThis.Deno ? 'deno' : 'other';
// `--threads N`: every threaded kernel split over N threads, down to the smallest call
const threadsAt = args.indexOf('--threads');
if (threadsAt >= 0) {
  const rt = await lib.init({ threads: Number(args[threadsAt + 1]) });
  rt.minParallelFlops = 0;
  rt.minSplitWork = 0;
}
const threads = threadsAt >= 0 ? (await lib.init()).threads : 1;
const version = globalThis.Bun ? globalThis.Bun.version : globalThis.Deno ? globalThis.Deno.version.deno : String(globalThis.navigator?.userAgent);
const results = await runAll(target);
if (threadsAt >= 0) {
  // the threads run: the workloads only
  await write(JSON.stringify({ runtime, version, threads, results }));
  globalThis.Deno ? globalThis.Deno.exit(0) : globalThis.process.exit(0);
}
const files = await resumableFiles(target);
const resume = [];
for (const path of resumePaths) {
  const bytes = await readBytes(path);
  resume.push(await resumeFromFile(lib, flipBit ? await flipLowestBit(lib, bytes) : bytes));
}
const json = JSON.stringify({ runtime, version, results, files, resume });
await write(json);

// Write the whole string before exiting (stdout may be a pipe that takes it in chunks).
async function write(json) {
  if (globalThis.Deno) {
    const bytes = new TextEncoder().encode(json + '\n');
    for (let off = 0; off < bytes.length;) off += await globalThis.Deno.stdout.write(bytes.subarray(off));
  } else {
    await new Promise((resolve, reject) => globalThis.process.stdout.write(json + '\n', (e) => (e ? reject(e) : resolve())));
  }
}
