// The bench's HTTP server for browsers, on 127.0.0.1 and a free port. Every response is
// cross-origin isolated (COOP same-origin + COEP require-corp, as the parity test serves its
// page): SharedArrayBuffer, and with it threads, are then available to simdnet, to
// tfjs-backend-wasm's threaded build and to jax-js's worker pool alike.
//
//   /                              the bench page (loads /bench/page.mjs)
//   /bench/*.mjs                   the page bundle and its chunks (browser/bundle.mjs)
//   /simdnet.browser.mjs           dist/simdnet.browser.mjs
//   /build/simdnet.release.wasm    the kernels the gemm workload calls directly
//   /tfjs-wasm/<file>.wasm         @tensorflow/tfjs-backend-wasm's three binaries
//   /mnist/<count>/<seed>          lib/mnist.mjs's digits as raw bytes (browser/mnist.mjs)
// Anything else is a 404 (/favicon.ico: 204, no content).

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../lib/mnist.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);
const tfjsWasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const TFJS_WASM = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

const PAGE = `<!doctype html><meta charset="utf-8"><title>simdnet bench</title>
<script type="module" src="/bench/page.mjs"></script>`;

const JS = 'text/javascript; charset=utf-8';

/** Starts the server; resolves to { origin, close() }. `buildDir` holds the page bundle. */
export function serveBench(buildDir) {
  const mnist = new Map();
  const route = (path) => {
    if (path === '/') return ['text/html; charset=utf-8', PAGE];
    if (path === '/simdnet.browser.mjs') return [JS, readFileSync(join(root, 'dist/simdnet.browser.mjs'))];
    if (path === '/build/simdnet.release.wasm') return ['application/wasm', readFileSync(join(root, 'build/simdnet.release.wasm'))];
    let m = /^\/bench\/([\w.-]+\.mjs)$/.exec(path);
    if (m) return [JS, readFileSync(join(buildDir, m[1]))];
    m = /^\/tfjs-wasm\/([\w.-]+\.wasm)$/.exec(path);
    if (m && TFJS_WASM.includes(m[1])) return ['application/wasm', readFileSync(join(tfjsWasmDir, m[1]))];
    m = /^\/mnist\/(\d+)\/(\d+)$/.exec(path);
    if (m) {
      const key = `${m[1]}/${m[2]}`;
      if (!mnist.has(key)) {
        const { x, y } = loadMnist(Number(m[1]), Number(m[2]));
        mnist.set(key, Buffer.concat([Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)]));
      }
      return ['application/octet-stream', mnist.get(key)];
    }
    return null;
  };
  const server = createServer((req, res) => {
    const isolated = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    let found;
    try {
      found = route(new URL(req.url ?? '/', 'http://x').pathname);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain', ...isolated }).end(String(e?.message ?? e));
      return;
    }
    if (!found) { res.writeHead(req.url === '/favicon.ico' ? 204 : 404, isolated).end(); return; }
    const [type, body] = found;
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...isolated }).end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      origin: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
    }));
  });
}
