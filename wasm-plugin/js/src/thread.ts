// One worker running worker.ts, in browsers (a module Web Worker) and in Node (a worker_threads Worker), behind
// one promise-per-request interface. The worker file is found the way bundlers recognise workers
// (`new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`), so Vite and webpack emit it as a
// chunk next to the page's (the Grafana panel's: under the plugin's public path).
import { giveBack } from './pool.js';
import type { Call, Reply, Request } from './protocol.js';

/** A call the worker could not answer. `trapped`: the wasm instance aborted and the worker must be dropped. */
export class CallError extends Error {
  constructor(
    message: string,
    readonly trapped: boolean
  ) {
    super(message);
    this.name = 'CallError';
  }
}

/** What both kinds of worker offer. */
interface Endpoint {
  post(request: Request, transfer: Transferable[]): void;
  terminate(): void;
  /** Node only: whether the worker keeps the process alive (only while a call is pending). */
  hold(busy: boolean): void;
}

export interface Thread {
  call(call: Call, transfer?: Transferable[]): Promise<string | undefined>;
  terminate(): void;
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

type Handlers = { reply(reply: Reply): void; fail(message: string): void };

/** The worker's options; the call below spells them out as a literal, which bundlers (Vite) must read statically. */
const WORKER_OPTIONS: WorkerOptions = { type: 'module', name: 'rootspan-worker' };

/**
 * Constructs the worker the way bundlers recognise (they rewrite the URL in place: a plugin's chunk under its
 * public path), and reads the URL off the call, for the fallback: the global `Worker` is wrapped for that one call.
 */
function constructWorker(): { worker: Worker | undefined; url: URL | undefined; error: unknown } {
  const Native = globalThis.Worker;
  let url: URL | undefined;
  globalThis.Worker = class extends Native {
    constructor(script: string | URL, opts?: WorkerOptions) {
      url = new URL(String(script), globalThis.location?.href);
      super(script, opts);
    }
  };
  try {
    return { worker: new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'rootspan-worker' }), url, error: undefined };
  } catch (error) {
    return { worker: undefined, url, error };
  } finally {
    globalThis.Worker = Native;
  }
}

/**
 * A module worker started from a same-origin Blob URL whose one line imports the worker script: what works when
 * the script is served from another origin than the page (a Grafana plugin from a CDN), where `new Worker(url)`
 * is refused. The import is fetched with CORS (as the CDN serves plugins), and the worker's own relative imports
 * resolve against its real URL, which a fetched copy of the script would break.
 */
function blobWorker(url: URL, options: WorkerOptions): Worker {
  const bootstrap = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' }));
  const worker = new Worker(bootstrap, options);
  const revoke = (): void => URL.revokeObjectURL(bootstrap);
  worker.addEventListener('message', revoke, { once: true });
  worker.addEventListener('error', revoke, { once: true });
  return worker;
}

function browserWorker(on: Handlers): Endpoint {
  const first = constructWorker();
  /** Until the worker first answers, what was posted: sent again to the fallback worker should this one fail to load. */
  let unanswered: [Request, Transferable[]][] | undefined = [];
  let fellBack = first.worker === undefined;
  const fallBack = (why: string): Worker => {
    if (first.url === undefined) throw new Error(`rootspan: the worker could not be started: ${why}`);
    return blobWorker(first.url, WORKER_OPTIONS);
  };
  let worker = first.worker ?? fallBack(String(first.error));
  const listen = (w: Worker): void => {
    w.onmessage = (e: MessageEvent<Reply>) => {
      unanswered = undefined;
      on.reply(e.data);
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      if (unanswered !== undefined && !fellBack) {
        // It never ran (refused or not loadable from here): the same script again, from a Blob URL.
        fellBack = true;
        w.terminate();
        worker = fallBack(e.message);
        listen(worker);
        for (const [r, transfer] of unanswered) worker.postMessage(r, transfer);
        return;
      }
      on.fail(`rootspan: the worker failed: ${e.message || 'it could not be loaded (is worker.js served next to the package?)'}`);
    };
  };
  listen(worker);
  return {
    post: (r, transfer) => {
      unanswered?.push([r, transfer]);
      worker.postMessage(r, transfer);
    },
    terminate: () => worker.terminate(),
    hold: () => undefined,
  };
}

async function nodeWorker(on: Handlers): Promise<Endpoint> {
  // Variable specifiers: bundlers must neither pull Node's module into browser builds nor emit this URL twice.
  const threads = 'node:worker_threads';
  const file = './worker.js';
  const { Worker: NodeWorker } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ threads)) as typeof import('node:worker_threads');
  const worker = new NodeWorker(new URL(/* webpackIgnore: true */ file, import.meta.url));
  worker.on('message', (reply: Reply) => on.reply(reply));
  worker.on('error', (e: Error) => on.fail(`rootspan: the worker failed: ${e.message}`));
  worker.on('exit', (code) => on.fail(`rootspan: the worker exited (code ${code})`));
  worker.unref();
  return {
    post: (r, transfer) => worker.postMessage(r, transfer as never),
    terminate: () => void worker.terminate(),
    hold: (busy) => (busy ? worker.ref() : worker.unref()),
  };
}

/** Starts a worker and instantiates `module` in it. */
export async function spawn(module: WebAssembly.Module): Promise<Thread> {
  const pending = new Map<number, { resolve(v: string | undefined): void; reject(e: Error): void }>();
  let next = 0;
  let failed: string | undefined;
  // Set once the worker is started (the handlers below are made before it).
  const worker: { endpoint?: Endpoint } = {};
  const settle = (id: number) => {
    const p = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) worker.endpoint?.hold(false);
    return p;
  };
  const handlers: Handlers = {
    reply(reply) {
      const p = settle(reply.id);
      if (reply.kind === 'ok' && reply.returned) for (const kind of ['f64', 'u8', 'u32'] as const) giveBack(kind, reply.returned[kind]);
      if (reply.kind === 'ok') p?.resolve(reply.value);
      else p?.reject(new CallError(reply.message, reply.trapped));
    },
    fail(message) {
      failed ??= message;
      for (const id of [...pending.keys()]) settle(id)?.reject(new CallError(message, true));
    },
  };
  const live = isNode() ? await nodeWorker(handlers) : browserWorker(handlers);
  worker.endpoint = live;
  const thread: Thread = {
    call(call, transfer = []) {
      if (failed !== undefined) return Promise.reject(new CallError(failed, true));
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        live.hold(true);
        live.post({ ...call, id }, transfer);
      });
    },
    terminate() {
      handlers.fail('rootspan: the session was closed');
      live.terminate();
    },
  };
  await thread.call({ op: 'init', module });
  return thread;
}
