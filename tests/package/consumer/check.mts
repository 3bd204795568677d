// Type-checked (tsc, module nodenext, skipLibCheck false) against the installed package:
// `import` must see dist/types (ESM declarations). Not run.
import { init, Sequential, layers, optimizers, tensor, io, type Tensor, type InitOptions } from 'simdnet';

const options: InitOptions = { initialPages: 16 };
await init(options);
const model = new Sequential({ seed: 1 });
model.add(layers.dense({ units: 4, inputShape: [2], activation: 'relu' }));
model.add(layers.dense({ units: 1 }));
model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
const loss: number = model.trainOnBatch(tensor([[0, 1]]), tensor([[1]]));
const out: Tensor = model.predict(tensor([[0, 1]]));
const bytes: Uint8Array = io.toBytes(model.save());
console.log(loss, out.shape, bytes.length);
// The declarations are real types, not `any`: each of these must be an error.
// @ts-expect-error units is a number
layers.dense({ units: 'four' });
// @ts-expect-error no such export
import('simdnet').then((m) => m.notAnExport);
