// Checks what `npm pack` would publish (run after `npm run build`; packs with
// --ignore-scripts so that it never rebuilds dist/ under a running test):
//   - only what users need: package.json, README.md, LICENSE, the three bundles and the two
//     declaration trees; every file that package.json's exports/main/module/types names;
//   - size budgets (below); prints the sizes the README's Install section quotes.
// `--json` prints the measurements as JSON (tests/package reads them).
//
// Budgets. Measured at 143cee1 (README "Install"): tarball 320.4 kB, browser bundle 77.3 kB
// gzip -9 (at 5e0ec2f, three commits earlier: 246.7 kB and 59.9 kB). Each bundle inlines the
// whole wasm core as base64, so the tarball is ~3 × (JS + wasm) + declarations and grows ~3×
// as fast as the code. The budgets leave ~25% headroom for normal growth of kernels and API,
// and fail on the accidents that matter: a sizable dependency pulled into the bundles, a
// second copy of the core (e.g. the debug build next to the release one), an inline source
// map — each ≥ ~+90 kB in the tarball. Files that should not ship fail the allowlist (below)
// whatever their size. Raise a budget
// deliberately, in the commit that grows the package, with the README's numbers updated
// (`npm run check:package` prints them).
// Raised once: the lecture toolkit (preprocessing with its eigendecomposition kernels,
// gradCheck, diagnostics, search, ensembles), ONNX and TF.js interchange brought the tarball
// to 395.6 kB and the browser bundle to 97.1 kB (the Node bundles now drop whitespace, which
// saved ~90 kB of the tarball). The new budgets keep ~20% headroom and still trip on a second
// copy of the core (+~40 kB gzip per bundle) or a bundled dependency.
// Raised twice: recurrent layers (simpleRNN, lstm, gru, embedding with their SIMD cell
// kernels: the wasm core went from 66 to 99 kB), the functional API and merge layers, browser
// storage and the HTML report brought the tarball to 518.4 kB and the browser bundle to
// 124.9 kB gzipped. ~10% headroom; a second copy of the core (+49 kB gzip per bundle) still trips both.
// Raised three times: the opt-in relaxed-SIMD core ships as its own module
// (dist/simdnet.relaxed-simd.mjs, +~48 kB gzip: a second core, on purpose, outside the main
// bundles) and threads brought the tarball to ~595 kB.
const TARBALL_BUDGET = 650_000; // bytes, the gzipped .tgz as npm reports it (`size`)
const BROWSER_GZIP_BUDGET = 138_000; // bytes, dist/simdnet.browser.mjs through zlib level 9

import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const errors = [];

for (const f of ['dist/simdnet.mjs', 'dist/simdnet.cjs', 'dist/simdnet.browser.mjs', 'dist/types/src/index.d.ts', 'dist/types-cjs/src/index.d.cts']) {
  if (!existsSync(join(root, f))) {
    console.error(`check-package: ${f} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const [pack] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'],
  { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
const files = pack.files.map((f) => f.path).sort();

const allowed = [
  /^package\.json$/, /^README\.md$/, /^LICENSE$/,
  /^dist\/simdnet\.(mjs|cjs|browser\.mjs|worker\.mjs|relaxed-simd\.mjs)$/,
  /^dist\/types\/.+\.d\.ts$/, /^dist\/types-cjs\/.+\.d\.cts$/,
];
for (const f of files) if (!allowed.some((re) => re.test(f))) errors.push(`unexpected file in the package: ${f}`);

// Every path package.json points users at must be in the tarball.
const targets = new Set();
(function collect(v) {
  if (typeof v === 'string') targets.add(v.replace(/^\.\//, ''));
  else if (v && typeof v === 'object') Object.values(v).forEach(collect);
})([pkg.exports, pkg.main, pkg.module, pkg.types]);
for (const t of targets) if (!files.includes(t)) errors.push(`package.json names ${t}, which the package does not contain`);
for (const f of ['README.md', 'LICENSE', 'package.json']) if (!files.includes(f)) errors.push(`${f} is not in the package`);

// Sizes. The wasm core is the longest string literal of a bundle (base64).
const gz = (buf) => gzipSync(buf, { level: constants.Z_BEST_COMPRESSION }).length;
const sizes = {};
for (const name of ['simdnet.mjs', 'simdnet.cjs', 'simdnet.browser.mjs']) {
  const text = readFileSync(join(root, 'dist', name), 'utf8');
  let longest = '';
  for (const m of text.matchAll(/"([A-Za-z0-9+/=]{1000,})"/g)) if (m[1].length > longest.length) longest = m[1];
  const wasm = Buffer.from(longest, 'base64');
  sizes[name] = {
    bytes: Buffer.byteLength(text), gzip: gz(Buffer.from(text)),
    jsOnlyGzip: gz(Buffer.from(text.replace(longest, ''))), wasmBytes: wasm.length, wasmGzip: gz(wasm),
  };
}
const result = { tarball: pack.size, unpacked: pack.unpackedSize, entries: pack.entryCount, files, sizes,
  budgets: { tarball: TARBALL_BUDGET, browserGzip: BROWSER_GZIP_BUDGET } };
if (pack.size > TARBALL_BUDGET) errors.push(`the tarball is ${pack.size} bytes, over its budget of ${TARBALL_BUDGET} (see scripts/check-package.mjs)`);
if (sizes['simdnet.browser.mjs'].gzip > BROWSER_GZIP_BUDGET) {
  errors.push(`dist/simdnet.browser.mjs is ${sizes['simdnet.browser.mjs'].gzip} bytes gzipped, over its budget of ${BROWSER_GZIP_BUDGET}`);
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ ...result, errors }, null, 2));
} else {
  const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
  console.log(`package: ${pack.entryCount} files, ${kB(pack.size)} packed (budget ${kB(TARBALL_BUDGET)}), ${kB(pack.unpackedSize)} unpacked`);
  for (const [name, s] of Object.entries(sizes)) {
    console.log(`  dist/${name}: ${kB(s.bytes)}, gzip -9 ${kB(s.gzip)} = JS ${kB(s.jsOnlyGzip)} + wasm (base64) ${kB(s.gzip - s.jsOnlyGzip)}`);
  }
  const w = sizes['simdnet.browser.mjs'];
  console.log(`  wasm core: ${kB(w.wasmBytes)}, gzip -9 ${kB(w.wasmGzip)} as a separate file`);
}
if (errors.length) {
  for (const e of errors) console.error(`check-package: ${e}`);
  process.exit(1);
}
