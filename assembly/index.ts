// The module's exports: every kernel instantiated for f32 and f64, named `op_dtype`.
// One name per op across files: bindings/ops.ts wraps each of these under the same name.
// Pointers are byte offsets into the imported memory; the module allocates nothing.
// Arguments: outputs, then RNG state and scratch (`work`, `acc`), then inputs, sizes
// (usize), and codes and scalars last. Each kernel file's header says layout, alignment,
// aliasing and tail handling.

import { gemm, gemmPart, gemmWorkBytes, GEMM_MR, GEMM_NR } from "./gemm";
import { gemmPackingF32 } from "./gemm-f32";
import { biasAct, actBackward, prelu, preluBackward, maxout, maxoutBackward, softmax, softmaxBackward } from "./activations";
import { softmaxXent, softmaxXentDense, sigmoidXent, mse, mae, huber, countArgmaxHits, countArgmaxMatches, countBinaryHits, countTopKHits } from "./losses";
import { sgdStep } from "./optim/sgd";
import { rmspropStep } from "./optim/rmsprop";
import { adagradStep } from "./optim/adagrad";
import { adamStep, adamwStep } from "./optim/adam";
import { rngSeed, rngUniform, rngNormal, dropout, shuffleI32 } from "./rng";
import { convWorkBytes, convForward, convInputGrad, convFilterGrad } from "./conv";
import { maxPool, maxPoolBackward, avgPool, avgPoolBackward } from "./pool";
import { batchNormTrain, batchNormInfer, batchNormBackward, ema, groupNorm, groupNormBackward } from "./norm";
import { addTo, subTo, scaleTo, maxMerge, selectGrad, copyRows } from "./merge";
import { colSum, mul, sumSquares, firstNonFinite, l2, gatherRows, randomShift, argMax, oneHot, sumSquaredDiff, countZeros } from "./tensor";

/** First byte after the module's static data: the host's arena starts at or above it. */
export function heap_base(): usize { return __heap_base; }
/**
 * True in the debug build (asserts on), false under --noAssert (the release build): the
 * bindings then check every tensor argument's dtype, bounds and aliasing (bindings/checks.ts).
 */
export function debug_checks(): bool { return !ASC_NO_ASSERT; }

// ---- scalar math for the host (schedules, init scales): the same libm in every runtime
export function math_pow(x: f64, y: f64): f64 { return Math.pow(x, y); }
export function math_cos(x: f64): f64 { return Math.cos(x); }
export function math_exp(x: f64): f64 { return Math.exp(x); }
export function math_log(x: f64): f64 { return Math.log(x); }

// ---- GEMM
export function gemm_work_bytes_f32(m: usize, n: usize, k: usize): usize { return gemmWorkBytes<f32>(m, n, k); }
export function gemm_work_bytes_f64(m: usize, n: usize, k: usize): usize { return gemmWorkBytes<f64>(m, n, k); }
export function gemm_f32(c: usize, work: usize, a: usize, b: usize, m: usize, n: usize, k: usize, transA: bool, transB: bool, accumulate: bool): void { gemm<f32>(c, work, a, b, m, n, k, transA, transB, accumulate); }
export function gemm_f64(c: usize, work: usize, a: usize, b: usize, m: usize, n: usize, k: usize, transA: bool, transB: bool, accumulate: bool): void { gemm<f64>(c, work, a, b, m, n, k, transA, transB, accumulate); }
// one block of the product (a thread's share): rows [rs, re) × cols [cs, ce), tile-aligned
export function gemm_part_f32(c: usize, work: usize, a: usize, b: usize, m: usize, n: usize, k: usize, transA: bool, transB: bool, accumulate: bool, rs: usize, re: usize, cs: usize, ce: usize): void { gemmPart<f32>(c, work, a, b, m, n, k, transA, transB, accumulate, rs, re, cs, ce); }
export function gemm_part_f64(c: usize, work: usize, a: usize, b: usize, m: usize, n: usize, k: usize, transA: bool, transB: bool, accumulate: bool, rs: usize, re: usize, cs: usize, ce: usize): void { gemmPart<f64>(c, work, a, b, m, n, k, transA, transB, accumulate, rs, re, cs, ce); }
/** The micro-kernel tile: parts of a product start on multiples of these. */
export function gemm_tile_rows(): usize { return GEMM_MR; }
export function gemm_tile_cols(): usize { return GEMM_NR; }
/** What a product packs (bit 0: A, bit 1: B); f64 packs both. */
export function gemm_packing_f32(m: usize, n: usize, transA: bool, transB: bool): i32 { return gemmPackingF32(m, n, transA, transB); }
export function gemm_packing_f64(m: usize, n: usize, transA: bool, transB: bool): i32 { return 3; }

// ---- activations
export function bias_act_f32(y: usize, x: usize, bias: usize, rows: usize, cols: usize, act: i32, alpha: f32): void { biasAct<f32>(y, x, bias, rows, cols, act, alpha); }
export function bias_act_f64(y: usize, x: usize, bias: usize, rows: usize, cols: usize, act: i32, alpha: f64): void { biasAct<f64>(y, x, bias, rows, cols, act, alpha); }
export function act_backward_f32(dx: usize, dy: usize, y: usize, n: usize, act: i32, alpha: f32): void { actBackward<f32>(dx, dy, y, n, act, alpha); }
export function act_backward_f64(dx: usize, dy: usize, y: usize, n: usize, act: i32, alpha: f64): void { actBackward<f64>(dx, dy, y, n, act, alpha); }
export function prelu_f32(y: usize, x: usize, alpha: usize, rows: usize, cols: usize): void { prelu<f32>(y, x, alpha, rows, cols); }
export function prelu_f64(y: usize, x: usize, alpha: usize, rows: usize, cols: usize): void { prelu<f64>(y, x, alpha, rows, cols); }
export function prelu_backward_f32(dx: usize, dalpha: usize, dy: usize, x: usize, alpha: usize, rows: usize, cols: usize): void { preluBackward<f32>(dx, dalpha, dy, x, alpha, rows, cols); }
export function prelu_backward_f64(dx: usize, dalpha: usize, dy: usize, x: usize, alpha: usize, rows: usize, cols: usize): void { preluBackward<f64>(dx, dalpha, dy, x, alpha, rows, cols); }
export function maxout_f32(y: usize, idx: usize, z: usize, rows: usize, units: usize, pieces: usize): void { maxout<f32>(y, idx, z, rows, units, pieces); }
export function maxout_f64(y: usize, idx: usize, z: usize, rows: usize, units: usize, pieces: usize): void { maxout<f64>(y, idx, z, rows, units, pieces); }
export function maxout_backward_f32(dz: usize, dy: usize, idx: usize, rows: usize, units: usize, pieces: usize): void { maxoutBackward<f32>(dz, dy, idx, rows, units, pieces); }
export function maxout_backward_f64(dz: usize, dy: usize, idx: usize, rows: usize, units: usize, pieces: usize): void { maxoutBackward<f64>(dz, dy, idx, rows, units, pieces); }

// ---- losses and metrics
export function softmax_xent_f32(d: usize, x: usize, labels: usize, w: usize, rows: usize, cols: usize): f64 { return softmaxXent<f32>(d, x, labels, w, rows, cols); }
export function softmax_xent_f64(d: usize, x: usize, labels: usize, w: usize, rows: usize, cols: usize): f64 { return softmaxXent<f64>(d, x, labels, w, rows, cols); }
export function softmax_xent_dense_f32(d: usize, x: usize, t: usize, w: usize, rows: usize, cols: usize): f64 { return softmaxXentDense<f32>(d, x, t, w, rows, cols); }
export function softmax_xent_dense_f64(d: usize, x: usize, t: usize, w: usize, rows: usize, cols: usize): f64 { return softmaxXentDense<f64>(d, x, t, w, rows, cols); }
export function sigmoid_xent_f32(d: usize, x: usize, t: usize, w: usize, rows: usize, cols: usize): f64 { return sigmoidXent<f32>(d, x, t, w, rows, cols); }
export function sigmoid_xent_f64(d: usize, x: usize, t: usize, w: usize, rows: usize, cols: usize): f64 { return sigmoidXent<f64>(d, x, t, w, rows, cols); }
export function mse_f32(d: usize, p: usize, t: usize, w: usize, rows: usize, cols: usize): f64 { return mse<f32>(d, p, t, w, rows, cols); }
export function mse_f64(d: usize, p: usize, t: usize, w: usize, rows: usize, cols: usize): f64 { return mse<f64>(d, p, t, w, rows, cols); }
export function mae_f32(d: usize, p: usize, t: usize, w: usize, rows: usize, cols: usize): f64 { return mae<f32>(d, p, t, w, rows, cols); }
export function mae_f64(d: usize, p: usize, t: usize, w: usize, rows: usize, cols: usize): f64 { return mae<f64>(d, p, t, w, rows, cols); }
export function huber_f32(d: usize, p: usize, t: usize, w: usize, rows: usize, cols: usize, delta: f32): f64 { return huber<f32>(d, p, t, w, rows, cols, delta); }
export function huber_f64(d: usize, p: usize, t: usize, w: usize, rows: usize, cols: usize, delta: f64): f64 { return huber<f64>(d, p, t, w, rows, cols, delta); }
export function count_top_k_hits_f32(x: usize, t: usize, rows: usize, cols: usize, k: usize, dense: bool): i32 { return countTopKHits<f32>(x, t, rows, cols, k, dense); }
export function count_top_k_hits_f64(x: usize, t: usize, rows: usize, cols: usize, k: usize, dense: bool): i32 { return countTopKHits<f64>(x, t, rows, cols, k, dense); }
export function softmax_f32(y: usize, x: usize, rows: usize, cols: usize): void { softmax<f32>(y, x, rows, cols); }
export function softmax_f64(y: usize, x: usize, rows: usize, cols: usize): void { softmax<f64>(y, x, rows, cols); }
export function softmax_backward_f32(dx: usize, dy: usize, y: usize, rows: usize, cols: usize): void { softmaxBackward<f32>(dx, dy, y, rows, cols); }
export function softmax_backward_f64(dx: usize, dy: usize, y: usize, rows: usize, cols: usize): void { softmaxBackward<f64>(dx, dy, y, rows, cols); }
export function arg_max_f32(out: usize, x: usize, rows: usize, cols: usize): void { argMax<f32>(out, x, rows, cols); }
export function arg_max_f64(out: usize, x: usize, rows: usize, cols: usize): void { argMax<f64>(out, x, rows, cols); }
export function one_hot_f32(out: usize, labels: usize, rows: usize, depth: usize): void { oneHot<f32>(out, labels, rows, depth); }
export function one_hot_f64(out: usize, labels: usize, rows: usize, depth: usize): void { oneHot<f64>(out, labels, rows, depth); }
export function count_argmax_hits_f32(x: usize, labels: usize, rows: usize, cols: usize): i32 { return countArgmaxHits<f32>(x, labels, rows, cols); }
export function count_argmax_hits_f64(x: usize, labels: usize, rows: usize, cols: usize): i32 { return countArgmaxHits<f64>(x, labels, rows, cols); }
export function count_argmax_matches_f32(x: usize, t: usize, rows: usize, cols: usize): i32 { return countArgmaxMatches<f32>(x, t, rows, cols); }
export function count_argmax_matches_f64(x: usize, t: usize, rows: usize, cols: usize): i32 { return countArgmaxMatches<f64>(x, t, rows, cols); }
export function count_binary_hits_f32(x: usize, t: usize, n: usize, threshold: f32): i32 { return countBinaryHits<f32>(x, t, n, threshold); }
export function count_binary_hits_f64(x: usize, t: usize, n: usize, threshold: f64): i32 { return countBinaryHits<f64>(x, t, n, threshold); }

// ---- optimizers (one fused update each; outputs may alias inputs; return non-finite count)
export function sgd_step_f32(pOut: usize, bufOut: usize, p: usize, g: usize, buf: usize, n: usize, lr: f64, momentum: f64, dampening: f64, nesterov: bool, weightDecay: f64, first: bool): i32 { return sgdStep<f32>(pOut, bufOut, p, g, buf, n, lr, momentum, dampening, nesterov, weightDecay, first); }
export function sgd_step_f64(pOut: usize, bufOut: usize, p: usize, g: usize, buf: usize, n: usize, lr: f64, momentum: f64, dampening: f64, nesterov: bool, weightDecay: f64, first: bool): i32 { return sgdStep<f64>(pOut, bufOut, p, g, buf, n, lr, momentum, dampening, nesterov, weightDecay, first); }
export function rmsprop_step_f32(pOut: usize, sqOut: usize, gaOut: usize, bufOut: usize, p: usize, g: usize, sq: usize, ga: usize, buf: usize, n: usize, lr: f64, rho: f64, eps: f64, momentum: f64, centered: bool, weightDecay: f64): i32 { return rmspropStep<f32>(pOut, sqOut, gaOut, bufOut, p, g, sq, ga, buf, n, lr, rho, eps, momentum, centered, weightDecay); }
export function rmsprop_step_f64(pOut: usize, sqOut: usize, gaOut: usize, bufOut: usize, p: usize, g: usize, sq: usize, ga: usize, buf: usize, n: usize, lr: f64, rho: f64, eps: f64, momentum: f64, centered: bool, weightDecay: f64): i32 { return rmspropStep<f64>(pOut, sqOut, gaOut, bufOut, p, g, sq, ga, buf, n, lr, rho, eps, momentum, centered, weightDecay); }
export function adagrad_step_f32(pOut: usize, sumOut: usize, p: usize, g: usize, sum: usize, n: usize, lr: f64, eps: f64, lrDecay: f64, weightDecay: f64, t: f64): i32 { return adagradStep<f32>(pOut, sumOut, p, g, sum, n, lr, eps, lrDecay, weightDecay, t); }
export function adagrad_step_f64(pOut: usize, sumOut: usize, p: usize, g: usize, sum: usize, n: usize, lr: f64, eps: f64, lrDecay: f64, weightDecay: f64, t: f64): i32 { return adagradStep<f64>(pOut, sumOut, p, g, sum, n, lr, eps, lrDecay, weightDecay, t); }
export function adam_step_f32(pOut: usize, mOut: usize, vOut: usize, p: usize, g: usize, m: usize, v: usize, n: usize, lr: f64, b1: f64, b2: f64, eps: f64, weightDecay: f64, t: f64): i32 { return adamStep<f32>(pOut, mOut, vOut, p, g, m, v, n, lr, b1, b2, eps, weightDecay, t); }
export function adam_step_f64(pOut: usize, mOut: usize, vOut: usize, p: usize, g: usize, m: usize, v: usize, n: usize, lr: f64, b1: f64, b2: f64, eps: f64, weightDecay: f64, t: f64): i32 { return adamStep<f64>(pOut, mOut, vOut, p, g, m, v, n, lr, b1, b2, eps, weightDecay, t); }
export function adamw_step_f32(pOut: usize, mOut: usize, vOut: usize, p: usize, g: usize, m: usize, v: usize, n: usize, lr: f64, b1: f64, b2: f64, eps: f64, weightDecay: f64, t: f64): i32 { return adamwStep<f32>(pOut, mOut, vOut, p, g, m, v, n, lr, b1, b2, eps, weightDecay, t); }
export function adamw_step_f64(pOut: usize, mOut: usize, vOut: usize, p: usize, g: usize, m: usize, v: usize, n: usize, lr: f64, b1: f64, b2: f64, eps: f64, weightDecay: f64, t: f64): i32 { return adamwStep<f64>(pOut, mOut, vOut, p, g, m, v, n, lr, b1, b2, eps, weightDecay, t); }

// ---- random numbers
export function rng_seed(state: usize, seedLo: u32, seedHi: u32, stream: u32): void { rngSeed(state, seedLo, seedHi, stream); }
export function rng_uniform_f32(out: usize, state: usize, n: usize, lo: f64, hi: f64): void { rngUniform<f32>(out, state, n, lo, hi); }
export function rng_uniform_f64(out: usize, state: usize, n: usize, lo: f64, hi: f64): void { rngUniform<f64>(out, state, n, lo, hi); }
export function rng_normal_f32(out: usize, state: usize, scratch: usize, n: usize, mean: f64, std: f64, truncate: bool): void { rngNormal<f32>(out, state, scratch, n, mean, std, truncate); }
export function rng_normal_f64(out: usize, state: usize, scratch: usize, n: usize, mean: f64, std: f64, truncate: bool): void { rngNormal<f64>(out, state, scratch, n, mean, std, truncate); }
export function dropout_f32(y: usize, mask: usize, state: usize, x: usize, n: usize, rate: f64): void { dropout<f32>(y, mask, state, x, n, rate); }
export function dropout_f64(y: usize, mask: usize, state: usize, x: usize, n: usize, rate: f64): void { dropout<f64>(y, mask, state, x, n, rate); }
export function shuffle_i32(perm: usize, state: usize, n: usize): void { shuffleI32(perm, state, n); }

// ---- tensor utilities
export function col_sum_f32(out: usize, x: usize, rows: usize, cols: usize, accumulate: bool): void { colSum<f32>(out, x, rows, cols, accumulate); }
export function col_sum_f64(out: usize, x: usize, rows: usize, cols: usize, accumulate: bool): void { colSum<f64>(out, x, rows, cols, accumulate); }
export function mul_f32(out: usize, a: usize, b: usize, n: usize): void { mul<f32>(out, a, b, n); }
export function mul_f64(out: usize, a: usize, b: usize, n: usize): void { mul<f64>(out, a, b, n); }
export function sum_squares_f32(x: usize, n: usize): f64 { return sumSquares<f32>(x, n); }
export function sum_squares_f64(x: usize, n: usize): f64 { return sumSquares<f64>(x, n); }
export function first_non_finite_f32(x: usize, n: usize): i32 { return firstNonFinite<f32>(x, n); }
export function first_non_finite_f64(x: usize, n: usize): i32 { return firstNonFinite<f64>(x, n); }
export function l2_f32(grad: usize, w: usize, n: usize, lambda: f64): f64 { return l2<f32>(grad, w, n, lambda); }
export function l2_f64(grad: usize, w: usize, n: usize, lambda: f64): f64 { return l2<f64>(grad, w, n, lambda); }
export function gather_rows(out: usize, x: usize, idx: usize, count: usize, rowBytes: usize): void { gatherRows(out, x, idx, count, rowBytes); }
export function random_shift_f32(out: usize, state: usize, x: usize, count: usize, h: usize, w: usize, c: usize, maxShift: i32): void { randomShift<f32>(out, state, x, count, h, w, c, maxShift); }
export function random_shift_f64(out: usize, state: usize, x: usize, count: usize, h: usize, w: usize, c: usize, maxShift: i32): void { randomShift<f64>(out, state, x, count, h, w, c, maxShift); }

// ---- convolution, pooling, normalization
export function conv_work_bytes_f32(H: usize, W: usize, C: usize, KH: usize, KW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize, F: usize): usize { return convWorkBytes<f32>(C, KH, KW, OH, OW, F); }
export function conv_work_bytes_f64(H: usize, W: usize, C: usize, KH: usize, KW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize, F: usize): usize { return convWorkBytes<f64>(C, KH, KW, OH, OW, F); }
export function conv_forward_f32(y: usize, work: usize, x: usize, w: usize, N: usize, H: usize, W: usize, C: usize, KH: usize, KW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize, F: usize): void { convForward<f32>(y, work, x, w, N, H, W, C, KH, KW, SH, SW, pt, pl, OH, OW, F); }
export function conv_forward_f64(y: usize, work: usize, x: usize, w: usize, N: usize, H: usize, W: usize, C: usize, KH: usize, KW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize, F: usize): void { convForward<f64>(y, work, x, w, N, H, W, C, KH, KW, SH, SW, pt, pl, OH, OW, F); }
export function conv_input_grad_f32(dx: usize, work: usize, dy: usize, w: usize, N: usize, H: usize, W: usize, C: usize, KH: usize, KW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize, F: usize): void { convInputGrad<f32>(dx, work, dy, w, N, H, W, C, KH, KW, SH, SW, pt, pl, OH, OW, F); }
export function conv_input_grad_f64(dx: usize, work: usize, dy: usize, w: usize, N: usize, H: usize, W: usize, C: usize, KH: usize, KW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize, F: usize): void { convInputGrad<f64>(dx, work, dy, w, N, H, W, C, KH, KW, SH, SW, pt, pl, OH, OW, F); }
export function conv_filter_grad_f32(dw: usize, work: usize, x: usize, dy: usize, N: usize, H: usize, W: usize, C: usize, KH: usize, KW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize, F: usize, t0: usize, taps: usize): void { convFilterGrad<f32>(dw, work, x, dy, N, H, W, C, KH, KW, SH, SW, pt, pl, OH, OW, F, t0, taps); }
export function conv_filter_grad_f64(dw: usize, work: usize, x: usize, dy: usize, N: usize, H: usize, W: usize, C: usize, KH: usize, KW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize, F: usize, t0: usize, taps: usize): void { convFilterGrad<f64>(dw, work, x, dy, N, H, W, C, KH, KW, SH, SW, pt, pl, OH, OW, F, t0, taps); }
export function max_pool_f32(y: usize, idx: usize, x: usize, N: usize, H: usize, W: usize, C: usize, PH: usize, PW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize): void { maxPool<f32>(y, idx, x, N, H, W, C, PH, PW, SH, SW, pt, pl, OH, OW); }
export function max_pool_f64(y: usize, idx: usize, x: usize, N: usize, H: usize, W: usize, C: usize, PH: usize, PW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize): void { maxPool<f64>(y, idx, x, N, H, W, C, PH, PW, SH, SW, pt, pl, OH, OW); }
export function max_pool_backward_f32(dx: usize, dy: usize, idx: usize, N: usize, H: usize, W: usize, C: usize, OH: usize, OW: usize): void { maxPoolBackward<f32>(dx, dy, idx, N, H, W, C, OH, OW); }
export function max_pool_backward_f64(dx: usize, dy: usize, idx: usize, N: usize, H: usize, W: usize, C: usize, OH: usize, OW: usize): void { maxPoolBackward<f64>(dx, dy, idx, N, H, W, C, OH, OW); }
export function avg_pool_f32(y: usize, x: usize, N: usize, H: usize, W: usize, C: usize, PH: usize, PW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize): void { avgPool<f32>(y, x, N, H, W, C, PH, PW, SH, SW, pt, pl, OH, OW); }
export function avg_pool_f64(y: usize, x: usize, N: usize, H: usize, W: usize, C: usize, PH: usize, PW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize): void { avgPool<f64>(y, x, N, H, W, C, PH, PW, SH, SW, pt, pl, OH, OW); }
export function avg_pool_backward_f32(dx: usize, dy: usize, N: usize, H: usize, W: usize, C: usize, PH: usize, PW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize): void { avgPoolBackward<f32>(dx, dy, N, H, W, C, PH, PW, SH, SW, pt, pl, OH, OW); }
export function avg_pool_backward_f64(dx: usize, dy: usize, N: usize, H: usize, W: usize, C: usize, PH: usize, PW: usize, SH: usize, SW: usize, pt: usize, pl: usize, OH: usize, OW: usize): void { avgPoolBackward<f64>(dx, dy, N, H, W, C, PH, PW, SH, SW, pt, pl, OH, OW); }
export function batch_norm_train_f32(y: usize, mean: usize, invstd: usize, variance: usize, acc: usize, x: usize, gamma: usize, beta: usize, rows: usize, C: usize, eps: f64): void { batchNormTrain<f32>(y, mean, invstd, variance, acc, x, gamma, beta, rows, C, eps); }
export function batch_norm_train_f64(y: usize, mean: usize, invstd: usize, variance: usize, acc: usize, x: usize, gamma: usize, beta: usize, rows: usize, C: usize, eps: f64): void { batchNormTrain<f64>(y, mean, invstd, variance, acc, x, gamma, beta, rows, C, eps); }
export function batch_norm_infer_f32(y: usize, invstd: usize, x: usize, mm: usize, mv: usize, gamma: usize, beta: usize, rows: usize, C: usize, eps: f64): void { batchNormInfer<f32>(y, invstd, x, mm, mv, gamma, beta, rows, C, eps); }
export function batch_norm_infer_f64(y: usize, invstd: usize, x: usize, mm: usize, mv: usize, gamma: usize, beta: usize, rows: usize, C: usize, eps: f64): void { batchNormInfer<f64>(y, invstd, x, mm, mv, gamma, beta, rows, C, eps); }
export function batch_norm_backward_f32(dx: usize, dgamma: usize, dbeta: usize, acc: usize, dy: usize, x: usize, mean: usize, invstd: usize, gamma: usize, rows: usize, C: usize): void { batchNormBackward<f32>(dx, dgamma, dbeta, acc, dy, x, mean, invstd, gamma, rows, C); }
export function batch_norm_backward_f64(dx: usize, dgamma: usize, dbeta: usize, acc: usize, dy: usize, x: usize, mean: usize, invstd: usize, gamma: usize, rows: usize, C: usize): void { batchNormBackward<f64>(dx, dgamma, dbeta, acc, dy, x, mean, invstd, gamma, rows, C); }
export function ema_f32(moving: usize, batch: usize, n: usize, momentum: f64): void { ema<f32>(moving, batch, n, momentum); }
export function ema_f64(moving: usize, batch: usize, n: usize, momentum: f64): void { ema<f64>(moving, batch, n, momentum); }
export function group_norm_f32(y: usize, mean: usize, invstd: usize, acc: usize, x: usize, gamma: usize, beta: usize, N: usize, S: usize, C: usize, G: usize, eps: f64): void { groupNorm<f32>(y, mean, invstd, acc, x, gamma, beta, N, S, C, G, eps); }
export function group_norm_f64(y: usize, mean: usize, invstd: usize, acc: usize, x: usize, gamma: usize, beta: usize, N: usize, S: usize, C: usize, G: usize, eps: f64): void { groupNorm<f64>(y, mean, invstd, acc, x, gamma, beta, N, S, C, G, eps); }
export function group_norm_backward_f32(dx: usize, dgamma: usize, dbeta: usize, acc: usize, dy: usize, x: usize, mean: usize, invstd: usize, gamma: usize, N: usize, S: usize, C: usize, G: usize): void { groupNormBackward<f32>(dx, dgamma, dbeta, acc, dy, x, mean, invstd, gamma, N, S, C, G); }
export function group_norm_backward_f64(dx: usize, dgamma: usize, dbeta: usize, acc: usize, dy: usize, x: usize, mean: usize, invstd: usize, gamma: usize, N: usize, S: usize, C: usize, G: usize): void { groupNormBackward<f64>(dx, dgamma, dbeta, acc, dy, x, mean, invstd, gamma, N, S, C, G); }
export function sum_squared_diff_f32(a: usize, b: usize, n: usize): f64 { return sumSquaredDiff<f32>(a, b, n); }
export function sum_squared_diff_f64(a: usize, b: usize, n: usize): f64 { return sumSquaredDiff<f64>(a, b, n); }
export function count_zeros_f32(x: usize, n: usize): i32 { return countZeros<f32>(x, n); }
export function count_zeros_f64(x: usize, n: usize): i32 { return countZeros<f64>(x, n); }

// ---- recurrent cells and embedding (assembly/rnn.ts, gru.ts, embedding.ts; layers simpleRNN, lstm, gru, embedding)
import { swapAxes, lstmCell, lstmCellBackward } from "./rnn";
import { gruCell, gruCellBackward, gruGates, gruCandidate, gruCandidateBackward, gruResetBackward } from "./gru";
import { embedding, embeddingBackward } from "./embedding";
export function swap_axes_f32(out: usize, x: usize, a: usize, b: usize, c: usize): void { swapAxes<f32>(out, x, a, b, c); }
export function swap_axes_f64(out: usize, x: usize, a: usize, b: usize, c: usize): void { swapAxes<f64>(out, x, a, b, c); }
export function lstm_cell_f32(h: usize, c: usize, ac: usize, gates: usize, cPrev: usize, N: usize, U: usize, act: i32, rec: i32): void { lstmCell<f32>(h, c, ac, gates, cPrev, N, U, act, rec); }
export function lstm_cell_f64(h: usize, c: usize, ac: usize, gates: usize, cPrev: usize, N: usize, U: usize, act: i32, rec: i32): void { lstmCell<f64>(h, c, ac, gates, cPrev, N, U, act, rec); }
export function lstm_cell_backward_f32(dgates: usize, dc: usize, dh: usize, gates: usize, cPrev: usize, ac: usize, N: usize, U: usize, act: i32, rec: i32): void { lstmCellBackward<f32>(dgates, dc, dh, gates, cPrev, ac, N, U, act, rec); }
export function lstm_cell_backward_f64(dgates: usize, dc: usize, dh: usize, gates: usize, cPrev: usize, ac: usize, N: usize, U: usize, act: i32, rec: i32): void { lstmCellBackward<f64>(dgates, dc, dh, gates, cPrev, ac, N, U, act, rec); }
export function gru_cell_f32(h: usize, gates: usize, recur: usize, hPrev: usize, recBias: usize, N: usize, U: usize, act: i32, rec: i32): void { gruCell<f32>(h, gates, recur, hPrev, recBias, N, U, act, rec); }
export function gru_cell_f64(h: usize, gates: usize, recur: usize, hPrev: usize, recBias: usize, N: usize, U: usize, act: i32, rec: i32): void { gruCell<f64>(h, gates, recur, hPrev, recBias, N, U, act, rec); }
export function gru_cell_backward_f32(dgates: usize, drecur: usize, dhPrev: usize, dh: usize, gates: usize, recur: usize, hPrev: usize, N: usize, U: usize, act: i32, rec: i32): void { gruCellBackward<f32>(dgates, drecur, dhPrev, dh, gates, recur, hPrev, N, U, act, rec); }
export function gru_cell_backward_f64(dgates: usize, drecur: usize, dhPrev: usize, dh: usize, gates: usize, recur: usize, hPrev: usize, N: usize, U: usize, act: i32, rec: i32): void { gruCellBackward<f64>(dgates, drecur, dhPrev, dh, gates, recur, hPrev, N, U, act, rec); }
export function gru_gates_f32(rh: usize, gates: usize, zr: usize, hPrev: usize, N: usize, U: usize, rec: i32): void { gruGates<f32>(rh, gates, zr, hPrev, N, U, rec); }
export function gru_gates_f64(rh: usize, gates: usize, zr: usize, hPrev: usize, N: usize, U: usize, rec: i32): void { gruGates<f64>(rh, gates, zr, hPrev, N, U, rec); }
export function gru_candidate_f32(h: usize, gates: usize, hu: usize, hPrev: usize, N: usize, U: usize, act: i32): void { gruCandidate<f32>(h, gates, hu, hPrev, N, U, act); }
export function gru_candidate_f64(h: usize, gates: usize, hu: usize, hPrev: usize, N: usize, U: usize, act: i32): void { gruCandidate<f64>(h, gates, hu, hPrev, N, U, act); }
export function gru_candidate_backward_f32(dgates: usize, dzr: usize, dhh: usize, dhPrev: usize, dh: usize, gates: usize, hPrev: usize, N: usize, U: usize, act: i32, rec: i32): void { gruCandidateBackward<f32>(dgates, dzr, dhh, dhPrev, dh, gates, hPrev, N, U, act, rec); }
export function gru_candidate_backward_f64(dgates: usize, dzr: usize, dhh: usize, dhPrev: usize, dh: usize, gates: usize, hPrev: usize, N: usize, U: usize, act: i32, rec: i32): void { gruCandidateBackward<f64>(dgates, dzr, dhh, dhPrev, dh, gates, hPrev, N, U, act, rec); }
export function gru_reset_backward_f32(dgates: usize, dzr: usize, dhPrev: usize, drh: usize, gates: usize, hPrev: usize, N: usize, U: usize, rec: i32): void { gruResetBackward<f32>(dgates, dzr, dhPrev, drh, gates, hPrev, N, U, rec); }
export function gru_reset_backward_f64(dgates: usize, dzr: usize, dhPrev: usize, drh: usize, gates: usize, hPrev: usize, N: usize, U: usize, rec: i32): void { gruResetBackward<f64>(dgates, dzr, dhPrev, drh, gates, hPrev, N, U, rec); }
export function embedding_f32(out: usize, table: usize, tokens: usize, n: usize, inputDim: usize, D: usize): i32 { return embedding<f32>(out, table, tokens, n, inputDim, D); }
export function embedding_f64(out: usize, table: usize, tokens: usize, n: usize, inputDim: usize, D: usize): i32 { return embedding<f64>(out, table, tokens, n, inputDim, D); }
export function embedding_backward_f32(dtable: usize, dy: usize, tokens: usize, n: usize, inputDim: usize, D: usize): void { embeddingBackward<f32>(dtable, dy, tokens, n, inputDim, D); }
export function embedding_backward_f64(dtable: usize, dy: usize, tokens: usize, n: usize, inputDim: usize, D: usize): void { embeddingBackward<f64>(dtable, dy, tokens, n, inputDim, D); }

// ---- diagnostics (src/toolkit/diagnostics.ts): activation statistics and histograms
import { activationStats, histogram } from "./diagnostics";
export function activation_stats_f32(out: usize, x: usize, n: usize, shift: f64, center: f64, threshold: f64): void { activationStats<f32>(out, x, n, shift, center, threshold); }
export function activation_stats_f64(out: usize, x: usize, n: usize, shift: f64, center: f64, threshold: f64): void { activationStats<f64>(out, x, n, shift, center, threshold); }
export function histogram_f32(counts: usize, x: usize, n: usize, bins: usize, lo: f64, hi: f64): void { histogram<f32>(counts, x, n, bins, lo, hi); }
export function histogram_f64(counts: usize, x: usize, n: usize, bins: usize, lo: f64, hi: f64): void { histogram<f64>(counts, x, n, bins, lo, hi); }

// ---- preprocessing (src/toolkit/preprocess.ts, layers normalization/preprocess): per-column
// statistics and affine maps, covariance, projections and the symmetric eigendecomposition (f64)
import { colMoments, standardize, unstandardize, prepareScale } from "./preprocess";
import { covariance, covarianceWorkBytes, project, unproject, projectWorkBytes, symEig } from "./linalg";
export function col_moments_f32(mean: usize, variance: usize, x: usize, rows: usize, cols: usize): void { colMoments<f32>(mean, variance, x, rows, cols); }
export function col_moments_f64(mean: usize, variance: usize, x: usize, rows: usize, cols: usize): void { colMoments<f64>(mean, variance, x, rows, cols); }
export function standardize_f32(y: usize, x: usize, mean: usize, div: usize, rows: usize, cols: usize): void { standardize<f32>(y, x, mean, div, rows, cols); }
export function standardize_f64(y: usize, x: usize, mean: usize, div: usize, rows: usize, cols: usize): void { standardize<f64>(y, x, mean, div, rows, cols); }
export function unstandardize_f32(x: usize, y: usize, mean: usize, div: usize, rows: usize, cols: usize): void { unstandardize<f32>(x, y, mean, div, rows, cols); }
export function unstandardize_f64(x: usize, y: usize, mean: usize, div: usize, rows: usize, cols: usize): void { unstandardize<f64>(x, y, mean, div, rows, cols); }
export function prepare_scale_f32(out: usize, v: usize, n: usize, mode: i32, eps: f64): void { prepareScale<f32>(out, v, n, mode, eps); }
export function prepare_scale_f64(out: usize, v: usize, n: usize, mode: i32, eps: f64): void { prepareScale<f64>(out, v, n, mode, eps); }
export function covariance_f32(cov: usize, work: usize, x: usize, mean: usize, rows: usize, cols: usize): void { covariance<f32>(cov, work, x, mean, rows, cols); }
export function covariance_f64(cov: usize, work: usize, x: usize, mean: usize, rows: usize, cols: usize): void { covariance<f64>(cov, work, x, mean, rows, cols); }
export function project_f32(y: usize, work: usize, x: usize, mean: usize, components: usize, div: usize, rows: usize, D: usize, k: usize): void { project<f32>(y, work, x, mean, components, div, rows, D, k); }
export function project_f64(y: usize, work: usize, x: usize, mean: usize, components: usize, div: usize, rows: usize, D: usize, k: usize): void { project<f64>(y, work, x, mean, components, div, rows, D, k); }
export function unproject_f32(x: usize, work: usize, y: usize, mul: usize, components: usize, mean: usize, rows: usize, k: usize, D: usize): void { unproject<f32>(x, work, y, mul, components, mean, rows, k, D); }
export function unproject_f64(x: usize, work: usize, y: usize, mul: usize, components: usize, mean: usize, rows: usize, k: usize, D: usize): void { unproject<f64>(x, work, y, mul, components, mean, rows, k, D); }
export function covariance_work_bytes(cols: usize): usize { return covarianceWorkBytes(cols); }
export function project_work_bytes(K: usize, M: usize): usize { return projectWorkBytes(K, M); }
export function sym_eig_f64(vectors: usize, values: usize, work: usize, a: usize, n: usize): i32 { return symEig(vectors, values, work, a, n); }

// ---- merge layers and gradient sums of the functional API (assembly/merge.ts)
export function add_to_f32(out: usize, a: usize, b: usize, n: usize): void { addTo<f32>(out, a, b, n); }
export function add_to_f64(out: usize, a: usize, b: usize, n: usize): void { addTo<f64>(out, a, b, n); }
export function sub_to_f32(out: usize, a: usize, b: usize, n: usize): void { subTo<f32>(out, a, b, n); }
export function sub_to_f64(out: usize, a: usize, b: usize, n: usize): void { subTo<f64>(out, a, b, n); }
export function scale_to_f32(out: usize, x: usize, n: usize, s: f64): void { scaleTo<f32>(out, x, n, s); }
export function scale_to_f64(out: usize, x: usize, n: usize, s: f64): void { scaleTo<f64>(out, x, n, s); }
export function max_merge_f32(out: usize, idx: usize, x: usize, n: usize, which: i32): void { maxMerge<f32>(out, idx, x, n, which); }
export function max_merge_f64(out: usize, idx: usize, x: usize, n: usize, which: i32): void { maxMerge<f64>(out, idx, x, n, which); }
export function select_grad_f32(dx: usize, dy: usize, idx: usize, n: usize, which: i32): void { selectGrad<f32>(dx, dy, idx, n, which); }
export function select_grad_f64(dx: usize, dy: usize, idx: usize, n: usize, which: i32): void { selectGrad<f64>(dx, dy, idx, n, which); }
export function copy_rows(dst: usize, src: usize, rows: usize, rowBytes: usize, dstStride: usize, srcStride: usize): void { copyRows(dst, src, rows, rowBytes, dstStride, srcStride); }
