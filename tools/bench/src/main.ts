// The benchmark, one command: `npm run bench -w rootspan-bench` (sizes 0.1, 1, 3; median of 3 fresh pages each;
// the native CLI and drain3 on the same data; a CPU-profiled rootspan run at 1x) writes bench-results/browser.md.
// `--smoke`: the smallest size, one run of each browser peer, checks that every peer produced a result of the
// right shape (the three joins agree on the joined row count, Arquero and DuckDB on the template groups,
// rootspan's report has candidates; and rootspan runs when its script is served from another origin than the
// page, as a plugin from a CDN), no timing asserts, no file written.
// Options: --sizes 0.1,1,3  --runs 3  --no-native (skip the CLI and drain3)  --peers rootspan,grafana (default: all)
//          --profile SCALE: only rootspan's phases and CPU profile at SCALE, printed (nothing written)
//          --longtasks SCALE: only rootspan at SCALE, traced: each main-thread task over 50 ms and what filled it, printed
//          --packed SCALE: only write the frames at SCALE packed, for the native replay of the browser's path (native.ts)
//          --node SCALE: only rootspan at SCALE in Node (the package's worker_threads session), phases printed
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundlePage, crossOriginIndex, measure, namedWasm, ROOT, serve } from './browser.js';
import type { Measurement } from './browser.js';
import { deliveredWorkload } from './delivered.js';
import type { FrameCodec } from './delivered.js';
import * as adapter from './rootspan-adapter.js';
import { buildMeasured, drain3, rootspanCli, writeFiles, writePacked } from './native.js';
import type { Peer } from './page.js';
import { render } from './report.js';
import type { NativeRow, Results } from './report.js';
import { workload } from './workload.js';

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '0.1,1,3' },
    runs: { type: 'string', default: '3' },
    'no-native': { type: 'boolean', default: false },
    peers: { type: 'string' },
    profile: { type: 'string' },
    longtasks: { type: 'string' },
    packed: { type: 'string' },
    node: { type: 'string' },
  },
});
const SIZES = args.smoke ? [0.1] : args.sizes.split(',').map(Number);
const RUNS = args.smoke ? 1 : Number(args.runs);
const ALL_PEERS: readonly Peer[] = ['rootspan', 'grafana', 'duckdb', 'arquero'];
export const PEERS: readonly Peer[] = args.smoke || args.peers === undefined ? ALL_PEERS : ALL_PEERS.filter((p) => args.peers!.split(',').includes(p));

const log = (text: string): void => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}`);

function median(ms: readonly Measurement[]): Measurement {
  return [...ms].sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(ms.length / 2)]!;
}

/** The smoke checks: every peer answered, and answered the same where they compute the same thing. */
function check(byPeer: Map<Peer, Measurement>): void {
  const rows = (p: Peer): number | undefined => byPeer.get(p)?.join?.joinedRows;
  const [g, a, d] = [rows('grafana'), rows('arquero'), rows('duckdb')];
  if (g === undefined || g === 0 || g !== a || g !== d) throw new Error(`the joins disagree on joined rows: grafana ${g}, arquero ${a}, duckdb ${d}`);
  const [ga, gd] = [byPeer.get('arquero')?.join?.groups, byPeer.get('duckdb')?.join?.groups];
  if (ga === undefined || ga === null || ga < 2 || ga !== gd) throw new Error(`arquero and duckdb disagree on template groups: ${ga} vs ${gd}`);
  const r = byPeer.get('rootspan')?.rootspan;
  if (r === undefined || r.candidates === 0) throw new Error('rootspan produced no candidates');
  log(`smoke ok: ${g} joined rows in all three joins, ${ga} template groups, rootspan ${r.candidates} candidates (top: ${r.top.join(' | ')})`);
}

/** The smoke check that rootspan runs when its script comes from another origin than the page (a plugin from a CDN). */
async function crossOrigin(page: string, cdn: string): Promise<void> {
  const site = await serve(page, crossOriginIndex(cdn));
  try {
    const m = await measure(site.url, 'rootspan', 0.01);
    if (m.rootspan === undefined || m.rootspan.candidates === 0) throw new Error('rootspan from another origin produced no candidates');
    log(`smoke ok: rootspan's worker started with its script on another origin (${m.rootspan.candidates} candidates)`);
  } finally {
    await site.close();
  }
}

async function profileOnly(scale: number): Promise<void> {
  const server = await serve(await bundlePage());
  try {
    const m = await measure(server.url, 'rootspan-profile', scale, { profile: { named: namedWasm() !== undefined } });
    console.log(JSON.stringify({ cpuMs: m.cpuMs, wallMs: m.wallMs, peakRssMB: m.peakRssMB, phases: m.phases, profiledPhases: m.profiledPhases, rootspan: m.rootspan }, null, 1));
    for (const h of m.hotFunctions ?? []) console.log(`${h.ms.toFixed(0).padStart(7)} ms  ${h.name}  <- ${h.via}`);
  } finally {
    await server.close();
  }
}

async function longTasksOnly(scale: number): Promise<void> {
  const server = await serve(await bundlePage());
  try {
    const m = await measure(server.url, 'rootspan', scale, { trace: true });
    log(`rootspan ${scale}x: cpu ${m.cpuMs.toFixed(0)} ms, wall ${m.wallMs.toFixed(0)} ms, long tasks (observer) ${m.longTasks.count} / ${m.longTasks.totalMs.toFixed(0)} / ${m.longTasks.maxMs.toFixed(0)} ms`);
    for (const t of m.traced ?? []) {
      console.log(`task at ${t.at.toFixed(0)} ms: ${t.ms.toFixed(1)} ms`);
      for (const e of t.events) console.log(`  event ${e.ms.toFixed(1).padStart(7)} ms  ${e.name}`);
      for (const f of t.functions) console.log(`  js    ${f.ms.toFixed(1).padStart(7)} ms  ${f.name}`);
    }
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  // The smoke run is part of `npm test`, which has built them already.
  if (!args.smoke) buildMeasured(!args['no-native']);
  const page = await bundlePage();
  const server = await serve(page);
  const results: Results = { sizes: SIZES, runs: RUNS, browser: [], native: [], profile: undefined };
  try {
    for (const scale of SIZES) {
      const byPeer = new Map<Peer, Measurement>();
      for (const peer of PEERS) {
        const runs: Measurement[] = [];
        let failure: string | undefined;
        for (let i = 0; i < RUNS && failure === undefined; i++) {
          try {
            const m = await measure(server.url, peer, scale);
            runs.push(m);
            log(`${peer} ${scale}x run ${i + 1}: wall ${m.wallMs.toFixed(0)} ms, cpu ${m.cpuMs.toFixed(0)} ms, peak ${m.peakRssMB.toFixed(0)} MB`);
          } catch (e) {
            if (args.smoke) throw e;
            failure = e instanceof Error ? e.message : String(e);
            log(`${peer} ${scale}x failed: ${failure}`);
          }
        }
        if (runs.length > 0) byPeer.set(peer, median(runs));
        results.browser.push({ peer, scale, median: runs.length > 0 ? median(runs) : undefined, runs: runs.length, failure });
      }
      if (args.smoke) {
        check(byPeer);
        await crossOrigin(page, server.url);
        continue;
      }
      if (!args['no-native']) results.native.push(nativeRow(scale));
      if (scale === 1) {
        log('rootspan 1x, phases and CPU profile');
        results.profile = await measure(server.url, 'rootspan-profile', 1, { profile: { named: namedWasm() !== undefined } });
      }
      // Written after each size, so a run stopped early leaves what it measured.
      write(results);
    }
  } finally {
    await server.close();
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function write(results: Results): void {
  const out = path.join(ROOT, 'bench-results/browser.md');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, render(results));
  log(`wrote ${path.relative(ROOT, out)}`);
}

let startup: NativeRow['startup'] | undefined;

/** The out-of-browser peers at one size, one run each (they are processes of their own, far less noisy). */
function nativeRow(scale: number): NativeRow {
  const w = workload(scale);
  const files = writeFiles(w);
  log(`native ${scale}x: ${(files.frameBytes / 2 ** 20).toFixed(0)} MB of frames JSON`);
  const attempt = <T>(what: string, f: () => T): T | string => {
    try {
      const r = f();
      log(`${what} ${scale}x done`);
      return r;
    } catch (e) {
      log(`${what} ${scale}x failed: ${e instanceof Error ? e.message : String(e)}`);
      return e instanceof Error ? e.message.slice(0, 300) : String(e);
    }
  };
  return {
    scale,
    frameBytes: files.frameBytes,
    native: attempt('rootspan --native', () => rootspanCli(w, files, true)),
    wasmtime: attempt('rootspan (wasmtime)', () => rootspanCli(w, files, false)),
    drain3: attempt('drain3', () => drain3(files)),
    startup: startup ??= attempt('rootspan (wasmtime) startup', () => {
      const tiny = workload(0.001);
      return rootspanCli(tiny, writeFiles(tiny), false);
    }),
  };
}

function packedOnly(scale: number): void {
  const dir = writePacked(workload(scale));
  log(`wrote ${path.relative(ROOT, dir)}: cargo run --release -p rootspan-wasm --example replay -- ${path.relative(ROOT, dir)}`);
}

/**
 * The package in Node, on the frames as delivered: the same adapter as the page (one process, the session in a
 * worker thread). Node is not the target browser, but it is one of the package's homes, and its
 * `memory.grow` costs differ from Chromium's (wasm-plugin/src/growth.rs).
 */
async function nodeOnly(scale: number): Promise<void> {
  buildMeasured(false);
  const codec = createRequire(import.meta.url)('@grafana/data') as FrameCodec;
  const w = deliveredWorkload(workload(scale), codec);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await adapter.load(path.join(ROOT, 'wasm-plugin/js/pkg/rootspan_wasm_bg.wasm'));
  const { result, phases } = await adapter.profile(w, performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  const fmt = (ms: number): string => ms.toFixed(0);
  log(`rootspan in Node ${process.version} ${scale}x: cpu ${fmt((cpu.user + cpu.system) / 1000)} ms (all threads), wall ${fmt(performance.now() - t0)} ms, peak RSS ${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
  log(`phases (ms): init ${fmt(phases.init)}, pack ${fmt(phases.pack)}, cross ${fmt(phases.cross)}, analyse ${fmt(phases.analyse)}; wasm memory ${fmt(result.memory.wasmBytes / 2 ** 20)} MiB; ${result.candidates} candidates (top: ${result.top.join(' | ')})`);
}

if (args.packed !== undefined) packedOnly(Number(args.packed));
else if (args.node !== undefined) await nodeOnly(Number(args.node));
else await (args.longtasks !== undefined ? longTasksOnly(Number(args.longtasks)) : args.profile !== undefined ? profileOnly(Number(args.profile)) : main());
