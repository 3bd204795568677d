// The cross-runtime table (all.mjs) as markdown, from the merged JSON: one column per runtime;
// per workload one row per (case, contender); a cell is the contender's median in that
// runtime, with simdnet ÷ that contender in the same runtime (paired by round) in
// parentheses. Then the targets per runtime, and the notes (statuses, errors, what
// the suite left out, runtimes that failed), each said once with the runtimes it holds for.

import { CONTENDER_ORDER } from '../contenders.mjs';
import { fmtValue, fmtRatio } from './table.mjs';

const plural = (n, what) => `${n} ${what}${n === 1 ? '' : 's'}`;
const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (cells) => `| ${cells.map(esc).join(' | ')} |`;

/** What a contender ran with in one runtime, in a few words (1-thread rows / 2-thread rows). */
function ran(id, info) {
  if (!info) return '—';
  if (info.status || info.error) return info.status ?? 'failed to load';
  const two = info.byThreads?.[2];
  const twoText = two ? (two.error ? `; 2-thread rows: ${two.status ?? 'failed to load'}` : ` / ${two.workerPool || id !== 'jax-js' ? two.threads : 1}`) : '';
  if (id === 'simdnet') return `${info.threads}${twoText} thread(s)${two?.threadsOption === 'ignored' ? ' (threads option ignored)' : ''}`;
  if (id === 'tfjs-wasm') return `${info.wasmBinary ?? (info.simd ? 'SIMD' : 'no SIMD')}, ${info.threads}${twoText} thread(s)`;
  if (id === 'jax-js') return info.workerPool ? `worker pool of ${info.threads}${twoText}` : '1 thread, no worker pool';
  return `${info.version ?? ''} ${plural(info.threads ?? 1, 'thread')}`.trim();
}

function cellText(cell, ratio) {
  if (!cell) return '—';
  if (cell.error) return cell.status ?? 'error';
  const v = fmtValue(cell.median);
  return Number.isFinite(ratio) ? `${v} (${fmtRatio(ratio)})` : v;
}

/** Rows of every runtime's workload `id`, in order of first appearance: [{ id, label }]. */
function unionRows(results, id) {
  const seen = new Map();
  for (const r of results) {
    for (const x of r.workloads.find((w) => w.id === id)?.rows ?? []) {
      if (!x.derived && !seen.has(x.id)) seen.set(x.id, x.label);
    }
  }
  return [...seen].map(([rowId, label]) => ({ id: rowId, label }));
}

/**
 * A target line's value in one runtime, in a few words; '—' when the line compares with a
 * peer that does not run there (PyTorch outside Node) or that the suite left out.
 */
function targetText(line, result, workloadId) {
  if (!line) return '—';
  const peer = /simdnet\/(\S+)$/.exec(line.id)?.[1];
  if (peer && !Number.isFinite(line.ratio) && (result.excluded?.[peer] || result.skipped?.[workloadId]?.[peer])) return '—';
  if (line.shapes) {
    const met = line.shapes.filter((s) => s.met).length;
    return `${met} of ${line.shapes.length} shapes ≥ ${line.target}`;
  }
  if (Number.isFinite(line.overheadMicroseconds)) {
    // deep-xor: the target is the step's JS overhead (the step less its replayed kernel calls)
    return `${line.overheadMicroseconds.toFixed(1)} µs of ${line.microseconds.toFixed(1)} ${line.met ? 'met' : 'NOT met'}`;
  }
  const v = line.ratio ?? line.microseconds;
  if (!Number.isFinite(v)) return 'not measured';
  const text = line.microseconds !== undefined ? `${v.toFixed(1)} µs` : `${v.toFixed(2)}×`;
  return `${text} ${line.met ? 'met' : 'NOT met'}`;
}

export function formatRuntimesTable(all) {
  const order = all.order;
  const ok = order.filter((rt) => !all.runtimes[rt]?.error);
  const results = ok.map((rt) => all.runtimes[rt]);
  const first = results[0];
  const out = [];
  out.push('# simdnet across runtimes');
  out.push('');
  if (first) {
    const m = first.machine;
    const git = first.git ? `simdnet at ${first.git.commit.slice(0, 12)}${first.git.dirty ? ' + uncommitted changes to its sources' : ''}` : 'simdnet (no git)';
    out.push(`${all.date} — ${m.cpu} (${m.cores} cores), ${m.os}; harness: node ${m.node}; ${git}; suite \`runtimes\` (bench/suites.mjs)${all.settings.quick ? '; **QUICK MODE, not for comparison**' : ''}; ${all.elapsedSeconds.toFixed(0)} s in all.`);
    const s = first.settings;
    out.push('');
    const slow = s.slowRepeats !== s.repeats ? `, or ${s.slowRepeats} when a step takes ≥ ${s.slowStepSeconds} s` : '';
    out.push(`Each cell: the median of a cell's timed repeats (${s.repeats}${slow}; each ≥ ${s.minSeconds} s of whole steps, after warm-up), run in rounds of one repeat of every cell of the workload; ` +
      'in parentheses, simdnet ÷ that contender in the same runtime: the median over rounds of the ratio within a round, > 1: simdnet faster (for µs: theirs ÷ simdnet\'s). ' +
      'Compare runtimes by the ratios more than by the absolute numbers: the runtimes ran one after the other, each under the load of its own minutes (load averages below). ' +
      '"two threads ÷ one (machine)": two independent one-thread GEMM loops at once against one alone, at the start and the end of that runtime\'s run (bench/lib/parallelism.mjs): the ceiling of any 2-thread speedup in those minutes.');
  }
  out.push('');
  const shown = ['simdnet', 'tfjs-wasm', 'jax-js'];
  out.push(row(['runtime', 'version', 'load average', 'two threads ÷ one (machine)', 'time', ...shown.map((x) => `${x} ran`)]));
  out.push(row(['---', '---', '---', '---', '--:', ...shown.map(() => '---')]));
  for (const rt of order) {
    const r = all.runtimes[rt];
    if (!r || r.error) { out.push(row([rt, 'FAILED (see notes)', '', '', '', ...shown.map(() => '')])); continue; }
    const version = r.runtime?.id === 'node' || !r.runtime ? `Node ${r.machine.node}` : r.runtime.crossOriginIsolated === undefined
      ? `${rt === 'bun' ? 'Bun' : 'Deno'} ${r.runtime.version}`
      : `${r.runtime.version}, cross-origin isolated: ${r.runtime.crossOriginIsolated ? 'yes' : 'NO'}`;
    const par = r.machine.parallelism;
    const ceiling = par?.start?.ratio ? `${par.start.ratio.toFixed(2)}× → ${par.end?.ratio ? par.end.ratio.toFixed(2) + '×' : '?'}` : '—';
    out.push(row([rt, version, `${r.machine.loadAvgStart} → ${r.machine.loadAvgEnd}`, ceiling, `${r.elapsedSeconds.toFixed(0)} s`, ...shown.map((x) => ran(x, r.contenders[x]))]));
  }

  const workloadIds = [...new Set(results.flatMap((r) => r.workloads.map((w) => w.id)))];
  const targets = [];
  for (const wid of workloadIds) {
    const w = results.map((r) => r.workloads.find((x) => x.id === wid)).find(Boolean);
    out.push('');
    out.push(`## ${wid}: ${w.title} [${w.unit}${w.lowerIsBetter ? ', lower is better' : ''}]`);
    out.push('');
    out.push(row(['row', 'contender', ...ok]));
    out.push(row([':--', ':--', ...ok.map(() => '--:')]));
    const byRuntime = results.map((r) => r.workloads.find((x) => x.id === wid));
    for (const { id, label } of unionRows(results, wid)) {
      const rows = byRuntime.map((x) => x?.rows.find((y) => y.id === id));
      const who = CONTENDER_ORDER.filter((c) => rows.some((y) => y?.cells[c]));
      who.forEach((c, i) => {
        out.push(row([i === 0 ? label : '', c, ...rows.map((y) => cellText(y?.cells[c], c === 'simdnet' ? NaN : y?.ratios?.[c]))]));
      });
    }
    // The workload's target lines, one row per line id, a column per runtime.
    const ids = [];
    for (const x of byRuntime) for (const l of x?.summary ?? []) if (l.target !== undefined && !ids.includes(l.id)) ids.push(l.id);
    for (const id of ids) {
      const target = byRuntime.flatMap((x) => x?.summary ?? []).find((l) => l.id === id)?.target;
      targets.push({ id, target, cells: byRuntime.map((x, i) => targetText(x?.summary.find((l) => l.id === id), results[i], wid)) });
    }
  }

  if (targets.length) {
    out.push('');
    out.push('## Targets (issue 9), per runtime');
    out.push('');
    out.push(row(['summary line (bench/README.md)', 'target', ...ok]));
    out.push(row([':--', '--:', ...ok.map(() => '--:')]));
    for (const t of targets) {
      if (t.cells.every((c) => c === '—')) continue; // a peer no runtime ran here (the suite left it out)
      out.push(row([t.id, t.id.includes('µs') ? `≤ ${t.target} µs` : `≥ ${t.target}`, ...t.cells]));
    }
  }

  // Notes: each text once, with the runtimes it holds for.
  const notes = new Map();
  const note = (text, rt) => { if (!notes.has(text)) notes.set(text, new Set()); notes.get(text).add(rt); };
  for (const rt of order) {
    const r = all.runtimes[rt];
    if (!r) continue;
    if (r.error) { note(`run FAILED: ${r.error}`, rt); continue; }
    for (const [x, why] of Object.entries(r.excluded ?? {})) note(`${x} not run: ${why}`, rt);
    for (const [x, info] of Object.entries(r.contenders)) if (info.status === 'not installed') note(`${x} not installed: ${info.error.split('\n')[0]}`, rt);
    for (const [wid, skipped] of Object.entries(r.skipped ?? {})) for (const [x, why] of Object.entries(skipped)) note(`${wid}: ${x} left out by the suite: ${why}`, rt);
    for (const w of r.workloads) {
      for (const y of w.rows) {
        for (const [x, cell] of Object.entries(y.cells)) {
          if (!cell.error || cell.status === 'not installed') continue;
          const first = cell.error.split('\n')[0];
          note(cell.status ? `${w.id}: ${x} ${cell.status}: ${first}` : `${w.id}: error in ${y.label} / ${x}: ${first}`, rt);
        }
      }
    }
  }
  if (notes.size) {
    out.push('');
    out.push('## Notes');
    out.push('');
    for (const [text, rts] of notes) out.push(`- ${rts.size === order.length ? 'all runtimes' : [...rts].join(', ')}: ${text.replace(/\n/g, ' ')}`);
  }
  return out.join('\n');
}
