// TF.js Layers format, both ways: io.toTfjsLayers(model) gives the ModelArtifacts that
// `tf.loadLayersModel(tf.io.fromMemory(artifacts))` loads, and io.fromTfjsLayers(artifacts)
// builds a simdnet Sequential from what `tfModel.save(tf.io.withSaveHandler(...))` gives
// (or from a model.json + .bin pair: io.saveTfjsFiles / io.loadTfjsFiles, Node, Bun, Deno).
//
// The topology is Keras JSON as tfjs-layers writes it: snake_case keys, {class_name, config}
// per layer, `batch_input_shape` [null, ...] on the first layer, weights named
// '<layer>/<weight>' (TF.js matches weights by name, not by order), all float32.
//
// simdnet → TF.js                                 (import maps back the same way)
//   Dense, Conv2D        Dense, Conv2D (channels_last, dilation 1). A fused leakyRelu has no
//                        TF.js activation: it is exported as a linear Dense/Conv2D followed
//                        by a LeakyReLU layer named '<layer>_activation' (same outputs; the
//                        import gives two layers).
//   MaxPool2D, AvgPool2D, GlobalAvgPool2D   MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D
//   Flatten              Flatten; on flat [N, D] inputs (where it is the identity, and which
//                        TF.js's Flatten refuses) Reshape {target_shape: [D]}, which the
//                        import reads back as a Flatten.
//   Dropout              Dropout (noise_shape null)
//   BatchNorm            BatchNormalization axis −1 (gamma, beta, moving_mean, moving_variance)
//   LayerNorm            LayerNormalization axis −1, only where the two agree: simdnet
//                        normalizes each sample over ALL its non-batch axes with per-channel
//                        gamma/beta, TF.js over the last axis (or, with more axes, with a
//                        gamma/beta per position), so only inputs whose non-channel axes all
//                        have size 1 ([N, D]) map; anything else is an Error saying why.
//                        (GroupNorm with groups 1 is layerNorm and maps the same way.)
//   PReLU                PReLU, alpha [1, …, 1, C] with shared_axes over all but the channel axis
//   Relu, LeakyRelu, Elu, Softmax   ReLU, LeakyReLU {alpha}, ELU (alpha 1 only: tfjs-layers
//                        refuses any other), Softmax {axis: −1}
//   Sigmoid, Tanh, Activation       Activation {activation}
//   Maxout, InstanceNorm, GroupNorm (groups > 1): no TF.js equivalent, an Error.
// Only on import: InputLayer (its shape becomes the input shape), ELU with any alpha,
// Activation 'linear'. Any other class, or an option that would change what the layer
// computes or how it trains (channels_first, dilation, causal padding, ReLU max_value,
// noise_shape, l1 or bias/activity regularizers, constraints, …) is an Error naming the
// layer, the option and why.
//
// Initializers (they matter only when a layer is re-initialized, never for loaded weights):
//   zeros, ones, constant   Zeros, Ones, Constant {value}
//   randomNormal, randomUniform   RandomNormal, RandomUniform (same parameters)
//   glorotUniform, heUniform, lecunUniform   VarianceScaling {scale 1|2|1, fan_avg|fan_in|fan_in, uniform}
//   glorotNormal, heNormal, lecunNormal      VarianceScaling {…, distribution 'normal'}, as
//                        tfjs-layers writes them. Lossy on the TF.js side: TF.js draws a
//                        normal truncated at 2σ WITHOUT rescaling (std ≈ 0.88·√scale/fan);
//                        Keras (Python) reads 'normal' as truncated_normal with the
//                        rescaling, which is simdnet's.
//   smallRandom          RandomNormal {0, 0.01}: same distribution; imported as randomNormal
//   xavier               RandomNormal {0, √(1/fanIn)} with that layer's fanIn: same
//                        distribution for that layer; imported as randomNormal. (Keras's
//                        untruncated_normal is not a distribution TF.js accepts.)
//   Import also accepts GlorotUniform, HeNormal, LeCunNormal/LecunNormal, … by class name;
//   VarianceScaling with other parameters becomes the nearest named one (uniform or normal;
//   fan_in with scale ≥ 1.5 → he, fan_in otherwise → lecun, fan_avg/fan_out → glorot),
//   TruncatedNormal → randomNormal (untruncated), Orthogonal and Identity → glorotUniform.
//   BatchNormalization/LayerNormalization initializers are not kept (simdnet's are fixed:
//   gamma 1, beta 0, moving mean 0, moving variance 1).
// Regularizers: l2(λ) ↔ L1L2 {l1: 0, l2: λ} (also Keras's L2 {l2}); l1 is an Error.
//
// Lossy: a float64 model is exported in float32; the compile settings and optimizer state
// are neither exported nor imported (compile the imported model); seeds are not kept.
// An import checks everything it can before allocating, and frees everything it allocated
// when it fails.
//
// Files: export.ts (simdnet → TF.js), import.ts (TF.js → simdnet: weights and building),
// artifacts.ts (validating what TF.js gives), layers.ts and config.ts (each TF.js layer's
// config → simdnet), initializers.ts (initializers and regularizers, both ways), files.ts
// (model.json + weights.bin on disk), shapes.ts (shape facts both directions share).

export { toTfjsLayers } from './export.js';
export { fromTfjsLayers } from './import.js';
export { saveTfjsFiles, loadTfjsFiles } from './files.js';
export type { TfjsArtifacts, TfjsModelTopology, TfjsLayerJson, TfjsWeightSpec, FromTfjsOptions } from './types.js';
