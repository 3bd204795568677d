// Training callbacks. A callback is an object with any of these hooks; fit awaits them.
// `progressBar` is what fit({verbose: 1}) uses: a bar per epoch on a terminal, one line per
// epoch elsewhere (browser consoles, pipes).

import type { Logs } from './model/history.js';

export interface Callback {
  onTrainBegin?(): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(batch: number, logs: { loss: number; size: number }): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onTrainEnd?(): void | Promise<void>;
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
export function progressBar({ epochs, batches, width = 30 }: { epochs: number; batches: number; width?: number }): Callback {
  const out = (globalThis as { process?: { stdout?: Stream } }).process?.stdout;
  const tty = !!out?.isTTY;
  let start = 0, epochStart = 0, lossSum = 0, seen = 0, lastDraw = 0, current = 0;
  const now = () => (globalThis.performance ?? Date).now();
  const draw = (done: number) => {
    const filled = Math.round((done / batches) * width);
    const secs = ((now() - epochStart) / 1000).toFixed(1);
    out!.write(`\rEpoch ${current + 1}/${epochs} [${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}] ${done}/${batches} ${secs}s loss ${(lossSum / Math.max(seen, 1)).toFixed(4)}`);
  };
  return {
    onTrainBegin() { start = now(); },
    onEpochBegin(epoch) { current = epoch; epochStart = now(); lossSum = 0; seen = 0; },
    onBatchEnd(batch, logs) {
      lossSum += logs.loss * logs.size;
      seen += logs.size;
      if (tty && (now() - lastDraw > 100 || batch + 1 === batches)) { lastDraw = now(); draw(batch + 1); }
    },
    onEpochEnd(epoch, logs) {
      const secs = ((now() - epochStart) / 1000).toFixed(1);
      const line = `Epoch ${epoch + 1}/${epochs} · ${secs}s · ${fmt(logs)}`;
      if (tty) out!.write(`\r\x1b[2K${line}\n`);
      else if (out) out.write(line + '\n');
      else console.log(line);
    },
    onTrainEnd() {
      const line = `trained ${epochs} epochs in ${((now() - start) / 1000).toFixed(1)}s`;
      if (out) out.write(line + '\n'); else console.log(line);
    },
  };
}

export const callbacks = { progressBar };
