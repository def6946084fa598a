import { useCallback, useMemo, useState, type DragEvent } from 'react';

import {
  ReportView,
  ThemeContext,
  defaultOptions,
  errorMessage,
  lightTheme,
  toCoreOptions,
  traceDetail,
  useAnalysis,
  useRootspan,
  useSession,
  progressText,
  type Fill,
  type RootCauseOptions,
  type TimeSpan,
} from '@rootspan/views';

import { loadSample, readFiles, type Input } from './inputs';

const isoMs = (ms: number) => new Date(ms).toISOString();

/** `initialInputs`: files to analyse from the first render on (the page's `?sample` link). */
export function App({ initialInputs }: { initialInputs?: Input[] }) {
  const engine = useRootspan();
  const rootspan = engine.status === 'ready' ? engine.rootspan : undefined;
  const [inputs, setInputs] = useState<Input[] | undefined>(initialInputs);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [options, setOptions] = useState<RootCauseOptions>(defaultOptions);

  // Files are decoded once per set; option changes re-analyse the session's decoded data.
  const fill = useCallback<Fill>(
    async (session, _rs, call) => {
      // A file the core cannot read is left out with a notice; the others are still analysed.
      const problems: string[] = [];
      for (const input of inputs ?? []) {
        try {
          await session.addBytes(input.bytes, input.name, call);
        } catch (e) {
          if (call.signal?.aborted) throw e;
          problems.push(`${input.name}: ${errorMessage(e)}`);
        }
      }
      return problems;
    },
    [inputs]
  );
  const { session, problems, error: addError, progress: adding } = useSession(rootspan, inputs ? fill : undefined);
  const coreOptions = useMemo(() => toCoreOptions(options), [options]);
  const { report, error, progress: analysing, onsets } = useAnalysis(session, coreOptions);
  const progress = adding ?? analysing;
  const loadTrace = useCallback((id: string) => traceDetail(session, coreOptions, id), [session, coreOptions]);
  const onSelectWindow = useCallback((w: TimeSpan) => setOptions((o) => ({ ...o, windowStart: isoMs(w.startMs), windowEnd: isoMs(w.endMs) })), []);

  const take = (p: Promise<Input[]>) => {
    setLoadError(undefined);
    p.then(setInputs, (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    take(readFiles(e.dataTransfer.files));
  };

  return (
    <ThemeContext.Provider value={lightTheme}>
      <main style={{ maxWidth: 1100, margin: '0 auto', padding: 16 }} onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
        <h1 style={{ fontSize: 20, margin: '0 0 4px' }}>rootspan</h1>
        <p style={{ margin: '0 0 12px', color: lightTheme.textWeak }}>
          Root-cause candidates from an incident&apos;s traces, logs and metrics, joined on trace id — computed in this page with WebAssembly. Nothing is uploaded.
          The incident window is found from the data: the markers above the timeline are the candidate onsets it considered
          (click one to analyse from there), or drag across the timeline to choose a window yourself.
        </p>
        <section data-testid="inputs" style={{ border: `2px dashed ${lightTheme.border}`, borderRadius: 6, padding: 12, marginBottom: 12 }}>
          Drop OTLP/JSON, Tempo, Jaeger, Loki, Prometheus or Grafana frame files here (gzip is fine), or{' '}
          <label style={{ color: lightTheme.primary, cursor: 'pointer', textDecoration: 'underline' }}>
            pick files
            <input type="file" multiple data-testid="file-input" style={{ display: 'none' }} onChange={(e) => e.target.files && take(readFiles(e.target.files))} />
          </label>
          , or{' '}
          <button type="button" data-testid="load-sample" onClick={() => take(loadSample())}>
            load the sample incident
          </button>
          {inputs && (
            <div data-testid="loaded-files" style={{ marginTop: 6, fontSize: 12, color: lightTheme.textWeak }}>
              {inputs.map((i) => `${i.name} (${(i.bytes.length / 1024).toFixed(0)} KiB)`).join(' · ')}
            </div>
          )}
        </section>
        <OptionsBar options={options} onChange={setOptions} />
        {engine.status === 'unavailable' || engine.status === 'error' ? (
          <Message testId="rootspan-unavailable" text={engine.message} />
        ) : loadError ? (
          <Message testId="rootspan-error" text={loadError} />
        ) : !inputs ? (
          <Message testId="rootspan-nodata" text="No incident loaded yet." />
        ) : addError || error ? (
          <Message testId="rootspan-error" text={`rootspan could not analyse these files: ${addError ?? error}`} />
        ) : !report ? (
          <Message testId="rootspan-loading" text={progress ? `rootspan: ${progressText(progress)}…` : 'Loading rootspan…'} />
        ) : (
          <ReportView report={report} problems={problems} loadTrace={loadTrace} onSelectWindow={onSelectWindow} onsets={onsets} />
        )}
      </main>
    </ThemeContext.Provider>
  );
}

function Message({ text, testId }: { text: string; testId: string }) {
  return (
    <div data-testid={testId} style={{ color: lightTheme.textWeak, padding: 8 }}>
      {text}
    </div>
  );
}

function OptionsBar({ options, onChange }: { options: RootCauseOptions; onChange: (o: RootCauseOptions) => void }) {
  const set = (patch: Partial<RootCauseOptions>) => onChange({ ...options, ...patch });
  const field = { marginRight: 12, fontSize: 12 };
  return (
    <form data-testid="options" style={{ marginBottom: 8 }} onSubmit={(e) => e.preventDefault()}>
      <label style={field}>
        Window start <input aria-label="Window start" value={options.windowStart} placeholder="from the data" onChange={(e) => set({ windowStart: e.target.value })} />
      </label>
      <label style={field}>
        end <input aria-label="Window end" value={options.windowEnd} placeholder="from the data" onChange={(e) => set({ windowEnd: e.target.value })} />
      </label>
      <label style={field}>
        Top{' '}
        <input aria-label="Top" type="number" min={1} max={100} value={options.top} style={{ width: 50 }} onChange={(e) => set({ top: Number(e.target.value) || 1 })} />
      </label>
      <label style={field}>
        <input aria-label="Redact" type="checkbox" checked={options.redact} onChange={(e) => set({ redact: e.target.checked })} /> redact log samples
      </label>
      {(options.windowStart || options.windowEnd) && (
        <button type="button" onClick={() => set({ windowStart: '', windowEnd: '' })}>
          window from the data
        </button>
      )}
    </form>
  );
}
