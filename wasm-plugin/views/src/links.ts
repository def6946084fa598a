/** How a view opens a trace: in the in-page trace view, and (in Grafana) in Explore. */
export interface TraceLinks {
  openTrace: (traceId: string) => void;
  /** A URL opening the trace elsewhere (Grafana Explore), or undefined where there is none. */
  traceHref: (traceId: string) => string | undefined;
}
