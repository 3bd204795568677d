// The demo page (web/, `npm run serve`) in real browsers: Debian's chromium (playwright-core)
// and firefox-esr (tests/browser/firefox.ts, WebDriver BiDi). For each browser:
//   - the page loads with no console errors (none during the whole run, either);
//   - Train reaches ≥ 90% held-out accuracy on the MLP within two minutes, while a 10 ms
//     timer on the page's main thread never waits more than 150 ms (training is in a worker;
//     on a busy machine the better of two runs counts: see the test);
//   - the charts have data (loss and accuracy curves, histograms, ratios, weight tiles);
//   - an empty canvas predicts nothing; a vertical stroke drawn with real pointer input (a
//     mouse, then a finger) is a "1"; Stop ends training early and keeps what was trained;
//   - save in IndexedDB → reload → load gives the same probabilities, bit for bit, and so
//     does Download → Upload of the .simdnet file;
//   - an uploaded file that is not a model, learning rate 0, a negative learning rate and one
//     so large that the loss becomes NaN in the worker give messages in the page (the last two
//     the library's own Errors; the library accepts 0, the page refuses it);
//   - a page without WebAssembly SIMD (WebAssembly.validate faked to refuse the SIMD probe)
//     says so in plain words; one served without COOP/COEP says threads are unavailable and
//     still trains (the digits then in a plain ArrayBuffer, copied to the worker);
//   - screenshots of the trained page at 1280×800 and 390×844 go to test-artifacts/ (gitignored).
// `npm test` builds dist/ first; the page is built here (web/build.mjs, ~2 s).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Firefox } from './firefox.js';
import { buildPage, servePage } from '../../web/build.mjs';

const CHROMIUM = '/usr/bin/chromium';
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** What the scenario needs of a browser; one implementation per driver. */
interface Driver {
  name: string;
  version: string;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
  /** Real pointer input along the points: a mouse, or one finger. */
  drag(points: Array<[number, number]>, pointerType?: 'mouse' | 'touch'): Promise<void>;
  screenshot(): Promise<Buffer>;
  setViewport(width: number, height: number): Promise<void>;
  /** Fakes "no WebAssembly SIMD" on later loads; returns the undo. */
  withoutSimd(): Promise<() => Promise<void>>;
  errors(): string[];
  close(): Promise<void>;
}

const NO_SIMD = `const v = WebAssembly.validate; WebAssembly.validate = (b) => (b && b.length === 31 && b[26] === 253 ? false : v(b));`;

async function chromiumDriver(): Promise<Driver> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page: Page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await context.addInitScript(`if (sessionStorage.getItem('noSimd') === '1') { ${NO_SIMD} }`);
  return {
    name: 'chromium', version: browser.version(),
    goto: async (url) => { await page.goto(url); },
    reload: async () => { await page.reload(); },
    evaluate: (e) => page.evaluate(e),
    drag: async (points, pointerType = 'mouse') => {
      if (pointerType === 'touch') {
        // playwright has no touch drag: the DevTools protocol's touch events (what a finger sends)
        const cdp = await context.newCDPSession(page);
        const at = ([x, y]: [number, number]) => [{ x, y, id: 1, radiusX: 4, radiusY: 4, force: 1 }];
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(points[0]) });
        for (const p of points.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(p) });
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
        await cdp.detach();
        return;
      }
      await page.mouse.move(points[0][0], points[0][1]);
      await page.mouse.down();
      for (const [x, y] of points.slice(1)) await page.mouse.move(x, y);
      await page.mouse.up();
    },
    screenshot: () => page.screenshot(),
    setViewport: (width, height) => page.setViewportSize({ width, height }),
    withoutSimd: async () => {
      await page.evaluate(`sessionStorage.setItem('noSimd', '1')`);
      return async () => { await page.evaluate(`sessionStorage.removeItem('noSimd')`); };
    },
    errors: () => errors,
    close: () => browser.close(),
  };
}

async function firefoxDriver(): Promise<Driver> {
  const ff = await Firefox.launch({ width: 1280, height: 800 });
  return {
    name: 'firefox', version: ff.version,
    goto: (url) => ff.goto(url),
    reload: () => ff.reload(),
    evaluate: (e) => ff.evaluate(e),
    drag: (points, pointerType) => ff.drag(points, pointerType),
    screenshot: () => ff.screenshot(),
    setViewport: (w, h) => ff.setViewport(w, h),
    withoutSimd: async () => {
      const id = await ff.addInitScript(NO_SIMD);
      return () => ff.removeInitScript(id);
    },
    errors: () => ff.logs.filter((l) => l.level === 'error').map((l) => `${l.type}: ${l.text}`),
    close: () => ff.close(),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(d: Driver, expression: string, what: string, timeoutMs: number, everyMs = 250): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await d.evaluate<T>(expression);
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${d.name}: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

const text = (testid: string) => `document.querySelector('[data-testid=${testid}]').textContent.trim()`;
const ready = (d: Driver) => waitFor(d, `document.body.dataset.ready === 'true'`, 'the page to be ready', 60_000);

/** A vertical stroke through the middle of the drawing canvas (viewport CSS pixels). */
async function drawOne(d: Driver, pointerType: 'mouse' | 'touch' = 'mouse'): Promise<void> {
  await d.evaluate(`document.querySelector('[data-testid=draw]').scrollIntoView({ block: 'center' })`);
  const r = await d.evaluate<{ x: number; y: number; width: number; height: number }>(
    `(() => { const r = document.querySelector('[data-testid=draw]').getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; })()`);
  const points: Array<[number, number]> = [];
  for (let i = 0; i <= 12; i++) points.push([r.x + r.width * 0.5, r.y + r.height * (0.18 + 0.64 * (i / 12))]);
  await d.drag(points, pointerType);
  await waitFor(d, `document.querySelector('[data-testid=prediction]').dataset.probabilities !== undefined`, 'a prediction', 5_000, 50);
}

const clearPad = (d: Driver) => d.evaluate(`(document.getElementById('clear').click(), true)`);
const probabilities = (d: Driver) => d.evaluate<string | null>(`document.querySelector('[data-testid=prediction]').dataset.probabilities ?? null`);

let server: Server | undefined;
let url = '';
let plainServer: Server | undefined;
let plainUrl = '';

beforeAll(async () => {
  for (const f of ['dist/simdnet.mjs', 'dist/simdnet.worker.mjs']) {
    if (!existsSync(fileURLToPath(new URL(`../../${f}`, import.meta.url)))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const dir = await buildPage({ quiet: true });
  ({ server, url } = await servePage({ dir }));
  ({ server: plainServer, url: plainUrl } = await servePage({ dir, isolated: false }));
  mkdirSync(artifacts, { recursive: true });
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (plainServer ? plainServer.close(() => resolve()) : resolve()));
});

const BROWSERS: Array<[string, () => Promise<Driver>]> = [['chromium', chromiumDriver], ['firefox', firefoxDriver]];

describe.each(BROWSERS)('the demo page in %s', (name, launch) => {
  let d: Driver;
  beforeAll(async () => {
    d = await launch();
    await d.goto(url);
    await ready(d);
  }, 120_000);
  afterAll(async () => { await d?.close(); });

  it('loads with no console errors, cross-origin isolated, and nothing predicted on an empty canvas', async () => {
    expect(d.errors()).toEqual([]);
    expect(await d.evaluate('crossOriginIsolated')).toBe(true);
    expect(await d.evaluate(`document.getElementById('fatal').hidden`)).toBe(true);
    expect(await d.evaluate(text('prediction'))).toBe('–');
    expect(await probabilities(d)).toBeNull();
    // the hooks are the elements the tests and users rely on
    expect(await d.evaluate(`document.querySelector('[data-testid=draw]').tagName`)).toBe('CANVAS');
    expect(await d.evaluate(`!!document.querySelector('[data-testid=loss-chart] canvas')`)).toBe(true);
  });

  it('trains the MLP to ≥ 90% held-out accuracy within two minutes, main thread responsive; the charts have data', async () => {
    // A 10 ms timer on the main thread: the longest gap between its ticks while training.
    // Timer gaps also count the time the OS gives other processes (four engineers and the
    // test runner share two cores here): a gap over the limit is measured once more with a
    // second training run, and the better run counts. A page that blocks its main thread
    // fails both.
    const runs: Array<{ max: number; ticks: number; longest: number | null; reached: number; total: number; acc: number }> = [];
    await sleep(1000); // as a person would: not within milliseconds of the page's load (its start-up garbage is collected)
    for (let attempt = 0; attempt < 2; attempt++) {
      await d.evaluate(`(() => {
        window.__gap = { max: 0, ticks: 0, last: performance.now(), longest: null };
        window.__gapTimer = setInterval(() => { const t = performance.now(); window.__gap.max = Math.max(window.__gap.max, t - window.__gap.last); window.__gap.last = t; window.__gap.ticks++; }, 10);
        // The Long Tasks API (Chromium; Firefox has none): the longest main-thread task.
        if (PerformanceObserver.supportedEntryTypes.includes('longtask')) {
          window.__gap.longest = 0;
          window.__gapObserver = new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__gap.longest = Math.max(window.__gap.longest, e.duration); });
          window.__gapObserver.observe({ type: 'longtask' });
        }
        return true;
      })()`);
      const t0 = Date.now();
      await d.evaluate(`(document.querySelector('[data-testid=train]').click(), true)`);
      await waitFor(d, `parseFloat(${text('accuracy')}) >= 90`, 'held-out accuracy ≥ 90%', 120_000);
      const reached = Date.now() - t0;
      await waitFor(d, `!document.querySelector('[data-testid=train]').disabled`, 'training to end', 120_000);
      const total = Date.now() - t0;
      const gap = await d.evaluate<{ max: number; ticks: number; longest: number | null }>(`(clearInterval(window.__gapTimer), window.__gapObserver?.disconnect(), window.__gap)`);
      const acc = parseFloat(await d.evaluate<string>(text('accuracy')));
      runs.push({ ...gap, reached, total, acc });
      console.log(`${name} ${d.version}, run ${attempt + 1}: ≥ 90% after ${(reached / 1000).toFixed(1)} s, final held-out accuracy ${acc}% after ${(total / 1000).toFixed(1)} s; main thread: ${gap.ticks} ticks of a 10 ms timer, longest gap ${gap.max.toFixed(1)} ms${gap.longest === null ? '' : `, longest task ${gap.longest.toFixed(0)} ms`}`);
      expect(reached).toBeLessThan(120_000);
      expect(acc).toBeGreaterThanOrEqual(90);
      expect(gap.ticks).toBeGreaterThan(50);
      expect(await d.evaluate(`document.getElementById('error').hidden`)).toBe(true);
      if (gap.max <= 150) break;
    }
    expect(Math.min(...runs.map((r) => r.max))).toBeLessThanOrEqual(150);

    const epochs = Number(await d.evaluate(`document.querySelector('[name=epochs]').value`));
    const points = await d.evaluate<Record<string, string>>(`({
      loss: document.querySelector('[data-testid=loss-chart]').dataset.points,
      acc: document.getElementById('acc-chart').dataset.points,
      hists: document.getElementById('hists').dataset.points,
      ratios: document.getElementById('ratio-chart').dataset.points,
      tiles: String(document.querySelectorAll('#weights canvas').length),
    })`);
    expect(Number(points.loss)).toBeGreaterThan(epochs * 5);
    expect(Number(points.acc)).toBe(epochs);
    expect(Number(points.hists)).toBe(2); // the MLP's two hidden layers
    expect(Number(points.ratios)).toBe(epochs);
    expect(Number(points.tiles)).toBe(32);
    expect(await d.evaluate(`document.getElementById('summary').textContent`)).toMatch(/Total params: 118282/);
  }, 300_000);

  it('a drawn vertical stroke is predicted "1"; Clear predicts nothing again', async () => {
    await clearPad(d);
    await drawOne(d);
    expect(await d.evaluate(text('prediction'))).toBe('1');
    const p = (await probabilities(d))!.split(',').map(Number);
    expect(p.length).toBe(10);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await d.setViewport(1280, 800);
    await d.evaluate(`(window.scrollTo(0, 0), true)`);
    writeFileSync(`${artifacts}page-${name}.png`, await d.screenshot());
    await d.setViewport(390, 844);
    await sleep(300);
    writeFileSync(`${artifacts}page-${name}-phone.png`, await d.screenshot());
    await d.setViewport(1280, 800);
    await clearPad(d);
    expect(await d.evaluate(text('prediction'))).toBe('–');
    expect(await probabilities(d)).toBeNull();
    // the same stroke with a finger
    await drawOne(d, 'touch');
    expect(await d.evaluate(text('prediction'))).toBe('1');
    await clearPad(d);
  });

  it('Stop ends training early; the model trained so far can be kept', async () => {
    await d.evaluate(`(document.querySelector('[name=epochs]').value = '50', document.querySelector('[data-testid=train]').click(), true)`);
    await waitFor(d, `document.getElementById('acc-chart').dataset.points === '1'`, 'the first epoch', 60_000, 50);
    // the isolated page trains on min(4, hardwareConcurrency) threads in the worker
    const during = await d.evaluate<string>(`document.getElementById('progress-text').textContent`);
    const cores = await d.evaluate<number>('navigator.hardwareConcurrency');
    expect(during).toMatch(new RegExp(`training in a worker on ${Math.min(4, cores)} thread`));
    await d.evaluate(`(document.getElementById('stop').click(), true)`);
    await waitFor(d, `!document.querySelector('[data-testid=train]').disabled`, 'training to stop', 30_000);
    const done = await d.evaluate<string>(`document.getElementById('progress-text').textContent`);
    const epochs = Number(/Trained (\d+) epoch/.exec(done)?.[1]);
    expect(epochs).toBeGreaterThanOrEqual(1);
    expect(epochs).toBeLessThan(50);
    expect(await d.evaluate(`document.getElementById('save').disabled`)).toBe(false);
    await d.evaluate(`(document.querySelector('[name=epochs]').value = '8', true)`);
    expect(d.errors()).toEqual([]);
  }, 120_000);

  it('save in the browser → reload → load, and download → upload, give the same probabilities, bit for bit', async () => {
    await drawOne(d);
    const before = await probabilities(d);
    expect(before).toBeTruthy();
    await d.evaluate(`(document.getElementById('save-name').value = 'page-test', document.getElementById('save').click(), true)`);
    await waitFor(d, `document.getElementById('storage-msg').textContent.startsWith('Saved "page-test"')`, 'the save', 10_000);
    await d.reload();
    await ready(d);
    expect(await probabilities(d)).toBeNull();
    await waitFor(d, `[...document.getElementById('saved').options].some((o) => o.value === 'page-test')`, 'the saved model in the list', 10_000);
    await d.evaluate(`(document.getElementById('saved').value = 'page-test', document.getElementById('saved').dispatchEvent(new Event('change')), document.getElementById('load').click(), true)`);
    await waitFor(d, `document.getElementById('storage-msg').textContent.startsWith('Loaded')`, 'the load', 10_000);
    await drawOne(d);
    expect(await probabilities(d)).toBe(before);
    expect(await d.evaluate(text('prediction'))).toBe('1');

    // Download → upload: the file the Download button offers (caught at URL.createObjectURL)
    // loads back through the upload input and predicts the same bits.
    await d.evaluate(`(() => {
      window.__downloads = [];
      const make = URL.createObjectURL;
      URL.createObjectURL = (blob) => { window.__downloads.push(blob); return make.call(URL, blob); };
      document.getElementById('save-name').value = 'round-trip';
      document.getElementById('download').click();
      return true;
    })()`);
    await waitFor(d, `document.getElementById('storage-msg').textContent === 'Download started.'`, 'the download', 10_000);
    const size = await d.evaluate<number>(`(async () => {
      const blob = window.__downloads[0];
      const head = new Uint8Array(await blob.slice(0, 8).arrayBuffer());
      if (String.fromCharCode(...head) !== 'SIMDNET\\0') throw new Error('the download is not a .simdnet file');
      const input = document.getElementById('upload');
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'round-trip.simdnet'));
      input.files = dt.files;
      input.dispatchEvent(new Event('change'));
      return blob.size;
    })()`);
    expect(size).toBeGreaterThan(118282 * 4);
    await waitFor(d, `document.getElementById('storage-msg').textContent === 'Loaded round-trip.simdnet.'`, 'the upload', 10_000);
    await clearPad(d);
    await drawOne(d);
    expect(await probabilities(d)).toBe(before);
    expect(d.errors()).toEqual([]);
  }, 60_000);

  it('bad input gets a message in the page: a file that is not a model, learning rate 0, a negative learning rate', async () => {
    await d.evaluate(`(() => {
      const input = document.getElementById('upload');
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0])], 'cat.png'));
      input.files = dt.files;
      input.dispatchEvent(new Event('change'));
      return true;
    })()`);
    await waitFor(d, `document.getElementById('storage-msg').classList.contains('bad')`, 'the upload message', 10_000);
    expect(await d.evaluate(`document.getElementById('storage-msg').textContent`)).toMatch(/cat\.png is not a simdnet model/);

    const train = async (lr: string) => {
      await d.evaluate(`(document.querySelector('[name=lr]').value = ${JSON.stringify(lr)}, document.querySelector('[data-testid=train]').click(), true)`);
      await waitFor(d, `!document.getElementById('error').hidden`, 'the error message', 10_000);
      return d.evaluate<string>(`document.getElementById('error').textContent`);
    };
    expect(await train('0')).toMatch(/Learning rate 0 would train nothing/);
    expect(await train('fast')).toBe('Learning rate must be a number such as 0.001, got "fast".');
    expect(await train('-0.5')).toBe('Invalid learning rate: -0.5'); // the library's Error
    expect(await d.evaluate(`document.querySelector('[data-testid=train]').disabled`)).toBe(false); // nothing started
    // an error raised in the worker while training: the library's message, in the page
    await d.evaluate(`(document.querySelector('[name=optimizer]').value = 'sgd', true)`);
    expect(await train('1e30')).toMatch(/^Training stopped at epoch 1, batch \d+: loss became NaN .*keeps its last finite weights$/);
    await waitFor(d, `!document.querySelector('[data-testid=train]').disabled`, 'the page to be ready to train again', 10_000);
    await d.evaluate(`(document.querySelector('[name=optimizer]').value = 'adam', document.querySelector('[name=lr]').value = '0.001', true)`);
    expect(d.errors()).toEqual([]);
  });

  it('without cross-origin isolation the page says threads are unavailable, and trains all the same', async () => {
    await d.goto(plainUrl);
    await ready(d);
    expect(await d.evaluate('crossOriginIsolated')).toBe(false);
    expect(await d.evaluate(`document.getElementById('status').textContent`)).toMatch(/not cross-origin isolated \(threads unavailable; training still works\)/);
    await d.evaluate(`(document.querySelector('[name=lr]').value = '0.001', document.querySelector('[name=epochs]').value = '1', document.querySelector('[data-testid=train]').click(), true)`);
    await waitFor(d, `/on 1 thread\b/.test(document.getElementById('progress-text').textContent) || !document.querySelector('[data-testid=train]').disabled`, 'the thread count', 60_000, 20);
    await waitFor(d, `!document.querySelector('[data-testid=train]').disabled`, 'training to end', 120_000);
    expect(parseFloat(await d.evaluate<string>(text('accuracy')))).toBeGreaterThan(85);
    expect(d.errors()).toEqual([]);
    await d.goto(url);
    await ready(d);
  }, 150_000);

  it('without WebAssembly SIMD the page says so in plain words', async () => {
    const undo = await d.withoutSimd();
    try {
      await d.reload();
      await waitFor(d, `!document.getElementById('fatal').hidden`, 'the message', 10_000);
      expect(await d.evaluate(`document.getElementById('fatal').textContent`)).toMatch(/This browser has no WebAssembly SIMD\..*needs WebAssembly SIMD/);
      expect(await d.evaluate(`document.getElementById('app').hidden`)).toBe(true);
    } finally {
      await undo();
    }
    expect(d.errors()).toEqual([]);
  });
});
