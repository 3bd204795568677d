// Builds the demo page into web/out/ (gitignored; a dev-only artifact, not part of the
// published package) and serves it. Used by `npm run serve` (web/serve.mjs) and by the page
// tests (tests/browser/page.test.ts).
//
//   web/out/index.html, boot.js   copied (boot.js checks WebAssembly SIMD before anything loads)
//   web/out/app.js, app.css       web/app.js bundled with uPlot and the styles (esbuild, minified)
//   web/out/simdnet.mjs           dist/simdnet.mjs, shared by the page and its worker: app.js
//   web/out/simdnet.worker.mjs    imports it at run time, so the browser fetches the core once
//   web/out/digits.bin.gz         the embedded digits (demo/data.mjs: the fixed 8,000 / 2,000
//                                 split) as uint8 pixels, gzipped: "SNDIGIT1", u32 nTrain,
//                                 u32 nTest, the labels (1 byte each), then 784 bytes per digit
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
export const OUT = join(here, 'out');

export async function buildPage({ out = OUT, quiet = false } = {}) {
  for (const f of ['simdnet.mjs', 'simdnet.worker.mjs']) {
    if (!existsSync(join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` first`);
  }
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(here, 'app.js')], bundle: true, format: 'esm', target: 'es2022', minify: true,
    outfile: join(out, 'app.js'), external: ['./simdnet.mjs'], logLevel: quiet ? 'error' : 'warning',
    metafile: true,
  });
  for (const f of ['index.html', 'boot.js']) copyFileSync(join(here, f), join(out, f));
  for (const f of ['simdnet.mjs', 'simdnet.worker.mjs']) copyFileSync(join(root, 'dist', f), join(out, f));
  const digits = join(out, 'digits.bin.gz');
  const source = join(root, 'demo', 'data.mjs');
  if (!existsSync(digits) || statSync(digits).mtimeMs < statSync(source).mtimeMs) writeFileSync(digits, await digitsFile());
  if (!quiet) {
    for (const f of ['app.js', 'app.css', 'simdnet.mjs', 'simdnet.worker.mjs', 'digits.bin.gz']) {
      const bytes = readFileSync(join(out, f));
      console.log(`web/out/${f}: ${(bytes.length / 1024).toFixed(1)} KiB (${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzip)`);
    }
  }
  return out;
}

async function digitsFile() {
  const { mnistSplit } = await import('../demo/data.mjs');
  const { train, test } = mnistSplit();
  const n = train.n + test.n;
  const bytes = new Uint8Array(16 + n + n * 784);
  bytes.set(new TextEncoder().encode('SNDIGIT1'), 0);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(8, train.n, true);
  dv.setUint32(12, test.n, true);
  bytes.set(train.y, 16);
  bytes.set(test.y, 16 + train.n);
  const px = bytes.subarray(16 + n);
  for (let i = 0; i < train.x.length; i++) px[i] = Math.round(train.x[i] * 255);
  for (let i = 0; i < test.x.length; i++) px[train.x.length + i] = Math.round(test.x[i] * 255);
  return gzipSync(bytes, { level: 9 });
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.gz': 'application/gzip', '.simdnet': 'application/octet-stream',
};

/**
 * Serves `dir` on 127.0.0.1 with the headers that make the page cross-origin isolated
 * (COOP same-origin + COEP require-corp: SharedArrayBuffer, for threads; `isolated: false`
 * leaves them out, as a plain static host would). Resolves with the server and its URL.
 */
export function servePage({ dir = OUT, port = 0, host = '127.0.0.1', isolated = true } = {}) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      ...(isolated ? {
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cross-origin-resource-policy': 'same-origin',
      } : {}),
    }).end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, url: `http://${host}:${server.address().port}/` }));
  });
}
