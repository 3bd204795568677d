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
import type { WordTensor, WorkloadResult } from './workloads.mjs';

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

/** Describes where two word arrays differ (empty string when bit-identical). */
function diff(label: string, a: WordTensor, b: WordTensor): string {
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) {
    return `${label}: node ${a.dtype}[${a.shape}] vs chromium ${b.dtype}[${b.shape}]`;
  }
  return diffWords(label, a.words, b.words, a.dtype === 'float64' ? 2 : 1);
}

function diffWords(label: string, a: number[], b: number[], perValue = 1): string {
  if (a.length !== b.length) return `${label}: ${a.length} words in node vs ${b.length} in chromium`;
  let count = 0, first = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) { count++; if (first < 0) first = i; }
  }
  if (count === 0) return '';
  const hex = (w: number) => `0x${(w >>> 0).toString(16).padStart(8, '0')}`;
  return `${label}: ${count}/${a.length} uint32 words differ; first at word ${first} (value ${Math.floor(first / perValue)}): node ${hex(a[first])} vs chromium ${hex(b[first])}`;
}

const sameWords = (a: WordTensor, b: WordTensor) => a.words.length === b.words.length && a.words.every((w, i) => w === b.words[i]);

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
      const problems: string[] = [];
      if (n.weights.length !== c.weights.length) problems.push(`weight count ${n.weights.length} vs ${c.weights.length}`);
      n.initialWeights.forEach((w, i) => problems.push(diff(`initial weight ${i}`, w, c.initialWeights[i])));
      n.weights.forEach((w, i) => problems.push(diff(`trained weight ${i}`, w, c.weights[i])));
      problems.push(diff('predictions', n.predictions, c.predictions));
      problems.push(diffWords('history loss (f64)', n.lossWords, c.lossWords, 2));
      problems.push(diffWords('history accuracy (f64)', n.accuracyWords, c.accuracyWords, 2));
      expect(problems.filter(Boolean), `${n.name}: Node ${process.version} vs Chromium ${browserInfo}`).toEqual([]);
    });

    it(`workload ${idx}: the run is non-trivial (training moved every weight, loss fell)`, () => {
      const r = nodeResults[idx];
      expect(r.weights.length).toBeGreaterThan(0);
      r.weights.forEach((w, i) => expect(sameWords(w, r.initialWeights[i]), `${r.name}: weight ${i} unchanged by training`).toBe(false));
      expect(r.loss.length).toBe(3);
      expect(r.loss.every(Number.isFinite)).toBe(true);
      expect(r.loss[2]).toBeLessThan(r.loss[0]);
      const width = r.predictions.dtype === 'float64' ? 2 : 1;
      const distinct = new Set<string>();
      for (let i = 0; i < r.predictions.words.length; i += width) distinct.add(r.predictions.words.slice(i, i + width).join());
      expect(distinct.size, `${r.name}: predictions are nearly constant`).toBeGreaterThan(100);
      expect(r.predictions.shape).toEqual([256, 4]);
    });
  }
});
