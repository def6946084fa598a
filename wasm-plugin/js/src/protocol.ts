// The messages between a Session (the caller's thread) and its worker (worker.ts). One request at a time per
// worker, each answered by exactly one reply.

/** A packed frame as it travels: the header and the three buffers, moved (transferred), never copied. */
export interface PackedMessage {
  header: string;
  f64: Float64Array;
  u8: Uint8Array;
  u32: Uint32Array;
}

export type Call =
  | { op: 'init'; module: WebAssembly.Module }
  | { op: 'addPackedFrame'; source: string; frame: PackedMessage }
  | { op: 'addBytes'; name: string; bytes: Uint8Array; arrow: boolean }
  | { op: 'setOptions'; options: string }
  | { op: 'analyze'; options: string | undefined }
  | { op: 'trace'; traceId: string; options: string | undefined }
  | { op: 'memory' }
  | { op: 'panicForTest'; message: string };

export type Request = Call & { id: number };

/** A packed frame's buffers, moved back once the frame is in wasm memory: the next frames pack into them (pool.ts). */
export type Returned = Record<'f64' | 'u8' | 'u32', ArrayBuffer>;

export type Reply =
  | { id: number; kind: 'ok'; value: string | undefined; returned?: Returned }
  /** `trapped`: the wasm instance aborted (a panic) and cannot be used again. */
  | { id: number; kind: 'error'; message: string; trapped: boolean };
