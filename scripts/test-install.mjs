// `npm run test:install`: installs simdnet from source the two ways that run its `prepare`
// script, each into a blank project in a temp folder, and runs tests/package/consumer's
// programs (import, require, TypeScript) against the result:
//   1. git:    npm install git+file://<a clone of HEAD>  — npm clones it, installs every dev
//              dependency in the clone, runs `prepare` (= npm run build) and packs it.
//              Run with --strict-allow-scripts, as a future npm will by default: the
//              consumer approves simdnet's prepare, package.json's "allowScripts" approves
//              the dev dependencies' install scripts.
//   2. folder: npm install <the clone> — a symlink; npm runs `prepare` in the folder,
//              which has no build/ or dist/ yet (node_modules is linked to this repo's).
// About 50–90 s (~40 s of CPU on 2 cores) and ~700 MB of temp disk (the dev dependencies,
// from npm's cache when it has them: --prefer-offline), so it is not part of `npm test`,
// where it would compete with the parity tests; .ci/run runs it after npm test.
//
// The clone is of HEAD. Packaging files that differ from HEAD in the work tree (package.json,
// scripts/, LICENSE, .npmignore) are copied over it and committed in the
// throwaway clone, so uncommitted packaging changes are what gets tested; --head tests
// HEAD as it is. Nothing in this repository is changed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const keep = process.argv.includes('--keep');
const tmp = mkdtempSync(join(tmpdir(), 'simdnet-install-'));
const t0 = Date.now();
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

function run(cmd, args, cwd, opts = {}) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}) in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
function git(args, cwd) {
  return run('git', ['-c', 'user.name=test-install', '-c', 'user.email=test-install@invalid', '-c', 'commit.gpgsign=false', ...args], cwd);
}
function assert(ok, message) {
  if (!ok) throw new Error(message);
}

/** A blank project with the consumer programs, then `npm install <spec>`. */
function consumer(name, spec, extra = {}, flags = []) {
  const app = join(tmp, name);
  cpSync(join(root, 'tests/package/consumer'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `simdnet-${name}`, version: '0.0.0', private: true, ...extra }, null, 2));
  const t = Date.now();
  run(npm, ['install', spec, '--prefer-offline', '--no-audit', '--no-fund', ...flags], app);
  console.log(`  npm install ${spec}: ${secs(t)}`);
  return app;
}

/** Runs import, require and tsc in `app` against its node_modules/simdnet. */
function verify(app) {
  const pkgDir = join(app, 'node_modules/simdnet');
  for (const f of ['dist/simdnet.mjs', 'dist/simdnet.cjs', 'dist/simdnet.browser.mjs', 'dist/types/src/index.d.ts', 'dist/types-cjs/src/index.d.cts']) {
    assert(existsSync(join(pkgDir, f)), `${f} is missing from the installed package: prepare did not build it`);
  }
  const results = ['esm.mjs', 'cjs.cjs'].map((program) => {
    const r = JSON.parse(run(process.execPath, [program], app));
    assert(r.lastLoss < r.firstLoss / 10, `${program}: the loss did not fall (${r.firstLoss} → ${r.lastLoss})`);
    assert(JSON.stringify(r.logits.map((v) => v > 0)) === '[false,true,true,false]', `${program}: XOR not learned: ${r.logits}`);
    assert(JSON.stringify(r.reloaded) === JSON.stringify(r.logits), `${program}: saveFile/loadFile changed the predictions`);
    return r;
  });
  assert(results[0].resolved.endsWith('/dist/simdnet.mjs'), `import resolved to ${results[0].resolved}`);
  assert(results[1].resolved.endsWith('/dist/simdnet.cjs'), `require resolved to ${results[1].resolved}`);
  assert(JSON.stringify(results[0].logits) === JSON.stringify(results[1].logits), 'import and require trained different bits');
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app], app);
  console.log('  import, require and tsc (nodenext): ok');
}

try {
  // A clone of HEAD, with the work tree's packaging files over it.
  const src = join(tmp, 'simdnet');
  run('git', ['clone', '--quiet', '--no-local', root, src], tmp);
  if (!process.argv.includes('--head')) {
    const changed = [];
    for (const f of ['package.json', 'LICENSE', '.npmignore', ...readdirSync(join(root, 'scripts')).map((f) => `scripts/${f}`)]) {
      const from = join(root, f), to = join(src, f);
      if (!existsSync(from)) continue;
      if (existsSync(to) && readFileSync(from).equals(readFileSync(to))) continue;
      cpSync(from, to);
      changed.push(f);
    }
    if (changed.length) {
      git(['add', '--', ...changed], src);
      git(['commit', '--quiet', '-m', 'work-tree packaging files'], src);
      console.log(`test-install: HEAD + the work tree's ${changed.join(', ')}`);
    }
  }
  const url = `git+${pathToFileURL(src).href}`;

  console.log('1. git install (installs the dev dependencies, runs prepare)');
  verify(consumer('git-app', url, { allowScripts: { [url]: true } }, ['--strict-allow-scripts']));

  console.log('2. folder install (a fresh clone: no build/ or dist/; runs prepare)');
  assert(!existsSync(join(src, 'dist')) && !existsSync(join(src, 'build')), 'the clone already has build/ or dist/');
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'), 'dir');
  verify(consumer('folder-app', src));
  assert(existsSync(join(src, 'dist/types/src/index.d.ts')), 'prepare did not write the declarations into the folder');

  console.log(`test-install: ok in ${secs(t0)}`);
} catch (e) {
  console.error(`test-install: FAILED after ${secs(t0)}\n${e.message}`);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
