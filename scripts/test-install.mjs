#!/usr/bin/env node
// The installable artifacts, tried the way a user installs them, outside the checkout:
//
// 1. `cargo install --path <the CLI crate>` into a fresh root, then `rootspan demo` and `rootspan analyze` run from an
//    empty folder (the raw wasm and the sample incident are inside the binary: no checkout needed). Its
//    `analyze --format json` output is the reference for the next two.
// 2. `npm pack` of the `rootspan` package, installed from the tarball into a fresh Node 20 ESM project:
//    a script analyses the sample incident; the report must equal the CLI's, byte for byte.
// 3. The same tarball in a fresh Vite + TypeScript app: `tsc --noEmit` type-checks it as a consumer would,
//    `vite build` bundles it (the .wasm as an asset), and headless Chromium runs the page: the report it
//    shows must equal the CLI's, byte for byte.
//
// Needs: the raw and browser wasm built (scripts/build-wasm.sh) and the package built (npm run build -w rootspan).
// Installs into a temporary folder; npm uses its cache and the registry for vite and typescript.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLE = path.join(REPO, 'samples/incident');
const CLI_CRATE = path.join(REPO, 'cli'); // the crate with the `rootspan` binary
const TARGET_DIR = process.env.CARGO_TARGET_DIR ?? path.join(REPO, 'target');
const CHROMIUM = process.env.ROOTSPAN_CHROMIUM ?? '/usr/bin/chromium';
const keep = process.env.ROOTSPAN_KEEP_INSTALL_TMP === '1';

// What a user writes: the package's README usage, nothing from this repository.
const NODE_APP_SCRIPT = `import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Session } from 'rootspan';

const [options, ...files] = process.argv.slice(2);
const session = await Session.create();
for (const file of files) await session.addBytes(await readFile(file), basename(file));
process.stdout.write(await session.analyzeJson(JSON.parse(options)));
session.close();
`;

const VITE_APP_MAIN = `import { Session, type Options, type Report } from 'rootspan';

async function main(): Promise<void> {
  const index = (await (await fetch('./incident/index.json')).json()) as { files: string[]; options: Options };
  const session = await Session.create();
  for (const name of index.files) {
    const bytes = new Uint8Array(await (await fetch(\`./incident/\${name}\`)).arrayBuffer());
    await session.addBytes(bytes, name);
  }
  const json = await session.analyzeJson(index.options);
  const report: Report = JSON.parse(json) as Report;
  document.title = \`\${report.candidates.length} candidates\`;
  document.getElementById('report')!.textContent = json;
  session.close();
}

main().catch((e: unknown) => {
  document.getElementById('error')!.textContent = e instanceof Error ? e.stack ?? e.message : String(e);
});
`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rootspan-install-'));
const step = (what) => console.log(`\n== test-install: ${what}`);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 << 20, ...opts });

function assertSame(what, actual, expected) {
  if (actual !== expected) {
    const at = [...expected].findIndex((c, i) => actual[i] !== c);
    throw new Error(`${what}: the report differs from the CLI's (lengths ${actual.length} vs ${expected.length}, first difference at ${at}: ` +
      `${JSON.stringify(actual.slice(Math.max(0, at - 40), at + 40))} vs ${JSON.stringify(expected.slice(Math.max(0, at - 40), at + 40))})`);
  }
  console.log(`${what}: report identical to the CLI's (${actual.length} bytes)`);
}

try {
  // The sample incident and its window, as a user would have them: files in a folder of their own.
  const incident = path.join(tmp, 'incident');
  fs.mkdirSync(incident);
  const files = fs.readdirSync(SAMPLE).filter((f) => f.endsWith('.json.gz'));
  for (const f of files) fs.copyFileSync(path.join(SAMPLE, f), path.join(incident, f));
  const { window, baseline } = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'case.json'), 'utf8'));
  const options = { window, baseline };

  step(`cargo install --path ${path.relative(REPO, CLI_CRATE)}`);
  const root = path.join(tmp, 'cargo');
  run('cargo', ['install', '--quiet', '--locked', '--path', CLI_CRATE, '--root', root, '--target-dir', TARGET_DIR], { stdio: 'inherit' });
  const rootspan = path.join(root, 'bin/rootspan');
  const empty = path.join(tmp, 'elsewhere');
  fs.mkdirSync(empty);
  const demo = run(rootspan, ['demo'], { cwd: empty });
  if (!/\b1\.\s/.test(demo) && !/rank/i.test(demo)) throw new Error(`rootspan demo printed no ranked candidates:\n${demo}`);
  console.log(demo.split('\n').slice(0, 8).join('\n'));
  const cliReport = run(rootspan, ['analyze', '--format', 'json', '--window', `${window.start},${window.end}`, '--baseline', `${baseline.start},${baseline.end}`,
    ...files], { cwd: incident }).replace(/\n$/, ''); // inputs are named as given: plain file names, like the npm apps'
  const top = JSON.parse(cliReport).candidates?.[0];
  if (!top) throw new Error('rootspan analyze gave no candidate for the sample incident');
  console.log(`installed CLI: top candidate ${top.service ?? JSON.stringify(top).slice(0, 80)}`);

  step('npm pack wasm-plugin/js');
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: path.join(REPO, 'wasm-plugin/js') }));
  const tarball = path.join(tmp, packed[0].filename);
  console.log(`${packed[0].filename}: ${packed[0].size} B, ${packed[0].entryCount} files: ${packed[0].files.map((f) => f.path).join(', ')}`);

  step('fresh Node 20 ESM project, installed from the tarball');
  const nodeApp = path.join(tmp, 'node-app');
  fs.mkdirSync(nodeApp);
  fs.writeFileSync(path.join(nodeApp, 'package.json'), JSON.stringify({ name: 'node-app', private: true, type: 'module' }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: nodeApp, stdio: 'inherit' });
  fs.writeFileSync(path.join(nodeApp, 'analyze.mjs'), NODE_APP_SCRIPT);
  const nodeReport = run('node', ['analyze.mjs', JSON.stringify(options), ...files.map((f) => path.join(incident, f))], { cwd: nodeApp });
  assertSame('Node ESM project', nodeReport, cliReport);

  step('fresh Vite + TypeScript app, installed from the tarball');
  const viteApp = path.join(tmp, 'vite-app');
  fs.mkdirSync(path.join(viteApp, 'src'), { recursive: true });
  fs.mkdirSync(path.join(viteApp, 'public/incident'), { recursive: true });
  const versionOf = (pkg) => JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  fs.writeFileSync(path.join(viteApp, 'package.json'), JSON.stringify({
    name: 'vite-app', private: true, type: 'module',
    devDependencies: { vite: versionOf('vite'), typescript: versionOf('typescript') },
  }, null, 2));
  fs.writeFileSync(path.join(viteApp, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], strict: true, noEmit: true, skipLibCheck: false, types: ['vite/client'] },
    include: ['src'],
  }, null, 2));
  fs.writeFileSync(path.join(viteApp, 'index.html'), '<!doctype html><html><body><pre id="report"></pre><pre id="error"></pre><script type="module" src="/src/main.ts"></script></body></html>\n');
  fs.writeFileSync(path.join(viteApp, 'src/main.ts'), VITE_APP_MAIN);
  for (const f of files) fs.copyFileSync(path.join(incident, f), path.join(viteApp, 'public/incident', f));
  fs.writeFileSync(path.join(viteApp, 'public/incident/index.json'), JSON.stringify({ files, options }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: viteApp, stdio: 'inherit' });
  run('npx', ['tsc', '--noEmit', '-p', '.'], { cwd: viteApp, stdio: 'inherit' });
  run('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: viteApp, stdio: 'inherit' });
  const wasmAssets = fs.readdirSync(path.join(viteApp, 'dist/assets')).filter((f) => f.endsWith('.wasm'));
  if (wasmAssets.length === 0) throw new Error('vite build emitted no .wasm asset: the package does not reference its wasm the way bundlers see');
  const browserReport = await runInChromium(path.join(viteApp, 'dist'));
  assertSame('Vite + TypeScript app in Chromium', browserReport, cliReport);
  console.log('\n3 passed, 0 failed');
} finally {
  if (keep) console.log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}

/** Serves `dir` on 127.0.0.1 (a free port), opens it in headless Chromium, returns the page's report text. */
async function runInChromium(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(dir, rel);
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => document.getElementById('report')?.textContent || document.getElementById('error')?.textContent, null, { timeout: 120_000 });
    const error = await page.textContent('#error');
    if (error || errors.length) throw new Error(`the Vite app failed in Chromium: ${error} ${errors.join('; ')}`);
    return await page.textContent('#report');
  } finally {
    await browser.close();
    server.close();
  }
}
