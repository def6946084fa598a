// The one place the benchmark touches rootspan's public API: the async, worker-backed `Session`, as a panel uses it.
import { init, packFrame, Session } from 'rootspan';
import type { DataFrameLike, Options, Report } from 'rootspan';
import type { Workload } from './workload.js';

export interface RootspanResult {
  readonly candidates: number;
  readonly top: readonly string[];
  readonly reportBytes: number;
}

/** ms spent in each phase of one analysis. */
export interface RootspanPhases {
  readonly init: number;
  /** packFrame alone (JS: reading the fields into typed arrays and UTF-8 buffers). */
  readonly pack: number;
  /** addFrames minus pack: handing the packed buffers to wasm (copy into wasm memory + header parse). */
  readonly cross: number;
  /** Closing the source: the packed frames are decoded into rows (spans, logs, series). */
  readonly decode: number;
  /** analyzeJson: join, windows, patterns, ranking, report JSON. */
  readonly analyse: number;
}

function options(w: Workload): Options {
  return { window: { start: w.window.start, end: w.window.end }, baseline: { start: w.baseline.start, end: w.baseline.end } };
}

const frames = (w: Workload): DataFrameLike[] => [w.traces, w.logs, ...w.metrics] as DataFrameLike[];

function summary(json: string): RootspanResult {
  const report = JSON.parse(json) as Report;
  return {
    candidates: report.candidates.length,
    top: report.candidates.slice(0, 3).map((c) => [c.service, c.instance, c.operation].filter((x) => x != null).join(' ')),
    reportBytes: json.length,
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
    return summary(await session.analyzeJson(options(w)));
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
    const t2 = performance.now();
    // An empty input closes the frames' source, which decodes the packed frames into rows.
    await session.addBytes(new Uint8Array(0), 'close');
    const t3 = performance.now();
    const json = await session.analyzeJson(options(w));
    const t4 = performance.now();
    return { result: summary(json), phases: { init: initMs, pack: t1 - t0, cross: t2 - t1 - (t1 - t0), decode: t3 - t2, analyse: t4 - t3 } };
  } finally {
    session.close();
  }
}
