// A DataFrame packed for one crossing into wasm: a JSON header and three typed arrays
// (the contract is ../PACKED_FRAMES.md, its header type generated from schema/packed-frame.schema.json; the Rust side is rootspan-wasm's interop).
import { boolColumn, distinctJsonColumn, enumText, FrameBuffers, DISTINCT, JSON_CHUNK, jsonColumn, jsonText, numberColumn, plainText, repeats, sampleJson, SLICE, textColumn, timeColumn } from './columns.js';
import type { Placed, Steps, ValueProblem } from './columns.js';
import type { DataFrameLike, FieldLike, FieldValues, FrameProblem } from './frame.js';
import type { PackedField, PackedFrameHeader } from './generated/types.js';

/** A frame ready to cross: pass the four parts to the wasm `addPackedFrame` as they are. */
export interface PackedFrame {
  /** JSON: name, refId, meta, length and one entry per field with the offsets of its column. */
  readonly header: string;
  readonly f64: Float64Array;
  readonly u8: Uint8Array;
  readonly u32: Uint32Array;
}

/** The packed frame (null when the frame's shape is unusable) and every problem found. */
export interface PackResult {
  readonly packed: PackedFrame | null;
  readonly problems: FrameProblem[];
}

function frameNameOf(frame: DataFrameLike): string | null {
  if (typeof frame.name === 'string' && frame.name !== '') return frame.name;
  if (typeof frame.refId === 'string' && frame.refId !== '') return frame.refId;
  return null;
}

/** Not a type guard on purpose: `Array.isArray` would narrow the readonly fields to `any[]`. */
function isFrame(frame: DataFrameLike): boolean {
  return frame !== null && typeof frame === 'object' && Array.isArray(frame.fields);
}

/** The values as an indexable array; null when they are neither array-like nor a Vector. */
function valuesOf(values: FieldValues | undefined): ArrayLike<unknown> | null {
  if (values === null || typeof values !== 'object') return null;
  if (Array.isArray(values) || ArrayBuffer.isView(values)) return values as ArrayLike<unknown>;
  const vector = values as { length?: unknown; get?: unknown; toArray?: unknown };
  if (typeof vector.toArray === 'function') {
    const arr: unknown = (vector.toArray as () => unknown).call(values);
    return Array.isArray(arr) || ArrayBuffer.isView(arr) ? (arr as ArrayLike<unknown>) : null;
  }
  if (typeof vector.get === 'function' && typeof vector.length === 'number') {
    const get = vector.get as (i: number) => unknown;
    return Array.from({ length: vector.length }, (_, i) => get.call(values, i));
  }
  if (typeof vector.length === 'number') return values as ArrayLike<unknown>;
  return null;
}

/** Grafana's own guess when a field has no type: from the first present value. */
function guessType(values: ArrayLike<unknown>): string {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') return 'number';
    if (typeof v === 'string') return 'string';
    if (typeof v === 'boolean') return 'boolean';
    if (v instanceof Date) return 'time';
    return 'other';
  }
  return 'string';
}

/** A field to pack; for JSON fields whose sampled values repeat (`distinctJsonColumn`), the sample's text length. */
interface Usable {
  field: FieldLike;
  name: string;
  type: string;
  values: ArrayLike<unknown>;
  repeating: { chars: number } | null;
}

function* toColumn({ field, type, values, repeating }: Usable, out: FrameBuffers, problems: ValueProblem[]): Steps<Placed> {
  switch (type) {
    case 'time':
      return yield* timeColumn(values, field.nanos ?? null, out, problems);
    case 'number':
      return (yield* numberColumn(values, out, problems)) ?? (yield* textColumn('str', values, plainText, out));
    case 'boolean':
      return yield* boolColumn(values, out, problems);
    case 'string':
      return yield* textColumn('str', values, plainText, out);
    case 'enum':
      return yield* textColumn('str', values, enumText(field.config, problems), out);
    default:
      return (
        (repeating !== null ? yield* distinctJsonColumn(values, out) : null) ??
        (yield* jsonColumn(values, out)) ??
        (yield* textColumn('json', values, jsonText(problems), out))
      );
  }
}

/**
 * The JSON text of a column, estimated from a sample of values spread over it, with a tenth more for what the
 * sample missed (growing a buffer of hundreds of MB costs more than the slack: a copy, and a full GC in V8).
 */
function jsonEstimate(values: ArrayLike<unknown>): number {
  const n = values.length;
  const count = Math.min(n, JSON_CHUNK.max);
  if (count === 0) return 0;
  try {
    const text = JSON.stringify(Array.from({ length: count }, (_, i) => values[Math.floor((i * n) / count)]));
    return Math.ceil(((text.length * n) / count) * 1.1);
  } catch {
    return 0;
  }
}

/**
 * The buffers' first sizes, from the fields' types and values: exact for numbers, times and ASCII strings (their
 * characters are counted: a quick pass, in slices like the packing); JSON text estimated from a sample. So they
 * rarely grow.
 */
function* capacity(columns: readonly Usable[]): Steps<{ f64: number; u8: number; u32: number }> {
  const size = { f64: 0, u8: 0, u32: 0 };
  for (const { field, type, values, repeating } of columns) {
    const n = values.length;
    if (type === 'time') size.f64 += field.nanos ? 2 * n : n;
    else if (type === 'number') size.f64 += n;
    else if (type === 'boolean') size.u8 += n;
    else if (type === 'string' || type === 'enum') {
      size.u32 += n;
      for (let i = 0; i < n; i++) {
        if (i % SLICE === SLICE - 1) yield;
        const v = values[i];
        if (typeof v === 'string') size.u8 += v.length;
      }
    } else if (repeating !== null) {
      // An index a row, and the distinct values' text: about what the sample found (twice, for what it missed).
      size.u32 += n + DISTINCT.sample;
      size.u8 += 2 * repeating.chars;
      yield;
    } else {
      size.u32 += Math.ceil(n / JSON_CHUNK.min);
      size.u8 += jsonEstimate(values);
      yield;
    }
  }
  return size;
}

/** JSON-safe copy of meta or config; a problem (and `{}`) when it cannot be serialised. */
function jsonObject(value: object | null | undefined, what: string, problems: ValueProblem[]): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  try {
    // A copy of an object is an object: JSON.stringify keeps its shape.
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch (e) {
    problems.push({ row: -1, message: `${what} is not JSON-serialisable (sent as {}): ${e instanceof Error ? e.message : String(e)}` });
    return {};
  }
}

/**
 * Packs one frame (its position `index` names it in problems). Fields with unusable values (not an array,
 * wrong length) make the whole frame unusable; values that cannot be converted are sent as null and reported.
 */
export function packFrame(frame: DataFrameLike, index = 0): PackResult {
  const steps = packSteps(frame, index);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `packFrame` that lets the thread run between slices of at most about `sliceMs`: a large frame packed on a
 * page's main thread never makes a long task.
 */
export async function packFrameSliced(frame: DataFrameLike, index: number, sliceMs: number, breathe: () => Promise<void>): Promise<PackResult> {
  const steps = packSteps(frame, index);
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since > sliceMs) {
      await breathe();
      since = performance.now();
    }
  }
}

function* packSteps(frame: DataFrameLike, index: number): Steps<PackResult> {
  const problems: FrameProblem[] = [];
  if (!isFrame(frame)) {
    const frameName = frame !== null && typeof frame === 'object' ? frameNameOf(frame) : null;
    problems.push({ frame: index, frameName, message: 'not a DataFrame: it has no `fields` array', scope: 'frame' });
    return { packed: null, problems };
  }
  const frameName = frameNameOf(frame);
  const fieldValues = frame.fields.map((field) => valuesOf(field?.values));
  const declared = frame.length;
  const length =
    typeof declared === 'number' && Number.isInteger(declared) && declared >= 0 ? declared : (fieldValues.find((v) => v !== null)?.length ?? 0);

  // First the shape: a field whose values are not a column of `length` rows makes the frame unusable.
  const usable: Usable[] = [];
  for (const [j, field] of frame.fields.entries()) {
    const name = typeof field?.name === 'string' ? field.name : `#${j}`;
    const values = fieldValues[j];
    const place = { frame: index, frameName, field: name };
    if (values === null || values === undefined) {
      problems.push({ ...place, message: 'values is not an array or Vector', scope: 'frame' });
    } else if (values.length !== length) {
      problems.push({ ...place, message: `has ${values.length} values, the frame has ${length} rows`, scope: 'frame' });
    } else if (field.nanos && field.nanos.length !== length) {
      problems.push({ ...place, message: `has ${field.nanos.length} nanos, the frame has ${length} rows`, scope: 'frame' });
    } else {
      const type = typeof field.type === 'string' && field.type !== '' ? field.type : guessType(values);
      const sample = ['time', 'number', 'boolean', 'string', 'enum'].includes(type) ? undefined : sampleJson(values);
      usable.push({ field, name, values, type, repeating: sample !== undefined && repeats(sample) ? { chars: sample.chars } : null });
    }
  }
  if (usable.length !== frame.fields.length) return { packed: null, problems };

  const out = new FrameBuffers(yield* capacity(usable));
  const placed: Placed[] = [];
  const fields: Omit<PackedField, 'column'>[] = [];
  for (const column of usable) {
    const { field, name, type } = column;
    const valueProblems: ValueProblem[] = [];
    const config = jsonObject(field.config, 'config', valueProblems);
    placed.push(yield* toColumn(column, out, valueProblems));
    const place = { frame: index, frameName, field: name };
    for (const p of valueProblems) problems.push({ ...place, ...(p.row >= 0 ? { row: p.row } : {}), message: p.message, scope: 'value' });
    fields.push({ name, type, labels: field.labels ?? {}, config });
  }
  // Validity masks go last, after every column's values.
  for (const p of placed) {
    if (p.valid === null || !('valid' in p.column)) continue;
    p.column.valid = yield* out.u8.reserve(p.valid.length);
    out.u8.buf.set(p.valid, p.column.valid);
  }

  const metaProblems: ValueProblem[] = [];
  const meta = jsonObject(frame.meta, 'meta', metaProblems);
  for (const p of metaProblems) problems.push({ frame: index, frameName, message: p.message, scope: 'value' });
  const header: PackedFrameHeader = {
    name: frame.name ?? null,
    refId: frame.refId ?? null,
    meta,
    length,
    fields: fields.map((f, j) => ({ ...f, column: placed[j]!.column })),
  };
  return { packed: { header: JSON.stringify(header), f64: out.f64.written(), u8: out.u8.written(), u32: out.u32.written() }, problems };
}
