// The kernels over tensors (the `Kernels` that src/ calls): each one reads its Operands'
// addresses (`t.ptr`, which throws on a freed tensor; null → 0, "none") and calls the raw
// kernel — the export itself, or its thread wrapper (bindings/parallel.ts) — with them.
//
// NOTE: one arrow per kernel, written out, with fixed parameters. This is the per-call
// path of every training step, so it must not allocate: no (...args) rest arrays and no
// closures per call; a wrapper per kernel (not one generic wrapper shared by all) keeps each
// call site's target monomorphic, so V8 inlines it into the layer and the export call
// behind it. The raw kernel is read from `r` at call time: the thread wrappers replace
// entries of `r` before any call, and the pool may be resized later.
// In the debug build, checkedKernels (bindings/checks.ts) wraps these with the checks.

import { checkedKernels } from './checks.js';
import type { DType, Kernels, RawKernels } from './ops.js';
import type { Operand } from './wasm-tensor.js';

/** The tensor-level kernels over `r`; checked call by call when `debug` (the debug build). */
export function bindKernels(r: RawKernels, dtype: DType, debug: boolean): Kernels {
  const k = tensorKernels(r);
  return debug ? checkedKernels(k, r, dtype) : k;
}

/** The address of an optional buffer: 0 ("none") for null. */
function opt(t: Operand | null): number {
  return t === null ? 0 : t.ptr;
}

export function tensorKernels(r: RawKernels): Kernels {
  return {
    bytes: r.bytes,
    gemmWorkBytes: (m, n, k) => r.gemmWorkBytes(m, n, k),
    gemm: (c, work, a, b, m, n, k, transA, transB, accumulate) => r.gemm(c.ptr, work.ptr, a.ptr, b.ptr, m, n, k, transA, transB, accumulate),
    biasAct: (y, x, bias, rows, cols, act, alpha) => r.biasAct(y.ptr, x.ptr, opt(bias), rows, cols, act, alpha),
    actBackward: (dx, dy, y, n, act, alpha) => r.actBackward(dx.ptr, dy.ptr, y.ptr, n, act, alpha),
    prelu: (y, x, alpha, rows, cols) => r.prelu(y.ptr, x.ptr, alpha.ptr, rows, cols),
    preluBackward: (dx, dalpha, dy, x, alpha, rows, cols) => r.preluBackward(dx.ptr, dalpha.ptr, dy.ptr, x.ptr, alpha.ptr, rows, cols),
    maxout: (y, idx, z, rows, units, pieces) => r.maxout(y.ptr, idx.ptr, z.ptr, rows, units, pieces),
    maxoutBackward: (dz, dy, idx, rows, units, pieces) => r.maxoutBackward(dz.ptr, dy.ptr, idx.ptr, rows, units, pieces),

    softmaxXent: (d, x, labels, w, rows, cols) => r.softmaxXent(opt(d), x.ptr, labels.ptr, opt(w), rows, cols),
    softmaxXentDense: (d, x, t, w, rows, cols) => r.softmaxXentDense(opt(d), x.ptr, t.ptr, opt(w), rows, cols),
    sigmoidXent: (d, x, t, w, rows, cols) => r.sigmoidXent(opt(d), x.ptr, t.ptr, opt(w), rows, cols),
    mse: (d, p, t, w, rows, cols) => r.mse(opt(d), p.ptr, t.ptr, opt(w), rows, cols),
    mae: (d, p, t, w, rows, cols) => r.mae(opt(d), p.ptr, t.ptr, opt(w), rows, cols),
    huber: (d, p, t, w, rows, cols, delta) => r.huber(opt(d), p.ptr, t.ptr, opt(w), rows, cols, delta),
    countArgmaxHits: (x, labels, rows, cols) => r.countArgmaxHits(x.ptr, labels.ptr, rows, cols),
    countArgmaxMatches: (x, t, rows, cols) => r.countArgmaxMatches(x.ptr, t.ptr, rows, cols),
    countBinaryHits: (x, t, n, threshold) => r.countBinaryHits(x.ptr, t.ptr, n, threshold),
    countTopKHits: (x, t, rows, cols, k, dense) => r.countTopKHits(x.ptr, t.ptr, rows, cols, k, dense),
    softmax: (y, x, rows, cols) => r.softmax(y.ptr, x.ptr, rows, cols),
    softmaxBackward: (dx, dy, y, rows, cols) => r.softmaxBackward(dx.ptr, dy.ptr, y.ptr, rows, cols),
    argMax: (out, x, rows, cols) => r.argMax(out.ptr, x.ptr, rows, cols),
    oneHot: (out, labels, rows, depth) => r.oneHot(out.ptr, labels.ptr, rows, depth),
    sumSquaredDiff: (a, b, n) => r.sumSquaredDiff(a.ptr, b.ptr, n),
    countZeros: (x, n) => r.countZeros(x.ptr, n),

    sgdStep: (pOut, bufOut, p, g, buf, n, lr, momentum, dampening, nesterov, weightDecay, first) =>
      r.sgdStep(pOut.ptr, opt(bufOut), p.ptr, g.ptr, opt(buf), n, lr, momentum, dampening, nesterov, weightDecay, first),
    rmspropStep: (pOut, sqOut, gaOut, bufOut, p, g, sq, ga, buf, n, lr, rho, eps, momentum, centered, weightDecay) =>
      r.rmspropStep(pOut.ptr, sqOut.ptr, opt(gaOut), opt(bufOut), p.ptr, g.ptr, sq.ptr, opt(ga), opt(buf), n, lr, rho, eps, momentum, centered, weightDecay),
    adagradStep: (pOut, sumOut, p, g, sum, n, lr, eps, lrDecay, weightDecay, t) =>
      r.adagradStep(pOut.ptr, sumOut.ptr, p.ptr, g.ptr, sum.ptr, n, lr, eps, lrDecay, weightDecay, t),
    adamStep: (pOut, mOut, vOut, p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, t) =>
      r.adamStep(pOut.ptr, mOut.ptr, vOut.ptr, p.ptr, g.ptr, m.ptr, v.ptr, n, lr, beta1, beta2, eps, weightDecay, t),
    adamwStep: (pOut, mOut, vOut, p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, t) =>
      r.adamwStep(pOut.ptr, mOut.ptr, vOut.ptr, p.ptr, g.ptr, m.ptr, v.ptr, n, lr, beta1, beta2, eps, weightDecay, t),

    rngUniform: (out, state, n, lo, hi) => r.rngUniform(out.ptr, state.ptr, n, lo, hi),
    rngNormal: (out, state, scratch, n, mean, std, truncate) => r.rngNormal(out.ptr, state.ptr, scratch.ptr, n, mean, std, truncate),
    dropout: (y, mask, state, x, n, rate) => r.dropout(y.ptr, mask.ptr, state.ptr, x.ptr, n, rate),
    colSum: (out, x, rows, cols, accumulate) => r.colSum(out.ptr, x.ptr, rows, cols, accumulate),
    mul: (out, a, b, n) => r.mul(out.ptr, a.ptr, b.ptr, n),
    sumSquares: (x, n) => r.sumSquares(x.ptr, n),
    firstNonFinite: (x, n) => r.firstNonFinite(x.ptr, n),
    l2: (grad, w, n, lambda) => r.l2(grad.ptr, w.ptr, n, lambda),
    randomShift: (out, state, x, count, h, w, c, maxShift) => r.randomShift(out.ptr, state.ptr, x.ptr, count, h, w, c, maxShift),

    convWorkBytes: (g, F) => r.convWorkBytes(g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft, g.OH, g.OW, F),
    convForward: (y, work, x, w, N, g, F) =>
      r.convForward(y.ptr, work.ptr, x.ptr, w.ptr, N, g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft, g.OH, g.OW, F),
    convInputGrad: (dx, work, dy, w, N, g, F) =>
      r.convInputGrad(dx.ptr, work.ptr, dy.ptr, w.ptr, N, g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft, g.OH, g.OW, F),
    convFilterGrad: (dw, work, x, dy, N, g, F) =>
      r.convFilterGrad(dw.ptr, work.ptr, x.ptr, dy.ptr, N, g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft, g.OH, g.OW, F, 0, g.KH * g.KW),
    maxPool: (y, idx, x, N, g) => r.maxPool(y.ptr, idx.ptr, x.ptr, N, g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft, g.OH, g.OW),
    maxPoolBackward: (dx, dy, idx, N, g) => r.maxPoolBackward(dx.ptr, dy.ptr, idx.ptr, N, g.H, g.W, g.C, g.OH, g.OW),
    avgPool: (y, x, N, g) => r.avgPool(y.ptr, x.ptr, N, g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft, g.OH, g.OW),
    avgPoolBackward: (dx, dy, N, g) => r.avgPoolBackward(dx.ptr, dy.ptr, N, g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft, g.OH, g.OW),

    swapAxes: (out, x, a, b, c) => r.swapAxes(out.ptr, x.ptr, a, b, c),
    lstmCell: (h, c, ac, gates, cPrev, N, U, act, rec) => r.lstmCell(h.ptr, c.ptr, ac.ptr, gates.ptr, opt(cPrev), N, U, act, rec),
    lstmCellBackward: (dgates, dc, dh, gates, cPrev, ac, N, U, act, rec) =>
      r.lstmCellBackward(dgates.ptr, dc.ptr, dh.ptr, gates.ptr, opt(cPrev), ac.ptr, N, U, act, rec),
    gruCell: (h, gates, recur, hPrev, recBias, N, U, act, rec) => r.gruCell(h.ptr, gates.ptr, recur.ptr, opt(hPrev), opt(recBias), N, U, act, rec),
    gruCellBackward: (dgates, drecur, dhPrev, dh, gates, recur, hPrev, N, U, act, rec) =>
      r.gruCellBackward(dgates.ptr, drecur.ptr, opt(dhPrev), dh.ptr, gates.ptr, recur.ptr, opt(hPrev), N, U, act, rec),
    gruGates: (rh, gates, zr, hPrev, N, U, rec) => r.gruGates(rh.ptr, gates.ptr, opt(zr), opt(hPrev), N, U, rec),
    gruCandidate: (h, gates, hu, hPrev, N, U, act) => r.gruCandidate(h.ptr, gates.ptr, opt(hu), opt(hPrev), N, U, act),
    gruCandidateBackward: (dgates, dzr, dhh, dhPrev, dh, gates, hPrev, N, U, act, rec) =>
      r.gruCandidateBackward(dgates.ptr, dzr.ptr, dhh.ptr, opt(dhPrev), dh.ptr, gates.ptr, opt(hPrev), N, U, act, rec),
    gruResetBackward: (dgates, dzr, dhPrev, drh, gates, hPrev, N, U, rec) =>
      r.gruResetBackward(dgates.ptr, dzr.ptr, opt(dhPrev), opt(drh), gates.ptr, opt(hPrev), N, U, rec),
    embedding: (out, table, tokens, n, inputDim, D) => r.embedding(out.ptr, table.ptr, tokens.ptr, n, inputDim, D),
    embeddingBackward: (dtable, dy, tokens, n, inputDim, D) => r.embeddingBackward(dtable.ptr, dy.ptr, tokens.ptr, n, inputDim, D),

    batchNormTrain: (y, mean, invstd, variance, acc, x, gamma, beta, rows, C, eps) =>
      r.batchNormTrain(y.ptr, mean.ptr, invstd.ptr, variance.ptr, acc.ptr, x.ptr, gamma.ptr, beta.ptr, rows, C, eps),
    batchNormInfer: (y, invstd, x, movingMean, movingVar, gamma, beta, rows, C, eps) =>
      r.batchNormInfer(y.ptr, invstd.ptr, x.ptr, movingMean.ptr, movingVar.ptr, gamma.ptr, beta.ptr, rows, C, eps),
    batchNormBackward: (dx, dgamma, dbeta, acc, dy, x, mean, invstd, gamma, rows, C) =>
      r.batchNormBackward(dx.ptr, dgamma.ptr, dbeta.ptr, acc.ptr, dy.ptr, x.ptr, mean.ptr, invstd.ptr, gamma.ptr, rows, C),
    ema: (moving, batch, n, momentum) => r.ema(moving.ptr, batch.ptr, n, momentum),
    groupNorm: (y, mean, invstd, acc, x, gamma, beta, N, S, C, G, eps) =>
      r.groupNorm(y.ptr, mean.ptr, invstd.ptr, acc.ptr, x.ptr, gamma.ptr, beta.ptr, N, S, C, G, eps),
    groupNormBackward: (dx, dgamma, dbeta, acc, dy, x, mean, invstd, gamma, N, S, C, G) =>
      r.groupNormBackward(dx.ptr, dgamma.ptr, dbeta.ptr, acc.ptr, dy.ptr, x.ptr, mean.ptr, invstd.ptr, gamma.ptr, N, S, C, G),

    activationStats: (out, x, n, shift, center, threshold) => r.activationStats(out.ptr, x.ptr, n, shift, center, threshold),
    histogram: (counts, x, n, bins, lo, hi) => r.histogram(counts.ptr, x.ptr, n, bins, lo, hi),

    colMoments: (mean, variance, x, rows, cols) => r.colMoments(mean.ptr, variance.ptr, x.ptr, rows, cols),
    standardize: (y, x, mean, div, rows, cols) => r.standardize(y.ptr, x.ptr, mean.ptr, div.ptr, rows, cols),
    unstandardize: (x, y, mean, div, rows, cols) => r.unstandardize(x.ptr, y.ptr, mean.ptr, div.ptr, rows, cols),
    prepareScale: (out, v, n, mode, eps) => r.prepareScale(out.ptr, v.ptr, n, mode, eps),
    covariance: (cov, work, x, mean, rows, cols) => r.covariance(cov.ptr, work.ptr, x.ptr, mean.ptr, rows, cols),
    project: (y, work, x, mean, components, div, rows, D, k) => r.project(y.ptr, work.ptr, x.ptr, mean.ptr, components.ptr, opt(div), rows, D, k),
    unproject: (x, work, y, mul, components, mean, rows, k, D) => r.unproject(x.ptr, work.ptr, y.ptr, opt(mul), components.ptr, opt(mean), rows, k, D),

    addTo: (out, a, b, n) => r.addTo(out.ptr, a.ptr, b.ptr, n),
    subTo: (out, a, b, n) => r.subTo(out.ptr, a.ptr, b.ptr, n),
    scaleTo: (out, x, n, s) => r.scaleTo(out.ptr, x.ptr, n, s),
    maxMerge: (out, idx, x, n, which) => r.maxMerge(out.ptr, idx.ptr, x.ptr, n, which),
    selectGrad: (dx, dy, idx, n, which) => r.selectGrad(dx.ptr, dy.ptr, idx.ptr, n, which),

    gatherRows: (out, x, idx, count, rowBytes) => r.gatherRows(out.ptr, x.ptr, idx.ptr, count, rowBytes),
    copyRows: (dst, src, rows, rowBytes, dstStride, srcStride) => r.copyRows(dst.ptr, src.ptr, rows, rowBytes, dstStride, srcStride),
    shuffle: (perm, state, n) => r.shuffle(perm.ptr, state.ptr, n),
    rngSeed: (state, seedLo, seedHi, stream) => r.rngSeed(state.ptr, seedLo, seedHi, stream),
    symEig: (vectors, values, work, a, n) => r.symEig(vectors.ptr, values.ptr, work.ptr, a.ptr, n),
    covarianceWorkBytes: (cols) => r.covarianceWorkBytes(cols),
    projectWorkBytes: (K, M) => r.projectWorkBytes(K, M),
  };
}
