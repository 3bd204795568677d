// The script a Trainer's worker runs (dist/simdnet.worker.mjs): a browser or Deno/Bun module
// Worker, or a Node worker_threads Worker. It holds one model, loaded from save() artifacts,
// and answers the requests of src/worker/protocol.ts one at a time, in order; 'stop' is taken
// at the next event-loop turn, also while a fit runs. The bundle imports the library from ./simdnet.mjs next to it (scripts/bundle.mjs
// maps '../index.js' there), so the package holds one copy of the core, not two.

import { init, diagnostics, Model, Tensor, type Callback, type History, type ModelArtifacts } from '../index.js';
import { decode, ownedBytes, toWireError, EVENT_FLUSH_MS, PROTOCOL_VERSION, type Typed, type Request, type Response, type Wire, type PlainHistory, type ProgressEvent, type EpochExtrasWire } from './protocol.js';

const now = () => (globalThis.performance ?? Date).now();

type Post = (msg: Response, transfer?: ArrayBuffer[]) => void;

let model: Model | null = null;
let queue: Promise<void> = Promise.resolve();
let fitting: number | null = null;
const stopped = new Set<number>();

const mkTensor = (data: Typed, shape: number[], dtype: string) => new Tensor(data as Tensor['data'], shape, dtype as Tensor['dtype']);
const data = (w: Wire) => decode(w, mkTensor) as never;

function macrotask(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((r) => { g.setImmediate!(r); });
  return new Promise((r) => { const ch = new MessageChannel(); ch.port1.onmessage = () => { ch.port1.close(); r(); }; ch.port2.postMessage(0); });
}

/**
 * What a fit asked to see at each epoch end (and once before training): activation
 * statistics of a sample and copies of chosen weights, with the buffers to transfer.
 */
function extrasOf(m: Model, ex: EpochExtrasWire | undefined) {
  if (!ex) return null;
  const ax = ex.activations ? data(ex.activations.x) : null;
  const statsOptions = ex.activations ? { ...(ex.activations.bins !== undefined ? { bins: ex.activations.bins } : {}), ...(ex.activations.batchSize !== undefined ? { batchSize: ex.activations.batchSize } : {}) } : {};
  return (): { extras: Pick<Extract<ProgressEvent, { type: 'epochEnd' }>, 'activations' | 'weights'>; transfer: ArrayBuffer[] } => {
    const extras: Pick<Extract<ProgressEvent, { type: 'epochEnd' }>, 'activations' | 'weights'> = {};
    const transfer: ArrayBuffer[] = [];
    if (ax) extras.activations = diagnostics.activationStats(m, ax, statsOptions);
    if (ex.weights) {
      const all = m.getWeights();
      const pick = ex.weights === true ? all.map((_, i) => i) : ex.weights;
      extras.weights = pick.map((index) => {
        const t = all[index];
        if (!t) throw new Error(`trainer.fit: epochWeights index ${index} is out of range (the model has ${all.length} weights)`);
        const d = t.data.slice() as Typed;
        transfer.push(d.buffer as ArrayBuffer);
        return { index, data: d, shape: [...t.shape], dtype: t.dtype };
      });
    }
    return { extras, transfer };
  };
}

function need(): Model {
  if (!model) throw new Error('simdnet worker: no model loaded');
  return model;
}

async function handle(req: Exclude<Request, { op: 'stop' }>, post: Post): Promise<void> {
  const { id } = req;
  try {
    switch (req.op) {
      case 'load': {
        if (req.version !== PROTOCOL_VERSION) throw new Error(`simdnet worker: protocol version ${req.version} does not match this worker script's (${PROTOCOL_VERSION}); use the simdnet.worker.mjs of the same simdnet build`);
        const rt = await init({ threads: req.threads }); // the first load starts the core; a later one may resize its pool
        if (model) model.dispose();
        model = null;
        model = await Model.load({ topology: req.topology, weights: req.weights } as ModelArtifacts, req.options);
        post({ id, type: 'result', value: { threads: rt.threads } });
        return;
      }
      case 'fit': {
        const m = need();
        const options: Record<string, unknown> = { ...req.options };
        const vd = options.validationData as Wire[] | undefined;
        if (Array.isArray(vd)) options.validationData = vd.map(data);
        if (options.sampleWeight !== undefined) options.sampleWeight = data(options.sampleWeight as Wire);
        let history: History | null = null;
        let events: ProgressEvent[] = [];
        let transfer: ArrayBuffer[] = [];
        let flushed = now();
        const flush = () => {
          if (events.length) post({ id, type: 'events', events }, transfer);
          events = [];
          transfer = [];
          flushed = now();
        };
        // Checked (and the first snapshot taken) before any training: a bad sample or
        // weight index fails the fit with the model untouched.
        const snapshot = extrasOf(m, req.extras);
        if (snapshot) {
          const first = snapshot();
          events.push({ type: 'trainBegin', ...first.extras });
          transfer.push(...first.transfer);
          flush();
        }
        const cb: Callback = {
          onTrainBegin(info) {
            history = info.history;
            if (stopped.has(id)) m.stopTraining = true; // stop() arrived before this fit began
          },
          onBatchEnd: req.events.batch ? (batch, logs) => {
            events.push({ type: 'batchEnd', batch, logs: { loss: logs.loss, size: logs.size } });
            if (now() - flushed >= EVENT_FLUSH_MS) flush();
          } : undefined,
          onEpochEnd: req.events.epoch || req.events.batch ? (epoch, logs) => {
            if (req.events.epoch) {
              const mon = options.monitor ? history?.monitors[history.monitors.length - 1] : undefined;
              const snap = snapshot?.();
              events.push({ type: 'epochEnd', epoch, logs: { ...logs }, ...(mon ? { monitors: mon } : {}), ...snap?.extras });
              if (snap) transfer.push(...snap.transfer);
            }
            flush();
          } : undefined,
        };
        fitting = id;
        let h: History;
        try {
          // One turn of the event loop first, so that a stop() posted right after this fit
          // (already in the port's queue) is seen before the first batch.
          await macrotask();
          h = await m.fit(data(req.x), data(req.y), { ...options, callbacks: [cb] });
        } finally {
          fitting = null;
          stopped.delete(id);
          flush(); // a stopped or failed epoch's batches
        }
        const value: PlainHistory = { epoch: [...h.epoch], history: { ...h.history }, monitors: [...h.monitors] };
        post({ id, type: 'result', value });
        return;
      }
      case 'predict': {
        const t = need().predict(data(req.x), req.options);
        const d = t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength ? t.data : t.data.slice();
        post({ id, type: 'result', value: { data: d, shape: [...t.shape], dtype: t.dtype } }, [d.buffer as ArrayBuffer]);
        return;
      }
      case 'save': {
        const a = need().save();
        const weights = ownedBytes(a.weights);
        post({ id, type: 'result', value: { topology: a.topology, weights } }, [weights.buffer as ArrayBuffer]);
        return;
      }
      default:
        throw new Error(`simdnet worker: unknown request ${JSON.stringify((req as { op?: unknown }).op)}`);
    }
  } catch (e) {
    post({ id, type: 'error', error: toWireError(e) });
  }
}

function onRequest(req: Request, post: Post): void {
  if (!req || typeof req !== 'object') return;
  if (req.op === 'stop') {
    const ids = Array.isArray(req.ids) ? req.ids : [];
    for (const i of ids) stopped.add(i);
    if (model && fitting !== null && ids.includes(fitting)) model.stopTraining = true;
    return;
  }
  queue = queue.then(() => handle(req, post));
}

// Browsers, Deno and Bun module workers: the worker global scope. Attached synchronously, so
// no message can be dispatched before the listener exists.
const g = globalThis as unknown as {
  WorkerGlobalScope?: abstract new () => unknown;
  addEventListener?: (type: 'message', fn: (e: { data: Request }) => void) => void;
  postMessage?: (msg: unknown, transfer: ArrayBuffer[]) => void;
};
if (typeof g.WorkerGlobalScope === 'function' && globalThis instanceof g.WorkerGlobalScope) {
  const post: Post = (msg, transfer = []) => g.postMessage!(msg, transfer);
  g.addEventListener!('message', (e) => onRequest(e.data, post));
} else {
  // Node worker_threads (messages wait in the port until the listener is attached).
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) throw new Error('simdnet.worker.mjs is the script of a Worker (createTrainer starts it); it does nothing on its own');
  const post: Post = (msg, transfer = []) => parentPort.postMessage(msg, transfer);
  parentPort.on('message', (req: Request) => onRequest(req, post));
}

