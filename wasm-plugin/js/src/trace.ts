// One trace as `Session.trace` returns it (core/src/trace_detail.rs): times are epoch milliseconds.

export interface TraceLog {
  time_ms: number;
  level: 'critical' | 'error' | 'warning' | 'info' | 'debug' | 'trace' | 'unknown';
  body: string;
}

export interface TraceExemplar {
  time_ms: number;
  value: number;
  /** The series as `{label="value",...}`. */
  series: string;
}

export interface TraceSpan {
  span_id: string;
  /** The parent after repair; absent for roots and orphans. */
  parent_span_id: string | null;
  service: string;
  operation: string;
  start_ms: number;
  duration_ms: number;
  error: boolean;
  logs: TraceLog[];
  exemplars: TraceExemplar[];
}

export interface TraceDetail {
  /** 32 lowercase hex digits. */
  trace_id: string;
  /** By start time. */
  spans: TraceSpan[];
  /** Log records of the trace that name no span of it. */
  logs: TraceLog[];
  /** Exemplars of the trace that name no span of it. */
  exemplars: TraceExemplar[];
}
