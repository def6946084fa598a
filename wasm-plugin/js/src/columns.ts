// One column of values turned into typed arrays, per kind of the packed-frame contract
// (coord/PACKED_FRAMES.md). Values that cannot be used are sent as null and reported by row.

/** A value that could not be used, by row; the packer adds frame and field. */
export interface ValueProblem {
  row: number;
  message: string;
}

export type Column =
  | { kind: 'f64'; values: Float64Array; valid: Uint8Array | null }
  | { kind: 'time'; ms: Float64Array; nanos: Float64Array | null; valid: Uint8Array | null }
  | { kind: 'str' | 'json'; bytes: Uint8Array; ends: Uint32Array; valid: Uint8Array | null }
  | { kind: 'bool'; values: Uint8Array; valid: Uint8Array | null };

/**
 * A column's packing as steps: it yields every few thousand rows so that a caller on a page's main thread can
 * let the page run between slices (`Session.addFrames`); `packFrame` runs the steps to the end at once.
 */
export type Steps<T> = Generator<void, T, void>;

/** Rows between two yields in the cheap per-row loops. */
const SLICE = 4096;

function isMissing(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** A validity mask with the first `upTo` values present; made the first time a value is missing. */
function startMask(length: number, upTo: number): Uint8Array {
  const valid = new Uint8Array(length);
  valid.fill(1, 0, upTo);
  return valid;
}

function describe(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v) : String(v);
  return `${typeof v} ${text}`;
}

/**
 * Number fields. Returns null when some value is a string or bigint (int64 beyond 2^53, as Grafana sends them):
 * such columns go as text and Rust parses them exactly.
 */
export function* numberColumn(values: ArrayLike<unknown>, problems: ValueProblem[]): Steps<Column | null> {
  const n = values.length;
  if (values instanceof Float64Array) return { kind: 'f64', values: values.slice(), valid: null };
  const out = new Float64Array(n);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (i % SLICE === SLICE - 1) yield;
    const v = values[i];
    if (typeof v === 'number') {
      out[i] = v;
      if (valid) valid[i] = 1;
    } else if (typeof v === 'string' || typeof v === 'bigint') {
      return null;
    } else {
      if (!isMissing(v)) problems.push({ row: i, message: `not a number: ${describe(v)}` });
      valid ??= startMask(n, i);
    }
  }
  return { kind: 'f64', values: out, valid };
}

/** Matches the fractional seconds of an RFC 3339 time, to keep the digits below the millisecond. */
const FRACTION = /\.(\d+)(?:z|[+-]\d\d:?\d\d)?$/i;
const DIGITS = /^-?\d+$/;

/**
 * Time fields: epoch ms numbers (with Grafana's `nanos`), Date objects, RFC 3339 strings (sub-ms digits kept),
 * digit strings (ms up to 15 digits, ns beyond: Loki's `tsNs` style).
 */
export function* timeColumn(values: ArrayLike<unknown>, givenNanos: ArrayLike<number> | null, problems: ValueProblem[]): Steps<Column> {
  const n = values.length;
  const ms = new Float64Array(n);
  let nanos: Float64Array | null = null;
  if (givenNanos) {
    nanos = new Float64Array(n);
    for (let i = 0; i < n; i++) nanos[i] = Number(givenNanos[i] ?? 0) || 0;
  }
  let valid: Uint8Array | null = null;
  const setNanos = (i: number, ns: number): void => {
    nanos ??= new Float64Array(n);
    nanos[i] = ns;
  };
  for (let i = 0; i < n; i++) {
    if (i % SLICE === SLICE - 1) yield;
    const v = values[i];
    let t = NaN;
    if (typeof v === 'number') {
      t = v;
    } else if (v instanceof Date) {
      t = v.getTime();
    } else if (typeof v === 'string') {
      const s = v.trim();
      if (DIGITS.test(s) && s.replace('-', '').length > 15) {
        // ns since the epoch: split in the text, a double cannot hold it.
        t = Number(s.slice(0, -6));
        setNanos(i, Number(s.slice(-6)) * (t < 0 ? -1 : 1));
      } else if (DIGITS.test(s)) {
        t = Number(s);
      } else {
        t = Date.parse(s);
        const digits = FRACTION.exec(s)?.[1];
        if (!Number.isNaN(t) && digits !== undefined && digits.length > 3) {
          setNanos(i, Number(digits.slice(3, 9).padEnd(6, '0')));
        }
      }
    }
    if (Number.isFinite(t)) {
      ms[i] = t;
      if (valid) valid[i] = 1;
    } else {
      if (!isMissing(v)) problems.push({ row: i, message: `not a time: ${describe(v)}` });
      valid ??= startMask(n, i);
    }
  }
  return { kind: 'time', ms, nanos, valid };
}

export function* boolColumn(values: ArrayLike<unknown>, problems: ValueProblem[]): Steps<Column> {
  const n = values.length;
  const out = new Uint8Array(n);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (i % SLICE === SLICE - 1) yield;
    const v = values[i];
    if (typeof v === 'boolean') {
      out[i] = v ? 1 : 0;
      if (valid) valid[i] = 1;
    } else {
      if (!isMissing(v)) problems.push({ row: i, message: `not a boolean: ${describe(v)}` });
      valid ??= startMask(n, i);
    }
  }
  return { kind: 'bool', values: out, valid };
}

/** Text of one value of a string, enum or stringly number field. */
export type ToText = (v: unknown, row: number) => string | null;

export function plainText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (isMissing(v)) return null;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') return JSON.stringify(v) ?? null;
  return null; // functions and symbols have no text
}

/** Text of enum values: Grafana keeps indexes into `config.type.enum.text` (decoded frames may hold the text). */
export function enumText(config: object | null | undefined, problems: ValueProblem[]): ToText {
  const text = (config as { type?: { enum?: { text?: unknown } } } | null | undefined)?.type?.enum?.text;
  const names: readonly unknown[] = Array.isArray(text) ? text : [];
  return (v, row) => {
    if (typeof v === 'number') {
      const name = names[v];
      if (typeof name === 'string') return name;
      problems.push({ row, message: `enum index ${v} has no text in config.type.enum.text` });
      return null;
    }
    return plainText(v);
  };
}

export function jsonText(problems: ValueProblem[]): ToText {
  return (v, row) => {
    if (isMissing(v)) return null;
    try {
      return JSON.stringify(v) ?? null;
    } catch (e) {
      problems.push({ row, message: `not JSON-serialisable: ${e instanceof Error ? e.message : String(e)}` });
      return null;
    }
  };
}

/** How many values are UTF-8 encoded with one `TextEncoder` call; a chunk with non-ASCII text is encoded value by value. */
const CHUNK = 1024;
const encoder = new TextEncoder();

/**
 * Text columns: one UTF-8 buffer and end offsets. Values are joined and encoded a chunk at a time: when a chunk
 * is ASCII (as bytes as characters), its ends are the character offsets; otherwise each value is encoded alone
 * (a lone surrogate must not pair with its neighbour).
 */
export function* textColumn(kind: 'str' | 'json', values: ArrayLike<unknown>, toText: ToText): Steps<Column> {
  const n = values.length;
  const texts: string[] = new Array<string>(n);
  let valid: Uint8Array | null = null;
  let chars = 0;
  for (let i = 0; i < n; i++) {
    if (i % CHUNK === CHUNK - 1) yield;
    const v = values[i];
    const t = typeof v === 'string' && kind === 'str' ? v : toText(v, i);
    if (t === null) {
      valid ??= startMask(n, i);
      texts[i] = '';
    } else {
      if (valid) valid[i] = 1;
      texts[i] = t;
      chars += t.length;
    }
  }
  let bytes: Uint8Array = new Uint8Array(chars);
  const ends = new Uint32Array(n);
  let pos = 0;
  for (let start = 0; start < n; start += CHUNK) {
    if (start > 0) yield;
    const stop = Math.min(n, start + CHUNK);
    const joined = stop - start === n ? texts.join('') : texts.slice(start, stop).join('');
    const { read, written } = encoder.encodeInto(joined, bytes.subarray(pos));
    if (written === joined.length && read === joined.length) {
      for (let i = start; i < stop; i++) {
        pos += texts[i]!.length;
        ends[i] = pos;
      }
      continue;
    }
    // Non-ASCII (or out of room after an earlier non-ASCII chunk): 3 bytes per UTF-16 unit is the most UTF-8 needs.
    if (pos + joined.length * 3 > bytes.length) bytes = grow(bytes, pos, pos + joined.length * 3 + (chars - joined.length));
    for (let i = start; i < stop; i++) {
      pos += encoder.encodeInto(texts[i]!, bytes.subarray(pos)).written;
      ends[i] = pos;
    }
  }
  return { kind, bytes: bytes.subarray(0, pos), ends, valid };
}

/**
 * JSON columns: the values go through `JSON.stringify` a slice of CHUNK values at a time (per-value calls cost
 * more than the rest of the packing; one call for the whole column would be one long task), each array text is
 * split at its top-level commas, and the elements are laid end to end. `null` elements (null, undefined,
 * functions) are missing values. Returns null when some slice cannot be stringified as an array (a BigInt, a
 * cycle): the caller then goes value by value and reports which.
 */
export function* jsonColumn(values: ArrayLike<unknown>): Steps<Column | null> {
  const n = values.length;
  const ends = new Uint32Array(n);
  let valid: Uint8Array | null = null;
  let bytes: Uint8Array = new Uint8Array(Math.max(16, n * 8));
  let pos = 0;
  const starts = new Uint32Array(CHUNK);
  const stops = new Uint32Array(CHUNK);
  for (let from = 0; from < n; from += CHUNK) {
    if (from > 0) yield;
    const to = Math.min(n, from + CHUNK);
    let text: string;
    try {
      text = JSON.stringify(Array.isArray(values) ? values.slice(from, to) : Array.from({ length: to - from }, (_, i) => values[from + i]));
    } catch {
      return null;
    }
    if (splitArray(text, starts, stops) !== to - from) return null;
    const encoded = encoder.encode(text);
    // ASCII (bytes as characters): elements are copied from the encoded slice; otherwise each is encoded alone.
    const ascii = encoded.length === text.length;
    if (pos + encoded.length > bytes.length) bytes = grow(bytes, pos, pos + encoded.length);
    // ASCII: char offsets are byte offsets; the elements are closed up in the encoded slice (over the commas and
    // nulls) and copied out at once.
    let kept = 0;
    for (let i = from; i < to; i++) {
      const start = starts[i - from]!;
      const stop = stops[i - from]!;
      if (stop - start === 4 && text.startsWith('null', start)) {
        valid ??= startMask(n, i);
      } else {
        if (ascii) {
          encoded.copyWithin(kept, start, stop);
          kept += stop - start;
        } else {
          pos += encoder.encodeInto(text.slice(start, stop), bytes.subarray(pos)).written;
        }
        if (valid) valid[i] = 1;
      }
      ends[i] = ascii ? pos + kept : pos;
    }
    if (ascii) {
      bytes.set(encoded.subarray(0, kept), pos);
      pos += kept;
    }
  }
  return { kind: 'json', bytes: bytes.subarray(0, pos), ends, valid };
}

/** Finds the top-level elements of a JSON array text (as JSON.stringify writes it: no spaces); returns their count. */
function splitArray(text: string, starts: Uint32Array, stops: Uint32Array): number {
  const QUOTE = 34;
  const COMMA = 44;
  let count = 0;
  let depth = 0;
  let start = 1;
  const last = text.length - 1; // the closing bracket
  if (last <= 1) return 0;
  for (let i = 1; i < last; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
    } else if (c === 91 || c === 123) {
      depth++;
    } else if (c === 93 || c === 125) {
      depth--;
    } else if (c === COMMA && depth === 0) {
      if (count >= starts.length) return -1;
      starts[count] = start;
      stops[count++] = i;
      start = i + 1;
    }
  }
  if (count >= starts.length) return -1;
  starts[count] = start;
  stops[count++] = last;
  return count;
}

/** The index of the quote closing the string that opens at `open`. */
function closingQuote(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
}

function grow(bytes: Uint8Array, used: number, atLeast: number): Uint8Array {
  const next = new Uint8Array(Math.max(atLeast, bytes.length * 2));
  next.set(bytes.subarray(0, used));
  return next;
}
