// The opt-in relaxed-SIMD core (simdnet/relaxed-simd, dist/simdnet.relaxed-simd.mjs): chosen by
// WebAssembly.validate, a real FMA build (its products differ from the default core's in the
// last bits, both within f32 rounding of an f64 oracle), and still the same bits for any
// thread count on one machine. Node 20 validates relaxed SIMD only with
// --experimental-wasm-relaxed-simd: the checks run in child processes with and without it.

import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../..', import.meta.url);
const dist = new URL('dist/simdnet.mjs', root).href;
const relaxed = new URL('dist/simdnet.relaxed-simd.mjs', root).href;

const SCRIPT = `
const { relaxedSimdWasm } = await import(${JSON.stringify(relaxed)});
const bytes = relaxedSimdWasm();
if (!bytes) { console.log(JSON.stringify({ supported: false })); process.exit(0); }
// two module instances: the default core and the relaxed one, each with its own memory
const d = await import(${JSON.stringify(dist)} + '?default');
const r = await import(${JSON.stringify(dist)} + '?relaxed');
const rd = await d.init(), rr = await r.init({ wasm: bytes, threads: 2 });
let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const [m, n, k] = [37, 45, 300];
const A = Float64Array.from({ length: m * k }, rnd), B = Float64Array.from({ length: k * n }, rnd);
const out = {};
for (const [name, rt] of [['default', rd], ['relaxed', rr]]) {
  const ex = rt.exports, f = (p, a) => new Float32Array(rt.arena.buffer, p, a.length).set(a);
  const w = rt.arena.alloc(ex.gemm_work_bytes_f32(m, n, k) >>> 0), pa = rt.arena.alloc(m * k * 4), pb = rt.arena.alloc(k * n * 4), pc = rt.arena.alloc(m * n * 4);
  f(pa, A); f(pb, B);
  ex.gemm_f32(pc, w, pa, pb, m, n, k, 0, 0, 0);
  out[name] = Array.from(new Float32Array(rt.arena.buffer, pc, m * n));
}
const Af = Float32Array.from(A), Bf = Float32Array.from(B);
let worst = { default: 0, relaxed: 0 }, differ = 0;
for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
  let ref = 0, mag = 0;
  for (let q = 0; q < k; q++) { ref += Af[i * k + q] * Bf[q * n + j]; mag += Math.abs(Af[i * k + q] * Bf[q * n + j]); }
  for (const name of ['default', 'relaxed']) worst[name] = Math.max(worst[name], Math.abs(out[name][i * n + j] - ref) / mag);
  if (out.default[i * n + j] !== out.relaxed[i * n + j]) differ++;
}
// the relaxed core trained on 1 and on 2 threads: the same bits
const train = async (threads) => {
  await r.init({ threads });
  const model = new r.Sequential({ seed: 3 });
  model.add(r.layers.dense({ units: 64, activation: 'relu', inputShape: [96] }));
  model.add(r.layers.dense({ units: 5, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const x = Float32Array.from({ length: 128 * 96 }, rnd), y = Int32Array.from({ length: 128 }, (_, i) => i % 5);
  rr.minParallelFlops = 0; rr.minSplitWork = 0;
  for (let i = 0; i < 5; i++) model.trainOnBatch(x, y);
  return Array.from(new Uint32Array(model.getWeights()[0].data.buffer));
};
s = 11; const one = await train(1);
s = 11; const two = await train(2);
console.log(JSON.stringify({ supported: true, worst, differ, cells: m * n, sameAcrossThreads: one.every((v, i) => v === two[i]) }));
`;

function run(flags: string[]): Record<string, unknown> {
  const outText = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', SCRIPT], { encoding: 'utf8' });
  return JSON.parse(outText.trim().split('\n').pop()!);
}

describe('the relaxed-SIMD core', () => {
  it('is offered exactly when the engine validates it', () => {
    const bytes = readFileSync(new URL('build/simdnet.relaxed.wasm', root));
    expect(run([]).supported).toBe(WebAssembly.validate(bytes));
  });

  it('fuses the multiply-add (last bits differ from the default core, both within f32 rounding), and any thread count gives its same bits', () => {
    const r = run(['--experimental-wasm-relaxed-simd']);
    expect(r.supported).toBe(true);
    const worst = r.worst as { default: number; relaxed: number };
    // k = 300 products in f32: (k + 2)·2⁻²⁴ ≈ 1.8e-5 of Σ|a·b| bounds either order of rounding
    expect(worst.default).toBeLessThan(1.8e-5);
    expect(worst.relaxed).toBeLessThan(1.8e-5);
    expect(r.differ as number, 'elements where the FMA build differs from the default build').toBeGreaterThan((r.cells as number) / 10);
    expect(r.sameAcrossThreads).toBe(true);
  });
});
