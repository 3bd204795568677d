// callbacks.htmlReport: the file it writes while training and after, checked against the
// History and against diagnostics.activationStats called separately on the trained model;
// training with the report gives the same bits as without; the file is self-contained (no
// scripts, no external references); bad arguments are Errors.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequential, callbacks, diagnostics, layers, optimizers } from '../../src/index.js';
import { randLabels, randn } from '../model/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'simdnet-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function model(seed = 4): Sequential {
  const m = new Sequential({ seed, name: 'report <test>' });
  m.add(layers.dense({ units: 16, inputShape: [8], activation: 'relu' }));
  m.add(layers.dropout({ rate: 0.2 }));
  m.add(layers.dense({ units: 12, activation: 'tanh' }));
  m.add(layers.dense({ units: 3 }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  return m;
}

// the printed numbers (the report's own rounding: 3 significant digits)
const fmt = (v: number) => { const a = Math.abs(v); return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(+v.toPrecision(3)); };

describe('callbacks.htmlReport', () => {
  it('writes the report at the start and at each epoch end; the final file has the curves, monitors, histograms and summary', async () => {
    const x = randn([96, 8], 1), y = randLabels(96, 3, 2);
    const vx = randn([32, 8], 3), vy = randLabels(32, 3, 4);
    const sample = randn([40, 8], 5);
    const path = join(dir, 'run.html');
    const seen: string[] = [];
    const m = model();
    const h = await m.fit(x, y, {
      epochs: 3, batchSize: 16, validationData: [vx, vy],
      callbacks: [
        callbacks.htmlReport({ path, activations: { x: sample, bins: 12 }, refresh: 7 }),
        callbacks.lambda({ onEpochEnd: () => { seen.push(readFileSync(path, 'utf8')); } }),
      ],
    });
    // while training: a page that reloads itself, at the right epoch
    expect(seen.length).toBe(3);
    seen.forEach((html, e) => {
      expect(html).toContain('<meta http-equiv="refresh" content="7">');
      expect(html).toContain(`training: epoch ${e + 1} of 3`);
    });
    const html = readFileSync(path, 'utf8');
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toContain('finished: 3 epochs');
    // self-contained: no scripts, no links, nothing fetched
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
    // the title escaped
    expect(html).toContain('simdnet · report &lt;test&gt;');
    // curves: one point per epoch, legends with the History's last values
    const loss = h.history.loss, valAcc = h.history.valAccuracy!;
    expect(html).toContain(`train ${fmt(loss[2])}`);
    expect(html).toContain(`validation ${(valAcc[2] * 100).toFixed(2)}%`);
    const lossSvg = html.slice(html.indexOf('<h2>Loss per epoch</h2>'), html.indexOf('<h2>Accuracy per epoch</h2>'));
    expect((lossSvg.match(/<circle/g) ?? []).length).toBe(6); // train + validation, 3 epochs each
    // monitors: a series per kernel; the table has every History name
    for (const k of ['dense_1', 'dense_2', 'dense_3']) expect(html).toContain(`>${k} `);
    for (const k of Object.keys(h.history)) expect(html).toContain(`<td>${k}</td>`);
    // histograms after the last epoch: as diagnostics.activationStats says of the trained model
    const after = diagnostics.activationStats(m, sample, { bins: 12 });
    const section = html.slice(html.indexOf('Activations after epoch 3'), html.indexOf('Activations before training'));
    const shown = after.filter((s) => s.className !== 'Dropout');
    expect(shown.length).toBe(3);
    for (const s of shown) {
      expect(section).toContain(`>${s.name}</text>`);
      expect(section).toContain(`μ ${fmt(s.mean)} · σ ${fmt(s.std)}`);
    }
    expect((section.match(/<rect [^>]*fill="#6366f1"/g) ?? []).length).toBe(shown.length * 12);
    expect(section).not.toContain('>dropout_1</text>');
    expect(html).toContain('Activations before training');
    expect(html).toContain(m.summary(null).split('\n')[0].replace('<', '&lt;').replace('>', '&gt;'));
    m.dispose();
  });

  it('does not change training: same bits with and without the report', async () => {
    const x = randn([64, 8], 6), y = randLabels(64, 3, 7);
    const a = model(9), b = model(9);
    await a.fit(x, y, { epochs: 2, batchSize: 16, callbacks: [callbacks.htmlReport({ path: join(dir, 'same.html'), activations: { x: randn([20, 8], 8) } })] });
    await b.fit(x, y, { epochs: 2, batchSize: 16, monitor: true });
    expect(Buffer.from(a.save().weights).equals(Buffer.from(b.save().weights))).toBe(true);
    expect(readFileSync(join(dir, 'same.html'), 'utf8')).toContain('finished: 2 epochs');
    a.dispose(); b.dispose();
  });

  it('bad arguments are Errors naming the problem', async () => {
    expect(() => callbacks.htmlReport(undefined as never)).toThrow(/expects \{path/);
    expect(() => callbacks.htmlReport({ path: '' })).toThrow(/path must be a non-empty string/);
    expect(() => callbacks.htmlReport({ path: 'a.html', refresh: -1 })).toThrow(/refresh must be/);
    expect(() => callbacks.htmlReport({ path: 'a.html', activations: {} as never })).toThrow(/activations must be \{x/);
    expect(() => callbacks.htmlReport({ path: 'a.html', colour: 1 } as never)).toThrow(/colour/);
    // a sample the model cannot take fails at the start of fit, before any training
    const m = model();
    const before = m.save().weights.slice();
    await expect(m.fit(randn([16, 8], 1), randLabels(16, 3, 1), { epochs: 1, callbacks: [callbacks.htmlReport({ path: join(dir, 'bad.html'), activations: { x: randn([4, 5], 2) } })] })).rejects.toThrow(/5/);
    expect(Buffer.from(m.save().weights).equals(Buffer.from(before))).toBe(true);
    // a folder that does not exist: the write fails with the file system's error
    await expect(m.fit(randn([16, 8], 1), randLabels(16, 3, 1), { epochs: 1, callbacks: [callbacks.htmlReport({ path: join(dir, 'no', 'such', 'dir', 'r.html') })] })).rejects.toThrow(/ENOENT/);
    m.dispose();
  });

  it('the browser bundle carries a stub that says a page cannot write the report', async () => {
    // dist/ is written by `npm test`'s build (node scripts/bundle.mjs)
    const lib = await import(/* @vite-ignore */ new URL('../../dist/simdnet.browser.mjs', import.meta.url).href);
    expect(() => lib.callbacks.htmlReport({ path: 'r.html' })).toThrow(/htmlReport writes a file: it needs Node, Bun or Deno/);
  });
});
