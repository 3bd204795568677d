// Reading one TF.js layer's config on import. Every key must be read, ignored on purpose or
// common to all layers: an option this importer does not know might change what the layer
// computes, so it is refused rather than dropped.

import { describe } from '../../options.js';

/** Reads one TF.js layer config: tracks which keys were read so unknown ones are refused. */
export class Config {
  private readonly seen = new Set<string>();
  constructor(readonly raw: Record<string, unknown>, readonly what: string) {}

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  get(key: string): unknown {
    this.seen.add(key);
    return this.raw[key];
  }

  /** Marks keys that do not change what the layer computes (seeds, initializers of norms, …). */
  ignore(...keys: string[]): void {
    for (const k of keys) this.seen.add(k);
  }

  fail(why: string): never {
    throw new Error(`fromTfjsLayers: ${this.what}: ${why}`);
  }

  num(key: string, dflt?: number): number {
    const v = this.get(key) ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${key} must be a finite number, got ${describe(v)}`);
    return v;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.get(key) ?? dflt;
    if (typeof v !== 'boolean') this.fail(`${key} must be true or false, got ${describe(v)}`);
    return v;
  }

  /** Throws unless the option is absent or has its neutral value. */
  neutral(key: string, ok: (v: unknown) => boolean, why: string): void {
    const v = this.get(key);
    if (v !== undefined && v !== null && !ok(v)) this.fail(`${key} ${JSON.stringify(v)} is not supported: ${why}`);
  }

  /** Throws unless the option is absent or null (regularizers, constraints). */
  none(key: string, why: string): void {
    const v = this.get(key);
    if (v !== undefined && v !== null) this.fail(`${key} ${describe(v)} is not supported: ${why}`);
  }

  pair(key: string, dflt?: [number, number]): [number, number] {
    const v = this.get(key) ?? dflt;
    const p = typeof v === 'number' ? [v, v] : v;
    if (!Array.isArray(p) || p.length !== 2 || p.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0)) {
      this.fail(`${key} must be a positive integer or a pair of them, got ${describe(v)}`);
    }
    return [p[0], p[1]];
  }

  channelsLast(): void {
    const v = this.get('dataFormat');
    if (v !== undefined && v !== null && norm(v) !== 'channelslast') {
      this.fail(`dataFormat ${describe(v)} is not supported: simdnet's images are channels-last [batch, height, width, channels]`);
    }
  }

  padding(): 'valid' | 'same' {
    const v = this.get('padding') ?? 'valid';
    if (v !== 'valid' && v !== 'same') this.fail(`padding ${describe(v)} is not supported (simdnet has 'valid' and 'same')`);
    return v;
  }

  /** The keys nobody read: options this importer does not know, which might change the layer. */
  done(): void {
    const left = Object.keys(this.raw).filter((k) => !this.seen.has(k) && !COMMON_KEYS.has(k));
    if (left.length) this.fail(`unknown option${left.length > 1 ? 's' : ''} ${left.map((k) => `'${k}'`).join(', ')}; simdnet cannot tell whether ${left.length > 1 ? 'they change' : 'it changes'} what the layer computes`);
  }
}

/** Keys every layer may have that are handled elsewhere (name, input shape, dtype) or change nothing. */
const COMMON_KEYS = new Set(['name', 'trainable', 'dtype', 'batchInputShape', 'batchShape', 'batchSize', 'inputDtype']);

/** A TF.js/Keras name compared without case or underscores ('channels_last' = 'channelsLast'). */
export const norm = (v: unknown): string => (typeof v === 'string' ? v.replace(/_/g, '').toLowerCase() : String(v));

const FUSED: Record<string, string> = { linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', elu: 'elu', softmax: 'softmax' };

/** The simdnet name of the 'activation' option (a Dense/Conv2D's fused one, or an Activation layer's); absent → 'linear'. */
export function activationOf(c: Config): string {
  const v = c.get('activation');
  if (v === undefined || v === null) return 'linear';
  const a = FUSED[norm(v)];
  if (!a) c.fail(`activation ${describe(v)} has no simdnet equivalent (supported: ${Object.keys(FUSED).join(', ')})`);
  return a;
}

/** Runs fn, naming the TF.js layer in its Error (for checks simdnet's own code makes). */
export function wrap<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (e) {
    throw new Error(`fromTfjsLayers: ${what}: ${(e as Error).message}`);
  }
}
