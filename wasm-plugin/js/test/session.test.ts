// The built package end to end in Node: init, inputs of every kind, options, errors, the analyze-files script.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as arrow from 'apache-arrow';
import { FrameError, init, packFrame, Session } from 'rootspan';
import type { Options, Progress, Report } from 'rootspan';
import { lokiFrame, tempoFrame, traceSet } from './fixtures.js';
import type { FrameSpec } from './fixtures.js';

const grafana = createRequire(import.meta.url)('@grafana/data') as typeof import('@grafana/data');
const fixtures = new URL('../../../testdata/fixtures/', import.meta.url);
const fixture = (path: string): URL => new URL(path, fixtures);
// The package's Report type is the schema's major version 1; minor versions add fields.
const REPORT_V1 = /^1\.\d+$/;

function grafanaFrame(spec: FrameSpec): import('@grafana/data').DataFrame {
  // The fixtures' `type` strings are FieldType values; TypeScript only knows them as strings.
  return grafana.createDataFrame(spec as unknown as Parameters<typeof grafana.createDataFrame>[0]);
}

async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('it did not reject');
}

describe('init', () => {
  it('is optional: Session.create loads the packaged .wasm in Node', async () => {
    using s = await Session.create();
    assert.match((await s.analyze()).version, REPORT_V1);
    await init(); // later calls reuse the compiled module
  });
});

describe('Session', () => {
  it('reads files by content (gzip too) and counts what it read per input', async () => {
    const jaeger = await readFile(fixture('jaeger-api/ui_01.json'));
    const loki = await readFile(fixture('loki-api/streams_simple.json'));
    using s = await Session.create();
    await s.addBytes(jaeger, 'jaeger.json');
    await s.addJson(loki.toString('utf8'), 'loki.json');
    const report = await s.analyze();
    assert.deepEqual(
      report.inputs.sources.map((x) => [x.input, x.format, x.spans, x.logs]),
      [
        ['jaeger.json', 'jaeger-trace', 5, 0],
        ['loki.json', 'loki-query-range', 0, 6],
      ],
    );
    assert.equal(report.inputs.totals.spans, 5);
    assert.equal(report.inputs.totals.logs, 6);

    const { gzipSync } = await import('node:zlib');
    using zipped = await Session.create();
    await zipped.addBytes(gzipSync(jaeger), 'jaeger.json');
    await zipped.addJson(loki.toString('utf8'), 'loki.json');
    assert.equal(await zipped.analyzeJson(), await s.analyzeJson(), 'gzip is read as the same input');
  });

  it('returns the report both as exact JSON text and parsed, the same every time', async () => {
    using s = await Session.create();
    await s.addBytes(await readFile(fixture('jaeger-api/ui_01.json')), 'jaeger.json');
    const text = await s.analyzeJson();
    assert.equal(await s.analyzeJson(), text);
    const report: Report = await s.analyze();
    assert.deepEqual(report, JSON.parse(text));
    assert.match(report.version, REPORT_V1);
  });

  it('analyses again with other options without adding the inputs again', async () => {
    using s = await Session.create({ window: { start: '2026-11-22T03:00:00Z', end: '2026-11-22T03:10:00Z' } });
    await s.addBytes(await readFile(fixture('jaeger-api/ui_01.json')), 'jaeger.json');
    const setText = await s.analyzeJson();
    const set = JSON.parse(setText) as Report;
    assert.deepEqual(set.windows.window, { start: '2026-11-22T03:00:00Z', end: '2026-11-22T03:10:00Z' });
    // Options given to analyze() win; epoch ms is accepted and the report speaks RFC 3339.
    const other: Options = { window: { start: Date.UTC(2026, 10, 22, 4), end: Date.UTC(2026, 10, 22, 4, 5) }, top: 1 };
    const again = await s.analyze(other);
    assert.deepEqual(again.windows.window, { start: '2026-11-22T04:00:00Z', end: '2026-11-22T04:05:00Z' });
    assert.equal(again.inputs.totals.spans, set.inputs.totals.spans, 'the inputs are still there');
    // Without options, the ones set last apply again.
    assert.equal(await s.analyzeJson(), setText);
    // With no window set, one is found from the data (which lies years before the window set above).
    await s.setOptions({});
    const found = (await s.analyze()).windows;
    assert.notEqual(found.source, set.windows.source);
    assert.ok(found.window !== null && Date.parse(String(found.window.start)) < Date.UTC(2020, 0, 1));
  });

  it('rejects bad options with the reason, and keeps the session usable', async () => {
    using s = await Session.create();
    await assert.rejects(s.analyze({ top: 'many' } as unknown as Options), /options: invalid type: string "many"/);
    await assert.rejects(s.setOptions({ no_such_option: 1 } as unknown as Options), /options:.*no_such_option/);
    await assert.rejects(
      s.analyze({ window: { start: '2026-11-22T03:10:00Z', end: '2026-11-22T03:00:00Z' } }),
      /time range ends before it starts/,
    );
    assert.match((await s.analyze()).version, REPORT_V1);
  });

  it('adds @grafana/data frames; a bad frame is named by frame and field, the good ones still go in', async () => {
    const set = traceSet(5, 3);
    using s = await Session.create();
    const frames = [
      grafanaFrame(tempoFrame(set)),
      { name: 'broken', fields: [{ name: 'Line', values: 'not an array' as unknown as string[] }] },
      grafanaFrame(lokiFrame(30, set)),
    ];
    const error = await rejected(s.addFrames(frames, 'panel'));
    assert.ok(error instanceof FrameError);
    assert.equal(error.added, 2);
    assert.deepEqual(
      error.problems.map((p) => [p.frame, p.frameName, p.field, p.scope]),
      [[1, 'broken', 'Line', 'frame']],
    );
    assert.match(error.message, /frame 1 \("broken"\), field "Line": values is not an array or Vector/);
    const report = await s.analyze();
    assert.deepEqual(
      report.inputs.sources.map((x) => [x.input, x.spans, x.logs]),
      [['panel', 15, 30]],
    );
    // Every log line names its trace (trace_id=... in the body): all of them join.
    assert.equal(report.correlation.logs.joined, 30);
    assert.equal(report.correlation.traces.with_spans_and_logs, 5);
    assert.equal(await s.addFrames([grafanaFrame(lokiFrame(3, set))], 'more'), 1);
    assert.equal((await s.analyze()).inputs.totals.logs, 33);
  });

  it('reads packed frames exactly as the same frames sent as JSON', async () => {
    const set = traceSet(40, 4);
    const failing = (t: number): boolean => t % 4 === 0;
    const frames = [grafanaFrame(tempoFrame(set, failing)), grafanaFrame(lokiFrame(400, set, failing))];
    using packed = await Session.create();
    await packed.addFrames(frames, 'panel');
    using json = await Session.create();
    await json.addJson(JSON.stringify(frames.map((f) => grafana.dataFrameToJSON(f))), 'panel');
    const a = await packed.analyze();
    const b = await json.analyze();
    assert.equal(a.inputs.totals.spans, 160);
    assert.equal(a.inputs.totals.logs, 400);
    assert.ok(a.candidates.length > 0);
    // The format name tells the two apart; everything read from the frames is the same.
    assert.deepEqual({ ...a, inputs: a.inputs.totals }, { ...b, inputs: b.inputs.totals });
  });

  it('tells the memory its worker holds and the bytes of the inputs it was given', async () => {
    const set = traceSet(10, 3);
    const frames = [grafanaFrame(tempoFrame(set)), grafanaFrame(lokiFrame(200, set))];
    const packedBytes = frames
      .map((f) => packFrame(f).packed!)
      .reduce((sum, p) => sum + p.f64.byteLength + p.u8.byteLength + p.u32.byteLength, 0);
    using s = await Session.create();
    await s.addFrames(frames, 'panel');
    const jaeger = await readFile(fixture('jaeger-api/ui_01.json'));
    await s.addBytes(jaeger, 'jaeger.json');
    await s.analyze();
    const memory = await s.memory();
    assert.equal(memory.inputBytes, packedBytes + jaeger.byteLength);
    assert.ok(memory.wasmBytes > 0 && memory.wasmBytes % 65536 === 0, `${memory.wasmBytes} is whole wasm pages`);
  });

  it('reads Arrow IPC written by apache-arrow, and names the input when it is corrupt', async () => {
    const t0 = Date.UTC(2024, 0, 1);
    const n = 50;
    const table = arrow.tableFromArrays({
      time: Array.from({ length: n }, (_, i) => new Date(t0 + i * 1000)),
      line: Array.from({ length: n }, (_, i) => `level=error msg="payment gateway timeout after ${100 + i} ms" trace_id=${(i + 1).toString(16).padStart(32, '0')}`),
    });
    using s = await Session.create();
    await s.addArrowIpc(arrow.tableToIPC(table, 'stream'), 'logs.arrow');
    await s.addArrowIpc(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3]), 'broken.arrow');
    const report = await s.analyze();
    const source = report.inputs.sources.find((x) => x.input === 'logs.arrow');
    assert.equal(source?.format, 'arrow-ipc');
    assert.equal(source?.logs, n);
    assert.equal(report.correlation.logs.with_trace_id, n, 'trace ids in the Arrow log lines are found');
    assert.ok(report.diagnostics.entries.some((d) => d.source === 'broken.arrow' && d.severity === 'error'));
  });

  it('cannot be used after close()', async () => {
    const s = await Session.create();
    s.close();
    await assert.rejects(s.analyzeJson(), /the session is closed/);
  });

  it('reports progress by stage: packing and decoding each frame, then analysing', async () => {
    const set = traceSet(5, 3);
    using s = await Session.create();
    const stages: string[] = [];
    const onProgress = (p: Progress) => stages.push(`${p.stage} ${p.done}/${p.total}`);
    await s.addFrames([grafanaFrame(tempoFrame(set)), grafanaFrame(lokiFrame(30, set))], 'panel', { onProgress });
    await s.analyze({}, { onProgress });
    assert.deepEqual(stages, ['packing 0/2', 'decoding 1/2', 'packing 1/2', 'decoding 2/2', 'done 1/1', 'analysing 0/1', 'done 1/1']);
  });

  it("moves the packed buffers to the worker and leaves the caller's frames intact", async () => {
    const times = new Float64Array([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 0, 0, 1)]);
    using s = await Session.create();
    await s.addFrames([{ name: 'm', fields: [{ name: 'time', type: 'time', values: times }, { name: 'value', type: 'number', values: [1, 2] }] }]);
    assert.equal(times.length, 2, "the caller's typed array is not detached");
    assert.equal((await s.analyze()).inputs.totals.points, 2);
  });

  it('packs later frames into the buffers the worker gave back, so a refresh allocates none; the report is the same', async () => {
    // Larger than any frame of the tests before: its buffers are new ones, of the size packing it asks for.
    const set = traceSet(200, 5);
    const big = lokiFrame(30_000, set);
    const bigBytes = packFrame(big).packed!.u8.buffer.byteLength;
    const smaller = lokiFrame(20_000, set);
    assert.ok(packFrame(smaller).packed!.u8.buffer.byteLength < bigBytes);
    const tiny = { name: 'm', fields: [{ name: 'Line', type: 'string', values: ['a'] }] };
    const reports: string[] = [];
    for (let refresh = 0; refresh < 2; refresh++) {
      using s = await Session.create();
      await s.addFrames([tempoFrame(set), big]);
      reports.push(await s.analyzeJson());
    }
    assert.ok(packFrame(tiny).packed!.u8.buffer.byteLength < bigBytes, 'a tiny frame does not move the big buffer');
    assert.equal(packFrame(smaller).packed!.u8.buffer.byteLength, bigBytes, "a frame of about its size is packed into the big frame's buffer");
    assert.equal(reports[1], reports[0]);
  });

  it('cancels a running analysis with an AbortSignal; the next analysis works on the same inputs', async () => {
    using s = await Session.create();
    await s.addBytes(await readFile(fixture('jaeger-api/ui_01.json')), 'jaeger.json');
    const expected = await s.analyzeJson();
    const controller = new AbortController();
    const running = s.analyzeJson({}, { signal: controller.signal });
    controller.abort();
    assert.equal(((await rejected(running)) as Error).name, 'AbortError');
    const aborted = new AbortController();
    aborted.abort();
    assert.equal(((await rejected(s.analyzeJson({}, { signal: aborted.signal }))) as Error).name, 'AbortError', 'an aborted signal never starts');
    assert.equal(await s.analyzeJson(), expected, 'the inputs were given to the new worker again');
  });

  it('replaces an instance that panicked and says why; the next analysis works', async () => {
    using s = await Session.create({ top: 3 });
    await s.addBytes(await readFile(fixture('jaeger-api/ui_01.json')), 'jaeger.json');
    const expected = await s.analyzeJson();
    await assert.rejects(s.panicForTest('the test made me'), /rootspan panicked: panicked at .*browser\.rs.*the test made me/s);
    assert.equal(await s.analyzeJson(), expected, 'a new instance, with the inputs and options given again');
  });
});

describe('scripts/analyze-files.mjs', () => {
  it('prints exactly analyzeJson() for the files, each named by its file name', async () => {
    const files = [fixture('jaeger-api/ui_01.json'), fixture('loki-api/streams_simple.json')];
    const script = fileURLToPath(new URL('../scripts/analyze-files.mjs', import.meta.url));
    const options: Options = { top: 3 };
    const { stdout } = await promisify(execFile)(process.execPath, [script, ...files.map((f) => fileURLToPath(f)), '--options', JSON.stringify(options)]);
    using s = await Session.create();
    await s.addBytes(await readFile(files[0]!), 'ui_01.json');
    await s.addBytes(await readFile(files[1]!), 'streams_simple.json');
    assert.equal(stdout, await s.analyzeJson(options));
  });
});
