// Shape facts that export and import both decide on: written once so the two directions
// cannot drift apart.

/** Number of elements of a per-sample shape (1 for []). */
export const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/**
 * Whether simdnet's layerNorm and TF.js's LayerNormalization (axis −1) compute the same on
 * per-sample shape inShape: simdnet normalizes over all non-batch axes with a gamma/beta per
 * channel, TF.js over the last axis, so they agree only where every other axis has size 1.
 */
export const layerNormAgrees = (inShape: number[]): boolean => size(inShape.slice(0, -1)) === 1;
