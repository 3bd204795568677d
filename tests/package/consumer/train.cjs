// The workload every install test runs against the installed package: `run(simdnet)`
// takes the module (from `import * as` or `require`), trains a tiny model, saves it to a
// file and loads it back (which exercises the lazy `import('node:fs/promises')`), and
// returns plain JSON. The same seed must give the same bits through either bundle.
'use strict';
const { join } = require('node:path');
const { tmpdir } = require('node:os');
const { mkdtempSync, rmSync } = require('node:fs');

module.exports = async function run(simdnet) {
  const { init, Sequential, layers, optimizers, tensor, io } = simdnet;
  await init();
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = tensor([[0], [1], [1], [0]]); // XOR
  const model = new Sequential({ seed: 7 });
  model.add(layers.dense({ units: 8, inputShape: [2], activation: 'tanh' }));
  model.add(layers.dense({ units: 1 }));
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'sigmoidCrossEntropy' });
  const history = await model.fit(x, y, { epochs: 150, batchSize: 4, shuffle: false });
  const logits = Array.from(model.predict(x).data);

  const dir = mkdtempSync(join(tmpdir(), 'simdnet-io-'));
  let reloaded;
  try {
    await io.saveFile(model, join(dir, 'xor.simdnet'));
    const again = await io.loadFile(join(dir, 'xor.simdnet'));
    reloaded = Array.from(again.predict(x).data);
    again.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  model.dispose();
  const loss = history.history.loss;
  return { firstLoss: loss[0], lastLoss: loss[loss.length - 1], logits, reloaded };
};
