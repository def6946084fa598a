// What the page's main thread did in each task over 50 ms, read off a Chromium trace of the timed part: the
// trace events inside the task (GC pauses, timers, message handlers) and the JS functions sampled in it (V8's
// sampling profiler, in the trace's own clock, so samples fall into tasks exactly). `--longtasks SCALE`.

/** A main-thread task over the long-task threshold, and what filled it. */
export interface LongTask {
  /** ms after the timed part started. */
  readonly at: number;
  readonly ms: number;
  /** Trace events inside the task by name (nested ones counted in their parents too), ms, largest first. */
  readonly events: readonly { name: string; ms: number }[];
  /** Sampled JS/wasm functions by self time, with their caller, ms, largest first. */
  readonly functions: readonly { name: string; ms: number }[];
}

/** The trace categories: top-level tasks, their timeline events, GC, and V8's sampling profiler. */
export const TRACE_CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8',
  'v8.execute',
  'disabled-by-default-v8.gc',
  'disabled-by-default-v8.cpu_profiler',
  'blink.user_timing',
];

/** The page's mark where the timed part starts (page.ts): tasks that ended before it are the driver's. */
const START_MARK = 'bench:start';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  id?: string;
  args?: {
    name?: string;
    data?: {
      startTime?: number;
      cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] };
      timeDeltas?: number[];
    };
  };
}

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url?: string };
}

const LONG_US = 50_000;

/** Tasks of the renderer's main thread (CrRendererMain) over 50 ms in a trace-event JSON buffer. */
export function longTasks(trace: Buffer): LongTask[] {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const onMain = (e: TraceEvent): boolean => mains.has(`${e.pid}:${e.tid}`);
  const complete = events.filter((e) => e.ph === 'X' && e.dur !== undefined && onMain(e)).sort((a, b) => a.ts - b.ts);
  const tasks = complete.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  // Nested RunTasks (a task run inside another) are part of their parent: keep the outermost.
  const top: TraceEvent[] = [];
  for (const t of tasks) {
    const last = top[top.length - 1];
    if (last !== undefined && t.ts < last.ts + last.dur!) continue;
    top.push(t);
  }
  const samples = mainSamples(events, onMain);
  const origin = events.find((e) => e.name === START_MARK)?.ts ?? top[0]?.ts ?? 0;
  return top
    .filter((t) => t.dur! > LONG_US && t.ts + t.dur! >= origin)
    .map((t) => {
      const end = t.ts + t.dur!;
      const byName = new Map<string, number>();
      for (const e of complete) {
        if (e === t || e.ts < t.ts || e.ts >= end || e.name === t.name) continue;
        byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur! / 1000);
      }
      const byFunction = new Map<string, number>();
      for (const s of samples) {
        if (s.ts < t.ts || s.ts >= end) continue;
        byFunction.set(s.name, (byFunction.get(s.name) ?? 0) + s.ms);
      }
      const top10 = (m: Map<string, number>): { name: string; ms: number }[] =>
        [...m].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms).slice(0, 10);
      return { at: (t.ts - origin) / 1000, ms: t.dur! / 1000, events: top10(byName), functions: top10(byFunction) };
    });
}

/** The main thread's CPU samples: time (trace clock, us), the function with its caller, and the time it stands for. */
function mainSamples(events: readonly TraceEvent[], onMain: (e: TraceEvent) => boolean): { ts: number; name: string; ms: number }[] {
  const starts = new Map<string, number>();
  for (const e of events) {
    if (e.name === 'Profile' && onMain(e) && e.id !== undefined) starts.set(e.id, e.args?.data?.startTime ?? e.ts);
  }
  const out: { ts: number; name: string; ms: number }[] = [];
  const nodes = new Map<string, Map<number, ProfileNode>>();
  const clock = new Map<string, number>();
  for (const e of events) {
    if (e.name !== 'ProfileChunk' || e.id === undefined || !starts.has(e.id)) continue;
    const known = nodes.get(e.id) ?? new Map<number, ProfileNode>();
    nodes.set(e.id, known);
    for (const n of e.args?.data?.cpuProfile?.nodes ?? []) known.set(n.id, n);
    const ids = e.args?.data?.cpuProfile?.samples ?? [];
    const deltas = e.args?.data?.timeDeltas ?? [];
    let ts = clock.get(e.id) ?? starts.get(e.id)!;
    ids.forEach((id, i) => {
      const delta = deltas[i] ?? 0;
      ts += delta;
      const node = known.get(id);
      const caller = node?.parent === undefined ? undefined : known.get(node.parent);
      const name = `${label(node)} <- ${label(caller)}`;
      // A sample stands for the time until the next one; the delta before it is the closest at hand.
      out.push({ ts, name, ms: delta / 1000 });
    });
    clock.set(e.id, ts);
  }
  return out;
}

function label(node: ProfileNode | undefined): string {
  if (node === undefined) return '?';
  const file = node.callFrame.url?.split('/').pop() ?? '';
  return `${node.callFrame.functionName || '(anonymous)'}${file ? ` (${file})` : ''}`;
}
