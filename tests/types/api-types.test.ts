// Runs the repo's TypeScript compiler on tests/types/api-types.ts (strict, noEmit): the
// file must type-check, which also proves every `@ts-expect-error` in it is needed (an
// unused one is error TS2578). Variants in a temp directory show the check is not vacuous:
// without the directives tsc reports an error on exactly the lines they guarded.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const source = readFileSync(join(here, 'api-types.ts'), 'utf8');
const config = JSON.parse(readFileSync(join(here, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown>; include: string[] };
const tmp = mkdtempSync(join(tmpdir(), 'simdnet-types-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Type-checks `text` as a copy of api-types.ts in the temp directory (same options). */
function check(name: string, text: string): { status: number | null; out: string; errorLines: number[] } {
  const src = text.replaceAll("'../../src/index.js'", JSON.stringify(join(root, 'src', 'index.js')));
  writeFileSync(join(tmp, `${name}.ts`), src);
  const project = join(tmp, `${name}.tsconfig.json`);
  writeFileSync(project, JSON.stringify({
    compilerOptions: { ...config.compilerOptions, typeRoots: [join(root, 'node_modules', '@types')] },
    include: [`${name}.ts`],
  }));
  const r = run(['-p', project]);
  const errorLines = [...r.out.matchAll(new RegExp(`${name}\\.ts\\((\\d+),\\d+\\): error`, 'g'))].map((m) => Number(m[1]));
  return { ...r, errorLines };
}

const lines = source.split('\n');
const directives = lines.flatMap((l, i) => (l.trim().startsWith('// @ts-expect-error') ? [i] : []));

describe('public API types', () => {
  it('the repo tsc is TypeScript 7 and takes -p', () => {
    const v = run(['--version']);
    expect(v.status).toBe(0);
    expect(v.out).toMatch(/Version 7\./);
    expect(run(['--help']).out).toMatch(/-p/);
  });

  it('tests/types/api-types.ts type-checks (strict, noEmit); every @ts-expect-error is needed', () => {
    expect(config.compilerOptions).toMatchObject({ strict: true, noEmit: true, moduleResolution: 'Bundler' });
    expect(config.include).toEqual(['api-types.ts']);
    const r = run(['-p', join(here, 'tsconfig.json')]);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
    expect(directives.length).toBeGreaterThanOrEqual(16);
  });

  it('without the @ts-expect-error lines tsc reports an error on each line they guarded, and only there', () => {
    const kept = lines.filter((_, i) => !directives.includes(i));
    // line (1-based) in the copy of the statement that followed each directive
    const guarded = directives.map((d, k) => d + 1 - k);
    const r = check('no-directives', kept.join('\n'));
    expect(r.status).not.toBe(0);
    expect([...new Set(r.errorLines)].sort((a, b) => a - b)).toEqual(guarded);
  });

  it('a copy without one @ts-expect-error line fails, naming the wrong loss', () => {
    const first = directives[0];
    expect(lines[first + 1]).toMatch(/categoricalCrossEntropy/);
    const r = check('one-removed', lines.filter((_, i) => i !== first).join('\n'));
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/'"categoricalCrossEntropy"' is not assignable/);
    expect(r.errorLines).toEqual([first + 1]);
  });

  it('an @ts-expect-error on a correct line is itself an error (TS2578): the file is really checked', () => {
    const at = lines.findIndex((l) => l.includes("model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy'"));
    expect(at).toBeGreaterThan(0);
    const text = [...lines.slice(0, at), '  // @ts-expect-error', ...lines.slice(at)].join('\n');
    const r = check('extra-directive', text);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/TS2578/);
  });
});
