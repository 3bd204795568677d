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

/** A continuation of a saved model: the workload fields plus what is specific to resuming. */
export interface ResumeResult extends WorkloadResult {
  /** The model's predictions before the continued training (right after load). */
  loadedPredictions: WordTensor;
  /** io.toBytes(model.save()) of the continued model, base64. */
  file: string;
}

/** A live Sequential model (typed loosely: this file does not import simdnet's types). */
export interface ResumableModel { readonly name: string; save(): unknown; dispose(): void }

/** Every workload runAll runs, in order. */
export const WORKLOADS: readonly ((lib: unknown) => Promise<WorkloadResult>)[];
export function runAll(lib: unknown): Promise<WorkloadResult[]>;
export function startResumable(lib: unknown): Promise<ResumableModel[]>;
export function resumableFiles(lib: unknown): Promise<string[]>;
export function continueTraining(lib: unknown, model: ResumableModel): Promise<ResumeResult>;
export function resumeFromFile(lib: unknown, bytes: Uint8Array): Promise<ResumeResult>;
export function flipLowestBit(lib: unknown, bytes: Uint8Array): Promise<Uint8Array>;
