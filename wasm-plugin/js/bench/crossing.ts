// The JS->wasm crossing benchmark: the cost per row of getting a Grafana DataFrame into a rootspan session,
// packed (typed arrays + one UTF-8 buffer per text column, one call per frame) against the naive path a
// developer would write first (dataFrameToJSON + JSON.stringify + addJson), measured in the same run.
//
// Both paths end with the frame's rows in the session: packed frames are decoded when the source is closed,
// so each timed step adds the same empty closing input on both sides. Writes bench-results/crossing.md at the
// repository root. Usage: npm run bench:crossing -w rootspan [-- --rows 100000 --runs 7]
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, cpus, platform } from 'node:os';
import { parseArgs } from 'node:util';
import { init, packFrame, Session } from 'rootspan';
import type { DataFrameLike } from 'rootspan';
import { lokiFrame, tempoFrame, traceSet } from '../test/fixtures.js';
import type { FrameSpec } from '../test/fixtures.js';

const grafana = createRequire(import.meta.url)('@grafana/data') as typeof import('@grafana/data');
const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, runs: { type: 'string', default: '7' } } });
const ROWS = Number(args.rows);
const RUNS = Number(args.runs);
const EMPTY = new Uint8Array(0);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * CPU time of this process (all its threads, GC included) in ms. The machine is shared by parallel jobs, so wall
 * time mostly measures the neighbours; CPU time measures the work.
 */
async function time(f: () => void | Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  await f();
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
}

/** Closes the pending source so its frames are decoded into rows, then ends the session. */
async function finish(s: Session): Promise<void> {
  await s.addBytes(EMPTY, 'close');
  s.close();
}

interface Row {
  frame: string;
  rows: number;
  packMs: number;
  oursMs: number;
  jsonJsMs: number;
  naiveMs: number;
  textMB: number;
  packedMB: number;
}

async function measure(label: string, frame: DataFrameLike): Promise<Row> {
  const rows = frame.length ?? 0;
  // What both paths produce must be the same data, or the comparison means nothing.
  const a = await Session.create();
  await a.addFrames([frame], 'bench');
  const b = await Session.create();
  await b.addJson(JSON.stringify(grafana.dataFrameToJSON(frame as import('@grafana/data').DataFrame)), 'bench');
  const ra = await a.analyze();
  const rb = await b.analyze();
  if (JSON.stringify(ra.inputs.totals) !== JSON.stringify(rb.inputs.totals)) {
    throw new Error(`${label}: packed and JSON paths read different data: ${JSON.stringify(ra.inputs.totals)} vs ${JSON.stringify(rb.inputs.totals)}`);
  }
  a.close();
  b.close();

  const packed = packFrame(frame).packed!;
  const packedMB = (packed.f64.byteLength + packed.u8.byteLength + packed.u32.byteLength + packed.header.length) / 1e6;
  const text = JSON.stringify(grafana.dataFrameToJSON(frame as import('@grafana/data').DataFrame));
  const textMB = text.length / 1e6;

  const pack: number[] = [];
  const ours: number[] = [];
  const jsonJs: number[] = [];
  const naive: number[] = [];
  for (let run = -2; run < RUNS; run++) {
    // Alternate the two paths so both see the same machine noise; the first two rounds warm up the JIT.
    // Sessions (a worker each) are started outside the timed parts.
    const p = await time(() => void packFrame(frame));
    const forFrames = await Session.create();
    const o = await time(async () => {
      await forFrames.addFrames([frame], 'bench');
      await finish(forFrames);
    });
    const j = await time(() => void JSON.stringify(grafana.dataFrameToJSON(frame as import('@grafana/data').DataFrame)));
    const forJson = await Session.create();
    const n = await time(async () => {
      await forJson.addJson(JSON.stringify(grafana.dataFrameToJSON(frame as import('@grafana/data').DataFrame)), 'bench');
      await finish(forJson);
    });
    if (run >= 0) {
      pack.push(p);
      ours.push(o);
      jsonJs.push(j);
      naive.push(n);
    }
  }
  return { frame: label, rows, packMs: median(pack), oursMs: median(ours), jsonJsMs: median(jsonJs), naiveMs: median(naive), textMB, packedMB };
}

await init();
const set = traceSet(ROWS / 5, 5);
const failing = (t: number): boolean => t % 10 === 0;
const frames: [string, FrameSpec][] = [
  ['Loki log frame (labels, Time+nanos, Line, tsNs, labelTypes, id)', lokiFrame(ROWS, set, failing)],
  ['Tempo trace frame (17 fields)', tempoFrame(set, failing)],
];
const results: Row[] = [];
for (const [label, spec] of frames) results.push(await measure(label, grafana.createDataFrame(spec as unknown as Parameters<typeof grafana.createDataFrame>[0])));

const ns = (ms: number, rows: number): string => ((ms * 1e6) / rows).toFixed(0);
const lines = [
  '# JS -> wasm crossing: packed frames vs JSON',
  '',
  `Measured by \`npm run bench:crossing -w rootspan\` (wasm-plugin/js/bench/crossing.ts), Node ${process.version}, ${platform()}/${arch()}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, shared), median CPU time (user + system, all threads of the process, GC included; the machine is shared, so wall time would measure the neighbours) of ${RUNS} runs after 2 warm-up runs, ${new Date().toISOString().slice(0, 10)}.`,
  '',
  'Each frame is made by @grafana/data `createDataFrame`. Both paths start from the same JS frame and end with it read into a rootspan session (the',
  'reports of the two paths have the same input totals, checked before timing):',
  '- **packed** (ours): `Session.addFrames([frame])`: columns into typed arrays and one UTF-8 buffer per text column, one wasm call per frame.',
  '- **JSON** (the naive baseline): `session.addJson(JSON.stringify(dataFrameToJSON(frame)))`. A serde-wasm-bindgen style per-value conversion',
  '  of the JS object would need a second Rust entry point; it is not measured here, the JSON path stands in for it.',
  '',
  '| frame | rows | pack (JS only) | packed total | JSON: stringify (JS only) | JSON total | JSON / packed | JSON text | packed buffers |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.frame} | ${r.rows} | ${r.packMs.toFixed(1)} ms (${ns(r.packMs, r.rows)} ns/row) | ${r.oursMs.toFixed(1)} ms (${ns(r.oursMs, r.rows)} ns/row) | ${r.jsonJsMs.toFixed(1)} ms (${ns(r.jsonJsMs, r.rows)} ns/row) | ${r.naiveMs.toFixed(1)} ms (${ns(r.naiveMs, r.rows)} ns/row) | **${(r.naiveMs / r.oursMs).toFixed(2)}x** | ${r.textMB.toFixed(1)} MB | ${r.packedMB.toFixed(1)} MB |`,
  ),
  '',
];
const out = new URL('../../../bench-results/', import.meta.url);
await mkdir(out, { recursive: true });
await writeFile(new URL('crossing.md', out), lines.join('\n'));
process.stdout.write(lines.join('\n'));
