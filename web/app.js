// The demo page (npm run serve): trains on the embedded digits in a worker (createTrainer),
// plots live curves, activation histograms, update/weight ratios and the first layer's
// weights, predicts a digit drawn on a canvas, and keeps models in IndexedDB or files.
//
// The main thread only draws: training, validation, activation statistics and monitors all
// run in the worker, which sends each epoch's numbers and weights (transferred). The main
// thread keeps a copy of the model for predictions on the drawing (one 784-input sample, well
// under a millisecond), updated from each epoch's weights.

import * as sn from './simdnet.mjs';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';

const $ = (id) => document.getElementById(id);
const TRAIN_COLOR = '#4f46e5', VAL_COLOR = '#f97316';
const HIST_SAMPLE = 500, HIST_BINS = 30;
const MAX_TILES = 32;
const DIGITS_FILE = 'digits.bin.gz';

/** @type {{xTrain: Float32Array, yTrain: Int32Array, xTest: Float32Array, yTest: Int32Array, nTrain: number, nTest: number}} */
let data;
let trainer = null;       // the worker while training
let live = null;          // main-thread model for predictions (weights follow the worker's epochs)
let artifacts = null;     // the trained (or loaded) model's save() artifacts: what Save/Download keep
let training = false;

// ---------------------------------------------------------------- data

async function loadDigits() {
  const res = await fetch(DIGITS_FILE);
  if (!res.ok) throw new Error(`GET ${DIGITS_FILE}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== 'SNDIGIT1') throw new Error(`${DIGITS_FILE} is not a digits file (magic ${JSON.stringify(magic)})`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const nTrain = dv.getUint32(8, true), nTest = dv.getUint32(12, true), n = nTrain + nTest;
  const labels = bytes.subarray(16, 16 + n), pixels = bytes.subarray(16 + n, 16 + n + n * 784);
  // On a cross-origin isolated page the pixels live in a SharedArrayBuffer: createTrainer
  // shares such arrays with its worker instead of copying 31 MB per Train.
  const Buffer = globalThis.crossOriginIsolated && typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer;
  const x = new Float32Array(new Buffer(n * 784 * 4));
  for (let i = 0; i < x.length; i++) x[i] = pixels[i] / 255;
  const y = Int32Array.from(labels);
  return { nTrain, nTest, xTrain: x.subarray(0, nTrain * 784), yTrain: y.subarray(0, nTrain), xTest: x.subarray(nTrain * 784), yTest: y.subarray(nTrain) };
}

// ---------------------------------------------------------------- settings → model

function readSettings() {
  const f = new FormData($('settings'));
  const lrText = String(f.get('lr')).trim();
  const lr = lrText === '' ? NaN : Number(lrText);
  if (Number.isNaN(lr)) throw new Error(`Learning rate must be a number such as 0.001, got ${JSON.stringify(lrText)}.`);
  // The library accepts 0 (a frozen run is legitimate in code); on this page it is a mistake.
  // Negative and infinite rates go to the library, whose Error the page shows as it is.
  if (lr === 0) throw new Error('Learning rate 0 would train nothing: give a positive number such as 0.001.');
  const epochs = Number(f.get('epochs'));
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 100) throw new Error(`Epochs must be a whole number from 1 to 100, got ${JSON.stringify(String(f.get('epochs')))}.`);
  return {
    model: f.get('model'), activation: f.get('activation'), initializer: f.get('initializer'), norm: f.get('norm'),
    optimizer: f.get('optimizer'), lr, dropout: Number(f.get('dropout')), epochs, batchSize: Number(f.get('batchSize')),
    seed: Number(f.get('seed')),
  };
}

function optimizer(s) {
  const { optimizers } = sn;
  // Library errors (negative or non-numeric rates) come through as they are.
  switch (s.optimizer) {
    case 'adam': return optimizers.adam({ learningRate: s.lr });
    case 'adamw': return optimizers.adamw({ learningRate: s.lr });
    case 'rmsprop': return optimizers.rmsprop({ learningRate: s.lr });
    case 'momentum': return optimizers.sgd({ learningRate: s.lr, momentum: 0.9 });
    default: return optimizers.sgd({ learningRate: s.lr });
  }
}

function buildModel(s) {
  const { Sequential, layers } = sn;
  const m = new Sequential({ seed: s.seed, name: `digits-${s.model}` });
  const norm = () => (s.norm === 'batch' ? layers.batchNorm() : s.norm === 'layer' ? layers.layerNorm() : s.norm === 'group' ? layers.groupNorm({ groups: 4 }) : null);
  // With a normalization: linear layer → norm → activation (the lecture's order).
  const block = (layer) => {
    m.add(layer);
    const n = norm();
    if (n) { m.add(n); m.add(layers.activation({ activation: s.activation })); }
  };
  const act = s.norm === 'none' ? s.activation : undefined;
  const init = s.initializer;
  try {
    if (s.model === 'cnn') {
      block(layers.conv2d({ filters: 8, kernelSize: 5, padding: 'same', inputShape: [28, 28, 1], activation: act, kernelInitializer: init }));
      m.add(layers.maxPool2d({ poolSize: 2 }));
      block(layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: act, kernelInitializer: init }));
      m.add(layers.maxPool2d({ poolSize: 2 }));
      m.add(layers.flatten());
      if (s.dropout > 0) m.add(layers.dropout({ rate: s.dropout }));
    } else {
      block(layers.dense({ units: 128, inputShape: [784], activation: act, kernelInitializer: init }));
      if (s.dropout > 0) m.add(layers.dropout({ rate: s.dropout }));
      block(layers.dense({ units: 128, activation: act, kernelInitializer: init }));
      if (s.dropout > 0) m.add(layers.dropout({ rate: s.dropout }));
    }
    m.add(layers.dense({ units: 10, kernelInitializer: init }));
    m.compile({ optimizer: optimizer(s), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    return m;
  } catch (e) {
    m.dispose();
    throw e;
  }
}


// ---------------------------------------------------------------- charts

const axisStyle = { stroke: '#64748b', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#e2e8f0', width: 1 } };

function chart(el, series, { yLabel, log = false, yRange } = {}) {
  const opts = {
    width: Math.max(200, el.clientWidth), height: 200,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    scales: { x: { time: false }, y: log ? { distr: 3 } : yRange ? { range: yRange } : { auto: true } },
    axes: [{ ...axisStyle, label: 'epoch', labelSize: 18, size: 34 }, { ...axisStyle, label: yLabel, labelSize: 18, size: 52 }],
    series: [{ label: 'epoch' }, ...series],
  };
  const u = new uPlot(opts, [[], ...series.map(() => [])], el);
  new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 200 })).observe(el);
  return u;
}

let lossChart, accChart, ratioChart;
const curves = { x: [], batchLoss: [], valLoss: [], epochX: [], trainAcc: [], valAcc: [], trainLossEpoch: [] };
let ratioData = { names: [], x: [], values: [] };
let drawScheduled = false;

function resetCharts() {
  Object.values(curves).forEach((a) => { a.length = 0; });
  ratioData = { names: [], x: [], values: [] };
  if (ratioChart) { ratioChart.destroy(); ratioChart = null; }
  $('ratio-chart').replaceChildren();
  $('hists').replaceChildren();
  $('weights').replaceChildren();
  $('hist-when').textContent = '';
  histCharts = [];
  scheduleDraw();
}

function scheduleDraw() {
  if (drawScheduled) return;
  drawScheduled = true;
  requestAnimationFrame(() => {
    drawScheduled = false;
    // The loss chart: the running mean of batch losses (x in fractional epochs) and the
    // held-out loss at each epoch's end (null in between; uPlot joins the points).
    lossChart.setData([curves.x, curves.batchLoss, curves.valLoss]);
    accChart.setData([curves.epochX, curves.trainAcc, curves.valAcc]);
    $('loss-chart').dataset.points = String(curves.x.length);
    $('acc-chart').dataset.points = String(curves.epochX.length);
    if (ratioChart) {
      ratioChart.setData([ratioData.x, ...ratioData.values]);
      $('ratio-chart').dataset.points = String(ratioData.x.length);
    }
  });
}

const PALETTE = ['#4f46e5', '#f97316', '#059669', '#db2777', '#0891b2', '#ca8a04', '#7c3aed', '#dc2626'];

function showRatios(epoch, monitors) {
  if (!monitors) return;
  const names = Object.keys(monitors.updateRatio).filter((n) => /kernel/.test(n));
  if (!ratioChart) {
    ratioData = { names, x: [], values: names.map(() => []) };
    ratioChart = chart($('ratio-chart'), names.map((n, i) => ({ label: n.replace(/\/kernel$/, ''), stroke: PALETTE[i % PALETTE.length], width: 2, points: { show: true, size: 5 } })), { yLabel: 'ratio', log: true });
  }
  ratioData.x.push(epoch + 1);
  ratioData.names.forEach((n, i) => {
    const v = monitors.updateRatio[n];
    ratioData.values[i].push(Number.isFinite(v) && v > 0 ? v : null);
  });
}

let histCharts = [];
const barsPath = uPlot.paths.bars({ size: [1, Infinity], gap: 0 });

function showHistograms(stats, when) {
  const shown = stats.filter((s) => !['Dropout', 'Flatten', 'MaxPool2D'].includes(s.className)).slice(0, -1);
  const box = $('hists');
  if (histCharts.length !== shown.length) {
    box.replaceChildren();
    histCharts = shown.map((s) => {
      const cell = document.createElement('div');
      cell.className = 'hist';
      const title = document.createElement('div');
      title.className = 'hist-title';
      const plot = document.createElement('div');
      cell.append(title, plot);
      box.append(cell);
      const u = new uPlot({
        width: 170, height: 110, legend: { show: false }, cursor: { show: false },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1e-9, max)] } },
        axes: [{ ...axisStyle, size: 22, font: '10px system-ui', values: (_u, v) => v.map((t) => +t.toPrecision(2)) }, { show: false }],
        series: [{}, { stroke: TRAIN_COLOR, fill: 'rgba(79,70,229,0.35)', paths: barsPath, points: { show: false } }],
      }, [[], []], plot);
      return { u, title, cell };
    });
  }
  shown.forEach((s, i) => {
    const { u, title } = histCharts[i];
    const e = s.histogram.edges, c = s.histogram.counts;
    const total = c.reduce((a, b) => a + b, 0) || 1;
    const centers = c.map((_, k) => (e[k] + e[k + 1]) / 2);
    title.replaceChildren(Object.assign(document.createElement('b'), { textContent: s.name }), ` μ ${s.mean.toFixed(2)} · σ ${s.std.toFixed(2)}`);
    title.title = `${s.className}${s.activation ? ` (${s.activation})` : ''}: mean ${s.mean}, std ${s.std}, min ${s.min}, max ${s.max}` +
      `${s.saturation !== null ? `, saturated ${(s.saturation * 100).toFixed(1)}%` : ''}, exactly zero ${(s.dead * 100).toFixed(1)}%`;
    u.setData([centers, c.map((v) => v / total)]);
  });
  box.dataset.points = String(shown.length);
  $('hist-when').textContent = when;
}

function showWeights(w) {
  // MLP: a dense kernel [784, units] → one 28×28 tile per unit. CNN: a conv kernel
  // [kh, kw, 1, filters] → one kh×kw tile per filter.
  const t = w.tensor, d = t.data, shape = t.shape;
  let tiles, side, at;
  if (shape.length === 2 && shape[0] === 784) {
    tiles = Math.min(MAX_TILES, shape[1]); side = 28;
    at = (tile, p) => d[p * shape[1] + tile];
  } else if (shape.length === 4) {
    tiles = Math.min(MAX_TILES, shape[3]); side = shape[0];
    const [kh, kw, cin, cout] = shape;
    at = (tile, p) => d[((Math.floor(p / kw) * kw + (p % kw)) * cin) * cout + tile];
    if (kh !== kw) return;
  } else return;
  const box = $('weights');
  if (box.children.length !== tiles) {
    box.replaceChildren();
    for (let i = 0; i < tiles; i++) {
      const c = document.createElement('canvas');
      c.width = side; c.height = side;
      box.append(c);
    }
  }
  for (let i = 0; i < tiles; i++) {
    const c = box.children[i];
    const g = c.getContext('2d');
    const img = g.createImageData(side, side);
    let m = 1e-12;
    for (let p = 0; p < side * side; p++) m = Math.max(m, Math.abs(at(i, p)));
    for (let p = 0; p < side * side; p++) {
      const v = at(i, p) / m; // −1 … 1
      const a = Math.min(1, Math.abs(v));
      // white → blue (positive) / white → red (negative)
      const [r, gg, b] = v >= 0 ? [255 - 200 * a, 255 - 170 * a, 255 - 25 * a] : [255 - 25 * a, 255 - 200 * a, 255 - 200 * a];
      img.data[p * 4] = r; img.data[p * 4 + 1] = gg; img.data[p * 4 + 2] = b; img.data[p * 4 + 3] = 255;
    }
    g.putImageData(img, 0, 0);
  }
}

// ---------------------------------------------------------------- training

function setBusy(on) {
  training = on;
  $('train').disabled = on;
  $('stop').disabled = !on;
  for (const el of $('settings').elements) el.disabled = on;
  refreshStorageButtons();
}

function showError(e) {
  const box = $('error');
  box.textContent = e instanceof Error ? e.message : String(e);
  box.hidden = false;
}
const clearError = () => { $('error').hidden = true; $('error').textContent = ''; };

const pct = (v) => `${(v * 100).toFixed(2)}%`;

async function train() {
  clearError();
  let settings, model;
  try {
    settings = readSettings();
    model = buildModel(settings);
  } catch (e) {
    showError(e);
    return;
  }
  setBusy(true);
  resetCharts();
  $('accuracy').textContent = '–';
  $('val-loss').textContent = '–';
  const spec = model.save();
  live?.dispose();
  live = model;
  artifacts = null;
  $('summary').textContent = model.summary(null);
  const shape = settings.model === 'cnn' ? [28, 28, 1] : [784];
  const batches = Math.ceil(data.nTrain / settings.batchSize);
  let lossSum = 0, lossCount = 0, epochStart = performance.now(), lastEpochMs = 0, threadNote = ' · training in a worker';
  const progress = (epoch, batch) => {
    const done = (epoch + batch / batches) / settings.epochs;
    $('progress-bar').style.width = `${(done * 100).toFixed(1)}%`;
    $('progress-text').textContent = `Epoch ${Math.min(epoch + 1, settings.epochs)} of ${settings.epochs}` + (lastEpochMs ? ` · ${(lastEpochMs / 1000).toFixed(1)} s per epoch` : '') + threadNote;
  };
  progress(0, 0);
  try {
    trainer?.terminate();
    // on a cross-origin-isolated page the worker's core runs on up to 4 threads (same bits as 1)
    const threads = globalThis.crossOriginIsolated === true ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
    trainer = await sn.createTrainer(spec, { threads });
    threadNote = ` · training in a worker on ${trainer.threads} thread${trainer.threads > 1 ? 's' : ''}`;
    let epochNow = 0;
    const h = await trainer.fit(sn.tensor(data.xTrain, [data.nTrain, ...shape]), data.yTrain, {
      epochs: settings.epochs, batchSize: settings.batchSize, monitor: true,
      validationData: [sn.tensor(data.xTest, [data.nTest, ...shape]), data.yTest],
      activationStats: { x: sn.tensor(data.xTest.subarray(0, HIST_SAMPLE * 784), [HIST_SAMPLE, ...shape]), bins: HIST_BINS },
      epochWeights: true,
      onTrainBegin(snap) {
        // Two frames: no single main-thread task builds every chart at once.
        showHistograms(snap.activations, 'before training');
        requestAnimationFrame(() => showWeights(snap.weights[0]));
      },
      onBatchEnd(batch, logs) {
        lossSum += logs.loss; lossCount++;
        // One point per 8 batches: the running mean since the last point.
        if (lossCount === 8 || batch === batches - 1) {
          curves.x.push(epochNow + (batch + 1) / batches);
          curves.batchLoss.push(lossSum / lossCount);
          curves.valLoss.push(null);
          lossSum = 0; lossCount = 0;
          progress(epochNow, batch + 1);
          scheduleDraw();
        }
      },
      onEpochEnd(epoch, logs, monitors, snap) {
        lastEpochMs = performance.now() - epochStart;
        epochStart = performance.now();
        epochNow = epoch + 1;
        curves.x.push(epoch + 1); curves.batchLoss.push(null); curves.valLoss.push(logs.valLoss);
        curves.epochX.push(epoch + 1); curves.trainAcc.push(logs.accuracy); curves.valAcc.push(logs.valAccuracy);
        $('accuracy').textContent = pct(logs.valAccuracy);
        $('val-loss').textContent = logs.valLoss.toFixed(4);
        showRatios(epoch, monitors);
        showHistograms(snap.activations, `after epoch ${epoch + 1}`);
        showWeights(snap.weights[0]);
        live.setWeights(snap.weights.map((w) => w.tensor));
        predictDrawing();
        progress(epoch + 1, 0);
        scheduleDraw();
      },
    });
    artifacts = await trainer.save();
    live.dispose();
    live = await sn.Sequential.load(artifacts);
    const last = h.history.valAccuracy?.at(-1);
    $('progress-bar').style.width = '100%';
    $('progress-text').textContent = `Trained ${h.epoch.length} epoch${h.epoch.length === 1 ? '' : 's'}` + (last !== undefined ? ` · held-out accuracy ${pct(last)}` : '');
    predictDrawing();
  } catch (e) {
    showError(e);
    $('progress-text').textContent = 'Training failed.';
  } finally {
    trainer?.terminate();
    trainer = null;
    setBusy(false);
  }
}

// ---------------------------------------------------------------- drawing

const pad = $('draw');
const ink = pad.getContext('2d', { willReadFrequently: true });
let drawing = false, last = null, predictScheduled = false, hasInk = false;

function clearPad() {
  ink.fillStyle = '#000';
  ink.fillRect(0, 0, pad.width, pad.height);
  hasInk = false;
  predictDrawing();
}

function point(e) {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * (pad.width / r.width), (e.clientY - r.top) * (pad.height / r.height)];
}

pad.addEventListener('pointerdown', (e) => {
  e.preventDefault();
  pad.setPointerCapture(e.pointerId);
  drawing = true;
  last = point(e);
  stroke(last, last);
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  e.preventDefault();
  const p = point(e);
  stroke(last, p);
  last = p;
});
const end = () => { drawing = false; last = null; };
pad.addEventListener('pointerup', end);
pad.addEventListener('pointercancel', end);

function stroke(a, b) {
  ink.strokeStyle = '#fff';
  ink.lineWidth = pad.width / 12;
  ink.lineCap = 'round';
  ink.lineJoin = 'round';
  ink.beginPath();
  ink.moveTo(a[0], a[1]);
  ink.lineTo(b[0], b[1]);
  ink.stroke();
  hasInk = true;
  if (!predictScheduled) {
    predictScheduled = true;
    requestAnimationFrame(() => { predictScheduled = false; predictDrawing(); });
  }
}

/**
 * The drawing as MNIST digits are made: the ink's bounding box scaled to fit 20×20 (area
 * averaging), placed in 28×28 with its centre of mass at the centre. null when there is no ink.
 */
function digitOfPad() {
  const W = pad.width, H = pad.height;
  const px = ink.getImageData(0, 0, W, H).data;
  const v = new Float32Array(W * H);
  let x0 = W, x1 = -1, y0 = H, y1 = -1, mass = 0, mx = 0, my = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const a = px[(y * W + x) * 4] / 255;
      if (a <= 0.05) continue;
      v[y * W + x] = a;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      mass += a; mx += a * x; my += a * y;
    }
  }
  if (x1 < 0 || mass < W * 0.5) return null; // nothing (or a speck) drawn
  const scale = 20 / Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const cx = mx / mass + 0.5, cy = my / mass + 0.5;
  const out = new Float32Array(784);
  const step = 1 / scale;
  for (let ty = 0; ty < 28; ty++) {
    for (let tx = 0; tx < 28; tx++) {
      // target pixel (tx, ty) covers this square of the pad
      const sx0 = cx + (tx - 14) * step, sy0 = cy + (ty - 14) * step;
      let sum = 0, count = 0;
      for (let sy = Math.floor(sy0); sy < Math.ceil(sy0 + step); sy++) {
        for (let sx = Math.floor(sx0); sx < Math.ceil(sx0 + step); sx++) {
          count++;
          if (sx >= 0 && sx < W && sy >= 0 && sy < H) sum += v[sy * W + sx];
        }
      }
      out[ty * 28 + tx] = Math.min(1, sum / Math.max(1, count));
    }
  }
  return out;
}

function showSeen(x) {
  const g = $('seen').getContext('2d');
  const img = g.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const c = x ? Math.round(x[i] * 255) : 0;
    img.data[i * 4] = c; img.data[i * 4 + 1] = c; img.data[i * 4 + 2] = c; img.data[i * 4 + 3] = 255;
  }
  g.putImageData(img, 0, 0);
}

const probs = $('probs');
for (let d = 0; d < 10; d++) {
  const li = document.createElement('li');
  li.innerHTML = `<span class="d">${d}</span><span class="bar"><span></span></span><span class="p">–</span>`;
  probs.append(li);
}

function showProbabilities(p) {
  [...probs.children].forEach((li, d) => {
    const v = p ? p[d] : 0;
    li.querySelector('.bar > span').style.width = `${(v * 100).toFixed(1)}%`;
    li.querySelector('.p').textContent = p ? `${(v * 100).toFixed(1)}%` : '–';
    li.classList.toggle('best', !!p && p.every((q) => q <= v));
  });
}

function predictDrawing() {
  const out = $('prediction'), note = $('prediction-note');
  const x = hasInk ? digitOfPad() : null;
  showSeen(x);
  if (!x) {
    out.textContent = '–';
    out.removeAttribute('data-probabilities');
    note.textContent = live ? 'Draw a digit in the box.' : 'Train or load a model, then draw.';
    showProbabilities(null);
    return;
  }
  if (!live) {
    out.textContent = '–';
    note.textContent = 'Train or load a model first.';
    showProbabilities(null);
    return;
  }
  try {
    const shape = live.inputShape ?? [784];
    const logits = live.predict(sn.tensor(x, [1, ...shape]));
    const p = Array.from(sn.softmax(logits).data);
    const best = p.indexOf(Math.max(...p));
    out.textContent = String(best);
    out.dataset.probabilities = p.join(',');
    note.textContent = training ? 'Live: the model as of the last epoch.' : `${(p[best] * 100).toFixed(1)}% sure.`;
    showProbabilities(p);
  } catch (e) {
    out.textContent = '–';
    note.textContent = `This model cannot read a 28×28 digit: ${e.message}`;
    showProbabilities(null);
  }
}

// ---------------------------------------------------------------- storage

function refreshStorageButtons() {
  const has = !!artifacts && !training;
  $('save').disabled = !has;
  $('download').disabled = !has;
  $('load').disabled = training || $('saved').options.length === 0 || $('saved').value === '';
  $('delete').disabled = $('load').disabled;
}

async function refreshSaved(select) {
  const list = await sn.io.listBrowser();
  const sel = $('saved');
  sel.replaceChildren(...list.map((m) => {
    const o = document.createElement('option');
    o.value = m.name;
    o.textContent = `${m.name} · ${(m.bytes / 1024).toFixed(0)} KB · ${new Date(m.savedAt).toLocaleString()}`;
    return o;
  }));
  if (list.length === 0) {
    const o = document.createElement('option');
    o.value = ''; o.textContent = 'nothing saved yet';
    sel.append(o);
  }
  if (select) sel.value = select;
  refreshStorageButtons();
}

const storageMsg = (text, bad = false) => { const el = $('storage-msg'); el.textContent = text; el.classList.toggle('bad', bad); };

async function useModel(model, from) {
  live?.dispose();
  live = model;
  artifacts = model.save();
  $('summary').textContent = model.summary(null);
  storageMsg(`Loaded ${from}.`);
  refreshStorageButtons();
  predictDrawing();
}

$('save').addEventListener('click', async () => {
  const name = $('save-name').value.trim();
  try {
    const info = await sn.io.saveBrowser(artifacts, name);
    storageMsg(`Saved "${info.name}" in this browser (${(info.bytes / 1024).toFixed(0)} KB).`);
    await refreshSaved(info.name);
  } catch (e) { storageMsg(e.message, true); }
});
$('load').addEventListener('click', async () => {
  const name = $('saved').value;
  try { await useModel(await sn.io.loadBrowser(name), `"${name}" from this browser`); } catch (e) { storageMsg(e.message, true); }
});
$('delete').addEventListener('click', async () => {
  const name = $('saved').value;
  try { await sn.io.deleteBrowser(name); storageMsg(`Deleted "${name}".`); await refreshSaved(); } catch (e) { storageMsg(e.message, true); }
});
$('download').addEventListener('click', () => {
  try { sn.io.download(artifacts, `${$('save-name').value.trim() || 'digits'}.simdnet`); storageMsg('Download started.'); } catch (e) { storageMsg(e.message, true); }
});
$('upload').addEventListener('change', async (e) => {
  const files = e.target.files;
  if (!files || files.length === 0) return;
  try { await useModel(await sn.io.loadFiles(files), [...files].map((f) => f.name).join(' + ')); } catch (err) { storageMsg(err.message, true); }
  e.target.value = '';
});
$('saved').addEventListener('change', refreshStorageButtons);

// ---------------------------------------------------------------- start

async function start() {
  const status = $('status');
  try {
    await sn.init();
  } catch (e) {
    window.__simdnetFatal('simdnet could not start its WebAssembly core.', e.message);
    return;
  }
  data = await loadDigits();
  $('app').hidden = false;
  lossChart = chart($('loss-chart'), [
    { label: 'train (batches)', stroke: TRAIN_COLOR, width: 1.5, spanGaps: false, points: { show: false } },
    { label: 'held-out', stroke: VAL_COLOR, width: 2.5, spanGaps: true, points: { show: true, size: 6, fill: VAL_COLOR } },
  ], { yLabel: 'loss' });
  accChart = chart($('acc-chart'), [
    { label: 'train', stroke: TRAIN_COLOR, width: 2, points: { show: true, size: 5 }, value: (_u, v) => (v == null ? '–' : pct(v)) },
    { label: 'held-out', stroke: VAL_COLOR, width: 2.5, points: { show: true, size: 6, fill: VAL_COLOR }, value: (_u, v) => (v == null ? '–' : pct(v)) },
  ], { yLabel: 'accuracy', yRange: (_u, min) => [Math.min(0.8, Math.floor((min ?? 0.8) * 20) / 20), 1] });
  clearPad();
  showProbabilities(null);
  $('train').addEventListener('click', train);
  $('stop').addEventListener('click', () => trainer?.stop());
  $('clear').addEventListener('click', clearPad);
  const isolated = globalThis.crossOriginIsolated === true;
  status.textContent = `${data.nTrain.toLocaleString('en')} training · ${data.nTest.toLocaleString('en')} held-out digits · WebAssembly SIMD ✓ · ${isolated ? 'cross-origin isolated ✓' : 'not cross-origin isolated (threads unavailable; training still works)'}`;
  try { await refreshSaved(); } catch (e) { storageMsg(e.message, true); }
  document.body.dataset.ready = 'true';
}

start().catch((e) => window.__simdnetFatal('The demo could not start.', e.message));
