// Layer factories (Keras names) and the registry used by serialization: adding a layer
// is one file plus one line here.

import { dense, Dense } from './dense.js';
import { sigmoid, tanh, relu, leakyRelu, elu, softmax, activation, Activation } from './activation.js';
import { prelu, PReLU } from './prelu.js';
import { maxout, Maxout } from './maxout.js';
import { dropout, Dropout } from './dropout.js';
import { flatten, Flatten } from './flatten.js';
import type { Layer } from './layer.js';
import { Registry } from '../serialization.js';
import { conv2d, Conv2D } from './conv2d.js';
import { maxPool2d, avgPool2d, globalAvgPool2d, MaxPool2D, AvgPool2D, GlobalAvgPool2D } from './pooling.js';
import { batchNorm, BatchNorm } from './batch-norm.js';
import { layerNorm, instanceNorm, groupNorm, GroupNorm } from './group-norm.js';
import { normalization, Normalization } from './normalization.js';
import { preprocess, Preprocess } from './preprocess-layer.js';
import { add, subtract, multiply, average, maximum, concatenate, Concatenate, Merge } from './merge.js';
import { simpleRNN, SimpleRNN } from './simple-rnn.js';
import { lstm, LSTM } from './lstm.js';
import { gru, GRU } from './gru.js';
import { embedding, Embedding } from './embedding.js';
import { reshape, Reshape } from './reshape.js';

export const layers = {
  dense, sigmoid, tanh, relu, leakyRelu, elu, softmax, activation, prelu, maxout, dropout, flatten,
  conv2d, maxPool2d, avgPool2d, globalAvgPool2d, batchNorm, layerNorm, instanceNorm, groupNorm,
  // TF.js spellings of the same factories
  batchNormalization: batchNorm, layerNormalization: layerNorm, maxPooling2d: maxPool2d, averagePooling2d: avgPool2d,
  globalAveragePooling2d: globalAvgPool2d, reLU: relu, leakyReLU: leakyRelu,
  normalization, preprocess,
  simpleRNN, lstm, gru, embedding, reshape,
  add, subtract, multiply, average, maximum, concatenate,
};

/**
 * className → factory that takes the layer's getConfig(): the registry that save/load
 * builds models from. One line per layer.
 */
export const layerRegistry = new Registry<Layer>('layer');
const byClass: Record<string, (config: any) => Layer> = {
  Dense: dense, Sigmoid: sigmoid, Tanh: tanh, Relu: relu, LeakyRelu: leakyRelu, Elu: elu, PReLU: prelu, Maxout: maxout,
  Dropout: dropout, Flatten: flatten, Conv2D: conv2d, MaxPool2D: maxPool2d, AvgPool2D: avgPool2d,
  GlobalAvgPool2D: globalAvgPool2d, BatchNorm: batchNorm, LayerNorm: layerNorm, InstanceNorm: instanceNorm, GroupNorm: groupNorm,
  Softmax: softmax, Activation: activation,
  Normalization: normalization,
  Preprocess: preprocess,
  Add: add, Subtract: subtract, Multiply: multiply, Average: average, Maximum: maximum, Concatenate: concatenate,
  SimpleRNN: simpleRNN, LSTM: lstm, GRU: gru, Embedding: embedding, Reshape: reshape,
};
/** TF.js class names of the same layers, accepted by fromConfig. */
const aliases: Record<string, (config: any) => Layer> = {
  BatchNormalization: batchNorm, LayerNormalization: layerNorm, MaxPooling2D: maxPool2d, AveragePooling2D: avgPool2d,
  GlobalAveragePooling2D: globalAvgPool2d, ReLU: relu, LeakyReLU: leakyRelu, ELU: elu,
};
for (const [className, factory] of Object.entries(byClass)) layerRegistry.register(className, factory);
for (const [className, factory] of Object.entries(aliases)) layerRegistry.register(className, factory, { alias: true });

export { Layer, type Param, type LayerArgs } from './layer.js';
export { Dense, Activation, PReLU, Maxout, Dropout, Flatten, Conv2D, MaxPool2D, AvgPool2D, GlobalAvgPool2D, BatchNorm, GroupNorm };
export type { DenseArgs } from './dense.js';
export type { ActivationArgs, GenericActivationArgs } from './activation.js';
export type { PReLUArgs } from './prelu.js';
export type { MaxoutArgs } from './maxout.js';
export type { DropoutArgs } from './dropout.js';
export type { Conv2DArgs } from './conv2d.js';
export type { Pool2DArgs } from './pooling.js';
export type { BatchNormArgs } from './batch-norm.js';
export type { GroupNormArgs } from './group-norm.js';
export { Normalization, Preprocess, Concatenate, Merge };
export type { ConcatenateArgs, MergeArgs } from './merge.js';
export type { NormalizationArgs } from './normalization.js';
export type { PreprocessArgs } from './preprocess-layer.js';
export { SimpleRNN, LSTM, GRU, Embedding, Reshape };
export type { SimpleRNNArgs } from './simple-rnn.js';
export type { LSTMArgs } from './lstm.js';
export type { GRUArgs } from './gru.js';
export type { RecurrentArgs, GatedArgs, RnnActivation } from './recurrent.js';
export type { EmbeddingArgs } from './embedding.js';
export type { ReshapeArgs } from './reshape.js';
