import { useCallback, useMemo } from 'react';
import { type DataFrame, type GrafanaTheme2, type PanelProps } from '@grafana/data';
import { config } from '@grafana/runtime';
import { useTheme2 } from '@grafana/ui';

import {
  ReportView,
  ThemeContext,
  defaultOptions,
  frameProblems,
  toCoreOptions,
  traceDetail,
  useAnalysis,
  useRootspan,
  useSession,
  type RootCauseOptions,
  progressText,
  type Fill,
  type TimeSpan,
  type ViewTheme,
} from '@rootspan/views';
import { exploreTraceHref, traceDatasource } from './explore';
import { seriesPointsFrom } from './seriesPoints';

type Props = PanelProps<RootCauseOptions>;

const viewTheme = (t: GrafanaTheme2): ViewTheme => ({
  text: t.colors.text.primary,
  textWeak: t.colors.text.secondary,
  background: t.colors.background.primary,
  surface: t.colors.background.secondary,
  border: t.colors.border.weak,
  primary: t.colors.primary.text,
  error: t.colors.error.text,
  warning: t.colors.warning.text,
  success: t.colors.success.text,
  fontFamilyMono: t.typography.fontFamilyMonospace,
});

const isoMs = (ms: number) => new Date(ms).toISOString();

export function RootCausePanel({ data, options: saved, width, height, onOptionsChange, timeRange }: Props) {
  // Dashboards saved by an older version may lack newer options.
  const options = useMemo(() => ({ ...defaultOptions, ...saved }), [saved]);
  const theme = useTheme2();
  const engine = useRootspan();
  const rootspan = engine.status === 'ready' ? engine.rootspan : undefined;

  // Every frame goes to the core, which tells traces, logs, metrics and exemplars apart itself.
  // Exemplars arrive in data.annotations (Grafana routes dataTopic=annotations frames there).
  const frames = useMemo(() => [...data.series, ...(data.annotations ?? [])], [data.series, data.annotations]);
  const fill = useCallback<Fill>(
    async (session, rs, call) => {
      try {
        await session.addFrames(frames as DataFrame[], 'panel', call);
        return [];
      } catch (e) {
        return frameProblems(rs, e);
      }
    },
    [frames]
  );
  const { session, problems, error: addError, progress: adding } = useSession(rootspan, frames.length ? fill : undefined);
  const coreOptions = useMemo(() => toCoreOptions(options), [options]);
  const { report, error, progress: analysing, onsets } = useAnalysis(session, coreOptions);
  const progress = adding ?? analysing;

  const ds = useMemo(() => traceDatasource(data.series, data.request?.targets), [data.series, data.request]);
  const traceHref = useCallback(
    (traceId: string) => (ds ? exploreTraceHref(config.appSubUrl ?? '', ds, traceId, timeRange) : undefined),
    [ds, timeRange]
  );
  const loadTrace = useCallback((traceId: string) => traceDetail(session, coreOptions, traceId), [session, coreOptions]);
  const onSelectWindow = useCallback(
    (w: TimeSpan) => onOptionsChange({ ...options, windowStart: isoMs(w.startMs), windowEnd: isoMs(w.endMs) }),
    [onOptionsChange, options]
  );
  const seriesPoints = useMemo(() => seriesPointsFrom(data.series), [data.series]);
  const range = useMemo(() => ({ startMs: timeRange.from.valueOf(), endMs: timeRange.to.valueOf() }), [timeRange]);

  const message = (text: string, testId: string) => (
    <div data-testid={testId} style={{ padding: 8, color: theme.colors.text.secondary }}>
      {text}
    </div>
  );

  let body;
  if (engine.status === 'unavailable' || engine.status === 'error') {
    body = message(engine.message, 'rootspan-unavailable');
  } else if (frames.length === 0) {
    body = message('No data: add Tempo, Loki and Prometheus queries over the incident window.', 'rootspan-nodata');
  } else if (engine.status === 'loading' || (!session && !addError) || (!report && !error)) {
    body = message(progress ? `rootspan: ${progressText(progress)}…` : 'Loading rootspan…', 'rootspan-loading');
  } else if (addError || error || !report) {
    body = message(`rootspan could not analyse this data: ${addError ?? error}`, 'rootspan-error');
  } else {
    body = <ReportView report={report} problems={problems} loadTrace={loadTrace} seriesPoints={seriesPoints} traceHref={traceHref} range={range} onSelectWindow={onSelectWindow} onsets={onsets} />;
  }

  return (
    <ThemeContext.Provider value={viewTheme(theme)}>
      <div data-testid="rootspan-panel" style={{ width, height, overflow: 'auto' }}>
        {body}
      </div>
    </ThemeContext.Provider>
  );
}
