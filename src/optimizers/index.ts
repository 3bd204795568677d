import { sgd, SGD } from './sgd.js';
import { rmsprop, RMSprop } from './rmsprop.js';
import { adagrad, Adagrad } from './adagrad.js';
import { adam, Adam } from './adam.js';
import { adamw, AdamW } from './adamw.js';
import { Optimizer } from './optimizer.js';

/** Optimizer factories; also the registry for compile({optimizer: 'adam'}). */
export const optimizers = { sgd, rmsprop, adagrad, adam, adamw };

export function getOptimizer(spec: unknown): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec === 'string' && Object.hasOwn(optimizers, spec)) return optimizers[spec as keyof typeof optimizers]();
  throw new Error(`Unknown optimizer ${typeof spec === 'string' ? `'${spec}'` : JSON.stringify(spec)}; expected one of ${Object.keys(optimizers).join(', ')} or an optimizers.*() instance`);
}

export { Optimizer, SGD, RMSprop, Adagrad, Adam, AdamW };
