// The sample incident the page ships: samples/incident/ in the repository (a real TrainTicket fault, its
// answer left out). Shared by the build (vite.config.ts) and the tests.
import fs from 'node:fs';
import path from 'node:path';

export const SAMPLE_DIR = path.resolve(__dirname, '../samples/incident');

/** The data files of the sample, sorted: what the page's manifest.json lists. */
export function sampleFiles(dir = SAMPLE_DIR): string[] {
  if (!fs.existsSync(dir)) {
    throw new Error(`${dir} is missing: the web demo ships the sample incident from it`);
  }
  return fs
    .readdirSync(dir)
    .filter((f) => /\.(json|jsonl|ndjson|arrow)(\.gz)?$/.test(f) && !['case.json', 'truth.json', 'manifest.json'].includes(f))
    .sort();
}
