// Layer factories (Keras names) and the registry used by serialization: adding a layer
// is one file plus one line here.

import { dense, Dense } from './dense.js';
import { sigmoid, tanh, relu, leakyRelu, elu, Activation } from './activation.js';
import { prelu, PReLU } from './prelu.js';
import { maxout, Maxout } from './maxout.js';
import { dropout, Dropout } from './dropout.js';
import { flatten, Flatten } from './flatten.js';

export const layers = { dense, sigmoid, tanh, relu, leakyRelu, elu, prelu, maxout, dropout, flatten };

export { Layer, type Param, type LayerArgs } from './layer.js';
export { Dense, Activation, PReLU, Maxout, Dropout, Flatten };
export type { DenseArgs } from './dense.js';
export type { ActivationArgs } from './activation.js';
export type { PReLUArgs } from './prelu.js';
export type { MaxoutArgs } from './maxout.js';
export type { DropoutArgs } from './dropout.js';
