// The public Session: inputs in, report out. Frames are packed here and cross into wasm one call per frame.
import { Session as WasmSession } from '../pkg/rootspan_wasm.js';
import { FrameError } from './frame.js';
import type { DataFrameLike, FrameProblem } from './frame.js';
import type { Options, Report, TraceDetail } from './generated/types.js';
import { packFrame } from './pack.js';
import { assertReady } from './wasm.js';

// Node 20 and older browsers may lack Symbol.dispose; Symbol.for gives every copy of this package the same key.
if (typeof Symbol.dispose !== 'symbol') {
  Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('Symbol.dispose') });
}

function optionsJson(options: Options | undefined): string | undefined {
  return options === undefined ? undefined : JSON.stringify(options);
}

/** Not a type guard on purpose: `Array.isArray` would narrow the readonly frames to `any[]`. */
function isArray(value: unknown): boolean {
  return Array.isArray(value);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * One incident's inputs, decoded once and analysed as often as wanted (other windows, other options) without
 * adding them again. Holds wasm memory: call `free()` (or use `using`) when done.
 */
export class Session implements Disposable {
  readonly #inner: WasmSession;

  /** Needs `await init()` first. */
  constructor(options?: Options) {
    assertReady();
    this.#inner = new WasmSession();
    if (options !== undefined) this.setOptions(options);
  }

  /**
   * Adds DataFrames as Grafana gives them (`PanelData.series`, `PanelData.annotations`, `createDataFrame(...)`):
   * traces, logs, metric series and exemplars are told apart by their shape. Each frame is packed into typed
   * arrays and crosses into wasm in one call. `source` names these frames in the report's inputs and diagnostics.
   *
   * Returns how many frames were added. Throws a `FrameError` listing every problem (frame, field, row) when a
   * frame had to be left out or a value was sent as null; everything usable was added all the same.
   */
  addFrames(frames: readonly DataFrameLike[], source = 'frames'): number {
    if (!isArray(frames)) throw new TypeError('rootspan: addFrames takes an array of DataFrames');
    const problems: FrameProblem[] = [];
    let added = 0;
    frames.forEach((frame, index) => {
      const { packed, problems: found } = packFrame(frame, index);
      problems.push(...found);
      if (packed === null) return;
      try {
        this.#inner.addPackedFrame(source, packed.header, packed.f64, packed.u8, packed.u32);
        added++;
      } catch (e) {
        problems.push({ frame: index, frameName: frame.name ?? frame.refId ?? null, message: message(e), scope: 'frame' });
      }
    });
    if (problems.length > 0) throw new FrameError(problems, added);
    return added;
  }

  /** Adds an Arrow IPC stream or file (Grafana's Arrow frames, apache-arrow `tableToIPC`). */
  addArrowIpc(bytes: Uint8Array, name = 'arrow'): void {
    this.#inner.addArrowIpc(name, bytes);
  }

  /**
   * Adds JSON text in any supported format (OTLP JSON traces/logs/metrics, Tempo, Jaeger, Loki and Prometheus
   * API responses, Grafana frames or /api/ds/query responses); the format is detected.
   */
  addJson(text: string, name = 'json'): void {
    this.#inner.addJson(name, text);
  }

  /** Adds a file's bytes: any format `addJson` or `addArrowIpc` takes, gzip-compressed or not. */
  addBytes(bytes: Uint8Array, name = 'bytes'): void {
    this.#inner.addBytes(name, bytes);
  }

  /** Sets the options later `analyze()` calls use when given none. */
  setOptions(options: Options): void {
    this.#inner.setOptions(JSON.stringify(options));
  }

  /** Analyses everything added so far; `options` (when given) replace those set with `setOptions`. */
  analyze(options?: Options): Report {
    return JSON.parse(this.analyzeJson(options)) as Report;
  }

  /** The report as the exact JSON text every rootspan home produces for the same inputs and options. */
  analyzeJson(options?: Options): string {
    return this.#inner.analyze(optionsJson(options));
  }

  /**
   * One trace's spans (service, operation, start and duration in ms, error) with the log records and
   * exemplars joined to them, for trace views; `undefined` when the data holds no such trace. `options`
   * gives the correlation options (as for `analyze`).
   */
  trace(traceId: string, options?: Options): TraceDetail | undefined {
    const json = this.#inner.trace(traceId, options === undefined ? undefined : JSON.stringify(options));
    return json === undefined ? undefined : (JSON.parse(json) as TraceDetail);
  }

  /** Releases the wasm memory this session holds. The session cannot be used afterwards. */
  free(): void {
    this.#inner.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}
