// npm run simulate -- --out DIR [--cases 128] [--seed 1] [--no-gzip] [--only N]
// Writes DIR/sim-NNN/{case.json, truth.json, traces.otlp.json.gz, logs.loki.json.gz, metrics.prom.json.gz}.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { otlpTraces } from './otel.js';
import { caseJson, lokiJson, promJson, truthJson } from './outputs.js';
import { planCase } from './plan.js';
import { Rng } from './rng.js';
import { simulate } from './simulate.js';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    cases: { type: 'string', default: '128' },
    seed: { type: 'string', default: '1' },
    'no-gzip': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
if (args.out === undefined) {
  process.stderr.write('usage: npm run simulate -- --out DIR [--cases 128] [--seed 1] [--no-gzip] [--only N]\n');
  process.exit(2);
}
const out = args.out;
const cases = Number(args.cases);
const seed = Number(args.seed);
const gzip = !args['no-gzip'];

async function put(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  if (gzip) await writeFile(join(dir, `${name}.gz`), gzipSync(data, { level: 1 }));
  else await writeFile(join(dir, name), data);
}

const t0 = performance.now();
let spans = 0;
let lines = 0;
await mkdir(out, { recursive: true });
for (let i = 0; i < cases; i++) {
  if (args.only !== undefined && Number(args.only) !== i) continue;
  const plan = planCase(i, seed);
  const sim = simulate(plan, new Rng(seed).fork(`sim-${i}`));
  const dir = join(out, plan.id);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  await writeFile(join(dir, 'case.json'), caseJson(plan));
  await writeFile(join(dir, 'truth.json'), truthJson(plan));
  await put(dir, 'traces.otlp.json', otlpTraces(plan, sim.spans));
  await put(dir, 'logs.loki.json', lokiJson(plan, sim));
  await put(dir, 'metrics.prom.json', promJson(plan, sim, new Rng(seed).fork(`metrics-${i}`)));
  spans += sim.spans.length;
  lines += sim.logs.length;
}
process.stderr.write(`simulate: ${cases} cases (seed ${seed}) in ${out}: ${spans} spans simulated, ${lines} log lines, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
