// Bundles src/ into self-contained modules with the release wasm inlined:
//   dist/simdnet.mjs          Node, Deno, Bun: ESM    (package.json exports["."].import)
//   dist/simdnet.cjs          Node, Deno, Bun: CommonJS (exports["."].require)
//   dist/simdnet.browser.mjs  browsers, minified ESM (exports["."].browser)
//   dist/simdnet.worker.mjs   createTrainer's Worker script, importing ./simdnet.mjs (exports["./worker"])
//   dist/simdnet.relaxed-simd.mjs  the opt-in relaxed-SIMD core (exports["./relaxed-simd"])
// and writes the type declarations:
//   dist/types/**.d.ts        for import (tsc, from tsconfig.json)
//   dist/types-cjs/**.d.cts   for require: the same files, renamed, with './x.js' → './x.cjs'
//                             (a .d.ts in a "type": "module" package declares an ES module,
//                             which TypeScript does not let CommonJS code require under
//                             module node16/node18; the copy adds ~20 kB to the tarball)
// No file system or fetch at run time. Fails on type errors: declarations emitted from code
// that does not type-check would be wrong. (`--types` is accepted and ignored: types are
// always written.)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
// node:fs/promises is imported lazily by io.saveFile/loadFile only: left to the runtime
// (a dynamic import(), which CommonJS code may also use). esbuild refuses top-level await
// in the cjs format, so the CommonJS build also checks that the entry has none.
// NOTE: the Node bundles drop whitespace and fold syntax but keep identifiers, so stack traces
// still name simdnet's functions; the browser bundle is fully minified
const common = { entryPoints: [join(root, 'src/index.ts')], bundle: true, target: 'es2022', logLevel: 'warning', external: ['node:*'] };
const readable = { minifyWhitespace: true, minifySyntax: true, minifyIdentifiers: false, keepNames: true };
await Promise.all([
  build({ ...common, ...readable, format: 'esm', outfile: join(dist, 'simdnet.mjs'), platform: 'neutral' }),
  // import.meta is empty in CommonJS: createTrainer then locates the worker from __filename
  build({ ...common, ...readable, format: 'cjs', outfile: join(dist, 'simdnet.cjs'), platform: 'neutral', logOverride: { 'empty-import-meta': 'silent' } }),
  // callbacks.htmlReport writes a file: the browser bundle gets a stub that says so (-4 kB gzip)
  build({ ...common, format: 'esm', outfile: join(dist, 'simdnet.browser.mjs'), platform: 'browser', minify: true,
    plugins: [{ name: 'node-only', setup: (b) => b.onResolve({ filter: /\/html-report\.js$/ }, () => ({ path: join(root, 'src/toolkit/html-report.browser.ts') })) }] }),
  // The opt-in relaxed-SIMD core (src/relaxed-simd.ts): its own module, so the main bundles
  // carry one core only.
  build({ ...common, ...readable, entryPoints: [join(root, 'src/relaxed-simd.ts')], format: 'esm', outfile: join(dist, 'simdnet.relaxed-simd.mjs'), platform: 'neutral' }),
  // The Worker script of createTrainer (src/worker/worker.ts). It imports the library from
  // ./simdnet.mjs next to it instead of holding a second copy of the core (+~105 kB gzip).
  build({ ...common, ...readable, entryPoints: [join(root, 'src/worker/worker.ts')], format: 'esm', outfile: join(dist, 'simdnet.worker.mjs'), platform: 'neutral',
    plugins: [{ name: 'library', setup: (b) => b.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: './simdnet.mjs', external: true })) }] }),
]);

// Declarations: start from empty folders so that a deleted source leaves no stale .d.ts.
const types = join(dist, 'types'), typesCjs = join(dist, 'types-cjs');
rmSync(types, { recursive: true, force: true });
rmSync(typesCjs, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
} catch {
  console.error('bundle: tsc reported errors (above); the type declarations would be wrong');
  process.exit(1);
}
let count = 0;
for (const file of walk(types)) {
  if (!file.endsWith('.d.ts')) continue;
  const out = join(typesCjs, relative(types, file)).replace(/\.d\.ts$/, '.d.cts');
  const text = readFileSync(file, 'utf8').replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g, '$1$2.cjs$3');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  count++;
}
if (count === 0) throw new Error('bundle: tsc wrote no declarations');

for (const f of ['simdnet.mjs', 'simdnet.cjs', 'simdnet.browser.mjs', 'simdnet.worker.mjs', 'simdnet.relaxed-simd.mjs']) {
  console.log(`dist/${f}: ${(statSync(join(dist, f)).size / 1024).toFixed(1)} KiB`);
}
console.log(`dist/types, dist/types-cjs: ${count} declaration files each`);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
}
