// The package as a user gets it: `npm pack` of the built dist/ (npm test builds first),
// installed into a blank project in a temp folder with `npm install <tarball> --offline`
// (the package has no runtime dependencies), then used the three ways users use it:
// `import` (ESM), `require` (CommonJS) and TypeScript with module nodenext/node16. The
// programs are in tests/package/consumer/. The git install (`npm install git+…`, which runs
// `prepare` after installing every dev dependency, ~1–1.5 min) is `npm run test:install`
// (scripts/test-install.mjs), which .ci/run runs after npm test.
//
// Never rebuilds dist/: other test files read it while this one runs (pack --ignore-scripts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const consumerSrc = join(root, 'tests/package/consumer');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The child npm must not inherit `npm test`'s own npm_* configuration.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

let tmp = '';
let app = '';
let check: { errors: string[]; files: string[]; tarball: number; sizes: Record<string, { gzip: number }> };

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}) in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

interface Trained { resolved: string; firstLoss: number; lastLoss: number; logits: number[]; reloaded: number[] }

function expectTrained(r: Trained) {
  expect(r.lastLoss).toBeLessThan(r.firstLoss / 10);
  expect(r.logits.map((v) => v > 0)).toEqual([false, true, true, false]); // XOR learned
  expect(r.reloaded).toEqual(r.logits); // io.saveFile/loadFile round trip, bit for bit
}

beforeAll(() => {
  for (const f of ['dist/simdnet.mjs', 'dist/simdnet.cjs', 'dist/simdnet.browser.mjs', 'dist/types/src/index.d.ts', 'dist/types-cjs/src/index.d.cts']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` (npm test does) before tests/package`);
  }
  const built = statSync(join(root, 'dist/simdnet.mjs')).mtimeMs;
  const newer = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && statSync(join(root, 'src', f)).mtimeMs > built);
  if (newer.length) console.warn(`tests/package: dist/ is older than ${newer.length} file(s) in src/ (e.g. src/${newer[0]}); \`npm run build\` first to test them`);

  check = JSON.parse(run(process.execPath, [join(root, 'scripts/check-package.mjs'), '--json'], root));
  tmp = mkdtempSync(join(tmpdir(), 'simdnet-pkg-'));
  const [packed] = JSON.parse(run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], root));
  app = join(tmp, 'app');
  cpSync(consumerSrc, app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'simdnet-consumer', version: '0.0.0', private: true }, null, 2));
  run(npm, ['install', join(tmp, packed.filename), '--offline', '--no-audit', '--no-fund', '--no-package-lock'], app);
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm package', () => {
  it('holds only the bundles, the declarations, README, LICENSE and package.json, within its size budget', () => {
    expect(check.errors).toEqual([]);
    expect(check.files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/simdnet.mjs', 'dist/simdnet.cjs',
      'dist/simdnet.browser.mjs', 'dist/types/src/index.d.ts', 'dist/types-cjs/src/index.d.cts']));
    const installed = readdirSync(join(app, 'node_modules/simdnet'), { recursive: true, encoding: 'utf8' });
    expect(installed).not.toContain('src');
    expect(installed).not.toContain('build');
  });

  let esm: Trained;
  it('import: resolves to dist/simdnet.mjs, init() and training work', () => {
    esm = JSON.parse(run(process.execPath, ['esm.mjs'], app));
    expect(esm.resolved).toMatch(/\/node_modules\/simdnet\/dist\/simdnet\.mjs$/);
    expectTrained(esm);
  }, 60_000);

  it('require: resolves to dist/simdnet.cjs, init() and training work, the same bits as import', () => {
    const cjs: Trained = JSON.parse(run(process.execPath, ['cjs.cjs'], app));
    expect(cjs.resolved).toMatch(/\/node_modules\/simdnet\/dist\/simdnet\.cjs$/);
    expectTrained(cjs);
    expect({ ...cjs, resolved: '' }).toEqual({ ...esm, resolved: '' });
  }, 60_000);

  it('the browser condition resolves to the minified bundle', () => {
    const out = run(process.execPath, ['--conditions=browser', '--input-type=module', '-e', "console.log(import.meta.resolve('simdnet'))"], app);
    expect(out.trim()).toMatch(/\/node_modules\/simdnet\/dist\/simdnet\.browser\.mjs$/);
    const pkg = run(process.execPath, ['-e', "console.log(require('simdnet/package.json').name)"], app);
    expect(pkg.trim()).toBe('simdnet');
  }, 60_000);

  // check.mts imports, check.cts requires; both hold @ts-expect-error lines that fail the
  // check if the declarations degrade to `any`. node16 has no require(esm): it fails if
  // `require` is given the ESM declarations instead of dist/types-cjs.
  it.each(['nodenext', 'node16'])('TypeScript (module %s) type-checks import and require against the declarations', (mode) => {
    const config = join(app, `tsconfig.${mode}.json`);
    writeFileSync(config, JSON.stringify({ extends: './tsconfig.json', compilerOptions: { module: mode, moduleResolution: mode } }));
    const listed = run(process.execPath, [tsc, '-p', config, '--listFiles'], app);
    expect(listed).toContain('node_modules/simdnet/dist/types/src/index.d.ts');
    expect(listed).toContain('node_modules/simdnet/dist/types-cjs/src/index.d.cts');
  }, 60_000);
});

