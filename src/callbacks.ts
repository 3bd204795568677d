// Training callbacks. A callback is an object with any of the hooks below; fit awaits them.
//   progressBar                  what fit({verbose: 1}) uses: a bar per epoch on a terminal,
//                                one line per epoch elsewhere (browser consoles, pipes)
//   earlyStopping({monitor, minDelta, patience, mode, baseline, restoreBestWeights})
//   reduceLROnPlateau({monitor, factor, patience, minDelta, cooldown, minLr, mode})
//   modelCheckpoint({save, monitor, saveBestOnly, mode})   save(artifacts, epoch, logs)
//   lambda({onTrainBegin, onEpochBegin, onBatchEnd, onEpochEnd, onTrainEnd})
//   babysitter({ratioRange, lossFactor, deadShare, warn})   CS231n's "what to watch": warns
//                                once per kind when a kernel's update/weight ratio leaves [1e-4, 1e-2],
//                                the loss exceeds 3× its first value, or a ReLU layer is
//                                more than half dead (turns fit's monitors on)
//   weightAverage({decay, warmup})   Polyak/EMA averaging of the weights, for test time:
//                                swapIn()/swapOut(), averagedWeights(), averagedModel()
//                                (src/toolkit/weight-average.ts)
//   htmlReport({path, activations, refresh})   one self-contained HTML file (inline SVG) with
//                                loss/accuracy curves, update/weight ratios, activation
//                                histograms and the summary, rewritten at each epoch end
//                                (src/toolkit/html-report.ts)
// Monitors are History's names: loss, accuracy, valLoss, valAccuracy. A monitor this fit
// does not record is an Error at the start of fit, not silence.

import type { Tensor } from './tensor.js';
import type { History, Logs } from './model/history.js';
import type { ModelArtifacts } from './model/artifacts.js';
import type { Optimizer } from './optimizers/optimizer.js';
import { checkKeys, closest, describe } from './options.js';
import { weightAverage } from './toolkit/weight-average.js';
import { htmlReport } from './toolkit/html-report.js';

/** What a callback may use of the model being trained. */
export interface CallbackModel {
  stopTraining: boolean;
  readonly optimizer: Optimizer | null;
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
  save(): ModelArtifacts;
}

/** Given to onTrainBegin: the model and what this fit will record. */
export interface TrainInfo {
  model: CallbackModel;
  epochs: number;
  /** Batches per epoch (null when a dataset decides). */
  batchesPerEpoch: number | null;
  /** The names each epoch's logs (and History) will hold. */
  logNames: string[];
  /** The History being filled (monitors of an epoch are there by its onEpochEnd). */
  history: History;
  /** Whether this fit records monitors (history.monitors). */
  monitoring: boolean;
}

export interface Callback {
  /** True to make fit record monitors (update ratios, gradient norms, dead ReLUs) for this callback. */
  readonly needsMonitors?: boolean;
  onTrainBegin?(info: TrainInfo): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(batch: number, logs: { loss: number; size: number }): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  /** After the last epoch, once fit no longer holds the model (weights may be set here). */
  onTrainEnd?(logs: Logs | null): void | Promise<void>;
}

interface Stream { isTTY?: boolean; write(s: string): unknown }

function fmt(logs: Partial<Logs>): string {
  const parts: string[] = [];
  if (logs.loss !== undefined) parts.push(`loss ${logs.loss.toFixed(4)}`);
  if (logs.accuracy !== undefined) parts.push(`acc ${(logs.accuracy * 100).toFixed(2)}%`);
  if (logs.valLoss !== undefined) parts.push(`val_loss ${logs.valLoss.toFixed(4)}`);
  if (logs.valAccuracy !== undefined) parts.push(`val_acc ${(logs.valAccuracy * 100).toFixed(2)}%`);
  return parts.join(' · ');
}

/** Progress display: a live bar on a TTY (Node/Bun/Deno), one line per epoch elsewhere. */
export function progressBar({ epochs, batches, width = 30 }: { epochs: number; batches: number | null; width?: number }): Callback {
  const out = (globalThis as { process?: { stdout?: Stream } }).process?.stdout;
  const tty = !!out?.isTTY;
  let start = 0, epochStart = 0, lossSum = 0, seen = 0, lastDraw = 0, current = 0, trained = 0;
  const now = () => (globalThis.performance ?? Date).now();
  const draw = (done: number) => {
    const secs = ((now() - epochStart) / 1000).toFixed(1);
    const loss = (lossSum / Math.max(seen, 1)).toFixed(4);
    if (batches === null) { out!.write(`\rEpoch ${current + 1}/${epochs} ${done} batches ${secs}s loss ${loss}`); return; }
    const filled = Math.round((done / batches) * width);
    out!.write(`\rEpoch ${current + 1}/${epochs} [${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}] ${done}/${batches} ${secs}s loss ${loss}`);
  };
  return {
    onTrainBegin() { start = now(); trained = 0; },
    onEpochBegin(epoch) { current = epoch; epochStart = now(); lossSum = 0; seen = 0; },
    onBatchEnd(batch, logs) {
      lossSum += logs.loss * logs.size;
      seen += logs.size;
      if (tty && (now() - lastDraw > 100 || batch + 1 === batches)) { lastDraw = now(); draw(batch + 1); }
    },
    onEpochEnd(epoch, logs) {
      trained = epoch + 1;
      const secs = ((now() - epochStart) / 1000).toFixed(1);
      const line = `Epoch ${epoch + 1}/${epochs} · ${secs}s · ${fmt(logs)}`;
      if (tty) out!.write(`\r\x1b[2K${line}\n`);
      else if (out) out.write(line + '\n');
      else console.log(line);
    },
    onTrainEnd() {
      const line = `trained ${trained} epochs in ${((now() - start) / 1000).toFixed(1)}s`;
      if (out) out.write(line + '\n'); else console.log(line);
    },
  };
}

type Mode = 'auto' | 'min' | 'max';

/** Tracks the best value of a monitored log; Keras's 'auto' maximizes accuracies, minimizes the rest. */
class Monitor {
  readonly better: (a: number, b: number) => boolean;
  best: number;

  constructor(readonly what: string, readonly name: string, mode: unknown, minDelta: number) {
    if (typeof name !== 'string') throw new Error(`${what} monitor must be a log name such as 'valLoss', got ${describe(name)}`);
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`${what} mode must be 'auto', 'min' or 'max', got ${describe(mode)}`);
    const max = mode === 'max' || (mode === 'auto' && /acc/i.test(name));
    this.better = max ? (a, b) => a > b + minDelta : (a, b) => a < b - minDelta;
    this.best = max ? -Infinity : Infinity;
  }

  /** Throws unless this fit records the monitored name. */
  check(info: TrainInfo): void {
    if (info.logNames.includes(this.name)) return;
    const near = closest(this.name, info.logNames);
    throw new Error(`${this.what} monitors '${this.name}', which this fit does not record${near ? `; did you mean '${near}'?` : ''} (it records ${info.logNames.join(', ')}${/^val/.test(this.name) ? '; give validationData or validationSplit' : ''})`);
  }

  value(logs: Logs): number {
    return (logs as unknown as Record<string, number>)[this.name];
  }

  /** True (and remembered) when `v` beats the best so far. */
  improved(v: number): boolean {
    if (!this.better(v, this.best)) return false;
    this.best = v;
    return true;
  }
}

function nonNegative(v: unknown, what: string, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    throw new Error(`Invalid ${what}: ${describe(v)} (a ${integer ? 'non-negative integer' : 'finite number ≥ 0'})`);
  }
  return v;
}

export interface EarlyStoppingArgs {
  /** Default 'valLoss'. */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  mode?: Mode;
  /** Stop unless the monitored value beats this by the end of the patience window. */
  baseline?: number | null;
  /** At the end of training, put back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

/** Stops training when the monitored value has not improved for `patience` epochs (Keras EarlyStopping). */
export function earlyStopping(args: EarlyStoppingArgs = {}): Callback {
  args ??= {};
  checkKeys(args, ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights'], 'callbacks.earlyStopping');
  const minDelta = Math.abs(nonNegative(args.minDelta ?? 0, 'earlyStopping minDelta'));
  const patience = nonNegative(args.patience ?? 0, 'earlyStopping patience', true);
  const restore = args.restoreBestWeights ?? false;
  const baseline = args.baseline ?? null;
  if (baseline !== null && (typeof baseline !== 'number' || !Number.isFinite(baseline))) throw new Error(`Invalid earlyStopping baseline: ${describe(baseline)}`);
  let m!: Monitor;
  let model!: CallbackModel;
  let wait = 0;
  let best: Tensor[] | null = null;
  return {
    onTrainBegin(info) {
      m = new Monitor('earlyStopping', args.monitor ?? 'valLoss', args.mode ?? 'auto', minDelta);
      m.check(info);
      if (baseline !== null) m.best = baseline;
      model = info.model;
      wait = 0;
      best = null;
    },
    onEpochEnd(_epoch, logs) {
      const v = m.value(logs);
      if (m.improved(v)) {
        wait = 0;
        if (restore) best = model.getWeights();
        return;
      }
      // Keras: stop once `patience` epochs in a row brought no improvement
      if (++wait >= Math.max(patience, 1)) model.stopTraining = true;
    },
    onTrainEnd() {
      if (restore && best) model.setWeights(best);
    },
  };
}

export interface ReduceLROnPlateauArgs {
  monitor?: string;
  /** New rate = rate · factor, 0 < factor < 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction (default 0). */
  cooldown?: number;
  /** Lower bound of the learning rate (default 0). */
  minLr?: number;
  mode?: Mode;
}

/** Multiplies a numeric learning rate by `factor` when the monitored value stalls (Keras ReduceLROnPlateau). */
export function reduceLROnPlateau(args: ReduceLROnPlateauArgs = {}): Callback {
  args ??= {};
  checkKeys(args, ['monitor', 'factor', 'patience', 'minDelta', 'cooldown', 'minLr', 'mode'], 'callbacks.reduceLROnPlateau');
  const factor = args.factor ?? 0.1;
  if (typeof factor !== 'number' || !(factor > 0 && factor < 1)) throw new Error(`Invalid reduceLROnPlateau factor: ${describe(factor)} (must be in (0, 1))`);
  const patience = nonNegative(args.patience ?? 10, 'reduceLROnPlateau patience', true);
  const minDelta = nonNegative(args.minDelta ?? 1e-4, 'reduceLROnPlateau minDelta');
  const cooldown = nonNegative(args.cooldown ?? 0, 'reduceLROnPlateau cooldown', true);
  const minLr = nonNegative(args.minLr ?? 0, 'reduceLROnPlateau minLr');
  let m!: Monitor;
  let opt!: Optimizer;
  let wait = 0, coolLeft = 0;
  return {
    onTrainBegin(info) {
      m = new Monitor('reduceLROnPlateau', args.monitor ?? 'valLoss', args.mode ?? 'auto', minDelta);
      m.check(info);
      opt = info.model.optimizer!;
      if (typeof opt.learningRate !== 'number') throw new Error(`reduceLROnPlateau needs a numeric learning rate; this ${opt.className} follows a ${opt.learningRate.className} schedule`);
      wait = 0; coolLeft = 0;
    },
    onEpochEnd(_epoch, logs) {
      if (coolLeft > 0) coolLeft--;
      if (m.improved(m.value(logs))) { wait = 0; return; }
      if (coolLeft > 0) return;
      if (++wait >= patience) {
        const lr = opt.learningRate as number;
        if (lr > minLr) opt.setLearningRate(Math.max(lr * factor, minLr));
        wait = 0;
        coolLeft = cooldown;
      }
    },
  };
}

export interface ModelCheckpointArgs {
  /** Receives model.save() output; e.g. `(a) => io.saveFile` or an IndexedDB write. */
  save: (artifacts: ModelArtifacts, epoch: number, logs: Logs) => void | Promise<void>;
  /** Default 'valLoss'. */
  monitor?: string;
  /** Save only when the monitored value improves (default false: every epoch). */
  saveBestOnly?: boolean;
  mode?: Mode;
}

/** Hands the model's artifacts to `save` at the end of each epoch (or of each improving epoch). */
export function modelCheckpoint(args: ModelCheckpointArgs): Callback {
  if (!args || typeof args.save !== 'function') throw new Error('callbacks.modelCheckpoint needs {save: (artifacts, epoch, logs) => ...}');
  checkKeys(args, ['save', 'monitor', 'saveBestOnly', 'mode'], 'callbacks.modelCheckpoint');
  const bestOnly = args.saveBestOnly ?? false;
  let m: Monitor | null = null;
  let model!: CallbackModel;
  return {
    onTrainBegin(info) {
      model = info.model;
      m = null;
      if (bestOnly || args.monitor !== undefined) {
        m = new Monitor('modelCheckpoint', args.monitor ?? 'valLoss', args.mode ?? 'auto', 0);
        m.check(info);
      }
    },
    async onEpochEnd(epoch, logs) {
      const improved = m ? m.improved(m.value(logs)) : true;
      if (bestOnly && !improved) return;
      await args.save(model.save(), epoch, logs);
    },
  };
}

const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;

/** A callback from plain functions (Keras LambdaCallback). */
export function lambda(hooks: Callback): Callback {
  checkKeys(hooks, HOOKS, 'callbacks.lambda');
  for (const h of HOOKS) {
    if (hooks[h] !== undefined && typeof hooks[h] !== 'function') throw new Error(`callbacks.lambda ${h} must be a function, got ${describe(hooks[h])}`);
  }
  return { ...hooks };
}

export interface BabysitterArgs {
  /** Healthy update/weight ratios (default [1e-4, 1e-2], around the lecture's ~1e-3). */
  ratioRange?: [number, number];
  /** Warn when a batch loss exceeds this multiple of the first batch's (default 3). */
  lossFactor?: number;
  /** Warn when a ReLU layer's share of exact zeros exceeds this (default 0.5). */
  deadShare?: number;
  /** Where warnings go (default console.warn). */
  warn?: (message: string) => void;
}

/** A callback that watches monitors and the loss and warns once per kind of trouble; `warnings` lists what it said. */
export function babysitter(args: BabysitterArgs = {}): Callback & { readonly warnings: string[] } {
  args ??= {};
  checkKeys(args, ['ratioRange', 'lossFactor', 'deadShare', 'warn'], 'callbacks.babysitter');
  const [lo, hi] = args.ratioRange ?? [1e-4, 1e-2];
  if (!(typeof lo === 'number' && typeof hi === 'number' && lo > 0 && lo < hi)) throw new Error(`Invalid babysitter ratioRange: ${describe(args.ratioRange)} (0 < low < high)`);
  const factor = nonNegative(args.lossFactor ?? 3, 'babysitter lossFactor');
  const deadLimit = nonNegative(args.deadShare ?? 0.5, 'babysitter deadShare');
  const warn = args.warn ?? ((m: string) => console.warn(m));
  if (typeof warn !== 'function') throw new Error(`babysitter warn must be a function, got ${describe(warn)}`);
  const warnings: string[] = [];
  const said = new Set<string>();
  const once = (kind: string, message: string) => {
    if (said.has(kind)) return;
    said.add(kind);
    warnings.push(message);
    warn(message);
  };
  let first: number | null = null;
  let info!: TrainInfo;
  return {
    needsMonitors: true,
    warnings,
    onTrainBegin(i) { info = i; first = null; },
    onBatchEnd(_b, logs) {
      if (first === null) { first = logs.loss; return; }
      if (logs.loss > factor * first) once('loss', `babysitter: the batch loss ${logs.loss.toPrecision(4)} is more than ${factor}× the first batch's ${first.toPrecision(4)}: the learning rate is probably too high`);
    },
    onEpochEnd(epoch) {
      const m = info.history.monitors[info.history.monitors.length - 1];
      if (!m) return;
      // NOTE: the lecture's rule is about weights; biases start at 0 and move relatively far
      for (const [name, r] of Object.entries(m.updateRatio)) {
        if (!name.endsWith('/kernel')) continue;
        if (r < lo) once('ratio-low', `babysitter: the update/weight ratio of ${name} is ${r.toExponential(2)} in epoch ${epoch + 1}, below ${lo}: the learning rate is probably too low`);
        if (r > hi) once('ratio-high', `babysitter: the update/weight ratio of ${name} is ${r.toExponential(2)} in epoch ${epoch + 1}, above ${hi}: the learning rate is probably too high`);
      }
      for (const [name, d] of Object.entries(m.deadShare)) {
        if (d > deadLimit) once('dead', `babysitter: ${(d * 100).toFixed(1)}% of the outputs of ReLU layer '${name}' are exactly zero in epoch ${epoch + 1}: dead units (too high a learning rate, or a bad initialization)`);
      }
    },
  };
}

export const callbacks = { progressBar, earlyStopping, reduceLROnPlateau, modelCheckpoint, lambda, babysitter, weightAverage, htmlReport };
