// Compiling the WebAssembly module once per page or process, in browsers (fetch, bundlers, the Grafana panel's
// own asset URL) and in Node (the file next to the glue, read from disk: Node's fetch cannot read file: URLs).
// Each session's worker instantiates the compiled module it is sent; compiling is asynchronous, off the page's
// thread.

/** Where the .wasm comes from: a URL (string or URL), a fetch Request or Response, its bytes, or a compiled Module. */
export type WasmSource = string | URL | Request | Response | BufferSource | WebAssembly.Module;

let compiling: Promise<WebAssembly.Module> | undefined;

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

/** A response as a module: streamed where the server says `application/wasm`, else from its bytes. */
async function compileResponse(response: Response): Promise<WebAssembly.Module> {
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${response.url}`);
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof Response) return compileResponse(source);
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  if (!(source instanceof URL) && typeof source !== 'string') return compileResponse(await fetch(source));
  // In Node a string is a file path unless it is a URL, and file: URLs are read from disk.
  const url = typeof source === 'string' ? (safeUrl(source) ?? (isNode() ? fileUrl(source) : undefined)) : source;
  if (url?.protocol === 'file:') return WebAssembly.compile((await readFileUrl(url)) as Uint8Array<ArrayBuffer>);
  return compileResponse(await fetch(url ?? source));
}

/**
 * Loads and compiles the WebAssembly module. Optional: the first `Session.create()` calls it with no argument;
 * call it first to load the module from elsewhere. Later calls return the first call's promise. Without an
 * argument the package's own `.wasm` is used: read from disk in Node, fetched relative to this module in
 * browsers (bundlers that understand `new URL(..., import.meta.url)` copy it as an asset). Pass a URL, bytes or
 * a compiled `WebAssembly.Module` when the file lives elsewhere; in Node a file path works too.
 */
export function init(source?: WasmSource): Promise<void> {
  return compiledModule(source).then(() => undefined);
}

/** The compiled module (compiling it on first use). */
export function compiledModule(source?: WasmSource): Promise<WebAssembly.Module> {
  compiling ??= compile(source ?? packagedWasmUrl()).catch((e: unknown) => {
    compiling = undefined; // let a later call retry with another source
    throw new Error(`rootspan: could not load the WebAssembly module: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  });
  return compiling;
}
