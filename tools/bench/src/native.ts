// The peers outside the browser, on the same workload written to files: rootspan's CLI natively (`--native`)
// and on its wasm under wasmtime (the engine's own wasm/native ratio), and drain3 mining the same log lines.
// Each runs as a child process timed by /usr/bin/time (wall, user + system CPU, peak RSS).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packFrame } from 'rootspan';
import { ROOT } from './browser.js';
import type { BenchFrame, Workload } from './workload.js';

const OUT = path.join(ROOT, 'target/bench');
const CLI = path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'), 'release/rootspan');
const VENV = path.join(ROOT, 'target/bench-patterns/venv');
const TIME = '/usr/bin/time';

export interface ProcessRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMB: number;
  readonly stdout: string;
}

/** Runs a command under /usr/bin/time; throws with its stderr when it fails. */
function timedRun(cmd: string, args: string[]): ProcessRun {
  const marker = '@@time';
  const r = spawnSync(TIME, ['-f', `${marker} %e %U %S %M`, cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const line = r.stderr.split('\n').find((l) => l.startsWith(marker));
  if (r.status !== 0 || line === undefined) {
    // The command's own last words say why (e.g. a memory limit); the time line after them does not.
    const said = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(marker) && !l.startsWith('Command exited'));
    throw new Error(`${path.basename(cmd)} failed (exit ${r.status}): ${said.slice(-2).join(' ')}`);
  }
  const [wall, user, sys, rssKb] = line.slice(marker.length).trim().split(' ').map(Number) as [number, number, number, number];
  return { wallMs: wall * 1000, cpuMs: (user + sys) * 1000, peakRssMB: rssKb / 1024, stdout: r.stdout };
}

/** Writes `values` as a JSON array in slices: a 3x log column is larger than the longest string V8 can hold. */
function writeArray(fd: number, values: readonly unknown[]): void {
  fs.writeSync(fd, '[');
  const step = 50_000;
  for (let i = 0; i < values.length; i += step) {
    const part = JSON.stringify(values.slice(i, i + step));
    fs.writeSync(fd, (i > 0 ? ',' : '') + part.slice(1, -1));
  }
  fs.writeSync(fd, ']');
}

const FRAME_TYPE: Record<string, string> = { string: 'string', number: 'float64', time: 'time.Time', other: 'json.RawMessage' };

/** One frame in Grafana's wire JSON (`{schema, data}`, nanos in data), as the datasource backends send it. */
function writeFrame(fd: number, frame: BenchFrame): void {
  const fields = frame.fields.map((f) => ({
    name: f.name,
    type: f.type,
    typeInfo: { frame: f.name === 'statusCode' ? 'int64' : FRAME_TYPE[f.type] },
    ...(Object.keys(f.config).length > 0 ? { config: f.config } : {}),
    ...(f.labels ? { labels: f.labels } : {}),
  }));
  fs.writeSync(fd, JSON.stringify({ schema: { ...(frame.name ? { name: frame.name } : {}), refId: frame.refId, meta: frame.meta, fields } }).slice(0, -1));
  fs.writeSync(fd, ',"data":{"values":[');
  frame.fields.forEach((f, i) => {
    if (i > 0) fs.writeSync(fd, ',');
    writeArray(fd, f.values);
  });
  fs.writeSync(fd, ']');
  if (frame.fields.some((f) => f.nanos)) {
    fs.writeSync(fd, ',"nanos":[');
    frame.fields.forEach((f, i) => {
      if (i > 0) fs.writeSync(fd, ',');
      if (f.nanos) writeArray(fd, f.nanos);
      else fs.writeSync(fd, 'null');
    });
    fs.writeSync(fd, ']');
  }
  fs.writeSync(fd, '}}');
}

/**
 * drain3 mines the first this-many lines at every size: at ~3,000 lines per CPU second here (0.1x run), all 3M
 * lines of the 3x size would take a quarter of an hour of the shared machine. Its figure is a rate.
 */
export const DRAIN3_LINES = 100_000;

export interface Files {
  /** The frames as panel data (`{"series": [...]}`), the shape the CLI reads as Grafana frames. */
  readonly frames: string;
  readonly lines: string;
  readonly frameBytes: number;
}

/** Writes the workload's frames and its log lines under target/bench. */
export function writeFiles(w: Workload): Files {
  fs.mkdirSync(OUT, { recursive: true });
  const frames = path.join(OUT, `workload-${w.scale}x.frames.json`);
  const fd = fs.openSync(frames, 'w');
  try {
    fs.writeSync(fd, '{"series":[');
    [w.traces, w.logs, ...w.metrics].forEach((f, i) => {
      if (i > 0) fs.writeSync(fd, ',');
      writeFrame(fd, f);
    });
    fs.writeSync(fd, ']}');
  } finally {
    fs.closeSync(fd);
  }
  const lines = path.join(OUT, `workload-${w.scale}x.lines.txt`);
  const line = w.logs.fields.find((f) => f.name === 'Line')!.values as string[];
  fs.writeFileSync(lines, line.slice(0, DRAIN3_LINES).join('\n'));
  return { frames, lines, frameBytes: fs.statSync(frames).size };
}

/**
 * The workload's frames packed as the npm package packs them (`packFrame`), one `NNNNN.{json,f64,u8,u32}` set a
 * frame (header, then the three buffers' bytes), with the analysis options in `options.json`: what
 * `cargo run --release -p rootspan-wasm --example replay -- DIR` replays natively, the browser's path without JS.
 */
export function writePacked(w: Workload): string {
  const dir = path.join(OUT, `packed-${w.scale}x`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  [w.traces, w.logs, ...w.metrics].forEach((frame, i) => {
    const { packed, problems } = packFrame(frame, i);
    if (packed === null || problems.length > 0) throw new Error(`frame ${i} does not pack: ${JSON.stringify(problems).slice(0, 300)}`);
    const file = path.join(dir, String(i).padStart(5, '0'));
    fs.writeFileSync(`${file}.json`, packed.header);
    for (const kind of ['f64', 'u8', 'u32'] as const) {
      const a = packed[kind];
      fs.writeFileSync(`${file}.${kind}`, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
  });
  fs.writeFileSync(path.join(dir, 'options.json'), JSON.stringify({ window: w.window, baseline: w.baseline }));
  return dir;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Builds what the run measures from this checkout: both wasm builds (scripts/build-wasm.sh), the npm package the
 * page bundles, and the CLI when its rows run. Each is quick when current. The bench used to measure whatever was
 * built last, which after a pull is the code before it.
 */
export function buildMeasured(cli: boolean): void {
  execFileSync('bash', ['scripts/build-wasm.sh'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('npm', ['run', 'build', '-w', 'rootspan'], { cwd: ROOT, stdio: 'inherit' });
  if (cli) execFileSync('cargo', ['build', '--release', '--quiet', '-p', 'rootspan-cli'], { cwd: ROOT, stdio: 'inherit' });
}

/**
 * rootspan's CLI on the frames file: natively (`--native`) or on the wasm under wasmtime (which compiles the
 * module at every start today: the tiny workload's run measures that fixed cost).
 */
export function rootspanCli(w: Workload, files: Files, native: boolean): ProcessRun & { candidates: number } {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: buildMeasured(true) first`);
  const args = ['analyze', '--format', 'json', '--window', `${iso(w.window.start)},${iso(w.window.end)}`, '--baseline', `${iso(w.baseline.start)},${iso(w.baseline.end)}`];
  const run = timedRun(CLI, [...args, ...(native ? ['--native'] : ['--memory-mib', '4096']), files.frames]);
  const report = JSON.parse(run.stdout) as { candidates: unknown[] };
  return { ...run, candidates: report.candidates.length };
}

/** drain3 (PyPI, pinned as scripts/bench-patterns.sh pins it, in the same virtualenv) mining the log lines. */
export function drain3(files: Files): ProcessRun & { templates: number; cpuLoopMs: number; loopMs: number } {
  const python = path.join(VENV, 'bin/python');
  if (spawnSync(python, ['-c', 'import drain3']).status !== 0) {
    execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
    execFileSync(path.join(VENV, 'bin/pip'), ['install', '--quiet', 'drain3==0.9.11'], { stdio: 'inherit' });
  }
  const out = path.join(OUT, 'drain3.json');
  const run = timedRun(python, [path.join(ROOT, 'tools/bench/drain3_mine.py'), files.lines, out]);
  const r = JSON.parse(fs.readFileSync(out, 'utf8')) as { templates: number; seconds: number; cpu_seconds: number };
  return { ...run, templates: r.templates, loopMs: r.seconds * 1000, cpuLoopMs: r.cpu_seconds * 1000 };
}
