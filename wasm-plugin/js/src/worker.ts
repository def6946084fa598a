// The worker a Session runs in (a Web Worker in browsers, a worker_threads Worker in Node): it instantiates the
// module the caller compiled once, holds one wasm session, and answers the requests of protocol.ts in order.
// A trap (a panic: the wasm build aborts) is reported with the panic message; the caller then drops this worker.
import { initSync, lastPanic, panicForTest, Session as WasmSession } from '../pkg/rootspan_wasm.js';
import type { Reply, Request, Returned } from './protocol.js';

interface Port {
  post(reply: Reply, transfer?: Transferable[]): void;
  listen(handler: (request: Request) => void): void;
}

const scope = globalThis as unknown as { WorkerGlobalScope?: unknown; postMessage(m: unknown): void; onmessage: ((e: MessageEvent) => void) | null };
const inBrowser = scope.WorkerGlobalScope !== undefined;

// A browser delivers messages only to a handler set while the script first runs (bundlers may run the rest of
// this module later, after an await): requests that come early wait here.
const early: Request[] = [];
if (inBrowser) scope.onmessage = (e: MessageEvent) => early.push(e.data as Request);

/** The channel to the caller: the worker global in browsers, `parentPort` in Node. */
async function connect(): Promise<Port> {
  if (inBrowser) {
    return {
      post: (reply, transfer = []) => (scope.postMessage as (m: unknown, t: Transferable[]) => void)(reply, transfer),
      listen: (handler) => {
        scope.onmessage = (e: MessageEvent) => handler(e.data as Request);
        early.splice(0).forEach(handler);
      },
    };
  }
  // A variable module name, so that bundlers leave Node's module out of browser builds.
  const threads = 'node:worker_threads';
  const { parentPort } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ threads)) as typeof import('node:worker_threads');
  if (!parentPort) throw new Error('rootspan: worker.js runs only as a worker');
  return { post: (reply, transfer = []) => parentPort.postMessage(reply, transfer as never), listen: (handler) => parentPort.on('message', handler) };
}

let session: WasmSession | undefined;
let memory: WebAssembly.Memory | undefined;
/** Bytes of the inputs given to this worker's session: packed frames' buffers as they crossed, files' bytes. */
let inputBytes = 0;

function ready(): WasmSession {
  if (!session) throw new Error('rootspan: the worker was not initialised');
  return session;
}

/** A packed frame's buffers once the frame is decoded, to move back to the caller. */
let returned: Returned | undefined;

/** Runs one request; returns its value (a JSON text or nothing). */
function run(request: Request): string | undefined {
  switch (request.op) {
    case 'init':
      memory = initSync({ module: request.module }).memory;
      session = new WasmSession();
      return undefined;
    case 'addPackedFrame': {
      const { header, f64, u8, u32 } = request.frame;
      ready().addPackedFrame(request.source, header, f64, u8, u32);
      inputBytes += f64.byteLength + u8.byteLength + u32.byteLength;
      // The call copied them into wasm memory: the caller packs its next frames into them.
      returned = { f64: f64.buffer as ArrayBuffer, u8: u8.buffer as ArrayBuffer, u32: u32.buffer as ArrayBuffer };
      return undefined;
    }
    case 'addBytes':
      if (request.arrow) ready().addArrowIpc(request.name, request.bytes);
      else ready().addBytes(request.name, request.bytes);
      inputBytes += request.bytes.byteLength;
      return undefined;
    case 'setOptions':
      ready().setOptions(request.options);
      return undefined;
    case 'analyze':
      return ready().analyze(request.options);
    case 'trace':
      return ready().trace(request.traceId, request.options);
    case 'memory':
      ready();
      return JSON.stringify({ wasmBytes: memory?.buffer.byteLength ?? 0, inputBytes });
    case 'panicForTest':
      panicForTest(request.message);
      return undefined;
  }
}

/** The panic message after a trap, when the broken instance can still tell it. */
function panicMessage(e: WebAssembly.RuntimeError): string {
  try {
    const message = lastPanic();
    if (message) return `rootspan panicked: ${message}`;
  } catch {
    // the instance is too broken to say: the trap's own message is all there is
  }
  return `rootspan trapped: ${e.message}`;
}

void connect().then((port) =>
  port.listen((request) => {
    try {
      returned = undefined;
      const value = run(request);
      const back = returned as Returned | undefined;
      port.post({ id: request.id, kind: 'ok', value, ...(back && { returned: back }) }, back ? [back.f64, back.u8, back.u32] : []);
    } catch (e) {
      const trapped = e instanceof WebAssembly.RuntimeError;
      const message = trapped ? panicMessage(e) : e instanceof Error ? e.message : String(e);
      port.post({ id: request.id, kind: 'error', message, trapped });
    }
  })
);
