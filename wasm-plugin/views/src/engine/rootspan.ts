// The one place the panel and the web demo run the rootspan package: loaded lazily (its worker and .wasm are
// fetched on first use, never bundled into the page's script), with a plain message where WebAssembly is
// missing. Sessions live in effects: made when the input changes, closed (their worker ended) on cleanup, so a
// StrictMode double mount leaves no worker behind; an analysis still running when the input or the options
// change is cancelled.
import { useEffect, useMemo, useState } from 'react';
import type * as RootspanModule from 'rootspan';
import type { CallOptions, Options, Progress, Report, TraceDetail } from 'rootspan';

import { onsetViews, type OnsetView } from '../model';
import { withOnset } from './options';

export type Rootspan = typeof RootspanModule;
export type Session = RootspanModule.Session;

export type Engine =
  | { status: 'loading' }
  | { status: 'ready'; rootspan: Rootspan }
  | { status: 'unavailable'; message: string }
  | { status: 'error'; message: string };

export const NO_WASM_MESSAGE =
  'This browser cannot run WebAssembly (or a content security policy forbids it), so rootspan cannot analyse here. ' +
  "Allow 'wasm-unsafe-eval' in the page's script-src, or use a browser with WebAssembly.";

let loading: Promise<Rootspan> | undefined;
/** The package once loaded: later mounts start ready, without a loading render. */
let loaded: Rootspan | undefined;

export const wasmSupported = () => typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';

export function loadRootspan(): Promise<Rootspan> {
  loading ??= import(/* webpackChunkName: "rootspan" */ 'rootspan').then(async (m) => {
    await m.init();
    loaded = m;
    return m;
  });
  loading.catch(() => (loading = undefined)); // let a re-render retry
  return loading;
}

export const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';

/** Loads the package on first render; re-renders when it is ready or failed. */
export function useRootspan(): Engine {
  const [engine, setEngine] = useState<Engine>(() =>
    loaded ? { status: 'ready', rootspan: loaded } : wasmSupported() ? { status: 'loading' } : { status: 'unavailable', message: NO_WASM_MESSAGE }
  );
  useEffect(() => {
    if (engine.status !== 'loading') {
      return;
    }
    let live = true;
    loadRootspan().then(
      (rootspan) => live && setEngine({ status: 'ready', rootspan }),
      (e: unknown) => live && setEngine({ status: 'error', message: errorMessage(e) })
    );
    return () => {
      live = false;
    };
  }, [engine.status]);
  return engine;
}

/** Fills a new session with one input; returns the problems met with inputs it could partly use (a throw is fatal). */
export type Fill = (session: Session, rootspan: Rootspan, call: CallOptions) => Promise<string[]>;

export interface SessionState {
  session?: Session;
  problems: string[];
  error?: string;
  /** Where the adding is, while it runs. */
  progress?: Progress;
}

/**
 * One session per input: decoding happens once, when `fill` runs; changing options later re-analyses the
 * decoded data without sending anything again. The session is closed when the input changes or the component
 * unmounts; adding still under way is cancelled.
 */
export function useSession(rootspan: Rootspan | undefined, fill: Fill | undefined): SessionState {
  const [state, setState] = useState<SessionState>({ problems: [] });
  useEffect(() => {
    setState({ problems: [] });
    if (!rootspan || !fill) {
      return;
    }
    const controller = new AbortController();
    let session: Session | undefined;
    let live = true;
    void (async () => {
      session = await rootspan.Session.create();
      if (!live) {
        session.close();
        return;
      }
      const onProgress = (progress: Progress) => live && setState({ problems: [], progress });
      const problems = await fill(session, rootspan, { signal: controller.signal, onProgress });
      if (live) {
        setState({ session, problems });
      }
    })().catch((e: unknown) => live && !isAbort(e) && setState({ problems: [], error: errorMessage(e) }));
    return () => {
      live = false;
      controller.abort();
      session?.close();
    };
  }, [rootspan, fill]);
  return state;
}

/** Problems a FrameError lists (frames or values left out), one line each; other errors are rethrown. */
export function frameProblems(rootspan: Rootspan, e: unknown): string[] {
  if (e instanceof rootspan.FrameError) {
    return e.problems.map((p) =>
      [`frame ${p.frame}${p.frameName ? ` (${p.frameName})` : ''}`, p.field && `field ${p.field}`, p.row !== undefined && `row ${p.row}`, p.message]
        .filter(Boolean)
        .join(': ')
    );
  }
  throw e;
}

export interface ReportState {
  report?: Report;
  error?: string;
  /** Where the analysis is, while one runs (the last report stays shown meanwhile). */
  progress?: Progress;
}

/** The report for these options, or the error the core gave (bad options, no data); re-analyses when they change. */
export function useReport(session: Session | undefined, options: Options): ReportState {
  const key = JSON.stringify(options);
  const [state, setState] = useState<ReportState>({});
  useEffect(() => {
    if (!session) {
      setState({});
      return;
    }
    const controller = new AbortController();
    const onProgress = (progress: Progress) => !controller.signal.aborted && setState((s) => ({ ...s, progress }));
    session.analyze(JSON.parse(key) as Options, { signal: controller.signal, onProgress }).then(
      (report) => !controller.signal.aborted && setState({ report }),
      (e: unknown) => !controller.signal.aborted && setState({ error: errorMessage(e) })
    );
    return () => controller.abort();
  }, [session, key]);
  return state;
}

/** The candidate onsets of a detected window, and which one the report follows. */
export interface OnsetChoice {
  /** In time order; the detected one is `chosen`. */
  onsets: OnsetView[];
  /** The index of the onset the report follows, when the user picked one other than the detected. */
  picked?: number;
  /** Analyse from this onset (the detected one: back to the detected window). */
  pick(index: number): void;
  /** Back to the window the core detected. */
  reset(): void;
}

export interface Analysis extends ReportState {
  /** Present while the options leave the window to the core and it detected one. */
  onsets?: OnsetChoice;
}

/** The onsets the user chose among, for one session and one set of options. */
interface Held {
  session: Session;
  key: string;
  onsets: OnsetView[];
  picked?: number;
}

/**
 * `useReport`, and the candidate onsets of a detected window: picking one analyses the session again with that
 * onset's window and baseline (its inputs stay decoded; nothing is sent again), and `useReport` cancels the
 * analysis a newer pick replaces. A report for a picked window has given windows and lists no onsets, so the
 * list is held from the detected report until the session or the options change (which drops the pick too).
 */
export function useAnalysis(session: Session | undefined, options: Options): Analysis {
  const key = JSON.stringify(options);
  const [held, setHeld] = useState<Held | undefined>(undefined);
  const current = held && held.session === session && held.key === key ? held : undefined;
  const picked = current?.picked !== undefined ? current.onsets[current.picked] : undefined;
  const analysed = useMemo(() => {
    const base = JSON.parse(key) as Options;
    return picked ? withOnset(base, picked) : base;
  }, [key, picked]);
  const state = useReport(session, analysed);
  const fresh = useMemo(() => (state.report ? onsetViews(state.report) : []), [state.report]);
  const onsets = current?.onsets ?? fresh;
  if (!session || onsets.length === 0) {
    return state;
  }
  const choose = (index: number | undefined) => setHeld({ session, key, onsets, picked: index });
  return {
    ...state,
    onsets: {
      onsets,
      picked: current?.picked,
      pick: (index) => {
        const onset = onsets[index];
        if (onset) {
          choose(onset.chosen ? undefined : index);
        }
      },
      reset: () => choose(undefined),
    },
  };
}

/** One trace's spans with their logs and exemplars, for the trace view, joined as `options` say. */
export function traceDetail(session: Session | undefined, options: Options, traceId: string): Promise<TraceDetail | undefined> {
  return session ? session.trace(traceId, options) : Promise.resolve(undefined);
}

/** A progress report as words: `decoding frame 3 of 10`. */
export function progressText(p: Progress): string {
  const count = p.total > 1 ? ` ${Math.min(p.done + 1, p.total)} of ${p.total}` : '';
  switch (p.stage) {
    case 'packing':
      return `packing frame${count}`;
    case 'decoding':
      return `decoding${count ? ` frame${count}` : ''}`;
    case 'analysing':
      return 'analysing';
    case 'done':
      return 'done';
  }
}
