import { useViewTheme } from './theme';
import { Sparkline } from './Sparkline';
import type { PatternView, TimeSpan } from './model';

interface Props {
  patterns: PatternView[];
  window?: TimeSpan;
  /** Show sample lines under each template. */
  samples?: boolean;
  onOpenTrace?: (traceId: string) => void;
}

/** Where the incident window falls on the pattern's bucket axis (bucket indexes). */
function windowOnBuckets(p: PatternView, window?: TimeSpan): TimeSpan | undefined {
  if (!window || !p.bucketSpan || p.buckets.length === 0) {
    return undefined;
  }
  const width = (p.bucketSpan.endMs - p.bucketSpan.startMs) / p.buckets.length;
  if (!(width > 0)) {
    return undefined;
  }
  return { startMs: (window.startMs - p.bucketSpan.startMs) / width, endMs: (window.endMs - p.bucketSpan.startMs) / width };
}

// Log text is attacker-controlled: every template and sample below is a React text node, never HTML.
export function PatternList({ patterns, window, samples = true, onOpenTrace }: Props) {
  const theme = useViewTheme();
  if (patterns.length === 0) {
    return <div style={{ color: theme.textWeak }}>No log patterns.</div>;
  }
  return (
    <ul style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="pattern-list">
      {patterns.map((p) => (
        <li key={p.id} data-testid="pattern" style={{ borderTop: `1px solid ${theme.border}`, padding: '4px 0' }}>
          <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
            <span style={{ minWidth: 48, textAlign: 'right', fontVariantNumeric: 'tabular-nums' }} title="lines">
              {p.count > 0 ? p.count : ''}
            </span>
            <Sparkline
              points={p.buckets.map((c, i) => [i, c])}
              shade={windowOnBuckets(p, window)}
              label={`lines over time: ${p.template}`}
              color={theme.warning}
              width={100}
              height={20}
            />
            {p.change && (
              <span data-testid="pattern-change" style={{ fontSize: 11, color: p.change === 'new' || p.change === 'surge' ? theme.error : theme.textWeak }}>
                {p.change}
              </span>
            )}
            <code data-testid="pattern-template" style={{ fontFamily: theme.fontFamilyMono, fontSize: 12, wordBreak: 'break-all' }}>
              {p.template}
            </code>
          </div>
          {(p.levels.length > 0 || p.services.length > 0 || p.windowCount !== undefined) && (
            <div style={{ fontSize: 11, color: theme.textWeak, marginLeft: 56 }}>
              {p.windowCount !== undefined && p.baselineCount !== undefined && `window ${p.windowCount} · baseline ${p.baselineCount} — `}
              {p.levels.map(([l, c]) => `${l} ${c}`).join(' · ')}
              {p.services.length > 0 && ` — ${p.services.join(', ')}`}
              {p.traceCount > 0 && ` — ${p.traceCount} trace${p.traceCount === 1 ? '' : 's'}`}
            </div>
          )}
          {samples && p.samples.length > 0 && (
            <pre
              data-testid="pattern-samples"
              style={{ fontFamily: theme.fontFamilyMono, fontSize: 11, margin: '2px 0 0 56px', whiteSpace: 'pre-wrap', color: theme.textWeak }}
            >
              {p.samples.join('\n')}
            </pre>
          )}
          {onOpenTrace && p.traces.length > 0 && (
            <div style={{ marginLeft: 56, fontSize: 11 }}>
              {p.traces.slice(0, 5).map((t) => (
                <button key={t} type="button" onClick={() => onOpenTrace(t)} style={linkButton(theme.primary)}>
                  {t.slice(0, 12)}…
                </button>
              ))}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

export const linkButton = (color: string) => ({
  background: 'none',
  border: 'none',
  padding: '0 4px 0 0',
  color,
  cursor: 'pointer',
  fontFamily: 'inherit',
  fontSize: 'inherit',
  textDecoration: 'underline',
});
