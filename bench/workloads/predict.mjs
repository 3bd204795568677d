// Inference latency in µs per call (lower is better): one `predict` of one sample, what a
// page that classifies a drawing on every stroke does. The models are the mlp and cnn
// workloads' (untrained: the weights do not change the time). Every call gets a fresh
// Float32Array (a copy of the next MNIST digit, as a page would have from its canvas), runs
// the model, reads the 10 outputs back and takes their argmax.
//
//   simdnet    model.predict(Float32Array(784)) → Tensor; argmax of its data
//   tfjs       tf.tidy(() => model.predict(tf.tensor(x, [1, ...shape]))), dataSync, dispose
//   PyTorch    under torch.no_grad(), model(x.clone().unsqueeze(0)).argmax(); many calls
//              per request to its server, so the round trip is ~1% of what is timed
//   jax-js     a jit of the logits function on np.array(x), dataSync
//
// The value of a cell is a repeat's mean time per call (≥ 0.5 s of calls), and as
// everywhere, the median over rounds. The ratios stay "> 1: simdnet faster": here they are
// the other's µs ÷ simdnet's µs (run.mjs flips them for a lower-is-better workload).

import { loadMnist } from '../lib/mnist.mjs';
import { torchPredictCell } from '../lib/torch-cells.mjs';
import { nhwcToNchw } from '../lib/jax-cells.mjs';
import { simdnetMlp, tfjsMlp, jaxMlp, TORCH_MLP } from './mlp.mjs';
import { simdnetCnn, tfjsCnn, jaxCnn } from './cnn.mjs';

const PIXELS = 784;
const SAMPLES = 256;
const MODELS = {
  mlp: { shape: [PIXELS], simdnet: simdnetMlp, tfjs: tfjsMlp, jax: jaxMlp, torch: TORCH_MLP, torchCalls: 512 },
  cnn: { shape: [28, 28, 1], simdnet: simdnetCnn, tfjs: tfjsCnn, jax: jaxCnn, torch: { classes: 10 }, torchCalls: 128, nchw: [1, 1, 28, 28] },
};

const ALL = ['simdnet', 'pytorch', 'tfjs-wasm', 'tfjs-cpu', 'jax-js'];

export const cases = [
  { id: 'mlp', label: 'MLP 784-256-256-10, 1 sample' },
  { id: 'cnn', label: 'CNN (the cnn workload\'s), 1 sample' },
];

function argMax(a) {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** A cell calling predict(fresh sample) once per step, cycling through the samples. */
function latencyCell(x, predictOne, dispose) {
  let i = 0, last = -1;
  return {
    work: 1,
    step: () => {
      const s = i++ % SAMPLES;
      last = predictOne(x.slice(s * PIXELS, (s + 1) * PIXELS));
    },
    check: () => ({ lastClass: last }),
    dispose,
  };
}

export const setup = {
  async simdnet({ lib }, c) {
    const m = MODELS[c.id].simdnet(lib);
    const { x } = await loadMnist(SAMPLES);
    return latencyCell(x, (v) => argMax(m.predict(v).data), () => m.dispose());
  },
  async pytorch(ctx, c) {
    const { x } = await loadMnist(SAMPLES);
    return torchPredictCell(ctx, c, { model: c.id, x, n: SAMPLES, k: MODELS[c.id].torchCalls, sizes: MODELS[c.id].torch });
  },
  'tfjs-wasm': tfjsSetup,
  'tfjs-cpu': tfjsSetup,
  'jax-js': async ({ jax }, c) => {
    const { numpy: np, jit, tree } = jax;
    const spec = MODELS[c.id];
    const { params, logits } = spec.jax(jax);
    const f = jit(logits);
    const shape = spec.nchw ?? [1, PIXELS];
    const { x } = await loadMnist(SAMPLES);
    const input = spec.nchw ? nhwcToNchw(x, SAMPLES, 28, 28, 1) : x;
    return latencyCell(input, (v) => argMax(f(tree.ref(params), np.array(v).reshape(shape)).dataSync()), () => tree.dispose(params));
  },
};

async function tfjsSetup({ tf, tfl }, c) {
  const spec = MODELS[c.id];
  const model = spec.tfjs(tfl);
  const { x } = await loadMnist(SAMPLES);
  const predictOne = (v) => {
    const out = tf.tidy(() => model.predict(tf.tensor(v, [1, ...spec.shape])));
    const d = out.dataSync();
    out.dispose();
    return argMax(d);
  };
  return latencyCell(x, predictOne, () => model.dispose());
}

function summary({ value }) {
  const lines = [];
  for (const c of cases) {
    const s = value(c.id, 'simdnet');
    if (!(s > 0)) continue;
    const others = ALL.slice(1).filter((who) => value(c.id, who) > 0).map((who) => `${who} ${value(c.id, who).toFixed(0)} µs`);
    lines.push({
      id: `predict ${c.id} simdnet µs`,
      text: `${c.id.toUpperCase()} single-sample predict: simdnet ${s.toFixed(1)} µs${others.length ? `; ${others.join(', ')}` : ''}`,
      microseconds: s,
    });
  }
  return lines;
}

export default {
  id: 'predict',
  title: 'inference latency: predict of one sample, fresh Float32Array input, outputs read back',
  unit: 'µs per call',
  lowerIsBetter: true,
  scale: 1e6,
  contenders: ALL,
  cases,
  setup,
  summary,
};
