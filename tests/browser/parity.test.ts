// Node ⇄ Chromium bit parity: the same seeded training runs (workloads.mjs, one file used
// verbatim by both sides) must produce the same bits of weights, predictions and losses
// with dist/simdnet.mjs in Node and dist/simdnet.browser.mjs in headless Chromium.
//
// Both sides use the release wasm inlined in the dist bundles (not the debug build that
// tests/setup.ts gives src/ imports): importing dist/simdnet.mjs yields its own module
// instance with its own init(). `npm test` builds dist/ first.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { differences, expectNonTrivial } from './compare.js';
import type { WorkloadResult } from './workloads.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const nodeBundle = `${root}dist/simdnet.mjs`;
const browserBundle = `${root}dist/simdnet.browser.mjs`;
const workloadsFile = fileURLToPath(new URL('./workloads.mjs', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

const PAGE = `<!doctype html><meta charset="utf-8"><title>simdnet parity</title>
<script type="module">window.__ready = true;</script>`;

let server: Server | undefined;
let browser: Browser | undefined;
let origin = '';
let nodeResults: WorkloadResult[] = [];
let browserResults: WorkloadResult[] = [];
let browserInfo = '';

function serve(): Promise<Server> {
  const routes: Record<string, () => [string, string | Buffer]> = {
    '/': () => ['text/html; charset=utf-8', PAGE],
    '/simdnet.browser.mjs': () => ['text/javascript; charset=utf-8', readFileSync(browserBundle)],
    '/workloads.mjs': () => ['text/javascript; charset=utf-8', readFileSync(workloadsFile)],
  };
  const s = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route) { res.writeHead(404).end(); return; }
    const [type, body] = route();
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

beforeAll(async () => {
  for (const f of [nodeBundle, browserBundle]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first (npm test does it for you)`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: the browser parity test needs Debian's chromium package`);

  // Node side: the release bundle, a module instance separate from the debug build of setup.ts.
  const { runAll } = await import('./workloads.mjs');
  const lib = await import(/* @vite-ignore */ pathToFileURL(nodeBundle).href);
  nodeResults = await runAll(lib);

  // Browser side: the same workloads file and the browser bundle, over http://127.0.0.1.
  server = await serve();
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  browserInfo = browser.version();
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
  try {
    // A source string, not a function: vitest rewrites import() inside test-file functions.
    browserResults = await page.evaluate(`(async () => {
      const lib = await import('/simdnet.browser.mjs');
      const { runAll } = await import('/workloads.mjs');
      return runAll(lib);
    })()`) as WorkloadResult[];
  } catch (e) {
    throw new Error(`workloads failed in Chromium ${browserInfo}: ${String(e)}${pageErrors.length ? `\npage errors:\n${pageErrors.join('\n')}` : ''}`);
  }
  await page.close();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});


describe('Node and Chromium train to the same bits', () => {
  it('ran the same workloads on both sides', () => {
    expect(browserResults.map((r) => r.name)).toEqual(nodeResults.map((r) => r.name));
    expect(nodeResults.length).toBe(3);
  });

  for (const idx of [0, 1, 2]) {
    it(`workload ${idx}: weights, predictions and losses are bit-identical`, () => {
      const n = nodeResults[idx], c = browserResults[idx];
      expect(n, 'node result').toBeDefined();
      expect(c, 'chromium result').toBeDefined();
      expect(differences(n, c, 'chromium'), `${n.name}: Node ${process.version} vs Chromium ${browserInfo}`).toEqual([]);
    });

    it(`workload ${idx}: the run is non-trivial (training moved every weight, loss fell)`, () => {
      const r = nodeResults[idx];
      expect(r, 'node result').toBeDefined();
      expectNonTrivial(r);
    });
  }
});
