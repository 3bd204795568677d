// The @jax-js/jax contender's cells. jax-js is JAX for JavaScript: arrays, grad and jit, no
// layers and no optimizers in the package (its optax port, @jax-js/optax, is not on npm). So
// a model here is a parameter tree and a loss function, and a training step is what JAX
// users write: one jit over valueAndGrad and the optimizer update, parameters and moments
// passed in and returned.
//
// NOTE: jax-js counts references: every function consumes its array arguments, `.ref` takes
// one more. The batches and parameters kept across steps are passed as `.ref`/tree.ref;
// dataSync() consumes the loss it reads. Ops are queued, so reading the loss back is also
// what makes a step finish inside its timing.

/**
 * A jitted training step over `params` (a tree of arrays, owned from here on) for
 * `loss(params, x, y)`: optimizer { name: 'adam', lr } (torch.optim.Adam's update, bias
 * corrections dividing, β 0.9/0.999, ε 1e-8) or { name: 'sgd', lr }.
 * Returns step(x, y) → the loss (a number; x and y are not consumed) and dispose().
 */
export function jaxTrainer(jax, params, loss, optimizer) {
  const { numpy: np, tree, jit, valueAndGrad } = jax;
  const { lr } = optimizer;
  if (optimizer.name === 'sgd') {
    const sgd = jit((p, x, y) => {
      const [l, g] = valueAndGrad(loss)(tree.ref(p), x, y);
      return [l, tree.map((pi, gi) => pi.sub(gi.mul(lr)), p, g)];
    });
    return {
      step(x, y) {
        const [l, p2] = sgd(params, x.ref, y.ref);
        params = p2;
        return l.dataSync()[0];
      },
      dispose: () => tree.dispose(params),
    };
  }
  if (optimizer.name !== 'adam') throw new Error(`jaxTrainer: unknown optimizer '${optimizer.name}'`);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  let m = tree.map((p) => np.zerosLike(p.ref), params);
  let v = tree.map((p) => np.zerosLike(p.ref), params);
  // c1 = 1/(1 − β1ᵗ) and c2 = 1/(1 − β2ᵗ) are arguments, so the one trace serves every t.
  const adam = jit((p, m, v, x, y, c1, c2) => {
    const [l, g] = valueAndGrad(loss)(tree.ref(p), x, y);
    const m2 = tree.map((mi, gi) => mi.mul(b1).add(gi.mul(1 - b1)), m, tree.ref(g));
    const v2 = tree.map((vi, gi) => vi.mul(b2).add(gi.ref.mul(gi).mul(1 - b2)), v, g);
    const p2 = tree.map((pi, mi, vi) => pi.sub(mi.mul(c1.ref).div(np.sqrt(vi.mul(c2.ref)).add(eps)).mul(lr)), p, tree.ref(m2), tree.ref(v2));
    c1.dispose();
    c2.dispose();
    return [l, p2, m2, v2];
  });
  let t = 0;
  return {
    step(x, y) {
      t++;
      const [l, p2, m2, v2] = adam(params, m, v, x.ref, y.ref, np.array(1 / (1 - b1 ** t)), np.array(1 / (1 - b2 ** t)));
      params = p2;
      m = m2;
      v = v2;
      return l.dataSync()[0];
    },
    dispose: () => tree.dispose([params, m, v]),
  };
}

/** Mean softmax cross-entropy of `logits` [b, classes] against one-hot `y` (consumes both). */
export function jaxSoftmaxCrossEntropy(jax, logits, y) {
  const b = logits.shape[0];
  return jax.nn.logSoftmax(logits).mul(y).sum().mul(-1 / b);
}

/**
 * A training cell: `batches` are { x, y } jax arrays made beforehand (owned by the cell);
 * `trainer` is a jaxTrainer. One step trains on the next batch and reads its loss.
 */
export function jaxTrainCell(jax, trainer, batches, work) {
  let loss = NaN, i = 0;
  return {
    work,
    step: () => { const b = batches[i++ % batches.length]; loss = trainer.step(b.x, b.y); },
    check: () => ({ lastLoss: loss }),
    dispose: () => { trainer.dispose(); jax.tree.dispose(batches.map((b) => [b.x, b.y])); },
  };
}

/** `count` PRNG keys from `seed`, as separate arrays. */
export function jaxKeys(jax, seed, count) {
  const ks = jax.random.split(jax.random.key(seed), count);
  const out = Array.from({ length: count }, (_, i) => ks.ref.slice(i));
  ks.dispose();
  return out;
}

/** Images NHWC (simdnet's layout) → NCHW (jax-js's lax.conv), a new array; done once, outside the timing. */
export function nhwcToNchw(x, n, h, w, c) {
  const out = new Float32Array(n * h * w * c);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < h * w; i++) {
      for (let ch = 0; ch < c; ch++) out[((s * c + ch) * h * w) + i] = x[(s * h * w + i) * c + ch];
    }
  }
  return out;
}
