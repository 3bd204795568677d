// The workloads, in table order. Adding one is one module and one line here. A workload module exports:
//   { id, title, unit, lowerIsBetter?, scale?, contenders: [ids], cases: [{ id, label (string
//     or settings => string), contenders?, threads?, api? }], setup: { [contender]: (ctx,
//     case, settings) => { work, step, check?, dispose? } }, derived?({ value, series }),
//     summary?({ value, series, cpuPerWall, info }) }
// See gemm.mjs, mlp.mjs, cnn.mjs, lstm.mjs, deep-xor.mjs and predict.mjs; bench/README.md
// says what the rows mean.

import gemm from './gemm.mjs';
import mlp from './mlp.mjs';
import cnn from './cnn.mjs';
import lstm from './lstm.mjs';
import deepXor from './deep-xor.mjs';
import predict from './predict.mjs';

export const WORKLOADS = [gemm, mlp, cnn, lstm, deepXor, predict];
