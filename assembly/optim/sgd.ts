// SGD with momentum / Nesterov, torch.optim.SGD:
//   g ← grad + weightDecay·p
//   if momentum ≠ 0:  buf ← first ? g : momentum·buf + (1 − dampening)·g
//                     g ← nesterov ? g + momentum·buf : buf
//   p ← p − lr·g
// https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
//
// Every optimizer kernel reads (p, state) and writes (pOut, stateOut), which may be the
// same buffers (in place) or others (the model double-buffers, so that an update that
// overflows is never applied). Returns the number of non-finite values written to pOut.
// State is flushed to zero below the smallest normal (ftz in common.ts). SIMD body with a
// scalar tail doing the same operations in the same order (same bits).
// Layout: flat arrays of n elements of T; T-aligned pointers (v128 loads need no 16-byte
// alignment). Arguments: outputs, then inputs, n, then the hyperparameters.

import { lanes, ftz, ftzV, anyNonZero, countNonFinite } from "../common";

export function sgdStep<T>(
  pOut: usize, bufOut: usize, p: usize, grad: usize, buf: usize, n: usize,
  lr: f64, momentum: f64, dampening: f64, nesterov: bool, weightDecay: f64, first: bool,
): i32 {
  const es = sizeof<T>();
  const L = lanes<T>();
  const lrT = <T>lr, mom = <T>momentum, damp = <T>(1.0 - dampening), wd = <T>weightDecay;
  const hasMom = momentum != 0, hasWd = weightDecay != 0;
  const vLr = v128.splat<T>(lrT), vMom = v128.splat<T>(mom), vDamp = v128.splat<T>(damp), vWd = v128.splat<T>(wd);
  let chk = v128.splat<T>(0);
  let i: usize = 0;
  for (; i + L <= n; i += L) {
    const o = i * es;
    const w = v128.load(p + o);
    let g = v128.load(grad + o);
    if (hasWd) g = v128.add<T>(g, v128.mul<T>(vWd, w));
    if (hasMom) {
      const b = first ? g : ftzV<T>(v128.add<T>(v128.mul<T>(vMom, v128.load(buf + o)), v128.mul<T>(vDamp, g)));
      v128.store(bufOut + o, b);
      g = nesterov ? v128.add<T>(g, v128.mul<T>(vMom, b)) : b;
    }
    const nw = v128.sub<T>(w, v128.mul<T>(vLr, g));
    chk = v128.add<T>(chk, v128.sub<T>(nw, nw));
    v128.store(pOut + o, nw);
  }
  let bad: i32 = anyNonZero<T>(chk) ? countNonFinite<T>(pOut, i) : 0;
  for (; i < n; i++) {
    const o = i * es;
    const w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (hasWd) g += wd * w;
    if (hasMom) {
      const b = first ? g : ftz<T>(mom * load<T>(buf + o) + damp * g);
      store<T>(bufOut + o, b);
      g = nesterov ? g + mom * b : b;
    }
    const nw = w - lrT * g;
    if (nw - nw != <T>0) bad++;
    store<T>(pOut + o, nw);
  }
  return bad;
}
