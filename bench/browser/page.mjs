// The bench page's script (bundled by browser/bundle.mjs): the cell host (lib/cell-host.mjs)
// over the browser contenders and the workloads, as window.__bench(msg) → Promise<answer>.
// Each page is one child of run.mjs: one contender, one thread count, one workload.

import { CONTENDERS } from './contenders.mjs';
import { WORKLOADS } from '../workloads/index.mjs';
import { cellHost } from '../lib/cell-host.mjs';

window.__bench = cellHost({ contenders: CONTENDERS, workloads: WORKLOADS, exit: () => {} });
window.__benchReady = true;
