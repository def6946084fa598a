import fs from 'node:fs';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const REPO = path.resolve(__dirname, '..');

/**
 * The sample incident: samples/incident/ in the repository. Served under /samples/incident/ in dev and
 * copied into dist/ by the build, with a manifest.json listing the files the page loads.
 */
const BUNDLED_SAMPLE = path.join(REPO, 'samples/incident');
// Until samples/incident/ is in the repository, a Nezha dev case from the shared data stands in.
export const SAMPLE_DIR = fs.existsSync(BUNDLED_SAMPLE) ? BUNDLED_SAMPLE : path.join(REPO, '../shared/data/rca/nezha-tt/dev/tt-2023-01-29-0843');

export function sampleFiles(dir = SAMPLE_DIR): string[] {
  if (!fs.existsSync(dir)) {
    throw new Error(`${dir} is missing: the web demo ships the sample incident from it`);
  }
  return fs
    .readdirSync(dir)
    .filter((f) => /\.(json|jsonl|ndjson|arrow)(\.gz)?$/.test(f) && !['case.json', 'truth.json', 'manifest.json'].includes(f))
    .sort();
}

function sampleIncident(): Plugin {
  return {
    name: 'rootspan-sample-incident',
    configureServer(server) {
      server.middlewares.use('/samples/incident/', (req, res, next) => {
        const name = decodeURIComponent((req.url ?? '').replace(/^\//, '').split('?')[0]);
        const files = sampleFiles();
        if (name === 'manifest.json') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(files));
        } else if (files.includes(name)) {
          res.end(fs.readFileSync(path.join(SAMPLE_DIR, name)));
        } else {
          next();
        }
      });
    },
    generateBundle() {
      const files = sampleFiles();
      for (const name of files) {
        this.emitFile({ type: 'asset', fileName: `samples/incident/${name}`, source: fs.readFileSync(path.join(SAMPLE_DIR, name)) });
      }
      this.emitFile({ type: 'asset', fileName: 'samples/incident/manifest.json', source: JSON.stringify(files) });
    },
  };
}

export default defineConfig({
  root: __dirname,
  base: './',
  resolve: {
    // The views and the engine are the panel's: one implementation for both homes.
    alias: { '@panel': path.join(REPO, 'wasm-plugin/panel/src') },
  },
  plugins: [sampleIncident()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
