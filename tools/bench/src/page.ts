// The benchmark page (bundled by esbuild, loaded in a fresh Chromium page per measurement). The driver calls
// `__bench.prepare(scale)` (generate the workload, load the peer's engine: untimed), reads the renderer's CPU
// time and memory, then `__bench.run(peer)`: the timed part, with main-thread long tasks observed around it.
import { arqueroJoin, duckdbJoin, duckdbReady, grafanaJoin } from './peers.js';
import type { JoinResult } from './peers.js';
import { analyse, load, profile } from './rootspan-adapter.js';
import type { RootspanPhases, RootspanResult } from './rootspan-adapter.js';
import { dataFrameFromJSON, dataFrameToJSON } from '@grafana/data';
import { deliveredWorkload } from './delivered.js';
import { workload } from './workload.js';
import type { Workload } from './workload.js';

export type Peer = 'grafana' | 'arquero' | 'duckdb' | 'rootspan' | 'rootspan-profile';

export interface PageRun {
  readonly peer: Peer;
  readonly wallMs: number;
  readonly longTasks: { count: number; totalMs: number; maxMs: number };
  readonly join?: JoinResult;
  readonly rootspan?: RootspanResult;
  readonly phases?: RootspanPhases;
  /** The JS heap in use when the run ended (Chromium's performance.memory, precise with its flag). */
  readonly jsHeapMB: number;
}

const WASM_URL = '/rootspan.wasm';
/** The same module with function names kept, for the profiled run (served when the driver could build it). */
const NAMED_WASM_URL = '/rootspan-named.wasm';
const DUCKDB_BASE = `${location.origin}/duckdb`;
let data: Workload | undefined;
let initMs = 0;

async function prepare(scale: number, peer: Peer, named: boolean): Promise<{ spans: number; lines: number; series: number }> {
  data = deliveredWorkload(workload(scale), { dataFrameToJSON, dataFrameFromJSON });
  if (peer === 'duckdb') await duckdbReady(DUCKDB_BASE);
  if (peer.startsWith('rootspan')) {
    // Compiling the module is part of a first analysis in a fresh page: timed here, reported in the profile.
    const t = performance.now();
    await load(named ? NAMED_WASM_URL : WASM_URL);
    initMs = performance.now() - t;
  }
  return { spans: data.traces.length, lines: data.logs.length, series: data.metrics.length };
}

const nextTask = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function run(peer: Peer): Promise<PageRun> {
  const w = data;
  if (w === undefined) throw new Error('bench: prepare() first');
  const tasks: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries()));
  observer.observe({ type: 'longtask' });
  await nextTask(20);
  const t0 = performance.now();
  // Where the timed part starts in a trace of the run (longtasks.ts).
  performance.mark('bench:start');
  const out: { -readonly [K in keyof PageRun]?: PageRun[K] } = {};
  switch (peer) {
    case 'grafana':
      out.join = grafanaJoin(w);
      break;
    case 'arquero':
      out.join = arqueroJoin(w);
      break;
    case 'duckdb':
      out.join = await duckdbJoin(w, DUCKDB_BASE);
      break;
    case 'rootspan':
      out.rootspan = await analyse(w);
      break;
    case 'rootspan-profile': {
      const { result, phases } = await profile(w, initMs);
      out.rootspan = result;
      out.phases = phases;
      break;
    }
  }
  const wallMs = performance.now() - t0;
  // Long task entries arrive after the task ends: let the observer catch up.
  await nextTask(200);
  observer.disconnect();
  const started = tasks.filter((t) => t.startTime + t.duration >= t0);
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return {
    ...out,
    peer,
    wallMs,
    longTasks: {
      count: started.length,
      totalMs: started.reduce((s, t) => s + t.duration, 0),
      maxMs: started.reduce((m, t) => Math.max(m, t.duration), 0),
    },
    jsHeapMB: (memory?.usedJSHeapSize ?? 0) / 2 ** 20,
  };
}

(globalThis as { __bench?: unknown }).__bench = { prepare, run };
