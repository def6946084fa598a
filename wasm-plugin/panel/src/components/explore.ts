import type { DataFrame, DataQuery, TimeRange } from '@grafana/data';

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

const TRACE_DATASOURCES = new Set(['tempo', 'jaeger', 'zipkin']);

/**
 * The datasource that gave the trace frames: the query of a frame Grafana marks as a trace, else the
 * first query to a tracing datasource. Used for Explore links only; analysis never depends on it.
 */
export function traceDatasource(series: DataFrame[], targets: DataQuery[] | undefined): DatasourceRef | undefined {
  const byRef = new Map((targets ?? []).map((t) => [t.refId, t.datasource ?? undefined]));
  const traceFrame = series.find((f) => f.meta?.preferredVisualisationType === 'trace');
  const fromFrame = traceFrame?.refId ? byRef.get(traceFrame.refId) : undefined;
  if (fromFrame?.uid) {
    return fromFrame;
  }
  return (targets ?? []).map((t) => t.datasource ?? undefined).find((d) => d?.uid && TRACE_DATASOURCES.has(d.type ?? ''));
}

/** An Explore URL that opens one trace by id in the given datasource. */
export function exploreTraceHref(appSubUrl: string, ds: DatasourceRef, traceId: string, range: TimeRange): string {
  const panes = {
    trace: {
      datasource: ds.uid,
      queries: [{ refId: 'A', datasource: { type: ds.type, uid: ds.uid }, queryType: 'traceql', query: traceId }],
      range: { from: String(range.from.valueOf()), to: String(range.to.valueOf()) },
    },
  };
  return `${appSubUrl}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}
