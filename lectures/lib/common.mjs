// Shared helpers of the lecture experiments: the digits (cached), figures (Vega-Lite compiled
// by vega-lite, rendered headless to SVG by vega), small statistics, and the standalone
// entry point every experiment file calls when it is run directly.
import { pathToFileURL } from 'node:url';
import { init } from 'simdnet';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { mnistSplit } from '../../demo/data.mjs';

let digitsCache = null;

/**
 * The embedded digits (8,000 train / 2,000 test, demo/data.mjs), optionally a prefix of each
 * split (the split is already a fixed random permutation, so a prefix is a random subset).
 */
export function digits({ train = 8000, test = 2000 } = {}) {
  digitsCache ??= mnistSplit();
  const cut = (s, n) => ({ x: s.x.subarray(0, n * 784), y: s.y.subarray(0, n), n });
  return { train: cut(digitsCache.train, Math.min(train, 8000)), test: cut(digitsCache.test, Math.min(test, 2000)) };
}

/** Images [n, 28, 28, 1] share the flat buffer: simdnet reads the shape from the tensor. */
export { tensor } from 'simdnet';

export async function ready() { await init(); }

/** Common chart defaults: readable fonts, no chart-wide border. */
const CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/** Compiles a Vega-Lite spec and renders it to an SVG string (no DOM, no canvas). */
export async function renderSvg(spec) {
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', padding: 8, ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } };
  const warnings = [];
  const logger = { level() { return this; }, warn: (...m) => { warnings.push(m.join(' ')); return logger; }, info: () => logger, debug: () => logger, error: (...m) => { throw new Error(m.join(' ')); } };
  const { spec: vgSpec } = vl.compile(full, { logger });
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
export const std = (a) => { const m = mean(a); return Math.sqrt(mean(a.map((v) => (v - m) ** 2))); };
export const fmt = (v, d = 3) => (v === null || v === undefined || Number.isNaN(v) ? 'NaN'
  : !Number.isFinite(v) ? String(v)
  : Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential(Math.max(1, d - 1))
  : Number(v.toFixed(d)).toString());
export const pct = (v, d = 1) => (Number.isFinite(v) ? `${(100 * v).toFixed(d)}%` : String(v));

/** Per-batch losses of a fit, recorded by a callback. */
export function batchLosses() {
  const losses = [];
  return { losses, callback: { onBatchEnd: (_b, logs) => { losses.push(logs.loss); } } };
}

/** Mean of each consecutive block of `k` values (loss curves with fewer points). */
export function blocks(values, k) {
  const out = [];
  for (let i = 0; i < values.length; i += k) out.push(mean(values.slice(i, i + k)));
  return out;
}

/** Fractional epoch at which a per-epoch series first reaches `target` (linear between epochs), or null. */
export function epochsTo(series, target, { above = true } = {}) {
  let prev = above ? -Infinity : Infinity, prevE = 0;
  for (let e = 0; e < series.length; e++) {
    const v = series[e];
    if (above ? v >= target : v <= target) {
      if (e === 0 || !Number.isFinite(prev)) return e + 1;
      return prevE + (target - prev) / (v - prev);
    }
    prev = v; prevE = e + 1;
  }
  return null;
}

export function isMain(metaUrl) {
  return process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === metaUrl;
}

/** `node lectures/<name>.mjs [--quick] [--out DIR]`: runs one experiment through the runner. */
export async function standalone(metaUrl, experiment) {
  if (!isMain(metaUrl)) return;
  const { main } = await import('./runner.mjs');
  process.exitCode = await main([...process.argv.slice(2), '--only', experiment.name], { registry: { [experiment.name]: async () => experiment } });
}

/** Trains on the training split and evaluates on the test split; returns accuracies and time. */
export async function trainEval(model, data, { epochs, batchSize = 100, callbacks = [], validation = true, shape = [784], monitor = false } = {}) {
  const { tensor } = await import('simdnet');
  const x = tensor(data.train.x, [data.train.n, ...shape]);
  const xt = tensor(data.test.x, [data.test.n, ...shape]);
  const t0 = performance.now();
  const history = await model.fit(x, data.train.y, { epochs, batchSize, callbacks, monitor, ...(validation ? { validationData: [xt, data.test.y] } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  const test = model.evaluate(xt, data.test.y);
  return { history: history.history, monitors: history.monitors, test, seconds };
}

// CRC-32 (PNG chunks)
const CRC = new Int32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c; });
function crc32(buf) { let c = -1; for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ -1) >>> 0; }

/**
 * A grayscale image as a PNG data URL for a Vega-Lite `image` mark (keeps pixel pictures
 * small: one PNG instead of one SVG rect per pixel). `values` are in [0, 1] (0 white, 1
 * black), row-major w × h; each pixel becomes a scale × scale block (crisp when shown).
 */
export async function grayPng(values, w, h, scale = 3) {
  const { deflateSync } = await import('node:zlib');
  const W = w * scale, H = h * scale;
  const raw = Buffer.alloc((W + 1) * H);
  for (let y = 0; y < H; y++) {
    raw[y * (W + 1)] = 0; // filter: none
    for (let x = 0; x < W; x++) {
      const v = values[Math.floor(y / scale) * w + Math.floor(x / scale)];
      raw[y * (W + 1) + 1 + x] = Math.round(255 * (1 - Math.min(1, Math.max(0, v))));
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0); ihdr.writeUInt32BE(H, 4); ihdr[8] = 8; ihdr[9] = 0; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  return `data:image/png;base64,${png.toString('base64')}`;
}
