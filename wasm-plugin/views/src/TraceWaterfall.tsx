import { Fragment } from 'react';

import { useViewTheme } from './theme';
import type { TraceDetailView } from './model';

interface Props {
  trace: TraceDetailView;
  traceHref?: string;
}

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms >= 10 ? 0 : 2)} ms`);

/** A compact waterfall: one row per span, its log lines and exemplars beside it (log text as text nodes only). */
export function TraceWaterfall({ trace, traceHref }: Props) {
  const theme = useViewTheme();
  const total = Math.max(trace.endMs - trace.startMs, 1e-3);
  return (
    <div data-testid="trace-view">
      <div style={{ display: 'flex', gap: 8, alignItems: 'baseline', marginBottom: 4 }}>
        <code style={{ fontFamily: theme.fontFamilyMono }}>{trace.traceId}</code>
        <span style={{ color: theme.textWeak, fontSize: 12 }}>
          {trace.spans.length} spans · {fmtMs(total)}
        </span>
        {traceHref && (
          <a href={traceHref} target="_blank" rel="noopener noreferrer" style={{ color: theme.primary, fontSize: 12 }}>
            Open in Explore ↗
          </a>
        )}
      </div>
      <table style={{ width: '100%', borderCollapse: 'collapse', fontSize: 12, tableLayout: 'fixed' }}>
        <tbody>
          {trace.spans.map((s) => (
            <Fragment key={s.spanId}>
              <tr data-testid="trace-span" style={{ borderTop: `1px solid ${theme.border}`, verticalAlign: 'top' }}>
                <td style={{ paddingLeft: s.depth * 10, whiteSpace: 'nowrap', width: '40%', overflow: 'hidden', textOverflow: 'ellipsis', maxWidth: 0, color: s.error ? theme.error : theme.text }}>
                  <span style={{ fontWeight: 600 }}>{s.service}</span> <span style={{ color: theme.textWeak }}>{s.operation}</span>
                </td>
                <td style={{ width: '50%' }}>
                  <div
                    title={fmtMs(s.durationMs)}
                    style={{
                      marginLeft: `${((s.startMs - trace.startMs) / total) * 100}%`,
                      width: `${Math.max(0.5, (s.durationMs / total) * 100)}%`,
                      height: 10,
                      marginTop: 3,
                      background: s.error ? theme.error : theme.primary,
                      borderRadius: 2,
                    }}
                  />
                </td>
                <td style={{ width: '10%', textAlign: 'right', color: theme.textWeak, whiteSpace: 'nowrap' }}>{fmtMs(s.durationMs)}</td>
              </tr>
              {(s.logs.length > 0 || s.exemplars.length > 0) && (
                <tr>
                  <td colSpan={3} style={{ paddingLeft: s.depth * 10 + 16, fontFamily: theme.fontFamilyMono, fontSize: 11 }}>
                    {s.logs.map((l, i) => (
                      <div key={i} data-testid="trace-log" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                        {l.level && <span style={{ color: /err|crit/i.test(l.level) ? theme.error : theme.textWeak }}>{l.level} </span>}
                        {l.body}
                      </div>
                    ))}
                    {s.exemplars.map((e, i) => (
                      <div key={`x${i}`} data-testid="trace-exemplar" style={{ color: theme.success }}>
                        ◆ exemplar {e.series} = {e.value}
                      </div>
                    ))}
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      {(trace.logs.length > 0 || trace.exemplars.length > 0) && (
        <div style={{ marginTop: 6, fontFamily: theme.fontFamilyMono, fontSize: 11 }}>
          <div style={{ color: theme.textWeak }}>Not tied to a span:</div>
          {trace.logs.map((l, i) => (
            <div key={i} data-testid="trace-log" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {l.body}
            </div>
          ))}
          {trace.exemplars.map((e, i) => (
            <div key={`x${i}`} data-testid="trace-exemplar">
              ◆ {e.series} = {e.value}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
