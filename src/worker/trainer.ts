// Training off the main thread: createTrainer(artifacts) starts a worker (a module Worker in
// browsers, Deno and Bun; worker_threads in Node) running dist/simdnet.worker.mjs, loads the
// model there, and returns a Trainer whose fit/predict/save talk to it by the messages of
// src/worker/protocol.ts. The main thread never holds the worker's model: it sees complete
// save() artifacts only, so a worker that dies (terminate(), a crash) cannot leave a
// half-updated model behind; it rejects every pending call instead.

import { Tensor } from '../tensor.js';
import type { FitOptions } from '../model/fit.js';
import type { ModelArtifacts } from '../model/artifacts.js';
import type { Logs } from '../model/history.js';
import type { EpochMonitors } from '../model/monitor.js';
import type { Features, Targets } from '../model/data.js';
import { encode, fromWireError, PROTOCOL_VERSION, type EpochExtrasWire, type PlainHistory, type PlainLayerStats, type ProgressEvent, type Request, type Response } from './protocol.js';

export type { PlainHistory };

/** What onTrainBegin / onEpochEnd receive besides logs and monitors (see TrainerFitOptions). */
export interface EpochSnapshot {
  /** diagnostics.activationStats of `activationStats.x` (inference mode), one entry per layer. */
  activations?: PlainLayerStats[];
  /** Copies of the weights `epochWeights` chose, as Tensors, with their index in getWeights(). */
  weights?: Array<{ index: number; tensor: Tensor }>;
}

export interface TrainerOptions {
  /**
   * The worker script (dist/simdnet.worker.mjs, `simdnet/worker` in package exports). Default:
   * simdnet.worker.mjs next to the simdnet bundle in use. Give it when a bundler moved the files,
   * e.g. `new URL('simdnet/dist/simdnet.worker.mjs', import.meta.url)`.
   */
  workerUrl?: string | URL;
  /** Passed to Sequential.load in the worker. */
  allowNonFinite?: boolean;
  /**
   * Threads of the worker's core (`init({threads})` there; default 1). In a browser this needs a
   * cross-origin-isolated page; elsewhere the worker notes it and trains on one thread.
   */
  threads?: number;
}

export interface TrainerFitOptions extends Omit<FitOptions, 'callbacks'> {
  /** After each batch, in order (the worker does not wait for it). */
  onBatchEnd?(batch: number, logs: { loss: number; size: number }): void | Promise<void>;
  /** After each epoch, in order; `monitors` with `monitor: true`, `snapshot` with activationStats / epochWeights. */
  onEpochEnd?(epoch: number, logs: Logs, monitors?: EpochMonitors, snapshot?: EpochSnapshot): void | Promise<void>;
  /** Once before the first batch, with the snapshot of the untrained model (activationStats / epochWeights). */
  onTrainBegin?(snapshot: EpochSnapshot): void | Promise<void>;
  /**
   * Activation statistics of a sample at each epoch end and before training, computed in the
   * worker (diagnostics.activationStats: histograms, mean, std, saturation, dead share per
   * layer). The sample is sent once. A sample the model cannot take fails the fit before
   * any training.
   */
  activationStats?: { x: Features; bins?: number; batchSize?: number };
  /**
   * Weights to send at each epoch end and before training (indices into getWeights(), or true
   * for all): copies, transferred, e.g. to draw the first layer's filters.
   */
  epochWeights?: number[] | true;
  /**
   * Transfer the caller's typed arrays to the worker instead of copying them once (default
   * false). They are detached afterwards (length 0) in this thread.
   */
  transfer?: boolean;
}

export interface Trainer {
  /** Trains the worker's model; resolves with the History as plain data once every callback has run. */
  fit(x: Features, y: Targets, options?: TrainerFitOptions): Promise<PlainHistory>;
  /** The worker model's outputs. */
  predict(x: Features, options?: { batchSize?: number }): Promise<Tensor>;
  /** The worker model's artifacts (after the requests sent before this one): `Sequential.load` them here. */
  save(): Promise<ModelArtifacts>;
  /**
   * Ends the running and any queued fit: the worker sees it at fit's next yield (at most ~50 ms
   * of training later); each resolves with what was trained.
   */
  stop(): void;
  /** Threads the worker's core runs on (1 where threads are unavailable, e.g. a page that is not cross-origin isolated). */
  readonly threads: number;
  /** Ends the worker at once: pending calls reject, later calls reject. */
  terminate(): void;
  readonly terminated: boolean;
}

interface Endpoint {
  post(msg: Request, transfer: ArrayBuffer[]): void;
  terminate(): void;
  /** Node: whether the worker keeps the process alive (only while calls are pending). */
  ref(on: boolean): void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  event?(msg: Response): void;
  fit?: boolean;
}

const isUrlString = (s: string) => /^[a-z][a-z0-9+.-]+:/i.test(s);

async function defaultWorkerUrl(): Promise<URL> {
  // ESM bundles: next to this module. The CommonJS bundle has no import.meta (esbuild leaves
  // it empty): next to its file.
  const here = (import.meta as { url?: string }).url;
  if (here) return new URL('./simdnet.worker.mjs', here);
  if (typeof __filename === 'string') {
    const { pathToFileURL } = await import('node:url');
    return new URL('./simdnet.worker.mjs', pathToFileURL(__filename));
  }
  throw new Error('createTrainer: cannot locate simdnet.worker.mjs; pass { workerUrl }');
}

async function spawn(url: string | URL, onMessage: (m: Response) => void, onDeath: (e: Error) => void): Promise<Endpoint> {
  const WebWorker = (globalThis as { Worker?: typeof Worker }).Worker;
  if (typeof WebWorker === 'function') {
    // Browsers, Deno, Bun.
    const w = new WebWorker(url, { type: 'module' });
    w.onmessage = (e) => onMessage(e.data as Response);
    w.onerror = (e) => {
      e.preventDefault?.();
      onDeath(new Error(`simdnet worker failed: ${e.message || 'error loading or running the worker script'}`));
    };
    w.onmessageerror = () => onDeath(new Error('simdnet worker: a message could not be deserialized'));
    return { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate(), ref: () => {} };
  }
  const { Worker: NodeWorker } = await import('node:worker_threads');
  const w = new NodeWorker(typeof url === 'string' && isUrlString(url) ? new URL(url) : url);
  w.on('message', onMessage);
  w.on('error', (e: Error) => onDeath(e));
  w.on('messageerror', () => onDeath(new Error('simdnet worker: a message could not be deserialized')));
  w.on('exit', (code: number) => onDeath(new Error(`simdnet worker exited (code ${code})`)));
  return { post: (m, t) => w.postMessage(m, t), terminate: () => { void w.terminate(); }, ref: (on) => (on ? w.ref() : w.unref()) };
}

function snapshotOf(ev: Extract<ProgressEvent, { type: 'trainBegin' | 'epochEnd' }>): EpochSnapshot {
  const out: EpochSnapshot = {};
  if (ev.activations) out.activations = ev.activations;
  if (ev.weights) out.weights = ev.weights.map((w) => ({ index: w.index, tensor: new Tensor(w.data as Tensor['data'], w.shape, w.dtype as Tensor['dtype']) }));
  return out;
}

/**
 * Starts a worker holding the model of `spec` (model.save() artifacts, or `{topology, weights}`
 * with weights as bytes or a number array). Resolves once the model is loaded there; a load
 * error rejects with the worker's message and the worker is ended.
 */
export async function createTrainer(spec: ModelArtifacts, options: TrainerOptions = {}): Promise<Trainer> {
  if (!spec || typeof spec !== 'object') throw new Error('createTrainer: spec must be model artifacts { topology, weights } (model.save())');
  for (const k of Object.keys(options)) {
    if (k !== 'workerUrl' && k !== 'allowNonFinite' && k !== 'threads') throw new Error(`createTrainer: unknown option '${k}' (workerUrl, allowNonFinite, threads)`);
  }
  const threads = options.threads;
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1)) {
    throw new Error(`createTrainer: threads must be a positive integer, got ${typeof threads === 'number' ? threads : JSON.stringify(threads)}`);
  }
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let dead: Error | null = null;
  let ep: Endpoint | null = null;
  let death: Error | null = null; // a death before spawn() returned

  const settle = () => ep?.ref(pending.size > 0);
  const die = (e: Error) => {
    if (dead) return;
    dead = e;
    death = e;
    const calls = [...pending.values()];
    pending.clear();
    settle();
    for (const p of calls) p.reject(e);
    ep?.terminate();
  };
  const onMessage = (m: Response) => {
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === 'events') { p.event?.(m); return; }
    pending.delete(m.id);
    settle();
    if (m.type === 'error') p.reject(fromWireError(m.error));
    else p.resolve(m.value);
  };
  const call = <T>(req: Request & { id: number }, transfer: ArrayBuffer[], extra: Partial<Pending> = {}): Promise<T> => {
    if (dead) return Promise.reject(dead);
    return new Promise<T>((resolve, reject) => {
      pending.set(req.id, { resolve: resolve as (v: unknown) => void, reject, ...extra });
      settle();
      try {
        ep!.post(req, transfer);
      } catch (e) {
        pending.delete(req.id);
        settle();
        reject(e as Error);
      }
    });
  };

  ep = await spawn(options.workerUrl ?? await defaultWorkerUrl(), onMessage, die);
  if (death) throw death;

  // The weights are copied once and the copy transferred: the caller's artifacts stay usable.
  const copied = spec.weights instanceof Uint8Array ? spec.weights.slice() : spec.weights;
  let workerThreads = 1;
  try {
    workerThreads = (await call({ id: nextId++, op: 'load', version: PROTOCOL_VERSION, topology: spec.topology, weights: copied, options: options.allowNonFinite === undefined ? {} : { allowNonFinite: options.allowNonFinite }, threads: threads ?? 1 },
      copied instanceof Uint8Array ? [copied.buffer as ArrayBuffer] : []) as { threads: number }).threads;
  } catch (e) {
    die(new Error('simdnet trainer: terminated (the model did not load)'));
    throw e;
  }

  const fitIds = new Set<number>();

  const trainer: Trainer = {
    threads: workerThreads,
    get terminated() { return dead !== null; },

    fit(x, y, fitOptions = {}) {
      if (dead) return Promise.reject(dead);
      const { onBatchEnd, onEpochEnd, onTrainBegin, activationStats, epochWeights, transfer: own = false, ...rest } = fitOptions;
      if ('callbacks' in rest) return Promise.reject(new Error('trainer.fit: callbacks cannot cross to the worker; use onBatchEnd / onEpochEnd (and trainer.stop())'));
      if (onBatchEnd !== undefined && typeof onBatchEnd !== 'function') return Promise.reject(new Error('trainer.fit: onBatchEnd must be a function'));
      if (onEpochEnd !== undefined && typeof onEpochEnd !== 'function') return Promise.reject(new Error('trainer.fit: onEpochEnd must be a function'));
      if (onTrainBegin !== undefined && typeof onTrainBegin !== 'function') return Promise.reject(new Error('trainer.fit: onTrainBegin must be a function'));
      if (activationStats !== undefined && (!activationStats || typeof activationStats !== 'object' || activationStats.x === undefined)) {
        return Promise.reject(new Error(`trainer.fit: activationStats must be { x, bins?, batchSize? }, got ${activationStats === null ? 'null' : typeof activationStats}`));
      }
      if (epochWeights !== undefined && epochWeights !== true && !(Array.isArray(epochWeights) && epochWeights.every((i) => Number.isInteger(i) && i >= 0))) {
        return Promise.reject(new Error(`trainer.fit: epochWeights must be true or an array of weight indices (integers ≥ 0), got ${JSON.stringify(epochWeights)}`));
      }
      const transfer = new Set<ArrayBuffer>();
      const wireOptions: Record<string, unknown> = { ...rest };
      let wx, wy;
      let extras: EpochExtrasWire | undefined;
      try {
        wx = encode(x, transfer, own);
        wy = encode(y, transfer, own);
        if (Array.isArray(rest.validationData)) wireOptions.validationData = rest.validationData.map((v) => encode(v, transfer, own));
        if (rest.sampleWeight !== undefined) wireOptions.sampleWeight = encode(rest.sampleWeight, transfer, own);
        if (activationStats) {
          const { x: ax, ...statOptions } = activationStats;
          extras = { ...extras, activations: { x: encode(ax, transfer, own), ...statOptions } };
        }
        if (epochWeights !== undefined) extras = { ...extras, weights: epochWeights };
      } catch (e) {
        return Promise.reject(e);
      }
      const id = nextId++;
      // Callbacks run one after another, in message order; fit resolves after the last one.
      let chain: Promise<void> = Promise.resolve();
      let callbackError: Error | null = null;
      // A callback that returns a promise is awaited before the next one; one that throws (or
      // rejects) stops the fit, which then rejects with that error.
      const event = (m: Response) => {
        if (m.type !== 'events') return;
        chain = chain.then(async () => {
          for (const ev of m.events) {
            if (callbackError) return;
            try {
              const r = ev.type === 'batchEnd' ? onBatchEnd?.(ev.batch, ev.logs)
                : ev.type === 'trainBegin' ? onTrainBegin?.(snapshotOf(ev))
                : onEpochEnd?.(ev.epoch, ev.logs as Logs, ev.monitors, extras ? snapshotOf(ev) : undefined);
              if (r && typeof (r as Promise<void>).then === 'function') await r;
            } catch (e) {
              callbackError = e as Error;
              trainer.stop();
            }
          }
        });
      };
      fitIds.add(id);
      const done = call<PlainHistory>({ id, op: 'fit', x: wx, y: wy, options: wireOptions, events: { batch: !!onBatchEnd, epoch: !!onEpochEnd }, ...(extras ? { extras } : {}) },
        [...transfer], { event, fit: true });
      const result = done.then(async (h) => {
        await chain;
        if (callbackError) throw callbackError;
        return h;
      });
      const cleanup = () => { fitIds.delete(id); };
      result.then(cleanup, cleanup);
      return result;
    },

    async predict(x, predictOptions = {}) {
      const transfer = new Set<ArrayBuffer>();
      const wx = encode(x, transfer);
      const r = await call<{ data: Tensor['data']; shape: number[]; dtype: Tensor['dtype'] }>({ id: nextId++, op: 'predict', x: wx, options: predictOptions }, [...transfer]);
      return new Tensor(r.data, r.shape, r.dtype);
    },

    save() {
      return call<ModelArtifacts>({ id: nextId++, op: 'save' }, []);
    },

    stop() {
      if (dead || fitIds.size === 0) return;
      ep!.post({ op: 'stop', ids: [...fitIds] }, []);
    },

    terminate() {
      die(new Error('simdnet trainer: terminated'));
    },
  };
  return trainer;
}
