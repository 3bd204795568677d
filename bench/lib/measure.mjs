// Timing of one benchmark cell: warm up, then timed repeats of whole steps.
//
// NOTE: V8 runs wasm first in its baseline tier (Liftoff) and swaps in optimized code only
// on the *next call* of a function (there is no on-stack replacement for wasm), and JS
// code tiers up the same lazy way. So every contender runs its step until it has both
// been called several times and run for `warmupSeconds`, and a step that is slow on its
// own (≥ 1 s: an epoch, a 1024³ transposed matMul) is still called at least once.
// A cell can ask for more (`minSeconds`: ConvNetJS's per-sample JS needs ~4 s of
// training before its speed settles, longer than one 1.5 s step) or warm up on a cheaper
// step that runs the same code (tfjs-cpu's CNN step takes ~35 s; see worker.mjs).

const now = () => performance.now();

/**
 * Calls `step` until it is warm; returns whether it is async and its last duration.
 * `minSeconds` (optional) replaces both `warmupSeconds` and the one-slow-call rule.
 */
export async function warmUp(step, { warmupSeconds }, minSeconds) {
  const t0 = now();
  let calls = 0, last = 0, isAsync = false;
  for (;;) {
    const s = now();
    const r = step();
    if (r && typeof r.then === 'function') { isAsync = true; await r; }
    last = (now() - s) / 1000;
    calls++;
    const elapsed = (now() - t0) / 1000;
    if (minSeconds !== undefined ? calls >= 1 && elapsed >= minSeconds : last >= 1 || (calls >= 3 && elapsed >= warmupSeconds)) break;
  }
  return { calls, seconds: (now() - t0) / 1000, stepSeconds: last, isAsync };
}

/** One timed repeat: whole steps until at least `minSeconds` have passed. A step is awaited if it returns a promise. */
export async function timeRepeat(step, { minSeconds }) {
  const t0 = now();
  let steps = 0, elapsed = 0;
  do {
    const r = step();
    if (r && typeof r.then === 'function') await r;
    steps++;
    elapsed = (now() - t0) / 1000;
  } while (elapsed < minSeconds);
  return { seconds: elapsed, steps };
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Median of a[i] / b[i] over the rounds both have: a ratio robust to load that drifts between rounds. */
export function pairedRatio(a, b) {
  const n = Math.min(a?.length ?? 0, b?.length ?? 0);
  return median(Array.from({ length: n }, (_, i) => a[i] / b[i]));
}
