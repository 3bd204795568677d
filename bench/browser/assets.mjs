// The files the workloads read, in a browser page (in the place of ../lib/assets.mjs): fetched
// from the bench's server (browser/server.mjs).

export async function simdnetReleaseWasm() {
  const res = await fetch('/build/simdnet.release.wasm');
  if (!res.ok) throw new Error(`GET /build/simdnet.release.wasm: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
