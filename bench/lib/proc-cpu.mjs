// CPU seconds of processes, read from Linux's /proc by the parent: for a Bun or Deno child (its
// own process, all threads), and for a browser (every process the bench started: Chromium's or
// Firefox's renderer, GPU and utility processes, whose workers are threads of the renderer).
// Elsewhere (no /proc) both return NaN and the harness reports no CPU use for those cells.
//
// /proc/<pid>/stat fields 14 and 15 are utime and stime in clock ticks, summed over all the
// process's threads (proc(5)); the command name (field 2) may hold spaces and parentheses,
// so the fields are counted from its closing ')'.

import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticks = 0;
/** Clock ticks per second (USER_HZ, 100 on Linux almost everywhere). */
function clockTicks() {
  if (!ticks) {
    try { ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100; } catch { ticks = 100; }
  }
  return ticks;
}

/** { ppid, seconds } of one process, or null when it is gone (or there is no /proc). */
function stat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): field n is f[n - 3]
    return { ppid: Number(f[1]), seconds: (Number(f[11]) + Number(f[12])) / clockTicks() };
  } catch {
    return null;
  }
}

/** CPU seconds used so far by process `pid` (all its threads). */
export function processCpuSeconds(pid) {
  return stat(pid)?.seconds ?? NaN;
}

/** CPU seconds used so far by every live descendant of process `pid` (not `pid` itself). */
export function descendantsCpuSeconds(pid) {
  let pids;
  try { pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number); } catch { return NaN; }
  const children = new Map();
  const seconds = new Map();
  for (const p of pids) {
    const s = stat(p);
    if (!s) continue;
    seconds.set(p, s.seconds);
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(p);
  }
  let total = 0;
  const todo = [...(children.get(pid) ?? [])];
  while (todo.length) {
    const p = todo.pop();
    total += seconds.get(p) ?? 0;
    todo.push(...(children.get(p) ?? []));
  }
  return total;
}
