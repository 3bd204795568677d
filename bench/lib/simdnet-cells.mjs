// What the mlp and cnn workloads share: batch views over the data, and simdnet's two
// cells (one fit epoch; one trainOnBatch per step) around a compiled model.

/** Views of consecutive whole batches of `batch` rows of `width` values. */
export function batches(x, y, n, batch, width) {
  const out = [];
  for (let s = 0; s + batch <= n; s += batch) out.push({ x: x.subarray(s * width, (s + batch) * width), y: y.subarray(s, s + batch) });
  return out;
}

/**
 * simdnet's cell for case `c` (its `api`, else its id: 'fit' or 'trainOnBatch') on model `m`;
 * `extra` is merged into the fit cell.
 */
export function simdnetCell(m, c, { x, y, n, batch, width }, extra = {}) {
  let loss = NaN;
  const dispose = () => m.dispose();
  if ((c.api ?? c.id) === 'fit') {
    return {
      work: n,
      step: async () => { loss = (await m.fit(x, y, { epochs: 1, batchSize: batch })).history.loss[0]; },
      check: () => ({ samples: n, lastLoss: loss }),
      dispose,
      ...extra,
    };
  }
  const bs = batches(x, y, n, batch, width);
  let i = 0;
  return {
    work: batch,
    step: () => { const b = bs[i++ % bs.length]; loss = m.trainOnBatch(b.x, b.y); },
    check: () => ({ lastLoss: loss }),
    dispose,
  };
}
