// Type-checked (tsc, module nodenext, skipLibCheck false) against the installed package:
// `require` must see dist/types-cjs (CommonJS declarations). Not run.
import simdnet = require('simdnet');
import type { Tensor, Sequential } from 'simdnet';

async function main(): Promise<Tensor> {
  await simdnet.init();
  const model: Sequential = new simdnet.Sequential({ seed: 1 });
  model.add(simdnet.layers.dense({ units: 1, inputShape: [2] }));
  model.compile({ optimizer: 'adam', loss: 'mse' });
  const loss: number = model.trainOnBatch(simdnet.tensor([[0, 1]]), simdnet.tensor([[1]]));
  console.log(loss);
  return model.predict(simdnet.tensor([[0, 1]]));
}
main().catch(console.error);
// The declarations are real types, not `any`: each of these must be an error.
// @ts-expect-error units is a number
simdnet.layers.dense({ units: 'four' });
// @ts-expect-error no such export
simdnet.notAnExport;
