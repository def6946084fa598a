import { useState } from 'react';

import { Chips } from './Chips';
import { PatternList, linkButton } from './PatternList';
import { Sparkline } from './Sparkline';
import { useViewTheme } from './theme';
import type { CandidateView, ConfidenceView, SeriesView, TimeSpan } from './model';
import type { TraceLinks } from './links';

interface Props {
  candidates: CandidateView[];
  confidence: ConfidenceView;
  window?: TimeSpan;
  links: TraceLinks;
  seriesPoints?: (series: SeriesView) => Array<[number, number]>;
}

export function CandidateList({ candidates, confidence, window, links, seriesPoints }: Props) {
  const theme = useViewTheme();
  const [open, setOpen] = useState<number | undefined>(undefined);
  if (candidates.length === 0) {
    return <div style={{ color: theme.textWeak }}>No root-cause candidates: the data shows no change against the baseline.</div>;
  }
  return (
    <>
      {/* How sure the ranking is comes first: "no clear root cause" changes how to read the list. */}
      <div
        data-testid="confidence"
        data-certainty={confidence.certainty}
        style={{ margin: '2px 0 6px', fontWeight: confidence.clearCause ? 600 : 400, color: confidence.clearCause ? theme.text : theme.textWeak }}
      >
        {confidence.phrase}
      </div>
      <ol style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="candidates">
      {candidates.map((c) => {
        const expanded = open === c.rank;
        return (
          <li key={c.rank} data-testid="candidate" style={{ borderBottom: `1px solid ${theme.border}`, padding: '6px 0' }}>
            <button
              type="button"
              aria-expanded={expanded}
              onClick={() => setOpen(expanded ? undefined : c.rank)}
              style={{ all: 'unset', cursor: 'pointer', display: 'grid', gridTemplateColumns: '2em minmax(8em, 1fr) 120px', gap: 8, width: '100%', alignItems: 'center' }}
            >
              <span data-testid="candidate-rank" style={{ color: theme.textWeak }}>
                {c.rank}
              </span>
              <span data-testid="candidate-name" style={{ fontWeight: 600 }}>
                {expanded ? '▾ ' : '▸ '}
                {c.name}
              </span>
              <span title={`score ${c.score}`} style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
                <span style={{ flex: 1, height: 8, background: theme.surface, borderRadius: 4, overflow: 'hidden' }}>
                  <span data-testid="score-bar" style={{ display: 'block', width: `${Math.round(c.bar * 100)}%`, height: '100%', background: theme.error }} />
                </span>
                <span style={{ fontSize: 11, fontVariantNumeric: 'tabular-nums' }}>{c.score.toFixed(2)}</span>
              </span>
            </button>
            <div data-testid="candidate-why" style={{ marginLeft: '2.5em', color: theme.textWeak, fontSize: 12 }}>
              {c.why}
            </div>
            {c.chips.length > 0 && (
              <div style={{ marginLeft: '2.5em', marginTop: 2 }}>
                <Chips chips={c.chips} />
              </div>
            )}
            {expanded && <Evidence candidate={c} window={window} links={links} seriesPoints={seriesPoints} />}
          </li>
        );
      })}
      </ol>
    </>
  );
}

function Evidence({ candidate, window, links, seriesPoints }: Omit<Props, 'candidates' | 'confidence'> & { candidate: CandidateView }) {
  const theme = useViewTheme();
  const heading = { fontSize: 11, textTransform: 'uppercase' as const, color: theme.textWeak, margin: '8px 0 2px' };
  return (
    <div data-testid="evidence" style={{ marginLeft: '2.5em', marginTop: 4 }}>
      {candidate.blastRadius.length > 0 && (
        <div data-testid="blast-radius" style={{ fontSize: 12, color: theme.textWeak }}>
          Callers showing anomalies too: {candidate.blastRadius.join(', ')}
        </div>
      )}
      <div style={heading}>Traces ({candidate.traces.length})</div>
      {candidate.traces.length === 0 ? (
        <div style={{ color: theme.textWeak, fontSize: 12 }}>No traces.</div>
      ) : (
        <ul data-testid="evidence-traces" style={{ margin: 0, paddingLeft: 16, fontFamily: theme.fontFamilyMono, fontSize: 12 }}>
          {candidate.traces.slice(0, 10).map((t) => (
            <li key={t}>
              <button type="button" style={linkButton(theme.primary)} onClick={() => links.openTrace(t)}>
                {t}
              </button>
              {links.traceHref(t) && (
                <a href={links.traceHref(t)} target="_blank" rel="noopener noreferrer" data-testid="explore-link" style={{ color: theme.primary, marginLeft: 6 }}>
                  Explore ↗
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
      <div style={heading}>Log templates ({candidate.patterns.length})</div>
      <PatternList patterns={candidate.patterns} window={window} onOpenTrace={links.openTrace} />
      <div style={heading}>Metric series ({candidate.series.length})</div>
      {candidate.series.length === 0 ? (
        <div style={{ color: theme.textWeak, fontSize: 12 }}>No metric series.</div>
      ) : (
        <ul data-testid="evidence-series" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {candidate.series.map((s, i) => (
            <li key={i} style={{ display: 'flex', gap: 8, alignItems: 'center', fontSize: 12 }}>
              <Sparkline points={seriesPoints?.(s) ?? []} shade={window} label={`${s.name} over time`} />
              <span style={{ fontFamily: theme.fontFamilyMono }}>
                {s.name}
                {s.labels.length > 0 && `{${s.labels.map(([k, v]) => `${k}="${v}"`).join(', ')}}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
