// The lectures runner's contract (lectures/lib/runner.mjs), with injected tiny experiments —
// the real experiments train networks for minutes and never run inside `npm test`:
// an unknown name lists the known ones; an --out that cannot be written is an Error before
// anything runs; an experiment that throws is reported as failed while the others still
// run; REPORT.md has one section per experiment with its figure, numbers and claims table.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without type declarations
import { main, runLectures, EXPERIMENTS, parseArgs } from '../../lectures/lib/runner.mjs';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'lectures-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A tiny experiment that records whether it ran. */
function tiny(name: string, ran: string[], extra: Record<string, unknown> = {}) {
  return async () => ({
    name, title: `Tiny ${name}`,
    async run({ quick }: { quick: boolean }) {
      ran.push(name);
      return {
        seed: 7, budget: quick ? 'quick budget' : 'full budget', summary: 'A tiny experiment.',
        numbers: { value: 0.5 }, table: '| a | b |\n|---|---|\n| 1 | 2 |',
        figure: { width: 100, height: 80, data: { values: [{ x: 1, y: 2 }, { x: 2, y: 1 }] }, mark: 'line',
          encoding: { x: { field: 'x', type: 'quantitative', title: 'x axis' }, y: { field: 'y', type: 'quantitative', title: 'y axis' } } },
        claims: [
          { claim: 'claim that holds', seed: '1.0', measured: '1.0', reproduced: 'yes' },
          { claim: 'claim | with a pipe', seed: '2', measured: '3', reproduced: 'no', why: 'small data' },
        ],
      };
    },
    ...extra,
  });
}

function quietMain(argv: string[], registry: Record<string, () => Promise<unknown>>) {
  const out: string[] = [], err: string[] = [];
  return main(argv, { registry, stdout: (m: string) => out.push(m), stderr: (m: string) => err.push(m) }).then((code: number) => ({ code, out: out.join('\n'), err: err.join('\n') }));
}

describe('lectures runner', () => {
  it('knows the fourteen experiments of the issue, in order', () => {
    expect(EXPERIMENTS).toEqual(['init-study', 'deep-xor', 'mnist-ladder', 'babysitting', 'batchnorm', 'group-vs-batch', 'activations',
      'preprocessing', 'search', 'ensembles', 'dropout', 'optimizers', 'zero-init', 'fast-forward']);
  });

  it('an unknown name lists the known ones and runs nothing', async () => {
    const ran: string[] = [];
    const dir = tmp();
    const r = await quietMain(['--out', dir, 'alpha', 'nope'], { alpha: tiny('alpha', ran), beta: tiny('beta', ran) });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown experiment 'nope'; the known ones are: alpha, beta/);
    expect(ran).toEqual([]);
    expect(existsSync(join(dir, 'REPORT.md'))).toBe(false);
  });

  it('the CLI lists the real experiment names for an unknown one', () => {
    const r = spawnSync(process.execPath, ['lectures/run.mjs', '--out', tmp(), 'no-such-lecture'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown experiment 'no-such-lecture'");
    for (const n of EXPERIMENTS) expect(r.stderr).toContain(n);
  });

  it('an --out that cannot be written is an Error before any experiment runs', async () => {
    const ran: string[] = [];
    const file = join(tmp(), 'a-file');
    writeFileSync(file, 'not a directory');
    await expect(runLectures({ out: join(file, 'sub'), registry: { alpha: tiny('alpha', ran) } })).rejects.toThrow(/--out '.*a-file\/sub' cannot be written \(\w+\); nothing was run/);
    const r = await quietMain(['--out', join(file, 'sub')], { alpha: tiny('alpha', ran) });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot be written/);
    expect(ran).toEqual([]);
  });

  it.runIf(process.platform === 'linux' && existsSync('/proc/self'))('an --out under /proc is refused at once (Node\'s recursive mkdir loops there)', async () => {
    const ran: string[] = [];
    await expect(runLectures({ out: '/proc/no-such-dir/out', registry: { alpha: tiny('alpha', ran) } })).rejects.toThrow(/--out '\/proc\/no-such-dir\/out' cannot be written \((ENOENT|EACCES|EPERM)\)/);
    expect(ran).toEqual([]);
  }, 5000);

  it('bad flags are refused with the usage', async () => {
    expect(() => parseArgs(['--out'])).toThrow(/--out needs a value/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option '--fast'.*usage/);
    expect(parseArgs(['--quick', '--out=x', 'a'])).toMatchObject({ quick: true, out: 'x', names: ['a'] });
  });

  it('a failing experiment is reported as failed while the others still run', async () => {
    const ran: string[] = [];
    const dir = tmp();
    const registry = {
      first: tiny('first', ran),
      boom: async () => ({ name: 'boom', title: 'Boom', async run() { ran.push('boom'); throw new Error('the experiment broke'); } }),
      last: tiny('last', ran),
    };
    const r = await quietMain(['--quick', '--out', dir], registry);
    expect(r.code).toBe(1);
    expect(ran).toEqual(['first', 'boom', 'last']);
    const report = readFileSync(join(dir, 'REPORT.md'), 'utf8');
    expect(report).toMatch(/## boom — Boom\n\n\*\*Failed\*\* after [\d.]+ s: `the experiment broke`/);
    expect(report).toMatch(/\| \[boom\]\(#boom--boom\) \| \*\*failed\*\* \|/);
    expect(JSON.parse(readFileSync(join(dir, 'boom.json'), 'utf8'))).toMatchObject({ name: 'boom', status: 'failed', error: 'the experiment broke' });
    expect(report).toContain('## last — Tiny last');
    expect(existsSync(join(dir, 'last.svg'))).toBe(true);
    expect(existsSync(join(dir, 'boom.svg'))).toBe(false);
  });

  it('an experiment that cannot load (a broken module) is a failure too', async () => {
    const ran: string[] = [];
    const dir = tmp();
    const r = await quietMain(['--out', dir], { broken: async () => { throw new SyntaxError('Unexpected token'); }, ok: tiny('ok', ran) });
    expect(r.code).toBe(1);
    expect(ran).toEqual(['ok']);
    expect(readFileSync(join(dir, 'REPORT.md'), 'utf8')).toMatch(/## broken — broken\n\n\*\*Failed\*\*.*Unexpected token/);
  });

  it('REPORT.md: a summary table, one section per experiment with its figure, seed, budget, numbers and claims table', async () => {
    const ran: string[] = [];
    const dir = tmp();
    const registry = {
      alpha: tiny('alpha', ran),
      later: tiny('later', ran, { available: async () => 'needs the functional API (Model not exported yet)' }),
      beta: tiny('beta', ran),
    };
    const r = await quietMain(['--out', dir], registry);
    expect(r.code).toBe(0);
    expect(ran).toEqual(['alpha', 'beta']);
    const report = readFileSync(join(dir, 'REPORT.md'), 'utf8');
    expect(report.split('\n').filter((l) => l.startsWith('## '))).toEqual(['## alpha — Tiny alpha', '## later — Tiny later', '## beta — Tiny beta']);
    expect(report).toMatch(/^# The lectures, reproduced \(full mode\)/);
    expect(report).toMatch(/\| \[alpha\]\(#alpha--tiny-alpha\) \| ran \(full\) \| [\d.]+ s \| 1 \/ 0 \/ 1 \|/);
    expect(report).toContain('| [later](#later--tiny-later) | not available yet | — | — |');
    expect(report).toContain('**Not available yet:** needs the functional API (Model not exported yet)');
    for (const n of ['alpha', 'beta']) {
      expect(report).toContain(`![${n}](${n}.svg)`);
      expect(report).toContain(`Numbers: [${n}.json](${n}.json).`);
      const svg = readFileSync(join(dir, `${n}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('x axis');
      const json = JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8'));
      expect(json).toMatchObject({ name: n, status: 'ok', mode: 'full', seed: 7, budget: 'full budget', numbers: { value: 0.5 } });
      expect(json.claims).toHaveLength(2);
    }
    expect(report).toContain("| claim (seed) | seed's figure | measured | reproduced |");
    expect(report).toContain('| claim that holds | 1.0 | 1.0 | yes |');
    expect(report).toContain('| claim \\| with a pipe | 2 | 3 | no — small data |');
    expect(report).toMatch(/\*Seed 7 · full budget · [\d.]+ s wall time \(full\)\.\*/);
  });

  it('named experiments run alone; --only (a standalone run) writes its files but no REPORT.md', async () => {
    const ran: string[] = [];
    const dir = tmp();
    const registry = { alpha: tiny('alpha', ran), beta: tiny('beta', ran) };
    expect((await quietMain(['--out', dir, 'beta'], registry)).code).toBe(0);
    expect(ran).toEqual(['beta']);
    expect(readFileSync(join(dir, 'REPORT.md'), 'utf8')).not.toContain('## alpha');
    expect(existsSync(join(dir, 'beta.md'))).toBe(false);
    // rerunning one name keeps the other's section, in report order, each with its mode
    expect((await quietMain(['--out', dir, '--quick', 'alpha'], registry)).code).toBe(0);
    const merged = readFileSync(join(dir, 'REPORT.md'), 'utf8');
    expect(merged.split('\n').filter((l) => l.startsWith('## '))).toEqual(['## alpha — Tiny alpha', '## beta — Tiny beta']);
    expect(merged).toMatch(/^# The lectures, reproduced \(mixed mode\)/);
    expect(merged).toMatch(/\| \[alpha\].* \| ran \(quick\) \|/);
    expect(merged).toMatch(/\| \[beta\].* \| ran \(full\) \|/);
    // a rerun that fails replaces the section and removes the stale figure
    const broken = { ...registry, beta: async () => ({ name: 'beta', title: 'Tiny beta', run: async () => { throw new Error('now broken'); } }) };
    expect((await quietMain(['--out', dir, 'beta'], broken)).code).toBe(1);
    expect(readFileSync(join(dir, 'REPORT.md'), 'utf8')).toMatch(/## beta — Tiny beta\n\n\*\*Failed\*\*.*now broken/);
    expect(existsSync(join(dir, 'beta.svg'))).toBe(false);
    expect(existsSync(join(dir, 'alpha.svg'))).toBe(true);
    const dir2 = tmp();
    expect((await quietMain(['--out', dir2, '--only', 'alpha'], registry)).code).toBe(0);
    expect(existsSync(join(dir2, 'alpha.svg')) && existsSync(join(dir2, 'alpha.json')) && existsSync(join(dir2, 'alpha.md'))).toBe(true);
    expect(existsSync(join(dir2, 'REPORT.md'))).toBe(false);
  });

  it('fast-forward checks for the functional API and LSTM, which simdnet now exports', async () => {
    // @ts-expect-error plain ESM without type declarations
    const ff = (await import('../../lectures/fast-forward.mjs')).default;
    expect(ff.name).toBe('fast-forward');
    expect(await ff.available()).toBeNull();
  });

  it('an experiment that returns no claims or no figure is a failure, not an empty section', async () => {
    const dir = tmp();
    const r = await quietMain(['--out', dir], { hollow: async () => ({ name: 'hollow', title: 'Hollow', run: async () => ({ seed: 1, budget: 'b', numbers: {} }) }) });
    expect(r.code).toBe(1);
    expect(readFileSync(join(dir, 'REPORT.md'), 'utf8')).toMatch(/\*\*Failed\*\*.*hollow returned no claims or no figure/);
  });
});
