// Defensive readers over the report JSON. The report's sections grow while the panel ships, so the
// views read what is there and show nothing (never crash) for what is not.

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): JsonObject => (isObject(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
export const strs = (v: unknown): string[] => arr(v).flatMap((x) => (typeof x === 'string' ? [x] : []));
export const nums = (v: unknown): number[] => arr(v).map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : 0));

/** The first key of `o` present, read with `f`. */
export function pick<T>(o: JsonObject, keys: string[], f: (v: unknown) => T | undefined): T | undefined {
  for (const k of keys) {
    const v = f(o[k]);
    if (v !== undefined) {
      return v;
    }
  }
  return undefined;
}

/** A time on the report's wire (RFC 3339 string or epoch ms) as epoch ms. */
export function timeMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    return v;
  }
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
