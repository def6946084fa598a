/** The panel's options, as Grafana stores them in the dashboard JSON. */
export interface RootCauseOptions {
  /** Incident window start (RFC 3339 or epoch ms); empty: found from the data. */
  windowStart: string;
  /** Incident window end (RFC 3339 or epoch ms); empty: found from the data. */
  windowEnd: string;
  /** How many candidates to list. */
  top: number;
  /** Field or label names holding a trace id in log records, comma-separated; empty: the core's defaults. */
  traceIdFields: string;
  /** Keys that precede a trace id in a log body (`trace_id=`, `TraceID:`), comma-separated; empty: the core's defaults. */
  traceIdBodyKeys: string;
  /** Labels naming the service, in order of preference, comma-separated; empty: the core's defaults. */
  serviceLabels: string;
  /** Mask emails, IPs and tokens in log samples before they are shown. */
  redact: boolean;
}

export const defaultOptions: RootCauseOptions = {
  windowStart: '',
  windowEnd: '',
  top: 10,
  traceIdFields: '',
  traceIdBodyKeys: '',
  serviceLabels: '',
  redact: true,
};
