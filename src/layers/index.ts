// Layer factories (Keras names) and the registry used by serialization: adding a layer
// is one file plus one line here.

import { dense, Dense } from './dense.js';
import { sigmoid, tanh, relu, leakyRelu, elu, Activation } from './activation.js';
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

export const layers = {
  dense, sigmoid, tanh, relu, leakyRelu, elu, prelu, maxout, dropout, flatten,
  conv2d, maxPool2d, avgPool2d, globalAvgPool2d, batchNorm, layerNorm, instanceNorm, groupNorm,
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
};
for (const [className, factory] of Object.entries(byClass)) layerRegistry.register(className, factory);

export { Layer, type Param, type LayerArgs } from './layer.js';
export { Dense, Activation, PReLU, Maxout, Dropout, Flatten, Conv2D, MaxPool2D, AvgPool2D, GlobalAvgPool2D, BatchNorm, GroupNorm };
export type { DenseArgs } from './dense.js';
export type { ActivationArgs } from './activation.js';
export type { PReLUArgs } from './prelu.js';
export type { MaxoutArgs } from './maxout.js';
export type { DropoutArgs } from './dropout.js';
export type { Conv2DArgs } from './conv2d.js';
export type { Pool2DArgs } from './pooling.js';
export type { BatchNormArgs } from './batch-norm.js';
export type { GroupNormArgs } from './group-norm.js';
