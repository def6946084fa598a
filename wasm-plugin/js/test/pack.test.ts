// The packer alone (no wasm): frames packed by the built package and read back with the contract's rules
// (coord/PACKED_FRAMES.md), so each column kind, null, nanos and UTF-8 case is checked value by value.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { packFrame } from 'rootspan';
import type { DataFrameLike, PackedFrame } from 'rootspan';
import { lokiFrame, tempoFrame, traceSet } from './fixtures.js';
import type { FrameSpec } from './fixtures.js';

// In plain Node 20 `import '@grafana/data'` fails on moment-timezone; require works (TOOLCHAIN.md).
const grafana = createRequire(import.meta.url)('@grafana/data') as typeof import('@grafana/data');

/** The spec through @grafana/data's own constructor: what a panel receives. */
function grafanaFrame(spec: FrameSpec): import('@grafana/data').DataFrame {
  // The fixtures' `type` strings are FieldType values; TypeScript only knows them as strings.
  return grafana.createDataFrame(spec as unknown as Parameters<typeof grafana.createDataFrame>[0]);
}

interface ColumnHeader {
  kind: string;
  values?: number;
  ms?: number;
  nanos?: number | null;
  ends?: number;
  chunks?: number;
  bytes?: number;
  count?: number;
  rows?: number;
  valid?: number | null;
}
interface Header {
  name: string | null;
  refId: string | null;
  meta: unknown;
  length: number;
  fields: { name: string; type: string; labels: Record<string, string>; config: unknown; column: ColumnHeader }[];
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads a packed frame back into JS values the way the Rust side reads it: times as ns bigints, text as strings. */
function unpack(p: PackedFrame): { header: Header; columns: unknown[][] } {
  const header = JSON.parse(p.header) as Header;
  const n = header.length;
  const columns = header.fields.map(({ column: c }) => {
    const out: unknown[] = [];
    if (c.kind === 'jsonArrays') {
      // Chunks of JSON array text, one after another: their elements are the values.
      for (let k = 0, start = c.bytes!; k < c.chunks!; k++) {
        const end = c.bytes! + p.u32[c.ends! + k]!;
        out.push(...(JSON.parse(decoder.decode(p.u8.subarray(start, end))) as unknown[]));
        start = end;
      }
      return out;
    }
    for (let i = 0; i < n; i++) {
      if (c.valid != null && p.u8[c.valid + i] === 0) {
        out.push(null);
        continue;
      }
      switch (c.kind) {
        case 'jsonDistinct': {
          // The row's index names one of `count` distinct JSON texts, laid out as a `json` column's.
          const k = p.u32[c.rows! + i]!;
          assert.ok(k < c.count!, `row ${i}: value ${k} of ${c.count}`);
          const start = c.bytes! + (k === 0 ? 0 : p.u32[c.ends! + k - 1]!);
          out.push(JSON.parse(decoder.decode(p.u8.subarray(start, c.bytes! + p.u32[c.ends! + k]!))));
          break;
        }
        case 'f64':
          out.push(p.f64[c.values! + i]);
          break;
        case 'bool':
          out.push(p.u8[c.values! + i] === 1);
          break;
        case 'time': {
          const ms = p.f64[c.ms! + i]!;
          const extra = c.nanos === null || c.nanos === undefined ? 0 : p.f64[c.nanos + i]!;
          out.push(Number.isInteger(ms) ? BigInt(ms) * 1_000_000n + BigInt(extra) : BigInt(Math.round(ms * 1e6)));
          break;
        }
        default: {
          const start = c.bytes! + (i === 0 ? 0 : p.u32[c.ends! + i - 1]!);
          const end = c.bytes! + p.u32[c.ends! + i]!;
          const text = decoder.decode(p.u8.subarray(start, end));
          out.push(c.kind === 'json' ? JSON.parse(text) : text);
        }
      }
    }
    return out;
  });
  return { header, columns };
}

function pack(frame: DataFrameLike): PackedFrame {
  const { packed, problems } = packFrame(frame);
  assert.deepEqual(problems, []);
  assert.ok(packed);
  return packed;
}

describe('packFrame', () => {
  it('packs a Loki frame made by @grafana/data createDataFrame: times with nanos, text, JSON labels', () => {
    const spec = lokiFrame(50, traceSet(10, 3));
    const frame = grafanaFrame(spec);
    const packed = pack(frame);
    const { header, columns } = unpack(packed);
    assert.equal(header.refId, 'logs');
    assert.equal(header.length, 50);
    assert.deepEqual(header.meta, { typeVersion: [0, 0], custom: { frameType: 'LabeledTimeValues' } });
    assert.deepEqual(
      header.fields.map((f) => [f.name, f.type, f.column.kind]),
      [
        ['labels', 'other', 'jsonArrays'],
        ['Time', 'time', 'time'],
        ['Line', 'string', 'str'],
        ['tsNs', 'string', 'str'],
        ['labelTypes', 'other', 'jsonDistinct'],
        ['id', 'string', 'str'],
      ],
    );
    assert.deepEqual(header.fields[4]!.config, { custom: { hidden: true } });
    // Time + nanos is the exact ns that tsNs spells out.
    assert.deepEqual(
      columns[1],
      columns[3]!.map((s) => BigInt(s as string)),
    );
    assert.deepEqual(columns[2], spec.fields[2]!.values);
    assert.deepEqual(columns[0], spec.fields[0]!.values);
    assert.deepEqual(columns[4], spec.fields[4]!.values);
    // One crossing per frame: every column lives in the same three buffers (a JSON column: one end per chunk;
    // a repeating one: an index a row and one end per distinct value).
    const chunks = header.fields.reduce((sum, f) => sum + (f.column.chunks ?? 0), 0);
    const distinct = header.fields.reduce((sum, f) => sum + (f.column.count ?? 0), 0);
    assert.ok(chunks >= 1 && distinct >= 1);
    assert.equal(packed.u32.length, 50 * 3 + chunks + 50 + distinct);
    assert.equal(packed.f64.length, 50 * 2);
  });

  it('packs a Tempo trace frame: float ms numbers, ids as text, JSON tags', () => {
    const spec = tempoFrame(traceSet(4, 5));
    const { header, columns } = unpack(pack(grafanaFrame(spec)));
    assert.equal(header.name, 'Trace');
    assert.equal(header.length, 20);
    const byName = (n: string): unknown[] => columns[header.fields.findIndex((f) => f.name === n)]!;
    assert.deepEqual(byName('startTime'), spec.fields.find((f) => f.name === 'startTime')!.values);
    assert.deepEqual(byName('traceID'), spec.fields[0]!.values);
    assert.deepEqual(byName('serviceTags'), spec.fields.find((f) => f.name === 'serviceTags')!.values);
    assert.equal(header.fields.find((f) => f.name === 'duration')!.column.kind, 'f64');
  });

  it('keeps every string exact: multi-byte, emoji, empty, and lone surrogates become U+FFFD alone', () => {
    const values = ['plain', 'naïve café', '', '日本語のログ', 'emoji 🔥 end', 'lone \ud800 high', '\udc00 lone low', 'x'.repeat(3000)];
    // Enough rows to cross chunk boundaries in the ASCII fast path, with non-ASCII chunks among them.
    const many = Array.from({ length: 5000 }, (_, i) => values[i % values.length]!);
    const { columns } = unpack(pack({ fields: [{ name: 'Line', type: 'string', values: many }] }));
    const expected = many.map((s) => decoder.decode(new TextEncoder().encode(s)));
    assert.deepEqual(columns[0], expected);
    assert.equal(expected[5], 'lone \ufffd high');
  });

  it('splits JSON columns exactly: quotes, escapes, brackets and commas inside strings, nesting, missing values', () => {
    const tricky = [
      { key: 'a,b', value: '[x]' },
      ['he said "hi", {then} left\\', { n: [1, [2, 3]] }],
      null,
      undefined,
      'a "string" value, with a comma',
      42,
      { emoji: '🔥', lone: '\ud800' },
      [],
      {},
      () => 1,
      { backslash: '\\', quote: '\\"' },
    ];
    const { header, columns } = unpack(pack({ fields: [{ name: 'tags', type: 'other', values: tricky }] }));
    assert.equal(header.fields[0]!.column.kind, 'jsonArrays');
    const expected = tricky.map((v) => (v === undefined || typeof v === 'function' ? null : (JSON.parse(JSON.stringify(v)) as unknown)));
    assert.deepEqual(columns[0], expected);
  });

  it('keeps every string exact when values that need more bytes than characters come anywhere in a chunk', () => {
    // Room is reserved a byte per character for each 1,024 values: non-ASCII values first, last, in runs, alone.
    const odd = ['é', '日本語', '🔥🔥', 'a\ud800', '\udc00b', 'ascii then ü'];
    const values = Array.from({ length: 5000 }, (_, i) => {
      const k = i % 1024;
      const special = k === 0 || k === 1023 || (k > 500 && k < 520) || i % 97 === 13;
      return special ? `${'x'.repeat(i % 5)}${odd[i % odd.length]!}${'y'.repeat(i % 3)}` : `line ${i} ${'z'.repeat(i % 40)}`;
    });
    const { columns } = unpack(pack({ fields: [{ name: 's', type: 'string', values }] }));
    // What any UTF-8 encoder makes of each value alone (a lone surrogate is U+FFFD).
    assert.deepEqual(columns[0], values.map((v) => new TextDecoder().decode(new TextEncoder().encode(v))));
  });

  it('packs JSON columns over many chunks, ASCII and not, into one text', () => {
    const values = Array.from({ length: 5000 }, (_, i) => (i % 7 === 3 ? null : i % 1500 === 0 ? { msg: `日本 ${i}`, n: i } : { n: i, tags: ['a', 'b,c'] }));
    const { header, columns } = unpack(pack({ fields: [{ name: 'tags', type: 'other', values }] }));
    const { chunks, ...rest } = header.fields[0]!.column;
    assert.deepEqual(rest, { kind: 'jsonArrays', ends: 0, bytes: 0 });
    assert.ok(chunks! >= 5, `${chunks} chunks for 5000 values`);
    assert.deepEqual(columns[0], values);
  });

  it('sends JSON values that repeat once each, and per row which one: shared objects, equal ones, missing ones', () => {
    const streams = [{ app: 'api', pod: 'a-1' }, { app: 'db', pod: 'é-2', note: 'say "hi", [x]' }, ['x']];
    const asNull = { toJSON: () => null };
    const values = Array.from({ length: 10_000 }, (_, i) =>
      i % 97 === 5 ? null : i % 89 === 7 ? undefined : i % 83 === 3 ? asNull : i % 4 === 2 ? { ...streams[1] } : streams[i % 4 === 3 ? 2 : i % 4],
    );
    const packed = pack({ fields: [{ name: 'labels', type: 'other', values }] });
    const { header, columns } = unpack(packed);
    const c = header.fields[0]!.column;
    assert.equal(c.kind, 'jsonDistinct');
    assert.equal(c.count, 3, 'equal objects are one value');
    assert.ok(c.valid !== null && c.valid !== undefined, 'missing values are marked');
    const expected = values.map((v) => (v === undefined || v === asNull ? null : (JSON.parse(JSON.stringify(v)) as unknown)));
    assert.deepEqual(columns[0], expected);
  });

  it('finds repeating JSON values that are new objects per row (as JSON.parse makes them) by their content', () => {
    const proto = { b: 2 };
    const inherited = Object.assign(Object.create(proto) as Record<string, unknown>, { a: 1 });
    // Pairs that look alike to a walk over keys and values but differ as JSON, and alike as JSON but not as walks.
    const kinds: unknown[] = [
      { a: 1, b: 2 },
      inherited,
      { b: 2, a: 1 },
      { a: 1, b: undefined },
      { a: 1 },
      { n: 1 },
      { n: '1' },
      [{ key: 'rpc.system', value: 'http' }, { key: 'http.status_code', value: 200 }],
      [{ key: 'rpc.system', value: 'http' }, { key: 'http.status_code', value: 500 }],
      [NaN, 1],
      [null, 1],
      { nested: { deep: ['x', { y: true }] } },
    ];
    const rows = Array.from({ length: 12_000 }, (_, i) => kinds[(i * 7) % kinds.length]);
    // Every row its own object, as dataFrameFromJSON gives them; `inherited` stays itself (JSON would lose its proto).
    const values = rows.map((v) => (v === inherited ? v : (JSON.parse(JSON.stringify(v)) as unknown)));
    values[0] = kinds[3]; // an `undefined` member, which only a live object has
    const { header, columns } = unpack(pack({ fields: [{ name: 'labels', type: 'other', values }] }));
    const c = header.fields[0]!.column;
    assert.equal(c.kind, 'jsonDistinct');
    assert.equal(c.count, new Set(values.map((v) => JSON.stringify(v))).size, 'one value per distinct JSON text');
    assert.deepEqual(columns[0], values.map((v) => JSON.parse(JSON.stringify(v)) as unknown));
  });

  it('packs JSON values as arrays when they turn out not to repeat past the sample', () => {
    // Every 16th value (the ones a 1024-value sample of 16384 reads) is one object; the rest differ.
    const shared = { app: 'api' };
    const values = Array.from({ length: 16_384 }, (_, i) => (i % 16 === 0 ? shared : { app: 'api', n: i }));
    const { header, columns } = unpack(pack({ fields: [{ name: 'labels', type: 'other', values }] }));
    assert.equal(header.fields[0]!.column.kind, 'jsonArrays');
    assert.deepEqual(columns[0], values);
  });

  it('stringifies fewer large JSON values per call, so no one call is long', () => {
    const values = Array.from({ length: 300 }, (_, i) => ({ i, text: 'x'.repeat(8000) }));
    const packed = pack({ fields: [{ name: 'big', type: 'other', values }] });
    const { header, columns } = unpack(packed);
    const c = header.fields[0]!.column;
    const ends = Array.from(packed.u32.subarray(c.ends, c.ends! + c.chunks!));
    const sizes = ends.map((end, k) => end - (k === 0 ? 0 : ends[k - 1]!));
    // The first chunk (16 values) finds the mean; every later one aims at 256 KiB of text.
    assert.ok(sizes.slice(1).every((bytes) => bytes <= 300 << 10), `chunk sizes ${sizes.join(', ')}`);
    assert.ok(c.chunks! > 300 / 40, `${c.chunks} chunks`);
    assert.deepEqual(columns[0], values);
  });

  it('copies typed arrays of numbers into the f64 buffer as they are', () => {
    const values = new Float64Array([1.5, NaN, -0, 3e300]);
    const ints = new Int32Array([1, -2, 3, 4]);
    const { columns } = unpack(pack({ fields: [{ name: 'f', type: 'number', values }, { name: 'i', type: 'number', values: ints }] }));
    assert.deepEqual(columns, [[...values], [...ints]]);
  });

  it('goes value by value when a JSON column cannot be stringified whole, and names the row', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const { packed, problems } = packFrame({ name: 'x', fields: [{ name: 'tags', type: 'other', values: [{ ok: true }, 10n, cyclic] }] });
    assert.ok(packed);
    assert.deepEqual(
      problems.map((p) => [p.field, p.row, p.scope]),
      [
        ['tags', 1, 'value'],
        ['tags', 2, 'value'],
      ],
    );
    assert.deepEqual(unpack(packed).columns[0], [{ ok: true }, null, null]);
  });

  it('sends nulls as invalid, NaN as a value, and keeps nulls apart from empty strings', () => {
    const frame = {
      fields: [
        { name: 'n', type: 'number', values: [1.5, null, NaN, undefined, -Infinity] },
        { name: 's', type: 'string', values: ['', null, 'a', undefined, 'b'] },
        { name: 'b', type: 'boolean', values: [true, false, null, true, false] },
        { name: 't', type: 'time', values: [1000, null, 2000, 3000, 4000] },
      ],
    };
    const { columns } = unpack(pack(frame));
    assert.deepEqual(columns[0], [1.5, null, NaN, null, -Infinity]);
    assert.deepEqual(columns[1], ['', null, 'a', null, 'b']);
    assert.deepEqual(columns[2], [true, false, null, true, false]);
    assert.deepEqual(columns[3], [1_000_000_000n, null, 2_000_000_000n, 3_000_000_000n, 4_000_000_000n]);
  });

  it('converts time strings: RFC 3339 with ns digits, epoch ms digits, ns digits; Dates', () => {
    const frame = {
      fields: [
        {
          name: 'Time',
          type: 'time',
          values: ['2026-11-22T03:00:00.123456789Z', '1795316400123', '1795316400123456789', new Date(1795316400123)],
        },
      ],
    };
    const { columns } = unpack(pack(frame));
    assert.deepEqual(columns[0], [1795316400123456789n, 1795316400123000000n, 1795316400123456789n, 1795316400123000000n]);
  });

  it('sends number fields holding int64 text as text (Rust parses them exactly)', () => {
    const { header, columns } = unpack(pack({ fields: [{ name: 'bytes', type: 'number', values: [1, '9007199254740993', null] }] }));
    assert.equal(header.fields[0]!.column.kind, 'str');
    assert.deepEqual(columns[0], ['1', '9007199254740993', null]);
  });

  it('sends enum fields as their text', () => {
    const { header, columns } = unpack(
      pack({ fields: [{ name: 'level', type: 'enum', config: { type: { enum: { text: ['', 'INFO', 'ERROR'] } } }, values: [1, 2, 2, null] }] }),
    );
    assert.equal(header.fields[0]!.column.kind, 'str');
    assert.deepEqual(columns[0], ['INFO', 'ERROR', 'ERROR', null]);
  });

  it('reads Vector-like values (get/length, toArray) the same as arrays', () => {
    const data = ['a', 'b', 'c'];
    const getter = { length: 3, get: (i: number) => data[i] };
    const toArray = { length: 3, get: () => 'wrong', toArray: () => data };
    const { columns } = unpack(pack({ fields: [{ name: 'x', values: getter }, { name: 'y', values: toArray }] }));
    assert.deepEqual(columns, [data, data]);
  });

  it('names frame, field and row of values it could not use, and sends them as null', () => {
    const { packed, problems } = packFrame({ refId: 'B', fields: [{ name: 'Time', type: 'time', values: [1000, 'yesterday', {}] }] }, 3);
    assert.ok(packed);
    assert.deepEqual(
      problems.map((p) => [p.frame, p.frameName, p.field, p.row, p.scope]),
      [
        [3, 'B', 'Time', 1, 'value'],
        [3, 'B', 'Time', 2, 'value'],
      ],
    );
    assert.match(problems[0]!.message, /not a time: string "yesterday"/);
    assert.deepEqual(unpack(packed).columns[0], [1_000_000_000n, null, null]);
  });

  it('refuses frames whose shape is wrong, naming frame and field', () => {
    const short = packFrame({ name: 'logs', length: 3, fields: [{ name: 'Line', values: ['a', 'b'] }] }, 1);
    assert.equal(short.packed, null);
    assert.equal(short.problems[0]!.message, 'has 2 values, the frame has 3 rows');
    assert.equal(short.problems[0]!.field, 'Line');
    const noValues = packFrame({ name: 'x', fields: [{ name: 'v', values: 42 as unknown as string[] }] });
    assert.equal(noValues.packed, null);
    assert.match(noValues.problems[0]!.message, /not an array/);
    const noFields = packFrame({} as DataFrameLike, 7);
    assert.equal(noFields.packed, null);
    assert.equal(noFields.problems[0]!.frame, 7);
  });
});
