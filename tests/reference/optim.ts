// torch.optim update rules in plain f64, transcribed from torch's `_single_tensor_*`
// functions (torch/optim/{sgd,rmsprop,adagrad,adam}.py), one element at a time.
// Each class holds its state under torch's names and updates `p` in place.
// https://pytorch.org/docs/stable/optim.html

export interface SgdOpts { lr: number; momentum: number; dampening: number; nesterov: boolean; weightDecay: number }

export class SgdRef {
  /** momentum_buffer: null until the first step (torch then clones the gradient). */
  buf: Float64Array | null = null;
  constructor(readonly o: SgdOpts) {}

  step(p: Float64Array, grad: ArrayLike<number>): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = this.o;
    const first = this.buf === null;
    if (first) this.buf = new Float64Array(p.length);
    const buf = this.buf!;
    for (let i = 0; i < p.length; i++) {
      let g = grad[i] + weightDecay * p[i];
      if (momentum !== 0) {
        buf[i] = first ? g : buf[i] * momentum + (1 - dampening) * g;
        g = nesterov ? g + momentum * buf[i] : buf[i];
      }
      p[i] -= lr * g;
    }
  }
}

export interface RmspropOpts { lr: number; alpha: number; eps: number; momentum: number; centered: boolean; weightDecay: number }

export class RmspropRef {
  squareAvg: Float64Array;
  gradAvg: Float64Array;
  momentumBuffer: Float64Array;
  constructor(readonly o: RmspropOpts, n: number) {
    this.squareAvg = new Float64Array(n);
    this.gradAvg = new Float64Array(n);
    this.momentumBuffer = new Float64Array(n);
  }

  step(p: Float64Array, grad: ArrayLike<number>): void {
    const { lr, alpha, eps, momentum, centered, weightDecay } = this.o;
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + weightDecay * p[i];
      this.squareAvg[i] = this.squareAvg[i] * alpha + (1 - alpha) * g * g;
      let avg: number;
      if (centered) {
        this.gradAvg[i] += (1 - alpha) * (g - this.gradAvg[i]); // lerp_(grad, 1 − alpha)
        avg = Math.sqrt(this.squareAvg[i] - this.gradAvg[i] * this.gradAvg[i]);
      } else {
        avg = Math.sqrt(this.squareAvg[i]);
      }
      avg += eps;
      if (momentum > 0) {
        this.momentumBuffer[i] = this.momentumBuffer[i] * momentum + g / avg;
        p[i] -= lr * this.momentumBuffer[i];
      } else {
        p[i] -= (lr * g) / avg;
      }
    }
  }
}

export interface AdagradOpts { lr: number; lrDecay: number; eps: number; weightDecay: number }

export class AdagradRef {
  step_ = 0;
  stateSum: Float64Array;
  constructor(readonly o: AdagradOpts, n: number) {
    this.stateSum = new Float64Array(n);
  }

  step(p: Float64Array, grad: ArrayLike<number>): void {
    const { lr, lrDecay, eps, weightDecay } = this.o;
    this.step_ += 1;
    const clr = lr / (1 + (this.step_ - 1) * lrDecay);
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + weightDecay * p[i];
      this.stateSum[i] += g * g;
      p[i] -= (clr * g) / (Math.sqrt(this.stateSum[i]) + eps);
    }
  }
}

export interface AdamOpts { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean }

/** Adam, or AdamW when `decoupled` (torch.optim.AdamW: p ← p·(1 − lr·wd) before the step). */
export class AdamRef {
  step_ = 0;
  expAvg: Float64Array;
  expAvgSq: Float64Array;
  constructor(readonly o: AdamOpts, n: number) {
    this.expAvg = new Float64Array(n);
    this.expAvgSq = new Float64Array(n);
  }

  step(p: Float64Array, grad: ArrayLike<number>): void {
    const { lr, beta1, beta2, eps, weightDecay, decoupled } = this.o;
    this.step_ += 1;
    const biasCorrection1 = 1 - beta1 ** this.step_;
    const biasCorrection2 = 1 - beta2 ** this.step_;
    const stepSize = lr / biasCorrection1;
    const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
    for (let i = 0; i < p.length; i++) {
      let g = grad[i];
      if (decoupled) p[i] *= 1 - lr * weightDecay;
      else g += weightDecay * p[i];
      this.expAvg[i] += (1 - beta1) * (g - this.expAvg[i]); // lerp_(grad, 1 − beta1)
      this.expAvgSq[i] = this.expAvgSq[i] * beta2 + (1 - beta2) * g * g;
      const denom = Math.sqrt(this.expAvgSq[i]) / biasCorrection2Sqrt + eps;
      p[i] -= (stepSize * this.expAvg[i]) / denom;
    }
  }
}
