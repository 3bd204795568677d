// Registries for (de)serialization. Every layer, initializer, regularizer, schedule and
// optimizer serializes to `{className, config}`, where `config` is exactly what its
// factory accepts, so `registry.fromConfig(serialize(x))` rebuilds the same object. Adding
// a kind of thing is one `register` line next to its factory.
//
// className is the registry key: PascalCase for layers ('Dense', as Keras), the factory
// name for the others ('glorotUniform', 'l2', 'cosineDecay', 'adam').

import { closest, describe, isPlainObject } from './options.js';

export interface Serialized {
  className: string;
  config: Record<string, unknown>;
}

export interface Serializable {
  readonly className: string;
  getConfig(): Record<string, unknown>;
}

export function serialize(obj: Serializable): Serialized {
  return { className: obj.className, config: obj.getConfig() };
}

export class Registry<T> {
  private readonly factories = new Map<string, (config: Record<string, unknown>) => T>();
  private readonly aliases = new Set<string>();

  constructor(readonly kind: string) {}

  /** An alias (e.g. TF.js's 'BatchNormalization' for 'BatchNorm') is accepted but not listed. */
  register(className: string, fromConfig: (config: Record<string, unknown>) => T, { alias = false } = {}): void {
    this.factories.set(className, fromConfig);
    if (alias) this.aliases.add(className);
  }

  /** The canonical class names (aliases left out). */
  get classNames(): string[] {
    return [...this.factories.keys()].filter((c) => !this.aliases.has(c));
  }

  has(className: unknown): boolean {
    return typeof className === 'string' && this.factories.has(className);
  }

  /** Rebuilds an object from `{className, config}`; unknown classes and malformed specs are Errors. */
  fromConfig(spec: unknown, what: string = this.kind): T {
    if (!isPlainObject(spec)) throw new Error(`${what} must be {className, config}, got ${describe(spec)}`);
    for (const key of Object.keys(spec)) {
      if (key !== 'className' && key !== 'config') throw new Error(`${what}: unknown key '${key}' (expected className and config)`);
    }
    const { className, config = {} } = spec;
    if (typeof className !== 'string' || !this.factories.has(className)) {
      const near = typeof className === 'string' ? closest(className, this.classNames) : null;
      throw new Error(`${what}: unknown ${this.kind} class ${describe(className)}${near ? `; did you mean '${near}'?` : ''} (known: ${this.classNames.join(', ')})`);
    }
    if (!isPlainObject(config)) throw new Error(`${what} '${className}': config must be an object, got ${describe(config)}`);
    return this.factories.get(className)!(config);
  }
}
