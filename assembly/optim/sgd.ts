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

export function sgdStep<T>(
  pOut: usize, bufOut: usize, p: usize, grad: usize, buf: usize, n: usize,
  lr: f64, momentum: f64, dampening: f64, nesterov: bool, weightDecay: f64, first: bool,
): i32 {
  const es = sizeof<T>();
  const lrT = <T>lr, mom = <T>momentum, damp = <T>(1.0 - dampening), wd = <T>weightDecay;
  let bad: i32 = 0;
  for (let i: usize = 0; i < n; i++) {
    const o = i * es;
    const w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (weightDecay != 0) g += wd * w;
    if (momentum != 0) {
      const b = first ? g : mom * load<T>(buf + o) + damp * g;
      store<T>(bufOut + o, b);
      g = nesterov ? g + mom * b : b;
    }
    const v = w - lrT * g;
    if (v - v != <T>0) bad++;
    store<T>(pOut + o, v);
  }
  return bad;
}
