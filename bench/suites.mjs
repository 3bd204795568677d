// Which cases run.mjs runs (`--suite`). `full` (the default): every case of every workload,
// what `npm run bench` runs in Node. `runtimes`: the cases of the cross-runtime table
// (all.mjs: Node, Bun, Deno, Chromium, Firefox), chosen so that five runtimes take ≲ 15 min
// on 2 cores (≲ 4 min with --quick): the rows issue 9 asks for in every runtime, and peers
// left out only where one cell would cost minutes per runtime (each such choice says why,
// and the table prints it).
//
// A workload's entry: { cases: [case ids], quickCases?, skip?: { contender: { reason,
// cases? } } } — `quickCases` replaces `cases` with --quick; `cases` in skip limits the skip
// to those cases, without it the contender sits out the workload. A workload without an
// entry is not in the suite.

const MLP_SHAPES = ['A·B 64x256x256', 'Aᵀ·B 256x256x64', 'A·Bᵀ 64x256x256'];
const CNN_SHAPES = ['A·B 196x32x400', 'Aᵀ·B 400x32x196', 'A·Bᵀ 196x400x32'];

export const SUITES = {
  full: { title: 'every case of every workload', workloads: null },
  runtimes: {
    title: 'the cross-runtime table\'s cases',
    // Shorter repeats than the full bench: five runtimes in one run. The rounds, warm-up and
    // paired ratios are the same.
    settings: { minSeconds: 0.25, warmupSeconds: 0.5, repeats: 5, slowRepeats: 3, slowStepSeconds: 1 },
    // --quick checks that everything runs everywhere: two rounds, short repeats.
    quickSettings: { minSeconds: 0.1, warmupSeconds: 0.1, repeats: 2, slowRepeats: 2, slowStepSeconds: 1 },
    workloads: {
      gemm: {
        // the square sizes of the GEMM target (and 128, the square the MLP shapes are compared
        // with), and forward / dW / dx of the MLP's second layer and of the CNN's second
        // convolution (the training-step shapes that carry most of the FLOPs)
        cases: ['A·B 128', 'A·B 256', 'A·B 512', 'A·B 1024', ...MLP_SHAPES, ...CNN_SHAPES],
        quickCases: ['A·B 128', 'A·B 256', 'A·B 512', 'A·B 1024', 'Aᵀ·B 256x256x64', 'A·B 196x32x400'],
        skip: { 'tfjs-cpu': { reason: 'plain JS at ~1 GFLOP/s: A·B 128³, 256³ and the MLP shapes only', cases: ['A·B 512', 'A·B 1024', ...CNN_SHAPES] } },
      },
      mlp: { cases: ['trainOnBatch', 'trainOnBatch2'] },
      cnn: {
        cases: ['trainOnBatch', 'trainOnBatch2'],
        skip: {
          'tfjs-cpu': { reason: 'a batch takes ~35 s: npm run bench (Node) has it' },
          // NOTE: jax-js's CNN batch takes 5–10 s (its lax.conv runs at ~0.2 GFLOP/s) after
          // ~12 s of compiling: ~40 s per row and runtime, a quarter of the budget. Its
          // convolutions are in predict's CNN row; the full suite has its training.
          'jax-js': { reason: 'a batch takes 5–10 s after ~12 s of compiling: its CNN predict row is here, its CNN training in the full suite (npm run bench, or run.mjs --runtime <r> --only cnn)' },
        },
      },
      lstm: {
        cases: ['trainOnBatch'],
        skip: { 'tfjs-cpu': { reason: 'a batch takes ~3 s: npm run bench (Node) has it' } },
      },
      'deep-xor': { cases: ['relu', 'relu-kernels'] },
      predict: { cases: ['mlp', 'cnn'] },
    },
  },
};

/**
 * Workload `w` as suite `suite` runs it: its cases, each with the contenders that play it,
 * and the skips as { contender: reason }. null when the suite leaves `w` out.
 */
export function inSuite(w, suite, quick = false) {
  if (!suite.workloads) return { workload: w, skipped: {} };
  const entry = suite.workloads[w.id];
  if (!entry) return null;
  const skip = entry.skip ?? {};
  const sitsOut = (x, caseId) => skip[x] && (!skip[x].cases || skip[x].cases.includes(caseId));
  const ids = quick && entry.quickCases ? entry.quickCases : entry.cases;
  const cases = ids.map((id) => {
    const c = w.cases.find((x) => x.id === id);
    if (!c) throw new Error(`suite: workload ${w.id} has no case '${id}'`);
    return { ...c, contenders: (c.contenders ?? w.contenders).filter((x) => !sitsOut(x, id)) };
  });
  const contenders = w.contenders.filter((x) => cases.some((c) => c.contenders.includes(x)));
  const skipped = Object.fromEntries(Object.entries(skip).filter(([x]) => w.contenders.includes(x)).map(([x, s]) => [x, s.reason]));
  return { workload: { ...w, cases, contenders }, skipped };
}
