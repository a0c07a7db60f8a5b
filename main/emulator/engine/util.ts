/** Small data helpers shared by the engine and resources. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy of JSON data, with JSON's rules (undefined properties dropped, undefined in arrays → null),
 * without the string round trip: every event snapshots its object with this.
 */
export function clone<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x: unknown) => (x === undefined ? null : clone(x))) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = clone(x);
  }
  return out as T;
}

const ZERO_DECIMAL = new Set([
  'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf',
]);

export function formatAmount(amount: number, currency: string): string {
  const c = currency.toLowerCase();
  const major = ZERO_DECIMAL.has(c) ? amount : amount / 100;
  const digits = ZERO_DECIMAL.has(c) ? 0 : 2;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: c.toUpperCase(), minimumFractionDigits: digits }).format(major);
  } catch {
    return `${major.toFixed(digits)} ${c}`;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
