// Loading the WebAssembly module once, in browsers (fetch, bundlers, the Grafana panel's own asset URL)
// and in Node (the file next to the glue, read from disk: Node's fetch cannot read file: URLs).
import initWasm from '../pkg/rootspan_wasm.js';

/** Where the .wasm comes from: a URL (string or URL), a fetch Request or Response, its bytes, or a compiled Module. */
export type WasmSource = string | URL | Request | Response | BufferSource | WebAssembly.Module;

let loading: Promise<void> | undefined;
let ready = false;

/** The .wasm shipped in this package, found the way bundlers recognise assets (`new URL(..., import.meta.url)`). */
function packagedWasmUrl(): URL {
  return new URL('../pkg/rootspan_wasm_bg.wasm', import.meta.url);
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/** Reads a file: URL in Node. The module name is a variable so bundlers leave it alone in browser builds. */
async function readFileUrl(url: URL): Promise<Uint8Array> {
  const fsModule = 'node:fs/promises';
  const fs = (await import(/* webpackIgnore: true */ /* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
  return fs.readFile(url);
}

function resolveSource(source: WasmSource | undefined): WasmSource | Promise<WasmSource> {
  const wanted = source ?? packagedWasmUrl();
  if (!isNode()) return wanted;
  // In Node a string is a file path unless it is a URL, and file: URLs are read from disk.
  const url = typeof wanted === 'string' ? (safeUrl(wanted) ?? fileUrl(wanted)) : wanted instanceof URL ? wanted : undefined;
  return url?.protocol === 'file:' ? readFileUrl(url) : wanted;
}

function fileUrl(path: string): URL {
  return new URL(path.startsWith('/') ? `file://${encodeURI(path)}` : encodeURI(path), `file://${encodeURI(processCwd())}/`);
}

function processCwd(): string {
  return (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.() ?? '/';
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined; // a relative URL: fetch resolves it against the page
  }
}

/**
 * Loads and instantiates the WebAssembly module. Call (and await) it once before creating a `Session`;
 * later calls return the same promise. Without an argument the package's own `.wasm` is used: read from disk
 * in Node, fetched relative to this module in browsers (bundlers that understand `new URL(..., import.meta.url)`
 * copy it as an asset). Pass a URL, bytes or a compiled `WebAssembly.Module` when the file lives elsewhere
 * (the Grafana panel passes its own asset URL); in Node a file path works too.
 */
export function init(source?: WasmSource): Promise<void> {
  loading ??= (async () => {
    await initWasm({ module_or_path: await resolveSource(source) });
    ready = true;
  })().catch((e: unknown) => {
    loading = undefined; // let a later call retry with another source
    throw new Error(`rootspan: could not load the WebAssembly module: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  });
  return loading;
}

/** Throws unless `init()` has completed: the wasm classes would otherwise fail with an obscure TypeError. */
export function assertReady(): void {
  if (!ready) {
    throw new Error('rootspan: call `await init()` before creating a Session');
  }
}
