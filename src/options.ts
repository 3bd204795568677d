// Argument checks shared by every public entry point: unknown option keys (a Python-style
// `kernel_initializer` in plain JS would otherwise be ignored silently) and descriptions of
// bad values that say what was passed ("the string '8'", not "8").

/** Throws for keys of `args` that are not in `known`, suggesting the closest known key. */
export function checkKeys(args: unknown, known: readonly string[], what: string): void {
  if (args === undefined || args === null) return;
  if (typeof args !== 'object' || Array.isArray(args)) throw new Error(`${what} options must be an object, got ${describe(args)}`);
  for (const key of Object.keys(args)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    throw new Error(`unknown option '${key}' for ${what}${near ? `; did you mean '${near}'?` : ''} (known: ${known.join(', ')})`);
  }
}

/** The known name nearest to `name` (case and '_' ignored, then edit distance ≤ 3), or null. */
export function closest(name: string, known: readonly string[]): string | null {
  const norm = (s: string) => s.replace(/_/g, '').toLowerCase();
  const n = norm(name);
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = norm(k) === n ? 0 : editDistance(n, norm(k));
    if (d < bestD) { bestD = d; best = k; }
  }
  return bestD <= Math.min(3, Math.floor(n.length / 2)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** A value as an error message should show it: numbers as numbers, others with their type. */
export function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return `the string '${v}'`;
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return `an array ${safeJson(v)}`;
  if (typeof v === 'function') return 'a function';
  return `an object ${safeJson(v)}`;
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? s.slice(0, 77) + '...' : s;
  } catch {
    return '(not serializable)';
  }
}

export function positiveInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${what} must be a positive integer, got ${describe(v)}`);
  return v;
}

export function checkBool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`${what} must be true or false, got ${describe(v)}`);
  return v;
}

/** An object literal ({...}) as configs are, with no prototype tricks. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
