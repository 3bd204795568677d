// Model.summary(): a Keras-style table of layers, output shapes and parameter counts, with
// the trainable / non-trainable split (frozen layers and moving statistics).

import type { Layer } from '../layers/layer.js';
import { shapeStr } from '../tensor.js';

export function formatSummary(name: string, dtype: string, layers: Layer[], built: boolean): string {
  const rows: string[][] = [['Layer (type)', 'Output Shape', 'Param #']];
  let total = 0, trainable = 0;
  for (const l of layers) {
    // NOTE: an unbuilt layer has no weights yet: its shape and count are unknown
    const ps = built ? l.params() : [];
    const n = ps.reduce((s, p) => s + p.value.size, 0);
    total += n;
    if (l.trainable) trainable += ps.filter((p) => p.trainable).reduce((s, p) => s + p.value.size, 0);
    const frozen = built && !l.trainable && n > 0 ? ' [frozen]' : '';
    rows.push([`${l.name || '?'} (${l.className})${frozen}`, built ? shapeStr([null, ...l.outputShape]) : '(unbuilt)', built ? String(n) : '?']);
  }
  const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)) + 2);
  const line = (r: string[]) => r.map((s, i) => s.padEnd(w[i])).join('').trimEnd();
  const rule = '─'.repeat(w[0] + w[1] + w[2]);
  const totals = built
    ? [`Total params: ${total}`, `Trainable params: ${trainable}`, `Non-trainable params: ${total - trainable}`]
    : ['Total params: ? (unbuilt: give the first layer an inputShape or call build)'];
  return [`Model: ${name} (${dtype})`, rule, line(rows[0]), rule, ...rows.slice(1).map(line), rule, ...totals].join('\n');
}
