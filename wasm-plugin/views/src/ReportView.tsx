import { useEffect, useMemo, useState } from 'react';

import { CandidateList } from './CandidateList';
import { DiagnosticsNotice } from './DiagnosticsNotice';
import { PatternList } from './PatternList';
import { Timeline } from './Timeline';
import { TraceWaterfall } from './TraceWaterfall';
import type { Report, TraceDetail } from 'rootspan';

import type { OnsetChoice } from './engine/rootspan';

import { reportView, traceDetailView, type SeriesView, type TimeSpan, type TraceDetailView } from './model';
import { useViewTheme } from './theme';

export interface ReportViewProps {
  /** The report from `Session.analyze`. */
  report: Report;
  /** Inputs the page could only partly hand to the core (frames or files left out), one line each. */
  problems?: string[];
  /** One trace's spans with their logs and exemplars (from the session), for the trace view. */
  loadTrace?: (traceId: string) => Promise<TraceDetail | undefined>;
  /** A metric series' points, where the page still has them (the panel's frames). */
  seriesPoints?: (series: SeriesView) => Array<[number, number]>;
  /** A URL opening the trace elsewhere (Grafana Explore). */
  traceHref?: (traceId: string) => string | undefined;
  /** The time the data covers, for the timeline. */
  range?: TimeSpan;
  onSelectWindow?: (window: TimeSpan) => void;
  /** The candidate onsets of a detected window (`useAnalysis`), marked on the timeline to analyse from. */
  onsets?: OnsetChoice;
}

type Tab = 'candidates' | 'patterns' | 'trace';

/** The whole rootspan view: timeline, ranked candidates, log patterns, a trace, diagnostics. */
export function ReportView({ report, problems = [], loadTrace, seriesPoints, traceHref, range, onSelectWindow, onsets }: ReportViewProps) {
  const theme = useViewTheme();
  const view = useMemo(() => reportView(report), [report]);
  const [tab, setTab] = useState<Tab>('candidates');
  const [traceId, setTraceId] = useState<string | undefined>(undefined);
  const [trace, setTrace] = useState<TraceDetailView | undefined>(undefined);
  useEffect(() => {
    setTrace(undefined);
    if (!traceId || !loadTrace) {
      return;
    }
    let live = true;
    loadTrace(traceId).then(
      (detail) => live && setTrace(detail ? traceDetailView(detail) : undefined),
      () => live && setTrace(undefined)
    );
    return () => {
      live = false;
    };
  }, [traceId, loadTrace]);
  const noHref = () => undefined;
  const links = {
    openTrace: (id: string) => {
      setTraceId(id);
      setTab('trace');
    },
    traceHref: traceHref ?? noHref,
  };
  const tabButton = (t: Tab, label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={tab === t}
      onClick={() => setTab(t)}
      style={{
        all: 'unset',
        cursor: 'pointer',
        padding: '2px 8px',
        borderBottom: `2px solid ${tab === t ? theme.primary : 'transparent'}`,
        color: tab === t ? theme.text : theme.textWeak,
      }}
    >
      {label}
    </button>
  );

  return (
    <div data-testid="rootspan-report" style={{ color: theme.text, fontSize: 13 }}>
      <Timeline view={view} range={range} onSelectWindow={onSelectWindow} onsets={onsets} />
      <div role="tablist" style={{ display: 'flex', gap: 4, borderBottom: `1px solid ${theme.border}`, marginBottom: 6 }}>
        {tabButton('candidates', `Root causes (${view.candidates.length})`)}
        {tabButton('patterns', `Log patterns (${view.patterns.length})`)}
        {tabButton('trace', traceId ? `Trace ${traceId.slice(0, 8)}…` : 'Trace')}
      </div>
      <div role="tabpanel">
        {tab === 'candidates' && <CandidateList candidates={view.candidates} confidence={view.confidence} window={view.window} links={links} seriesPoints={seriesPoints} />}
        {tab === 'patterns' && <PatternList patterns={view.patterns} window={view.window} onOpenTrace={links.openTrace} />}
        {tab === 'trace' && <TracePane traceId={traceId} trace={trace} onChoose={links.openTrace} href={traceId ? links.traceHref(traceId) : undefined} />}
      </div>
      <DiagnosticsNotice diagnostics={view.diagnostics} problems={problems} />
    </div>
  );
}

function TracePane({
  traceId,
  trace,
  onChoose,
  href,
}: {
  traceId?: string;
  trace?: TraceDetailView;
  onChoose: (id: string) => void;
  href?: string;
}) {
  const theme = useViewTheme();
  const [text, setText] = useState(traceId ?? '');
  return (
    <div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) {
            onChoose(text.trim());
          }
        }}
        style={{ marginBottom: 6, display: 'flex', gap: 4 }}
      >
        <input
          aria-label="Trace id"
          placeholder="trace id"
          value={text}
          onChange={(e) => setText(e.target.value)}
          style={{ fontFamily: theme.fontFamilyMono, flex: 1, maxWidth: 320, background: theme.background, color: theme.text, border: `1px solid ${theme.border}` }}
        />
        <button type="submit">Show</button>
      </form>
      {traceId && !trace && <div style={{ color: theme.textWeak }}>No spans for trace {traceId} in the data.</div>}
      {trace && <TraceWaterfall trace={trace} traceHref={href} />}
    </div>
  );
}
