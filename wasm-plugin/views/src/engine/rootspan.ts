// The one place the panel and the web demo load the rootspan package: lazily (its .wasm is fetched on
// first use, never bundled into module.js), once, and with a plain message where WebAssembly is missing.
import { useEffect, useMemo, useState } from 'react';
import type * as RootspanModule from 'rootspan';
import type { Options, Report, TraceDetail } from 'rootspan';

export type Rootspan = typeof RootspanModule;
export type Session = InstanceType<Rootspan['Session']>;

export type Engine =
  | { status: 'loading' }
  | { status: 'ready'; rootspan: Rootspan }
  | { status: 'unavailable'; message: string }
  | { status: 'error'; message: string };

export const NO_WASM_MESSAGE =
  'This browser cannot run WebAssembly (or a content security policy forbids it), so rootspan cannot analyse here. ' +
  "Allow 'wasm-unsafe-eval' in the page's script-src, or use a browser with WebAssembly.";

let loading: Promise<Rootspan> | undefined;

export const wasmSupported = () => typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';

export function loadRootspan(): Promise<Rootspan> {
  loading ??= import(/* webpackChunkName: "rootspan" */ 'rootspan').then(async (m) => {
    await m.init();
    return m;
  });
  loading.catch(() => (loading = undefined)); // let a re-render retry
  return loading;
}

export const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Loads the package on first render; re-renders when it is ready or failed. */
export function useRootspan(): Engine {
  const [engine, setEngine] = useState<Engine>(() =>
    wasmSupported() ? { status: 'loading' } : { status: 'unavailable', message: NO_WASM_MESSAGE }
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

/**
 * One session per input: decoding happens once, when `fill` runs; changing options later re-analyses the
 * decoded data (`session.analyze`) without sending anything again. The session is freed when the input changes.
 * `fill` returns the problems it met with inputs it could partly use (shown as notices); a throw is fatal.
 */
export function useSession(
  rootspan: Rootspan | undefined,
  fill: ((session: Session, rootspan: Rootspan) => string[]) | undefined
): { session?: Session; problems: string[]; error?: string } {
  const made = useMemo(() => {
    if (!rootspan || !fill) {
      return { problems: [] };
    }
    const session = new rootspan.Session();
    try {
      return { session, problems: fill(session, rootspan) };
    } catch (e) {
      session.free();
      return { problems: [], error: errorMessage(e) };
    }
  }, [rootspan, fill]);
  useEffect(() => () => made.session?.free(), [made]);
  return made;
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

/** The report for these options, or the error the core gave (bad options, no data). */
export function useReport(session: Session | undefined, options: Options): { report?: Report; error?: string } {
  const key = JSON.stringify(options);
  return useMemo(() => {
    if (!session) {
      return {};
    }
    try {
      return { report: session.analyze(JSON.parse(key) as Options) };
    } catch (e) {
      return { error: errorMessage(e) };
    }
  }, [session, key]);
}

/** One trace's spans with their logs and exemplars, for the trace view, joined as `options` say. */
export function traceDetail(session: Session | undefined, options: Options, traceId: string): TraceDetail | undefined {
  return session?.trace(traceId, options);
}
