// The derived row and the summary lines every training workload (mlp, cnn, lstm) prints:
// per round, the fastest training API of each contender on one thread; then simdnet's ratio
// to each peer on that row (with its target, when the workload has one) and simdnet's
// GFLOP/s; and for the workloads with a 2-thread row, what the second thread gave.
import { pairedRatio } from './measure.mjs';

/**
 * A derived row 'best': per round, the highest throughput over a contender's training APIs.
 * Only 1-thread cases count: the headline compares one thread each.
 */
export function fastestApiOf(allCases, contenders) {
  const cases = allCases.filter((c) => (c.threads ?? 1) === 1);
  return ({ series }) => {
    const out = {};
    for (const who of contenders) {
      const runs = cases.map((c) => series(c.id, who)).filter((v) => v?.length);
      if (!runs.length) continue;
      const rounds = Math.min(...runs.map((v) => v.length));
      out[who] = Array.from({ length: rounds }, (_, r) => Math.max(...runs.map((v) => v[r])));
    }
    return [{ id: 'best', label: 'train, fastest API of each, 1 thread', series: out }];
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

/**
 * Summary lines of a workload's 2-thread row (case `twoThreads`, the same API as case
 * `oneThread` on 1 thread): simdnet's speed-up from the second thread (target ≥ `target`),
 * with the CPU-seconds per wall-second of both cells, which show whether a second thread
 * really worked; then simdnet vs each peer on 2 threads, with the peer's own speed-up.
 */
export function threadsSummary({ id, name, oneThread, twoThreads, peers, target }) {
  return ({ series, cpuPerWall, info, machine }) => {
    const lines = [];
    const cpu = (caseId, who) => (Number.isFinite(cpuPerWall(caseId, who)) ? cpuPerWall(caseId, who).toFixed(2) : '?');
    const speedup = (who) => pairedRatio(series(twoThreads, who), series(oneThread, who));
    const s = speedup('simdnet');
    if (Number.isFinite(s)) {
      const ran = info('simdnet', 2);
      const note = ran?.threadsOption === 'ignored' ? '; this simdnet ignored init({threads: 2}) and ran 1 thread' : '';
      const ceiling = machine?.parallelism?.start?.ratio;
      const machineNote = Number.isFinite(ceiling) ? `; this machine ran two independent one-thread GEMMs at ${ceiling.toFixed(2)}× one, at the start of the run` : '';
      lines.push({
        id: `${id} simdnet 2 threads/1 thread`,
        text: `${name} trainOnBatch, simdnet 2 threads ÷ 1 thread: ${s.toFixed(2)}× (target ≥ ${target}×: ${s >= target ? 'met' : 'NOT met'}; CPU-s per s ${cpu(oneThread, 'simdnet')} → ${cpu(twoThreads, 'simdnet')}${note}${machineNote})`,
        ratio: s, target, met: s >= target, ...(Number.isFinite(ceiling) ? { machineTwoThreads: ceiling } : {}),
      });
    } else {
      lines.push({ id: `${id} simdnet 2 threads/1 thread`, text: `${name} trainOnBatch, simdnet 2 threads ÷ 1 thread: not measured (target ≥ ${target}×: NOT met)`, ratio: null, target, met: false });
    }
    for (const who of peers) {
      const r = pairedRatio(series(twoThreads, 'simdnet'), series(twoThreads, who));
      if (!Number.isFinite(r)) continue;
      const p = speedup(who);
      lines.push({
        id: `${id} 2 threads simdnet/${who}`,
        text: `${name} trainOnBatch on 2 threads each, simdnet vs ${who}: ${r.toFixed(2)}× (${who} 2 threads ÷ 1 thread: ${Number.isFinite(p) ? p.toFixed(2) : '?'}×, CPU-s per s ${cpu(oneThread, who)} → ${cpu(twoThreads, who)})`,
        ratio: r, peerSpeedup: p,
      });
    }
    return lines;
  };
}
