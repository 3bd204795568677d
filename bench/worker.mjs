// Child process of run.mjs under Node (forked, IPC): the cell host (lib/cell-host.mjs) for one
// contender, on one thread count, for one workload. Bun and Deno children run
// runtimes/stdio-worker.mjs instead, browsers browser/page.mjs: the same host.

import { CONTENDERS } from './contenders.mjs';
import { WORKLOADS } from './workloads/index.mjs';
import { cellHost } from './lib/cell-host.mjs';

const handle = cellHost({ contenders: CONTENDERS, workloads: WORKLOADS, exit: () => process.exit(0) });
process.on('message', async (msg) => process.send(await handle(msg)));
