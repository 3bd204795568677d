// Keras-style History: per-epoch arrays under `history` (loss, accuracy, valLoss,
// valAccuracy), with shortcuts history.loss etc.

export interface Logs { loss: number; accuracy?: number; valLoss?: number; valAccuracy?: number; learningRate?: number }

export class History {
  readonly epoch: number[] = [];
  readonly history: { loss: number[]; accuracy: number[]; valLoss: number[]; valAccuracy: number[] } = { loss: [], accuracy: [], valLoss: [], valAccuracy: [] };

  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    this.history.loss.push(logs.loss);
    if (logs.accuracy !== undefined) this.history.accuracy.push(logs.accuracy);
    if (logs.valLoss !== undefined) this.history.valLoss.push(logs.valLoss);
    if (logs.valAccuracy !== undefined) this.history.valAccuracy.push(logs.valAccuracy);
  }

  get loss(): number[] { return this.history.loss; }
  get accuracy(): number[] { return this.history.accuracy; }
  get valLoss(): number[] { return this.history.valLoss; }
  get valAccuracy(): number[] { return this.history.valAccuracy; }
}
