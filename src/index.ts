// simdnet: neural-network training on a WebAssembly SIMD core, with a Keras-like API.

export { init, type InitOptions } from '../bindings/index.js';
export { Tensor, tensor, type DType, type TypedArray } from './tensor.js';
export { Sequential, type SequentialArgs, type CompileArgs, type EvaluateResult } from './model/sequential.js';
export type { FitOptions, AugmentOptions } from './model/fit.js';
export { History, type Logs } from './model/history.js';
export { layers, Layer, type Param } from './layers/index.js';
export { optimizers, Optimizer } from './optimizers/index.js';
export { initializers, type Initializer } from './initializers.js';
export { regularizers, type Regularizer } from './regularizers.js';
export { losses, type Loss } from './losses.js';
export { schedules, type LearningRateSchedule } from './schedules.js';
export { callbacks, type Callback } from './callbacks.js';
