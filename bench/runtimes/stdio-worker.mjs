// Child process of run.mjs under Bun or Deno (`--runtime bun|deno`): the cell host
// (lib/cell-host.mjs) for one contender, on one thread count, for one workload, exactly as
// worker.mjs runs it under Node, with the same contenders.mjs and workloads.
//
// Transport: one JSON message per line on stdin; each answer is one line on stdout that
// starts with ANSWER_PREFIX (anything else on stdout — a library's banner — is not an answer
// and the parent passes it on to its stderr). Node's fork IPC is not used: how much of it
// Bun and Deno implement (and with which serialization) differs, a pipe of lines does not.

import { createInterface } from 'node:readline';
import { CONTENDERS } from '../contenders.mjs';
import { WORKLOADS } from '../workloads/index.mjs';
import { cellHost } from '../lib/cell-host.mjs';

/** Marks an answer line; the same string as in lib/children.mjs. */
const ANSWER_PREFIX = '@@bench ';

const handle = cellHost({ contenders: CONTENDERS, workloads: WORKLOADS, exit: () => process.exit(0) });
const lines = createInterface({ input: process.stdin });
// One message at a time, in order: the parent waits for each answer before it sends the next.
let queue = Promise.resolve();
lines.on('line', (line) => {
  if (!line.trim()) return;
  queue = queue.then(async () => {
    const answer = await handle(JSON.parse(line));
    process.stdout.write(ANSWER_PREFIX + JSON.stringify(answer) + '\n');
  });
});
lines.on('close', () => process.exit(0));
