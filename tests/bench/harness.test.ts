// The bench harness across runtimes (bench/): the parts that decide what is measured and how
// it is reported, and the four transports that carry the same cell host to Bun, Deno,
// Chromium and Firefox. No timing is asserted (performance numbers live in bench/, never in
// tests): a transport test checks that a child loads, warms up, repeats whole steps, reports
// its CPU time and its check, and that a page really runs the threads it claims.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SUITES, inSuite } from '../../bench/suites.mjs';
import { WORKLOADS } from '../../bench/workloads/index.mjs';
import { cellHost } from '../../bench/lib/cell-host.mjs';
import { formatRuntimesTable } from '../../bench/lib/runtimes-table.mjs';
import { processCpuSeconds, descendantsCpuSeconds } from '../../bench/lib/proc-cpu.mjs';
import { startProcessRuntime } from '../../bench/lib/children.mjs';
import { startBrowserRuntime } from '../../bench/browser/session.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const workload = (id: string) => WORKLOADS.find((w: { id: string }) => w.id === id);

describe('suites: which cases and contenders a suite runs', () => {
  it('the full suite runs a workload as it is', () => {
    const w = workload('gemm');
    const chosen = inSuite(w, SUITES.full);
    expect(chosen.workload).toBe(w);
    expect(chosen.skipped).toEqual({});
  });

  it('the runtimes suite keeps its cases in its order, and a per-case skip only there', () => {
    const { workload: w, skipped } = inSuite(workload('gemm'), SUITES.runtimes);
    expect(w.cases.map((c: { id: string }) => c.id)).toEqual(SUITES.runtimes.workloads.gemm.cases);
    const players = (id: string) => w.cases.find((c: { id: string }) => c.id === id).contenders;
    expect(players('A·B 256')).toContain('tfjs-cpu');
    expect(players('A·B 512')).not.toContain('tfjs-cpu');
    expect(players('A·B 512')).toEqual(['simdnet', 'tfjs-wasm', 'jax-js']);
    expect(skipped['tfjs-cpu']).toMatch(/GFLOP/);
    // the workload's own object is not changed
    expect(workload('gemm').cases.find((c: { id: string }) => c.id === 'A·B 512').contenders).toContain('tfjs-cpu');
  });

  it('a whole-workload skip takes the contender out of every case and of the workload', () => {
    const { workload: w } = inSuite(workload('cnn'), SUITES.runtimes);
    expect(w.contenders).not.toContain('tfjs-cpu');
    for (const c of w.cases) expect(c.contenders).not.toContain('tfjs-cpu');
    expect(w.contenders).toContain('convnetjs');
  });

  it('--quick uses quickCases; a workload without an entry is not in the suite; an unknown case id is an Error', () => {
    const quick = inSuite(workload('gemm'), SUITES.runtimes, true);
    expect(quick.workload.cases.map((c: { id: string }) => c.id)).toEqual(SUITES.runtimes.workloads.gemm.quickCases);
    expect(inSuite({ id: 'nope', cases: [], contenders: [] }, SUITES.runtimes)).toBeNull();
    const suite = { workloads: { gemm: { cases: ['A·B 3'] } } };
    expect(() => inSuite(workload('gemm'), suite)).toThrow(/gemm has no case 'A·B 3'/);
  });
});

describe('cell host: the protocol every child speaks', () => {
  const settings = { minSeconds: 0.01, warmupSeconds: 0.01 };
  let steps = 0;
  const fake = {
    id: 'fake',
    cases: [{ id: 'a' }, { id: 'broken' }],
    setup: {
      peer: async (_ctx: unknown, c: { id: string }) => {
        if (c.id === 'broken') throw Object.assign(new Error('no such kernel'), { status: 'cannot train' });
        return { work: 2, step: () => { steps++; }, check: () => ({ steps }) };
      },
    },
  };
  const contenders = { peer: { load: async (threads: number) => ({ info: { threads }, cpuSeconds: () => NaN }) } };
  const handle = cellHost({ contenders, workloads: [fake], exit: () => {} });

  it('load → prepare → repeat → finish', async () => {
    expect(await handle({ cmd: 'load', workload: 'fake', contender: 'peer', threads: 2, settings })).toEqual({ ok: true, info: { threads: 2 } });
    const p = await handle({ cmd: 'prepare', caseId: 'a' });
    expect(p.ok).toBe(true);
    expect(p.work).toBe(2);
    expect(p.warmup.calls).toBeGreaterThanOrEqual(3);
    const r = await handle({ cmd: 'repeat', caseId: 'a' });
    expect(r.steps).toBeGreaterThan(0);
    expect(r.seconds).toBeGreaterThanOrEqual(0.01);
    // a contender that cannot tell its CPU time says null, not NaN (JSON has no NaN)
    expect(r.cpuSeconds).toBeNull();
    const f = await handle({ cmd: 'finish', caseId: 'a' });
    expect(f).toEqual({ ok: true, check: { steps } });
  });

  it('a status is an answer, not a crash; unknown commands, workloads and contenders are errors', async () => {
    expect(await handle({ cmd: 'prepare', caseId: 'broken' })).toEqual({ ok: false, status: 'cannot train', error: 'no such kernel' });
    expect(await handle({ cmd: 'fly' })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown command fly/) });
    expect(await handle({ cmd: 'load', workload: 'nope', contender: 'peer', threads: 1, settings })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown workload nope/) });
    expect(await handle({ cmd: 'load', workload: 'fake', contender: 'nope', threads: 1, settings })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown contender nope/) });
  });
});

describe('the cross-runtime table', () => {
  const base = (id: string, extra: Record<string, unknown>) => ({
    machine: { cpu: 'CPU', cores: 2, os: 'linux', node: 'v20', loadAvgStart: 1, loadAvgEnd: 2 },
    git: { commit: 'abcdef1234567890', dirty: false },
    settings: { repeats: 5, slowRepeats: 3, slowStepSeconds: 1, minSeconds: 0.25 },
    runtime: id === 'node' ? { id, version: 'v20' } : { id, version: 'Chromium 150', crossOriginIsolated: true, hardwareConcurrency: 2 },
    contenders: { simdnet: { threads: 1, byThreads: { 2: { threads: 2 } } }, 'tfjs-wasm': { threads: 1, wasmBinary: 'x.wasm' } },
    excluded: {},
    skipped: {},
    elapsedSeconds: 10,
    ...extra,
  });
  const mlp = (peer: Record<string, unknown>, ratio: number, summaryRatio: number) => ({
    id: 'mlp', title: 'MLP', unit: 'samples/s',
    rows: [
      { id: 'trainOnBatch', label: 'trainOnBatch', cells: { simdnet: { median: 1000 }, 'tfjs-wasm': { median: 100 }, ...peer }, ratios: { 'tfjs-wasm': ratio } },
      { id: 'trainOnBatch2', label: 'trainOnBatch, 2 threads', threads: 2, cells: { simdnet: { median: 1500 }, 'tfjs-wasm': { status: 'no threads', error: 'tfjs-wasm runs 1 thread here' } }, ratios: {} },
      { id: 'best', label: 'fastest', derived: true, cells: {}, ratios: {} },
    ],
    summary: [
      { id: 'mlp simdnet/pytorch', ratio: summaryRatio, target: 1, met: summaryRatio >= 1 },
      { id: 'mlp simdnet/tfjs-wasm', ratio: ratio, target: 5, met: ratio >= 5 },
    ],
  });
  const all = {
    date: '2026-12-03', settings: { quick: false }, elapsedSeconds: 30, order: ['node', 'chromium', 'firefox'],
    runtimes: {
      node: base('node', { workloads: [mlp({ pytorch: { median: 2000 } }, 9.5, 0.5)] }),
      chromium: base('chromium', { excluded: { pytorch: 'native' }, workloads: [mlp({}, 11, NaN)] }),
      firefox: { error: 'run.mjs --runtime firefox exited (1):\n/usr/bin/firefox-esr not found' },
    },
  };
  const md = formatRuntimesTable(all);
  const lines = md.split('\n');

  it('one column per runtime that ran, a row per (case, contender), ratios in parentheses', () => {
    expect(lines).toContain('| row | contender | node | chromium |');
    expect(lines).toContain('| trainOnBatch | simdnet | 1000 | 1000 |');
    expect(lines).toContain('|  | tfjs-wasm | 100 (9.50×) | 100 (11.00×) |');
    expect(lines).toContain('|  | pytorch | 2000 | — |');
    expect(lines).toContain('|  | tfjs-wasm | no threads | no threads |');
    expect(md).not.toContain('fastest'); // derived rows stay in the JSON
  });

  it('targets per runtime; a peer a runtime does not run is —, not "not measured"', () => {
    expect(lines).toContain('| mlp simdnet/pytorch | ≥ 1 | 0.50× NOT met | — |');
    expect(lines).toContain('| mlp simdnet/tfjs-wasm | ≥ 5 | 9.50× met | 11.00× met |');
  });

  it('a failed runtime is in the runtimes table and in the notes with its error; notes are said once', () => {
    expect(md).toMatch(/\| firefox \| FAILED/);
    expect(md).toMatch(/- firefox: run FAILED: .*firefox-esr not found/);
    expect(lines.filter((l) => l.includes('tfjs-wasm no threads')).length).toBe(1);
    expect(md).toMatch(/- node, chromium: mlp: tfjs-wasm no threads/);
    expect(md).toMatch(/- chromium: pytorch not run: native/);
  });
});

describe('CPU time from /proc', () => {
  it('counts a child\'s CPU seconds, and the descendants of this process include it', async () => {
    // The child burns 0.3 s of its own CPU time (whatever the load), then says so and waits.
    const child = spawn(process.execPath, ['-e', `
      const t = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
      let x = 0; while (t() < 0.3) x += Math.sqrt(x + 1);
      console.log('done'); setTimeout(() => {}, 60000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      const own = processCpuSeconds(child.pid!);
      expect(own).toBeGreaterThanOrEqual(0.28);
      expect(own).toBeLessThan(5);
      expect(descendantsCpuSeconds(process.pid)).toBeGreaterThanOrEqual(own);
      expect(processCpuSeconds(2 ** 22 + 12345)).toBeNaN(); // no such process
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/** The deep-xor cell of simdnet through a child of `rt`: answers have the harness's shapes. */
async function smoke(rt: { spawn(name: string): { call(m: object): Promise<any>; close(): Promise<void> } }, threads: number) {
  const settings = { quick: true, minSeconds: 0.02, warmupSeconds: 0.02, repeats: 1, slowRepeats: 1, slowStepSeconds: 1 };
  const kid = rt.spawn(`deep-xor/simdnet@${threads}`);
  try {
    const { info } = await kid.call({ cmd: 'load', workload: 'deep-xor', contender: 'simdnet', threads, settings });
    const p = await kid.call({ cmd: 'prepare', caseId: 'relu' });
    const r = await kid.call({ cmd: 'repeat', caseId: 'relu' });
    const f = await kid.call({ cmd: 'finish', caseId: 'relu' });
    return { info, p, r, f };
  } finally {
    await kid.close();
  }
}

function expectSmoke({ info, p, r, f }: Awaited<ReturnType<typeof smoke>>, threads: number) {
  expect(info.threads).toBe(threads);
  expect(p.work).toBe(1);
  expect(r.steps).toBeGreaterThan(0);
  expect(Number.isFinite(r.cpuSeconds) && r.cpuSeconds >= 0).toBe(true);
  expect(Number.isFinite(f.check.lastLoss)).toBe(true);
}

describe.each(['bun', 'deno'])('%s children (runtimes/stdio-worker.mjs)', (id) => {
  it('run a cell on 1 and 2 threads', async () => {
    const rt = await startProcessRuntime(id);
    expect(rt.info.version).toMatch(/^\d+\.\d+/);
    expectSmoke(await smoke(rt, 1), 1);
    expectSmoke(await smoke(rt, 2), 2);
  }, 60_000);
});

describe.each(['chromium', 'firefox'])('%s pages (browser/session.mjs)', (id) => {
  let rt: Awaited<ReturnType<typeof startBrowserRuntime>> | undefined;
  beforeAll(async () => {
    if (!existsSync(`${root}dist/simdnet.browser.mjs`)) throw new Error('dist/simdnet.browser.mjs is missing: run `npm run build` first (npm test does it for you)');
    rt = await startBrowserRuntime(id);
  }, 60_000);
  afterAll(async () => { await rt?.close(); });

  it('the page is cross-origin isolated and runs a simdnet cell on 1 and 2 threads', async () => {
    expect(rt!.info.crossOriginIsolated).toBe(true);
    expectSmoke(await smoke(rt!, 1), 1);
    expectSmoke(await smoke(rt!, 2), 2);
  }, 60_000);

  it('tfjs-wasm loads its threaded build and runs the 2 threads it is asked for', async () => {
    const kid = rt!.spawn('mlp/tfjs-wasm@2');
    try {
      const { info } = await kid.call({ cmd: 'load', workload: 'mlp', contender: 'tfjs-wasm', threads: 2, settings: { quick: true } });
      expect(info.multithread).toBe(true);
      expect(info.wasmBinary).toBe('tfjs-backend-wasm-threaded-simd.wasm');
      expect(info.threads).toBe(2);
    } finally {
      await kid.close();
    }
  }, 60_000);
});
