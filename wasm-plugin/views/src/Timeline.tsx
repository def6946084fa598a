import { useRef, useState, type PointerEvent } from 'react';

import type { OnsetChoice } from './engine/rootspan';
import { useViewTheme, type ViewTheme } from './theme';
import { formatTime as fmt, type ReportModel, type TimeSpan } from './model';

interface Props {
  view: ReportModel;
  /** The time the data covers (the dashboard range in Grafana); else taken from the report. */
  range?: TimeSpan;
  onSelectWindow?: (window: TimeSpan) => void;
  /** The candidate onsets of a detected window, marked on the timeline; a click analyses from one. */
  onsets?: OnsetChoice;
}

function extent(view: ReportModel, range?: TimeSpan, onsets?: OnsetChoice): TimeSpan | undefined {
  if (range && range.endMs > range.startMs) {
    return range;
  }
  const spans = [view.window, view.baseline, ...view.patterns.map((p) => p.bucketSpan), ...(onsets?.onsets.map((o) => o.window) ?? [])].filter(
    (s): s is TimeSpan => !!s
  );
  if (spans.length === 0) {
    return undefined;
  }
  return { startMs: Math.min(...spans.map((s) => s.startMs)), endMs: Math.max(...spans.map((s) => s.endMs)) };
}

/**
 * Log volume over time with the window and baseline marked; drag across it to choose the incident window. When
 * the core detected the window, every candidate onset it considered is a marker: a click (or Enter) analyses from it.
 */
export function Timeline({ view, range, onSelectWindow, onsets }: Props) {
  const theme = useViewTheme();
  const ref = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | undefined>(undefined);
  const ext = extent(view, range, onsets);
  if (!ext) {
    return null;
  }
  const total = ext.endMs - ext.startMs;
  const pct = (ms: number) => `${Math.max(0, Math.min(100, ((ms - ext.startMs) / total) * 100))}%`;
  const width = (s: TimeSpan) => `${Math.max(0.3, Math.min(100, ((Math.min(s.endMs, ext.endMs) - Math.max(s.startMs, ext.startMs)) / total) * 100))}%`;
  const fraction = (e: PointerEvent<HTMLDivElement>) => {
    const rect = ref.current!.getBoundingClientRect();
    return Math.max(0, Math.min(1, (e.clientX - rect.left) / rect.width));
  };
  const toMs = (f: number) => Math.round(ext.startMs + f * total);

  // Histogram of log lines: the patterns' buckets summed where they share one time axis.
  const withAxis = view.patterns.filter((p) => p.bucketSpan && p.buckets.length > 0);
  const axis = withAxis[0]?.bucketSpan;
  const n = withAxis[0]?.buckets.length ?? 0;
  const sums = new Array<number>(n).fill(0);
  for (const p of withAxis) {
    if (p.bucketSpan?.startMs === axis?.startMs && p.bucketSpan?.endMs === axis?.endMs && p.buckets.length === n) {
      p.buckets.forEach((c, i) => (sums[i] += c));
    }
  }
  const peak = Math.max(1, ...sums);

  return (
    <div style={{ marginBottom: 6 }}>
      {/* The markers sit in a strip of their own above the timeline: the timeline stays draggable everywhere. */}
      {onsets && (
        <div data-testid="onset-strip" style={{ position: 'relative', height: 10 }}>
          <OnsetMarkers choice={onsets} left={pct} theme={theme} />
        </div>
      )}
      <div
        ref={ref}
        data-testid="timeline"
        title="Drag to choose the incident window"
        onPointerDown={(e) => {
          ref.current?.setPointerCapture?.(e.pointerId);
          const f = fraction(e);
          setDrag({ from: f, to: f });
        }}
        onPointerMove={(e) => drag && setDrag({ ...drag, to: fraction(e) })}
        onPointerUp={(e) => {
          if (drag) {
            const to = fraction(e);
            const [a, b] = [Math.min(drag.from, to), Math.max(drag.from, to)];
            setDrag(undefined);
            if (b - a > 0.005 && onSelectWindow) {
              onSelectWindow({ startMs: toMs(a), endMs: toMs(b) });
            }
          }
        }}
        style={{ position: 'relative', height: 28, background: theme.surface, borderRadius: 3, cursor: onSelectWindow ? 'crosshair' : 'default', userSelect: 'none', touchAction: 'none' }}
      >
        {axis &&
          sums.map((c, i) => (
            <div
              key={i}
              style={{
                position: 'absolute',
                bottom: 0,
                left: pct(axis.startMs + ((axis.endMs - axis.startMs) * i) / n),
                width: `${(((axis.endMs - axis.startMs) / n) / total) * 100}%`,
                height: `${(c / peak) * 100}%`,
                background: theme.textWeak,
                opacity: 0.35,
              }}
            />
          ))}
        {view.baseline && (
          <div data-testid="timeline-baseline" style={{ position: 'absolute', top: 0, bottom: 0, left: pct(view.baseline.startMs), width: width(view.baseline), background: theme.success, opacity: 0.2 }} />
        )}
        {view.window && (
          <div data-testid="timeline-window" style={{ position: 'absolute', top: 0, bottom: 0, left: pct(view.window.startMs), width: width(view.window), background: theme.error, opacity: 0.25 }} />
        )}
        {onsets && <OnsetLines choice={onsets} left={pct} theme={theme} />}
        {drag && (
          <div style={{ position: 'absolute', top: 0, bottom: 0, left: `${Math.min(drag.from, drag.to) * 100}%`, width: `${Math.abs(drag.to - drag.from) * 100}%`, background: theme.primary, opacity: 0.3 }} />
        )}
      </div>
      <div style={{ display: 'flex', justifyContent: 'space-between', fontSize: 11, color: theme.textWeak }}>
        <span>{fmt(ext.startMs)}</span>
        <span data-testid="window-label">
          {view.window ? `window ${fmt(view.window.startMs)} – ${fmt(view.window.endMs)} (${view.windowSource})` : 'no window'}
          {view.baseline && ` · baseline ${fmt(view.baseline.startMs)} – ${fmt(view.baseline.endMs)}`}
        </span>
        <span>{fmt(ext.endMs)}</span>
      </div>
      {onsets && <OnsetNote choice={onsets} theme={theme} />}
    </div>
  );
}

interface OnsetProps {
  choice: OnsetChoice;
  theme: ViewTheme;
}

type Placed = OnsetProps & { left: (ms: number) => string };

/** The onset the report follows: the picked one, else the detected one. */
const followed = (choice: OnsetChoice) => choice.picked ?? choice.onsets.findIndex((o) => o.chosen);
const colour = (theme: ViewTheme, chosen: boolean) => (chosen ? theme.error : theme.primary);

/**
 * One button per candidate onset, a flag at its start: the detected one in the window's colour, the one the
 * report follows larger. Its name and tooltip say when and which signals, as text (signal names hold log
 * templates: attacker-controlled). No hooks: a plain function of its props.
 */
export function OnsetMarkers({ choice, theme, left }: Placed) {
  const shown = followed(choice);
  return (
    <>
      {choice.onsets.map((o, i) => (
        <button
          key={`${o.window.startMs}-${i}`}
          type="button"
          data-testid="onset-marker"
          data-chosen={o.chosen}
          aria-label={o.label}
          aria-pressed={i === shown}
          title={o.label}
          onClick={() => choice.pick(i)}
          style={{ position: 'absolute', top: 0, bottom: 0, left: left(o.window.startMs), width: 14, marginLeft: -7, padding: 0, border: 'none', background: 'transparent', cursor: 'pointer' }}
        >
          {/* A triangle pointing down at the onset. */}
          <span
            style={{
              display: 'block',
              margin: '0 auto',
              width: 0,
              borderLeft: `${i === shown ? 6 : 4}px solid transparent`,
              borderRight: `${i === shown ? 6 : 4}px solid transparent`,
              borderTop: `${i === shown ? 10 : 7}px solid ${colour(theme, o.chosen)}`,
            }}
          />
        </button>
      ))}
    </>
  );
}

/** Each onset's line across the timeline under its marker: solid for the detected one, dashed for the others. */
function OnsetLines({ choice, theme, left }: Placed) {
  const shown = followed(choice);
  return (
    <>
      {choice.onsets.map((o, i) => (
        <div
          key={`${o.window.startMs}-${i}`}
          style={{
            position: 'absolute',
            top: 0,
            bottom: 0,
            left: left(o.window.startMs),
            marginLeft: -1,
            borderLeft: `${i === shown ? 2 : 1}px ${o.chosen ? 'solid' : 'dashed'} ${colour(theme, o.chosen)}`,
            pointerEvents: 'none',
          }}
        />
      ))}
    </>
  );
}

/** What the markers are, and the way back to the detected window once another onset is followed. */
function OnsetNote({ choice, theme }: OnsetProps) {
  const picked = choice.picked !== undefined ? choice.onsets[choice.picked] : undefined;
  return (
    <div data-testid="onsets" style={{ display: 'flex', gap: 8, alignItems: 'baseline', fontSize: 11, color: theme.textWeak }}>
      {picked ? (
        <>
          <span data-testid="onset-followed">Analysed from the candidate onset at {fmt(picked.window.startMs)}, not the detected one.</span>
          <button type="button" data-testid="onset-reset" onClick={choice.reset} style={{ fontSize: 11 }}>
            Back to the detected window
          </button>
        </>
      ) : (
        <span>
          {choice.onsets.length === 1
            ? 'The marker is the onset the window was detected from.'
            : `${choice.onsets.length} candidate onsets marked above the timeline; the analysis starts at the detected one (larger). Click another to analyse from there.`}
        </span>
      )}
    </div>
  );
}
