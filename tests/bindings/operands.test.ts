// The tensor level of the bindings (bindings/kernels.ts, bindings/checks.ts, TensorView in
// bindings/wasm-tensor.ts): views address the window they claim, the kernels over tensors
// compute what the raw kernels compute on the same addresses, and the debug build's checks
// (dtype, freed, bounds, aliasing) throw an Error naming the kernel, the argument and the
// tensor before the kernel touches memory. The tests run on the debug core (tests/setup.ts).

import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { runtime, bindKernels, WasmTensor, type Operand } from '../../bindings/index.js';

const made: WasmTensor[] = [];
afterEach(() => { for (const t of made.splice(0)) t.free(); });

function tensor(shape: number[], dtype: 'float32' | 'float64' | 'int32', label: string, values?: ArrayLike<number>): WasmTensor {
  const t = new WasmTensor(shape, dtype, label);
  made.push(t);
  if (values) t.write(values);
  return t;
}

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

describe('TensorView', () => {
  it('addresses `count` elements from `offset` of its tensor, in every dtype', () => {
    for (const [dtype, es] of [['float32', 4], ['float64', 8], ['int32', 4]] as const) {
      const t = tensor([3, 4], dtype, `t ${dtype}`, range(12));
      const v = t.at(5, 3);
      expect(v.ptr).toBe(t.ptr + 5 * es);
      expect([v.size, v.offset, v.dtype, v.bytes, v.base]).toEqual([3, 5, dtype, 3 * es, t]);
      expect(Array.from(v.view())).toEqual([6, 7, 8]);
      expect(v.byteView().length).toBe(3 * es);
      expect(t.at(7).size).toBe(5); // to the end
      expect(v.describe()).toBe(`elements [5, 8) of t ${dtype} [3, 4]`);
    }
  });

  it('moveTo and retarget re-point the same object, and refuse windows outside the tensor', () => {
    const a = tensor([10], 'float32', 'a'), b = tensor([10], 'float32', 'b'), c = tensor([4], 'float32', 'c'), d = tensor([10], 'float64', 'd');
    const v = a.at(0, 2);
    expect(v.moveTo(6, 4)).toBe(v);
    expect([v.offset, v.size, v.ptr]).toEqual([6, 4, a.ptr + 24]);
    expect(v.moveTo(3).size).toBe(7);
    expect(v.retarget(b)).toBe(v);
    expect(v.ptr).toBe(b.ptr + 12);
    expect(() => v.moveTo(8, 3)).toThrow(/a view of 3 elements at element 8 does not fit in b \[10\] \(10 elements\)/);
    expect(() => v.moveTo(-1, 1)).toThrow(/does not fit/);
    expect(() => v.moveTo(1.5, 1)).toThrow(/does not fit/);
    expect(() => a.at(11)).toThrow(/does not fit in a \[10\]/);
    expect(() => v.retarget(c)).toThrow(/cannot move a view of elements \[3, 10\) of b \[10\] to c \[4\]/);
    expect(() => v.retarget(d)).toThrow(/to d \[10\] \(float64/);
    expect([v.offset, v.size, v.base]).toEqual([3, 7, b]); // unchanged by the refused moves
  });

  it('throws once its tensor is freed', () => {
    const t = new WasmTensor([4], 'float32', 'gone');
    const v = t.at(1, 2);
    t.free();
    expect(v.isFreed).toBe(true);
    expect(() => v.ptr).toThrow(/gone \[4\] has been freed/);
  });
});

describe('kernels over tensors', () => {
  it('gemm on tensors and on views at odd offsets equals the raw kernel on the same addresses, bit for bit', () => {
    const rt = runtime();
    const k = rt.kernels.float32, r = rt.raw.float32;
    const m = 5, n = 7, kk = 3;
    const a = tensor([m * kk + 3], 'float32', 'a', range(m * kk + 3).map((i) => Math.sin(i)));
    const b = tensor([kk * n + 1], 'float32', 'b', range(kk * n + 1).map((i) => Math.cos(i)));
    const c1 = tensor([m * n + 2], 'float32', 'c1'), c2 = tensor([m * n + 2], 'float32', 'c2');
    const work = tensor([Math.ceil(k.gemmWorkBytes(m, n, kk) / 4)], 'int32', 'work');
    k.gemm(c1.at(1, m * n), work, a.at(3), b.at(1), m, n, kk, false, false, false);
    r.gemm(c2.ptr + 4, work.ptr, a.ptr + 12, b.ptr + 4, m, n, kk, false, false, false);
    expect(c1.read()).toEqual(c2.read());
    expect([c1.read()[0], c1.read()[m * n + 1]]).toEqual([0, 0]); // nothing outside the window
    expect(c1.read().slice(1, 1 + m * n).some((v) => v !== 0)).toBe(true);
  });

  it('null is "none": biasAct without bias, a loss without gradient or weights', () => {
    const k = runtime().kernels.float64;
    const x = tensor([2, 3], 'float64', 'x', [-1, 2, -3, 4, -5, 6]), y = tensor([2, 3], 'float64', 'y');
    k.biasAct(y, x, null, 2, 3, 1, 0);
    expect(Array.from(y.read())).toEqual([0, 2, 0, 4, 0, 6]);
    const t = tensor([2, 3], 'float64', 't');
    expect(k.mse(null, x, t, null, 2, 3)).toBe((1 + 4 + 9 + 16 + 25 + 36) / 6);
  });

  it('the release binding converts the same way and still refuses a freed tensor (its ptr throws)', () => {
    const rt = runtime();
    const release = bindKernels(rt.raw.float32, 'float32', false);
    const a = tensor([4], 'float32', 'a', [1, 2, 3, 4]), out = tensor([4], 'float32', 'out');
    release.addTo(out.at(1, 3), a.at(0, 3), a.at(1, 3), 3);
    expect(Array.from(out.read())).toEqual([0, 3, 5, 7]);
    const gone = new WasmTensor([4], 'float32', 'gone');
    gone.free();
    expect(() => release.addTo(out, gone, a, 4)).toThrow(/gone \[4\] has been freed/);
    expect(Object.keys(release).sort()).toEqual(Object.keys(rt.kernels.float32).sort());
    expect(Object.keys(release).sort()).toEqual(Object.keys(rt.raw.float32).sort());
  });
});

describe('debug checks', () => {
  it('are on in the debug core and off in the release core (their debug_checks export)', async () => {
    expect(runtime().debug).toBe(true);
    const flag = async (file: string) => {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
      const { instance } = await WebAssembly.instantiate(readFileSync(new URL(`../../build/${file}`, import.meta.url)), { env: { memory, abort() {} } });
      return (instance.exports.debug_checks as () => number)();
    };
    expect(await flag('simdnet.debug.wasm')).toBe(1);
    expect(await flag('simdnet.release.wasm')).toBe(0);
  });

  const gemmArgs = (m: number, n: number, kk: number) => {
    const k = runtime().kernels.float32;
    return {
      a: tensor([m, kk], 'float32', 'lhs', range(m * kk)),
      b: tensor([kk, n], 'float32', 'rhs', range(kk * n)),
      c: tensor([m, n], 'float32', 'product', range(m * n)),
      // room for the products of the refused calls below too, so that their error is about the operand
      work: tensor([Math.ceil(k.gemmWorkBytes(m + 4, n + 4, kk + 4) / 4)], 'int32', 'workspace'),
    };
  };

  it('refuse a tensor of another dtype, naming the kernel, the argument and the tensor', () => {
    const k = runtime().kernels.float32;
    const { a, b, c, work } = gemmArgs(4, 5, 7);
    const a64 = tensor([4, 7], 'float64', 'wide lhs');
    expect(() => k.gemm(c, work, a64, b, 4, 5, 7, false, false, false)).toThrow(/^gemm: argument a must be float32, got wide lhs \[4, 7\] \(float64\)/);
    const logits = tensor([3, 2], 'float32', 'logits'), fakeLabels = tensor([3], 'float32', 'labels as floats');
    expect(() => k.softmaxXent(null, logits, fakeLabels, null, 3, 2)).toThrow(/^softmaxXent: argument labels must be int32, got labels as floats \[3\]/);
    expect(() => k.gemm(c, work, a, b, 4, 5, 7, false, false, false)).not.toThrow();
  });

  it('refuse a freed tensor, null where the kernel needs a buffer, and raw addresses', () => {
    const k = runtime().kernels.float32;
    const { a, b, c, work } = gemmArgs(2, 2, 2);
    const gone = new WasmTensor([2, 2], 'float32', 'old lhs');
    gone.free();
    expect(() => k.gemm(c, work, gone, b, 2, 2, 2, false, false, false)).toThrow(/^gemm: argument a is old lhs \[2, 2\], which has been freed/);
    expect(() => k.gemm(c, work, null as unknown as Operand, b, 2, 2, 2, false, false, false)).toThrow(/^gemm: argument a must be a WasmTensor or a view of one, got null/);
    expect(() => k.gemm(c, work, a.ptr as unknown as Operand, b, 2, 2, 2, false, false, false)).toThrow(/got the number \d+ \(a raw address\?/);
  });

  it('refuse buffers smaller than the sizes ask for: gemm operands, workspace, elementwise n, rows·cols, views', () => {
    const k = runtime().kernels.float32;
    const { a, b, c, work } = gemmArgs(4, 5, 7);
    const before = Array.from(c.read());
    expect(() => k.gemm(c, work, a, b, 4, 5, 8, false, false, false)).toThrow(/^gemm: argument a is lhs \[4, 7\] with 28 elements; the call needs 32 \(sizes 4, 5, 8/);
    expect(() => k.gemm(c, work, a, b, 5, 5, 7, true, false, false)).toThrow(/argument c is product \[4, 5\] with 20 elements; the call needs 25/);
    const small = tensor([2], 'int32', 'tiny workspace');
    expect(() => k.gemm(c, small, a, b, 4, 5, 7, false, false, false)).toThrow(/argument work is tiny workspace \[2\] with 8 bytes; the call needs \d+/);
    expect(Array.from(c.read())).toEqual(before); // refused before the kernel ran
    const x = tensor([10], 'float32', 'x');
    expect(() => k.addTo(x, x, x, 11)).toThrow(/^addTo: argument out is x \[10\] with 10 elements; the call needs 11/);
    expect(() => k.biasAct(x, x, tensor([4], 'float32', 'bias'), 2, 5, 0, 0)).toThrow(/^biasAct: argument bias is bias \[4\] with 4 elements; the call needs 5/);
    expect(() => k.addTo(x.at(6), x, x, 5)).toThrow(/^addTo: argument out is elements \[6, 10\) of x \[10\] with 4 elements; the call needs 5/);
    const state = tensor([3], 'int32', 'short state');
    expect(() => k.rngUniform(x, state, 10, 0, 1)).toThrow(/^rngUniform: argument state is short state \[3\] with 3 elements; the call needs 4/);
  });

  it('refuse an output that overlaps an input the kernel says it must not alias, and allow the aliasing it permits', () => {
    const k = runtime().kernels.float32;
    const { b, c, work } = gemmArgs(4, 4, 4);
    expect(() => k.gemm(c, work, c, b, 4, 4, 4, false, false, false)).toThrow(/^gemm: argument c \(product \[4, 4\]\) overlaps argument a \(product \[4, 4\]\); the kernel's c must not alias its other arguments/);
    const big = tensor([40], 'float32', 'block');
    expect(() => k.gemm(big.at(0, 16), work, big.at(12, 16), b, 4, 4, 4, false, false, false)).toThrow(/overlaps argument a \(elements \[12, 28\) of block \[40\]\)/);
    k.gemm(big.at(0, 16), work, big.at(16, 16), b, 4, 4, 4, false, false, false); // adjacent windows are fine
    const x = tensor([8], 'float32', 'x', range(8));
    k.addTo(x, x, x, 8); // merge kernels may write in place
    expect(Array.from(x.read())).toEqual(range(8).map((v) => 2 * v));
    const y = tensor([8], 'float32', 'y');
    expect(() => k.swapAxes(x.at(2, 4), x.at(0, 4), 2, 2, 1)).toThrow(/^swapAxes: argument out .* overlaps argument x/);
    k.swapAxes(y, x, 2, 4, 1);
  });

  it('cover every kernel of the tensor level', () => {
    const rt = runtime();
    // every kernel of the debug object runs the checks: a number where its first buffer goes is refused
    for (const [name, fn] of Object.entries(rt.kernels.float32)) {
      if (typeof fn !== 'function' || name.endsWith('WorkBytes')) continue;
      expect(() => (fn as (...a: unknown[]) => unknown)(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), name).toThrow(new RegExp(`^${name}: argument \\w+ must be a WasmTensor`));
    }
  });
});
