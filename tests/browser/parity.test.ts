// Node ⇄ Chromium ⇄ Firefox bit parity: the same seeded training runs (workloads.mjs, one file
// used verbatim everywhere; among them conv + batchNorm + dropout + Adam) must produce the same
// bits of weights, predictions and losses with dist/simdnet.mjs in Node and
// dist/simdnet.browser.mjs in headless Chromium (playwright-core) and headless Firefox ESR
// (WebDriver BiDi, tests/browser/firefox.ts). Bun and Deno: tests/runtimes/parity.test.ts.
//
// Threads: the page is served cross-origin isolated, and each browser also runs the workloads
// on 2 threads with every threaded kernel split; they must match Node's one-thread bits.
//
// Both sides use the release wasm inlined in the dist bundles (not the debug build that
// tests/setup.ts gives src/ imports): importing dist/simdnet.mjs yields its own module
// instance with its own init(). `npm test` builds dist/ first.
//
// Same file, same bits: Node trains the resumable models of workloads.mjs and saves each
// with io.toBytes(model.save()); the test server serves those bytes at /resume/<i>.simdnet,
// the page loads them, trains on (shuffle, dropout, batch norm, a schedule) and saves again,
// and must match Node's continuation of the same bytes bit for bit, the saved files byte
// for byte (tests/browser/resume.ts). SIMDNET_PARITY_FLIP_BIT=1 makes the page flip one
// bit of one weight in each file before resuming: a by-hand check that those tests then fail.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { differences, expectNonTrivial, fileDifference, resumeDifferences } from './compare.js';
import { continueInNode, makeResumeFiles, nodeResumeChecks, type NodeResume } from './resume.js';
import { WORKLOADS, type ResumeResult, type WorkloadResult } from './workloads.mjs';
import { Firefox } from './firefox.js';

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
let resumeFiles: Uint8Array[] = [];
let resumeNames: string[] = [];
let nodeResume: NodeResume | undefined;
let browserResume: ResumeResult[] = [];
let browserFiles: string[] = [];
let firefox: Firefox | undefined;
let firefoxInfo = '';
let firefoxResults: WorkloadResult[] = [];
let firefoxResume: ResumeResult[] = [];
let firefoxFiles: string[] = [];

// Source strings, not functions: vitest rewrites import() inside test-file functions.
const RUN_WORKLOADS = `(async () => {
  const lib = await import('/simdnet.browser.mjs');
  const { runAll } = await import('/workloads.mjs');
  return runAll(lib);
})()`;

// The same workloads in a fresh module instance (another URL) started with 2 threads, every
// threaded kernel split: the page is cross-origin isolated (COOP/COEP below), so the workers
// share the memory; the page's main thread is thread 0 and spins while it waits.
const RUN_THREADED = `(async () => {
  const lib = await import('/simdnet.browser.mjs?threads');
  const { runAll } = await import('/workloads.mjs');
  const rt = await lib.init({ threads: 2 });
  rt.minParallelFlops = 0;
  rt.minSplitWork = 0;
  return { isolated: crossOriginIsolated, threads: rt.threads, results: await runAll(lib) };
})()`;
interface Threaded { isolated: boolean; threads: number; results: WorkloadResult[] }
let chromiumThreaded: Threaded | undefined;
let firefoxThreaded: Threaded | undefined;

function resumeScript(): string {
  return `(async () => {
    const lib = await import('/simdnet.browser.mjs');
    const { flipLowestBit, resumableFiles, resumeFromFile } = await import('/workloads.mjs');
    const files = await resumableFiles(lib);
    const resume = [];
    for (let i = 0; i < ${resumeFiles.length}; i++) {
      const res = await fetch('/resume/' + i + '.simdnet');
      if (!res.ok) throw new Error('GET /resume/' + i + '.simdnet: ' + res.status);
      const bytes = new Uint8Array(await res.arrayBuffer());
      resume.push(await resumeFromFile(lib, ${process.env.SIMDNET_PARITY_FLIP_BIT === '1' ? 'await flipLowestBit(lib, bytes)' : 'bytes'}));
    }
    return { files, resume };
  })()`;
}

function serve(): Promise<Server> {
  const routes: Record<string, () => [string, string | Uint8Array]> = {
    '/': () => ['text/html; charset=utf-8', PAGE],
    '/simdnet.browser.mjs': () => ['text/javascript; charset=utf-8', readFileSync(browserBundle)],
    '/workloads.mjs': () => ['text/javascript; charset=utf-8', readFileSync(workloadsFile)],
  };
  // The model files Node saved, byte for byte.
  resumeFiles.forEach((bytes, i) => { routes[`/resume/${i}.simdnet`] = () => ['application/octet-stream', bytes]; });
  const s = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route) { res.writeHead(404).end(); return; }
    const [type, body] = route();
    // cross-origin isolated, so that SharedArrayBuffer and threads are available
    res.writeHead(200, {
      'content-type': type, 'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
    }).end(body);
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
  const made = await makeResumeFiles(lib);
  resumeFiles = made.files;
  resumeNames = made.names;
  nodeResume = await continueInNode(lib, made);

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
    browserResults = await page.evaluate(RUN_WORKLOADS) as WorkloadResult[];
    ({ files: browserFiles, resume: browserResume } = await page.evaluate(resumeScript()) as { files: string[]; resume: ResumeResult[] });
    chromiumThreaded = await page.evaluate(RUN_THREADED) as Threaded;
  } catch (e) {
    throw new Error(`workloads failed in Chromium ${browserInfo}: ${String(e)}${pageErrors.length ? `\npage errors:\n${pageErrors.join('\n')}` : ''}`);
  }
  await page.close();

  // Firefox: the same page and scripts over WebDriver BiDi (tests/browser/firefox.ts).
  firefox = await Firefox.launch();
  firefoxInfo = firefox.version;
  try {
    await firefox.goto(`${origin}/`);
    if (await firefox.evaluate('window.__ready === true') !== true) throw new Error('the parity page did not run its module script');
    firefoxResults = await firefox.evaluate<WorkloadResult[]>(RUN_WORKLOADS);
    ({ files: firefoxFiles, resume: firefoxResume } = await firefox.evaluate<{ files: string[]; resume: ResumeResult[] }>(resumeScript()));
    firefoxThreaded = await firefox.evaluate<Threaded>(RUN_THREADED);
  } catch (e) {
    const errors = firefox.logs.filter((l) => l.level === 'error').map((l) => l.text);
    throw new Error(`workloads failed in Firefox ${firefoxInfo}: ${String(e)}${errors.length ? `\npage errors:\n${errors.join('\n')}` : ''}`);
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await firefox?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});


/** What one browser returned (read after beforeAll has filled it in). */
interface BrowserSide { results: WorkloadResult[]; resume: ResumeResult[]; files: string[]; info: string }

function sameBitsIn(name: string, key: string, side: () => BrowserSide): void {
  describe(`Node and ${name} train to the same bits`, () => {
    it('ran the same workloads on both sides', () => {
      expect(side().results.map((r) => r.name)).toEqual(nodeResults.map((r) => r.name));
      expect(nodeResults.length).toBe(WORKLOADS.length);
    });

    for (const idx of WORKLOADS.map((_, i) => i)) {
      it(`workload ${idx}: weights, predictions and losses are bit-identical`, () => {
        const n = nodeResults[idx], b = side().results[idx];
        expect(n, 'node result').toBeDefined();
        expect(b, `${key} result`).toBeDefined();
        expect(differences(n, b, key), `${n.name}: Node ${process.version} vs ${name} ${side().info}`).toEqual([]);
      });
    }
  });

  describe(`a model file saved in Node trains on to the same bits in ${name}`, () => {
    it('the page resumed every file', () => {
      expect(resumeNames.length).toBe(2);
      expect(side().resume.map((r) => r.name)).toEqual(resumeNames);
    });

    for (const idx of [0, 1]) {
      it(`file ${idx}: ${name} writes the same file after the same training`, () => {
        expect(resumeFiles[idx], 'node file').toBeDefined();
        expect(fileDifference('model file', key, Buffer.from(resumeFiles[idx]).toString('base64'), side().files[idx])).toBe('');
      });

      it(`file ${idx}: predictions after load, continued training and the file it saves are bit-identical`, () => {
        const n = nodeResume?.fromFile[idx], b = side().resume[idx];
        expect(n, 'node result').toBeDefined();
        expect(b, `${key} result`).toBeDefined();
        expect(resumeDifferences(n!, b, key), `${n!.name}: Node ${process.version} vs ${name} ${side().info}`).toEqual([]);
      });
    }
  });
}

sameBitsIn('Chromium', 'chromium', () => ({ results: browserResults, resume: browserResume, files: browserFiles, info: browserInfo }));
sameBitsIn('Firefox', 'firefox', () => ({ results: firefoxResults, resume: firefoxResume, files: firefoxFiles, info: firefoxInfo }));

for (const [name, side] of [['Chromium', () => chromiumThreaded], ['Firefox', () => firefoxThreaded]] as const) {
  describe(`${name} on 2 threads (cross-origin isolated, every threaded kernel split) trains to Node's one-thread bits`, () => {
    it('the page was isolated and ran the workloads on 2 threads', () => {
      expect(side()?.isolated).toBe(true);
      expect(side()?.threads).toBe(2);
      expect(side()!.results.map((r) => r.name)).toEqual(nodeResults.map((r) => r.name));
    });
    for (const idx of WORKLOADS.map((_, i) => i)) {
      it(`workload ${idx}: bit-identical`, () => {
        const n = nodeResults[idx], b = side()!.results[idx];
        expect(differences(n, b, `${name} (2 threads)`), `${n.name}: Node, one thread, vs ${name}, 2 threads`).toEqual([]);
      });
    }
  });
}

describe('the compared runs are non-trivial', () => {
  for (const idx of WORKLOADS.map((_, i) => i)) {
    it(`workload ${idx}: training moved every weight, loss fell`, () => {
      const r = nodeResults[idx];
      expect(r, 'node result').toBeDefined();
      expectNonTrivial(r);
    });
  }
});
