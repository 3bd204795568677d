// Bundles src/ into self-contained ES modules with the release wasm inlined:
//   dist/simdnet.mjs          Node, Deno, Bun (package.json exports["."].import)
//   dist/simdnet.browser.mjs  browsers (exports["."].browser), minified
// and writes type declarations to dist/types. No file system or fetch at run time.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// node:fs/promises is imported lazily by io.saveFile/loadFile only: left to the runtime
const common = { entryPoints: [join(root, 'src/index.ts')], bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning', external: ['node:*'] };
await build({ ...common, outfile: join(root, 'dist/simdnet.mjs'), platform: 'neutral' });
await build({ ...common, outfile: join(root, 'dist/simdnet.browser.mjs'), platform: 'browser', minify: true });
if (process.argv.includes('--types')) {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
}
for (const f of ['simdnet.mjs', 'simdnet.browser.mjs']) {
  console.log(`dist/${f}: ${(statSync(join(root, 'dist', f)).size / 1024).toFixed(1)} KiB`);
}
