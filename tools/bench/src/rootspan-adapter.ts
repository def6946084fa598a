// The one place the benchmark touches rootspan's public API: the async, worker-backed `Session`, as a panel uses it.
import { init, packFrame, Session } from 'rootspan';
import type { DataFrameLike, MemoryUse, Options, Report } from 'rootspan';
import type { Workload } from './workload.js';

export interface RootspanResult {
  readonly candidates: number;
  readonly top: readonly string[];
  readonly reportBytes: number;
  /** The session's worker at the end: its wasm memory (never shrinks: the session's most) and its inputs' bytes. */
  readonly memory: MemoryUse;
}

/** ms spent in each phase of one analysis. */
export interface RootspanPhases {
  readonly init: number;
  /** packFrame alone (JS: reading the fields into typed arrays and UTF-8 buffers). */
  readonly pack: number;
  /**
   * addFrames minus pack: in the worker, the packed buffers copied into wasm memory and each frame decoded into
   * rows (spans, logs, series) as it arrives; closing the source (the exemplar frames) included.
   */
  readonly cross: number;
  /** analyzeJson: join, windows, patterns, ranking, report JSON. */
  readonly analyse: number;
}

function options(w: Workload): Options {
  return { window: { start: w.window.start, end: w.window.end }, baseline: { start: w.baseline.start, end: w.baseline.end } };
}

const frames = (w: Workload): DataFrameLike[] => [w.traces, w.logs, ...w.metrics] as DataFrameLike[];

function summary(json: string, memory: MemoryUse): RootspanResult {
  const report = JSON.parse(json) as Report;
  return {
    candidates: report.candidates.length,
    top: report.candidates.slice(0, 3).map((c) => [c.service, c.instance, c.operation].filter((x) => x != null).join(' ')),
    reportBytes: json.length,
    memory,
  };
}

/** Loads the module (once per page); the bench serves the package's .wasm at `wasmUrl`. */
export async function load(wasmUrl: string): Promise<void> {
  await init(wasmUrl);
}

/** The whole analysis as a panel runs it: new session, add the frames, analyse. */
export async function analyse(w: Workload): Promise<RootspanResult> {
  const session = await Session.create();
  try {
    await session.addFrames(frames(w), 'bench');
    const json = await session.analyzeJson(options(w));
    return summary(json, await session.memory());
  } finally {
    session.close();
  }
}

/** The same analysis with a timestamp around each phase (packs twice: once alone, to time it). */
export async function profile(w: Workload, initMs: number): Promise<{ result: RootspanResult; phases: RootspanPhases }> {
  const all = frames(w);
  const t0 = performance.now();
  all.forEach((f, i) => packFrame(f, i));
  const t1 = performance.now();
  const session = await Session.create();
  try {
    await session.addFrames(all, 'bench');
    // An empty input closes the frames' source (its exemplar frames are decoded then).
    await session.addBytes(new Uint8Array(0), 'close');
    const t2 = performance.now();
    const json = await session.analyzeJson(options(w));
    const t3 = performance.now();
    return { result: summary(json, await session.memory()), phases: { init: initMs, pack: t1 - t0, cross: t2 - t1 - (t1 - t0), analyse: t3 - t2 } };
  } finally {
    session.close();
  }
}
