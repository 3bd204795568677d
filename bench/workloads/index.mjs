// The workloads, in table order. Adding one is one module and one line here. A workload module exports:
//   { id, title, unit, contenders: [ids], cases: [{ id, label (string or settings => string),
//     contenders? }], setup: { [contender]: (ctx, case, settings) => { work, step, check?,
//     dispose? } }, derived?({ value, series }), summary?({ value, series }) }
// See gemm.mjs, mlp.mjs, cnn.mjs and lstm.mjs; bench/README.md says what the rows mean.

import gemm from './gemm.mjs';
import mlp from './mlp.mjs';
import cnn from './cnn.mjs';
import lstm from './lstm.mjs';

export const WORKLOADS = [gemm, mlp, cnn, lstm];
