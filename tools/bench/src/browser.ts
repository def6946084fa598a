// Driving the benchmark page in Debian's Chromium (playwright-core, no browser download): the page is bundled by
// esbuild from the workspace's packages and served on 127.0.0.1 with COOP/COEP (cross-origin isolated, as
// DuckDB-wasm's threaded build and precise memory APIs want). Every measurement gets a fresh browser, so the
// renderer's peak resident memory (VmHWM) and CPU time belong to that measurement alone.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_FLAGS } from '@rootspan/views/testing';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, CDPSession } from 'playwright-core';
import { longTasks, TRACE_CATEGORIES } from './longtasks.js';
import type { LongTask } from './longtasks.js';
import type { PageRun, Peer } from './page.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
const BENCH = path.join(ROOT, 'tools/bench');
// The flags every browser test here uses (Chromium as root, headless, closed network), plus precise `performance.memory`.
const FLAGS = [...CHROMIUM_FLAGS, '--enable-precise-memory-info'];

/** A measurement as the driver sees it: the page's own figures plus the renderer's. */
export interface Measurement extends PageRun {
  readonly scale: number;
  readonly rows: { spans: number; lines: number; series: number };
  /** Renderer CPU time over the timed part (all its threads: main, workers, GC), ms. */
  readonly cpuMs: number;
  /** Renderer resident memory after the workload was generated, and its peak by the end, MB. */
  readonly inputRssMB: number;
  readonly peakRssMB: number;
  /** Self time by function over the timed part, when a CPU profile was asked for. */
  readonly hotFunctions?: HotFunction[];
  /** The same run's time by phase, read off the CPU profile's stacks. */
  readonly profiledPhases?: Record<string, number>;
  /** The main thread's tasks over 50 ms and what filled them, when a trace was asked for. */
  readonly traced?: LongTask[];
}

/** What to record beside the figures: a CPU profile of the main thread (`named`: wasm with function names), a trace. */
export interface Recording {
  readonly profile?: { named: boolean };
  readonly trace?: boolean;
}

const WASM = path.join(ROOT, 'wasm-plugin/js/pkg/rootspan_wasm_bg.wasm');
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target');
/**
 * The browser flavour as cargo built it for scripts/build-wasm.sh, before wasm-opt strips its function names.
 * ROOTSPAN_BENCH_BUILT points the profile at another build of the same crate (e.g. another opt-level).
 */
const BUILT = process.env.ROOTSPAN_BENCH_BUILT ?? path.join(TARGET, 'wasm32-unknown-unknown/wasm/rootspan_wasm.wasm');
const NAMED = path.join(ROOT, 'target/bench/named-pkg');

/**
 * The browser flavour's wasm-opt passes and features, read from scripts/build-wasm.sh (its `browser_opt` and
 * `wasm_opt_features` arrays), so the profiled module cannot drift from the shipped one.
 */
function browserWasmOptArgs(): string[] {
  const script = fs.readFileSync(path.join(ROOT, 'scripts/build-wasm.sh'), 'utf8');
  const array = (name: string): string[] => {
    const m = new RegExp(`^${name}=\\(([^)]*)\\)`, 'm').exec(script);
    if (m === null) throw new Error(`scripts/build-wasm.sh has no ${name}=(...)`);
    return m[1]!.split(/\s+/).filter((a) => a !== '');
  };
  return [...array('browser_opt'), ...array('wasm_opt_features')];
}

/**
 * The shipped module with its name section, for CPU profiles that name wasm functions: wasm-bindgen on cargo's
 * output, then wasm-opt with the browser flavour's passes as build-wasm.sh runs them, keeping the names
 * (`--debuginfo`) where build-wasm.sh strips them. Same glue and code as the package (a profile of cargo's output
 * alone measured a module V8 ran faster than the shipped one); undefined (profile the nameless module) when
 * cargo's output is not there.
 */
export function namedWasm(): string | undefined {
  if (!fs.existsSync(BUILT)) return undefined;
  execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', NAMED, BUILT], { stdio: 'inherit' });
  const out = path.join(NAMED, 'rootspan_wasm_bg.wasm');
  execFileSync(path.join(ROOT, 'node_modules/.bin/wasm-opt'), [...browserWasmOptArgs(), '--debuginfo', out, '-o', out], { stdio: 'inherit' });
  return out;
}
const DUCKDB_DIST = path.join(ROOT, 'node_modules/@duckdb/duckdb-wasm/dist');

/**
 * The page on one origin with its script (page.js, and the package's worker.js beside it) from another, as a
 * Grafana page runs a plugin served from a CDN: the browser refuses `new Worker(url)` across origins, and the
 * package must start its worker another way. Serve `cdn` first (`serve(pageDir)`), then this.
 */
export function crossOriginIndex(cdn: string): string {
  return `<!doctype html><meta charset="utf-8"><title>rootspan bench (plugin from a CDN)</title><script type="module" crossorigin src="${cdn}page.js"></script>\n`;
}

/** Bundles src/page.ts into target/bench/page (rootspan from the workspace's package source and built wasm). */
export async function bundlePage(): Promise<string> {
  for (const [file, hint] of [
    [WASM, 'run scripts/build-wasm.sh'],
    [DUCKDB_DIST, 'run npm install'],
    [CHROMIUM, 'run scripts/setup.sh (apt-get install chromium) or set ROOTSPAN_CHROMIUM'],
  ] as const) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${hint}`);
  }
  const out = path.join(ROOT, 'target/bench/page');
  fs.mkdirSync(out, { recursive: true });
  await build({
    // The package starts its sessions' worker from `new URL('./worker.js', import.meta.url)`: bundle it beside the page.
    entryPoints: { page: path.join(BENCH, 'src/page.ts'), worker: path.join(ROOT, 'wasm-plugin/js/src/worker.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: out,
    alias: { rootspan: path.join(ROOT, 'wasm-plugin/js/src/index.ts') },
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    logLevel: 'warning',
  });
  fs.writeFileSync(path.join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><title>rootspan bench</title><script type="module" src="/page.js"></script>\n');
  return out;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

/**
 * Serves the page, rootspan's .wasm and DuckDB-wasm's files, cross-origin isolated, each readable from other
 * origins (CORS), as a CDN serves a Grafana plugin. `index` replaces the page's index.html.
 */
export async function serve(pageDir: string, index?: string): Promise<{ url: string; close: () => Promise<void> }> {
  const resolve = (pathname: string): string | undefined => {
    if (pathname === '/rootspan.wasm') return WASM;
    if (pathname === '/rootspan-named.wasm') return path.join(NAMED, 'rootspan_wasm_bg.wasm');
    const [base, rest] = pathname.startsWith('/duckdb/') ? [DUCKDB_DIST, pathname.slice(8)] : [pageDir, pathname === '/' ? 'index.html' : pathname.slice(1)];
    const file = path.resolve(base, rest);
    return file.startsWith(base + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile() ? file : undefined;
  };
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (index !== undefined && (pathname === '/' || pathname === '/index.html')) {
      res.writeHead(200, { 'content-type': TYPES['.html']!, 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }).end(index);
      return;
    }
    const file = resolve(pathname);
    if (file === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'access-control-allow-origin': '*',
      'cache-control': 'no-cache',
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(() => done())) };
}

interface Renderer {
  cpuMs: number;
  rssMB: number;
  hwmMB: number;
}

/** The renderers' CPU time (CDP) and resident memory (/proc), summed over renderers (one page: one renderer). */
async function renderers(cdp: CDPSession): Promise<Renderer> {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  const out: Renderer = { cpuMs: 0, rssMB: 0, hwmMB: 0 };
  for (const p of processInfo.filter((p) => p.type === 'renderer')) {
    out.cpuMs += p.cpuTime * 1000;
    const status = fs.readFileSync(`/proc/${p.id}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    out.rssMB += kb('VmRSS') / 1024;
    out.hwmMB += kb('VmHWM') / 1024;
  }
  return out;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** A function's self time and the caller through which most of it came. */
export interface HotFunction {
  readonly name: string;
  readonly ms: number;
  readonly via: string;
}

/**
 * The profiled run's time by phase, from the CPU profile: each sample goes to the innermost phase function on its
 * stack (the profiled run packs twice, alone and inside addFrames: `pack` is halved). Unlike the in-page timestamps
 * this leaves out time the page was not sampled in, so it holds up better on a busy machine.
 */
const PHASE_OF: Record<string, string> = { packFrame: 'pack', addPackedFrame: 'cross', addBytes: 'decode', analyzeJson: 'analyse' };

function phaseTimes(profile: CpuProfile): Record<string, number> {
  const parents = new Map<number, number>();
  const fn = new Map<number, string>();
  for (const n of profile.nodes) {
    fn.set(n.id, n.callFrame.functionName);
    for (const c of n.children ?? []) parents.set(c, n.id);
  }
  const out: Record<string, number> = {};
  profile.samples.forEach((leaf, i) => {
    let phase = fn.get(leaf) === '(garbage collector)' ? 'gc' : 'other';
    for (let id: number | undefined = leaf; id !== undefined; id = parents.get(id)) {
      const p = PHASE_OF[fn.get(id) ?? ''];
      if (p !== undefined) {
        phase = p;
        break;
      }
    }
    out[phase] = (out[phase] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000 / (phase === 'pack' ? 2 : 1);
  });
  return out;
}

/** Self time per function (name + file) from a CDP CPU profile: each sample's time delta goes to its node. */
function hotFunctions(profile: CpuProfile): HotFunction[] {
  const names = new Map<number, string>();
  const parents = new Map<number, number>();
  for (const n of profile.nodes) {
    const file = n.callFrame.url.split('/').pop() ?? '';
    names.set(n.id, `${n.callFrame.functionName || '(anonymous)'}${file ? ` (${file})` : ''}`);
    for (const c of n.children ?? []) parents.set(c, n.id);
  }
  const by = new Map<string, { ms: number; via: Map<string, number> }>();
  profile.samples.forEach((id, i) => {
    const name = names.get(id) ?? '?';
    const caller = names.get(parents.get(id) ?? -1) ?? '';
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const entry = by.get(name) ?? { ms: 0, via: new Map<string, number>() };
    entry.ms += ms;
    entry.via.set(caller, (entry.via.get(caller) ?? 0) + ms);
    by.set(name, entry);
  });
  return [...by]
    .map(([name, e]) => ({ name, ms: e.ms, via: [...e.via].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '' }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 25);
}

const PROFILE_INTERVAL_US = 500;

/** One measurement in a fresh browser and page. Errors (a crashed or out-of-memory page) are thrown. */
export async function measure(url: string, peer: Peer, scale: number, recording: Recording = {}): Promise<Measurement> {
  const cpuProfile = recording.profile;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  try {
    const cdp = await browser.newBrowserCDPSession();
    const page = await browser.newPage();
    page.setDefaultTimeout(15 * 60_000);
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    page.on('crash', () => failures.push('the page crashed (out of memory?)'));
    await page.goto(url);
    await page.waitForFunction(() => '__bench' in globalThis);
    const rows = await page.evaluate(([s, p, n]) => (globalThis as never as BenchGlobal).__bench.prepare(s, p, n), [scale, peer, cpuProfile?.named ?? false] as const);
    const before = await renderers(cdp);
    const session = cpuProfile !== undefined ? await page.context().newCDPSession(page) : undefined;
    if (session !== undefined) {
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
      await session.send('Profiler.start');
    }
    if (recording.trace) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    const run = await page.evaluate((p) => (globalThis as never as BenchGlobal).__bench.run(p), peer).catch((e: unknown) => {
      throw new Error(`${peer} at ${scale}x: ${failures.join('; ') || (e instanceof Error ? e.message : String(e))}`);
    });
    const profile = session === undefined ? undefined : ((await session.send('Profiler.stop')) as { profile: CpuProfile }).profile;
    const traced = recording.trace ? longTasks(await browser.stopTracing()) : undefined;
    const after = await renderers(cdp);
    return {
      ...run,
      scale,
      rows,
      cpuMs: after.cpuMs - before.cpuMs,
      inputRssMB: before.rssMB,
      peakRssMB: after.hwmMB,
      ...(profile === undefined ? {} : { hotFunctions: hotFunctions(profile), profiledPhases: phaseTimes(profile) }),
      ...(traced === undefined ? {} : { traced }),
    };
  } finally {
    await browser.close();
  }
}

interface BenchGlobal {
  __bench: {
    prepare(scale: number, peer: Peer, named: boolean): Promise<{ spans: number; lines: number; series: number }>;
    run(peer: Peer): Promise<PageRun>;
  };
}
