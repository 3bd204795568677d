// Weight penalties added to the loss. l2(λ) adds λ·Σw² of a kernel (never of biases or
// norm parameters) and its gradient 2λ·w, in one fused kernel.

export interface Regularizer {
  readonly kind: 'l2';
  readonly lambda: number;
}

/** L2 penalty λ·Σw² (Keras `l2`); λ ≥ 0. */
export function l2(lambda = 0.01): Regularizer {
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) {
    throw new Error(`Invalid l2 regularization factor: ${String(lambda)} (must be a finite number ≥ 0)`);
  }
  return Object.freeze({ kind: 'l2' as const, lambda });
}

export function checkRegularizer(r: unknown, what: string): Regularizer | null {
  if (r === undefined || r === null) return null;
  if (typeof r === 'object' && (r as Regularizer).kind === 'l2' && typeof (r as Regularizer).lambda === 'number') return r as Regularizer;
  throw new Error(`${what} must be regularizers.l2(λ), got ${JSON.stringify(r)}`);
}

export const regularizers = { l2 };
