// simdnet: neural-network training on a WebAssembly SIMD core, with a Keras-like API.

export { init, type InitOptions } from '../bindings/index.js';
export { Tensor, tensor, type DType, type TypedArray } from './tensor.js';
export { softmax, argMax, oneHot } from './ops.js';
import { Model, type ModelArgs } from './model/model.js';
export { Model, type ModelArgs, type SequentialArgs, type CompileArgs, type EvaluateResult } from './model/model.js';
export type { MemoryUse } from './model/session.js';
export { Sequential } from './model/sequential.js';
export { input, SymbolicTensor, type InputArgs } from './model/graph.js';
export { metrics, type MetricName, type MetricSpec } from './metrics.js';
export type { FitOptions, AugmentOptions, FitDatasetOptions, Batch, BatchSource } from './model/fit.js';
export type { ModelArtifacts, Topology, WeightSpec, LoadOptions } from './model/artifacts.js';
export { History, type Logs } from './model/history.js';
export { layers, layerRegistry, Layer, type Param } from './layers/index.js';
export { optimizers, optimizerRegistry, Optimizer, type OptimizerName } from './optimizers/index.js';
export { initializers, initializerRegistry, type Initializer, type InitializerName } from './initializers.js';
export { regularizers, regularizerRegistry, type Regularizer } from './regularizers.js';
export { losses, lossRegistry, type Loss, type LossName } from './losses.js';
export { schedules, scheduleRegistry, type LearningRateSchedule } from './schedules.js';
export { callbacks, type Callback, type TrainInfo, type CallbackModel } from './callbacks.js';
export { serialize, Registry, type Serialized } from './serialization.js';
export { io } from './io/index.js';
export { gradCheck, diagnostics, type GradCheckOptions, type GradCheckResult, type ParamCheck, type LayerStats, type ActivationStatsOptions, type SanityCheckOptions, type SanityCheckResult } from './toolkit/index.js';
export { search, Sampler, type Space, type SpaceOf, type ParamsOf, type Trial, type RandomSearchOptions, type RandomSearchResult, type GridSearchOptions, type GridSearchResult, type RefineOptions, type RefineResult, type EdgeWarning, type Fold } from './toolkit/search.js';
export { ensemble, type Ensemble, type EnsembleEvaluation, type EnsembleKind } from './toolkit/ensemble.js';
export type { WeightAverage, WeightAverageArgs } from './toolkit/weight-average.js';
export type { HtmlReportArgs } from './toolkit/html-report.js';
export { preprocess, Preprocessor, ZeroCenter, Standardize, PCA, type Per, type CenterOptions, type PCAOptions, type PreprocessorJSON, type PreprocessorName } from './toolkit/preprocess.js';
export { createTrainer, type Trainer, type TrainerOptions, type TrainerFitOptions, type PlainHistory, type EpochSnapshot } from './worker/trainer.js';

/** A functional model (TF.js `tf.model`): the same as `new Model({inputs, outputs})`. */
export const model = (args: ModelArgs): Model => new Model(args);
