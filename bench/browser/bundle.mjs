// Bundles the bench page (browser/page.mjs: the cell host, the workloads and the browser
// contenders with tfjs, jax-js and ConvNetJS) with esbuild into bench/browser/.build/<pid>/,
// and the Firefox client of the browser tests (tests/browser/firefox.ts) into a module the
// harness can import. Generated on every run (~1 s) in a folder of the run's own (so that
// two runs, or a run and the tests, do not clash), deleted at its end, never committed.
//
// In the page, four of the harness's Node-only modules are replaced by browser ones:
//   contenders.mjs       → browser/contenders.mjs  (how each library loads in a page)
//   lib/mnist.mjs        → browser/mnist.mjs       (digits fetched from the server)
//   lib/assets.mjs       → browser/assets.mjs      (the simdnet release wasm, fetched)
//   lib/torch-cells.mjs  → browser/no-torch.mjs    (PyTorch is native: Node run only)
// so the workloads run unchanged. Each library is a chunk of its own (dynamic imports,
// code splitting): a page loads only its contender's. simdnet is not bundled: the page
// imports dist/simdnet.browser.mjs, the file users get.

import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bench = join(here, '..');
const root = join(bench, '..');
const BUILD_ROOT = join(here, '.build');
const require = createRequire(import.meta.url);

const REPLACED = {
  [join(bench, 'contenders.mjs')]: join(here, 'contenders.mjs'),
  [join(bench, 'lib/mnist.mjs')]: join(here, 'mnist.mjs'),
  [join(bench, 'lib/assets.mjs')]: join(here, 'assets.mjs'),
  [join(bench, 'lib/torch-cells.mjs')]: join(here, 'no-torch.mjs'),
};

const versionOf = (pkgJson) => JSON.parse(readFileSync(pkgJson, 'utf8')).version;

/**
 * Writes .build/<pid>/page.mjs (and its chunks) and .build/<pid>/firefox.mjs; returns the
 * folder and their paths. (Inside the repository: firefox.mjs imports `ws` from its node_modules.)
 */
export async function bundlePage() {
  const BUILD_DIR = join(BUILD_ROOT, String(process.pid));
  rmSync(BUILD_DIR, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  const versions = {
    simdnet: versionOf(join(root, 'package.json')),
    jax: versionOf(join(root, 'node_modules/@jax-js/jax/package.json')),
    convnetjs: versionOf(require.resolve('convnetjs/package.json')),
  };
  await build({
    entryPoints: { page: join(here, 'page.mjs') },
    outdir: BUILD_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outExtension: { '.js': '.mjs' },
    define: { __BENCH_VERSIONS__: JSON.stringify(versions) },
    logLevel: 'error',
    plugins: [{
      name: 'browser-stand-ins',
      setup(b) {
        b.onResolve({ filter: /\.mjs$/ }, (args) => {
          if (!args.path.startsWith('.')) return undefined;
          const to = REPLACED[resolve(args.resolveDir, args.path)];
          return to ? { path: to } : undefined;
        });
      },
    }],
  });
  // The Firefox client is TypeScript; Node 20 cannot import it as is. Its one package
  // import (ws) stays external and resolves from the repository's node_modules.
  await build({
    entryPoints: { firefox: join(root, 'tests/browser/firefox.ts') },
    outdir: BUILD_DIR,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node18',
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  return { dir: BUILD_DIR, page: join(BUILD_DIR, 'page.mjs'), firefox: join(BUILD_DIR, 'firefox.mjs') };
}
