// The workload's frames as a panel receives them. A Grafana data source answers `/api/ds/query` with
// DataFrameJSON (schema + columnar values); the frontend `JSON.parse`s the response and `dataFrameFromJSON`
// (@grafana/data) makes the frames of `PanelData.series`. So every string a panel sees is a flat string made by
// the JSON parser, and every object value (a log line's `labels`, a span's `tags`) is an object of its own per
// row, even where the values repeat. The generator's frames are not like that: its strings are built by
// concatenation (V8 keeps them as ropes, slower to read) and rows of one stream share one labels object (a
// lookup by identity finds them). Every browser peer reads these frames, made once per page and untimed.
import type { DataFrame, DataFrameJSON } from '@grafana/data';
import type { BenchFrame, Workload } from './workload.js';

/**
 * Values per `JSON.stringify` / `JSON.parse` round trip: one response's text is a single string, and at the 3x
 * size the log frame's would pass V8's longest string (2^29 - 24 characters). The values come out the same.
 */
const CHUNK = 65_536;

function overTheWire(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let from = 0; from < values.length; from += CHUNK) {
    for (const v of JSON.parse(JSON.stringify(values.slice(from, from + CHUNK))) as unknown[]) out.push(v);
  }
  return out;
}

/**
 * @grafana/data's two conversions, passed in: the page imports the package's ES module, Node can only `require`
 * its CommonJS build (the ES build's `moment-timezone` import fails there).
 */
export type FrameCodec = Pick<typeof import('@grafana/data'), 'dataFrameToJSON' | 'dataFrameFromJSON'>;

/** `frame` after the trip a data source's answer takes: DataFrameJSON, its text, parsed, and made a frame again. */
function delivered(frame: BenchFrame, { dataFrameToJSON, dataFrameFromJSON }: FrameCodec): BenchFrame {
  const dto: DataFrameJSON = dataFrameToJSON(frame as unknown as DataFrame);
  const data = dto.data === undefined ? undefined : { ...dto.data, values: dto.data.values.map(overTheWire), nanos: dto.data.nanos?.map((n) => (n === null ? null : overTheWire(n) as number[])) };
  const schema = JSON.parse(JSON.stringify(dto.schema)) as DataFrameJSON['schema'];
  return dataFrameFromJSON({ schema, data }) as unknown as BenchFrame;
}

export function deliveredWorkload(w: Workload, codec: FrameCodec): Workload {
  return { ...w, traces: delivered(w.traces, codec), logs: delivered(w.logs, codec), metrics: w.metrics.map((f) => delivered(f, codec)) };
}
