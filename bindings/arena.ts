// The arena: one WebAssembly.Memory, carved into 16-byte-aligned blocks by a first-fit
// free list. Models allocate when they are built for a batch size and free on dispose;
// a training step allocates nothing. Typed-array views are handed out fresh from the
// current buffer (memory.grow detaches the old one), never cached across a grow.
//
// All-or-nothing: `transaction(fn)` records every block allocated while fn runs (through
// WasmTensor or alloc); if fn throws, each of them that is still live is freed again, so a
// build, upload or load that fails half-way leaves the arena exactly as it was. A failed
// allocation throws an Error naming what was asked for, its size and the memory limit.
//
// Sizes: the memory is 32-bit, limited to MAX_BYTES (4 GiB, 65,536 pages). Every byte count
// and pointer here is a plain JS number in [0, 2^32); wasm returns of usize go through `>>> 0`
// in ops.ts, so a size above 2^31 is never read as negative.

const ALIGN = 16;
export const PAGE = 65536;
export const MAX_PAGES = 65536;
export const MAX_BYTES = MAX_PAGES * PAGE;

interface Block { ptr: number; size: number }

/** Something a transaction frees when it rolls back (a WasmTensor, or a raw block). */
export interface Freeable { free(): void }

export class Arena {
  readonly memory: WebAssembly.Memory;
  private top: number;
  private readonly base: number;
  private free: Block[] = [];
  private live = new Map<number, number>();
  private journals: Freeable[][] = [];
  /** Open budgets: bytes left, and the blocks allocated under each (freeing one gives its bytes back). */
  private budgets: { left: number; what: string; blocks: Set<number> }[] = [];

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.base = align(Math.max(base, ALIGN)); // pointer 0 stays "null"
    this.top = this.base;
  }

  /**
   * Allocates `bytes` (rounded up to 16) of zero-filled memory; returns its byte offset.
   * `what` names the request in the error when it cannot be met (e.g. "dense 'd1' kernel [4, 8]").
   */
  alloc(bytes: number, what = 'a buffer'): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`cannot allocate ${what}: invalid size ${bytes} bytes`);
    const size = align(Math.max(bytes, ALIGN));
    for (const b of this.budgets) {
      if (size > b.left) throw new Error(`${what} needs ${formatBytes(bytes)}, more than ${b.what} allows (${formatBytes(b.left)} left)`);
    }
    let ptr = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size >= size) {
        ptr = b.ptr;
        if (b.size === size) this.free.splice(i, 1);
        else { b.ptr += size; b.size -= size; }
        break;
      }
    }
    if (ptr < 0) {
      ptr = this.top;
      this.ensure(ptr + size, bytes, what);
      this.top = ptr + size;
    }
    for (const b of this.budgets) { b.left -= size; b.blocks.add(ptr); }
    this.live.set(ptr, size);
    new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    return ptr;
  }

  /** Returns a block to the free list, merging it with free neighbours. */
  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`Arena.release: ${ptr} is not a live block`);
    this.live.delete(ptr);
    for (const b of this.budgets) if (b.blocks.delete(ptr)) b.left += size;
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < ptr) i++;
    this.free.splice(i, 0, { ptr, size });
    // merge with the next, then with the previous block
    if (i + 1 < this.free.length && ptr + size === this.free[i + 1].ptr) {
      this.free[i].size += this.free[i + 1].size;
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1].ptr + this.free[i - 1].size === ptr) {
      this.free[i - 1].size += this.free[i].size;
      this.free.splice(i, 1);
      i--;
    }
    // a free block at the top gives its bytes back to the bump pointer
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      this.free.pop();
    }
  }

  /** Records `t` in the innermost open transaction (WasmTensor calls this when it allocates). */
  track(t: Freeable): void {
    this.journals[this.journals.length - 1]?.push(t);
  }

  /**
   * Runs fn; if it throws, frees everything allocated inside it (nested transactions roll
   * back into their parent's journal on success). `budget` caps the bytes fn may hold at
   * once (a block freed inside fn gives its bytes back): the loader builds an untrusted
   * topology under a cap derived from the file's size.
   */
  transaction<T>(fn: () => T, budget?: { bytes: number; what: string }): T {
    const journal: Freeable[] = [];
    this.journals.push(journal);
    if (budget) this.budgets.push({ left: budget.bytes, what: budget.what, blocks: new Set() });
    try {
      const result = fn();
      this.journals.pop();
      this.journals[this.journals.length - 1]?.push(...journal);
      return result;
    } catch (e) {
      this.journals.pop();
      for (let i = journal.length - 1; i >= 0; i--) journal[i].free(); // free() is idempotent
      throw e;
    } finally {
      if (budget) this.budgets.pop();
    }
  }

  /** Bytes in live blocks. */
  get used(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }

  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  private ensure(end: number, bytes: number, what: string): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > MAX_BYTES) {
      throw new Error(`${what} needs ${formatBytes(bytes)}; wasm memory is limited to 4 GiB (${formatBytes(this.used)} in use)`);
    }
    // grow geometrically so that repeated builds do not grow page by page
    const need = Math.ceil((end - have) / PAGE);
    const pages = Math.min(Math.max(need, Math.ceil(have / PAGE / 4)), MAX_PAGES - have / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      try {
        this.memory.grow(need);
      } catch (e) {
        // the engine (or the machine) refused before the 4 GiB limit
        throw new Error(`${what} needs ${formatBytes(bytes)}; the engine could not grow wasm memory to ${formatBytes(end)} (${formatBytes(this.used)} in use): ${(e as Error).message}`);
      }
    }
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** 6.1 GiB, 12.0 MiB, 512 B: sizes in error messages. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}
