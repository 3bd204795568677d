// Child-process side of tests/runtimes/parity.test.ts: run under Bun or Deno, it imports the
// release bundle (dist/simdnet.mjs, the file package.json exports to Node, Deno and Bun) and
// the workloads shared with the Chromium parity test, runs them, and prints one JSON object
// on stdout: { runtime, version, results }. Plain JS with relative imports only, so it needs
// no config, no package resolution and no network in either runtime.
//
// `--seed-offset N` (a non-vacuity check, never used by the test itself) adds N to every
// model's seed, which must make the parity test fail.

import * as lib from '../../dist/simdnet.mjs';
import { runAll } from '../browser/workloads.mjs';

const args = globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2);
const at = args.indexOf('--seed-offset');
const seedOffset = at >= 0 ? Number(args[at + 1]) : 0;

let target = lib;
if (seedOffset) {
  class Sequential extends lib.Sequential {
    constructor(options = {}) { super({ ...options, seed: (options.seed ?? 0) + seedOffset }); }
  }
  target = { ...lib, Sequential };
}

const runtime = globalThis.Bun ? 'bun' : globalThis.Deno ? 'deno' : 'other';
const version = globalThis.Bun ? globalThis.Bun.version : globalThis.Deno ? globalThis.Deno.version.deno : String(globalThis.navigator?.userAgent);
const results = await runAll(target);
const json = JSON.stringify({ runtime, version, results });

// Write the whole string before exiting (stdout may be a pipe that takes it in chunks).
if (globalThis.Deno) {
  const bytes = new TextEncoder().encode(json + '\n');
  for (let off = 0; off < bytes.length;) off += await globalThis.Deno.stdout.write(bytes.subarray(off));
} else {
  await new Promise((resolve, reject) => globalThis.process.stdout.write(json + '\n', (e) => (e ? reject(e) : resolve())));
}
