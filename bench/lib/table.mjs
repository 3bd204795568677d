// The table for people, made from the same result object that is written as JSON.
// Columns are fixed by the contender registry (a contender that did not run shows '—'),
// so the layout only changes when a contender is added.

export function fmtValue(v) {
  if (!(v > 0)) return '—';
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function fmtRatio(r) {
  return Number.isFinite(r) && r > 0 ? `${r.toFixed(2)}×` : '—';
}

const plural = (n, what) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** One contender in the header: what it ran with, and its processes on other thread counts. */
function describe(id, info) {
  if (!info) return `${id} (not run)`;
  if (info.status === 'not installed') return `${id} (not installed)`;
  const more = Object.entries(info.byThreads ?? {}).map(([n, i]) => `; ${n}-thread rows: ${onThreads(id, +n, i)}`).join('');
  if (info.error) return `${id} (failed to load${more})`;
  if (id === 'tfjs-wasm') {
    const binary = info.wasmBinary ? `, ${info.wasmBinary}` : '';
    return `${id} ${info.version} (SIMD ${info.simd ? 'yes' : 'no'}, multithread ${info.multithread ? 'yes' : 'no'}${binary}, ${plural(info.threads, 'thread')}${more})`;
  }
  if (id === 'convnetjs') {
    return `${id} ${info.version} (f64, 1 thread; ${info.trainerHasAdam ? 'its Trainer\'s Adam' : 'no Adam in its Trainer: the bench\'s Adam on its gradients'})`;
  }
  if (id === 'pytorch') {
    const slow = info.blas === 'reference BLAS' ? ' — ~8× slower than OpenBLAS: apt-get install libopenblas0-pthread' : '';
    return `${id} ${info.version} (native, ${info.blas}${slow}, oneDNN ${info.mkldnn ? 'yes' : 'no'}, ${info.cpuCapability ?? '?'}, ${plural(info.threads, 'thread')}${more})`;
  }
  if (id === 'jax-js') {
    return `${id} ${info.version} (wasm device, ${info.workerPool ? `a worker pool of ${info.threads}` : '1 thread: no worker pool here'}${more})`;
  }
  return `${id} ${info.version ?? ''} (${plural(info.threads ?? 1, 'thread')}${more})`;
}

/** A contender's process on n threads, in a few words. */
function onThreads(id, n, info) {
  if (info.status === 'not installed') return 'not installed';
  if (info.error) return 'failed to load';
  if (id === 'simdnet' && info.threadsOption === 'ignored') return `init({threads: ${n}}) ignored by this build: ran 1 thread`;
  if (id === 'jax-js' && info.workerPool) return `a worker pool of ${info.threads}`;
  return plural(info.threads, 'thread');
}

/** Where the contenders ran, when not in the harness's Node: version, and what a page saw. */
export function describeRuntime(rt) {
  const page = rt.crossOriginIsolated === undefined ? '' : `, cross-origin isolated: ${rt.crossOriginIsolated ? 'yes' : 'NO'}, hardwareConcurrency ${rt.hardwareConcurrency}`;
  return `${rt.id} (${rt.version}${page})`;
}

const pct = (x) => `${(100 * x).toFixed(0)}%`;

export function formatTable(result, contenderOrder) {
  const others = contenderOrder.filter((c) => c !== 'simdnet');
  const s = result.settings;
  const out = [];
  const m = result.machine;
  out.push(`simdnet bench — ${result.date} — ${m.cpu} (${m.cores} cores), ${m.os}, node ${m.node}, load average ${m.loadAvgStart} → ${m.loadAvgEnd}`);
  const par = m.parallelism;
  if (par?.start?.ratio) {
    const at = (p) => `${p.ratio.toFixed(2)}× (rounds ${p.min.toFixed(2)}–${p.max.toFixed(2)})`;
    out.push(`two independent one-thread GEMMs (256³) at once ran ${at(par.start)} one alone at the start${par.end?.ratio ? `, ${at(par.end)} at the end` : ''}: the ceiling of a 2-thread speedup on this machine in this run`);
  }
  if (result.runtime && result.runtime.id !== 'node') out.push(`runtime: ${describeRuntime(result.runtime)}${result.suite && result.suite !== 'full' ? `; suite: ${result.suite}` : ''}`);
  if (result.git) out.push(`simdnet at ${result.git.commit.slice(0, 12)}${result.git.dirty ? ' + uncommitted changes to its sources' : ''}`);
  const excluded = result.excluded ?? {};
  out.push(`contenders: ${contenderOrder.map((c) => (excluded[c] ? `${c} (not in this runtime: ${excluded[c]})` : describe(c, result.contenders[c]))).join('; ')}`);
  const slow = s.slowRepeats !== s.repeats ? ` (${s.slowRepeats} when one step takes ≥ ${s.slowStepSeconds} s)` : '';
  out.push(`each cell: median of ${s.repeats} timed repeats${slow}, each ≥ ${s.minSeconds} s, after warm-up, in rounds over all cells; ` +
    `ratios: median over rounds of the ratio within a round${s.quick ? '; QUICK MODE, not for comparison' : ''}`);

  const labelW = Math.max(28, ...result.workloads.flatMap((w) => w.rows.map((r) => r.label.length)));
  const cellText = (cell) => (cell?.error ? cell.status ?? 'error' : fmtValue(cell?.median));
  const colW = Math.max(10, ...contenderOrder.map((c) => c.length + 1),
    ...result.workloads.flatMap((w) => w.rows.flatMap((r) => Object.values(r.cells).map((cell) => cellText(cell).length + 1))));
  const ratioHeads = others.map((o) => `simdnet/${o}`);
  const ratioW = Math.max(...ratioHeads.map((h) => h.length + 1));
  const line = (label, vals, ratios) =>
    label.padEnd(labelW) + vals.map((v) => v.padStart(colW)).join('') + ratios.map((r) => r.padStart(ratioW)).join('');

  for (const w of result.workloads) {
    out.push('');
    out.push(`${w.id}: ${w.title} [${w.unit}${w.lowerIsBetter ? ', lower is better; ratios: theirs ÷ simdnet\'s, > 1: simdnet faster' : ''}]`);
    out.push(line('', contenderOrder, ratioHeads));
    for (const r of w.rows) {
      const vals = contenderOrder.map((c) => cellText(r.cells[c]));
      out.push(line(r.label, vals, others.map((o) => fmtRatio(r.ratios[o]))));
    }
    for (const l of w.summary) out.push(`  ${l.text}`);
    const spreads = w.rows.flatMap((r) => Object.values(r.cells).map((c) => c.spread).filter(Number.isFinite));
    if (spreads.length) {
      const sorted = spreads.sort((a, b) => a - b);
      out.push(`  noise: (max − min) / median of a cell's repeats is ${pct(sorted[sorted.length >> 1])} typically, ${pct(sorted[sorted.length - 1])} at worst`);
    }
    // A status ('cannot train') is said once per contender, whatever rows it fills.
    const said = new Set();
    for (const r of w.rows) {
      for (const [c, x] of Object.entries(r.cells)) {
        if (!x.error) continue;
        const first = x.error.split('\n')[0];
        const text = x.status ? `  ${c} ${x.status}: ${first}` : `  error: ${r.label} / ${c}: ${first}`;
        if (!said.has(text)) { said.add(text); out.push(text); }
      }
    }
    for (const [c, why] of Object.entries(result.skipped?.[w.id] ?? {})) out.push(`  ${c} left out of some or all rows by the suite: ${why}`);
  }
  out.push('');
  out.push(`total ${result.elapsedSeconds.toFixed(0)} s`);
  return out.join('\n');
}
