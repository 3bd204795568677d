// Learning-rate schedules, usable with any optimizer (`learningRate: schedules.cosineDecay(...)`).
// `step` counts optimizer updates from 0, as tf.keras LearningRateSchedule does.
// pow and cos run in wasm so every runtime gets the same learning rates to the bit.
//
//   stepDecay({initialLearningRate, stepSize, gamma = 0.1})      lr·γ^⌊step/stepSize⌋ (torch StepLR)
//   exponentialDecay({initialLearningRate, decaySteps, decayRate, staircase = false})
//                                                                 lr·rate^(step/decaySteps)
//   cosineDecay({initialLearningRate, decaySteps, alpha = 0, warmupSteps = 0})
//       linear warm-up to lr over warmupSteps, then lr·((1 − α)·½(1 + cos(π·t/decaySteps)) + α),
//       t = min(step − warmupSteps, decaySteps) (SGDR without restarts; Loshchilov & Hutter)

import { runtime } from '../bindings/index.js';

export interface LearningRateSchedule {
  readonly name: string;
  readonly config: Record<string, number | boolean>;
  at(step: number): number;
}

function rate(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`Invalid ${what}: ${String(v)}`);
  return v;
}

function steps(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`Invalid ${what}: ${String(v)} (must be a positive integer)`);
  return v;
}

export function stepDecay(o: { initialLearningRate: number; stepSize: number; gamma?: number }): LearningRateSchedule {
  const lr = rate(o?.initialLearningRate, 'initialLearningRate');
  const stepSize = steps(o.stepSize, 'stepSize');
  const gamma = rate(o.gamma ?? 0.1, 'gamma');
  return {
    name: 'stepDecay', config: { initialLearningRate: lr, stepSize, gamma },
    at: (step) => lr * runtime().exports.math_pow(gamma, Math.floor(step / stepSize)),
  };
}

export function exponentialDecay(o: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }): LearningRateSchedule {
  const lr = rate(o?.initialLearningRate, 'initialLearningRate');
  const decaySteps = steps(o.decaySteps, 'decaySteps');
  const decayRate = rate(o.decayRate, 'decayRate');
  const staircase = o.staircase ?? false;
  return {
    name: 'exponentialDecay', config: { initialLearningRate: lr, decaySteps, decayRate, staircase },
    at: (step) => {
      const p = staircase ? Math.floor(step / decaySteps) : step / decaySteps;
      return lr * runtime().exports.math_pow(decayRate, p);
    },
  };
}

export function cosineDecay(o: { initialLearningRate: number; decaySteps: number; alpha?: number; warmupSteps?: number }): LearningRateSchedule {
  const lr = rate(o?.initialLearningRate, 'initialLearningRate');
  const decaySteps = steps(o.decaySteps, 'decaySteps');
  const alpha = rate(o.alpha ?? 0, 'alpha');
  const warmupSteps = o.warmupSteps ?? 0;
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new Error(`Invalid warmupSteps: ${warmupSteps}`);
  return {
    name: 'cosineDecay', config: { initialLearningRate: lr, decaySteps, alpha, warmupSteps },
    at: (step) => {
      if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
      const t = Math.min(step - warmupSteps, decaySteps);
      const cos = 0.5 * (1 + runtime().exports.math_cos((Math.PI * t) / decaySteps));
      return lr * ((1 - alpha) * cos + alpha);
    },
  };
}

export const schedules = { stepDecay, exponentialDecay, cosineDecay };

export type LearningRate = number | LearningRateSchedule;

export function checkLearningRate(lr: unknown, dflt: number): LearningRate {
  const v = lr ?? dflt;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new Error(`Invalid learning rate: ${v}`);
    return v;
  }
  if (v && typeof v === 'object' && typeof (v as LearningRateSchedule).at === 'function') return v as LearningRateSchedule;
  throw new Error(`Invalid learning rate: ${JSON.stringify(v)} (a number ≥ 0 or a schedule)`);
}
