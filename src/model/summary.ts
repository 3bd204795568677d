// Model.summary(): a Keras-style table of layers, output shapes and parameter counts.

import type { Layer } from '../layers/layer.js';
import { shapeStr } from '../tensor.js';

export function formatSummary(name: string, dtype: string, layers: Layer[], built: boolean): string {
  const rows: string[][] = [['Layer (type)', 'Output Shape', 'Param #']];
  let total = 0;
  for (const l of layers) {
    // NOTE: an unbuilt layer has no weights yet: its shape and count are unknown
    const n = built ? l.params().reduce((s, p) => s + p.value.size, 0) : 0;
    total += n;
    const frozen = built && !l.trainable ? ' [frozen]' : '';
    rows.push([`${l.name || '?'} (${l.className})${frozen}`, built ? shapeStr([null, ...l.outputShape]) : '(unbuilt)', built ? String(n) : '?']);
  }
  const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)) + 2);
  const line = (r: string[]) => r.map((s, i) => s.padEnd(w[i])).join('').trimEnd();
  const rule = '─'.repeat(w[0] + w[1] + w[2]);
  return [`Model: ${name} (${dtype})`, rule, line(rows[0]), rule, ...rows.slice(1).map(line), rule, `Total params: ${built ? total : '? (unbuilt: give the first layer an inputShape or call build)'}`].join('\n');
}
