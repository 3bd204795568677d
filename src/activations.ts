// Activation names → kernel codes and their fixed parameters (docs/ARCHITECTURE.md conventions:
// leakyRelu alpha 0.01, elu alpha 1.0). PReLU and maxout have parameters and are layers.

import { Act } from '../bindings/index.js';

export interface ActivationSpec {
  name: string;
  code: number;
  alpha: number;
}

const DEFAULT_ALPHA: Record<string, number> = { leakyRelu: 0.01, elu: 1.0 };

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'elu'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export function activationSpec(name: unknown, alpha?: number): ActivationSpec {
  const n = name === undefined || name === null ? 'linear' : name;
  if (typeof n !== 'string' || !(ACTIVATIONS as readonly string[]).includes(n)) {
    const hint = n === 'prelu' || n === 'maxout' ? ` ('${n}' has parameters: add layers.${n}() instead)` : n === 'softmax' ? ' (use loss softmaxCrossEntropy on linear outputs instead)' : '';
    throw new Error(`Unknown activation '${String(n)}'${hint}; expected one of ${ACTIVATIONS.join(', ')}`);
  }
  const a = alpha ?? DEFAULT_ALPHA[n] ?? 0;
  if (typeof a !== 'number' || !Number.isFinite(a)) throw new Error(`Invalid ${n} alpha: ${String(a)}`);
  // NOTE: the backward kernels derive the gradient from the output, which needs these signs
  if (n === 'leakyRelu' && a < 0) throw new Error(`Invalid leakyRelu alpha: ${a} (must be ≥ 0; use layers.prelu for a learned slope)`);
  if (n === 'elu' && a <= 0) throw new Error(`Invalid elu alpha: ${a} (must be > 0)`);
  return { name: n, code: Act[n as keyof typeof Act], alpha: a };
}
