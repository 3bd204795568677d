// The RNG streams of a model: 16-byte xoshiro128** states (assembly/rng.ts), all in one
// block so one copy snapshots them for the step transaction. Each consumer has its own
// stream, seeded from the model seed and a stream id: init (0), shuffle (1), augment (2),
// and the layers' streams from id 16 on, in build order ('<layer>/<k>' for save/load).
// A stream is a view of its 4 int32 of the block; when the block grows, the views are
// re-pointed at the new one, so the layers holding them need not know.

import { runtime, WasmTensor, type TensorView } from '../../bindings/index.js';
import type { RngStream } from '../layers/layer.js';

/** Stream ids of the model's RNG consumers (each derived from the seed). */
export const STREAM = { init: 0, shuffle: 1, augment: 2, firstLayer: 16 } as const;
const RNG_WORDS = 4;
const RNG_BYTES = 4 * RNG_WORDS;
/** Free stream slots kept after build and after each add, so that adding a layer never grows the block. */
export const SPARE_STREAMS = 16;

/** The RNG streams of a model: 16-byte states in one block (one copy snapshots them all). */
export class StreamBlock {
  private block: WasmTensor | null = null;
  /** The streams handed out, in block order (index = slot). */
  private views: TensorView[] = [];
  private snapshot = new Int32Array(0);
  /** Named streams: 'shuffle', 'augment', '<layer>/<k>': what save/load carries. */
  readonly named = new Map<string, RngStream>();
  /** Id of the next stream handed to a layer (persisted: later layers get fresh ids). */
  nextId: number = STREAM.firstLayer;

  constructor(private readonly seed: number) {}

  /** Bytes of the block (model.memory()). */
  get blockBytes(): number {
    return this.block && !this.block.isFreed ? this.block.bytes : 0;
  }

  /**
   * Makes room for `extra` more streams: a bigger block is allocated and filled before the
   * old one is freed, so a failure leaves the streams as they were.
   */
  ensureRoom(extra: number): void {
    const need = (this.used + extra) * RNG_BYTES;
    if (this.block && need <= this.block.bytes) return;
    const grown = new WasmTensor([Math.max(8, 2 * (this.used + extra)) * RNG_WORDS], 'int32', 'RNG streams');
    if (this.block) { grown.write(this.block.view()); this.block.free(); }
    for (const v of this.views) v.retarget(grown);
    this.block = grown;
    this.snapshot = new Int32Array(grown.size);
  }

  /** A freshly seeded stream. */
  create(id: number, name: string | null): RngStream {
    this.ensureRoom(1);
    const stream = this.block!.at(this.used * RNG_WORDS, RNG_WORDS);
    this.views.push(stream);
    // NOTE: rngSeed is dtype-free: either dtype's kernels have it
    runtime().kernels.float32.rngSeed(stream, this.seed >>> 0, Math.floor(this.seed / 2 ** 32) >>> 0, id);
    if (name) this.named.set(name, stream);
    return stream;
  }

  /** Streams created so far (a mark for truncate). */
  get count(): number { return this.used; }

  private get used(): number { return this.views.length; }

  /** Gives back the slots of the streams created after `count` (a layer whose build failed). */
  truncate(count: number): void { this.views.length = count; }

  /** Drops the named streams of a layer (popped, or whose build failed): save() no longer carries them. */
  forget(layer: string): void {
    for (const name of [...this.named.keys()]) if (name.startsWith(`${layer}/`)) this.named.delete(name);
  }

  save(): void { this.snapshot.set(this.block!.view()); }
  restore(): void { this.block!.write(this.snapshot); }

  /** The 16 state bytes of a stream (a live view). */
  bytes(s: RngStream): Uint8Array { return s.byteView(); }

  free(): void {
    this.block?.free();
    this.block = null;
    this.views = [];
    this.named.clear();
    // NOTE: a model rebuilt after a failed build (or after popping every layer) hands out
    // the ids a fresh model would, so its dropout draws the same masks
    this.nextId = STREAM.firstLayer;
  }
}

