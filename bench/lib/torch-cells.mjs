// The PyTorch contender's cells (see torch_server.py): the data goes to the server once, as
// raw files, and each timed step is one request running `k` steps (or predictions) in
// python, so the pipe's ~0.1 ms round trip stays ≤ ~1% of what is timed.

import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Sends `setup` with x (and y) written to temporary files; `msg` holds the model's sizes. */
async function setupWithData(torch, msg, x, y) {
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-bench-'));
  try {
    writeFileSync(join(dir, 'x.bin'), x);
    if (y) writeFileSync(join(dir, 'y.bin'), y);
    await torch.call({ ...msg, cmd: 'setup', x: join(dir, 'x.bin'), ...(y ? { y: join(dir, 'y.bin') } : {}) });
  } finally {
    rmSync(dir, { recursive: true });
  }
}

/**
 * A training cell: each step is one request of `k` trainOnBatch-like steps on consecutive
 * batches of `batch` rows. `work` counts samples (or steps, with `workPerStep: 1`).
 */
export async function torchTrainCell({ torch }, c, { workload, x, y, n, batch, k, model = {}, workPerStep = batch }) {
  await setupWithData(torch, { id: c.id, workload, n, batch, ...model }, x, y);
  let loss = NaN;
  return {
    work: workPerStep * k,
    step: async () => { loss = (await torch.call({ cmd: 'steps', id: c.id, k })).loss; },
    check: () => ({ lastLoss: loss, stepsPerRequest: k }),
  };
}

/** A latency cell: each step is one request of `k` single-sample predictions; `work` counts calls. */
export async function torchPredictCell({ torch }, c, { model, x, n, k, sizes = {} }) {
  await setupWithData(torch, { id: c.id, workload: 'predict', model, n, ...sizes }, x, null);
  let last = -1;
  return {
    work: k,
    step: async () => { last = (await torch.call({ cmd: 'predict', id: c.id, k })).last; },
    check: () => ({ lastClass: last, callsPerRequest: k }),
  };
}
