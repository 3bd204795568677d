// Fit monitors (fit({monitor: true})): what CS231n's "babysitting the learning process"
// watches, per epoch, averaged over the epoch's steps and computed in wasm:
//   updateRatio[param]  ‖Δw‖ / ‖w‖ of each update (the "~1e-3" rule of thumb); steps where
//                       ‖w‖ = 0 (zero-initialised biases at first) are left out, NaN if all are
//   gradNorm[param]     ‖∇w‖
//   deadShare[layer]    share of exactly-zero outputs of each ReLU layer in training batches
// The accumulators are allocated once per fit; a step adds three reductions per parameter
// and one count per ReLU layer, and allocates nothing.

import type { Session } from './session.js';

export interface EpochMonitors {
  updateRatio: Record<string, number>;
  gradNorm: Record<string, number>;
  deadShare: Record<string, number>;
}

export class Monitor {
  private names: string[] = [];
  private ratio = new Float64Array(0);
  private ratioSteps = new Float64Array(0);
  private grad = new Float64Array(0);
  private dead = new Float64Array(0);
  private steps = 0;
  private samples = 0;

  constructor(private readonly s: Session) {}

  /** After a successful step on n samples: adds this step's ratios, norms and dead counts. */
  afterStep(n: number): void {
    const s = this.s;
    const params = s.trainableParams();
    if (params.length !== this.names.length || params.some((p, i) => p.name !== this.names[i])) this.track(params.map((p) => p.name));
    const opt = s.optimizer!;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const prev = opt.previousValue(i);
      const w2 = s.k.sumSquares(prev, prev.size);
      const d2 = s.k.sumSquaredDiff(p.value, prev, p.value.size);
      if (w2 > 0) { this.ratio[i] += Math.sqrt(d2 / w2); this.ratioSteps[i]++; }
      this.grad[i] += Math.sqrt(s.paramGradSq[i]);
    }
    s.layers.forEach((l, j) => {
      if (l.activationName !== 'relu' || !l.output) return;
      this.dead[j] += s.k.countZeros(l.output, n * l.outputShape.reduce((a, b) => a * b, 1));
    });
    this.steps++;
    this.samples += n;
  }

  private track(names: string[]): void {
    this.names = names;
    this.ratio = new Float64Array(names.length);
    this.ratioSteps = new Float64Array(names.length);
    this.grad = new Float64Array(names.length);
    this.dead = new Float64Array(this.s.layers.length);
    this.steps = 0;
    this.samples = 0;
  }

  /** The epoch's averages; restarts the sums. */
  epochEnd(): EpochMonitors {
    const out: EpochMonitors = { updateRatio: {}, gradNorm: {}, deadShare: {} };
    const steps = Math.max(this.steps, 1);
    this.names.forEach((name, i) => {
      out.updateRatio[name] = this.ratioSteps[i] ? this.ratio[i] / this.ratioSteps[i] : Number.NaN;
      out.gradNorm[name] = this.grad[i] / steps;
    });
    this.s.layers.forEach((l, j) => {
      if (l.activationName !== 'relu') return;
      const per = l.outputShape.reduce((a, b) => a * b, 1);
      out.deadShare[l.name] = this.samples ? this.dead[j] / (this.samples * per) : 0;
    });
    this.ratio.fill(0); this.ratioSteps.fill(0); this.grad.fill(0); this.dead.fill(0);
    this.steps = 0; this.samples = 0;
    return out;
  }
}
