// The metrics through a real Prometheus (Debian's, on 127.0.0.1): each case's series are written as OpenMetrics,
// turned into TSDB blocks by `promtool tsdb create-blocks-from openmetrics`, served by `prometheus` from that
// storage, and fetched back with /api/v1/query_range: metrics.prom.json is then the server's own answer.
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PromSeries } from './outputs.js';

const run = promisify(execFile);

/**
 * Where `prometheus` and `promtool` are: `scripts/setup.sh` unpacks Debian's package into the repository's
 * `.tools/prometheus/` (never installing it as a system service); a copy on PATH serves otherwise.
 */
function promBin(name: 'prometheus' | 'promtool'): string {
  const local = fileURLToPath(new URL(`../../../.tools/prometheus/usr/bin/${name}`, import.meta.url));
  return existsSync(local) ? local : name;
}

/** OpenMetrics text of the series: families contiguous, samples in time order, seconds, `# EOF` last. */
export function openMetrics(series: readonly PromSeries[]): string {
  const families = new Map<string, string[]>();
  for (const s of series) {
    const { __name__: name, ...labels } = s.metric;
    const labelText = Object.entries(labels)
      .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
      .join(',');
    const lines = families.get(name!) ?? [];
    for (const [t, v] of s.values) lines.push(`${name}{${labelText}} ${v} ${t}`);
    families.set(name!, lines);
  }
  let out = '';
  for (const [name, lines] of families) out += `# TYPE ${name} gauge\n${lines.join('\n')}\n`;
  return `${out}# EOF\n`;
}

/** Adds the series to the TSDB at `dataDir` (blocks of disjoint times, so cases can be added one by one). */
export async function addBlocks(series: readonly PromSeries[], dataDir: string, scratch: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const file = join(scratch, 'metrics.om');
  await writeFile(file, openMetrics(series));
  await run(promBin('promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], { maxBuffer: 16 << 20 });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningPrometheus {
  /** The `query_range` response body for `query` over [start, end] seconds with `step` seconds. */
  queryRange(query: string, start: number, end: number, step: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts `prometheus` on 127.0.0.1 (a free port) over `dataDir`, with no scrape targets. Give a lookback just
 * under one step, so a container that was down has no samples, as with live scrapes and staleness markers.
 */
export async function startPrometheus(dataDir: string, scratch: string, lookbackSeconds: number): Promise<RunningPrometheus> {
  const port = await freePort();
  const config = join(scratch, 'prometheus.yml');
  await writeFile(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const child: ChildProcess = spawn(
    promBin('prometheus'),
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      `--query.lookback-delta=${lookbackSeconds}s`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${base}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`prometheus was not ready within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    async queryRange(query, start, end, step) {
      const params = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
      const url = `${base}/api/v1/query_range?${params.toString()}`;
      const res = await fetch(url);
      const body = await res.text();
      if (!res.ok) throw new Error(`prometheus query_range ${res.status}: ${body.slice(0, 300)}`);
      return body;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
