// Types of workloads.mjs (kept as plain JS so the browser can load it unchanged).

export interface WordTensor { shape: number[]; dtype: string; words: number[] }

export interface WorkloadResult {
  name: string;
  dtype: string;
  initialWeights: WordTensor[];
  weights: WordTensor[];
  predictions: WordTensor;
  loss: number[];
  lossWords: number[];
  accuracyWords: number[];
}

export function runAll(lib: unknown): Promise<WorkloadResult[]>;
