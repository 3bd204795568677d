// Node ⇄ Bun ⇄ Deno bit parity: the seeded training runs of tests/browser/workloads.mjs (the
// same file the Chromium parity test uses) must produce the same bits of weights,
// predictions and losses with dist/simdnet.mjs in Node (this process), in Bun and in Deno.
//
// Bun and Deno are the `bun` and `deno` npm dev dependencies; each runs
// tests/runtimes/run-workloads.mjs as a child process that prints its results as JSON.
// Their binaries are taken from node_modules only (see runtimeBinary): nothing is
// downloaded and no runtime installed on the machine is used. `npm test` builds dist/ first.
//
// Same file, same bits: Node trains the resumable models of workloads.mjs and saves each
// with io.toBytes(model.save()) to a temporary `.simdnet` file; Bun and Deno load those
// files, train on (shuffle, dropout, batch norm, a schedule) and save again, and must match
// Node's continuation of the same bytes bit for bit, the saved files byte for byte
// (tests/browser/resume.ts). SIMDNET_PARITY_FLIP_BIT=1 makes the children flip one bit of
// one weight in each file before resuming: a by-hand check that the resume tests then fail.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { differences, expectNonTrivial, fileDifference, resumeDifferences } from '../browser/compare.js';
import { continueInNode, makeResumeFiles, nodeResumeChecks, type NodeResume } from '../browser/resume.js';
import { WORKLOADS, type ResumeResult, type WorkloadResult } from '../browser/workloads.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundle = `${root}dist/simdnet.mjs`;
const runner = fileURLToPath(new URL('./run-workloads.mjs', import.meta.url));

type Runtime = 'bun' | 'deno';
const RUNTIMES: Runtime[] = ['bun', 'deno'];

/**
 * The runtime's native executable inside node_modules. Each npm package ships its binary in a
 * per-platform optional dependency (@oven/bun-linux-x64, @deno/linux-x64-glibc, …); the
 * packages' postinstall scripts then move or link it: bun's renames
 * @oven/bun-<os>-<arch>/bin/bun to bun/bin/bun.exe (a 450-byte placeholder script until
 * then), deno's hard-links @deno/<os>-<arch>/deno to deno/deno. Looking in both places works
 * whether or not install scripts ran (`npm ci --ignore-scripts`, npm's allowScripts), and
 * never goes through the packages' Node wrappers or to the network. (Without the postinstall,
 * x64 Bun is the AVX2 build: a CPU without AVX2 needs bun's postinstall to pick -baseline.)
 */
function runtimeBinary(rt: Runtime): string {
  const { platform, arch } = process;
  const exe = platform === 'win32' ? '.exe' : '';
  const candidates = rt === 'bun'
    ? [
      'bun/bin/bun.exe', // after postinstall: the build it chose (and ran) for this CPU
      `@oven/bun-${platform === 'win32' ? 'windows' : platform}-${arch === 'arm64' ? 'aarch64' : arch}/bin/bun${exe}`,
    ]
    : [`deno/deno${exe}`, `@deno/${platform}-${arch}${platform === 'linux' ? '-glibc' : ''}/deno${exe}`];
  for (const c of candidates) {
    const p = `${root}node_modules/${c}`;
    // More than 1 MB: a real executable, not bun's placeholder.
    if (existsSync(p) && statSync(p).size > 1_000_000) return p;
  }
  throw new Error(`no ${rt} executable in node_modules (looked for ${candidates.join(', ')}): run \`npm ci\` (the ${rt} dev dependency ships it)`);
}

interface ChildRun { runtime: string; version: string; results: WorkloadResult[]; files: string[]; resume: ResumeResult[] }

function run(rt: Runtime, modelDir: string, modelPaths: string[]): Promise<ChildRun> {
  const bin = runtimeBinary(rt);
  const runnerArgs = [
    ...modelPaths.flatMap((f) => ['--resume', f]),
    ...(process.env.SIMDNET_PARITY_FLIP_BIT === '1' ? ['--flip-bit'] : []),
  ];
  // Deno: read access to the repo and the model files only; no config or lock file discovery, no prompts.
  const args = rt === 'deno'
    ? ['run', `--allow-read=${root},${modelDir}`, '--no-config', '--no-lock', '--no-prompt', runner, ...runnerArgs]
    : ['--no-install', runner, ...runnerArgs];
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', DO_NOT_TRACK: '1' };
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd: root, env, maxBuffer: 256 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${rt} (${bin} ${args.join(' ')}) failed: ${err.message}\nstderr:\n${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as ChildRun);
      } catch (e) {
        reject(new Error(`${rt} printed no JSON (${String(e)})\nstdout starts: ${stdout.slice(0, 500)}\nstderr:\n${stderr}`));
      }
    });
  });
}

type ThreadRuntime = Runtime | 'node';
const THREAD_RUNTIMES: ThreadRuntime[] = ['node', 'bun', 'deno'];
interface ThreadRun { runtime: string; version: string; threads: number; results: WorkloadResult[] }

/** The workloads again in a child process with 2 threads, every threaded kernel split (run-workloads --threads). */
function runThreaded(rt: ThreadRuntime): Promise<ThreadRun> {
  const bin = rt === 'node' ? process.execPath : runtimeBinary(rt);
  const args = rt === 'deno'
    ? ['run', `--allow-read=${root}`, '--no-config', '--no-lock', '--no-prompt', runner, '--threads', '2']
    : rt === 'bun' ? ['--no-install', runner, '--threads', '2'] : [runner, '--threads', '2'];
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', DO_NOT_TRACK: '1' };
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd: root, env, maxBuffer: 256 << 20, timeout: 90_000 }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`${rt} --threads 2 failed: ${err.message}\nstderr:\n${stderr}`)); return; }
      try { resolve(JSON.parse(stdout) as ThreadRun); } catch (e) { reject(new Error(`${rt} --threads 2 printed no JSON (${String(e)})\nstderr:\n${stderr}`)); }
    });
  });
}

const threaded: Partial<Record<ThreadRuntime, ThreadRun>> = {};
const threadFailures: Partial<Record<ThreadRuntime, string>> = {};

let nodeResults: WorkloadResult[] = [];
let nodeResume: NodeResume | undefined;
let resumeNames: string[] = [];
let resumeFiles: string[] = [];
let resumeDir = '';
const children: Partial<Record<Runtime, ChildRun>> = {};
const failures: Partial<Record<Runtime, string>> = {};

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first (npm test does it for you)`);
  // Node side: the release bundle, a module instance separate from the debug build of setup.ts.
  const { runAll } = await import('../browser/workloads.mjs');
  const lib = await import(/* @vite-ignore */ pathToFileURL(bundle).href);
  // The model files first: Bun and Deno resume from them.
  const made = await makeResumeFiles(lib);
  resumeNames = made.names;
  resumeFiles = made.files.map((b) => Buffer.from(b).toString('base64'));
  resumeDir = mkdtempSync(join(tmpdir(), 'simdnet-parity-'));
  const paths = made.files.map((bytes, i) => {
    const p = join(resumeDir, `resume-${i}.simdnet`);
    writeFileSync(p, bytes);
    return p;
  });
  // Bun and Deno start now and run alongside the rest of the Node side.
  const pending = RUNTIMES.map((rt) => run(rt, resumeDir, paths).then(
    (r) => { children[rt] = r; },
    (e: unknown) => { failures[rt] = e instanceof Error ? e.message : String(e); },
  ));
  nodeResults = await runAll(lib);
  nodeResume = await continueInNode(lib, made);
  await Promise.all(pending);
  // then the threaded runs, one runtime at a time (each uses both cores)
  for (const rt of THREAD_RUNTIMES) {
    await runThreaded(rt).then((r) => { threaded[rt] = r; }, (e: unknown) => { threadFailures[rt] = e instanceof Error ? e.message : String(e); });
  }
}, 240_000);

afterAll(() => {
  if (resumeDir) rmSync(resumeDir, { recursive: true, force: true });
});


for (const rt of RUNTIMES) {
  describe(`Node and ${rt} train to the same bits`, () => {
    it(`${rt} ran the same workloads`, () => {
      expect(failures[rt], `${rt} run failed`).toBeUndefined();
      const c = children[rt]!;
      expect(c.runtime).toBe(rt);
      expect(c.results.map((r) => r.name)).toEqual(nodeResults.map((r) => r.name));
      expect(nodeResults.length).toBe(WORKLOADS.length);
    });

    for (const idx of WORKLOADS.map((_, i) => i)) {
      it(`workload ${idx}: weights, predictions and losses are bit-identical in ${rt}`, () => {
        expect(failures[rt], `${rt} run failed`).toBeUndefined();
        const n = nodeResults[idx], c = children[rt]!.results[idx];
        expect(n, 'node result').toBeDefined();
        expect(c, `${rt} result`).toBeDefined();
        expect(differences(n, c, rt), `${n.name}: Node ${process.version} vs ${rt} ${children[rt]!.version}`).toEqual([]);
      });
    }
  });

  describe(`a model file saved in Node trains on to the same bits in ${rt}`, () => {
    it(`${rt} resumed every file`, () => {
      expect(failures[rt], `${rt} run failed`).toBeUndefined();
      expect(resumeNames.length).toBe(2);
      expect(children[rt]!.resume.map((r) => r.name)).toEqual(resumeNames);
    });

    for (const idx of [0, 1]) {
      it(`file ${idx}: ${rt} writes the same file after the same training`, () => {
        expect(failures[rt], `${rt} run failed`).toBeUndefined();
        expect(fileDifference('model file', rt, resumeFiles[idx], children[rt]!.files[idx])).toBe('');
      });

      it(`file ${idx}: predictions after load, continued training and the file it saves are bit-identical in ${rt}`, () => {
        expect(failures[rt], `${rt} run failed`).toBeUndefined();
        const n = nodeResume?.fromFile[idx], c = children[rt]!.resume[idx];
        expect(n, 'node result').toBeDefined();
        expect(c, `${rt} result`).toBeDefined();
        expect(resumeDifferences(n!, c, rt), `${n!.name}: Node ${process.version} vs ${rt} ${children[rt]!.version}`).toEqual([]);
      });
    }
  });
}

for (const rt of THREAD_RUNTIMES) {
  describe(`${rt} with 2 threads (every threaded kernel split) trains to Node's one-thread bits`, () => {
    it(`${rt} ran the workloads on 2 threads`, () => {
      expect(threadFailures[rt], `${rt} --threads 2 failed`).toBeUndefined();
      expect(threaded[rt]!.threads).toBe(2);
      expect(threaded[rt]!.results.map((r) => r.name)).toEqual(nodeResults.map((r) => r.name));
    });
    for (const idx of WORKLOADS.map((_, i) => i)) {
      it(`workload ${idx}: bit-identical`, () => {
        expect(threadFailures[rt], `${rt} --threads 2 failed`).toBeUndefined();
        const n = nodeResults[idx], c = threaded[rt]!.results[idx];
        expect(differences(n, c, `${rt} (2 threads)`), `${n.name}: Node, one thread, vs ${rt} ${threaded[rt]!.version}, 2 threads`).toEqual([]);
      });
    }
  });
}

describe('resuming from a file in Node (what the other runtimes are compared with)', () => {
  nodeResumeChecks(() => nodeResume);
});

describe('the compared runs are non-trivial', () => {
  for (const idx of WORKLOADS.map((_, i) => i)) {
    it(`workload ${idx}: training moved every weight, loss fell, predictions vary`, () => {
      const r = nodeResults[idx];
      expect(r, 'node result').toBeDefined();
      expectNonTrivial(r);
    });
  }
});
