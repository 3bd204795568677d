// Activation names → kernels, with their fixed parameters (docs/ARCHITECTURE.md
// conventions: leakyRelu alpha 0.01, elu alpha 1.0). PReLU and maxout have parameters and
// are layers. softmax runs over the last axis.
//
// Output activations (softmax, sigmoid) keep their pre-activations ("logits") in a buffer
// of their own: a cross-entropy loss then reads the logits, and the layer's backward skips
// the activation (`fused`), which is the stable pair (see src/losses.ts).

import { Act, type Kernels, type Operand } from '../bindings/index.js';
import { closest, describe } from './options.js';
import type { OutputActivation } from './losses.js';

export interface ActivationSpec {
  name: ActivationName;
  /** biasAct code (linear for softmax, which has kernels of its own). */
  code: number;
  alpha: number;
  /** softmax or sigmoid: the layer keeps its logits so a loss can be fused with it. */
  output: OutputActivation | null;
}

const DEFAULT_ALPHA: Record<string, number> = { leakyRelu: 0.01, elu: 1.0 };

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'elu', 'softmax'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export function activationSpec(name: unknown, alpha?: number): ActivationSpec {
  const n = name === undefined || name === null ? 'linear' : name;
  if (typeof n !== 'string' || !(ACTIVATIONS as readonly string[]).includes(n)) {
    const hint = n === 'prelu' || n === 'maxout' ? ` ('${n}' has parameters: add layers.${n}() instead)` : '';
    const near = typeof n === 'string' && !hint ? closest(n, ACTIVATIONS) : null;
    throw new Error(`Unknown activation ${describe(n)}${hint}${near ? `; did you mean '${near}'?` : ''} (expected one of ${ACTIVATIONS.join(', ')})`);
  }
  const a = alpha ?? DEFAULT_ALPHA[n] ?? 0;
  if (typeof a !== 'number' || !Number.isFinite(a)) throw new Error(`Invalid ${n} alpha: ${describe(a)}`);
  // NOTE: the backward kernels derive the gradient from the output, which needs these signs
  if (n === 'leakyRelu' && a < 0) throw new Error(`Invalid leakyRelu alpha: ${a} (must be ≥ 0; use layers.prelu for a learned slope)`);
  if (n === 'elu' && a <= 0) throw new Error(`Invalid elu alpha: ${a} (must be > 0)`);
  const output = n === 'softmax' || n === 'sigmoid' ? n : null;
  return { name: n as ActivationName, code: n === 'softmax' ? Act.linear : Act[n as keyof typeof Act], alpha: a, output };
}

/** y = act(z) over rows × cols (softmax along each row); y may be z for the elementwise ones. */
export function activate(k: Kernels, act: ActivationSpec, y: Operand, z: Operand, rows: number, cols: number): void {
  if (act.name === 'softmax') k.softmax(y, z, rows, cols);
  else k.biasAct(y, z, null, rows, cols, act.code, act.alpha);
}

/** dz = dy ⊙ act'(z), in place on dy, from the saved output y; nothing when the loss is fused with it. */
export function activateBackward(k: Kernels, act: ActivationSpec, dy: Operand, y: Operand, rows: number, cols: number, fused: boolean): void {
  if (fused && act.output) return; // dy already is d(loss)/d(logits)
  if (act.name === 'softmax') k.softmaxBackward(dy, dy, y, rows, cols);
  else if (act.name !== 'linear') k.actBackward(dy, dy, y, rows * cols, act.code, act.alpha);
}
