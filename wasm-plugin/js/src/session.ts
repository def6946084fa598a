// `Session` is Disposable (`using s = ...`): the reference makes that type part of the published .d.ts, so a
// consumer whose tsconfig lib stops at ES2022 (create-vite's default) still type-checks the package.
/// <reference lib="esnext.disposable" preserve="true" />
// The public Session: inputs in, report out, run in a worker (worker.ts) so that decoding and analysis never
// block the caller's thread. Frames are packed here and their buffers moved (transferred) to the worker.
import { FrameError } from './frame.js';
import type { DataFrameLike, FrameProblem } from './frame.js';
import type { Options, Report, TraceDetail } from './generated/types.js';
import { packFrameSliced } from './pack.js';
import type { Call } from './protocol.js';
import { CallError, spawn, type Thread } from './thread.js';
import { compiledModule } from './wasm.js';

// Node 20 and older browsers may lack Symbol.dispose; Symbol.for gives every copy of this package the same key.
if (typeof Symbol.dispose !== 'symbol') {
  Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('Symbol.dispose') });
}

/** Where a long call is: its stage, and how far through it (`done` of `total`). */
export interface Progress {
  /** `packing` and `decoding` count frames; `analysing` is one step; `done` ends every call that reports. */
  stage: 'packing' | 'decoding' | 'analysing' | 'done';
  done: number;
  total: number;
}

/** What a session's worker holds, in bytes. */
export interface MemoryUse {
  /**
   * The worker's WebAssembly memory. It never shrinks, so this is the most the session has held at once: its
   * inputs decoded, and the largest analysis so far.
   */
  wasmBytes: number;
  /** The inputs as they crossed into the worker: packed frames' buffers (values, UTF-8 text, offsets), files' bytes. */
  inputBytes: number;
}

/** Per call: cancel it with `signal`, follow it with `onProgress`. */
export interface CallOptions {
  /**
   * Aborting rejects the call with the signal's reason. A call the worker is running is stopped by ending the
   * worker; the session starts a new one and adds its inputs again on its next call, so nothing is lost but time.
   */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/** What was added, in order: what a new worker is given again after a cancel or a trap. */
type Added =
  | { kind: 'frames'; frames: readonly DataFrameLike[]; source: string }
  | { kind: 'bytes'; name: string; bytes: Uint8Array; arrow: boolean }
  | { kind: 'options'; options: string };

/** Not a type guard on purpose: `Array.isArray` would narrow the readonly frames to `any[]`. */
function isArray(value: unknown): boolean {
  return Array.isArray(value);
}

const json = (options: Options | undefined): string | undefined => (options === undefined ? undefined : JSON.stringify(options));

/** Lets the caller's thread run (render, handle input) between two frames. */
const breathe = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Why a call was aborted: the signal's reason when it is an Error, else an AbortError. */
function abortError(signal: AbortSignal | undefined): Error {
  return signal?.reason instanceof Error ? signal.reason : new DOMException('rootspan: the call was aborted', 'AbortError');
}

const aborted = (signal: AbortSignal | undefined): Error | undefined => (signal?.aborted ? abortError(signal) : undefined);

/**
 * One incident's inputs, decoded once and analysed as often as wanted (other windows, other options) without
 * adding them again, in a worker of its own. Calls run one after another in the order they were made.
 * `close()` (or `using`) ends the worker.
 */
export class Session implements Disposable {
  #thread: Promise<Thread> | undefined;
  /** The started worker `#thread` resolved to. */
  #live: Thread | undefined;
  readonly #added: Added[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor() {}

  /**
   * A session in a new worker, with `options` for later `analyze()` calls that give none. Loads the module first
   * when `init()` was not called (the package's own .wasm).
   */
  static async create(options?: Options): Promise<Session> {
    const session = new Session();
    await session.#serial(undefined, () => session.#worker(undefined));
    if (options !== undefined) await session.setOptions(options);
    return session;
  }

  /**
   * Adds DataFrames as Grafana gives them (`PanelData.series`, `PanelData.annotations`, `createDataFrame(...)`):
   * traces, logs, metric series and exemplars are told apart by their shape. Each frame is packed into typed
   * arrays here and moved to the worker. `source` names these frames in the report's inputs and diagnostics.
   *
   * Resolves to how many frames were added. Rejects with a `FrameError` listing every problem (frame, field, row)
   * when a frame had to be left out or a value was sent as null; everything usable was added all the same.
   * The frames are kept (not copied) to be added again should the worker be replaced: do not change them.
   */
  addFrames(frames: readonly DataFrameLike[], source = 'frames', call: CallOptions = {}): Promise<number> {
    if (!isArray(frames)) return Promise.reject(new TypeError('rootspan: addFrames takes an array of DataFrames'));
    return this.#serial(call.signal, async () => {
      const thread = await this.#worker(call.signal);
      const { added, problems } = await this.#sendFrames(thread, frames, source, call);
      this.#added.push({ kind: 'frames', frames, source });
      call.onProgress?.({ stage: 'done', done: 1, total: 1 });
      if (problems.length > 0) throw new FrameError(problems, added);
      return added;
    });
  }

  /** Adds an Arrow IPC stream or file (Grafana's Arrow frames, apache-arrow `tableToIPC`). */
  addArrowIpc(bytes: Uint8Array, name = 'arrow', call: CallOptions = {}): Promise<void> {
    return this.#add({ kind: 'bytes', name, bytes, arrow: true }, call);
  }

  /**
   * Adds JSON text in any supported format (OTLP JSON traces/logs/metrics, Tempo, Jaeger, Loki and Prometheus
   * API responses, Grafana frames or /api/ds/query responses); the format is detected.
   */
  addJson(text: string, name = 'json', call: CallOptions = {}): Promise<void> {
    return this.#add({ kind: 'bytes', name, bytes: new TextEncoder().encode(text), arrow: false }, call);
  }

  /**
   * Adds a file's bytes: any format `addJson` or `addArrowIpc` takes, gzip-compressed or not. The worker gets a
   * copy; `bytes` is kept to be added again should the worker be replaced: do not change it.
   */
  addBytes(bytes: Uint8Array, name = 'bytes', call: CallOptions = {}): Promise<void> {
    return this.#add({ kind: 'bytes', name, bytes, arrow: false }, call);
  }

  /** Sets the options later `analyze()` calls use when given none. */
  setOptions(options: Options): Promise<void> {
    return this.#add({ kind: 'options', options: JSON.stringify(options) }, {});
  }

  /** Analyses everything added so far; `options` (when given) replace those set with `setOptions`. */
  async analyze(options?: Options, call: CallOptions = {}): Promise<Report> {
    return JSON.parse(await this.analyzeJson(options, call)) as Report;
  }

  /** The report as the exact JSON text every rootspan home produces for the same inputs and options. */
  analyzeJson(options?: Options, call: CallOptions = {}): Promise<string> {
    return this.#serial(call.signal, async () => {
      const thread = await this.#worker(call.signal);
      call.onProgress?.({ stage: 'analysing', done: 0, total: 1 });
      const report = await this.#call(thread, { op: 'analyze', options: json(options) }, [], call.signal);
      call.onProgress?.({ stage: 'done', done: 1, total: 1 });
      return report ?? '';
    });
  }

  /**
   * One trace's spans (service, operation, start and duration in ms, error) with the log records and
   * exemplars joined to them, for trace views; `undefined` when the data holds no such trace. `options`
   * gives the correlation options (as for `analyze`).
   */
  trace(traceId: string, options?: Options, call: CallOptions = {}): Promise<TraceDetail | undefined> {
    return this.#serial(call.signal, async () => {
      const thread = await this.#worker(call.signal);
      const detail = await this.#call(thread, { op: 'trace', traceId, options: json(options) }, [], call.signal);
      return detail === undefined ? undefined : (JSON.parse(detail) as TraceDetail);
    });
  }

  /** How much memory the session's worker holds, against the size of its inputs. */
  memory(): Promise<MemoryUse> {
    return this.#serial(undefined, async () => JSON.parse((await this.#call(await this.#worker(undefined), { op: 'memory' }, [], undefined)) ?? '{}') as MemoryUse);
  }

  /** Ends the worker and the wasm memory it holds. Calls made afterwards reject. */
  close(): void {
    this.#closed = true;
    this.#drop();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Makes the module panic in the worker (tests of the recovery only). */
  panicForTest(message: string): Promise<void> {
    return this.#serial(undefined, async () => {
      await this.#call(await this.#worker(undefined), { op: 'panicForTest', message }, [], undefined);
    });
  }

  /** Runs `work` after every call made before it. */
  #serial<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new Error('rootspan: the session is closed');
      const reason = aborted(signal);
      if (reason) throw reason;
      return work();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The worker, started (with everything added so far given again) if there is none. */
  #worker(signal: AbortSignal | undefined): Promise<Thread> {
    this.#thread ??= (async () => {
      const thread = await spawn(await compiledModule());
      try {
        for (const added of this.#added) {
          if (added.kind === 'frames') await this.#sendFrames(thread, added.frames, added.source, {});
          else await this.#call(thread, this.#addCall(added), [], undefined);
        }
      } catch (e) {
        thread.terminate();
        throw e;
      }
      this.#live = thread;
      return thread;
    })();
    const starting = this.#thread;
    starting.catch(() => {
      if (this.#thread === starting) this.#thread = undefined; // the next call tries again
    });
    return signal ? Promise.race([starting, this.#whenAborted(signal)]) : starting;
  }

  #whenAborted(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(abortError(signal)), { once: true }));
  }

  #addCall(added: Exclude<Added, { kind: 'frames' }>): Call {
    return added.kind === 'options'
      ? { op: 'setOptions', options: added.options }
      : { op: 'addBytes', name: added.name, bytes: added.bytes, arrow: added.arrow };
  }

  async #add(added: Exclude<Added, { kind: 'frames' }>, call: CallOptions): Promise<void> {
    return this.#serial(call.signal, async () => {
      const thread = await this.#worker(call.signal);
      call.onProgress?.({ stage: 'decoding', done: 0, total: 1 });
      await this.#call(thread, this.#addCall(added), [], call.signal);
      this.#added.push(added);
      call.onProgress?.({ stage: 'done', done: 1, total: 1 });
    });
  }

  /** Packs each frame and moves its buffers to the worker; problems with single frames are collected. */
  async #sendFrames(thread: Thread, frames: readonly DataFrameLike[], source: string, call: CallOptions): Promise<{ added: number; problems: FrameProblem[] }> {
    const problems: FrameProblem[] = [];
    let added = 0;
    const total = frames.length;
    for (let index = 0; index < total; index++) {
      const frame = frames[index]!;
      call.onProgress?.({ stage: 'packing', done: index, total });
      await breathe();
      const reason = aborted(call.signal);
      if (reason) {
        this.#dropIf(thread); // the worker holds part of these frames: the next call starts a new one without them
        throw reason;
      }
      // Packed in slices of at most ~10 ms: the caller's thread (a page's) stays responsive however large the frame.
      const { packed, problems: found } = await packFrameSliced(frame, index, 10, breathe);
      problems.push(...found);
      if (packed === null) continue;
      const { header, f64, u8, u32 } = packed;
      try {
        await this.#call(thread, { op: 'addPackedFrame', source, frame: { header, f64, u8, u32 } }, [f64.buffer, u8.buffer, u32.buffer], call.signal);
        added++;
      } catch (e) {
        if (!(e instanceof CallError)) throw e;
        problems.push({ frame: index, frameName: frame.name ?? frame.refId ?? null, message: e.message, scope: 'frame' });
      }
      call.onProgress?.({ stage: 'decoding', done: index + 1, total });
    }
    return { added, problems };
  }

  /**
   * One request to the worker. A trap or a cancel of a running call ends the worker (the next call starts a new
   * one); a trap rejects with the panic message.
   */
  #call(thread: Thread, request: Call, transfer: Transferable[], signal: AbortSignal | undefined): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const cancel = () => {
        this.#dropIf(thread);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', cancel, { once: true });
      thread.call(request, transfer).then(
        (value) => {
          signal?.removeEventListener('abort', cancel);
          resolve(value);
        },
        (e: unknown) => {
          signal?.removeEventListener('abort', cancel);
          if (e instanceof CallError && e.trapped) {
            this.#dropIf(thread);
            reject(new Error(e.message, { cause: e }));
          } else {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        }
      );
    });
  }

  /** Ends `thread` if it is still this session's worker (a late reply of an ended one must not end the next). */
  #dropIf(thread: Thread): void {
    if (this.#live === thread) this.#drop();
  }

  #drop(): void {
    const thread = this.#thread;
    this.#thread = undefined;
    this.#live = undefined;
    void thread?.then((t) => t.terminate(), () => undefined);
  }
}
