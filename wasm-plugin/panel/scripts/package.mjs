#!/usr/bin/env node
// `npm run package`: zips dist/ the way Grafana's plugin installer and validator expect: one root folder
// named exactly the plugin id, holding plugin.json, module.js, the .wasm, README, CHANGELOG, LICENSE,
// the logo and the screenshots. Fails, naming the file, when any of them is missing from dist/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const plugin = JSON.parse(fs.readFileSync(path.join(dist, 'plugin.json'), 'utf8'));
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

const required = ['plugin.json', 'module.js', 'README.md', 'CHANGELOG.md', 'LICENSE', plugin.info.logos.small, plugin.info.logos.large, ...plugin.info.screenshots.map((s) => s.path)];
const missing = required.filter((f) => !fs.existsSync(path.join(dist, f)));
const wasm = fs.readdirSync(dist).filter((f) => f.endsWith('.wasm'));
if (wasm.length === 0) {
  missing.push('*.wasm (the rootspan core: build it with scripts/build-wasm.sh, then npm run build)');
}
// The package's worker, a chunk webpack emits next to module.js and loads from the plugin's public path.
const worker = fs.readdirSync(dist).filter((f) => /^rootspan-worker\.[0-9a-f]+\.js$/.test(f));
if (worker.length === 0) {
  missing.push('rootspan-worker.*.js (the worker sessions run in)');
}
wasm.push(...worker);
if (missing.length) {
  console.error(`package: dist/ lacks ${missing.join(', ')}`);
  process.exit(1);
}

const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'rootspan-package-'));
fs.cpSync(dist, path.join(staging, plugin.id), { recursive: true });
const zip = path.join(root, `${plugin.id}-${version}.zip`);
fs.rmSync(zip, { force: true });
execFileSync('zip', ['-q', '-r', '-X', zip, plugin.id], { cwd: staging, stdio: 'inherit' });
fs.rmSync(staging, { recursive: true, force: true });
const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
console.log(`${path.relative(process.cwd(), zip)}: ${(fs.statSync(zip).size / 1024).toFixed(0)} KiB, ${listing.length} entries`);
for (const f of [...required, ...wasm]) {
  if (!listing.includes(`${plugin.id}/${f}`)) {
    console.error(`package: ${plugin.id}/${f} is not in the zip`);
    process.exit(1);
  }
}
