// callbacks.htmlReport({path}): the Node user's TensorBoard. One self-contained HTML file (no
// scripts, no network: inline SVG and CSS), rewritten at the start of training and at each
// epoch end, so a long run can be watched by reloading it in any browser (while training runs
// it reloads itself every `refresh` seconds). It holds:
//   - loss and accuracy curves (train and validation, per epoch), with the latest values;
//   - the update/weight ratio of each kernel per epoch (fit's monitors, on a log scale) and the
//     share of exactly-zero outputs of each ReLU layer;
//   - per-layer activation histograms of a sample (`activations: {x}`; diagnostics.activationStats,
//     inference mode), before training and after the latest epoch;
//   - the model summary.
// The charts are drawn here as SVG (a few hundred lines in the library, no charting library).
// Each write goes to a temporary file that is then renamed over `path`: a reader never sees a
// half-written report. Node, Bun and Deno (it needs node:fs/promises).

import type { Callback, TrainInfo } from '../callbacks.js';
import type { Logs } from '../model/history.js';
import type { EpochMonitors } from '../model/monitor.js';
import type { Features } from '../model/data.js';
import { checkKeys, describe } from '../options.js';
import { diagnostics, type LayerStats } from './diagnostics.js';
import type { Sequential } from '../model/sequential.js';

export interface HtmlReportArgs {
  /** Where to write the report (an .html file; its folder must exist). */
  path: string;
  /** Page title (default: "simdnet · <model name>"). */
  title?: string;
  /** A sample for the activation histograms (a few hundred samples is plenty), and its bins (default 30). */
  activations?: { x: Features; bins?: number };
  /** Seconds between the page's reloads while training runs (default 5; 0: never). */
  refresh?: number;
}

interface FsPromises {
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const COLORS = ['#4f46e5', '#f97316', '#059669', '#db2777', '#0891b2', '#ca8a04', '#7c3aed', '#dc2626'];

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return String(+v.toPrecision(3));
}

/** "Nice" tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
  return out;
}

interface Series { name: string; values: Array<number | null> }

/** A line chart: x = epochs 1…n, one polyline per series (gaps at null / non-finite / ≤ 0 on a log scale). */
export function lineChart(series: Series[], { title, log = false, percent = false, width = 460, height = 220 }: { title: string; log?: boolean; percent?: boolean; width?: number; height?: number }): string {
  const L = 52, R = 12, T = 30, B = 34;
  const ok = (v: number | null): v is number => v !== null && Number.isFinite(v) && (!log || v > 0);
  const all = series.flatMap((s) => s.values.filter(ok));
  const n = Math.max(1, ...series.map((s) => s.values.length));
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">`;
  if (all.length === 0) return `${svg}<text x="${width / 2}" y="${height / 2}" class="e" text-anchor="middle">no data yet</text></svg>`;
  const f = log ? Math.log10 : (v: number) => v;
  let lo = f(Math.min(...all)), hi = f(Math.max(...all));
  if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.06;
  lo -= pad; hi += pad;
  const X = (i: number) => L + (n === 1 ? (width - L - R) / 2 : (i / (n - 1)) * (width - L - R));
  const Y = (v: number) => T + (1 - (f(v) - lo) / (hi - lo)) * (height - T - B);
  // log scale: powers of ten, with 2× and 5× between them when the range is under two decades
  const yt = log
    ? ticks(Math.floor(lo), Math.ceil(hi), 6).filter((e) => Number.isInteger(e)).flatMap((e) => (hi - lo < 2 ? [1, 2, 5] : [1]).map((m) => m * 10 ** e)).filter((v) => Math.log10(v) >= lo && Math.log10(v) <= hi)
    : ticks(lo, hi);
  for (const t of yt) {
    const y = Y(t).toFixed(1);
    svg += `<line x1="${L}" x2="${width - R}" y1="${y}" y2="${y}" class="g"/><text x="${L - 6}" y="${y}" class="a" text-anchor="end" dy="3">${percent ? `${+(t * 100).toFixed(1)}%` : fmt(t)}</text>`;
  }
  for (const e of ticks(1, n, Math.min(n - 1 || 1, 8)).filter((e) => Number.isInteger(e))) {
    svg += `<text x="${X(e - 1).toFixed(1)}" y="${height - B + 16}" class="a" text-anchor="middle">${e}</text>`;
  }
  svg += `<text x="${(L + width - R) / 2}" y="${height - 4}" class="a" text-anchor="middle">epoch</text>`;
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    let d = '', pen = false, dots = '';
    s.values.forEach((v, i) => {
      if (!ok(v)) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${X(i).toFixed(1)},${Y(v).toFixed(1)}`;
      pen = true;
      if (n <= 60) dots += `<circle cx="${X(i).toFixed(1)}" cy="${Y(v).toFixed(1)}" r="2.5" fill="${color}"/>`;
    });
    svg += `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>${dots}`;
  });
  let lx = L;
  for (const [k, s] of series.entries()) {
    const last = [...s.values].reverse().find(ok);
    const label = `${s.name}${last === undefined ? '' : ` ${percent ? `${(last * 100).toFixed(2)}%` : fmt(last)}`}`;
    svg += `<rect x="${lx}" y="8" width="10" height="3" fill="${COLORS[k % COLORS.length]}"/><text x="${lx + 14}" y="13" class="a">${esc(label)}</text>`;
    lx += 24 + label.length * 6.2;
  }
  return `${svg}</svg>`;
}

/** A histogram of one layer's outputs. */
export function histogramChart(s: LayerStats, width = 220, height = 130): string {
  const L = 6, R = 6, T = 30, B = 18;
  const c = s.histogram.counts, e = s.histogram.edges;
  const max = Math.max(1, ...c);
  const bw = (width - L - R) / c.length;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(s.name)} histogram">`;
  svg += `<text x="${L}" y="12" class="t">${esc(s.name)}</text><text x="${L}" y="25" class="a">μ ${fmt(s.mean)} · σ ${fmt(s.std)}${s.saturation !== null ? ` · sat ${(s.saturation * 100).toFixed(0)}%` : ''}${s.activation === 'relu' ? ` · zero ${(s.dead * 100).toFixed(0)}%` : ''}</text>`;
  c.forEach((v, i) => {
    const h = (v / max) * (height - T - B);
    svg += `<rect x="${(L + i * bw).toFixed(1)}" y="${(height - B - h).toFixed(1)}" width="${Math.max(0.5, bw - 0.6).toFixed(1)}" height="${h.toFixed(1)}" fill="#6366f1"/>`;
  });
  svg += `<text x="${L}" y="${height - 4}" class="a">${fmt(e[0])}</text><text x="${width - R}" y="${height - 4}" class="a" text-anchor="end">${fmt(e[e.length - 1])}</text>`;
  return `${svg}</svg>`;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5fa;color:#0f172a}
header{background:linear-gradient(120deg,#1e1b4b,#4338ca);color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:14px;padding:14px 24px;max-width:1500px;margin:0 auto}
section{background:#fff;border-radius:12px;padding:12px 14px;box-shadow:0 1px 2px rgba(15,23,42,.06),0 6px 20px rgba(15,23,42,.05);min-width:0}
section.wide{grid-column:1/-1}h2{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:#334155;margin:0 0 6px}
svg{width:100%;height:auto;display:block}.t{font-size:12px;font-weight:600;fill:#334155}.a{font-size:10px;fill:#64748b}.e{font-size:12px;fill:#94a3b8}.g{stroke:#e2e8f0}
.hists{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}pre{background:#0f172a;color:#e2e8f0;padding:12px;border-radius:8px;overflow-x:auto;font-size:12px;margin:0}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px}td,th{padding:3px 10px;text-align:right;border-bottom:1px solid #e2e8f0}th:first-child,td:first-child{text-align:left}.m{color:#64748b}`;

/** A callback that writes (and keeps rewriting) one self-contained HTML report of the run. */
export function htmlReport(args: HtmlReportArgs): Callback & { readonly path: string } {
  if (!args || typeof args !== 'object') throw new Error(`callbacks.htmlReport expects {path, title?, activations?, refresh?}, got ${describe(args)}`);
  checkKeys(args, ['path', 'title', 'activations', 'refresh'], 'callbacks.htmlReport');
  const { path } = args;
  if (typeof path !== 'string' || path === '') throw new Error(`callbacks.htmlReport: path must be a non-empty string, got ${describe(path)}`);
  if (args.title !== undefined && typeof args.title !== 'string') throw new Error(`callbacks.htmlReport: title must be a string, got ${describe(args.title)}`);
  const refresh = args.refresh ?? 5;
  if (typeof refresh !== 'number' || !(refresh >= 0)) throw new Error(`callbacks.htmlReport: refresh must be a number of seconds ≥ 0, got ${describe(refresh)}`);
  const act = args.activations;
  if (act !== undefined && (!act || typeof act !== 'object' || act.x === undefined)) throw new Error(`callbacks.htmlReport: activations must be {x, bins?}, got ${describe(act)}`);
  if (act) checkKeys(act, ['x', 'bins'], 'callbacks.htmlReport activations');

  let fs: FsPromises | null = null;
  let info!: TrainInfo;
  let model!: Sequential;
  let started = 0;
  let before: LayerStats[] | null = null;
  let latest: LayerStats[] | null = null;
  let epochsDone = 0;
  let writes = 0;

  const stats = () => (act ? diagnostics.activationStats(model, act.x, act.bins !== undefined ? { bins: act.bins } : {}) : null);

  const render = (running: boolean): string => {
    const h = info.history.history as Record<string, number[]>;
    const monitors = info.history.monitors as EpochMonitors[];
    const name = (model as { name?: string }).name ?? 'model';
    const title = args.title ?? `simdnet · ${name}`;
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    const lossSeries = (['loss', 'valLoss'] as const).filter((k) => h[k]).map((k) => ({ name: k === 'loss' ? 'train' : 'validation', values: h[k] }));
    const accKeys = Object.keys(h).filter((k) => /accuracy$/i.test(k));
    const accSeries = accKeys.map((k) => ({ name: k.startsWith('val') ? 'validation' : 'train', values: h[k] }));
    const kernels = monitors.length ? Object.keys(monitors[monitors.length - 1].updateRatio).filter((k) => k.endsWith('/kernel')) : [];
    const ratioSeries = kernels.map((k) => ({ name: k.replace(/\/kernel$/, ''), values: monitors.map((m) => m.updateRatio[k] ?? null) }));
    const relu = monitors.length ? Object.keys(monitors[monitors.length - 1].deadShare) : [];
    const deadSeries = relu.map((k) => ({ name: k, values: monitors.map((m) => m.deadShare[k] ?? null) }));
    const best = (k: string) => (!h[k].length ? '–' : /loss$/i.test(k) ? fmt(Math.min(...h[k])) : /accuracy$/i.test(k) ? fmt(Math.max(...h[k])) : '');
    const last = Object.keys(h).map((k) => `<tr><td>${esc(k)}</td><td>${h[k].length ? fmt(h[k][h[k].length - 1]) : '–'}</td><td class="m">${best(k)}</td></tr>`).join('');
    // dropout is the identity at inference: its histogram would repeat the previous layer's
    const hist = (s: LayerStats[] | null, when: string) => (s
      ? `<section class="wide"><h2>Activations ${esc(when)}</h2><div class="hists">${s.filter((l) => l.className !== 'Dropout').map((l) => histogramChart(l)).join('')}</div></section>` : '');
    const summary = typeof (model as { summary?: unknown }).summary === 'function' ? model.summary(null) : '';
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${running && refresh > 0 ? `<meta http-equiv="refresh" content="${refresh}">` : ''}<title>${esc(title)}</title><style>${CSS}</style></head><body>
<header><h1>${esc(title)}</h1><p>${running ? `training: epoch ${epochsDone} of ${info.epochs}` : `finished: ${epochsDone} epoch${epochsDone === 1 ? '' : 's'}`} · ${secs} s · written ${new Date().toISOString()}${running && refresh > 0 ? ` · reloads every ${refresh} s` : ''}</p></header>
<main>
<section><h2>Loss per epoch</h2>${lineChart(lossSeries, { title: 'loss per epoch' })}</section>
<section><h2>Accuracy per epoch</h2>${accSeries.length ? lineChart(accSeries, { title: 'accuracy per epoch', percent: true }) : '<p class="m">No accuracy metric (compile with metrics: [\'accuracy\']).</p>'}</section>
<section><h2>Update / weight ratio per kernel <span class="m">(about 1e-3 is healthy)</span></h2>${ratioSeries.length ? lineChart(ratioSeries, { title: '‖Δw‖ / ‖w‖ per kernel (about 1e-3 is healthy)', log: true }) : '<p class="m">No monitors yet.</p>'}</section>
${deadSeries.length ? `<section><h2>Dead ReLUs <span class="m">(share of exactly-zero outputs)</span></h2>${lineChart(deadSeries, { title: 'share of exactly-zero outputs per ReLU layer', percent: true })}</section>` : ''}
<section><h2>Latest</h2><table><tr><th>metric</th><th>last</th><th>best</th></tr>${last}</table></section>
${hist(latest, `after epoch ${epochsDone}`)}${hist(before, 'before training')}${act ? '' : '<section class="wide"><h2>Activations</h2><p class="m">Pass <code>activations: {x}</code> (a few hundred samples) to htmlReport to see per-layer histograms.</p></section>'}
<section class="wide"><h2>Model</h2><pre>${esc(summary)}</pre></section>
</main></body></html>`;
  };

  const write = async (running: boolean) => {
    const html = render(running);
    const tmp = `${path}.tmp-${Date.now().toString(36)}-${writes++}`;
    await fs!.writeFile(tmp, html);
    await fs!.rename(tmp, path);
  };

  return {
    needsMonitors: true,
    path,
    async onTrainBegin(i) {
      if (!fs) {
        try {
          fs = (await import('node:fs/promises')) as unknown as FsPromises;
        } catch {
          throw new Error('callbacks.htmlReport writes a file: it needs Node, Bun or Deno (in a browser, use createTrainer\'s onEpochEnd and draw the charts on the page)');
        }
      }
      info = i;
      model = i.model as unknown as Sequential;
      started = Date.now();
      epochsDone = 0;
      before = stats();
      latest = null;
      await write(true);
    },
    async onEpochEnd(epoch: number, _logs: Logs) {
      epochsDone = epoch + 1;
      latest = stats();
      await write(true);
    },
    async onTrainEnd() {
      if (info) await write(false);
    },
  };
}
