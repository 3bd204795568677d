// SGD with momentum / Nesterov, in place over n parameters (torch.optim.SGD):
//   g ← grad + weightDecay·p
//   if momentum ≠ 0:  buf ← first ? g : momentum·buf + (1 − dampening)·g
//                     g ← nesterov ? g + momentum·buf : buf
//   p ← p − lr·g
// https://pytorch.org/docs/stable/generated/torch.optim.SGD.html

export function sgdStep<T>(
  p: usize, grad: usize, buf: usize, n: usize,
  lr: f64, momentum: f64, dampening: f64, nesterov: bool, weightDecay: f64, first: bool,
): void {
  const es = sizeof<T>();
  const lrT = <T>lr, mom = <T>momentum, damp = <T>(1.0 - dampening), wd = <T>weightDecay;
  for (let i: usize = 0; i < n; i++) {
    const o = i * es;
    const w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (weightDecay != 0) g += wd * w;
    if (momentum != 0) {
      const b = first ? g : mom * load<T>(buf + o) + damp * g;
      store<T>(buf + o, b);
      g = nesterov ? g + mom * b : b;
    }
    store<T>(p + o, w - lrT * g);
  }
}
