#!/usr/bin/env node
// `npm run demo` ends here: build the page if needed, then serve it on 127.0.0.1 and print its URL.
// PORT picks the port (default 5173; 0 = any free port).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!fs.existsSync(path.join(root, 'dist/index.html')) || process.argv.includes('--build')) {
  await build({ root, logLevel: 'warn' });
}
const server = await preview({ root, preview: { host: '127.0.0.1', port: Number(process.env.PORT ?? 5173), strictPort: process.env.PORT !== undefined } });
const url = server.resolvedUrls?.local[0];
console.log(`rootspan web demo: ${url}`);
