// A DataFrame packed for one crossing into wasm: a JSON header and three typed arrays
// (the contract is ../PACKED_FRAMES.md, its header type generated from schema/packed-frame.schema.json; the Rust side is rootspan-wasm's interop).
import { boolColumn, enumText, jsonColumn, jsonText, numberColumn, plainText, textColumn, timeColumn } from './columns.js';
import type { Column, Steps, ValueProblem } from './columns.js';
import type { DataFrameLike, FieldLike, FieldValues, FrameProblem } from './frame.js';
import type { PackedColumn, PackedField, PackedFrameHeader } from './generated/types.js';

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

function* toColumn(field: FieldLike, type: string, values: ArrayLike<unknown>, problems: ValueProblem[]): Steps<Column> {
  switch (type) {
    case 'time':
      return yield* timeColumn(values, field.nanos ?? null, problems);
    case 'number':
      return (yield* numberColumn(values, problems)) ?? (yield* textColumn('str', values, plainText));
    case 'boolean':
      return yield* boolColumn(values, problems);
    case 'string':
      return yield* textColumn('str', values, plainText);
    case 'enum':
      return yield* textColumn('str', values, enumText(field.config, problems));
    default:
      return (yield* jsonColumn(values)) ?? (yield* textColumn('json', values, jsonText(problems)));
  }
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

/** Lays the columns out in the three buffers and writes the header that points into them (a step a column). */
function* layout(columns: Column[]): Steps<{ headers: PackedColumn[]; f64: Float64Array; u8: Uint8Array; u32: Uint32Array }> {
  let f64Len = 0;
  let u8Len = 0;
  let u32Len = 0;
  for (const c of columns) {
    if (c.kind === 'f64') f64Len += c.values.length;
    else if (c.kind === 'time') f64Len += c.ms.length + (c.nanos?.length ?? 0);
    else if (c.kind === 'bool') u8Len += c.values.length;
    else {
      u32Len += c.ends.length;
      u8Len += c.bytes.length;
    }
    u8Len += c.valid?.length ?? 0;
  }
  const f64 = new Float64Array(f64Len);
  const u8 = new Uint8Array(u8Len);
  const u32 = new Uint32Array(u32Len);
  let f = 0;
  let b = 0;
  let w = 0;
  const putF64 = (a: Float64Array): number => (f64.set(a, f), (f += a.length) - a.length);
  const putU8 = (a: Uint8Array): number => (u8.set(a, b), (b += a.length) - a.length);
  const putU32 = (a: Uint32Array): number => (u32.set(a, w), (w += a.length) - a.length);
  const headers: PackedColumn[] = [];
  for (const c of columns) {
    yield;
    headers.push(place(c));
  }
  return { headers, f64, u8, u32 };

  function place(c: Column): PackedColumn {
    const valid = c.valid ? putU8(c.valid) : null;
    switch (c.kind) {
      case 'f64':
        return { kind: 'f64', values: putF64(c.values), valid };
      case 'bool':
        return { kind: 'bool', values: putU8(c.values), valid };
      case 'time':
        return { kind: 'time', ms: putF64(c.ms), nanos: c.nanos ? putF64(c.nanos) : null, valid };
      default:
        return { kind: c.kind, ends: putU32(c.ends), bytes: putU8(c.bytes), valid };
    }
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

  const columns: Column[] = [];
  const fields: Omit<PackedField, 'column'>[] = [];
  let usable = true;
  for (const [j, field] of frame.fields.entries()) {
    const name = typeof field?.name === 'string' ? field.name : `#${j}`;
    const values = fieldValues[j];
    const place = { frame: index, frameName, field: name };
    if (values === null || values === undefined) {
      problems.push({ ...place, message: 'values is not an array or Vector', scope: 'frame' });
      usable = false;
      continue;
    }
    if (values.length !== length) {
      problems.push({ ...place, message: `has ${values.length} values, the frame has ${length} rows`, scope: 'frame' });
      usable = false;
      continue;
    }
    if (field.nanos && field.nanos.length !== length) {
      problems.push({ ...place, message: `has ${field.nanos.length} nanos, the frame has ${length} rows`, scope: 'frame' });
      usable = false;
      continue;
    }
    const type = typeof field.type === 'string' && field.type !== '' ? field.type : guessType(values);
    const valueProblems: ValueProblem[] = [];
    const config = jsonObject(field.config, 'config', valueProblems);
    columns.push(yield* toColumn(field, type, values, valueProblems));
    for (const p of valueProblems) problems.push({ ...place, ...(p.row >= 0 ? { row: p.row } : {}), message: p.message, scope: 'value' });
    fields.push({ name, type, labels: field.labels ?? {}, config });
  }
  if (!usable) return { packed: null, problems };

  const metaProblems: ValueProblem[] = [];
  const meta = jsonObject(frame.meta, 'meta', metaProblems);
  for (const p of metaProblems) problems.push({ frame: index, frameName, message: p.message, scope: 'value' });
  const { headers, f64, u8, u32 } = yield* layout(columns);
  const header: PackedFrameHeader = {
    name: frame.name ?? null,
    refId: frame.refId ?? null,
    meta,
    length,
    fields: fields.map((f, j) => ({ ...f, column: headers[j]! })),
  };
  return { packed: { header: JSON.stringify(header), f64, u8, u32 }, problems };
}
