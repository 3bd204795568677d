// Model.summary(): a Keras-style table of layers, output shapes and parameter counts, with
// the trainable / non-trainable split (frozen layers and moving statistics).

import type { Layer } from '../layers/layer.js';
import { shapeStr } from '../tensor.js';
import type { Session } from './session.js';

/** A functional model gets Keras's extra column: the inputs of each layer's nodes. */
export function formatSummary(name: string, dtype: string, s: Session, inputName: string): string {
  const { layers, built } = s;
  const graph = !s.isChain;
  const rows: string[][] = [['Layer (type)', 'Output Shape', 'Param #', ...(graph ? ['Connected to'] : [])]];
  const connected = new Map<Layer, string[]>();
  if (graph) {
    rows.push([`${inputName} (InputLayer)`, shapeStr([null, ...s.inputShape]), '0', '']);
    const nodes = s.graphNodes;
    const count = new Map<Layer, number>();
    const ref = nodes.map((n) => { const k = count.get(n.primary) ?? 0; count.set(n.primary, k + 1); return `${n.primary.name}[${k}]`; });
    for (const n of nodes) {
      const list = connected.get(n.primary) ?? [];
      list.push(n.inputs.map((slot) => (slot === 0 ? `${inputName}[0]` : ref[slot - 1])).join(', '));
      connected.set(n.primary, list);
    }
  }
  let total = 0, trainable = 0;
  for (const l of layers) {
    // NOTE: an unbuilt layer has no weights yet: its shape and count are unknown
    const ps = built ? l.params() : [];
    const n = ps.reduce((s, p) => s + p.value.size, 0);
    total += n;
    if (l.trainable) trainable += ps.filter((p) => p.trainable).reduce((s, p) => s + p.value.size, 0);
    const frozen = built && !l.trainable && n > 0 ? ' [frozen]' : '';
    rows.push([`${l.name || '?'} (${l.className})${frozen}`, built ? shapeStr([null, ...l.outputShape]) : '(unbuilt)', built ? String(n) : '?', ...(graph ? [connected.get(l)!.join('; ')] : [])]);
  }
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)) + 2);
  const line = (r: string[]) => r.map((s, i) => s.padEnd(w[i])).join('').trimEnd();
  const rule = '─'.repeat(w.reduce((a, b) => a + b, 0));
  const totals = built
    ? [`Total params: ${total}`, `Trainable params: ${trainable}`, `Non-trainable params: ${total - trainable}`]
    : ['Total params: ? (unbuilt: give the first layer an inputShape or call build)'];
  return [`Model: ${name} (${dtype})`, rule, line(rows[0]), rule, ...rows.slice(1).map(line), rule, ...totals].join('\n');
}
