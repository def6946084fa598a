// The columns of one frame written into the frame's three growing buffers (f64, u8, u32), per kind of the
// packed-frame contract (../PACKED_FRAMES.md): each value is converted once, straight into the buffer it crosses
// in, and text is UTF-8 encoded a chunk of values at a time. Values that cannot be used are sent as null and
// reported by row.
import type { PackedColumn } from './generated/types.js';
import { take } from './pool.js';
import type { Kind } from './pool.js';

/** A value that could not be used, by row; the packer adds frame and field. */
export interface ValueProblem {
  row: number;
  message: string;
}

/**
 * A column's packing as steps: it yields every few thousand rows so that a caller on a page's main thread can
 * let the page run between slices (`Session.addFrames`); `packFrame` runs the steps to the end at once.
 */
export type Steps<T> = Generator<void, T, void>;

type Elements = Float64Array | Uint8Array | Uint32Array;

/** Bytes a growing buffer copies between two yields (a few ms). */
const COPY_BYTES = 8 << 20;

/**
 * A typed array that grows at its end: columns reserve room in it and write their values there. No other column
 * writes between a column's reservation and its writes (a frame's columns are packed one after another), so a
 * column may hold on to `buf` until it reserves again.
 */
export class Sink<A extends Elements> {
  buf: A;
  used = 0;
  readonly #make: (length: number) => A;

  /** `start`: the array to write into first, or how many elements it needs. */
  constructor(make: (length: number) => A, start: A | number) {
    this.#make = make;
    this.buf = typeof start === 'number' ? make(Math.max(16, start)) : start;
  }

  /**
   * Room for `n` more elements (and, if it must grow, for `more` after them); returns where it starts. It grows
   * by a quarter at least: a frame's buffers are sized from its values first and rarely grow, and doubling a
   * buffer of hundreds of MB would hold twice the memory for a few bytes more. Growing copies what was written a
   * few MB per step: one copy of hundreds of MB would be a long task on a page's main thread.
   */
  *reserve(n: number, more = 0): Steps<number> {
    const at = this.used;
    if (at + n > this.buf.length) {
      const next = this.#make(Math.max(at + n + more, Math.ceil(this.buf.length * 1.25)));
      const step = COPY_BYTES / next.BYTES_PER_ELEMENT;
      for (let from = 0; from < at; from += step) {
        if (from > 0) yield;
        next.set(this.buf.subarray(from, Math.min(at, from + step)), from);
      }
      this.buf = next;
    }
    this.used = at + n;
    return at;
  }

  /** Gives back everything from `at` on (room reserved and not used). */
  truncate(at: number): void {
    this.used = at;
  }

  /** What was written, as a view of the buffer that is moved to the worker. */
  written(): A {
    return this.buf.subarray(0, this.used) as A;
  }
}

/**
 * The buffers of one frame, sized from what its fields hold (they grow when that was not enough): buffers a
 * previous frame crossed in, when the worker gave them back and they are large enough (pool.ts), else new ones.
 */
export class FrameBuffers {
  readonly f64: Sink<Float64Array>;
  readonly u8: Sink<Uint8Array>;
  readonly u32: Sink<Uint32Array>;

  constructor(capacity: { f64: number; u8: number; u32: number }) {
    this.f64 = new Sink((n) => new Float64Array(n), reuse('f64', capacity.f64, 8, (b) => new Float64Array(b)));
    this.u8 = new Sink((n) => new Uint8Array(n), reuse('u8', capacity.u8, 1, (b) => new Uint8Array(b)));
    this.u32 = new Sink((n) => new Uint32Array(n), reuse('u32', capacity.u32, 4, (b) => new Uint32Array(b)));
  }
}

/** A kept buffer of at least `elements` as the array to start with, or the number of elements to allocate. */
function reuse<A extends Elements>(kind: Kind, elements: number, size: number, view: (b: ArrayBuffer) => A): A | number {
  const buffer = take(kind, elements * size);
  return buffer === undefined ? elements : view(buffer);
}

/** A column written into the buffers; its validity mask (null: every value present) is laid out last. */
export interface Placed {
  column: PackedColumn;
  valid: Uint8Array | null;
}

/** Rows between two yields in the cheap per-row loops. */
export const SLICE = 4096;

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

/** Typed arrays of numbers (not of bigints): copied into the f64 buffer in one call. */
function isNumberArray(values: ArrayLike<unknown>): values is ArrayLike<number> {
  return ArrayBuffer.isView(values) && !(values instanceof DataView) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array);
}

/**
 * Number fields. Returns null (and gives its room back) when some value is a string or bigint (int64 beyond 2^53,
 * as Grafana sends them): such columns go as text and Rust parses them exactly.
 */
export function* numberColumn(values: ArrayLike<unknown>, out: FrameBuffers, problems: ValueProblem[]): Steps<Placed | null> {
  const n = values.length;
  const at = yield* out.f64.reserve(n);
  const dst = out.f64.buf;
  if (isNumberArray(values)) {
    dst.set(values, at);
    return { column: { kind: 'f64', values: at, valid: null }, valid: null };
  }
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (i % SLICE === SLICE - 1) yield;
    const v = values[i];
    if (typeof v === 'number') {
      dst[at + i] = v;
      if (valid) valid[i] = 1;
    } else if (typeof v === 'string' || typeof v === 'bigint') {
      out.f64.truncate(at);
      return null;
    } else {
      if (!isMissing(v)) problems.push({ row: i, message: `not a number: ${describe(v)}` });
      dst[at + i] = 0;
      valid ??= startMask(n, i);
    }
  }
  return { column: { kind: 'f64', values: at, valid: null }, valid };
}

/** Matches the fractional seconds of an RFC 3339 time, to keep the digits below the millisecond. */
const FRACTION = /\.(\d+)(?:z|[+-]\d\d:?\d\d)?$/i;
const DIGITS = /^-?\d+$/;

/**
 * Time fields: epoch ms numbers (with Grafana's `nanos`), Date objects, RFC 3339 strings (sub-ms digits kept),
 * digit strings (ms up to 15 digits, ns beyond: Loki's `tsNs` style).
 */
export function* timeColumn(values: ArrayLike<unknown>, givenNanos: ArrayLike<number> | null, out: FrameBuffers, problems: ValueProblem[]): Steps<Placed> {
  const n = values.length;
  const at = yield* out.f64.reserve(n);
  const nanosAt = givenNanos ? yield* out.f64.reserve(n) : null;
  const dst = out.f64.buf;
  /** Sub-ms digits found in strings of a field without `nanos`: laid out after the column when there are any. */
  let found: Float64Array | null = null;
  const setNanos = (i: number, ns: number): void => {
    if (nanosAt !== null) dst[nanosAt + i] = ns;
    else (found ??= new Float64Array(n))[i] = ns;
  };
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (i % SLICE === SLICE - 1) yield;
    // Given nanos first: a sub-ms part found in a string below takes their place.
    if (givenNanos && nanosAt !== null) dst[nanosAt + i] = Number(givenNanos[i] ?? 0) || 0;
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
      dst[at + i] = t;
      if (valid) valid[i] = 1;
    } else {
      if (!isMissing(v)) problems.push({ row: i, message: `not a time: ${describe(v)}` });
      dst[at + i] = 0;
      valid ??= startMask(n, i);
    }
  }
  let nanos = nanosAt;
  if (found !== null) {
    nanos = yield* out.f64.reserve(n);
    out.f64.buf.set(found, nanos);
  }
  return { column: { kind: 'time', ms: at, nanos, valid: null }, valid };
}

export function* boolColumn(values: ArrayLike<unknown>, out: FrameBuffers, problems: ValueProblem[]): Steps<Placed> {
  const n = values.length;
  const at = yield* out.u8.reserve(n);
  const dst = out.u8.buf;
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (i % SLICE === SLICE - 1) yield;
    const v = values[i];
    if (typeof v === 'boolean') {
      dst[at + i] = v ? 1 : 0;
      if (valid) valid[i] = 1;
    } else {
      if (!isMissing(v)) problems.push({ row: i, message: `not a boolean: ${describe(v)}` });
      dst[at + i] = 0;
      valid ??= startMask(n, i);
    }
  }
  return { column: { kind: 'bool', values: at, valid: null }, valid };
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

/** How many values are UTF-8 encoded with one `TextEncoder` call (and JSON-stringified with one call). */
const CHUNK = 1024;
const encoder = new TextEncoder();

/**
 * Text columns: the values' UTF-8 bytes end to end in the u8 buffer and their end offsets in u32. Values are
 * joined and encoded a chunk at a time, straight into the buffer: when a chunk is ASCII (as many bytes as
 * characters), its ends are the character offsets; otherwise each value is encoded alone (a lone surrogate must
 * not pair with its neighbour).
 */
export function* textColumn(kind: 'str' | 'json', values: ArrayLike<unknown>, toText: ToText, out: FrameBuffers): Steps<Placed> {
  const n = values.length;
  const endsAt = yield* out.u32.reserve(n);
  const start = out.u8.used;
  const texts: string[] = [];
  let valid: Uint8Array | null = null;
  for (let from = 0; from < n; from += CHUNK) {
    if (from > 0) yield;
    const to = Math.min(n, from + CHUNK);
    texts.length = 0;
    let chars = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      const t = typeof v === 'string' && kind === 'str' ? v : toText(v, i);
      if (t === null) {
        valid ??= startMask(n, i);
        texts.push('');
      } else {
        if (valid) valid[i] = 1;
        texts.push(t);
        chars += t.length;
      }
    }
    const joined = texts.join('');
    const at = yield* out.u8.reserve(chars);
    const { read, written } = encoder.encodeInto(joined, out.u8.buf.subarray(at, at + chars));
    const ends = out.u32.buf;
    if (read === joined.length && written === joined.length) {
      let end = at - start;
      for (let i = from; i < to; i++) ends[endsAt + i] = end += texts[i - from]!.length;
      continue;
    }
    // Non-ASCII: value by value; 3 bytes per UTF-16 unit is the most UTF-8 needs.
    out.u8.truncate(at);
    for (let i = from; i < to; i++) {
      const t = texts[i - from]!;
      const room = yield* out.u8.reserve(t.length * 3);
      const used = encoder.encodeInto(t, out.u8.buf.subarray(room, room + t.length * 3)).written;
      out.u8.truncate(room + used);
      ends[endsAt + i] = room + used - start;
    }
  }
  return { column: { kind, ends: endsAt, bytes: start, valid: null }, valid };
}

/**
 * JSON columns whose values repeat (a log frame's `labels`, `labelTypes`: one object per stream): how many
 * values a sample holds, and at most one in how many may be distinct for the column to go as `jsonDistinct`.
 */
export const DISTINCT = { sample: 1024, ratio: 8 } as const;

/**
 * How many distinct values (by identity, else by JSON text) a sample of `DISTINCT.sample` values spread over
 * the column holds, and their JSON text's length: whether the column repeats and how much text it makes.
 * Undefined when a sampled value cannot be stringified.
 */
export function sampleJson(values: ArrayLike<unknown>): { sampled: number; distinct: number; chars: number } | undefined {
  const n = values.length;
  const sampled = Math.min(n, DISTINCT.sample);
  const seen = new Set<unknown>();
  const texts = new Set<string>();
  let chars = 0;
  try {
    for (let k = 0; k < sampled; k++) {
      const v = values[Math.floor((k * n) / sampled)];
      if (seen.has(v)) continue;
      seen.add(v);
      const text = JSON.stringify(v) ?? 'null';
      chars += text.length + 1;
      texts.add(text);
    }
  } catch {
    return undefined;
  }
  return { sampled, distinct: texts.size, chars };
}

/** A sample's values repeat enough for `distinctJsonColumn`. */
export function repeats(sample: { sampled: number; distinct: number } | undefined): boolean {
  return sample !== undefined && sample.distinct * DISTINCT.ratio <= sample.sampled;
}

/** Steps of a walk that no key or primitive value can equal (`ValueTrie`). */
const OBJECT = Symbol('object');
const ARRAY = Symbol('array');
const END = Symbol('end');
const NO_STEP = Symbol('none');

/** A node of `ValueTrie`: the steps from it, the last one taken, and at a value's end the index of its text. */
class TrieNode {
  readonly next = new Map<unknown, TrieNode>();
  /** The step taken last from here and where it led: a stream's labels take the same key steps every row. */
  last: unknown = NO_STEP;
  lastNext: TrieNode | undefined;
  index: number | undefined;
}

/**
 * Finds a value's index among the distinct values met so far without making its JSON text. A panel's frames come
 * from `JSON.parse` (`dataFrameFromJSON`), so a log frame's `labels` hold a new object per row even where a stream's
 * rows repeat one set of labels: a lookup by identity never hits, and `JSON.stringify` per row was most of packing
 * a log frame. The trie walks a value (the keys and primitive values of plain objects and arrays, in the order
 * `JSON.stringify` visits them) from node to node; a step that repeats the node's last one costs a comparison, any
 * other a map lookup. Equal walks make equal JSON text; a value is stringified only when its walk ends at a node
 * without an index, and the text decides the index, so values with the same text and different walks (`undefined`
 * members, `NaN`) still share one.
 */
class ValueTrie {
  readonly #root = new TrieNode();

  /** The node `v`'s walk ends at, or undefined for a value the walk cannot vouch for (not plain JSON data). */
  end(v: unknown): TrieNode | undefined {
    return this.#walk(this.#root, v);
  }

  #step(node: TrieNode, token: unknown): TrieNode {
    if (node.last === token) return node.lastNext!;
    let next = node.next.get(token);
    if (next === undefined) {
      next = new TrieNode();
      node.next.set(token, next);
    }
    node.last = token;
    node.lastNext = next;
    return next;
  }

  #walk(node: TrieNode, v: unknown): TrieNode | undefined {
    if (v === null || typeof v !== 'object') {
      // Functions and symbols have no JSON text of their own; bigints none at all.
      return typeof v === 'function' || typeof v === 'symbol' ? undefined : this.#step(node, v);
    }
    let at: TrieNode | undefined;
    if (Array.isArray(v)) {
      at = this.#step(node, ARRAY);
      for (let i = 0; i < v.length && at !== undefined; i++) at = this.#walk(at, v[i]);
    } else {
      // Only plain objects: `for...in` also visits inherited keys, which JSON leaves out, and a class may have `toJSON`.
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) return undefined;
      at = this.#step(node, OBJECT);
      for (const k in v) {
        if (at === undefined) break;
        at = this.#walk(this.#step(at, k), (v as Record<string, unknown>)[k]);
      }
    }
    return at === undefined ? undefined : this.#step(at, END);
  }
}

/**
 * JSON columns whose values repeat: each distinct value is stringified and encoded once (values are found by
 * their walk through a `ValueTrie`, else by their JSON text) and each row sends the index of its value
 * (`jsonDistinct`). Values are taken as they are when first met: a frame's values are not changed while it is
 * packed. Returns null (and gives the room back) when more than one value in `DISTINCT.ratio` turns out distinct
 * after all, or one cannot be stringified: the caller packs it as `jsonColumn` does.
 */
export function* distinctJsonColumn(values: ArrayLike<unknown>, out: FrameBuffers): Steps<Placed | null> {
  const n = values.length;
  const rowsAt = yield* out.u32.reserve(n);
  const startU8 = out.u8.used;
  const giveUp = (): null => {
    out.u32.truncate(rowsAt);
    out.u8.truncate(startU8);
    return null;
  };
  const trie = new ValueTrie();
  const byText = new Map<string, number>();
  const texts: string[] = [];
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (i % SLICE === SLICE - 1) {
      if (texts.length > DISTINCT.sample && texts.length * DISTINCT.ratio > i) return giveUp();
      yield;
    }
    const v = values[i];
    const end = trie.end(v);
    let id = end?.index;
    if (id === undefined) {
      let text: string | undefined;
      try {
        text = JSON.stringify(v);
      } catch {
        return giveUp();
      }
      // As an element of an array (`jsonArrays`) such a value is `null`: missing.
      if (text === undefined || text === 'null') id = -1;
      else {
        id = byText.get(text);
        if (id === undefined) {
          id = texts.length;
          texts.push(text);
          byText.set(text, id);
        }
      }
      if (end !== undefined) end.index = id;
    }
    if (id < 0) {
      valid ??= startMask(n, i);
      out.u32.buf[rowsAt + i] = 0;
    } else {
      if (valid) valid[i] = 1;
      out.u32.buf[rowsAt + i] = id;
    }
  }
  if (texts.length * DISTINCT.ratio > n) return giveUp();
  const distinct = yield* textColumn('json', texts, plainText, out);
  if (distinct.column.kind !== 'json') return giveUp(); // never: textColumn writes the kind it is given
  const { ends, bytes } = distinct.column;
  return { column: { kind: 'jsonDistinct', ends, count: texts.length, bytes, rows: rowsAt, valid: null }, valid };
}

/** The fewest and most values one `JSON.stringify` call packs, and the text it aims at (a ms or two of work). */
export const JSON_CHUNK = { min: 16, max: CHUNK, chars: 256 << 10 } as const;

/**
 * JSON columns: each chunk of values goes through one `JSON.stringify` of the slice (per-value calls cost more
 * than the rest of the packing; one call for the whole column would be one long task), and the array text is
 * encoded as it is, straight into the u8 buffer: Rust splits it into the values (`jsonArrays` kind). A chunk
 * holds as many values as make about `JSON_CHUNK.chars` of text at the column's mean so far (large values, fewer
 * per call). Returns null (and gives the room back) when some slice cannot be stringified (a BigInt, a cycle):
 * the caller then goes value by value and reports which.
 */
export function* jsonColumn(values: ArrayLike<unknown>, out: FrameBuffers): Steps<Placed | null> {
  const n = values.length;
  // Room for the most chunks there can be; what is not used is given back at the end.
  const endsAt = yield* out.u32.reserve(Math.ceil(n / JSON_CHUNK.min));
  const start = out.u8.used;
  let chunks = 0;
  for (let from = 0; from < n; chunks++) {
    if (from > 0) yield;
    const mean = from === 0 ? 0 : (out.u8.used - start) / from;
    const count = mean === 0 ? JSON_CHUNK.min : Math.max(JSON_CHUNK.min, Math.min(JSON_CHUNK.max, Math.floor(JSON_CHUNK.chars / mean)));
    const to = Math.min(n, from + count);
    let text: string;
    try {
      text = JSON.stringify(Array.isArray(values) ? values.slice(from, to) : Array.from({ length: to - from }, (_, i) => values[from + i]));
    } catch {
      out.u8.truncate(start);
      out.u32.truncate(endsAt);
      return null;
    }
    // Room for this text if it is ASCII and, should the buffer grow, for the values still to come at its size.
    const at = yield* out.u8.reserve(text.length, Math.ceil((text.length * (n - to)) / (to - from)));
    const { read, written } = encoder.encodeInto(text, out.u8.buf.subarray(at, at + text.length));
    out.u8.truncate(at + written);
    if (read < text.length) {
      // Non-ASCII: the rest needs at most 3 bytes per UTF-16 unit (encodeInto never splits a surrogate pair).
      const rest = text.slice(read);
      const room = yield* out.u8.reserve(rest.length * 3);
      out.u8.truncate(room + encoder.encodeInto(rest, out.u8.buf.subarray(room, room + rest.length * 3)).written);
    }
    out.u32.buf[endsAt + chunks] = out.u8.used - start;
    from = to;
  }
  out.u32.truncate(endsAt + chunks);
  return { column: { kind: 'jsonArrays', ends: endsAt, chunks, bytes: start }, valid: null };
}
