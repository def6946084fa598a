// The browser peers, each on the same generated frames. What each does (and so what its time means):
// - grafana:  a derived field's regex pulls the trace id out of each log line, then @grafana/data
//             `outerJoinDataFrames` (mode outerTabular, joinBy traceID) joins logs to spans: the join alone.
// - arquero:  the same trace id and a template key (variable tokens masked) derived on the logs, a full join to
//             the spans on trace id, then a group-by on the template key (rows, error spans).
// - duckdb:   DuckDB-wasm (in its worker) loads the log lines and the span columns as Arrow tables, and does the
//             same derivations, full outer join and group-by in one SQL query.
// - rootspan: init + new Session + addFrames + analyze (join, patterns, ranking), through rootspan-adapter.ts.
// The three join peers return their joined row count, which must agree (the smoke run checks it).
import * as duckdb from '@duckdb/duckdb-wasm';
import { FieldMatcherID, fieldMatchers, outerJoinDataFrames } from '@grafana/data';
import type { DataFrame } from '@grafana/data';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import * as aq from 'arquero';
import { DERIVED_TRACE_ID, TEMPLATE_MASK } from './workload.js';
import type { BenchField, BenchFrame, Workload } from './workload.js';

export interface JoinResult {
  readonly joinedRows: number;
  /** Template groups (arquero, duckdb); null for the join alone. */
  readonly groups: number | null;
}

function column(frame: BenchFrame, name: string): unknown[] {
  const field = frame.fields.find((f) => f.name === name);
  if (field === undefined) throw new Error(`bench: frame ${frame.refId} has no field ${name}`);
  return field.values;
}

const lines = (w: Workload): string[] => column(w.logs, 'Line') as string[];

function derivedTraceIds(w: Workload): (string | null)[] {
  return lines(w).map((line) => DERIVED_TRACE_ID.exec(line)?.[1]?.toLowerCase() ?? null);
}

export function grafanaJoin(w: Workload): JoinResult {
  // What a Loki derived field adds to the logs frame: a traceID field, matched by name against Tempo's.
  const traceId: BenchField = { name: 'traceID', type: 'string', config: {}, values: derivedTraceIds(w) };
  const logs = { ...w.logs, fields: [traceId, ...w.logs.fields] } as unknown as DataFrame;
  const joinBy = fieldMatchers.get(FieldMatcherID.byName).get('traceID');
  const joined = outerJoinDataFrames({ frames: [logs, w.traces as unknown as DataFrame], joinBy, mode: 'outerTabular' as never });
  if (joined === undefined) throw new Error('bench: outerJoinDataFrames returned nothing');
  return { joinedRows: joined.length, groups: null };
}

export function arqueroJoin(w: Workload): JoinResult {
  const text = lines(w);
  const logs = aq.table({
    traceID: derivedTraceIds(w),
    tpl: text.map((line) => line.replace(TEMPLATE_MASK, '*')),
    time: column(w.logs, 'Time'),
  });
  const spans = aq.table({
    traceID: column(w.traces, 'traceID'),
    service: column(w.traces, 'serviceName'),
    status: column(w.traces, 'statusCode'),
  });
  const joined = logs.join_full(spans, 'traceID');
  const groups = joined
    .groupby('tpl')
    .rollup({ rows: aq.op.count(), errors: 'd => op.sum(d.status === 2 ? 1 : 0)' })
    .numRows();
  return { joinedRows: joined.numRows(), groups };
}

let db: Promise<duckdb.AsyncDuckDB> | undefined;

/** DuckDB-wasm from the files the bench serves under `base` (no CDN): its worker and wasm. */
function duckDb(base: string): Promise<duckdb.AsyncDuckDB> {
  db ??= (async () => {
    const bundle = await duckdb.selectBundle({
      mvp: { mainModule: `${base}/duckdb-mvp.wasm`, mainWorker: `${base}/duckdb-browser-mvp.worker.js` },
      eh: { mainModule: `${base}/duckdb-eh.wasm`, mainWorker: `${base}/duckdb-browser-eh.worker.js` },
    });
    const worker = new Worker(bundle.mainWorker!);
    const instance = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    await instance.instantiate(bundle.mainModule, bundle.pthreadWorker);
    return instance;
  })();
  return db;
}

/** Loads DuckDB-wasm before the timed part: instantiating the engine is not the query's cost. */
export async function duckdbReady(base: string): Promise<void> {
  await duckDb(base);
}

const DUCK_TRACE_ID = `'(?i)(?:trace_?id)["=:\\s]+"?([0-9a-f]{16,32})'`;
const DUCK_MASK = `'[0-9a-f]{8,}(?:-[0-9a-f]{4,12})*|[0-9]+(?:\\.[0-9]+)?'`;

export async function duckdbJoin(w: Workload, base: string): Promise<JoinResult> {
  const conn = await (await duckDb(base)).connect();
  try {
    // As Arrow IPC streams: DuckDB-wasm bundles its own apache-arrow, whose Table class is not this one.
    const logs = tableFromArrays({ line: lines(w), time: Float64Array.from(column(w.logs, 'Time') as number[]) });
    await conn.insertArrowFromIPCStream(tableToIPC(logs, 'stream'), { name: 'logs' });
    const spans = tableFromArrays({
      traceID: column(w.traces, 'traceID') as string[],
      service: column(w.traces, 'serviceName') as string[],
      status: Int32Array.from(column(w.traces, 'statusCode') as number[]),
    });
    await conn.insertArrowFromIPCStream(tableToIPC(spans, 'stream'), { name: 'spans' });
    const result = await conn.query(`
      WITH l AS (
        SELECT lower(nullif(regexp_extract(line, ${DUCK_TRACE_ID}, 1), '')) AS traceID,
               regexp_replace(line, ${DUCK_MASK}, '*', 'g') AS tpl
        FROM logs),
      j AS (SELECT l.tpl, s.status FROM l FULL OUTER JOIN spans s ON l.traceID = s.traceID)
      SELECT count(*) AS groups, sum(rows)::DOUBLE AS joined FROM (
        SELECT tpl, count(*) AS rows, sum(CASE WHEN status = 2 THEN 1 ELSE 0 END) AS errors FROM j GROUP BY tpl)`);
    const row = result.toArray()[0] as { groups: bigint | number; joined: number };
    await conn.query('DROP TABLE logs; DROP TABLE spans');
    return { joinedRows: Number(row.joined), groups: Number(row.groups) };
  } finally {
    await conn.close();
  }
}
