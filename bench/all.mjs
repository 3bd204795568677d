// npm run bench:all: the cross-runtime table. Runs run.mjs with `--suite runtimes` (suites.mjs)
// once per runtime — Node, Bun, Deno, Chromium, Firefox, one after the other, each in its own
// harness process — and merges what they wrote into one JSON and one markdown table.
//
//   node bench/all.mjs [--quick] [--runtimes node,bun,deno,chromium,firefox]
//                      [--only gemm,mlp] [--contenders simdnet,tfjs-wasm] [--out file.json]
//
// Writes bench/results/runtimes.json and runtimes.md for a complete run (all five runtimes,
// every workload and contender, not --quick), runtimes-partial.json/.md otherwise, and prints
// the markdown on stdout (the runs' progress goes to stderr). A runtime whose run fails (no
// browser installed, a crash) is recorded with its error and the others go on.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatRuntimesTable } from './lib/runtimes-table.mjs';

const RUNTIMES = ['node', 'bun', 'deno', 'chromium', 'firefox'];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runtimes: { type: 'string' },
    only: { type: 'string' },
    contenders: { type: 'string' },
    out: { type: 'string' },
  },
});
const runtimes = args.runtimes ? args.runtimes.split(',') : RUNTIMES;
for (const r of runtimes) if (!RUNTIMES.includes(r)) throw new Error(`unknown runtime '${r}'; known: ${RUNTIMES.join(', ')}`);
const partial = args.quick || args.only || args.contenders || runtimes.length !== RUNTIMES.length;
const resultsDir = new URL('results/', import.meta.url).pathname;
const outFile = args.out ?? join(resultsDir, partial ? 'runtimes-partial.json' : 'runtimes.json');
const mdFile = outFile.replace(/\.json$/, '') + '.md';

const log = (s) => process.stderr.write(s + '\n');

/** One runtime's run: run.mjs in a child process; resolves to its result, or { error }. */
function runOne(rt, dir) {
  const file = join(dir, `${rt}.json`);
  const argv = [new URL('run.mjs', import.meta.url).pathname, '--runtime', rt, '--suite', 'runtimes', '--out', file];
  if (args.quick) argv.push('--quick');
  if (args.only) argv.push('--only', args.only);
  if (args.contenders) argv.push('--contenders', args.contenders);
  return new Promise((resolve) => {
    // run.mjs prints its own table on stdout: shown as progress, like its stderr.
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d) => { process.stderr.write(d); tail = (tail + d).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('exit', (code, signal) => {
      if (code === 0 && existsSync(file)) {
        resolve(JSON.parse(readFileSync(file, 'utf8')));
      } else {
        // The last lines that say why (a missing browser, a stack trace).
        const why = tail.trim().split('\n').filter((l) => l.trim()).slice(-6).join('\n');
        resolve({ error: `run.mjs --runtime ${rt} exited (${code ?? signal}):\n${why}` });
      }
    });
  });
}

const t0 = performance.now();
const dir = mkdtempSync(join(tmpdir(), 'simdnet-bench-runtimes-'));
const all = {
  schema: 1,
  kind: 'runtimes',
  date: new Date().toISOString(),
  settings: { suite: 'runtimes', quick: args.quick, only: args.only ?? null, contenders: args.contenders ?? null },
  order: runtimes,
  runtimes: {},
  elapsedSeconds: 0,
};
try {
  for (const rt of runtimes) {
    const t = performance.now();
    log(`\n===== ${rt} =====`);
    all.runtimes[rt] = await runOne(rt, dir);
    log(`===== ${rt}: ${all.runtimes[rt].error ? 'FAILED' : 'done'} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
all.elapsedSeconds = (performance.now() - t0) / 1000;

const table = formatRuntimesTable(all);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(outFile + '.tmp', JSON.stringify(all, null, 1) + '\n');
renameSync(outFile + '.tmp', outFile);
writeFileSync(mdFile, table + '\n');
console.log(table);
console.log(`\nJSON: ${outFile}\nmarkdown: ${mdFile}`);
