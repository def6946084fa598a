import fs from 'node:fs';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';

import { SAMPLE_DIR, sampleFiles } from './sample';


/**
 * The sample incident: served under /samples/incident/ in dev and copied into dist/ by the build, with a
 * manifest.json listing the files the page loads.
 */
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
  plugins: [sampleIncident()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
