// Shared by the panel's and the web demo's browser tests: Debian's Chromium driven by playwright-core
// (no browser download), and a static file server on 127.0.0.1. Missing pieces fail loudly: a test
// that cannot run is a failure, never a skip.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.ROOTSPAN_CHROMIUM ?? '/usr/bin/chromium';

// TOOLCHAIN.md: Chromium as root, headless, on a closed network. Playwright adds --headless itself and
// gives every launch a new empty --user-data-dir (it refuses that flag in `args`).
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/setup.sh (apt-get install chromium) or set ROOTSPAN_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}

export function requireFile(file: string, hint: string): string {
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: ${hint}`);
  }
  return file;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.css': 'text/css',
  '.map': 'application/json',
  '.gz': 'application/gzip',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves each URL prefix from a directory (or one file), on 127.0.0.1 and a free port. */
export async function serveStatic(routes: Record<string, string>): Promise<StaticServer> {
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = decodeURIComponent(url.pathname);
    const prefix = prefixes.find((p) => pathname === p || pathname.startsWith(p.endsWith('/') ? p : `${p}/`));
    if (prefix === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const base = path.resolve(routes[prefix]!); // prefix was found among routes' keys
    const file = path.resolve(base, '.' + pathname.slice(prefix.length).replace(/^\/?/, '/'));
    const target = fs.existsSync(base) && fs.statSync(base).isFile() ? base : file;
    if (!target.startsWith(base) || !fs.existsSync(target) || fs.statSync(target).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    fs.createReadStream(target).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
