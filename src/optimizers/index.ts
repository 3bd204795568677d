import { sgd, SGD } from './sgd.js';
import { rmsprop, RMSprop } from './rmsprop.js';
import { adagrad, Adagrad } from './adagrad.js';
import { adam, Adam } from './adam.js';
import { adamw, AdamW } from './adamw.js';
import { Optimizer } from './optimizer.js';
import { Registry } from '../serialization.js';

/** Optimizer factories; also the names compile({optimizer: 'adam'}) accepts. */
export const optimizers = { sgd, rmsprop, adagrad, adam, adamw };

export type OptimizerName = keyof typeof optimizers;

/** className → factory of the optimizer's getConfig(): what save/load rebuilds optimizers from. */
export const optimizerRegistry = new Registry<Optimizer>('optimizer');
for (const [name, factory] of Object.entries(optimizers)) optimizerRegistry.register(name, factory as (c: Record<string, unknown>) => Optimizer);

export function getOptimizer(spec: unknown): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec === 'string' && optimizerRegistry.has(spec)) return optimizerRegistry.fromConfig({ className: spec, config: {} });
  if (spec && typeof spec === 'object' && 'className' in spec) return optimizerRegistry.fromConfig(spec, 'optimizer');
  throw new Error(`Unknown optimizer ${typeof spec === 'string' ? `'${spec}'` : JSON.stringify(spec)}; expected one of ${Object.keys(optimizers).join(', ')} or an optimizers.*() instance`);
}

export { Optimizer, SGD, RMSprop, Adagrad, Adam, AdamW };
