// Type test of the public API (checked by tests/types/api-types.test.ts with the repo's tsc,
// never run): the misspelled names a user is most likely to write are compile errors
// (each `@ts-expect-error` below must be needed, or tsc reports TS2578), and the correct
// uses type-check with the expected result types.
//
// Known holes (by design, checked at run time instead): a serialized {className, config}
// takes any className string, and callback monitors are any string ('val_loss' is refused
// at the start of fit).

import {
  Sequential, callbacks, initializers, layers, losses, metrics, optimizers, regularizers, schedules, tensor, softmax, argMax, oneHot,
  type Batch, type EvaluateResult, type History, type Logs, type Loss, type Tensor,
} from '../../src/index.js';

export async function correctUses(): Promise<number> {
  const model = new Sequential({ seed: 1, dtype: 'float32' });
  model.add(layers.dense({ units: 16, inputShape: [4], activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: regularizers.l2(1e-4) }));
  model.add(layers.dense({ units: 8, activation: 'leakyRelu', kernelInitializer: initializers.heNormal(), biasInitializer: { className: 'zeros', config: {} } }));
  model.add(layers.activation({ activation: 'tanh' }));
  model.add(layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy', 'acc', metrics.topKCategoricalAccuracy({ k: 2 })] });
  model.compile({ optimizer: optimizers.sgd({ learningRate: schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 100 }), momentum: 0.9 }), loss: losses.sparseCategoricalCrossentropy() });
  model.compile({ optimizer: { className: 'adamw', config: { learningRate: 1e-3 } }, loss: { className: 'huber', config: { delta: 0.5 } }, metrics: ['mae', 'mse', 'binaryAccuracy'] });
  model.compile({ optimizer: 'rmsprop', loss: losses.binaryCrossentropy({ fromLogits: true }) });
  const keras: Loss[] = [losses.categoricalCrossentropy({ fromLogits: false }), losses.huber({ delta: 2 }), losses.mae(), losses.meanSquaredError()];

  const x = tensor(new Float32Array(8 * 4), [8, 4]);
  const labels = new Int32Array(8);
  const history: History = await model.fit(x, labels, {
    epochs: 2, batchSize: 4, shuffle: false, validationSplit: 0.25, sampleWeight: new Float32Array(8), classWeight: { 0: 1, 2: 5 },
    callbacks: [
      callbacks.earlyStopping({ monitor: 'valLoss', patience: 2, mode: 'min', restoreBestWeights: true, baseline: null }),
      callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, cooldown: 1, minLr: 1e-5 }),
      callbacks.modelCheckpoint({ save: async (artifacts, epoch, logs: Logs) => { void artifacts.weights.byteLength; void epoch; void logs.valLoss; }, saveBestOnly: true }),
      callbacks.lambda({ onTrainBegin: (info) => { void info.logNames.length; }, onEpochEnd: (epoch, logs) => { void (epoch + logs.loss); } }),
    ],
  });
  const lossCurve: number[] = history.loss;
  const mae: number[] | undefined = history.history.mae;

  const dataset = { *[Symbol.iterator](): Generator<Batch> { yield { xs: x, ys: labels }; } };
  const stream = { async *[Symbol.asyncIterator](): AsyncGenerator<Batch> { yield { xs: [[1, 2, 3, 4]], ys: [0] }; } };
  await model.fitDataset(dataset, { epochs: 1, batchesPerEpoch: 1, validationData: stream });
  await model.fitDataset(stream, { validationData: [x, labels] });
  const r: EvaluateResult = await model.evaluateDataset(dataset, { batches: 1 });
  const e: EvaluateResult = model.evaluate(x, labels, { batchSize: 4 });
  const p: Tensor = model.predictOnBatch(x);
  const probs: Tensor = softmax(p);
  const cls: Tensor = argMax(probs);
  const hot: Tensor = oneHot(cls, 3, 'float64');
  return lossCurve[0] + (mae?.[0] ?? 0) + keras.length + r.loss + (e.accuracy ?? 0) + hot.size;
}

export function wrongNames(model: Sequential): void {
  // @ts-expect-error Keras spells it categoricalCrossentropy
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossEntropy' });
  // @ts-expect-error no optimizer 'adamm'
  model.compile({ optimizer: 'adamm', loss: 'mse' });
  // @ts-expect-error no metric 'accurracy'
  model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['accurracy'] });
  // @ts-expect-error no activation 'relU'
  layers.dense({ units: 4, activation: 'relU' });
  // @ts-expect-error no activation 'relU' for the generic activation layer either
  layers.activation({ activation: 'relU' });
  // @ts-expect-error no initializer 'heNormall'
  layers.dense({ units: 4, kernelInitializer: 'heNormall' });
  // @ts-expect-error no initializer factory heNormall
  initializers.heNormall();
  // @ts-expect-error randomNormal takes stddev (the initializer options used to be typed `any`)
  initializers.randomNormal({ stdev: 0.3 });
  // @ts-expect-error heNormal takes no options
  initializers.heNormal({ scale: 2 });
  // @ts-expect-error no loss factory categoricalCrossEntropy
  losses.categoricalCrossEntropy();
  // @ts-expect-error huber takes delta, not fromLogits
  losses.huber({ fromLogits: true });
  // @ts-expect-error an earlyStopping mode is 'auto' | 'min' | 'max'
  callbacks.earlyStopping({ mode: 'maximum' });
  // @ts-expect-error Python spelling of batchSize
  void model.fit([[1]], [[1]], { batch_size: 32 });
  // @ts-expect-error fitDataset takes no batchSize (the dataset decides)
  void model.fitDataset([], { batchSize: 32 });
  // @ts-expect-error a batch needs ys
  void model.fitDataset([{ xs: [[1]] }]);
  // @ts-expect-error no lambda hook onBatchBegin
  callbacks.lambda({ onBatchBegin: () => {} });
}
