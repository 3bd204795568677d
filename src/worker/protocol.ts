// The message protocol between a Trainer (main thread, src/worker/trainer.ts) and its worker
// (src/worker/worker.ts, shipped as dist/simdnet.worker.mjs). Every message is a plain
// structured-clonable object; typed arrays travel as transferables.
//
//   main → worker                                 worker → main
//   {id, op: 'load', version, topology, weights,  {id, type: 'result', value}        one per request
//    options, threads}
//   {id, op: 'fit', x, y, options, events,        {id, type: 'error', error}          (instead of result)
//    extras}
//   {id, op: 'predict', x, options}               {id, type: 'events', events}        fit progress, in
//   {id, op: 'save'}                                                                  order, before the
//   {op: 'stop', ids}                                                                 fit's result
//
// Progress: `events` is a list of {type: 'batchEnd', batch, logs} and {type: 'epochEnd', epoch,
// logs, monitors?, activations?, weights?}, sent only for the callbacks the caller gave.
// `extras` asks for more at each epoch end: activation statistics of a sample
// (diagnostics.activationStats, inference mode) and copies of chosen weights (transferred). The worker coalesces batch
// events into one message per 16 ms (a small model trains ~100k batches/s, and one message per
// batch would flood the main thread); an epoch's end is sent at once, with the batches before it.
//
// Requests with an id run one after another in the worker, in the order sent (a save() sent
// while a fit runs answers with the weights that fit left). 'stop' has no id and no answer; it
// names the fits running or queued when stop() was called. The worker sees it at its next
// event-loop turn (fit yields every 50 ms; a fit takes one turn before its first batch, so a
// stop() right after fit() usually ends it before any batch), sets model.stopTraining, and each
// named fit resolves with what was trained.
//
// Data (x, y, validationData, sampleWeight) are sent once per request: typed arrays are copied
// once into fresh buffers that are transferred, or with `transfer: true` the caller's own
// buffers are transferred (and detached in the caller). Results come back the same way: save()
// weights and predict() data are transferred. 'load' carries PROTOCOL_VERSION: a worker script
// of another version refuses it.

export const PROTOCOL_VERSION = 2;

export type Request =
  | { id: number; op: 'load'; version: number; topology: unknown; weights: unknown; options: { allowNonFinite?: boolean }; threads: number }
  | { id: number; op: 'fit'; x: Wire; y: Wire; options: Record<string, unknown>; events: { batch: boolean; epoch: boolean }; extras?: EpochExtrasWire }
  | { id: number; op: 'predict'; x: Wire; options: { batchSize?: number } }
  | { id: number; op: 'save' }
  | { op: 'stop'; ids: number[] };

export interface WireError { name: string; message: string; stack?: string }

export interface PlainHistory {
  epoch: number[];
  history: Record<string, number[]>;
  monitors: Array<{ updateRatio: Record<string, number>; gradNorm: Record<string, number>; deadShare: Record<string, number> }>;
}

/** What a fit sends at each epoch end besides logs and monitors. */
export interface EpochExtrasWire {
  activations?: { x: Wire; bins?: number; batchSize?: number };
  /** Indices into model.getWeights(), or true for all. */
  weights?: number[] | true;
}

export interface PlainLayerStats {
  name: string; className: string; activation: string | null;
  mean: number; std: number; min: number; max: number; saturation: number | null; dead: number;
  histogram: { edges: number[]; counts: number[] };
}

export type ProgressEvent =
  | { type: 'trainBegin'; activations?: PlainLayerStats[]; weights?: Array<{ index: number; data: Typed; shape: number[]; dtype: string }> }
  | { type: 'batchEnd'; batch: number; logs: { loss: number; size: number } }
  | { type: 'epochEnd'; epoch: number; logs: Record<string, number | undefined>; monitors?: PlainHistory['monitors'][number];
      activations?: PlainLayerStats[]; weights?: Array<{ index: number; data: Typed; shape: number[]; dtype: string }> };

/** Milliseconds of batch events the worker gathers into one message. */
export const EVENT_FLUSH_MS = 16;

export type Response =
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; error: WireError }
  | { id: number; type: 'events'; events: ProgressEvent[] };

export type Typed = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array;

/** Data on the wire: a Tensor's parts, a bare typed array, or anything else structured-clonable (nested arrays). */
export type Wire =
  | { kind: 'tensor'; data: Typed; shape: number[]; dtype: string }
  | { kind: 'typed'; data: Typed }
  | { kind: 'plain'; value: unknown };

function isTyped(v: unknown): v is Typed {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function isTensorLike(v: unknown): v is { data: Typed; shape: readonly number[]; dtype: string } {
  if (!v || typeof v !== 'object') return false;
  const t = v as { data?: unknown; shape?: unknown; dtype?: unknown };
  return isTyped(t.data) && Array.isArray(t.shape) && typeof t.dtype === 'string';
}

/**
 * Encodes data for postMessage. `transfer` collects the buffers to transfer: a fresh copy of
 * each typed array (the caller's array stays usable), or, with `own`, the caller's buffer itself.
 * SharedArrayBuffer-backed arrays are shared as they are.
 */
export function encode(v: unknown, transfer: Set<ArrayBuffer>, own = false): Wire {
  const take = (a: Typed): Typed => {
    if (typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer) return a;
    if (own) { transfer.add(a.buffer as ArrayBuffer); return a; }
    const copy = a.slice() as Typed;
    transfer.add(copy.buffer as ArrayBuffer);
    return copy;
  };
  if (isTyped(v)) return { kind: 'typed', data: take(v) };
  if (isTensorLike(v)) return { kind: 'tensor', data: take(v.data), shape: [...v.shape], dtype: v.dtype };
  return { kind: 'plain', value: v };
}

/** Decodes a Wire; `tensor` rebuilds a Tensor of the receiving side's library. */
export function decode<T>(w: Wire, tensor: (data: Typed, shape: number[], dtype: string) => T): T | Typed | unknown {
  if (!w || typeof w !== 'object') throw new Error('simdnet worker: malformed data message');
  if (w.kind === 'tensor') return tensor(w.data, w.shape, w.dtype);
  if (w.kind === 'typed') return w.data;
  return w.value;
}

/** An Error as plain data (name, message, stack survive; structured clone of Errors varies by runtime). */
export function toWireError(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

/** Rebuilds an Error with the worker's name, message and stack. */
export function fromWireError(w: WireError): Error {
  const e = new Error(w.message);
  if (w.name && w.name !== 'Error') e.name = w.name;
  if (w.stack) e.stack = w.stack;
  return e;
}

/** The buffer of a byte array to transfer, copying when the view does not own its whole buffer. */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !(typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer)
    ? bytes : bytes.slice();
}
