// The arena: one WebAssembly.Memory, carved into 16-byte-aligned blocks by a first-fit
// free list. Models allocate when they are built for a batch size and free on dispose;
// a training step allocates nothing. Typed-array views are handed out fresh from the
// current buffer (memory.grow detaches the old one), never cached across a grow.

const ALIGN = 16;
const PAGE = 65536;

interface Block { ptr: number; size: number }

export class Arena {
  readonly memory: WebAssembly.Memory;
  private top: number;
  private readonly base: number;
  private free: Block[] = [];
  private live = new Map<number, number>();

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.base = align(Math.max(base, ALIGN)); // pointer 0 stays "null"
    this.top = this.base;
  }

  /** Allocates `bytes` (rounded up to 16) of zero-filled memory; returns its byte offset. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new Error(`Arena.alloc: invalid size ${bytes}`);
    const size = align(Math.max(bytes, ALIGN));
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
      this.ensure(ptr + size);
      this.top = ptr + size;
    }
    this.live.set(ptr, size);
    new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    return ptr;
  }

  /** Returns a block to the free list, merging it with free neighbours. */
  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`Arena.release: ${ptr} is not a live block`);
    this.live.delete(ptr);
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

  /** Bytes in live blocks. */
  get used(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }

  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // grow geometrically so that repeated builds do not grow page by page
    const need = Math.ceil((end - have) / PAGE);
    const pages = Math.max(need, Math.ceil(have / PAGE / 4));
    try {
      this.memory.grow(pages);
    } catch {
      this.memory.grow(need); // throws RangeError when the engine's limit is reached
    }
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
