// Writes the bad-input corpus: testdata/bad/cases/* (synthetic files) and testdata/bad/manifest.json
// (every case: the command line, the exit code, the words the output must hold, what must still be
// analysed). Deterministic: no clock, no randomness; run it again and git shows no change.
//
//   node testdata/bad/generate.mjs
//
// The test that runs the corpus through the real CLI (wasm in wasmtime) is cli/tests/bad_inputs.rs.
// Placeholders in `args`: {bad} is testdata/bad/cases, {samples} is samples/incident.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'cases');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const cases = [];
const T0 = 1674981780000000000n; // 2023-01-29T08:43:00Z
const ns = (s) => String(T0 + BigInt(s) * 1000000000n);
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function write(name, content) {
  writeFileSync(join(out, name), content);
  return `{bad}/${name}`;
}

/** One case. `analysed`: exact row totals the JSON report (or pattern run) must show. */
function add(id, format, klass, args, exit, words, analysed) {
  cases.push({ id, format, class: klass, args, exit, words, ...(analysed ? { analysed } : {}) });
}

const analyze = (...files) => ['analyze', '--format', 'json', ...files];
const patterns = (...files) => ['patterns', '--format', 'json', ...files];

// ---- good documents, each with a place for one bad row -------------------------------------

const attr = (key, value) => ({ key, value: { stringValue: value } });
function otlpSpan(i, over = {}) {
  return {
    traceId: TRACE,
    spanId: (0x1000 + i).toString(16).padStart(16, '0'),
    ...(i > 0 ? { parentSpanId: (0x1000).toString(16).padStart(16, '0') } : {}),
    name: `op${i}`,
    kind: i === 0 ? 2 : 3,
    startTimeUnixNano: ns(i),
    endTimeUnixNano: ns(i + 1),
    status: { code: i === 2 ? 2 : 0 },
    ...over,
  };
}
function otlpTraces(spans) {
  return { resourceSpans: [{ resource: { attributes: [attr('service.name', 'shop')] }, scopeSpans: [{ spans }] }] };
}
const goodSpans = () => [0, 1, 2].map((i) => otlpSpan(i));
function otlpLogs(records) {
  return { resourceLogs: [{ resource: { attributes: [attr('service.name', 'shop')] }, scopeLogs: [{ logRecords: records }] }] };
}
const logRecord = (i, over = {}) => ({ timeUnixNano: ns(i), severityText: 'ERROR', body: { stringValue: `payment failed ${i}` }, ...over });
const goodLogs = () => [0, 1, 2].map((i) => logRecord(i));
function otlpMetrics(points) {
  return {
    resourceMetrics: [{ resource: { attributes: [attr('service.name', 'shop')] }, scopeMetrics: [{ metrics: [{ name: 'latency', gauge: { dataPoints: points } }] }] }],
  };
}
const point = (i, over = {}) => ({ timeUnixNano: ns(i), asDouble: 0.5 + i, ...over });
const goodPoints = () => [0, 1, 2].map((i) => point(i));
const loki = (values) => ({ status: 'success', data: { resultType: 'streams', result: [{ stream: { service_name: 'shop' }, values }] } });
const lokiValue = (i) => [ns(i), `level=error msg="payment failed ${i}"`];
const goodLoki = () => [0, 1, 2].map(lokiValue);
const lokiPush = (values) => ({ streams: [{ stream: { service_name: 'shop' }, values }] });
const prom = (values) => ({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { __name__: 'up', job: 'shop' }, values }] } });
const promValue = (i) => [1674981780 + i, String(i)];
const goodProm = () => [0, 1, 2].map(promValue);
const tempo = (spans) => ({ batches: otlpTraces(spans).resourceSpans });
function jaegerSpan(i, over = {}) {
  return {
    traceID: TRACE,
    spanID: (0x2000 + i).toString(16),
    operationName: `op${i}`,
    references: i > 0 ? [{ refType: 'CHILD_OF', traceID: TRACE, spanID: (0x2000).toString(16) }] : [],
    startTime: 1674981780000000 + i * 1000000,
    duration: 1000,
    tags: [],
    processID: 'p1',
    ...over,
  };
}
const jaeger = (spans) => ({ data: [{ traceID: TRACE, spans, processes: { p1: { serviceName: 'shop', tags: [] } } }] });
const goodJaeger = () => [0, 1, 2].map((i) => jaegerSpan(i));
function framesLogs(times) {
  return {
    results: {
      A: {
        frames: [
          {
            schema: { name: 'logs', meta: { type: 'log-lines' }, fields: [{ name: 'timestamp', type: 'time' }, { name: 'body', type: 'string' }] },
            data: { values: [times, times.map((_, i) => `ERROR payment failed ${i}`)] },
          },
        ],
      },
    },
  };
}
const goodFrameTimes = () => [1674981780000, 1674981781000, 1674981782000];
function framesTrace(starts, durations) {
  const n = starts.length;
  const ids = [...Array(n).keys()].map((i) => (0x3000 + i).toString(16));
  return {
    frames: [
      {
        schema: {
          name: 'trace',
          meta: { preferredVisualisationType: 'trace' },
          fields: ['traceID', 'spanID', 'parentSpanID', 'serviceName', 'operationName', 'startTime', 'duration'].map((name) => ({
            name,
            type: name === 'startTime' || name === 'duration' ? 'number' : 'string',
          })),
        },
        data: { values: [Array(n).fill(TRACE), ids, ids.map((_, i) => (i ? ids[0] : '')), Array(n).fill('shop'), ids.map((_, i) => `op${i}`), starts, durations] },
      },
    ],
  };
}
const goodFrameStarts = () => [1674981780000, 1674981780001, 1674981780002];

const json = (v) => JSON.stringify(v);
const pretty = (v) => JSON.stringify(v, null, 2);

// ---- 1. broken structure: never text, an error naming the file and line/column ---------------

const wellFormed = {
  otlp: pretty(otlpTraces(goodSpans())),
  'otlp-logs': pretty(otlpLogs(goodLogs())),
  'otlp-metrics': pretty(otlpMetrics(goodPoints())),
  tempo: pretty(tempo(goodSpans())),
  jaeger: pretty(jaeger(goodJaeger())),
  loki: pretty(loki(goodLoki())),
  'loki-push': pretty(lokiPush(goodLoki())),
  prometheus: pretty(prom(goodProm())),
  frames: pretty(framesLogs(goodFrameTimes())),
};
for (const [format, text] of Object.entries(wellFormed)) {
  // Truncated downloads, at two places.
  for (const [cut, share] of [['half', 0.5], ['end', 0.97]]) {
    const name = `${format}-truncated-${cut}.json`;
    add(`${format}-truncated-${cut}`, format, 'structure', analyze(write(name, text.slice(0, Math.floor(text.length * share)))), 1, [name, 'broken JSON', 'line', 'column', 'not read as text'], { spans: 0, logs: 0, series: 0 });
  }
  // A lone surrogate escape and a number no float holds, inside otherwise valid documents.
  const surrogate = `${format}-lone-surrogate.json`;
  add(`${format}-lone-surrogate`, format, 'structure', analyze(write(surrogate, text.replace(text.includes('"shop"') ? '"shop"' : '"logs"', '"sh\\ud800op"'))), 1, [surrogate, 'broken JSON', 'surrogate', 'line'], { spans: 0, logs: 0, series: 0 });
  const huge = `${format}-number-1e400.json`;
  add(`${format}-number-1e400`, format, 'structure', analyze(write(huge, text.replace(/^\{/, '{"x": 1e400,'))), 1, [huge, 'number out of range', 'line 1'], { spans: 0, logs: 0, series: 0 });
}
const s = (name, content, words, id = name.replace(/\.[a-z.]+$/, ''), format = 'json') =>
  add(id, format, 'structure', analyze(write(name, content)), 1, [name, ...words], { spans: 0, logs: 0, series: 0 });
s('bare-null.json', 'null', ['no decoder recognises a JSON null']);
s('bare-number.json', '  42\n', ['no decoder recognises a JSON number']);
s('bare-string.json', '"resourceSpans"', ['no decoder recognises a JSON string']);
s('bare-true.json', 'true', ['no decoder recognises a JSON boolean']);
s('bom-truncated.json', `\ufeff${wellFormed.otlp.slice(0, 200)}`, ['broken JSON', 'line']);
s('comment-header-truncated.jsonc', `// a Grafana golden header\n// more\n${wellFormed.frames.slice(0, 120)}`, ['broken JSON', 'line']);
s('single-quotes.json', "{'resourceSpans': []}", ['broken JSON', 'line 1 column 2']);
s('nan-literal.json', '{"resourceSpans": [NaN]}', ['broken JSON', 'line 1']);
s('trailing-comma.json', '{"resourceSpans": [],}', ['broken JSON', 'trailing comma']);
s('unclosed-string.json', '{"resourceSpans": [{"scopeSpans": "abc', ['broken JSON', 'EOF while parsing a string']);
s('nested-arrays-10000.json', `${'['.repeat(10000)}${']'.repeat(10000)}`, ['nested deeper than 128 levels', 'line 1 column 128']);
// Deep nesting in a *valid* OTLP document (a kvlist attribute 200 levels deep): refused, naming the depth.
let deep = { stringValue: 'bottom' };
for (let i = 0; i < 200; i++) deep = { kvlistValue: { values: [{ key: `k${i}`, value: deep }] } };
s('otlp-deep-attribute-200.json', json(otlpTraces([otlpSpan(0, { attributes: [{ key: 'deep', value: deep }] })])), ['nested deeper than 128 levels', 'input refused'], 'otlp-deep-attribute-200', 'otlp');
s('unrecognised-object.json', json({ hello: 'world' }), ['no decoder recognises a JSON object with keys [hello]']);
s('jsonl-broken-first-line.jsonl', `{"resourceSpans": [\n${json(otlpTraces(goodSpans()))}\n`, ['broken JSON', 'line 3'], 'jsonl-broken-first-line', 'otlp-jsonl');

// ---- 2. values checked where they enter: bad rows skipped and counted, the rest analysed ------

const badTimes = {
  'u64-max': '18446744073709551615',
  'i64-max': '9223372036854775807',
  'minus-one': -1,
  'minus-one-string': '-1',
  abc: 'abc',
  'exp-string': '1e30',
  'exp-number': 1e30,
  null: null,
  empty: '',
  bool: true,
  object: {},
  'year-2262': '9200000000000000000',
};
for (const field of ['startTimeUnixNano', 'endTimeUnixNano']) {
  for (const [label, value] of Object.entries(badTimes)) {
    const name = `otlp-${field}-${label}.json`;
    const bad = otlpSpan(3, { [field]: value });
    add(`otlp-${field}-${label}`, 'otlp', 'values', analyze(write(name, json(otlpTraces([...goodSpans(), bad])))), 0, ['1 skipped'], { spans: 3 });
  }
}
for (const field of ['startTimeUnixNano', 'endTimeUnixNano']) {
  const name = `otlp-${field}-missing.json`;
  const bad = otlpSpan(3);
  delete bad[field];
  add(`otlp-${field}-missing`, 'otlp', 'values', analyze(write(name, json(otlpTraces([...goodSpans(), bad])))), 0, ['1 skipped'], { spans: 3 });
}
const spanCase = (id, over, words = ['1 skipped'], spans = 3) =>
  add(`otlp-${id}`, 'otlp', 'values', analyze(write(`otlp-${id}.json`, json(otlpTraces([...goodSpans(), otlpSpan(3, over)])))), 0, words, { spans });
spanCase('ends-before-start', { startTimeUnixNano: ns(5), endTimeUnixNano: ns(4) });
spanCase('trace-id-not-hex', { traceId: 'zz' + TRACE.slice(2) });
spanCase('trace-id-all-zero', { traceId: '0'.repeat(32) });
spanCase('trace-id-33-digits', { traceId: `1${TRACE}` });
spanCase('span-id-empty', { spanId: '' });
spanCase('span-id-not-hex', { spanId: 'xyz' });
spanCase('parent-id-bad', { parentSpanId: 'not-an-id' });
// A duplicate span id is repaired (first row kept), reported as a warning, and analysed.
spanCase('duplicate-span-id', { spanId: (0x1000).toString(16).padStart(16, '0') }, ['warnings'], 4);
for (const [label, value] of Object.entries({ 'u64-max': '18446744073709551615', abc: 'abc', 'minus-one': '-1', null: null })) {
  const name = `otlp-logs-time-${label}.json`;
  add(`otlp-logs-time-${label}`, 'otlp-logs', 'values', analyze(write(name, json(otlpLogs([...goodLogs(), logRecord(3, { timeUnixNano: value })])))), 0, ['1 skipped'], { logs: 3 });
}
{
  const bad = logRecord(3);
  delete bad.timeUnixNano;
  add('otlp-logs-time-missing', 'otlp-logs', 'values', analyze(write('otlp-logs-time-missing.json', json(otlpLogs([...goodLogs(), bad])))), 0, ['1 skipped'], { logs: 3 });
  const observed = logRecord(3, { timeUnixNano: '0', observedTimeUnixNano: ns(3) });
  add('otlp-logs-observed-time-used', 'otlp-logs', 'values', analyze(write('otlp-logs-observed-time-used.json', json(otlpLogs([...goodLogs(), observed])))), 0, [], { logs: 4 });
}
for (const [label, over] of Object.entries({ 'time-abc': { timeUnixNano: 'abc' }, 'time-minus-one': { timeUnixNano: '-1' }, 'time-null': { timeUnixNano: null }, 'value-abc': { asDouble: 'abc' } })) {
  const name = `otlp-metrics-${label}.json`;
  add(`otlp-metrics-${label}`, 'otlp-metrics', 'values', analyze(write(name, json(otlpMetrics([...goodPoints(), point(3, over)])))), 0, ['1 skipped'], { series: 1 });
}
for (const [label, value] of Object.entries({ 'minus-one': '-1', 'i64-min': '-9223372036854775808', 'i64-max': '9223372036854775807', abc: 'abc', fraction: '1.5', null: null, empty: '', 'u64-max': '18446744073709551615' })) {
  const name = `loki-ts-${label}.json`;
  add(`loki-ts-${label}`, 'loki', 'values', analyze(write(name, json(loki([...goodLoki(), [value, 'level=error bad time']])))), 0, ['1 skipped'], { logs: 3 });
}
for (const [label, value] of Object.entries({ 'minus-one': '-1', 'i64-max': '9223372036854775807' })) {
  const name = `loki-push-ts-${label}.json`;
  add(`loki-push-ts-${label}`, 'loki-push', 'values', analyze(write(name, json(lokiPush([...goodLoki(), [value, 'bad']])))), 0, ['1 skipped'], { logs: 3 });
}
add('loki-entry-not-pair', 'loki', 'values', analyze(write('loki-entry-not-pair.json', json(loki([...goodLoki(), [ns(3)]])))), 0, ['1 skipped'], { logs: 3 });
add('loki-line-not-string', 'loki', 'values', analyze(write('loki-line-not-string.json', json(loki([...goodLoki(), [ns(3), 42]])))), 0, ['1 skipped'], { logs: 3 });
for (const [label, t] of Object.entries({ abc: 'abc', 'minus-one': -1, 'year-5138': 99999999999, exp: 1e30 })) {
  const name = `prometheus-time-${label}.json`;
  add(`prometheus-time-${label}`, 'prometheus', 'values', analyze(write(name, json(prom([...goodProm(), [t, '1']])))), 0, ['1 skipped'], { series: 1 });
}
add('prometheus-value-abc', 'prometheus', 'values', analyze(write('prometheus-value-abc.json', json(prom([...goodProm(), [1674981790, 'abc']])))), 0, ['1 skipped'], { series: 1 });
for (const [label, value] of Object.entries({ 'u64-max': '18446744073709551615', abc: 'abc', null: null, 'minus-one': -1 })) {
  const name = `tempo-start-${label}.json`;
  add(`tempo-start-${label}`, 'tempo', 'values', analyze(write(name, json(tempo([...goodSpans(), otlpSpan(3, { startTimeUnixNano: value })])))), 0, ['1 skipped'], { spans: 3 });
}
for (const [label, over] of Object.entries({
  'start-minus-one': { startTime: -1 },
  'start-abc': { startTime: 'abc' },
  'start-year-5138': { startTime: 99999999999999999 },
  'duration-negative': { duration: -5 },
  'duration-missing': { duration: undefined },
  'span-id-bad': { spanID: 'qq' },
})) {
  const name = `jaeger-${label}.json`;
  add(`jaeger-${label}`, 'jaeger', 'values', analyze(write(name, json(jaeger([...goodJaeger(), jaegerSpan(3, over)])))), 0, ['1 skipped'], { spans: 3 });
}
for (const [label, t] of Object.entries({ 'null': null, 'minus-one': -1, 'year-2262': 9.2e15, 'string-abc': 'abc' })) {
  const name = `frames-log-time-${label}.json`;
  // One note per row: the skip's (the frame parser's note for the unread value is dropped).
  add(`frames-log-time-${label}`, 'frames', 'values', analyze(write(name, json(framesLogs([...goodFrameTimes(), t])))), 0, ['skipped', 'no valid time'], { logs: 3 });
}
for (const [label, [start, duration]] of Object.entries({ 'start-null': [null, 1], 'start-minus-one': [-1, 1], 'duration-negative': [1674981780003, -1], 'duration-string': [1674981780003, 'abc'] })) {
  const name = `frames-span-${label}.json`;
  add(`frames-span-${label}`, 'frames', 'values', analyze(write(name, json(framesTrace([...goodFrameStarts(), start], [1, 1, 1, duration])))), 0, ['skipped', 'span skipped'], { spans: 3 });
}

// ---- 3. Arrow IPC, gzip, text ------------------------------------------------------------------

s('arrow-file-magic-only.arrow', Buffer.from('ARROW1\0\0'), ['Arrow'], 'arrow-file-magic-only', 'arrow');
s('arrow-stream-junk.arrow', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0]), Buffer.alloc(16, 7)]), ['Arrow'], 'arrow-stream-junk', 'arrow');
s('arrow-stream-huge-length.arrow', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]), ['Arrow'], 'arrow-stream-huge-length', 'arrow');
s('arrow-file-truncated.arrow', Buffer.concat([Buffer.from('ARROW1\0\0'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x40, 0, 0, 0]), Buffer.alloc(20, 1)]), ['Arrow'], 'arrow-file-truncated', 'arrow');

const gz = (data) => gzipSync(data, { level: 9, mtime: 0 });
const otlpGz = gz(Buffer.from(json(otlpTraces(goodSpans()))));
s('gzip-truncated.json.gz', otlpGz.subarray(0, Math.floor(otlpGz.length / 2)), ['gzip'], 'gzip-truncated', 'gzip');
s('gzip-header-only.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), ['gzip'], 'gzip-header-only', 'gzip');
s('gzip-bad-checksum.json.gz', Buffer.concat([otlpGz.subarray(0, otlpGz.length - 8), Buffer.from([1, 2, 3, 4]), otlpGz.subarray(otlpGz.length - 4)]), ['gzip'], 'gzip-bad-checksum', 'gzip');
s('gzip-of-broken-json.json.gz', gz(Buffer.from(wellFormed.otlp.slice(0, 300))), ['broken JSON', 'line'], 'gzip-of-broken-json', 'gzip');
s('gzip-of-empty.gz', gz(Buffer.alloc(0)), ['empty input'], 'gzip-of-empty', 'gzip');
s('gzip-of-null.gz', gz(Buffer.from('null')), ['no decoder recognises a JSON null'], 'gzip-of-null', 'gzip');
{
  const second = gz(Buffer.from('garbage'));
  s('gzip-second-member-broken.gz', Buffer.concat([otlpGz, second.subarray(0, 12)]), ['gzip'], 'gzip-second-member-broken', 'gzip');
}
// A bomb: 64 MiB of zeros in about 64 KiB, against a 16 MiB decompression cap; the host stops it.
const bomb = write('gzip-bomb-64mib.gz', gzipSync(Buffer.alloc(64 << 20), { level: 9, mtime: 0 }));
add('gzip-bomb-cap-16', 'gzip', 'limits', ['--max-decompressed-mib', '16', ...analyze(bomb)], 1, ['gzip-bomb-64mib.gz', 'decompress', '16 MiB'], undefined);
add('gzip-bomb-patterns-cap-16', 'gzip', 'limits', ['--max-decompressed-mib', '16', ...patterns(bomb)], 1, ['gzip-bomb-64mib.gz', '16 MiB'], undefined);
add('gzip-bomb-under-cap', 'gzip', 'limits', ['--max-decompressed-mib', '100', ...analyze(bomb)], 1, ['gzip-bomb-64mib.gz', 'not JSON, JSON lines, Arrow IPC or text'], { spans: 0, logs: 0 });

s('text-empty.log', '', ['empty input'], 'text-empty', 'text');
s('text-whitespace.log', ' \n\t\n  \n', ['empty input'], 'text-whitespace', 'text');
s('text-bom-only.log', '\ufeff', ['empty input'], 'text-bom-only', 'text');
s('text-nul-bytes.log', Buffer.from('ERROR a\0b\0c\n'), ['binary data'], 'text-nul-bytes', 'text');
s('text-control-characters.log', Buffer.from(Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 1 : 65))), ['binary data'], 'text-control-characters', 'text');
s('text-invalid-utf8.log', Buffer.alloc(500, 0xfe), ['binary data'], 'text-invalid-utf8', 'text');
{
  let x = 7;
  const noise = Buffer.alloc(2048, 0).map(() => ((x = (x * 1103515245 + 12345) % 2147483648), x & 0xff));
  s('text-binary-noise.bin', noise, ['binary data'], 'text-binary-noise', 'text');
}
// Text lines are text. Lines that cannot be placed in time (no timestamp on them or before
// them) are mined by `patterns` (exit 0, a warning) and left out of `analyze`, each noted with
// its input and line (a log of only such lines gives no record: exit 1, naming it).
const textLog = write('text-untimed-lines.log', 'ERROR payment failed for order 17\nINFO ok\nERROR payment failed for order 18\n');
add('text-untimed-patterns', 'text', 'accepted', patterns(textLog), 0, ['warnings', 'mined, with no time'], { logs: 3 });
add('text-untimed-analyze', 'text', 'exit', analyze(textLog), 1, ['text-untimed-lines.log', 'no usable record', 'text line left out: no timestamp on it or on a line before it', '"row":2'], { logs: 0 });
// A header before the first timestamp is left out; a stack frame folds into its record; a line
// that stands alone after a timestamped one (here a JSON line without a time) takes its time.
const headed = write('text-header-then-timed.log', 'application log, started by cron\n2023-01-29T08:43:00Z ERROR payment failed 1\n\tat Payment.charge(Payment.java:42)\n{"msg":"retrying payment 1"}\n2023-01-29T08:43:02Z INFO ok\n');
add('text-header-left-out', 'text', 'values', analyze(headed), 0, ['text line left out', '"row":0', 'took the time of the line before'], { logs: 3 });
const timedLog = write('text-timed-lines.log', '2023-01-29T08:43:00Z ERROR payment failed 1\n2023-01-29T08:43:01Z INFO ok\n2023-01-29T08:43:02Z ERROR payment failed 2\n');
add('text-timed-analyze', 'text', 'accepted', analyze(timedLog), 0, [], { logs: 3 });
// A multi-byte character in a UTC offset (it trapped the wasm once): the time reads up to the
// seconds, the rest is the line's text; no crash, and the line is analysed.
add('text-offset-multibyte', 'text', 'accepted', analyze(write('text-offset-multibyte.log', '2023-01-29T08:43:00+€00 ERROR boom\n')), 0, [], { logs: 1 });

// ---- 4. exit codes: no usable record from a named input is exit 1, naming it -------------------

const tracesOnly = write('traces-only.json', json(otlpTraces(goodSpans())));
add('patterns-traces-only', 'otlp', 'exit', patterns(tracesOnly), 1, ['traces-only.json', 'no log record'], { logs: 0 });
add('patterns-empty', 'text', 'exit', patterns(write('patterns-empty.log', '')), 1, ['patterns-empty.log', 'empty input'], { logs: 0 });
add('patterns-truncated-gzip', 'gzip', 'exit', patterns('{bad}/gzip-truncated.json.gz'), 1, ['gzip-truncated.json.gz', 'gzip'], { logs: 0 });
add('patterns-good-and-traces-only', 'otlp', 'exit', patterns(textLog, tracesOnly), 1, ['traces-only.json', 'no log record'], { logs: 3 });
add('analyze-labels-only', 'prometheus', 'exit', analyze(write('prometheus-labels.json', json({ status: 'success', data: ['__name__', 'job'] }))), 1, ['prometheus-labels.json', 'nothing to analyse'], { spans: 0, logs: 0, series: 0 });
add('analyze-empty-streams', 'loki', 'exit', analyze(write('loki-no-streams.json', json(loki([])))), 1, ['loki-no-streams.json', 'nothing to analyse'], { logs: 0 });
add('analyze-all-rows-bad', 'loki', 'exit', analyze(write('loki-all-rows-bad.json', json(loki([['-1', 'a'], ['abc', 'b']])))), 1, ['loki-all-rows-bad.json', 'no usable record', '2 skipped'], { logs: 0 });
add('analyze-good-and-broken', 'otlp', 'exit', analyze(tracesOnly, '{bad}/bare-null.json'), 1, ['bare-null.json', 'no decoder recognises a JSON null'], { spans: 3 });

// ---- 5. options JSON and CLI flags: usage errors exit 2 ----------------------------------------

const opt = (label, content, words) => add(`options-${label}`, 'options', 'usage', ['analyze', '--options', write(`options-${label}.json`, content), tracesOnly], 2, words);
opt('not-json', '{"top": ', ['options', 'EOF']);
opt('unknown-key', json({ wndow: {} }), ['unknown field']);
opt('top-zero', json({ top: 0 }), ['top must be 1..=1000']);
opt('top-huge', json({ top: 1e6 }), ['top must be 1..=1000']);
opt('top-string', json({ top: 'ten' }), ['invalid type']);
opt('top-negative', json({ top: -1 }), ['invalid value']);
opt('window-reversed', json({ window: { start: '2023-01-29T09:00:00Z', end: '2023-01-29T08:00:00Z' } }), ['ends before it starts']);
opt('window-2262', json({ window: { start: '2262-01-01T00:00:00Z', end: '2262-01-02T00:00:00Z' } }), ['outside the accepted range']);
opt('window-multibyte-offset', json({ window: { start: '2023-01-29T08:43:00+€00', end: '2023-01-29T09:43:00Z' } }), ['not an RFC 3339 time']);
opt('window-epoch-huge', json({ window: { start: 1e300, end: 2e300 } }), ['not a time']);
opt('baseline-equals-window', json({ window: { start: '2023-01-29T08:43:00Z', end: '2023-01-29T08:53:00Z' }, baseline: { start: '2023-01-29T08:43:00Z', end: '2023-01-29T08:53:00Z' } }), ['baseline equals the window']);
opt('truncated-utf8', Buffer.from([0x7b, 0x22, 0xe2, 0x82]), ['options']);

const flag = (label, args, words) => add(`flag-${label}`, 'cli', 'usage', args, 2, words);
flag('top-zero', ['analyze', '--top', '0', tracesOnly], ['--top']);
flag('top-negative', ['analyze', '--top', '-1', tracesOnly], ["'-1'"]);
flag('top-too-big', ['analyze', '--top', '99999999999999999999', tracesOnly], ['--top']);
flag('top-1001', ['analyze', '--top', '1001', tracesOnly], ['--top', '1000']);
flag('top-word', ['analyze', '--top', 'ten', tracesOnly], ['--top']);
flag('window-no-comma', ['analyze', '--window', '2023-01-29T08:43:00Z', tracesOnly], ['START,END']);
flag('window-multibyte-offset', ['analyze', '--window', '2023-01-29T08:43:00+€00,2023-01-29T09:43:00Z', tracesOnly], ['not an RFC 3339 time']);
flag('window-year-3000', ['analyze', '--window', '3000-01-01T00:00:00Z,3000-01-02T00:00:00Z', tracesOnly], ['outside the accepted range']);
flag('window-before-1970', ['analyze', '--window', '1969-12-31T00:00:00Z,1970-01-02T00:00:00Z', tracesOnly], ['outside the accepted range']);
flag('window-epoch-ms-huge', ['analyze', '--window', '99999999999999999999,999999999999999999999', tracesOnly], ['out of range']);
flag('window-empty', ['analyze', '--window', '2023-01-29T08:43:00Z,2023-01-29T08:43:00Z', tracesOnly], ['ends before it starts']);
flag('window-reversed', ['analyze', '--window', '2023-01-29T09:43:00Z,2023-01-29T08:43:00Z', tracesOnly], ['ends before it starts']);
flag('baseline-equals-window', ['analyze', '--window', '2023-01-29T08:43:00Z,2023-01-29T08:53:00Z', '--baseline', '2023-01-29T08:43:00Z,2023-01-29T08:53:00Z', tracesOnly], ['baseline equals the window']);
flag('patterns-window-multibyte', ['patterns', '--window', '2023-01-29T08:43:00+€00,2023-01-29T09:43:00Z', textLog], ['not an RFC 3339 time']);
flag('memory-zero', ['--memory-mib', '0', 'analyze', tracesOnly], ['--memory-mib']);
flag('memory-too-big', ['--memory-mib', '5000', 'analyze', tracesOnly], ['--memory-mib']);
flag('fuel-word', ['--fuel', 'lots', 'analyze', tracesOnly], ['--fuel']);
flag('max-input-zero', ['--max-input-mib', '0', 'analyze', tracesOnly], ['--max-input-mib']);
flag('missing-file', ['analyze', '{bad}/no-such-file.json'], ['no-such-file.json']);
flag('directory-input', ['analyze', '{bad}'], ['cases']);
flag('no-files', ['analyze'], ['FILE']);
flag('unknown-command', ['analyse-this'], ['analyse-this']);
flag('unknown-format', ['analyze', '--format', 'yaml', tracesOnly], ['yaml']);

// ---- 6. limits on what is read -----------------------------------------------------------------

add('dev-zero-analyze', 'cli', 'limits', ['--max-input-mib', '1', ...analyze('/dev/zero')], 1, ['/dev/zero', '1 MiB', '--max-input-mib']);
add('dev-zero-patterns', 'cli', 'limits', ['--max-input-mib', '1', ...patterns('/dev/zero')], 1, ['/dev/zero', '1 MiB']);

// ---- 7. the mixed run: three good files of the sample incident plus one broken file -----------

const sample = ['{samples}/traces.otlp.json.gz', '{samples}/logs.loki.json.gz', '{samples}/metrics.prom.json.gz'];
add('sample-reference', 'mixed', 'reference', analyze(...sample), 0, []);
// One broken file of every format the dispatcher reads (each structure-broken format, bare
// JSON, deep nesting, gzip, Arrow, binary and untimed text, JSON lines, an empty file).
const mixedBroken = [
  ...Object.keys(wellFormed).map((format) => `${format}-truncated-half.json`),
  'bare-null.json',
  'otlp-lone-surrogate.json',
  'otlp-deep-attribute-200.json',
  'loki-number-1e400.json',
  'unrecognised-object.json',
  'jsonl-broken-first-line.jsonl',
  'gzip-truncated.json.gz',
  'gzip-of-broken-json.json.gz',
  'arrow-file-truncated.arrow',
  'arrow-stream-junk.arrow',
  'text-nul-bytes.log',
  'text-untimed-lines.log',
  'text-empty.log',
];
for (const broken of mixedBroken) {
  add(`sample-plus-${broken.replace(/\.[a-z.]+$/, '')}`, 'mixed', 'mixed', analyze(...sample, `{bad}/${broken}`), 1, [broken], { same_candidates_as: 'sample-reference' });
}

writeFileSync(join(here, 'manifest.json'), `${JSON.stringify({ generated_by: 'testdata/bad/generate.mjs', cases }, null, 1)}\n`);
console.log(`${cases.length} cases in testdata/bad/`);
