// Keras-style History: per-epoch arrays under `history`, one per logged name (loss,
// accuracy, valLoss, valAccuracy, learningRate, and any other metric: binaryAccuracy,
// topKCategoricalAccuracy, mae, mse and their val* forms), with shortcuts history.loss etc.
// With fit({monitor: true}), `monitors[e]` holds epoch e's update ratios, gradient norms and
// dead ReLU shares (see monitor.ts).

import type { EpochMonitors } from './monitor.js';

export interface Logs {
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  learningRate?: number;
  [name: string]: number | undefined;
}

type Series = { loss: number[]; accuracy: number[]; valLoss: number[]; valAccuracy: number[] } & Record<string, number[]>;

export class History {
  readonly epoch: number[] = [];
  readonly history: Series = { loss: [], accuracy: [], valLoss: [], valAccuracy: [] };
  /** Per epoch, with fit({monitor: true}) (or a callback that asks for monitors). */
  readonly monitors: EpochMonitors[] = [];

  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [name, v] of Object.entries(logs)) {
      if (v === undefined) continue;
      (this.history[name] ??= []).push(v);
    }
  }

  get loss(): number[] { return this.history.loss; }
  get accuracy(): number[] { return this.history.accuracy; }
  get valLoss(): number[] { return this.history.valLoss; }
  get valAccuracy(): number[] { return this.history.valAccuracy; }
}
