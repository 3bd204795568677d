// Datasets resident in wasm memory: fit copies the training (and validation) set in once,
// then gathers each batch by an index array with a kernel, so an epoch makes no per-batch
// JS copies. A dataset is freed when fit returns.

import { WasmTensor, BYTES, type TensorView } from '../../bindings/index.js';
import type { TargetKind } from '../losses.js';
import { checkFinite, subarray } from './data.js';
import type { Session } from './session.js';

/**
 * A dataset in wasm memory; `order` holds row indices (shuffled in place by fit); `w` sample
 * weights; `batch` the window of `order` a gather reads (moved per batch: no allocation).
 */
export interface Dataset { x: WasmTensor; y: WasmTensor; w: WasmTensor | null; order: WasmTensor; batch: TensorView; kind: TargetKind; n: number; free(): void }

/**
 * Copies n validated samples (and their weights) into wasm memory, all or nothing, and
 * scans x for NaN/Infinity there (`firstSample` numbers the rows in errors).
 */
export function upload(s: Session, xs: ArrayLike<number>, ys: ArrayLike<number>, kind: TargetKind, n: number, firstSample: number, what: string,
  ws: ArrayLike<number> | null = null): Dataset {
  const tw = kind === 'labels' ? 1 : s.outSize;
  const rows = Math.max(n, 1);
  return WasmTensor.transaction(() => {
    const x = new WasmTensor([rows, s.inSize], s.dtype, `${what} (in wasm)`);
    const y = kind === 'labels' ? new WasmTensor([rows], 'int32', `${what} labels (in wasm)`) : new WasmTensor([rows, tw], s.dtype, `${what} targets (in wasm)`);
    const order = new WasmTensor([rows], 'int32', `${what} order`);
    const w = ws ? new WasmTensor([rows], s.dtype, `${what} sample weights`) : null;
    x.write(subarray(xs, 0, n * s.inSize));
    y.write(subarray(ys, 0, n * tw));
    if (ws) w!.write(subarray(ws, 0, n));
    const o = order.view();
    for (let i = 0; i < n; i++) o[i] = i;
    checkFinite(s.k, x, n * s.inSize, s.inSize, firstSample, what); // a throw here frees all four
    const ds: Dataset = { x, y, w, order, batch: order.at(0), kind, n, free: () => { x.free(); y.free(); order.free(); w?.free(); s.resident.delete(ds); } };
    s.resident.add(ds);
    return ds;
  });
}

/** Gathers rows order[start, start + n) of a resident dataset into the session's batch buffers. */
export function gather(s: Session, ds: Dataset, start: number, n: number): void {
  const idx = ds.batch.moveTo(start, n);
  s.k.gatherRows(s.inputBuffer, ds.x, idx, n, s.inSize * BYTES[s.dtype]);
  s.k.gatherRows(s.targetBuffer(ds.kind), ds.y, idx, n, s.targetRowBytes(ds.kind));
  if (ds.w) s.k.gatherRows(s.weightBuffer, ds.w, idx, n, BYTES[s.dtype]);
}

/** Mean data loss over a resident dataset, inference mode; the metrics restart and sum over it. */
export function evaluateResident(s: Session, ds: Dataset): number {
  s.reserve(1);
  const chunk = s.batchCapacity;
  let lossSum = 0;
  s.resetMetrics();
  for (let i = 0; i < ds.n; i += chunk) {
    const n = Math.min(chunk, ds.n - i);
    gather(s, ds, i, n);
    lossSum += s.evaluateBuffers(n, ds.kind) * n;
  }
  return lossSum / ds.n;
}
