// The workload's frames as a panel receives them. A Grafana data source answers `/api/ds/query` with
// DataFrameJSON (schema + columnar values); the frontend `JSON.parse`s the response and `dataFrameFromJSON`
// (@grafana/data) makes the frames of `PanelData.series`. So every string a panel sees is a flat string made by
// the JSON parser, and every object value (a log line's `labels`, a span's `tags`) is an object of its own per
// row, even where the values repeat. The generator's frames are not like that: its strings are built by
// concatenation (V8 keeps them as ropes, slower to read) and rows of one stream share one labels object (a
// lookup by identity finds them). Every browser peer reads these frames, made once per page and untimed.
import { dataFrameFromJSON, dataFrameToJSON } from '@grafana/data';
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

/** `frame` after the trip a data source's answer takes: DataFrameJSON, its text, parsed, and made a frame again. */
export function delivered(frame: BenchFrame): BenchFrame {
  const dto: DataFrameJSON = dataFrameToJSON(frame as unknown as DataFrame);
  const data = dto.data === undefined ? undefined : { ...dto.data, values: dto.data.values.map(overTheWire), nanos: dto.data.nanos?.map((n) => (n === null ? null : overTheWire(n) as number[])) };
  const schema = JSON.parse(JSON.stringify(dto.schema)) as DataFrameJSON['schema'];
  return dataFrameFromJSON({ schema, data }) as unknown as BenchFrame;
}

export function deliveredWorkload(w: Workload): Workload {
  return { ...w, traces: delivered(w.traces), logs: delivered(w.logs), metrics: w.metrics.map(delivered) };
}
