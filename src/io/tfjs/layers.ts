// TF.js → simdnet, layer by layer: each TF.js layer config becomes the simdnet layer spec(s)
// that compute the same, and the weights they need (the mapping table is in index.ts).
// Nothing is allocated here, so a refused model leaves nothing behind.

import { geometry } from '../../layers/geometry.js';
import { describe, isPlainObject } from '../../options.js';
import type { Serialized } from '../../serialization.js';
import { activationOf, Config, norm, wrap } from './config.js';
import { initializerFromTf, regularizerFromTf } from './initializers.js';
import { layerNormAgrees, size } from './shapes.js';

/** One simdnet layer to build, and where its weights come from. */
export interface Planned {
  what: string;
  spec: Serialized;
  /** simdnet weight suffix → TF.js weight suffix and the TF.js shape it must have */
  weights: { suffix: string; tfName: string; tfSuffix: string; shape: number[] }[];
}

// Why options are refused, the same for every layer that has them.
const KERNELS_ONLY = 'simdnet regularizes kernels only';
const NO_CONSTRAINTS = 'simdnet has no weight constraints';

/** Per-sample input shape from [null, ...dims]. */
function inputShapeOf(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || v.length < 2 || v.slice(1).some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d <= 0)) {
    throw new Error(`fromTfjsLayers: ${what}: batch_input_shape must be [null, ...positive integers], got ${describe(v)}; simdnet needs a fixed per-sample input shape`);
  }
  return v.slice(1) as number[];
}

/** Maps every TF.js layer to simdnet layers, tracking the per-sample shape; allocates nothing. */
export function planLayers(layerJson: Record<string, unknown>[]): { inputShape: number[]; plan: Planned[] } {
  const plan: Planned[] = [];
  let shape: number[] | null = null;
  let inputShape: number[] | null = null;
  layerJson.forEach((entry, i) => {
    if (!isPlainObject(entry) || typeof entry.className !== 'string' || !isPlainObject(entry.config ?? {})) {
      throw new Error(`fromTfjsLayers: modelTopology.config.layers[${i}] must be {class_name, config}, got ${describe(entry)}`);
    }
    const raw = (entry.config ?? {}) as Record<string, unknown>;
    const tfName = typeof raw.name === 'string' && raw.name !== '' ? raw.name : `layer_${i}`;
    const what = `TF.js layer '${tfName}' (${entry.className})`;
    const c = new Config(raw, what);
    const dtype = isPlainObject(raw.dtype) ? (raw.dtype.config as Record<string, unknown> | undefined)?.name ?? raw.dtype.name : raw.dtype;
    if (dtype !== undefined && dtype !== null && dtype !== 'float32') c.fail(`dtype ${describe(dtype)} is not supported (simdnet imports float32 models)`);
    if (i === 0) {
      const s = raw.batchInputShape ?? raw.batchShape;
      if (s === undefined || s === null) c.fail('the first layer has no batch_input_shape; simdnet needs the input shape to place the weights');
      shape = inputShapeOf(s, what);
      inputShape = shape.slice();
    }
    if (entry.className === 'InputLayer') {
      if (i !== 0) c.fail('an InputLayer must be the first layer');
      c.neutral('sparse', (v) => v === false, 'simdnet has dense inputs only');
      c.neutral('ragged', (v) => v === false, 'simdnet has dense inputs only');
      c.done();
      return;
    }
    const planned = planOne(entry, i, shape!);
    plan.push(...planned.layers);
    shape = planned.outShape;
  });
  if (plan.length === 0) throw new Error('fromTfjsLayers: the model has no layers besides its input');
  return { inputShape: inputShape!, plan };
}

/** The simdnet layers of one TF.js layer entry on inputs of this per-sample shape (also used for graphs). */
export function planOne(entry: Record<string, unknown>, i: number, inShape: number[]): { layers: Planned[]; outShape: number[] } {
  const raw = (entry.config ?? {}) as Record<string, unknown>;
  const tfName = typeof raw.name === 'string' && raw.name !== '' ? raw.name : `layer_${i}`;
  const c = new Config(raw, `TF.js layer '${tfName}' (${String(entry.className)})`);
  const dtype = isPlainObject(raw.dtype) ? (raw.dtype.config as Record<string, unknown> | undefined)?.name ?? raw.dtype.name : raw.dtype;
  if (dtype !== undefined && dtype !== null && dtype !== 'float32') c.fail(`dtype ${describe(dtype)} is not supported (simdnet imports float32 models)`);
  const planned = mapLayer(String(entry.className), c, tfName, inShape);
  c.done();
  for (const p of planned.layers) p.spec.config = { name: p.spec.config.name ?? tfName, trainable: raw.trainable ?? true, ...p.spec.config };
  return planned;
}

function mapLayer(cls: string, c: Config, tfName: string, inShape: number[]): { layers: Planned[]; outShape: number[] } {
  const what = c.what;
  const rank = inShape.length + 1; // with the batch axis
  const C = inShape[inShape.length - 1];
  const one = (className: string, config: Record<string, unknown>, outShape: number[], weights: Planned['weights'] = []) =>
    ({ layers: [{ what, spec: { className, config }, weights }], outShape });
  const w = (suffix: string, shape: number[], tfSuffix = suffix) => ({ suffix, tfName, tfSuffix, shape });
  /** Norm layers hold gamma only when they scale and beta only when they center. */
  const gammaBeta = (scale: boolean, center: boolean, shape: number[]) =>
    [...(scale ? [w('gamma', shape)] : []), ...(center ? [w('beta', shape)] : [])];
  /** The one axis the option names, as an index with the batch axis, from a number or a one-element array. */
  const axisOf = (key: string, dflt: number): number => {
    let v = c.get(key) ?? dflt;
    if (Array.isArray(v) && v.length === 1) v = v[0];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -rank || v >= rank) c.fail(`${key} must be one axis of the rank-${rank} input, got ${describe(v)}`);
    return v < 0 ? v + rank : v;
  };
  /** simdnet's convolution and pooling layers take channels-last images only. */
  const images = () => {
    if (inShape.length !== 3) c.fail(`expects images [batch, height, width, channels], got per-sample shape [${inShape.join(', ')}]`);
    c.channelsLast();
  };

  switch (cls) {
    case 'Dense': {
      if (inShape.length !== 1) c.fail(`on a rank-${rank} input TF.js's Dense applies to the last axis; simdnet's dense needs flat [batch, features] inputs (add a Flatten before it)`);
      const units = c.num('units');
      if (!Number.isInteger(units) || units <= 0) c.fail(`units must be a positive integer, got ${units}`);
      const k = kernelOptions(c);
      return one('Dense', { units, ...k }, [units], [w('kernel', [inShape[0], units]), ...(k.useBias ? [w('bias', [units])] : [])]);
    }
    case 'Conv2D': {
      images();
      const filters = c.num('filters');
      if (!Number.isInteger(filters) || filters <= 0) c.fail(`filters must be a positive integer, got ${filters}`);
      const kernelSize = c.pair('kernelSize');
      const strides = c.pair('strides', [1, 1]);
      const dil = c.pair('dilationRate', [1, 1]);
      if (dil[0] !== 1 || dil[1] !== 1) c.fail(`dilationRate [${dil.join(', ')}] is not supported: simdnet's conv2d has no dilation`);
      c.neutral('groups', (v) => v === 1, "simdnet's conv2d has no grouped convolution");
      const padding = c.padding();
      const k = kernelOptions(c);
      const g = wrap(() => geometry(inShape, kernelSize, strides, padding, `conv2d '${tfName}'`, 'kernel'), what);
      return one('Conv2D', { filters, kernelSize, strides, padding, ...k }, [g.OH, g.OW, filters],
        [w('kernel', [kernelSize[0], kernelSize[1], C, filters]), ...(k.useBias ? [w('bias', [filters])] : [])]);
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      images();
      const poolSize = c.pair('poolSize', [2, 2]);
      const strides = c.pair('strides', poolSize);
      const padding = c.padding();
      const g = wrap(() => geometry(inShape, poolSize, strides, padding, `${cls} '${tfName}'`, 'pool'), what);
      return one(cls === 'MaxPooling2D' ? 'MaxPool2D' : 'AvgPool2D', { poolSize, strides, padding }, [g.OH, g.OW, g.C]);
    }
    case 'GlobalAveragePooling2D':
      images();
      c.neutral('keepdims', (v) => v === false, "simdnet's globalAvgPool2d outputs [batch, channels]");
      return one('GlobalAvgPool2D', {}, [C]);
    case 'Flatten':
      c.channelsLast();
      return one('Flatten', {}, [size(inShape)]);
    case 'Reshape': {
      const target = c.get('targetShape');
      // a Reshape to flat is what simdnet's Flatten exports on flat inputs: read it back as one
      if (Array.isArray(target) && target.length === 1 && target[0] === size(inShape)) return one('Flatten', {}, [size(inShape)]);
      if (!Array.isArray(target) || target.length === 0 || target.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1))) {
        c.fail(`target_shape must be a non-empty list of positive integers (one may be -1), got ${describe(target)}`);
      }
      const t = target as number[];
      const known = size(t.filter((d) => d !== -1));
      const out = t.map((d) => (d === -1 ? size(inShape) / known : d));
      if (size(out) !== size(inShape) || !out.every(Number.isInteger)) c.fail(`target_shape [${t.join(', ')}] does not fit the per-sample input [${inShape.join(', ')}]`);
      return one('Reshape', { targetShape: t.slice() }, out);
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
      return mapRecurrent(cls, c, inShape, w, one);
    case 'Embedding': {
      const inputDim = c.num('inputDim'), outputDim = c.num('outputDim');
      c.neutral('maskZero', (v) => v === false, 'simdnet has no masking');
      c.ignore('inputLength');
      c.none('activityRegularizer', 'simdnet has no activity regularization');
      c.none('embeddingsConstraint', NO_CONSTRAINTS);
      const init = initializerFromTf(c, 'embeddingsInitializer');
      const reg = regularizerFromTf(c, 'embeddingsRegularizer');
      return one('Embedding', { inputDim, outputDim, ...(init ? { embeddingsInitializer: init } : {}), ...(reg ? { embeddingsRegularizer: reg } : {}) },
        [...inShape, outputDim], [w('embeddings', [inputDim, outputDim])]);
    }
    case 'Dropout': {
      const rate = c.num('rate');
      c.none('noiseShape', 'simdnet drops each element independently');
      c.ignore('seed');
      return one('Dropout', { rate }, inShape);
    }
    case 'BatchNormalization': {
      const axis = axisOf('axis', -1);
      if (axis !== rank - 1) c.fail(`axis ${axis} is not supported: simdnet's batchNorm normalizes the last (channel) axis, ${rank - 1} here`);
      const center = c.bool('center', true), scale = c.bool('scale', true);
      const config = { momentum: c.num('momentum', 0.99), epsilon: c.num('epsilon', 1e-3), center, scale };
      plainGammaBeta(c);
      c.neutral('renorm', (v) => v === false, 'simdnet has no batch renormalization');
      c.neutral('synchronized', (v) => v === false, 'simdnet trains on one device');
      c.ignore('betaInitializer', 'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer');
      return one('BatchNorm', config, inShape, [
        ...gammaBeta(scale, center, [C]),
        w('movingMean', [C], 'moving_mean'), w('movingVariance', [C], 'moving_variance'),
      ]);
    }
    case 'LayerNormalization': {
      let axes = c.get('axis') ?? -1;
      if (!Array.isArray(axes)) axes = [axes];
      const list = (axes as unknown[]).map((a) => {
        if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank || a === 0 || a === -rank) c.fail(`axis must list non-batch axes of the rank-${rank} input, got ${describe(c.raw.axis)}`);
        return a < 0 ? a + rank : a;
      });
      if (!list.includes(rank - 1) || !layerNormAgrees(inShape)) {
        c.fail(`axis ${JSON.stringify(c.raw.axis ?? -1)} on per-sample shape [${inShape.join(', ')}] has no simdnet equivalent: simdnet's layerNorm normalizes each sample over all its non-batch axes with one gamma/beta per channel; that agrees with TF.js's LayerNormalization only on flat [batch, features] inputs`);
      }
      const center = c.bool('center', true), scale = c.bool('scale', true);
      plainGammaBeta(c);
      c.neutral('rmsScaling', (v) => v === false, "simdnet's layerNorm subtracts the mean");
      c.ignore('betaInitializer', 'gammaInitializer');
      const pshape = list.sort((a, b) => a - b).map((a) => inShape[a - 1]);
      return one('LayerNorm', { epsilon: c.num('epsilon', 1e-3), center, scale }, inShape, gammaBeta(scale, center, pshape));
    }
    case 'PReLU': {
      const sharedRaw = c.get('sharedAxes');
      const shared = sharedRaw === undefined || sharedRaw === null ? [] : Array.isArray(sharedRaw) ? sharedRaw : [sharedRaw];
      if (shared.some((a) => typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank || a === 0)) c.fail(`sharedAxes must list non-batch axes, got ${describe(sharedRaw)}`);
      const sh = shared.map((a: number) => (a < 0 ? a + rank : a));
      const pshape = inShape.map((d, i) => (sh.includes(i + 1) ? 1 : d));
      if (pshape.slice(0, -1).some((d) => d !== 1) || pshape[pshape.length - 1] !== C) {
        c.fail(`with sharedAxes ${JSON.stringify(sharedRaw ?? null)} on per-sample shape [${inShape.join(', ')}] it learns an alpha of shape [${pshape.join(', ')}]; simdnet's prelu learns one per channel (TF.js sharedAxes ${JSON.stringify(inShape.slice(0, -1).map((_, j) => j + 1))})`);
      }
      c.none('alphaRegularizer', KERNELS_ONLY);
      c.none('alphaConstraint', NO_CONSTRAINTS);
      return one('PReLU', { alphaInitializer: initializerFromTf(c, 'alphaInitializer') ?? { className: 'zeros', config: {} } }, inShape, [w('alpha', pshape)]);
    }
    case 'ReLU':
      c.neutral('maxValue', () => false, 'simdnet has no capped relu');
      c.neutral('negativeSlope', (v) => v === 0, 'use LeakyReLU');
      c.neutral('threshold', (v) => v === 0, 'simdnet has no thresholded relu');
      return one('Relu', {}, inShape);
    case 'LeakyReLU': {
      const alpha = c.has('negativeSlope') ? c.num('negativeSlope') : c.num('alpha', 0.3);
      return one('LeakyRelu', { alpha }, inShape);
    }
    case 'ELU':
      return one('Elu', { alpha: c.num('alpha', 1) }, inShape);
    case 'Softmax': {
      // NOTE: tfjs-layers' Softmax defaults to axis 1 (Keras to −1)
      const axis = axisOf('axis', 1);
      if (axis !== rank - 1) c.fail(`axis ${axis} is not supported: simdnet's softmax runs over the last axis, ${rank - 1} here`);
      return one('Softmax', {}, inShape);
    }
    case 'Activation':
      return one('Activation', { activation: activationOf(c) }, inShape);
    default:
      c.fail(`layer class '${cls}' has no simdnet equivalent (supported: InputLayer, ${SUPPORTED.join(', ')})`);
  }
}

const SUPPORTED = ['Dense', 'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Flatten', 'Reshape', 'Dropout',
  'BatchNormalization', 'LayerNormalization (flat inputs)', 'PReLU', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'Activation',
  'SimpleRNN', 'LSTM and GRU (sigmoid gates; GRU resetAfter false)', 'Embedding'];

const RNN_ACTS: Record<string, string> = { tanh: 'tanh', sigmoid: 'sigmoid', relu: 'relu', linear: 'linear' };

/** SimpleRNN / LSTM / GRU: same weights and layouts as simdnet's (Keras's); the options that change them are refused. */
function mapRecurrent(cls: string, c: Config, inShape: number[], w: (suffix: string, shape: number[], tfSuffix?: string) => Planned['weights'][number],
  one: (className: string, config: Record<string, unknown>, outShape: number[], weights?: Planned['weights']) => { layers: Planned[]; outShape: number[] }) {
  if (inShape.length !== 2) c.fail(`expects [batch, timesteps, features], got per-sample shape [${inShape.join(', ')}]`);
  const units = c.num('units');
  if (!Number.isInteger(units) || units <= 0) c.fail(`units must be a positive integer, got ${units}`);
  const act = (key: string, dflt: string): string => {
    const v = c.get(key) ?? dflt;
    const a = RNN_ACTS[norm(v)];
    if (!a) c.fail(`${key} ${describe(v)}${c.has(key) ? '' : " (TF.js's default)"} is not supported: simdnet's recurrent layers take ${Object.keys(RNN_ACTS).join(', ')}; set recurrentActivation: 'sigmoid' (the Keras 2 default) in TF.js`);
    return a;
  };
  const config: Record<string, unknown> = { units, activation: act('activation', 'tanh'), useBias: c.bool('useBias', true), returnSequences: c.bool('returnSequences', false) };
  const k = ({ SimpleRNN: 1, LSTM: 4, GRU: 3 } as Record<string, number>)[cls];
  if (cls !== 'SimpleRNN') {
    // NOTE: tfjs-layers' LSTM and GRU default to hardSigmoid gates (Keras 1); simdnet has sigmoid
    config.recurrentActivation = act('recurrentActivation', 'hardSigmoid');
    c.ignore('implementation');
  }
  if (cls === 'LSTM') config.unitForgetBias = c.bool('unitForgetBias', true);
  if (cls === 'GRU') {
    // NOTE: Keras 2 (Python) writes reset_after true by default; tfjs-layers has only false
    // (true, with its bias [2, 3·units], comes from Keras files through tensorflowjs_converter)
    config.resetAfter = c.bool('resetAfter', false);
  }
  for (const key of ['kernelInitializer', 'recurrentInitializer', 'biasInitializer']) {
    const init = initializerFromTf(c, key);
    if (init) config[key] = init;
  }
  for (const key of ['kernelRegularizer', 'recurrentRegularizer']) {
    const reg = regularizerFromTf(c, key);
    if (reg) config[key] = reg;
  }
  c.none('biasRegularizer', KERNELS_ONLY);
  c.none('activityRegularizer', 'simdnet has no activity regularization');
  for (const key of ['kernelConstraint', 'recurrentConstraint', 'biasConstraint']) c.none(key, NO_CONSTRAINTS);
  c.neutral('dropout', (v) => v === 0, 'simdnet has no dropout inside recurrent layers (add layers.dropout between them)');
  c.neutral('recurrentDropout', (v) => v === 0, 'simdnet has no recurrent dropout');
  c.neutral('returnState', (v) => v === false, 'simdnet returns the output only');
  c.neutral('goBackwards', (v) => v === false, 'simdnet reads sequences forwards only');
  c.neutral('stateful', (v) => v === false, 'simdnet starts every batch from a zero state');
  c.ignore('unroll');
  const [T, F] = inShape;
  const useBias = config.useBias as boolean;
  return one(cls, config, config.returnSequences ? [T, units] : [units],
    [w('kernel', [F, k * units]), w('recurrent_kernel', [units, k * units]), ...(useBias ? [w('bias', config.resetAfter ? [2, k * units] : [k * units])] : [])]);
}

/** BatchNormalization/LayerNormalization: simdnet's gamma and beta take no regularizer or constraint. */
function plainGammaBeta(c: Config): void {
  for (const k of ['betaRegularizer', 'gammaRegularizer']) c.none(k, KERNELS_ONLY);
  for (const k of ['betaConstraint', 'gammaConstraint']) c.none(k, NO_CONSTRAINTS);
}

/** Dense/Conv2D options shared by both: activation, bias, initializers, the kernel's l2; no constraints or other regularizers. */
function kernelOptions(c: Config): Record<string, unknown> & { useBias: boolean } {
  const useBias = c.bool('useBias', true);
  const out: Record<string, unknown> & { useBias: boolean } = { activation: activationOf(c), useBias };
  const ki = initializerFromTf(c, 'kernelInitializer');
  const bi = initializerFromTf(c, 'biasInitializer');
  if (ki) out.kernelInitializer = ki;
  if (bi) out.biasInitializer = bi;
  const reg = regularizerFromTf(c, 'kernelRegularizer');
  if (reg) out.kernelRegularizer = reg;
  c.none('biasRegularizer', KERNELS_ONLY);
  c.none('activityRegularizer', 'simdnet has no activity regularization');
  c.none('kernelConstraint', NO_CONSTRAINTS);
  c.none('biasConstraint', NO_CONSTRAINTS);
  c.neutral('loraRank', (v) => v === 0, 'simdnet has no LoRA');
  return out;
}
