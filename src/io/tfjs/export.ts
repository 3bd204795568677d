// simdnet → TF.js Layers: a Sequential as the ModelArtifacts that
// `tf.loadLayersModel(tf.io.fromMemory(artifacts))` loads (the mapping table is in index.ts).

import type { Layer } from '../../layers/layer.js';
import { Model } from '../../model/model.js';
import { Sequential } from '../../model/sequential.js';
import { graphTopology } from './graph.js';
import { describe } from '../../options.js';
import type { Serialized } from '../../serialization.js';
import { initializerToTf, regularizerToTf, ONES, ZEROS } from './initializers.js';
import { layerNormAgrees } from './shapes.js';
import type { TfjsArtifacts, TfjsLayerJson } from './types.js';

const GENERATED_BY = 'simdnet';

interface ExportWeight { name: string; shape: number[]; data: Float32Array }

/** The model as TF.js Layers artifacts; an Error names any layer TF.js cannot express. */
export function toTfjsLayers(model: Model): TfjsArtifacts {
  if (!(model instanceof Model)) throw new Error(`toTfjsLayers expects a model (Sequential or Model), got ${describe(model)}`);
  if (model.isDisposed) throw new Error(`toTfjsLayers: model '${model.name}' has been disposed`);
  if (!model.built) {
    if (!model.inputShape) throw new Error(`toTfjsLayers: model '${model.name}' is not built (give the first layer an inputShape or call build/fit/predict first)`);
    model.build();
  }
  const out: TfjsLayerJson[] = [];
  const weights: ExportWeight[] = [];
  const names = new Set([...model.layers.map((l) => l.name), model.inputName]);
  let topology: TfjsArtifacts['modelTopology'];
  if (model instanceof Sequential) {
    for (const layer of model.layers) exportLayer(layer, out, weights, names);
    Object.assign(out[0].config, { batch_input_shape: [null, ...model.inputShape!], dtype: 'float32' });
    topology = { class_name: 'Sequential', config: { name: model.name, layers: out }, keras_version: GENERATED_BY, backend: 'tensor_flow.js' };
  } else {
    const g = graphTopology(model, (layer, list) => exportLayer(layer, list, weights, names));
    topology = { class_name: 'Model', config: { name: model.name, ...g }, keras_version: GENERATED_BY, backend: 'tensor_flow.js' };
  }

  const total = weights.reduce((n, w) => n + w.data.length, 0);
  const data = new Float32Array(total);
  let off = 0;
  for (const w of weights) { data.set(w.data, off); off += w.data.length; }
  return {
    modelTopology: topology,
    weightSpecs: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
    weightData: data.buffer,
    format: 'layers-model',
    generatedBy: GENERATED_BY,
    convertedBy: null,
  };
}

const NO_REGULARIZERS = { bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null };

/** Appends the TF.js layer(s) for one simdnet layer to out, and its weights to weights. */
function exportLayer(layer: Layer, out: TfjsLayerJson[], weights: ExportWeight[], names: Set<string>): void {
  const cfg = layer.getConfig();
  const what = `${layer.className} '${layer.name}'`;
  const inShape = layer.inputShape;
  const base = { name: layer.name, trainable: layer.trainable };
  const values = new Map(layer.params().map((p) => [p.name.slice(layer.name.length + 1), p.value]));
  const push = (class_name: string, config: Record<string, unknown>) => out.push({ class_name, config: { ...config, ...base } });
  /** Adds simdnet weight `suffix` as '<layer>/<tfSuffix>' with the TF.js shape (same data order). */
  const weight = (suffix: string, tfSuffix = suffix, shape?: number[]) => {
    const t = values.get(suffix);
    if (!t) throw new Error(`toTfjsLayers: ${what} has no weight '${suffix}'`); // NOTE: a bug, not bad input
    weights.push({ name: `${layer.name}/${tfSuffix}`, shape: shape ?? t.shape.slice(), data: Float32Array.from(t.read()) });
  };
  /** Norm layers hold gamma only when they scale and beta only when they center. */
  const gammaBeta = () => {
    if (cfg.scale) weight('gamma');
    if (cfg.center) weight('beta');
  };
  const fail = (why: string): never => { throw new Error(`toTfjsLayers: ${what} cannot be expressed in TF.js Layers: ${why}`); };
  /** A fused or Activation elu maps only with alpha 1, the one TF.js's 'elu' computes. */
  const eluAlpha = (alpha: unknown) => {
    if (alpha !== 1) fail(`its elu alpha is ${String(alpha)}; TF.js's elu has alpha 1`);
  };

  switch (layer.className) {
    case 'Dense':
    case 'Conv2D': {
      const act = String(cfg.activation ?? 'linear');
      const alpha = (layer as unknown as { act?: { alpha: number } }).act?.alpha;
      const split = act === 'leakyRelu';
      if (act === 'elu') eluAlpha(alpha ?? 1);
      const fans = layer.className === 'Dense'
        ? { fanIn: inShape[0], fanOut: cfg.units as number }
        : (() => { const [kh, kw] = cfg.kernelSize as number[]; return { fanIn: kh * kw * inShape[2], fanOut: kh * kw * (cfg.filters as number) }; })();
      const common = {
        activation: split ? 'linear' : act, use_bias: cfg.useBias,
        kernel_initializer: initializerToTf(cfg.kernelInitializer as Serialized, fans, `${what} kernelInitializer`),
        bias_initializer: initializerToTf(cfg.biasInitializer as Serialized, fans, `${what} biasInitializer`),
        kernel_regularizer: regularizerToTf(cfg.kernelRegularizer as Serialized | null),
        ...NO_REGULARIZERS,
      };
      if (layer.className === 'Dense') push('Dense', { units: cfg.units, ...common });
      else push('Conv2D', { filters: cfg.filters, kernel_size: cfg.kernelSize, strides: cfg.strides, padding: cfg.padding, data_format: 'channels_last', dilation_rate: [1, 1], ...common });
      weight('kernel');
      if (cfg.useBias) weight('bias');
      if (split) {
        let name = `${layer.name}_activation`;
        for (let k = 2; names.has(name); k++) name = `${layer.name}_activation_${k}`;
        names.add(name);
        out.push({ class_name: 'LeakyReLU', config: { alpha: alpha ?? 0.01, name, trainable: true } });
      }
      return;
    }
    case 'MaxPool2D':
    case 'AvgPool2D':
      push(layer.className === 'MaxPool2D' ? 'MaxPooling2D' : 'AveragePooling2D', { pool_size: cfg.poolSize, padding: cfg.padding, strides: cfg.strides, data_format: 'channels_last' });
      return;
    case 'GlobalAvgPool2D':
      push('GlobalAveragePooling2D', { data_format: 'channels_last' });
      return;
    case 'Flatten':
      // NOTE: TF.js's Flatten needs rank ≥ 3 inputs; on flat inputs simdnet's is the identity
      if (inShape.length >= 2) push('Flatten', {});
      else push('Reshape', { target_shape: inShape.slice() });
      return;
    case 'Dropout':
      push('Dropout', { rate: cfg.rate, noise_shape: null, seed: null });
      return;
    case 'BatchNorm':
      push('BatchNormalization', {
        axis: -1, momentum: cfg.momentum, epsilon: cfg.epsilon, center: cfg.center, scale: cfg.scale,
        beta_initializer: ZEROS, gamma_initializer: ONES, moving_mean_initializer: ZEROS, moving_variance_initializer: ONES,
        beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
      });
      gammaBeta();
      weight('movingMean', 'moving_mean');
      weight('movingVariance', 'moving_variance');
      return;
    case 'LayerNorm':
    case 'GroupNorm': {
      if (layer.className === 'GroupNorm' && cfg.groups !== 1) fail(`TF.js Layers has no GroupNormalization (groups ${String(cfg.groups)})`);
      if (!layerNormAgrees(inShape)) {
        fail(`on inputs [${inShape.join(', ')}] it normalizes each sample over all of them with one gamma/beta per channel, while TF.js's LayerNormalization normalizes over the last axis only (axis −1) or, over all axes, learns a gamma/beta per position; the two agree only on flat [batch, features] inputs`);
      }
      push('LayerNormalization', {
        axis: -1, epsilon: cfg.epsilon, center: cfg.center, scale: cfg.scale,
        beta_initializer: ZEROS, gamma_initializer: ONES, beta_regularizer: null, gamma_regularizer: null,
      });
      gammaBeta();
      return;
    }
    case 'InstanceNorm':
      fail('TF.js Layers has no InstanceNormalization');
      return;
    case 'Maxout':
      fail('TF.js Layers has no maxout layer');
      return;
    case 'PReLU': {
      const c = inShape[inShape.length - 1];
      const shared = inShape.length > 1 ? inShape.slice(0, -1).map((_, i) => i + 1) : null;
      push('PReLU', {
        alpha_initializer: initializerToTf(cfg.alphaInitializer as Serialized, { fanIn: c, fanOut: c }, `${what} alphaInitializer`),
        alpha_regularizer: null, alpha_constraint: null, shared_axes: shared,
      });
      weight('alpha', 'alpha', [...inShape.slice(0, -1).map(() => 1), c]);
      return;
    }
    case 'Relu':
      push('ReLU', { max_value: null });
      return;
    case 'Add': case 'Multiply': case 'Average': case 'Maximum':
      push(layer.className, {});
      return;
    case 'Subtract':
      fail('TF.js Layers has no Subtract layer (tfjs-layers merges: Add, Average, Concatenate, Maximum, Minimum, Multiply)');
      return;
    case 'Concatenate':
      push('Concatenate', { axis: cfg.axis });
      return;
    case 'LeakyRelu':
      push('LeakyReLU', { alpha: cfg.alpha });
      return;
    case 'Elu':
      if (cfg.alpha !== 1) fail(`its alpha is ${String(cfg.alpha)}; tfjs-layers' ELU supports only alpha 1 (it throws NotImplementedError for any other)`);
      push('ELU', { alpha: 1 });
      return;
    case 'Softmax':
      push('Softmax', { axis: -1 });
      return;
    case 'Sigmoid':
    case 'Tanh':
      push('Activation', { activation: layer.className.toLowerCase() });
      return;
    case 'Activation': {
      const act = String(cfg.activation);
      if (act === 'leakyRelu') {
        push('LeakyReLU', { alpha: cfg.alpha });
        return;
      }
      if (act === 'elu') eluAlpha(cfg.alpha);
      push('Activation', { activation: act });
      return;
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      if (layer.className === 'GRU' && cfg.resetAfter) fail("its resetAfter is true (simdnet's default, Keras 2's and torch.nn.GRU's) and tfjs-layers' GRU supports only resetAfter: false; build it with layers.gru({resetAfter: false}) to export it");
      const [, F] = inShape;
      const kU = ({ SimpleRNN: 1, LSTM: 4, GRU: 3 } as Record<string, number>)[layer.className] * (cfg.units as number);
      const init = (key: string, fans: { fanIn: number; fanOut: number }) => initializerToTf(cfg[key] as Serialized, fans, `${what} ${key}`);
      push(layer.className, {
        units: cfg.units, activation: cfg.activation,
        ...(layer.className === 'LSTM' ? { recurrent_activation: cfg.recurrentActivation, unit_forget_bias: cfg.unitForgetBias, implementation: 1 } : {}),
        ...(layer.className === 'GRU' ? { recurrent_activation: cfg.recurrentActivation, reset_after: false, implementation: 1 } : {}),
        use_bias: cfg.useBias, return_sequences: cfg.returnSequences, return_state: false, go_backwards: false, stateful: false, unroll: false,
        kernel_initializer: init('kernelInitializer', { fanIn: F, fanOut: kU }),
        recurrent_initializer: init('recurrentInitializer', { fanIn: cfg.units as number, fanOut: kU }),
        bias_initializer: init('biasInitializer', { fanIn: F, fanOut: kU }),
        kernel_regularizer: regularizerToTf(cfg.kernelRegularizer as Serialized | null),
        recurrent_regularizer: regularizerToTf(cfg.recurrentRegularizer as Serialized | null),
        recurrent_constraint: null, dropout: 0, recurrent_dropout: 0, ...NO_REGULARIZERS,
      });
      weight('kernel');
      weight('recurrent_kernel');
      if (cfg.useBias) weight('bias');
      return;
    }
    case 'Embedding':
      push('Embedding', {
        input_dim: cfg.inputDim, output_dim: cfg.outputDim, input_length: inShape.length === 1 ? inShape[0] : null, mask_zero: false,
        embeddings_initializer: initializerToTf(cfg.embeddingsInitializer as Serialized, { fanIn: cfg.inputDim as number, fanOut: cfg.outputDim as number }, `${what} embeddingsInitializer`),
        embeddings_regularizer: regularizerToTf(cfg.embeddingsRegularizer as Serialized | null), activity_regularizer: null, embeddings_constraint: null,
      });
      weight('embeddings');
      return;
    case 'Reshape':
      // NOTE: resolved (no −1): tfjs-layers' Reshape builds a [−1]-shaped tensor from a −1 and fails
      push('Reshape', { target_shape: layer.outputShape.slice() });
      return;
    default:
      fail(`simdnet layer class '${layer.className}' has no TF.js Layers equivalent here`);
  }
}
