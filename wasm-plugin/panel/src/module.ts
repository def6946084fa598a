import { PanelPlugin } from '@grafana/data';

import { RootCausePanel } from './components/RootCausePanel';
import { defaultOptions, type RootCauseOptions } from '@rootspan/views';

export const plugin = new PanelPlugin<RootCauseOptions>(RootCausePanel)
  // Prometheus exemplars reach panels as annotation frames: ask for them.
  .setDataSupport({ annotations: true, alertStates: false })
  .setPanelOptions((builder) =>
    builder
      .addTextInput({
        path: 'windowStart',
        name: 'Incident window start',
        description: 'RFC 3339 time or epoch ms. Empty: found from the data. Selecting a span of time in the panel sets it too.',
        category: ['Incident window'],
        defaultValue: defaultOptions.windowStart,
      })
      .addTextInput({
        path: 'windowEnd',
        name: 'Incident window end',
        description: 'RFC 3339 time or epoch ms. Empty: found from the data.',
        category: ['Incident window'],
        defaultValue: defaultOptions.windowEnd,
      })
      .addNumberInput({
        path: 'top',
        name: 'Candidates',
        description: 'How many ranked candidates to list.',
        defaultValue: defaultOptions.top,
        settings: { min: 1, max: 100, integer: true },
      })
      .addTextInput({
        path: 'traceIdFields',
        name: 'Trace id fields',
        description: 'Log fields or labels holding a trace id, comma-separated. Empty: trace_id, traceID, traceId and the other usual spellings.',
        category: ['Correlation'],
        defaultValue: defaultOptions.traceIdFields,
      })
      .addTextInput({
        path: 'traceIdBodyKeys',
        name: 'Trace id keys in log bodies',
        description:
          'Words that precede a trace id in a log line (trace_id=…, "traceId":"…", TraceID: …), comma-separated. Empty: trace_id, traceid, trace-id, trace.id, otel_trace_id. W3C traceparent values are always recognised.',
        category: ['Correlation'],
        defaultValue: defaultOptions.traceIdBodyKeys,
      })
      .addTextInput({
        path: 'serviceLabels',
        name: 'Service labels',
        description: 'Labels that name the service, in order of preference, comma-separated (e.g. service_name, app, job). Empty: the built-in mapping.',
        category: ['Correlation'],
        defaultValue: defaultOptions.serviceLabels,
      })
      .addBooleanSwitch({
        path: 'redact',
        name: 'Redact log samples',
        description: 'Mask emails, IP addresses and tokens in the log lines shown.',
        category: ['Logs'],
        defaultValue: defaultOptions.redact,
      })
  );
