// Bitwise comparison of two runs of tests/browser/workloads.mjs (Node vs Chromium, Bun,
// Deno), shared by the browser and runtime parity tests.
import { expect } from 'vitest';
import type { ResumeResult, WordTensor, WorkloadResult } from './workloads.mjs';

const hex = (w: number) => `0x${(w >>> 0).toString(16).padStart(8, '0')}`;

/** Where two word arrays differ (empty string when bit-identical). */
function diffWords(label: string, other: string, a: number[], b: number[] | undefined, perValue = 1): string {
  if (!Array.isArray(b)) return `${label}: missing in ${other}`;
  if (a.length !== b.length) return `${label}: ${a.length} words in node vs ${b.length} in ${other}`;
  let count = 0, first = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) { count++; if (first < 0) first = i; }
  }
  if (count === 0) return '';
  return `${label}: ${count}/${a.length} uint32 words differ; first at word ${first} (value ${Math.floor(first / perValue)}): node ${hex(a[first])} vs ${other} ${hex(b[first])}`;
}

function diff(label: string, other: string, a: WordTensor, b: WordTensor | undefined): string {
  if (!b) return `${label}: missing in ${other}`;
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) {
    return `${label}: node ${a.dtype}[${a.shape}] vs ${other} ${b.dtype}[${b.shape}]`;
  }
  return diffWords(label, other, a.words, b.words, a.dtype === 'float64' ? 2 : 1);
}

/** Every difference between Node's result `n` and the other runtime's `c` (empty when identical). */
export function differences(n: WorkloadResult, c: WorkloadResult, other: string): string[] {
  const problems: string[] = [];
  if (n.weights.length !== c.weights.length) problems.push(`weight count ${n.weights.length} in node vs ${c.weights.length} in ${other}`);
  n.initialWeights.forEach((w, i) => problems.push(diff(`initial weight ${i}`, other, w, c.initialWeights[i])));
  n.weights.forEach((w, i) => problems.push(diff(`trained weight ${i}`, other, w, c.weights[i])));
  problems.push(diff('predictions', other, n.predictions, c.predictions));
  problems.push(diffWords('history loss (f64)', other, n.lossWords, c.lossWords, 2));
  problems.push(diffWords('history accuracy (f64)', other, n.accuracyWords, c.accuracyWords, 2));
  return problems.filter(Boolean);
}

/** Where two `.simdnet` files (base64) differ, byte for byte (empty string when identical). */
export function fileDifference(label: string, other: string, a: string, b: string | undefined): string {
  if (typeof b !== 'string') return `${label}: missing in ${other}`;
  const x = Buffer.from(a, 'base64'), y = Buffer.from(b, 'base64');
  if (x.equals(y)) return '';
  let first = 0;
  while (first < Math.min(x.length, y.length) && x[first] === y[first]) first++;
  let count = Math.abs(x.length - y.length);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) count++;
  const at = (v: Buffer) => (first < v.length ? `0x${v[first].toString(16).padStart(2, '0')}` : 'end of file');
  return `${label}: ${x.length} bytes in node vs ${y.length} in ${other}, ${count} differ; first at byte ${first}: node ${at(x)} vs ${other} ${at(y)}`;
}

/**
 * Every difference between two continuations of the same model file: the workload fields,
 * the predictions right after loading, and the bytes of the file each continued model saves.
 */
export function resumeDifferences(n: ResumeResult, c: ResumeResult, other: string): string[] {
  return [
    ...differences(n, c, other),
    diff('predictions after load', other, n.loadedPredictions, c.loadedPredictions),
    fileDifference('saved file', other, n.file, c.file),
  ].filter(Boolean);
}

const sameWords = (a: WordTensor, b: WordTensor) => a.words.length === b.words.length && a.words.every((w, i) => w === b.words[i]);

/** The compared run is not vacuous: training moved every weight, the loss fell, predictions vary. */
export function expectNonTrivial(r: WorkloadResult): void {
  expect(r.weights.length).toBeGreaterThan(0);
  r.weights.forEach((w, i) => expect(sameWords(w, r.initialWeights[i]), `${r.name}: weight ${i} unchanged by training`).toBe(false));
  expect(r.loss.length).toBe(3);
  expect(r.loss.every(Number.isFinite)).toBe(true);
  expect(r.loss[2]).toBeLessThan(r.loss[0]);
  const width = r.predictions.dtype === 'float64' ? 2 : 1;
  const distinct = new Set<string>();
  for (let i = 0; i < r.predictions.words.length; i += width) distinct.add(r.predictions.words.slice(i, i + width).join());
  expect(distinct.size, `${r.name}: predictions are nearly constant`).toBeGreaterThan(100);
  expect(r.predictions.shape).toEqual([256, 4]);
}
