#!/usr/bin/env node
// Bundles the harness page's script (the real react, react-dom and @grafana packages plus the mount
// code) with esbuild into tests/harness/.build/harness.js. Rebuilt only when its inputs change.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '.build', 'harness.js');
const inputs = [path.join(here, 'harness.tsx'), fileURLToPath(import.meta.url), path.join(here, '../../package.json')];
const newest = Math.max(...inputs.map((f) => fs.statSync(f).mtimeMs));
if (fs.existsSync(out) && fs.statSync(out).mtimeMs > newest && !process.argv.includes('--force')) {
  console.error(`${path.relative(process.cwd(), out)} is up to date`);
  process.exit(0);
}
const t0 = Date.now();
await build({
  entryPoints: [path.join(here, 'harness.tsx')],
  outfile: out,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  minify: process.env.HARNESS_MINIFY !== "0",
  sourcemap: false,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  loader: { '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.png': 'empty', '.css': 'empty' },
});
console.error(`${path.relative(process.cwd(), out)}: ${(fs.statSync(out).size / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
