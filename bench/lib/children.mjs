// The children of run.mjs in Node, Bun and Deno: one process per (workload, contender,
// thread count), each running the cell host (cell-host.mjs), answering one request at a time.
//   node      a fork of worker.mjs (IPC)
//   bun/deno  bun or deno running runtimes/stdio-worker.mjs (one JSON line per message)
// Browsers: browser/session.mjs (one page per child). All give { call(msg), close() }.
//
// Bun and Deno are the `bun` and `deno` npm dev dependencies: their binaries are taken from
// node_modules only (as tests/runtimes/parity.test.ts does), never from the machine.

import { fork, spawn } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { processCpuSeconds } from './proc-cpu.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Marks an answer line of a stdio child; the same string as in runtimes/stdio-worker.mjs. */
const ANSWER_PREFIX = '@@bench ';
/** No single request may take longer (the slowest, tfjs-cpu's CNN repeat, takes ~70 s). */
const CALL_TIMEOUT_MS = 10 * 60_000;

/** One request at a time, answered by `deliver`; a dead child rejects everything. */
class Child {
  constructor(name) {
    this.name = name;
    this.pending = null;
    this.dead = null;
  }
  deliver(m) {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m);
    else p.reject(Object.assign(new Error(m.error), m.status ? { status: m.status } : {}));
  }
  died(why) {
    this.dead ??= `worker ${this.name} ${why}`;
    const p = this.pending;
    this.pending = null;
    if (p) { clearTimeout(p.timer); p.reject(new Error(this.dead)); }
  }
  call(msg) {
    if (this.dead) return Promise.reject(new Error(this.dead));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.died(`did not answer '${msg.cmd}' in ${CALL_TIMEOUT_MS / 1000} s`); this.kill(); }, CALL_TIMEOUT_MS);
      this.pending = { resolve, reject, timer };
      this.send(msg);
    });
  }
  async close() {
    if (!this.dead) await this.call({ cmd: 'exit' }).catch(() => {});
  }
}

/** A Node child: worker.mjs, forked. stdout is ignored (tfjs prints a banner there); stderr is passed on. */
class ForkChild extends Child {
  constructor(name) {
    super(name);
    this.proc = fork(new URL('../worker.mjs', import.meta.url).pathname, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.proc.on('message', (m) => this.deliver(m));
    this.proc.on('exit', (code, signal) => this.died(`exited (${code ?? signal})`));
  }
  send(msg) { this.proc.send(msg); }
  kill() { this.proc.kill('SIGKILL'); }
}

/**
 * A Bun or Deno child: runtimes/stdio-worker.mjs. Lines without the answer prefix are output
 * of the libraries and go to stderr. A repeat's CPU time, when the child cannot tell, is read
 * from /proc for its process (all its threads).
 */
class StdioChild extends Child {
  constructor(name, bin, args) {
    super(name);
    this.proc = spawn(bin, args, {
      cwd: root, stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', DO_NOT_TRACK: '1' },
    });
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      if (line.startsWith(ANSWER_PREFIX)) this.deliver(JSON.parse(line.slice(ANSWER_PREFIX.length)));
      else if (line.trim()) process.stderr.write(`[${name}] ${line}\n`);
    });
    this.proc.on('error', (e) => this.died(`could not start ${bin}: ${e.message}`));
    this.proc.on('exit', (code, signal) => this.died(`exited (${code ?? signal})`));
  }
  send(msg) { this.proc.stdin.write(JSON.stringify(msg) + '\n'); }
  kill() { this.proc.kill('SIGKILL'); }
  async call(msg) {
    if (msg.cmd !== 'repeat') return super.call(msg);
    const cpu0 = processCpuSeconds(this.proc.pid);
    const t = await super.call(msg);
    if (t.cpuSeconds === null) t.cpuSeconds = processCpuSeconds(this.proc.pid) - cpu0;
    return t;
  }
}

/**
 * The runtime's native executable inside node_modules (see runtimeBinary in
 * tests/runtimes/parity.test.ts: bun's postinstall renames its platform package's binary to
 * bun/bin/bun.exe, deno's links it to deno/deno; either place works).
 */
export function runtimeBinary(rt) {
  const { platform, arch } = process;
  const exe = platform === 'win32' ? '.exe' : '';
  const candidates = rt === 'bun'
    ? ['bun/bin/bun.exe', `@oven/bun-${platform === 'win32' ? 'windows' : platform}-${arch === 'arm64' ? 'aarch64' : arch}/bin/bun${exe}`]
    : [`deno/deno${exe}`, `@deno/${platform}-${arch}${platform === 'linux' ? '-glibc' : ''}/deno${exe}`];
  for (const c of candidates) {
    const p = `${root}node_modules/${c}`;
    // More than 1 MB: a real executable, not bun's placeholder script.
    if (existsSync(p) && statSync(p).size > 1_000_000) return p;
  }
  throw new Error(`no ${rt} executable in node_modules (looked for ${candidates.join(', ')}): run \`npm ci\` (the ${rt} dev dependency ships it)`);
}

/** The command line of a Bun or Deno child. */
function stdioCommand(rt) {
  const bin = runtimeBinary(rt);
  const script = fileURLToPath(new URL('../runtimes/stdio-worker.mjs', import.meta.url));
  if (rt === 'bun') return { bin, args: ['--no-install', script] };
  // Deno: packages from node_modules as they are (no config, no lock file, no downloads),
  // read access to the repository and to where node_modules really is (it may be a symlink),
  // no prompts. Nothing else is needed: no network, no writes, no env.
  const modules = realpathSync(`${root}node_modules`);
  return { bin, args: ['run', '--no-config', '--no-lock', '--node-modules-dir=manual', '--no-prompt', `--allow-read=${root},${modules}`, script] };
}

/** The version a runtime binary reports: `bun --version` ("1.4.5"), `deno --version` ("deno 2.9.5 (stable, …)" → "2.9.5"). */
async function versionOf(bin) {
  const { execFileSync } = await import('node:child_process');
  const line = execFileSync(bin, ['--version'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } }).split('\n')[0].trim();
  return line.replace(/^deno\s+/, '').replace(/\s*\(.*$/, '');
}

/**
 * A runtime for run.mjs: { info, spawn(name) → child, close() }.
 * `node` forks worker.mjs; `bun` and `deno` run runtimes/stdio-worker.mjs.
 */
export async function startProcessRuntime(rt) {
  if (rt === 'node') {
    return { info: { id: 'node', version: process.version }, spawn: (name) => new ForkChild(name), close: async () => {} };
  }
  const { bin, args } = stdioCommand(rt);
  const version = await versionOf(bin);
  return { info: { id: rt, version, bin: bin.slice(root.length) }, spawn: (name) => new StdioChild(name, bin, args), close: async () => {} };
}
