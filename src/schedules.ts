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
//
// A schedule is a pure function of the step, so its whole state is the optimizer's
// iteration count (saved with the model). Serialized as {className, config}.

import { runtime } from '../bindings/index.js';
import { checkKeys, describe } from './options.js';
import { Registry, type Serialized } from './serialization.js';

export interface LearningRateSchedule {
  readonly className: ScheduleName;
  getConfig(): Record<string, number | boolean>;
  at(step: number): number;
}

export type ScheduleName = 'stepDecay' | 'exponentialDecay' | 'cosineDecay';

function schedule(className: ScheduleName, config: Record<string, number | boolean>, at: (step: number) => number): LearningRateSchedule {
  const frozen = Object.freeze({ ...config });
  return Object.freeze({ className, getConfig: () => ({ ...frozen }), at });
}

function rate(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`Invalid ${what}: ${describe(v)} (a finite number ≥ 0)`);
  return v;
}

function steps(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`Invalid ${what}: ${describe(v)} (must be a positive integer)`);
  return v;
}

export function stepDecay(o: { initialLearningRate: number; stepSize: number; gamma?: number }): LearningRateSchedule {
  checkKeys(o, ['initialLearningRate', 'stepSize', 'gamma'], 'schedules.stepDecay');
  const lr = rate(o?.initialLearningRate, 'initialLearningRate');
  const stepSize = steps(o.stepSize, 'stepSize');
  const gamma = rate(o.gamma ?? 0.1, 'gamma');
  return schedule('stepDecay', { initialLearningRate: lr, stepSize, gamma },
    (step) => lr * runtime().exports.math_pow(gamma, Math.floor(step / stepSize)));
}

export function exponentialDecay(o: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }): LearningRateSchedule {
  checkKeys(o, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase'], 'schedules.exponentialDecay');
  const lr = rate(o?.initialLearningRate, 'initialLearningRate');
  const decaySteps = steps(o.decaySteps, 'decaySteps');
  const decayRate = rate(o.decayRate, 'decayRate');
  const staircase = o.staircase ?? false;
  if (typeof staircase !== 'boolean') throw new Error(`Invalid staircase: ${describe(staircase)} (true or false)`);
  return schedule('exponentialDecay', { initialLearningRate: lr, decaySteps, decayRate, staircase }, (step) => {
    const p = staircase ? Math.floor(step / decaySteps) : step / decaySteps;
    return lr * runtime().exports.math_pow(decayRate, p);
  });
}

export function cosineDecay(o: { initialLearningRate: number; decaySteps: number; alpha?: number; warmupSteps?: number }): LearningRateSchedule {
  checkKeys(o, ['initialLearningRate', 'decaySteps', 'alpha', 'warmupSteps'], 'schedules.cosineDecay');
  const lr = rate(o?.initialLearningRate, 'initialLearningRate');
  const decaySteps = steps(o.decaySteps, 'decaySteps');
  const alpha = rate(o.alpha ?? 0, 'alpha');
  const warmupSteps = o.warmupSteps ?? 0;
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new Error(`Invalid warmupSteps: ${describe(warmupSteps)} (a non-negative integer)`);
  return schedule('cosineDecay', { initialLearningRate: lr, decaySteps, alpha, warmupSteps }, (step) => {
    if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
    const t = Math.min(step - warmupSteps, decaySteps);
    const cos = 0.5 * (1 + runtime().exports.math_cos((Math.PI * t) / decaySteps));
    return lr * ((1 - alpha) * cos + alpha);
  });
}

export const schedules = { stepDecay, exponentialDecay, cosineDecay };

export const scheduleRegistry = new Registry<LearningRateSchedule>('schedule');
scheduleRegistry.register('stepDecay', (c) => stepDecay(c as Parameters<typeof stepDecay>[0]));
scheduleRegistry.register('exponentialDecay', (c) => exponentialDecay(c as Parameters<typeof exponentialDecay>[0]));
scheduleRegistry.register('cosineDecay', (c) => cosineDecay(c as Parameters<typeof cosineDecay>[0]));

export type LearningRate = number | LearningRateSchedule;

export function checkLearningRate(lr: unknown, dflt: number): LearningRate {
  const v = lr ?? dflt;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new Error(`Invalid learning rate: ${v}`);
    return v;
  }
  // NOTE: not an array: Array.prototype.at would pass for a schedule's at
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as LearningRateSchedule).at === 'function' && typeof (v as LearningRateSchedule).getConfig === 'function') return v as LearningRateSchedule;
  if (v && typeof v === 'object' && 'className' in v) return scheduleRegistry.fromConfig(v as Serialized, 'learningRate');
  throw new Error(`Invalid learning rate: ${describe(v)} (a number ≥ 0 or a schedule)`);
}

/** A learning rate as configs hold it: a number, or a serialized schedule. */
export function serializeLearningRate(lr: LearningRate): number | Serialized {
  return typeof lr === 'number' ? lr : { className: lr.className, config: lr.getConfig() };
}
