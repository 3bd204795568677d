// The derived row and the summary lines every training workload (mlp, cnn, lstm) prints:
// per round, the fastest training API of each contender; then simdnet's ratio to each peer
// on that row (with its target, when the workload has one) and simdnet's GFLOP/s.
import { pairedRatio } from './measure.mjs';

/** A derived row 'best': per round, the highest throughput over a contender's training APIs. */
export function fastestApiOf(cases, contenders) {
  return ({ series }) => {
    const out = {};
    for (const who of contenders) {
      const runs = cases.map((c) => series(c.id, who)).filter((v) => v?.length);
      if (!runs.length) continue;
      const rounds = Math.min(...runs.map((v) => v.length));
      out[who] = Array.from({ length: rounds }, (_, r) => Math.max(...runs.map((v) => v[r])));
    }
    return [{ id: 'best', label: 'train, fastest API of each', series: out }];
  };
}

/**
 * Summary lines: `name` training, simdnet vs each of `peers` (a target ≥ targets[peer] is
 * met or not; a peer with a target that was not measured says so), and simdnet's GFLOP/s.
 */
export function trainingSummary({ id, name, peers, targets = {}, flopsPerSample, digits = 2, flopsNote = '' }) {
  return ({ value, series }) => {
    const lines = [];
    for (const who of peers) {
      const r = pairedRatio(series('best', 'simdnet'), series('best', who));
      const t = targets[who];
      if (!Number.isFinite(r)) {
        if (t) lines.push({ id: `${id} simdnet/${who}`, text: `${name} training, simdnet vs ${who}: not measured (target ≥ ${t}×: NOT met)`, ratio: null, target: t, met: false });
        continue;
      }
      const target = t ? ` (target ≥ ${t}×: ${r >= t ? 'met' : 'NOT met'})` : '';
      lines.push({ id: `${id} simdnet/${who}`, text: `${name} training, simdnet vs ${who} (fastest API of each): ${r.toFixed(digits)}×${target}`, ratio: r, ...(t ? { target: t, met: r >= t } : {}) });
    }
    const s = value('best', 'simdnet');
    if (s > 0) {
      const g = (s * flopsPerSample) / 1e9;
      lines.push({ id: `${id} simdnet GFLOP/s`, text: `simdnet ${name} training runs at ${g.toFixed(1)} GFLOP/s (${(flopsPerSample / 1e6).toFixed(flopsPerSample < 1e7 ? 2 : 1)} MFLOP per sample${flopsNote})`, gflops: g });
    }
    return lines;
  };
}
