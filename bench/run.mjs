// npm run bench: every workload × contender, one table on stdout, JSON in bench/results/.
//
//   node bench/run.mjs [--quick] [--only gemm,mlp] [--contenders simdnet,tfjs-wasm] [--out file]
//                      [--runtime node|bun|deno|chromium|firefox] [--suite full|runtimes]
//
// One child per (workload, contender, thread count) (see contenders.mjs): a Node process
// (worker.mjs), a Bun or Deno process (`--runtime bun|deno`: runtimes/stdio-worker.mjs), or
// a page in headless Chromium or Firefox (`--runtime chromium|firefox`: browser/session.mjs);
// the harness itself always runs in Node. Every case of a workload is set up and warmed up
// first; then the timed repeats run in rounds, each round one repeat of every (case,
// contender) in turn. A load spike on this shared machine thus hits all contenders alike,
// and every ratio (simdnet ÷ other, or one case ÷ another) is the median over rounds of the
// ratio within a round.
// `--suite runtimes` runs the cases of the cross-runtime table (suites.mjs; all.mjs runs it
// in every runtime and merges the results).
// A full Node run writes bench/results/latest.json; any other run (--quick, --only,
// --contenders, another runtime or suite) writes bench/results/partial.json instead, so
// latest.json is always a complete Node run.

import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { measureParallelism } from './lib/parallelism.mjs';
import { CONTENDERS, CONTENDER_ORDER } from './contenders.mjs';
import { WORKLOADS } from './workloads/index.mjs';
import { SUITES, inSuite } from './suites.mjs';
import { median, pairedRatio } from './lib/measure.mjs';
import { formatTable, fmtValue } from './lib/table.mjs';
import { startProcessRuntime } from './lib/children.mjs';

const RUNTIMES = ['node', 'bun', 'deno', 'chromium', 'firefox'];
/** Contenders that run in Node only, and why. */
const NODE_ONLY = { pytorch: 'native PyTorch is the same program in every runtime: the Node run measures it' };

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    contenders: { type: 'string' },
    out: { type: 'string' },
    runtime: { type: 'string', default: 'node' },
    suite: { type: 'string', default: 'full' },
  },
});
const pick = (list, ids, what) => {
  if (!ids) return list;
  const want = ids.split(',');
  for (const id of want) if (!list.includes(id)) throw new Error(`unknown ${what} '${id}'; known: ${list.join(', ')}`);
  return list.filter((x) => want.includes(x));
};
const runtimeId = pick(RUNTIMES, args.runtime, 'runtime')[0];
const suite = SUITES[args.suite];
if (!suite) throw new Error(`unknown suite '${args.suite}'; known: ${Object.keys(SUITES).join(', ')}`);
const workloadIds = pick(WORKLOADS.map((w) => w.id), args.only, 'workload');
const excluded = runtimeId === 'node' ? {} : NODE_ONLY;
const contenderIds = pick(CONTENDER_ORDER, args.contenders, 'contender').filter((x) => !excluded[x]);
const partial = args.quick || args.only || args.contenders || runtimeId !== 'node' || args.suite !== 'full';

const settings = args.quick
  ? { quick: true, minSeconds: 0.1, warmupSeconds: 0.2, repeats: 3, slowRepeats: 3, slowStepSeconds: 1, ...suite.quickSettings }
  : { quick: false, minSeconds: 0.5, warmupSeconds: 0.5, repeats: 5, slowRepeats: 3, slowStepSeconds: 1, ...suite.settings };

const resultsDir = new URL('results/', import.meta.url);
const outFile = args.out ?? new URL(partial ? 'partial.json' : 'latest.json', resultsDir).pathname;

const log = (s) => process.stderr.write(s + '\n');

/** A case's thread count: 1 unless it says otherwise (the 2-thread rows). */
const threadsOf = (c) => c.threads ?? 1;

/**
 * What a contender reported when it loaded: the 1-thread process's info is
 * result.contenders[x]; another thread count's goes in result.contenders[x].byThreads[n].
 */
function recordInfo(result, x, n, info) {
  const entry = (result.contenders[x] ??= {});
  if (n === 1) {
    if (!('version' in entry) && !('error' in entry)) Object.assign(entry, info);
  } else {
    (entry.byThreads ??= {})[n] ??= info;
  }
}

async function runWorkload(w, result, runtime) {
  const who = w.contenders.filter((c) => contenderIds.includes(c));
  const plays = (c, x) => who.includes(x) && (!c.contenders || c.contenders.includes(x));
  const players = (c) => who.filter((x) => plays(c, x));
  // One child per (contender, thread count) that some case needs, fewest threads first.
  const key = (x, n) => `${x}@${n}`;
  const kids = new Map();
  const loadErrors = new Map();
  for (const x of who) {
    const counts = [...new Set(w.cases.filter((c) => plays(c, x)).map(threadsOf))].sort((a, b) => a - b);
    for (const n of counts) {
      const kid = runtime.spawn(`${w.id}/${x}${n > 1 ? `@${n}` : ''}`);
      try {
        const { info } = await kid.call({ cmd: 'load', workload: w.id, contender: x, threads: n, settings });
        recordInfo(result, x, n, info);
        kids.set(key(x, n), kid);
      } catch (e) {
        recordInfo(result, x, n, { ...(e.status ? { status: e.status } : {}), error: String(e.message) });
        loadErrors.set(key(x, n), e);
        log(`${w.id}: ${x}${n > 1 ? ` on ${n} threads` : ''} failed to load: ${e.message}`);
        await kid.close();
      }
    }
  }
  const kidFor = (c, x) => kids.get(key(x, threadsOf(c)));
  /** caseId → contender → cell */
  const cells = Object.fromEntries(w.cases.map((c) => [c.id, {}]));
  // A status ('cannot train', 'not installed', 'no threads') is an answer about the
  // contender, shown as such in the table; any other error is a failure of the run.
  const fail = (c, x, e) => { cells[c.id][x] = { ...(e.status ? { status: e.status } : {}), error: String(e.message ?? e) }; };

  for (const c of w.cases) {
    for (const x of players(c)) {
      const kid = kidFor(c, x);
      if (!kid) {
        const e = loadErrors.get(key(x, threadsOf(c)));
        fail(c, x, { status: e.status ?? 'failed to load', message: e.message });
        continue;
      }
      try {
        const p = await kid.call({ cmd: 'prepare', caseId: c.id });
        const slow = p.warmup.stepSeconds >= settings.slowStepSeconds;
        const want = p.repeats ?? (slow ? settings.slowRepeats : settings.repeats);
        cells[c.id][x] = { values: [], runs: [], want, work: p.work, warmup: p.warmup };
      } catch (e) { fail(c, x, e); }
    }
  }
  // The cell's value from one timed repeat: throughput (work per second), or for a
  // lower-is-better workload the time per unit of work, times w.scale (µs per call).
  const valueOf = (t, work) => (w.lowerIsBetter ? ((t.seconds / (t.steps * work)) * (w.scale ?? 1)) : (t.steps * work) / t.seconds);
  const rounds = Math.max(0, ...w.cases.flatMap((c) => Object.values(cells[c.id]).map((cell) => cell.want ?? 0)));
  for (let r = 0; r < rounds; r++) {
    const tRound = performance.now();
    for (const c of w.cases) {
      for (const x of players(c)) {
        const cell = cells[c.id][x];
        if (cell.error || cell.values.length >= cell.want) continue;
        try {
          const t = await kidFor(c, x).call({ cmd: 'repeat', caseId: c.id });
          cell.runs.push({ seconds: t.seconds, steps: t.steps, cpuSeconds: t.cpuSeconds });
          cell.values.push(valueOf(t, cell.work));
        } catch (e) { fail(c, x, e); }
      }
    }
    log(`${w.id}: round ${r + 1}/${rounds} (${((performance.now() - tRound) / 1000).toFixed(0)} s)`);
  }

  const rows = [];
  for (const c of w.cases) {
    const row = cells[c.id];
    for (const x of players(c)) {
      const cell = row[x];
      if (cell.error) continue;
      try { cell.check = (await kidFor(c, x).call({ cmd: 'finish', caseId: c.id })).check; } catch (e) { fail(c, x, e); continue; }
      cell.median = median(cell.values);
      cell.spread = (Math.max(...cell.values) - Math.min(...cell.values)) / cell.median;
      // CPU-seconds per wall-second over the timed repeats: ~1 on one thread, up to n on n.
      cell.cpuPerWall = cell.runs.reduce((a, run) => a + run.cpuSeconds, 0) / cell.runs.reduce((a, run) => a + run.seconds, 0);
      delete cell.want;
    }
    const label = typeof c.label === 'function' ? c.label(settings) : c.label;
    rows.push({ id: c.id, label, ...(threadsOf(c) > 1 ? { threads: threadsOf(c) } : {}), cells: row, ratios: ratiosOf(row, w.lowerIsBetter) });
    log(`${w.id.padEnd(5)} ${label.padEnd(36)} ${players(c).map((x) => `${x} ${row[x].error ? row[x].status ?? 'error' : fmtValue(row[x].median)}`).join('  ')}`);
  }
  for (const k of kids.values()) await k.close();

  // What derived rows and summaries see: the median, the per-round values, and the CPU use.
  const view = {
    value: (id, c) => rows.find((r) => r.id === id)?.cells[c]?.median,
    series: (id, c) => rows.find((r) => r.id === id)?.cells[c]?.values,
    cpuPerWall: (id, c) => rows.find((r) => r.id === id)?.cells[c]?.cpuPerWall,
    info: (c, threads = 1) => (threads === 1 ? result.contenders[c] : result.contenders[c]?.byThreads?.[threads]),
    machine: result.machine,
  };
  for (const d of w.derived?.(view) ?? []) {
    const cells = Object.fromEntries(Object.entries(d.series).map(([c, values]) => [c, { median: median(values), values }]));
    // A contender with the same status in every 1-thread row it played (tfjs-wasm: 'cannot
    // train') has it in the derived row too (the derived rows are about one thread).
    for (const x of who) {
      const own = rows.filter((r) => !r.threads).map((r) => r.cells[x]).filter(Boolean);
      if (!cells[x] && own.length && own.every((cell) => cell.status && cell.status === own[0].status)) {
        cells[x] = { status: own[0].status, error: own[0].error };
      }
    }
    rows.push({ id: d.id, label: d.label, derived: true, cells, ratios: ratiosOf(cells, w.lowerIsBetter) });
  }
  return { id: w.id, title: w.title, unit: w.unit, ...(w.lowerIsBetter ? { lowerIsBetter: true } : {}), rows, summary: w.summary?.(view) ?? [] };
}

/**
 * simdnet against each other contender, paired by round, so that > 1 always means simdnet
 * is faster: simdnet's throughput ÷ theirs, or for a lower-is-better unit (µs per call)
 * their time ÷ simdnet's.
 */
function ratiosOf(cells, lowerIsBetter = false) {
  const out = {};
  for (const [o, cell] of Object.entries(cells)) {
    if (o === 'simdnet' || !cell.values?.length || !cells.simdnet?.values?.length) continue;
    out[o] = lowerIsBetter ? pairedRatio(cell.values, cells.simdnet.values) : pairedRatio(cells.simdnet.values, cell.values);
  }
  return out;
}

/** The commit measured, and whether the sources that go into dist/ differed from it. */
function gitState() {
  const git = (...a) => execFileSync('git', a, { cwd: new URL('..', import.meta.url), encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--', 'assembly', 'bindings', 'src', 'scripts', 'asconfig.json') !== '' };
  } catch {
    return null;
  }
}

const t0 = performance.now();
log(`— runtime: ${runtimeId}, suite: ${args.suite}${args.quick ? ', quick' : ''}`);
// Ctrl-C or a kill: close the browser if it is up (at most 5 s), then exit; process.exit runs
// the 'exit' handlers that kill a browser still starting (playwright's, tests/browser/firefox.ts's).
let runtime = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    const closing = runtime ? runtime.close() : Promise.resolve();
    Promise.race([closing, new Promise((r) => setTimeout(r, 5000))]).finally(() => process.exit(130));
  });
}
runtime = runtimeId === 'chromium' || runtimeId === 'firefox'
  ? await (await import('./browser/session.mjs')).startBrowserRuntime(runtimeId)
  : await startProcessRuntime(runtimeId);
const cpus = os.cpus();
const result = {
  schema: 2,
  date: new Date().toISOString(),
  machine: {
    cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, os: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version, v8: process.versions.v8, totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    // The machine is shared: the 1-minute load average says how much else was running.
    loadAvgStart: +os.loadavg()[0].toFixed(2), loadAvgEnd: null,
  },
  git: gitState(),
  // Where the contenders ran (the harness itself is the Node of `machine`).
  runtime: runtime.info,
  suite: args.suite,
  settings,
  contenders: {},
  // Contenders left out of this runtime, or of a workload by the suite: id → why.
  excluded: Object.fromEntries(Object.entries(excluded).filter(([x]) => !args.contenders || args.contenders.split(',').includes(x))),
  skipped: {},
  workloads: [],
  elapsedSeconds: 0,
};
// The ceiling of a 2-thread speedup here, now and again at the end (lib/parallelism.mjs).
// (a failure here costs the line, never the run)
const parallelism = () => measureParallelism().catch((e) => ({ error: String(e?.message ?? e) }));
result.machine.parallelism = { start: await parallelism(), end: null };
if (result.machine.parallelism.start.ratio) log(`— machine: two independent threads ran ${result.machine.parallelism.start.ratio.toFixed(2)}× one thread's GEMM`);
try {
  for (const full of WORKLOADS.filter((x) => workloadIds.includes(x.id))) {
    const chosen = inSuite(full, suite, args.quick);
    if (!chosen) continue;
    const w = chosen.workload;
    const skipped = Object.fromEntries(Object.entries(chosen.skipped).filter(([x]) => contenderIds.includes(x)));
    if (Object.keys(skipped).length) result.skipped[w.id] = skipped;
    log(`— ${w.id}: ${w.title} [${w.unit}]`);
    const tw = performance.now();
    const done = await runWorkload(w, result, runtime);
    done.elapsedSeconds = (performance.now() - tw) / 1000;
    result.workloads.push(done);
    log(`— ${w.id}: ${done.elapsedSeconds.toFixed(0)} s`);
  }
} finally {
  await runtime.close();
}
result.machine.parallelism.end = await parallelism();
result.elapsedSeconds = (performance.now() - t0) / 1000;
result.machine.loadAvgEnd = +os.loadavg()[0].toFixed(2);
for (const c of Object.keys(result.contenders)) result.contenders[c].title = CONTENDERS[c].title;

mkdirSync(resultsDir, { recursive: true });
writeFileSync(outFile + '.tmp', JSON.stringify(result, null, 1) + '\n');
renameSync(outFile + '.tmp', outFile);
console.log(formatTable(result, CONTENDER_ORDER));
console.log(`JSON: ${outFile}`);
