// Files the workloads read, in Node, Bun and Deno: from the repository. In browsers,
// browser/assets.mjs stands in for this file and fetches them from the bench's server.

import { readFile } from 'node:fs/promises';

/** The bytes of build/simdnet.release.wasm (the gemm workload calls its gemm_f32 directly). */
export async function simdnetReleaseWasm() {
  return new Uint8Array(await readFile(new URL('../../build/simdnet.release.wasm', import.meta.url)));
}
