// The child side of the harness, whatever carries the messages: it loads one contender, on
// one thread count, for one workload; sets up (and warms up) every case the parent asks for,
// then runs timed repeats of any of them on request. Each answer is plain JSON.
//   load → prepare(case)… → repeat(case)… → finish(case)… → exit
// The transports around it: worker.mjs (a Node child process, IPC), runtimes/stdio-worker.mjs
// (Bun and Deno: one JSON line per message on stdin/stdout), browser/page.mjs (a page in
// Chromium or Firefox: the parent calls window.__bench(msg)).
//
// A cell (what a workload's setup returns) may also carry
//   warmup: { step?, minSeconds? }  warm up on a cheaper step running the same code, and/or
//                                   for at least minSeconds (see measure.mjs)
//   repeats                         timed repeats for this cell, instead of the settings'
// An error a setup (or the contender's load) throws with a `status` (e.g. 'cannot train',
// 'not installed', 'no threads') is reported as that status and its message, not as a crash.
// A repeat also reports the CPU seconds the contender's engine used (ctx.cpuSeconds(); null
// where the runtime cannot say, in browsers: the parent then measures the browser's processes).

import { warmUp, timeRepeat } from './measure.mjs';

/**
 * Returns handle(msg) → Promise<answer>: { ok: true, … } or { ok: false, error, status? }.
 * `exit()` is called (after the answer is sent) when the parent says goodbye.
 */
export function cellHost({ contenders, workloads, exit }) {
  let ctx = null, workload = null, settings = null;
  /** caseId → { step, work, check?, dispose?, warmup?, repeats?, warm } */
  const cells = new Map();

  const handlers = {
    async load(msg) {
      workload = workloads.find((w) => w.id === msg.workload);
      if (!workload) throw new Error(`unknown workload ${msg.workload}`);
      if (!contenders[msg.contender]) throw new Error(`unknown contender ${msg.contender}`);
      settings = msg.settings;
      ctx = await contenders[msg.contender].load(msg.threads);
      ctx.contender = msg.contender;
      ctx.threads = msg.threads;
      return { info: ctx.info };
    },
    async prepare({ caseId }) {
      const c = workload.cases.find((x) => x.id === caseId);
      if (!c) throw new Error(`unknown case ${caseId} in ${workload.id}`);
      const cell = await workload.setup[ctx.contender](ctx, c, settings);
      cells.set(caseId, cell);
      cell.warm = await warmUp(cell.warmup?.step ?? cell.step, settings, cell.warmup?.minSeconds);
      if (cell.warmup?.step) cell.warm.cheaperStep = true;
      return { warmup: cell.warm, work: cell.work, repeats: cell.repeats };
    },
    async repeat({ caseId }) {
      const cell = cells.get(caseId);
      const cpu0 = ctx.cpuSeconds();
      const t = await timeRepeat(cell.step, settings);
      const cpu = ctx.cpuSeconds() - cpu0;
      return { ...t, cpuSeconds: Number.isFinite(cpu) ? cpu : null };
    },
    async finish({ caseId }) {
      const cell = cells.get(caseId);
      cells.delete(caseId);
      const check = cell.check ? await cell.check() : null;
      await cell.dispose?.();
      return { check };
    },
    async exit() {
      setTimeout(exit, 0);
      return {};
    },
  };

  return async function handle(msg) {
    try {
      const h = handlers[msg?.cmd];
      if (!h) throw new Error(`unknown command ${msg?.cmd}`);
      return { ok: true, ...(await h(msg)) };
    } catch (e) {
      return e?.status ? { ok: false, status: e.status, error: String(e.message) } : { ok: false, error: String(e?.stack ?? e) };
    }
  };
}
