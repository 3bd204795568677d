// Weight penalties added to the loss. l2(λ) adds λ·Σw² of a kernel (never of biases or
// norm parameters) and its gradient 2λ·w, in one fused kernel. Serialized as
// {className: 'l2', config: {lambda}}.

import { describe } from './options.js';
import { Registry, type Serialized } from './serialization.js';

export interface Regularizer {
  readonly className: 'l2';
  readonly lambda: number;
  getConfig(): { lambda: number };
}

/** L2 penalty λ·Σw² (Keras `l2`); λ ≥ 0. */
export function l2(lambda: number = 0.01): Regularizer {
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) {
    throw new Error(`Invalid l2 regularization factor: ${describe(lambda)} (must be a finite number ≥ 0)`);
  }
  return Object.freeze({ className: 'l2' as const, lambda, getConfig: () => ({ lambda }) });
}

export const regularizerRegistry = new Registry<Regularizer>('regularizer');
regularizerRegistry.register('l2', (config) => {
  for (const k of Object.keys(config)) if (k !== 'lambda') throw new Error(`unknown option '${k}' for regularizers.l2 (known: lambda)`);
  return l2(config.lambda as number);
});

/** A regularizer, a serialized {className, config}, or none. */
export function checkRegularizer(r: unknown, what: string): Regularizer | null {
  if (r === undefined || r === null) return null;
  if (typeof r === 'object' && (r as Regularizer).className === 'l2' && typeof (r as Regularizer).getConfig === 'function') return r as Regularizer;
  if (typeof r === 'object' && 'className' in r) return regularizerRegistry.fromConfig(r as Serialized, what);
  throw new Error(`${what} must be regularizers.l2(λ), got ${describe(r)}`);
}

export const regularizers = { l2 };
