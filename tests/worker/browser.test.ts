// createTrainer in headless Chromium and Firefox ESR (tests/browser/firefox.ts): a module Worker running dist/simdnet.worker.mjs (found
// next to dist/simdnet.browser.mjs by default; it imports ./simdnet.mjs), served over
// http://127.0.0.1. The worker's training must give the same bits as the same artifacts
// trained on the page's main thread, events in order, errors with the worker's message and
// stack, terminate() rejecting a pending fit, and a page that stays responsive.
// Needs Debian's chromium and firefox-esr (as tests/browser/parity.test.ts); `npm test` builds dist/ first.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { Firefox } from '../browser/firefox.js';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const FILES = ['simdnet.browser.mjs', 'simdnet.mjs', 'simdnet.worker.mjs'];

let server: Server | undefined;
let browser: Browser | undefined;
let firefox: Firefox | undefined;
let origin = '';

beforeAll(async () => {
  for (const f of FILES) if (!existsSync(dist + f)) throw new Error(`dist/${f} is missing: run \`node scripts/bundle.mjs\` first`);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: the browser worker test needs Debian's chromium package`);
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    if (path === '') { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><meta charset="utf-8"><title>simdnet worker</title>'); return; }
    if (!FILES.includes(path)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(readFileSync(dist + path));
  });
  await new Promise<void>((resolve, reject) => { server!.once('error', reject); server!.listen(0, '127.0.0.1', () => resolve()); });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await firefox?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

interface PageResult {
  sameHistory: boolean; sameWeights: boolean; samePredict: boolean; events: string;
  errMessage: string; localMessage: string; errStack: string; terminated: string; maxGap: number; epochs: number;
}

// A source string, not a function: vitest rewrites import() inside test-file functions.
const SCRIPT = `(async () => {
  const lib = await import('/simdnet.browser.mjs');
  await lib.init();
  const n = 256, d = 8;
  const x = new Float32Array(n * d), y = new Int32Array(n);
  for (let i = 0; i < n; i++) { y[i] = i % 3; for (let j = 0; j < d; j++) x[i * d + j] = Math.sin(i * 7 + j * 3) + (j % 3 === y[i] ? 1 : 0); }
  const xt = lib.tensor(x, [n, d]);
  const m = new lib.Sequential({ seed: 5 });
  m.add(lib.layers.dense({ units: 16, inputShape: [d], activation: 'relu' }));
  m.add(lib.layers.dropout({ rate: 0.25 }));
  m.add(lib.layers.dense({ units: 3 }));
  m.compile({ optimizer: lib.optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  const a = m.save(); m.dispose();

  const t = await lib.createTrainer(a);
  const events = [];
  const h = await t.fit(xt, y, { epochs: 3, batchSize: 64, onBatchEnd: (b) => events.push('b' + b), onEpochEnd: (e) => events.push('e' + e) });
  const saved = await t.save();
  const local = await lib.Sequential.load(a);
  const hl = await local.fit(xt, y, { epochs: 3, batchSize: 64 });
  const w = local.save().weights;
  const p = await t.predict(xt), pl = local.predict(xt);

  const bad = lib.tensor(new Float32Array(n * 5), [n, 5]);
  const err = await t.fit(bad, y).catch((e) => e);
  const localErr = await local.fit(bad, y).catch((e) => e);

  // Responsiveness: a 10 ms interval while the worker trains about 1.5 s.
  let last = performance.now(), maxGap = 0;
  const timer = setInterval(() => { const now = performance.now(); maxGap = Math.max(maxGap, now - last); last = now; }, 10);
  const t0 = performance.now();
  const long = await t.fit(xt, y, { epochs: 100000, batchSize: 8, onBatchEnd: () => {}, onEpochEnd: () => { if (performance.now() - t0 > 1500) t.stop(); } });
  clearInterval(timer);

  const pending = t.fit(xt, y, { epochs: 100000 });
  t.terminate();
  const terminated = await pending.then(() => 'resolved', (e) => e.message);
  return {
    sameHistory: JSON.stringify(h.history) === JSON.stringify(hl.history),
    sameWeights: saved.weights.length === w.length && saved.weights.every((v, i) => v === w[i]),
    samePredict: p.data.every((v, i) => Object.is(v, pl.data[i])),
    events: events.join(' '),
    errMessage: err.message, localMessage: localErr.message, errStack: String(err.stack),
    terminated, maxGap, epochs: long.epoch.length,
  };
})()`;

function check(r: PageResult, name: string): void {
  expect(r.sameHistory).toBe(true);
  expect(r.sameWeights).toBe(true);
  expect(r.samePredict).toBe(true);
  expect(r.events).toBe([0, 1, 2].map((e) => 'b0 b1 b2 b3 e' + e).join(' '));
  expect(r.errMessage).toBe(r.localMessage);
  expect(r.errStack).toContain('simdnet.mjs');
  expect(r.terminated).toMatch(/terminated/);
  expect(r.epochs).toBeGreaterThan(1);
  console.log(`${name}: ${r.epochs} epochs, longest gap ${r.maxGap.toFixed(1)} ms`);
  expect(r.maxGap).toBeLessThan(150);
}

describe('createTrainer in Chromium (module Worker)', () => {
  it('trains to the same bits as the page, in order, with errors and terminate()', async () => {
    const page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${origin}/`);
    const r = await page.evaluate(SCRIPT) as PageResult;
    await page.close();
    expect(pageErrors).toEqual([]);
    check(r, 'chromium');
  });
});

describe('createTrainer in Firefox (module Worker)', () => {
  it('trains to the same bits as the page, in order, with errors and terminate()', async () => {
    firefox = await Firefox.launch();
    await firefox.goto(`${origin}/`);
    const r = await firefox.evaluate<PageResult>(SCRIPT);
    expect(firefox.logs.filter((l) => l.level === 'error')).toEqual([]);
    check(r, `firefox ${firefox.version}`);
  }, 120_000);
});
