// npm run simulate -- --out DIR [--cases 128] [--seed 1] [--jobs 2] [--prometheus] [--no-gzip] [--only N]
// Writes DIR/sim-NNN/{case.json, truth.json, traces.otlp.json.gz, logs.loki.json.gz, metrics.prom.json.gz}.
import { fork } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { otlpTraces } from './otel.js';
import { caseJson, lokiJson, promJson, promSeries, truthJson } from './outputs.js';
import { planCase } from './plan.js';
import { addBlocks, startPrometheus } from './prometheus.js';
import { Rng } from './rng.js';
import { simulate } from './simulate.js';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    cases: { type: 'string', default: '128' },
    seed: { type: 'string', default: '1' },
    'no-gzip': { type: 'boolean', default: false },
    only: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    prometheus: { type: 'boolean', default: false },
  },
});
if (args.out === undefined) {
  process.stderr.write('usage: npm run simulate -- --out DIR [--cases 128] [--seed 1] [--jobs 2] [--prometheus] [--no-gzip] [--only N]\n');
  process.exit(2);
}
const out = args.out;
const cases = Number(args.cases);
const seed = Number(args.seed);
const gzip = !args['no-gzip'];
const jobs = Math.max(1, Number(args.jobs));
/** With --prometheus, the TSDB every job adds its cases' blocks to (removed at the end). */
const tsdb = join(out, '.prometheus-tsdb');

async function put(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  if (gzip) await writeFile(join(dir, `${name}.gz`), gzipSync(data, { level: 1 }));
  else await writeFile(join(dir, name), data);
}

/** Writes case `i`; returns what it simulated. */
async function writeCase(i: number): Promise<{ spans: number; lines: number }> {
  const plan = planCase(i, seed);
  const sim = simulate(plan, new Rng(seed).fork(`sim-${i}`));
  const dir = join(out, plan.id);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  await writeFile(join(dir, 'case.json'), caseJson(plan));
  await writeFile(join(dir, 'truth.json'), truthJson(plan));
  await put(dir, 'traces.otlp.json', otlpTraces(plan, sim.spans));
  await put(dir, 'logs.loki.json', lokiJson(plan, sim));
  const metricsRng = new Rng(seed).fork(`metrics-${i}`);
  if (args.prometheus) await addBlocks(promSeries(plan, sim, metricsRng), tsdb, dir);
  else await put(dir, 'metrics.prom.json', promJson(plan, sim, metricsRng));
  return { spans: sim.spans.length, lines: sim.logs.length };
}

/** Cases `k`, `k + jobs`, ...: each case depends only on its index and the seed, so the split changes nothing. */
async function share(k: number): Promise<{ spans: number; lines: number }> {
  const total = { spans: 0, lines: 0 };
  for (let i = k; i < cases; i += jobs) {
    if (args.only !== undefined && Number(args.only) !== i) continue;
    const n = await writeCase(i);
    total.spans += n.spans;
    total.lines += n.lines;
  }
  return total;
}

/** --prometheus: serve the blocks with a real Prometheus on 127.0.0.1 and write each case's query_range answer. */
async function fetchMetrics(): Promise<void> {
  const step = 15;
  const server = await startPrometheus(tsdb, out, step - 1);
  try {
    for (let i = 0; i < cases; i++) {
      if (args.only !== undefined && Number(args.only) !== i) continue;
      const plan = planCase(i, seed);
      const start = plan.dataStartUs / 1e6 + step;
      const body = await server.queryRange(`{namespace="${plan.topology.namespace}"}`, start, plan.dataEndUs / 1e6 + step, step);
      await put(join(out, plan.id), 'metrics.prom.json', body);
      await rm(join(out, plan.id, 'metrics.om'), { force: true });
    }
  } finally {
    await server.stop();
    await rm(tsdb, { recursive: true, force: true });
    await rm(join(out, 'prometheus.yml'), { force: true });
  }
}

const child = process.env.ROOTSPAN_SIM_SHARE;
if (child !== undefined) {
  // A forked job: its share of the cases, the counts back to the parent.
  process.send!(await share(Number(child)));
} else {
  const t0 = performance.now();
  await mkdir(out, { recursive: true });
  await rm(tsdb, { recursive: true, force: true });
  const parts = await Promise.all(
    Array.from({ length: jobs }, (_, k) =>
      k === 0
        ? share(0)
        : new Promise<{ spans: number; lines: number }>((resolve, reject) => {
            const job = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
              execArgv: ['--import', 'tsx'],
              env: { ...process.env, ROOTSPAN_SIM_SHARE: String(k) },
            });
            job.once('message', (m) => resolve(m as { spans: number; lines: number }));
            job.once('error', reject);
            job.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`simulate: job ${k} exited with ${code}`))));
          }),
    ),
  );
  if (args.prometheus) await fetchMetrics();
  const spans = parts.reduce((s, p) => s + p.spans, 0);
  const lines = parts.reduce((s, p) => s + p.lines, 0);
  process.stderr.write(`simulate: ${cases} cases (seed ${seed}, ${jobs} jobs) in ${out}: ${spans} spans simulated, ${lines} log lines, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
