// Child process of run.mjs: loads one contender, on one thread count, for one workload; sets
// up (and warms up) every case the parent asks for, then runs timed repeats of any of them
// on request. Each answer is plain JSON over IPC.
//   load → prepare(case)… → repeat(case)… → finish(case)… → exit
// A cell (what a workload's setup returns) may also carry
//   warmup: { step?, minSeconds? }  warm up on a cheaper step running the same code, and/or
//                                   for at least minSeconds (see lib/measure.mjs)
//   repeats                         timed repeats for this cell, instead of the settings'
// An error a setup (or the contender's load) throws with a `status` (e.g. 'cannot train',
// 'not installed', 'no threads') is reported as that status and its message, not as a crash.
// A repeat also reports the CPU seconds the contender's engine used (ctx.cpuSeconds()).

import { CONTENDERS } from './contenders.mjs';
import { WORKLOADS } from './workloads/index.mjs';
import { warmUp, timeRepeat } from './lib/measure.mjs';

let ctx = null, workload = null, settings = null;
/** caseId → { step, work, check?, dispose?, warmup?, repeats?, warm } */
const cells = new Map();

const handlers = {
  async load(msg) {
    workload = WORKLOADS.find((w) => w.id === msg.workload);
    if (!workload) throw new Error(`unknown workload ${msg.workload}`);
    settings = msg.settings;
    ctx = await CONTENDERS[msg.contender].load(msg.threads);
    ctx.contender = msg.contender;
    ctx.threads = msg.threads;
    return { info: ctx.info };
  },
  async prepare({ caseId }) {
    const c = workload.cases.find((x) => x.id === caseId);
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
    return { ...t, cpuSeconds: ctx.cpuSeconds() - cpu0 };
  },
  async finish({ caseId }) {
    const cell = cells.get(caseId);
    cells.delete(caseId);
    const check = cell.check ? await cell.check() : null;
    await cell.dispose?.();
    return { check };
  },
  async exit() {
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', async (msg) => {
  try {
    process.send({ ok: true, ...(await handlers[msg.cmd](msg)) });
  } catch (e) {
    process.send(e?.status ? { ok: false, status: e.status, error: String(e.message) } : { ok: false, error: String(e?.stack ?? e) });
  }
});
